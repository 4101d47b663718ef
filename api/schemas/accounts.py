"""Account and transaction schemas (API.md module B)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import CurrencyCode, MoneyIn, MoneyOut

AccountType = Literal["checking", "savings", "credit_card", "loan", "investment", "cash"]


def _account_number(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"[0-9A-Za-z]{4,34}", digits):
        raise ValueError("account_number must be 4 to 34 letters or digits (IBANs are fine)")
    return digits


AccountNumber = Annotated[str, AfterValidator(_account_number)]
BankName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AccountCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "bank_name": "Chase",
                    "account_type": "checking",
                    "currency": "USD",
                    "account_number": "000123456789",
                    "balance": "2500.00",
                }
            ]
        },
    )
    bank_name: BankName
    account_type: AccountType
    currency: CurrencyCode
    account_number: AccountNumber | None = Field(
        default=None, description="Only the last four characters are kept."
    )
    balance: MoneyIn = Field(
        default=Decimal(0), description="Current balance, as a decimal string."
    )


class AccountUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"bank_name": "Chase Sapphire"}]}
    )
    bank_name: BankName | None = None
    account_type: AccountType | None = None
    account_number: AccountNumber | None = None
    balance: MoneyIn | None = Field(
        default=None, description="Corrects the current balance; transactions stay as they are."
    )


class AccountPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "bank_name": "Chase",
                    "account_type": "checking",
                    "masked_account": "****6789",
                    "currency": "USD",
                    "balance": "2412.66",
                    "created_at": "2026-01-05T10:00:00Z",
                    "updated_at": "2026-01-05T10:00:00Z",
                }
            ]
        }
    )
    id: int
    bank_name: str
    account_type: AccountType
    masked_account: str | None
    currency: str
    balance: MoneyOut
    created_at: datetime
    updated_at: datetime


class AccountList(BaseModel):
    items: list[AccountPublic]
    next_cursor: str | None = None


Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Merchant = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TransactionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "account_id": 7,
                    "txn_date": "2026-03-14",
                    "amount": "-42.10",
                    "description": "Farmers market",
                    "merchant": "Green Acres",
                    "category": "Groceries",
                }
            ]
        },
    )
    account_id: int
    txn_date: date
    posted_date: date | None = None
    amount: MoneyIn = Field(description="Negative is money out.")
    description: Description
    merchant: Merchant | None = None
    category: str | None = None


class TransactionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1201,
                    "account_id": 7,
                    "txn_date": "2026-03-14",
                    "posted_date": "2026-03-15",
                    "description": "SQ *GREEN ACRES 0412",
                    "merchant": "Green Acres",
                    "category": "Groceries",
                    "amount": "-42.10",
                    "currency": "USD",
                    "txn_type": "debit",
                    "source": "csv",
                    "is_pending": False,
                    "created_at": "2026-03-16T08:00:00Z",
                }
            ]
        }
    )
    id: int
    account_id: int
    txn_date: date
    posted_date: date | None
    description: str
    merchant: str | None
    category: str | None
    amount: MoneyOut
    currency: str
    txn_type: Literal["debit", "credit"]
    source: Literal["csv", "plaid", "obp", "manual"]
    is_pending: bool
    created_at: datetime


class TransactionList(BaseModel):
    items: list[TransactionPublic]
    next_cursor: str | None = None
