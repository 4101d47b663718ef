"""The optional `mapping` of an import: how to read a layout the importer cannot read by itself.

Every key is optional; a key left out (or null) is detected from the file. Columns are named by
header text, or by 0-based index when the file has no header (API.md, module B).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ColumnRef = str | int


class ImportMapping(BaseModel):
    # A misspelt key would otherwise be ignored silently and the import would guess instead.
    model_config = ConfigDict(extra="forbid")

    date: ColumnRef | None = None
    amount: ColumnRef | None = None
    description: ColumnRef | None = None
    merchant: ColumnRef | None = None
    # Split amount columns: money out ("Paid out", "Debit") and money in ("Paid in", "Credit").
    debit: ColumnRef | None = None
    credit: ColumnRef | None = None
    currency: ColumnRef | None = None
    # Beyond API.md's example: a category column, and a column that gives the sign of an
    # always-positive amount (ING's "Af Bij", "Soll/Haben", "CR/DR").
    category: ColumnRef | None = None
    direction: ColumnRef | None = None
    date_format: str | None = Field(default=None, examples=["%m/%d/%Y", "%d.%m.%y"])
    decimal_separator: Literal[".", ","] | None = None
    thousands_separator: Literal[",", ".", " ", "'", ""] | None = None
    delimiter: Literal[",", ";", "\t", "|"] | None = None
    encoding: str | None = None
    has_header: bool | None = None
    skip_rows: int | None = Field(default=None, ge=0)
    negate: bool | None = None
