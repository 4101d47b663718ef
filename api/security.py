"""JWT access and refresh tokens. Each token names its login session (`sid`), which must be live."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from ledger.settings import Settings

TokenType = Literal["access", "refresh"]


class InvalidToken(Exception):
    """Forged, expired, of the wrong type, or otherwise unusable."""


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    session_id: str
    jti: str
    token_type: TokenType
    expires_at: datetime


def new_jti() -> str:
    return secrets.token_urlsafe(24)


def encode_token(
    settings: Settings, *, user_id: int, session_id: str, token_type: TokenType, jti: str
) -> tuple[str, datetime]:
    ttl = (
        settings.access_token_ttl_seconds
        if token_type == "access"
        else settings.refresh_token_ttl_seconds
    )
    now = datetime.now(UTC)
    expires_at = now + timedelta(seconds=ttl)
    payload = {
        "sub": str(user_id),
        "sid": session_id,
        "jti": jti,
        "type": token_type,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    token = jwt.encode(payload, settings.secret_key, algorithm=settings.jwt_algorithm)
    return token, expires_at


def decode_token(settings: Settings, token: str, *, expected_type: TokenType) -> TokenClaims:
    """Verify signature, algorithm (never `none`), expiry and type."""
    try:
        payload = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "iat", "sub", "sid", "jti", "type"]},
        )
        if payload["type"] != expected_type:
            raise InvalidToken(f"expected an {expected_type} token")
        return TokenClaims(
            user_id=int(payload["sub"]),
            session_id=str(payload["sid"]),
            jti=str(payload["jti"]),
            token_type=payload["type"],
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        raise InvalidToken(str(exc)) from exc
