"""Exact money: integer minor units plus an ISO 4217 currency. Never a float.

The exponent comes from the currency (JPY 0, USD 2, KWD 3). JSON carries decimal strings.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents that differ from the common 2. Everything else listed in
# KNOWN_CURRENCIES uses 2.
_EXPONENT_OVERRIDES: dict[str, int] = {
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}

KNOWN_CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH
    UGX USD UYI UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()
)


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


def normalize_currency(code: str) -> str:
    """Upper-case an ISO 4217 code and refuse unknown ones."""
    normalized = code.strip().upper()
    if normalized not in KNOWN_CURRENCIES:
        raise MoneyError(f"unknown currency code {code!r} (expected ISO 4217, e.g. USD)")
    return normalized


def exponent(currency: str) -> int:
    """Number of minor-unit digits of a currency: USD 2, JPY 0, KWD 3."""
    return _EXPONENT_OVERRIDES.get(currency.upper(), 2)


def to_minor(amount: Decimal | str | int, currency: str) -> int:
    """Convert a decimal amount to integer minor units; refuse sub-minor precision.

    `to_minor("12.34", "USD") == 1234`; `to_minor("12.345", "USD")` raises: silently rounding a
    user's money is never right at an input boundary.
    """
    if isinstance(amount, float):  # defensive: floats never carry money here
        raise MoneyError("amounts must be decimal strings, not floats")
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation as exc:
        raise MoneyError(f"not a decimal amount: {amount!r}") from exc
    if not value.is_finite():
        raise MoneyError(f"not a finite amount: {amount!r}")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(
            f"{amount} has more decimal places than {currency} allows ({exponent(currency)})"
        )
    return int(scaled)


def from_minor(amount_minor: int, currency: str) -> Decimal:
    """Integer minor units back to an exact Decimal with the currency's exponent."""
    exp = exponent(currency)
    return Decimal(amount_minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def format_minor(amount_minor: int, currency: str) -> str:
    """Minor units as the JSON decimal string: 123450 USD -> "1234.50", -5 JPY -> "-5"."""
    return str(from_minor(amount_minor, currency))


def round_to_currency(value: Decimal, currency: str) -> Decimal:
    """Banker's rounding to a currency's exponent (used after FX conversion only)."""
    return value.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_EVEN)
