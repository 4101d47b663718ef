"""Stage 3, validate: a pandera schema over the normalised rows; every failure is a RowError.

All-or-nothing: one bad row refuses the whole file, and the report lists every bad row (the
first MAX_REPORTED_ERRORS of them) with its file line, column, value and reason.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from ingestion.errors import ImportRejected, RowError
from ingestion.normalize import Statement

MAX_REPORTED_ERRORS = 1_000
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def transaction_schema(currency: str) -> pa.DataFrameSchema:
    """What every imported row must satisfy. Validated on the collected DataFrame: on a
    LazyFrame pandera would check the schema only, not the values."""
    return pa.DataFrameSchema(
        {
            "row": pa.Column(pl.Int64, nullable=False),
            "txn_date": pa.Column(
                pl.Date, pa.Check.in_range(EARLIEST_DATE, LATEST_DATE), nullable=False
            ),
            "amount_minor": pa.Column(pl.Int64, nullable=False),
            "description": pa.Column(pl.String, pa.Check.str_length(1, 500), nullable=False),
            "merchant": pa.Column(pl.String, nullable=True),
            "currency": pa.Column(pl.String, pa.Check.isin([currency]), nullable=True),
        },
        strict=False,
    )


def validate(statement: Statement, *, currency: str) -> pl.DataFrame:
    """The rows, checked; raises ImportRejected with every failure."""
    frame = statement.transactions
    try:
        transaction_schema(currency).validate(frame, lazy=True)
    except SchemaErrors as failures:
        cases = _failed_rows(frame, failures.failure_cases, statement)
        total = cases.height
        shown = [
            _row_error(case, statement, currency)
            for case in cases.head(MAX_REPORTED_ERRORS).iter_rows(named=True)
        ]
        detail = (
            f"{total} invalid value{'s' if total != 1 else ''} in the file; nothing was imported"
        )
        if total > len(shown):
            detail += f" (the first {len(shown)} are listed)"
        raise ImportRejected(detail, shown) from None
    return frame


def _failed_rows(
    frame: pl.DataFrame, failure_cases: pl.DataFrame, statement: Statement
) -> pl.DataFrame:
    """One record per (row, column) that failed, joined to its row, in file order."""
    roles = {"txn_date": 0, "amount_minor": 1, "description": 2, "currency": 3}
    return (
        failure_cases.filter(pl.col("index").is_not_null())
        .select(pl.col("index").cast(pl.Int64), pl.col("column").alias("failed"), "check")
        .unique(["failed", "index"], keep="first")
        .join(
            frame.with_row_index("index").with_columns(pl.col("index").cast(pl.Int64)), on="index"
        )
        .with_columns(pl.col("failed").replace_strict(roles, default=9).alias("_rank"))
        .sort("row", "_rank")
    )


def _row_error(case: dict, statement: Statement, currency: str) -> RowError:
    names = statement.column_names
    failed = case["failed"]
    if failed == "txn_date":
        message = case["date_problem"] or f"date is outside {EARLIEST_DATE.year}-{LATEST_DATE.year}"
        return RowError(case["row"], names["date"], case["date_text"], message)
    if failed == "amount_minor":
        return RowError(
            case["row"],
            case["amount_column"],
            case["amount_text"],
            case["amount_problem"] or "amount is missing",
        )
    if failed == "description":
        return RowError(case["row"], names["description"], None, "description is missing")
    if failed == "currency":
        return RowError(
            case["row"],
            names.get("currency"),
            case["currency"],
            f"currency {case['currency']} is not the account's currency {currency}",
        )
    return RowError(case["row"], failed, None, str(case["check"]))
