"""Stage 2, normalize: text cells → dates, signed minor units, descriptions and merchants.

Rows that are not transactions (opening and closing balance lines, totals) are set aside and
counted as skipped. Nothing here refuses a row: a value that cannot be read becomes null with a
`*_problem` text, and the validate stage turns those into the error report.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingestion.amounts import detect_decimal_separator, minor_units
from ingestion.columns import ColumnPlan
from ingestion.dates import choose_date_format, human_format, parse_dates, strip_time
from ingestion.errors import AmbiguousLayout
from ingestion.mapping import ImportMapping
from ingestion.merchants import EXTRA_WHITESPACE, clean_merchant, merchant_from_description
from ingestion.read import LINE_COLUMN, RawTable
from ledger.money import exponent

# Lines that report on the account instead of moving money. Anchored at the start of the text,
# so a shop called "Total Wine & More" is still a transaction.
SUMMARY_ROW = (
    r"(?i)^\s*(?:"
    r"(?:opening|closing|beginning|ending|starting|start|end|final|previous|new|current|"
    r"available|ledger|statement)\s+balance\b"
    r"|balance\s+(?:brought|carried|b/f|c/f|forward|as of|at)\b|balance\s*$"
    r"|(?:total|totals|sum|summe|gesamt)(?:\s+(?:debits?|credits?|deposits?|withdrawals?|paid in"
    r"|paid out|amount|umsätze|umsatz|soll|haben))?\s*:?\s*$"
    r"|anfangssaldo|endsaldo|alter kontostand|neuer kontostand|kontostand|saldo\b"
    r"|ancien solde|nouveau solde|solde\b|beginsaldo|eindsaldo"
    r")"
)
DEBIT_WORDS = ("af", "debit", "débit", "dr", "d", "s", "soll", "out")
CREDIT_WORDS = ("bij", "credit", "crédit", "cr", "c", "h", "haben", "in")


@dataclass
class Statement:
    """The transaction rows of a file, normalised, with what the error report needs."""

    transactions: pl.DataFrame
    rows_read: int
    skipped: int
    column_names: dict[str, str]  # role → the file's name for it (for error messages)
    date_format: str | None


def _cell(table: RawTable, index: int | None) -> pl.Expr:
    if index is None:
        return pl.lit(None, pl.String)
    return pl.col(table.cell_column(index))


def _is_summary(table: RawTable, plan: ColumnPlan) -> pl.Expr:
    """A balance or totals line: any text cell (not an amount) starts like one."""
    amounts = {plan.amount, plan.debit, plan.credit}
    texts = [
        pl.col(table.cell_column(index))
        for index in range(len(table.names))
        if index not in amounts
    ]
    return pl.any_horizontal([text.str.contains(SUMMARY_ROW).fill_null(False) for text in texts])


def _amount_cells(table: RawTable, plan: ColumnPlan) -> list[pl.Expr]:
    return [
        _cell(table, index) for index in (plan.amount, plan.debit, plan.credit) if index is not None
    ]


def split_rows(table: RawTable, plan: ColumnPlan) -> tuple[pl.DataFrame, int, int]:
    """(transaction rows, rows read, rows skipped). Empty records are not rows at all."""
    used = [
        _cell(table, index)
        for index in (plan.date, plan.description, plan.amount, plan.debit, plan.credit)
        if index is not None
    ]
    no_money = pl.all_horizontal([cell.is_null() for cell in _amount_cells(table, plan)])
    labelled = table.frame.filter(
        pl.any_horizontal([cell.is_not_null() for cell in used])
    ).with_columns(
        (_is_summary(table, plan) | (_cell(table, plan.date).is_null() & no_money)).alias("_skip")
    )
    skipped = int(labelled["_skip"].sum())
    return labelled.filter(~pl.col("_skip")).drop("_skip"), labelled.height, skipped


def normalize(
    table: RawTable, plan: ColumnPlan, mapping: ImportMapping, *, currency: str
) -> Statement:
    rows, rows_read, skipped = split_rows(table, plan)
    names = {role: table.names[index] for role, index in vars(plan).items() if index is not None}
    date_text = strip_time(_cell(table, plan.date))
    rows = rows.with_columns(date_text.alias("date_text"))
    date_format = mapping.date_format or _file_date_format(rows["date_text"], names["date"])
    if date_format is None:
        txn_dates = pl.repeat(None, rows.height, dtype=pl.Date, eager=True)
    else:
        txn_dates = parse_dates(rows["date_text"], date_format)
    rows = rows.with_columns(txn_dates.alias("txn_date"))
    rows = rows.hstack(_amounts(table, plan, mapping, rows, currency=currency))
    transactions = (
        rows.select(
            pl.col(LINE_COLUMN).alias("row"),
            *_dates(date_format),
            "amount_minor",
            "amount_problem",
            "amount_column",
            "amount_text",
            _description(table, plan),
            clean_merchant(_cell(table, plan.merchant)).alias("merchant"),
            _cell(table, plan.category).str.strip_chars().alias("category"),
            _cell(table, plan.currency).str.strip_chars().str.to_uppercase().alias("currency"),
        )
        # A row with a payee but no memo is described by its payee; a file without a merchant
        # column gets one cleaned from the description.
        .with_columns(pl.coalesce("description", "merchant").alias("description"))
        .with_columns(
            pl.coalesce("merchant", merchant_from_description(pl.col("description"))).alias(
                "merchant"
            )
        )
    )
    return Statement(transactions, rows_read, skipped, names, date_format)


def _file_date_format(date_texts: pl.Series, column_name: str) -> str | None:
    choice = choose_date_format(date_texts)
    if choice.ambiguous_between:
        options = " or ".join(f'"{fmt}" ({human_format(fmt)})' for fmt in choice.ambiguous_between)
        raise AmbiguousLayout(
            f'every date in column "{column_name}" fits more than one format (e.g. '
            f'"{choice.example}"); set "date_format" in mapping to {options}'
        )
    if choice.fmt is None and date_texts.drop_nulls().len() > 0:
        example = date_texts.drop_nulls()[0]
        raise AmbiguousLayout(
            f'the dates in column "{column_name}" are in no format the importer knows (e.g. '
            f'"{example}"); set "date_format" in mapping (strptime codes, e.g. "%Y.%m.%d")'
        )
    return choice.fmt


def _dates(date_format: str | None) -> list[pl.Expr]:
    text, parsed = pl.col("date_text"), pl.col("txn_date")
    shape = f"a date in this file's format {human_format(date_format)}" if date_format else "a date"
    problem = (
        pl.when(text.is_null())
        .then(pl.lit("date is missing"))
        .when(parsed.is_null())
        .then(pl.lit(f"not {shape}"))
    )
    return [parsed, text, problem.alias("date_problem")]


def _separators(
    table: RawTable, plan: ColumnPlan, mapping: ImportMapping, rows: pl.DataFrame
) -> tuple[str, str | None]:
    decimal: str
    if mapping.decimal_separator:
        decimal = mapping.decimal_separator
    else:
        values = pl.concat(
            [rows.select(cell.alias("v")).to_series() for cell in _amount_cells(table, plan)]
        )
        # Continental files (";"-separated) write decimal commas unless their values say not.
        default = "," if table.delimiter == ";" else "."
        decimal = detect_decimal_separator(values, default=default)
    if mapping.thousands_separator is not None:
        return decimal, mapping.thousands_separator or None
    return decimal, "." if decimal == "," else ","


def _amounts(
    table: RawTable, plan: ColumnPlan, mapping: ImportMapping, rows: pl.DataFrame, *, currency: str
) -> pl.DataFrame:
    """amount_minor plus, for the error report, the amount's problem, text and column."""
    decimal, thousands = _separators(table, plan, mapping, rows)
    names = table.names

    def parsed(role: str, index: int | None) -> dict[str, pl.Series]:
        if index is None:
            nothing = pl.repeat(None, rows.height, dtype=pl.String, eager=True)
            return {
                f"{role}": nothing.cast(pl.Int64),
                f"{role}_problem": nothing,
                f"{role}_text": nothing,
            }
        text = rows[table.cell_column(index)]
        money = minor_units(
            text,
            exponent=exponent(currency),
            decimal_separator=decimal,
            thousands_separator=thousands,
            currency=currency,
        )
        return {role: money["amount"], f"{role}_problem": money["problem"], f"{role}_text": text}

    if plan.amount is not None:
        money = pl.DataFrame(parsed("amount", plan.amount)).with_columns(
            pl.when(pl.col("amount_text").is_null())
            .then(pl.lit("amount is missing"))
            .otherwise(pl.col("amount_problem"))
            .alias("amount_problem"),
            pl.lit(names[plan.amount]).alias("amount_column"),
        )
    else:
        money = _split_amounts(
            pl.DataFrame(parsed("debit", plan.debit) | parsed("credit", plan.credit)),
            debit_name=names[plan.debit] if plan.debit is not None else None,
            credit_name=names[plan.credit] if plan.credit is not None else None,
        )
    if plan.direction is not None:
        money = _apply_direction(
            money, rows[table.cell_column(plan.direction)], names[plan.direction]
        )
    if mapping.negate:
        money = money.with_columns(-pl.col("amount"))
    return money.select(
        pl.when(pl.col("amount_problem").is_null()).then(pl.col("amount")).alias("amount_minor"),
        "amount_problem",
        pl.when(pl.col("amount_problem").is_not_null())
        .then(pl.col("amount_column"))
        .alias("amount_column"),
        pl.when(pl.col("amount_problem").is_not_null())
        .then(pl.col("amount_text"))
        .alias("amount_text"),
    )


def _split_amounts(
    money: pl.DataFrame, *, debit_name: str | None, credit_name: str | None
) -> pl.DataFrame:
    """Money out and money in columns → one signed amount (a debit is out, whatever its sign)."""
    debit, credit = pl.col("debit"), pl.col("credit")
    both = " or ".join(f'"{name}"' for name in (debit_name, credit_name) if name is not None)
    nothing = pl.col("debit_text").is_null() & pl.col("credit_text").is_null()
    return money.select(
        pl.when(debit.is_not_null() | credit.is_not_null())
        .then(credit.fill_null(0) - debit.abs().fill_null(0))
        .alias("amount"),
        pl.coalesce(
            "debit_problem",
            "credit_problem",
            pl.when(nothing).then(pl.lit(f"no amount in {both}")),
        ).alias("amount_problem"),
        pl.when(pl.col("debit_problem").is_null() & pl.col("credit_problem").is_not_null())
        .then(pl.lit(credit_name))
        .otherwise(pl.lit(debit_name or credit_name))
        .alias("amount_column"),
        pl.coalesce(
            pl.when(pl.col("debit_problem").is_not_null()).then(pl.col("debit_text")),
            pl.when(pl.col("credit_problem").is_not_null()).then(pl.col("credit_text")),
        ).alias("amount_text"),
    )


def _apply_direction(money: pl.DataFrame, direction: pl.Series, name: str) -> pl.DataFrame:
    """An always-positive amount signed by a debit/credit column (ING's "Af Bij": Af = out)."""
    word = pl.col("direction").str.strip_chars().str.to_lowercase()
    known = word.is_in([*DEBIT_WORDS, *CREDIT_WORDS]).fill_null(False)
    wrong = pl.col("amount_problem").is_null() & ~known
    return (
        money.with_columns(direction.alias("direction"))
        .with_columns(
            pl.when(word.is_in(DEBIT_WORDS))
            .then(-pl.col("amount").abs())
            .when(word.is_in(CREDIT_WORDS))
            .then(pl.col("amount").abs())
            .alias("amount"),
            pl.when(wrong)
            .then(pl.lit("must say debit or credit (e.g. Af/Bij, DR/CR, S/H)"))
            .otherwise(pl.col("amount_problem"))
            .alias("amount_problem"),
            pl.when(wrong)
            .then(pl.lit(name))
            .otherwise(pl.col("amount_column"))
            .alias("amount_column"),
            pl.when(wrong)
            .then(pl.col("direction"))
            .otherwise(pl.col("amount_text"))
            .alias("amount_text"),
        )
        .drop("direction")
    )


def _description(table: RawTable, plan: ColumnPlan) -> pl.Expr:
    return (
        _cell(table, plan.description)
        .str.replace_all(EXTRA_WHITESPACE, " ")
        .str.strip_chars()
        .str.slice(0, 500)
        .replace("", None)
        .alias("description")
    )
