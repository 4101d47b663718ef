"""Auth and user schemas (API.md module A)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import CurrencyCode
from ledger.passwords import MIN_PASSWORD_LENGTH

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,30}$")


def _email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError("not a valid email address")
    return value


def _phone(value: str) -> str:
    value = value.strip()
    if not _PHONE.match(value):
        raise ValueError("not a valid phone number (digits, optional leading +)")
    return value


Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)]
Phone = Annotated[str, AfterValidator(_phone)]
Password = Annotated[str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=256)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class UserCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Ada Lovelace", "email": "ada@example.com", "password": "s3cret-passw0rd"}
            ]
        }
    )
    name: Name
    email: Email
    password: Password
    phone: Phone | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Ada", "base_currency": "EUR"}]}
    )
    name: Name | None = None
    phone: Phone | None = None
    base_currency: CurrencyCode | None = None
    password: Password | None = None
    current_password: str | None = None


class UserPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "Ada Lovelace",
                    "email": "ada@example.com",
                    "phone": None,
                    "kyc_status": "unverified",
                    "base_currency": "USD",
                    "role": "user",
                    "created_at": "2026-01-05T10:00:00Z",
                }
            ]
        },
    )
    id: int
    name: str
    email: str
    phone: str | None
    kyc_status: Literal["unverified", "pending", "verified", "rejected"]
    base_currency: str
    role: Literal["user", "admin"]
    created_at: datetime


class LoginRequest(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=256)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(max_length=4096)


class TokenPair(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiJ9...",
                    "refresh_token": "eyJhbGciOiJIUzI1NiJ9...",
                    "token_type": "bearer",
                    "expires_in": 900,
                }
            ]
        }
    )
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
