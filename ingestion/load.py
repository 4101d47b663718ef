"""Stage 6, load: the import batch and its transactions, in bulk, in the caller's transaction.

SQLite: one executemany of INSERT … ON CONFLICT DO NOTHING on the raw DBAPI connection.
PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING.
The unique (account_id, source_key) is the last word on duplicates, even against a concurrent
import of the same file.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import repeat

import polars as pl
import sqlalchemy as sa

from ledger.models import ImportBatch

CHUNK_ROWS = 100_000
BIG_IMPORT_ROWS = 50_000
BIG_IMPORT_CACHE_KIB = 256 * 1024
# The columns that vary per row, in this order in every statement below.
ROW_COLUMNS = (
    "source_key",
    "txn_date",
    "description",
    "merchant",
    "category",
    "category_source",
    "category_rule_id",
    "amount_minor",
)
# …and those that are the same for the whole batch.
BATCH_COLUMNS = (
    "user_id",
    "account_id",
    "import_batch_id",
    "source",
    "currency",
    "is_pending",
    "created_at",
    "updated_at",
)
Progress = Callable[[int], None]


def start_import_batch(
    connection: sa.Connection,
    *,
    user_id: int,
    account_id: int,
    filename: str | None,
    file_sha256: str,
) -> int:
    """Insert the batch row first: on SQLite this write takes the write lock before any read."""
    return connection.execute(
        sa.insert(ImportBatch)
        .values(
            user_id=user_id,
            account_id=account_id,
            source="csv",
            filename=(filename or None) and filename[:255],
            file_sha256=file_sha256,
            created_at=datetime.now(UTC),
        )
        .returning(ImportBatch.id)
    ).scalar_one()


def finish_import_batch(
    connection: sa.Connection,
    batch_id: int,
    *,
    rows_read: int,
    imported: int,
    duplicates: int,
    skipped: int,
) -> None:
    connection.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch_id)
        .values(rows_read=rows_read, imported=imported, duplicates=duplicates, skipped=skipped)
    )


def insert_transactions(
    connection: sa.Connection,
    frame: pl.DataFrame,
    *,
    user_id: int,
    account_id: int,
    import_batch_id: int,
    currency: str,
    progress: Progress | None = None,
) -> int:
    """Insert the rows; returns how many were new (the others were already there)."""
    batch = {
        "user_id": user_id,
        "account_id": account_id,
        "import_batch_id": import_batch_id,
        "source": "csv",
        "currency": currency,
        "is_pending": False,
        "now": datetime.now(UTC),
    }
    rows = frame.select(ROW_COLUMNS)
    if connection.dialect.name == "postgresql":
        return _copy_postgres(connection, rows, batch, progress)
    return _executemany_sqlite(connection, rows, batch, progress)


def _executemany_sqlite(
    connection: sa.Connection, rows: pl.DataFrame, batch: dict, progress: Progress | None
) -> int:
    columns = ", ".join((*ROW_COLUMNS, *BATCH_COLUMNS))
    placeholders = ", ".join("?" * (len(ROW_COLUMNS) + len(BATCH_COLUMNS)))
    statement = (
        f"INSERT INTO transactions ({columns}) VALUES ({placeholders}) "
        "ON CONFLICT (account_id, source_key) DO NOTHING"
    )
    # The same text SQLAlchemy's SQLite DateTime writes, so the ORM reads these back as usual.
    now = batch["now"].strftime("%Y-%m-%d %H:%M:%S.%f")
    constants = (
        batch["user_id"],
        batch["account_id"],
        batch["import_batch_id"],
        batch["source"],
        batch["currency"],
        int(batch["is_pending"]),
        now,
        now,
    )
    raw = connection.connection.driver_connection
    inserted = 0
    done = 0
    with roomy_page_cache(raw, rows.height):  # type: ignore[arg-type]
        cursor = raw.cursor()  # type: ignore[union-attr]
        for chunk in rows.with_columns(pl.col("txn_date").cast(pl.String)).iter_slices(CHUNK_ROWS):
            values = [chunk[name].to_list() for name in ROW_COLUMNS]
            values += [repeat(constant, chunk.height) for constant in constants]  # type: ignore[misc]
            cursor.executemany(statement, zip(*values, strict=False))
            inserted += max(cursor.rowcount, 0)
            done += chunk.height
            if progress:
                progress(done)
        cursor.close()
    return inserted


@contextmanager
def roomy_page_cache(raw: sqlite3.Connection, rows: int) -> Iterator[None]:
    """A page cache large enough for the indexes a big import touches, for its duration only.

    source_keys are hashes, so each insert lands on a random page of the unique index; with
    SQLite's default 2 MB cache those pages are read back from the OS again and again (a quarter
    of the insert's CPU at a million rows). Small imports keep the default.
    """
    if rows < BIG_IMPORT_ROWS:
        yield
        return
    (previous,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = -{BIG_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(previous)}")


def _copy_postgres(
    connection: sa.Connection, rows: pl.DataFrame, batch: dict, progress: Progress | None
) -> int:
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(
            "CREATE TEMPORARY TABLE import_rows (position bigint, source_key text, txn_date date, "
            "description text, merchant text, category text, category_source text, "
            "category_rule_id bigint, amount_minor bigint) ON COMMIT DROP"
        )
        done = 0
        numbered = rows.with_row_index("position")
        with cursor.copy(
            f"COPY import_rows (position, {', '.join(ROW_COLUMNS)}) FROM STDIN (FORMAT csv)"
        ) as copy:
            for chunk in numbered.iter_slices(CHUNK_ROWS):
                buffer = io.BytesIO()
                chunk.write_csv(buffer, include_header=False)
                copy.write(buffer.getvalue())
                done += chunk.height
                if progress:
                    progress(done)
        cursor.execute(
            f"INSERT INTO transactions ({', '.join((*ROW_COLUMNS, *BATCH_COLUMNS))}) "
            f"SELECT {', '.join(ROW_COLUMNS)}, %(user_id)s, %(account_id)s, %(import_batch_id)s, "
            "%(source)s, %(currency)s, %(is_pending)s, %(now)s, %(now)s "
            "FROM import_rows ORDER BY position "
            "ON CONFLICT (account_id, source_key) DO NOTHING",
            batch,
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE import_rows")
    return inserted
