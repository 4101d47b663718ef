"""Which column of a bank file is the date, the amount, the description, …

Named by `mapping`, else found by the header names banks use (English, German, Dutch, French),
else, in a file without a header, inferred from what the cells look like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

import polars as pl

from ingestion.errors import AmbiguousLayout, ImportRejected, RowError
from ingestion.mapping import ImportMapping
from ingestion.read import RawTable

# Header names per role, most specific first: the first one present wins (so a file with both
# "Buchungstag" and "Valutadatum" is dated by booking day).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "date": (
        "transaction date",
        "posting date",
        "date",
        "trans date",
        "booking date",
        "posted date",
        "date posted",
        "completed date",
        "buchungstag",
        "buchungsdatum",
        "datum",
        "date opération",
        "date operation",
        "date de l'opération",
        "date comptable",
        "fecha",
        "value date",
        "valutadatum",
        "wertstellung",
        "date valeur",
    ),
    "amount": (
        "amount",
        "transaction amount",
        "betrag",
        "bedrag",
        "montant",
        "importe",
        "umsatz",
        "value",
    ),
    "debit": (
        "debit amount",
        "debit",
        "paid out",
        "money out",
        "withdrawals",
        "withdrawal",
        "withdrawal amount",
        "soll",
        "débit",
        "debit euros",
        "débit euros",
        "ausgang",
        "out",
    ),
    "credit": (
        "credit amount",
        "credit",
        "paid in",
        "money in",
        "deposits",
        "deposit",
        "deposit amount",
        "haben",
        "crédit",
        "credit euros",
        "crédit euros",
        "eingang",
        "in",
    ),
    "description": (
        "description",
        "transaction description",
        "memo",
        "narrative",
        "narration",
        "particulars",
        "transaction details",
        "verwendungszweck",
        "naam / omschrijving",
        "omschrijving",
        "libellé",
        "libelle",
        "libellé opération",
        "reference",
        "details",
        "name",
        "payee",
        "counter party",
        "buchungstext",
    ),
    "merchant": (
        "merchant",
        "merchant name",
        "payee",
        "counter party",
        "counterparty",
        "name",
        "begünstigter / auftraggeber",
        "beguenstigter/zahlungspflichtiger",
        "auftraggeber / begünstigter",
        "empfänger",
    ),
    "currency": ("currency", "currency code", "währung", "waehrung", "devise", "munt", "ccy"),
    "category": ("category", "spending category", "kategorie", "catégorie"),
    "direction": (
        "af bij",
        "af/bij",
        "debit/credit",
        "credit/debit",
        "dr/cr",
        "cr/dr",
        "soll/haben",
        "s/h",
        "credit debit indicator",
        "sens",
    ),
}
# A header like "Amount (GBP)" or "Bedrag (EUR)" names the role plus the currency.
_CURRENCY_IN_NAME = re.compile(r"\s*[\(\[][^)\]]*[\)\]]\s*$")
_AMOUNT_CELL = r"^[(+-]?\s*[£$€¥]?\s*[+-]?\d[\d.,' ]*\)?-?(\s?(?i:CR|DR))?$"


@dataclass(frozen=True)
class ColumnPlan:
    """0-based indices of the file's columns for each role (None: the file has none)."""

    date: int
    description: int
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    merchant: int | None = None
    currency: int | None = None
    category: int | None = None
    direction: int | None = None


def normalize_header(name: str) -> str:
    name = _CURRENCY_IN_NAME.sub("", name.strip().lower())
    name = re.sub(r"\s+", " ", name).strip(" .:#")
    return name


def _by_alias(names: list[str], role: str, taken: set[int]) -> int | None:
    normalized = [normalize_header(name) for name in names]
    for alias in HEADER_ALIASES[role]:
        for index, name in enumerate(normalized):
            if name == alias and index not in taken:
                return index
    return None


def _mapped(table: RawTable, role: str, reference: str | int) -> int:
    """The index of the column `mapping.<role>` names; refuses a name the file does not have."""
    width = len(table.names)
    if isinstance(reference, int) or (not table.has_header and str(reference).isdigit()):
        index = int(reference)
        if 0 <= index < width:
            return index
    else:
        wanted = normalize_header(reference)
        for index, name in enumerate(table.names):
            if name == reference or normalize_header(name) == wanted:
                return index
    columns = ", ".join(f'"{name}"' for name in table.names)
    message = (
        f'mapping.{role} names column "{reference}", which the file does not have '
        f"(columns: {columns})"
    )
    raise ImportRejected(
        message,
        [RowError(row=table.header_line or 1, column=str(reference), value=None, message=message)],
    )


def resolve_columns(table: RawTable, mapping: ImportMapping) -> ColumnPlan:
    roles = [field.name for field in fields(ColumnPlan)]
    found: dict[str, int | None] = {}
    taken: set[int] = set()
    for role in roles:
        reference = getattr(mapping, role)
        if reference is not None:
            found[role] = _mapped(table, role, reference)
            taken.add(found[role])  # type: ignore[arg-type]
    if table.has_header:
        _find_by_header(table, found, taken)
    else:
        _infer_without_header(table, found, taken)
    return _complete(table, found)


def _find_by_header(table: RawTable, found: dict[str, int | None], taken: set[int]) -> None:
    # Order matters: the date first; split debit/credit only when there is no single amount
    # (and no single amount when the mapping named split columns).
    roles = ["date", "amount", "currency", "category", "direction", "description"]
    if "debit" in found or "credit" in found:
        roles.remove("amount")
    for role in roles:
        _take_by_alias(table, role, found, taken)
    if found.get("amount") is None:
        _take_by_alias(table, "debit", found, taken)
        _take_by_alias(table, "credit", found, taken)
    _take_by_alias(table, "merchant", found, taken)


def _take_by_alias(
    table: RawTable, role: str, found: dict[str, int | None], taken: set[int]
) -> None:
    if role in found:
        return
    index = _by_alias(table.names, role, taken)
    found[role] = index
    if index is not None:
        taken.add(index)


def _infer_without_header(table: RawTable, found: dict[str, int | None], taken: set[int]) -> None:
    """A file without a header: the sniffed date column, the one amount-looking column, and the
    longest text column as the description. Two amount-looking columns are ambiguous."""
    sample = table.frame.head(500)
    if "date" not in found and table.date_column is not None:
        found["date"] = table.date_column
        taken.add(table.date_column)
    if "amount" not in found and "debit" not in found and "credit" not in found:
        candidates = _amount_like_columns(sample, table, taken)
        if len(candidates) > 1:
            names = ", ".join(str(index) for index in candidates)
            raise AmbiguousLayout(
                f"the file has no header and several columns look like amounts ({names}); "
                "set `amount` in mapping to the 0-based index of the transaction amount "
                '(e.g. {"has_header": false, "amount": ' + str(candidates[-1]) + "})"
            )
        if candidates:
            found["amount"] = candidates[0]
            taken.add(candidates[0])
    if "description" not in found:
        found["description"] = _longest_text_column(sample, table, taken)


def _amount_like_columns(sample: pl.DataFrame, table: RawTable, taken: set[int]) -> list[int]:
    """Columns mostly filled with numbers; those with decimals win over whole numbers (cheque
    numbers, references)."""
    numeric, with_decimals = [], []
    for index in range(len(table.names)):
        if index in taken:
            continue
        column = sample[table.cell_column(index)].drop_nulls()
        if column.len() == 0 or column.len() < sample.height // 2:
            continue
        if column.str.contains(_AMOUNT_CELL).mean() >= 0.9:  # type: ignore[operator]
            numeric.append(index)
            if column.str.contains(r"[.,]\d{1,3}\)?-?$").any():
                with_decimals.append(index)
    return with_decimals or numeric


def _longest_text_column(sample: pl.DataFrame, table: RawTable, taken: set[int]) -> int | None:
    lengths = {
        index: sample[table.cell_column(index)].str.len_chars().mean() or 0
        for index in range(len(table.names))
        if index not in taken
    }
    if not lengths:
        return None
    best = max(lengths, key=lambda index: lengths[index])  # type: ignore[arg-type, return-value]
    return best if lengths[best] else None


def _complete(table: RawTable, found: dict[str, int | None]) -> ColumnPlan:
    columns = ", ".join(f'"{name}"' for name in table.names)
    where = f"(columns: {columns})" if table.has_header else "(the file has no header)"
    missing = []
    if found.get("date") is None:
        missing.append(("date", "the date column"))
    if found.get("amount") is None and found.get("debit") is None and found.get("credit") is None:
        missing.append(("amount", "the amount column (or `debit` and `credit` for split columns)"))
    if found.get("description") is None:
        if found.get("merchant") is not None:
            found["description"] = found["merchant"]
        else:
            missing.append(("description", "the description column"))
    if missing:
        keys = " and ".join(f"`{key}`" for key, _ in missing)
        what = "; ".join(f"`{key}`: {text}" for key, text in missing)
        detail = f"could not find {what} {where}; set {keys} in mapping"
        errors = [
            RowError(
                row=table.header_line or 1, column=None, value=None, message=f"no {key} column"
            )
            for key, _ in missing
        ]
        raise AmbiguousLayout(detail, errors)
    if found.get("merchant") == found.get("description"):
        found["merchant"] = None
    return ColumnPlan(**{role: index for role, index in found.items()})  # type: ignore[arg-type]
