"""Bank amounts as exact integer minor units, vectorised with polars string operations.

Never through a float: "1.234,56" becomes the digits "123456" and then an integer. Handles
decimal commas, thousands separators (`,` `.` space, apostrophe), currency symbols and codes,
a leading or trailing minus, parentheses negatives and `CR`/`DR` suffixes.
"""

from __future__ import annotations

import polars as pl

# Removed wherever they appear: currency symbols and the spaces banks put in numbers.
_SYMBOLS_AND_SPACES = r"[£$€¥₩₹₽¢\s\u00a0\u202f']"
# A currency code or a short prefix before or after the number ("EUR", "US$", "GBP").
_LETTERS_AT_ENDS = r"^[A-Za-z]{1,3}|[A-Za-z]{1,3}$"
_CREDIT_DEBIT_SUFFIX = r"(?i)\s*\b(CR|DR)\.?$"
# After cleaning: optional "(" and sign, digits, optional fraction, optional trailing "-" or ")".
_NUMBER = (
    r"^(?<open>\()?(?<sign>[+-])?(?<whole>\d*)(?:\.(?<fraction>\d*))?(?<trailing_minus>-)?"
    r"(?<close>\))?$"
)


def detect_decimal_separator(values: pl.Series, *, default: str) -> str:
    """`.` or `,`, from the values that decide it; `default` when none does.

    A value decides when it has both separators (the last one is the decimal), or when its last
    separator is followed by anything but exactly three digits ("12,34" vs "1,234"), or when a
    separator occurs twice ("1.234.567" has no decimal point). Each distinct value votes once.
    """
    last, dots, commas = pl.col("last"), pl.col("dots"), pl.col("commas")
    votes = (
        pl.DataFrame({"text": values.drop_nulls().unique()})
        .lazy()
        .select(pl.col("text").str.replace_all(r"[^\d.,]", "").alias("text"))
        .select(
            pl.col("text").str.extract_groups(r"(?<last>[.,])(?<after>\d*)$").alias("parts"),
            pl.col("text").str.count_matches(".", literal=True).alias("dots"),
            pl.col("text").str.count_matches(",", literal=True).alias("commas"),
        )
        .unnest("parts")
        .select(
            pl.when((dots > 0) & (commas > 0))
            .then(last)
            .when(dots > 1)
            .then(pl.lit(","))
            .when(commas > 1)
            .then(pl.lit("."))
            .when(last.is_not_null() & (pl.col("after").str.len_chars() != 3))
            .then(last)
            .alias("vote")
        )
        .group_by("vote")
        .len()
        .collect()
    )
    count = {row["vote"]: row["len"] for row in votes.iter_rows(named=True)}
    dot_votes, comma_votes = count.get(".", 0), count.get(",", 0)
    if dot_votes == comma_votes:
        return default
    return "." if dot_votes > comma_votes else ","


def minor_units(
    texts: pl.Series,
    *,
    exponent: int,
    decimal_separator: str,
    thousands_separator: str | None,
    currency: str = "the currency",
) -> pl.DataFrame:
    """Columns `amount` (signed minor units) and `problem` (null when all is well).

    A missing value is null with no problem: the caller decides whether it may be missing.
    Each step is its own column so polars computes it once.
    """
    raw = pl.col("raw")
    text = pl.col("text")
    cleaned = raw.str.replace(_CREDIT_DEBIT_SUFFIX, "").str.replace_all(_SYMBOLS_AND_SPACES, "")
    cleaned = cleaned.str.replace_all(_LETTERS_AT_ENDS, "")
    if thousands_separator:
        cleaned = cleaned.str.replace_all(thousands_separator, "", literal=True)
    if decimal_separator != ".":
        cleaned = cleaned.str.replace_all(decimal_separator, ".", literal=True)
    whole, fraction = pl.col("whole"), pl.col("fraction")
    return (
        pl.DataFrame({"raw": texts}, schema={"raw": pl.String})
        .lazy()
        .with_columns(raw.str.strip_chars())
        .with_columns(
            raw.str.extract(_CREDIT_DEBIT_SUFFIX, 1).str.to_uppercase().alias("suffix"),
            cleaned.alias("text"),
        )
        .with_columns(text.str.extract_groups(_NUMBER).alias("parts"))
        .unnest("parts")
        .with_columns(
            fraction.fill_null("").str.strip_chars_end("0").alias("fraction"),
            (whole.is_not_null() & ((whole != "") | (fraction.fill_null("") != ""))).alias(
                "is_number"
            ),
            (
                (pl.col("sign") == "-").fill_null(False)
                | (pl.col("trailing_minus") == "-").fill_null(False)
                | ((pl.col("open") == "(") & (pl.col("close") == ")")).fill_null(False)
                | (pl.col("suffix") == "DR").fill_null(False)
            ).alias("negative"),
        )
        .with_columns(
            pl.concat_str(
                [
                    pl.when(whole == "").then(pl.lit("0")).otherwise(whole),
                    fraction.str.pad_end(exponent, "0"),
                ]
            )
            .cast(pl.Int64, strict=False)
            .alias("magnitude")
        )
        .with_columns(
            pl.when(raw.is_null() | (raw == ""))
            .then(pl.lit(None, pl.String))
            .when(~pl.col("is_number"))
            .then(pl.lit("not an amount"))
            .when(fraction.str.len_chars() > exponent)
            .then(pl.lit(f"has more decimal places than {currency} allows ({exponent})"))
            .when(pl.col("magnitude").is_null())
            .then(pl.lit("amount is too large"))
            .alias("problem")
        )
        .select(
            pl.when(pl.col("problem").is_null() & raw.is_not_null() & (raw != ""))
            .then(
                pl.when(pl.col("negative"))
                .then(-pl.col("magnitude"))
                .otherwise(pl.col("magnitude"))
            )
            .alias("amount"),
            "problem",
        )
        .collect()
    )


def parse_minor_units(
    values: list[str | None],
    *,
    exponent: int,
    decimal_separator: str = ".",
    thousands_separator: str | None = ",",
) -> list[tuple[int | None, str | None]]:
    """The same conversion over a plain list (table-driven tests, small tools)."""
    frame = minor_units(
        pl.Series(values, dtype=pl.String),
        exponent=exponent,
        decimal_separator=decimal_separator,
        thousands_separator=thousands_separator,
    )
    return list(zip(frame["amount"].to_list(), frame["problem"].to_list(), strict=True))
