"""Money is exact: integer minor units with the currency's exponent, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.money import (
    MoneyError,
    exponent,
    format_minor,
    from_minor,
    normalize_currency,
    round_to_currency,
    to_minor,
)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.34", "USD", 1234),
        ("-0.01", "USD", -1),
        ("1234.5", "EUR", 123450),
        ("1500", "JPY", 1500),
        ("-10.125", "KWD", -10125),
        ("0", "GBP", 0),
        (" 7.10 ", "USD", 710),
        ("92233720368547758.07", "USD", 9223372036854775807),  # BIGINT max survives exactly
    ],
)
def test_to_minor_is_exact(amount, currency, minor):
    assert to_minor(amount, currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("12.345", "USD", "more decimal places than USD allows (2)"),
        ("1.5", "JPY", "more decimal places than JPY allows (0)"),
        ("1.0001", "KWD", "more decimal places than KWD allows (3)"),
        ("abc", "USD", "not a decimal amount"),
        ("Infinity", "USD", "not a finite amount"),
        (0.1, "USD", "not floats"),
    ],
)
def test_to_minor_refuses_what_it_cannot_store_exactly(amount, currency, message):
    with pytest.raises(MoneyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        to_minor(amount, currency)


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [(123450, "USD", "1234.50"), (-5, "JPY", "-5"), (1, "KWD", "0.001"), (-1, "EUR", "-0.01")],
)
def test_format_minor_uses_the_currency_exponent(minor, currency, text):
    assert format_minor(minor, currency) == text
    assert to_minor(text, currency) == minor


def test_sums_in_minor_units_do_not_drift():
    # 0.10 + 0.20 is 0.30000000000000004 in binary floating point; in minor units it is 30.
    assert from_minor(to_minor("0.10", "USD") + to_minor("0.20", "USD"), "USD") == Decimal("0.30")
    total = sum(to_minor("0.01", "USD") for _ in range(1_000_000))
    assert format_minor(total, "USD") == "10000.00"


def test_currency_codes():
    assert normalize_currency(" eur ") == "EUR"
    assert exponent("jpy") == 0
    assert exponent("BHD") == 3
    with pytest.raises(MoneyError, match="unknown currency code 'EURO'"):
        normalize_currency("EURO")


def test_round_to_currency_is_bankers_rounding():
    assert round_to_currency(Decimal("2.345"), "USD") == Decimal("2.34")
    assert round_to_currency(Decimal("2.355"), "USD") == Decimal("2.36")
    assert round_to_currency(Decimal("1234.5"), "JPY") == Decimal("1234")
