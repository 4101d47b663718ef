"""A merchant name from a bank description, for files without a merchant column.

"POS PURCHASE 01/04 STARBUCKS STORE 12345 SEATTLE WA" → "Starbucks". Vectorised: a handful of
regex replacements over the whole column. Deliberately simple: strip what card processors and
banks put around the name (prefixes, dates, card and reference numbers), cut at the first store
number, and title-case. Rules can match on the description when this is not enough.
"""

from __future__ import annotations

import polars as pl

# What payment networks and banks put before the merchant's name.
_PREFIXES = (
    r"(?i)^(?:"
    r"(?:debit |credit |visa |mastercard )?card (?:purchase|payment|transaction)(?: with pin)?"
    r"|pos(?: debit| purchase| transaction)?"
    r"|purchase authori[sz]ed on \d{1,2}/\d{1,2}"
    r"|recurring payment authori[sz]ed on \d{1,2}/\d{1,2}"
    r"|checkcard(?: \d{4})?"
    r"|(?:contactless|chip and pin) (?:payment|purchase)"
    r"|contactless"
    r"|visa debit|debit card purchase|card"
    r"|direct debit|standing order|bill payment|faster payment|online payment"
    r"|kartenzahlung|lastschrift|paiement par carte|cb"
    r"|sq ?\*|tst ?\*|pp ?\*|paypal ?\*|sp ?\*|sumup ?\*|zettle_?\*|izettle ?\*"
    r")[\s:*-]*(?:(?:to|at)\s+)?"
)
# Dates, card numbers, references: never part of a name.
_NOISE = (
    r"(?i)\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"  # 01/04, 04.01.24
    r"|\bcard\s*(?:no\.?\s*)?[x*]*\d{4}\b"  # CARD 1234, card xxxx1234
    r"|\b[x*]{2,}\d{2,}\b"  # XXXX1234
    r"|\bref\b[:.]?\s*\S+"  # REF: ABC123
    r"|\b[a-z]?\d{6,}[a-z0-9]*\b"  # S384004567891234, long digit runs
)
# The name ends where a store number or a processor's separator starts.
_TAIL = r"(?i)\s(?:store|str|shop|#)\s*#?\s*\d.*$|\s#?\d{3,}\b.*$|\*.*$|//.*$|\s+on$"


# Runs of whitespace, and any whitespace that is not a plain space (tabs, line breaks, NBSP).
EXTRA_WHITESPACE = r"\s{2,}|[^\S ]"


def merchant_from_description(description: pl.Expr) -> pl.Expr:
    """One chain of string operations (referencing the column once keeps polars from computing
    it twice); an empty result becomes null."""
    return (
        description.str.replace(_PREFIXES, "")
        .str.replace_all(_NOISE, " ")
        .str.replace_all(EXTRA_WHITESPACE, " ")
        .str.strip_chars()
        .str.replace(_TAIL, "")
        .str.strip_chars(" -*#:/.,")
        .str.to_titlecase()
        .str.slice(0, 200)
        .replace("", None)
    )


def clean_merchant(merchant: pl.Expr) -> pl.Expr:
    """A merchant column from the file: trimmed, spaces collapsed, empty → null."""
    return (
        merchant.str.replace_all(EXTRA_WHITESPACE, " ")
        .str.strip_chars()
        .str.slice(0, 200)
        .replace("", None)
    )
