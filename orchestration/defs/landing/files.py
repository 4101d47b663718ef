"""Import one landed file through the same code path as the API, then file it away.

Success moves the file to `<account>/processed/`; a rejected file goes to `<account>/rejected/`
with `<name>.errors.json` next to it (every bad row: row, column, value, message). Unexpected
errors (the ops store is down) leave the file where it is, so the next run retries it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ingestion import ImportRejected, import_bank_file
from ledger.models import Account
from orchestration.defs.landing.resources import PROCESSED, REJECTED, LandedFile


@dataclass
class FileOutcome:
    file: str  # "<account folder>/<name>", as dropped
    status: str  # "processed" or "rejected"
    moved_to: str
    import_id: int | None = None
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    detail: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


def import_landed_file(engine: Engine, landed: LandedFile) -> FileOutcome:
    label = f"{landed.account_folder}/{landed.path.name}"
    account_id = _existing_account_id(engine, landed.account_folder)
    if account_id is None:
        detail = f"folder {landed.account_folder!r} is not the id of an existing account"
        return _reject(landed, label, detail, errors=[])
    try:
        report = import_bank_file(
            engine,
            account_id=account_id,
            content=landed.path.read_bytes(),
            filename=landed.path.name,
        )
    except ImportRejected as rejected:
        errors = [_row_error(error) for error in rejected.errors]
        return _reject(landed, label, str(rejected.detail), errors=errors)
    moved = _move(landed.path, landed.path.parent / PROCESSED)
    return FileOutcome(
        file=label,
        status=PROCESSED,
        moved_to=str(moved),
        import_id=report.import_id,
        rows_read=report.rows_read,
        imported=report.imported,
        duplicates=report.duplicates,
        skipped=report.skipped,
    )


def _existing_account_id(engine: Engine, folder: str) -> int | None:
    if not folder.isdigit():
        return None
    with engine.connect() as conn:
        return conn.scalar(select(Account.id).where(Account.id == int(folder)))


def _row_error(error: Any) -> dict[str, Any]:
    return {
        "row": error.row,
        "column": error.column,
        "value": None if error.value is None else str(error.value),
        "message": error.message,
    }


def _reject(
    landed: LandedFile, label: str, detail: str, *, errors: list[dict[str, Any]]
) -> FileOutcome:
    moved = _move(landed.path, landed.path.parent / REJECTED)
    outcome = FileOutcome(
        file=label, status=REJECTED, moved_to=str(moved), detail=detail, errors=errors
    )
    report_path = moved.with_name(moved.name + ".errors.json")
    report_path.write_text(json.dumps(asdict(outcome), indent=2), encoding="utf-8")
    return outcome


def _move(path: Path, folder: Path) -> Path:
    """Move into `folder`, never overwriting an earlier file of the same name."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    return path.rename(target)
