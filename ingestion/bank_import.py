"""Importing a bank file: read → normalize → validate → dedupe → categorize → load.

One code path for every caller (API upload, CLI, Dagster landing-dir asset). The file is
all-or-nothing: any invalid row refuses it and nothing is stored. `dry_run` runs every stage,
counts duplicates against the store, and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from ingestion.categorize import categorize
from ingestion.columns import resolve_columns
from ingestion.dedupe import existing_source_keys, new_rows, with_source_keys
from ingestion.errors import ImportRejected, ImportReport
from ingestion.load import finish_import_batch, insert_transactions, start_import_batch
from ingestion.mapping import ImportMapping
from ingestion.normalize import Statement, normalize
from ingestion.read import read_bank_file
from ingestion.validate import validate
from ledger.models import Account


@dataclass(frozen=True)
class AccountFacts:
    account_id: int
    user_id: int
    currency: str


def import_bank_file(
    engine: sa.Engine,
    *,
    account_id: int,
    content: bytes,
    filename: str | None = None,
    mapping: ImportMapping | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import one bank export into an account. The caller has checked the account is the user's.

    Raises ImportRejected (AmbiguousLayout when `mapping` must say how to read the file).
    `progress(done, total)` is called as rows are stored, in chunks.
    """
    mapping = mapping or ImportMapping()
    account = _account(engine, account_id)
    statement = read_and_normalize(content, mapping, currency=account.currency)  # read, normalize
    rows = validate(statement, currency=account.currency)
    rows = with_source_keys(rows, account_id=account_id)
    total = statement.rows_read
    if progress:
        progress(statement.skipped, total)
    with engine.connect() as connection, connection.begin() as transaction:
        batch_id = None
        if not dry_run:  # first, so that on SQLite this transaction holds the write lock
            batch_id = start_import_batch(
                connection,
                user_id=account.user_id,
                account_id=account_id,
                filename=filename,
                file_sha256=hashlib.sha256(content).hexdigest(),
            )
        fresh = new_rows(rows, existing_source_keys(connection, account_id=account_id))  # dedupe
        fresh = categorize(connection, fresh, user_id=account.user_id)
        handled = statement.skipped + rows.height - fresh.height

        def stored(done: int) -> None:
            if progress:
                progress(handled + done, total)

        if dry_run:
            imported = fresh.height
            transaction.rollback()
        else:
            imported = insert_transactions(  # load
                connection,
                fresh,
                user_id=account.user_id,
                account_id=account_id,
                import_batch_id=batch_id,  # type: ignore[arg-type]
                currency=account.currency,
                progress=stored,
            )
            finish_import_batch(
                connection,
                batch_id,  # type: ignore[arg-type]
                rows_read=statement.rows_read,
                imported=imported,
                duplicates=rows.height - imported,
                skipped=statement.skipped,
            )
    if progress:
        progress(total, total)
    return ImportReport(
        import_id=batch_id,
        rows_read=statement.rows_read,
        imported=imported,
        duplicates=rows.height - imported,
        skipped=statement.skipped,
        errors=[],
        dry_run=dry_run,
    )


def read_and_normalize(content: bytes, mapping: ImportMapping, *, currency: str) -> Statement:
    """The parsing half of an import (no store needed): read, find the columns, normalise."""
    table = read_bank_file(content, mapping)
    plan = resolve_columns(table, mapping)
    return normalize(table, plan, mapping, currency=currency)


def _account(engine: sa.Engine, account_id: int) -> AccountFacts:
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(Account.user_id, Account.currency).where(Account.id == account_id)
        ).one_or_none()
    if row is None:
        raise ImportRejected(f"account {account_id} does not exist")
    return AccountFacts(account_id=account_id, user_id=row.user_id, currency=row.currency)
