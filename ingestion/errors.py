"""What an import reports when it refuses a file: every bad row, and what to put in `mapping`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RowError:
    """One problem in the file. `row` is the 1-based line of the file where the record starts."""

    row: int
    column: str | None
    value: str | None
    message: str


class ImportRejected(Exception):
    """The file was not imported (nothing was stored). The API answers 422 with detail + errors."""

    def __init__(self, detail: str, errors: list[RowError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: list[RowError] = errors or []


class AmbiguousLayout(ImportRejected):
    """The layout cannot be read without help; `detail` names the `mapping` key(s) to set."""


@dataclass
class ImportReport:
    import_id: int | None
    rows_read: int
    imported: int
    duplicates: int
    skipped: int
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
