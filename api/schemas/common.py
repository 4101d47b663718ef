"""Field types shared by the request and response schemas."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

from ledger.money import normalize_currency


def _reject_float(value: object) -> object:
    # A JSON number would go through a binary float on the way in: money must be a string.
    if isinstance(value, float):
        raise ValueError('money must be a decimal string such as "-12.34", not a JSON number')
    if isinstance(value, str):
        return value.strip()
    return value


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("amount must be a finite decimal")
    return value


MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_reject_float),
    AfterValidator(_finite),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["-12.34"]}),
]
"""A decimal amount given as a string (ints are accepted too); exactness is kept end to end."""

MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda value: str(value), return_type=str),
    WithJsonSchema({"type": "string", "examples": ["1234.50"]}),
]
"""A decimal amount answered as a string with the currency's exponent."""

CurrencyCode = Annotated[
    str,
    AfterValidator(normalize_currency),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{3}$", "examples": ["USD"]}),
]
