"""Statement import answers (API.md module B)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ImportRowError(BaseModel):
    row: int
    column: str | None
    value: str | None
    message: str


class ImportResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "import_id": 12,
                    "rows_read": 64,
                    "imported": 61,
                    "duplicates": 2,
                    "skipped": 1,
                    "errors": [],
                    "dry_run": False,
                }
            ]
        }
    )
    import_id: int | None
    rows_read: int
    imported: int
    duplicates: int
    skipped: int
    errors: list[ImportRowError]
    dry_run: bool


class ImportRejectedBody(BaseModel):
    """422: nothing was stored. `errors` lists every bad row; `detail` says what to fix."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "2 rows are invalid; nothing was imported",
                    "errors": [
                        {
                            "row": 7,
                            "column": "Date",
                            "value": "31/02/2024",
                            "message": "not a valid date for format %d/%m/%Y",
                        }
                    ],
                }
            ]
        }
    )
    detail: str
    errors: list[ImportRowError]
