"""Benchmark: import a large bank CSV through the real path, against a bare bulk insert.

    .venv/bin/python bench/bench_import.py            # 1,000,000 rows
    .venv/bin/python bench/bench_import.py --rows 20000

Generates a realistic statement (preamble, header, varied descriptions, dates and amounts),
imports it into a fresh migrated SQLite store with `import_bank_file` (read, normalise, validate,
dedupe, categorise, load), imports it again (every row a duplicate), and times a bare executemany
of the same stored rows into another fresh store. Prints rows/s, the ratio and peak RSS.
Goals: ≥ 100,000 rows/s, within 3x of the bare insert, peak RSS ≤ 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingestion import import_bank_file
from ingestion.load import roomy_page_cache
from ledger.db import make_engine, migrate, session_scope
from ledger.models import Account, User

MERCHANTS = [
    "STARBUCKS STORE {n} SEATTLE WA",
    "POS PURCHASE TRADER JOE S #{n} PORTLAND OR",
    "AMAZON MKTPL*{ref} Amzn.com/bill WA",
    "SQ *BLUE BOTTLE COFFEE {n} OAKLAND CA",
    "TST* SHAKE SHACK {n} NEW YORK NY",
    "SHELL OIL {n} AUSTIN TX",
    "UBER TRIP {ref} HELP.UBER.COM CA",
    "NETFLIX.COM LOS GATOS CA",
    "COMCAST CABLE {n} PHILADELPHIA PA",
    "WHOLE FOODS MARKET #{n} BOSTON MA",
    "CHECKCARD {n} TARGET T-{n} MINNEAPOLIS MN",
    "PURCHASE AUTHORIZED ON 01/15 CHIPOTLE {n} DENVER CO S{ref}",
    "ZELLE PAYMENT TO JOHN SMITH CONF# {ref}",
    "ACME CORP PAYROLL PPD ID: {ref}",
    "RENT PAYMENT ACH WEB {ref}",
    "CVS/PHARMACY #{n} CHICAGO IL",
    "LYFT *RIDE {ref} SAN FRANCISCO CA",
    "SPOTIFY USA {ref} NEW YORK NY",
    "LOCAL BAKERY & CAFE {n}",
    "ATM WITHDRAWAL {n} MAIN ST",
]


def generate_statement(rows: int, seed: int = 7) -> tuple[bytes, int]:
    """A Bank-of-America-like export: summary preamble, header, quoted amounts with thousands
    separators, MM/DD/YYYY dates over two years. Returns the file and the exact sum in cents."""
    rng = np.random.default_rng(seed)
    templates = pl.Series(MERCHANTS)
    days = rng.integers(0, 730, rows)
    cents = np.where(
        rng.random(rows) < 0.08,
        rng.integers(100_000, 500_000, rows),  # salaries, rent
        -rng.integers(100, 25_000, rows),  # card purchases
    )
    frame = pl.DataFrame(
        {
            "date": (pl.Series(np.sort(days)) + 19_723).cast(pl.Int32).cast(pl.Date),  # 2024-
            "template": templates.gather(rng.integers(0, len(MERCHANTS), rows)),
            "n": pl.Series(rng.integers(100, 99_999, rows)).cast(pl.String),
            "ref": pl.Series(rng.integers(10**9, 10**12, rows)).cast(pl.String),
            "cents": cents,
        }
    )
    body = frame.select(
        pl.col("date").dt.strftime("%m/%d/%Y").alias("Date"),
        pl.col("template")
        .str.replace("{n}", pl.col("n"), literal=True)
        .str.replace("{n}", pl.col("n"), literal=True)
        .str.replace("{ref}", pl.col("ref"), literal=True)
        .alias("Description"),
        _money(pl.col("cents")).alias("Amount"),
        _money(pl.col("cents").cum_sum() + 500_000).alias("Running Bal."),
    )
    preamble = (
        "Description,,Summary Amt.\n"
        'Beginning balance as of 01/01/2024,,"5,000.00"\n'
        "Total credits,,\n"
        "Total debits,,\n\n"
    )
    header, rest = body.write_csv(quote_style="non_numeric").split("\n", 1)
    opening = '01/01/2024,"Beginning balance as of 01/01/2024",,"5,000.00"\n'
    return (preamble + header + "\n" + opening + rest).encode(), int(cents.sum())


def stored_total(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT sum(amount_minor) FROM transactions").scalar()


def _money(cents: pl.Expr) -> pl.Expr:
    """Cents as "-1,234.56" text."""
    whole = (cents.abs() // 100).cast(pl.String)
    grouped = (
        whole.str.reverse()
        .str.replace_all(r"(\d{3})", "$1,")
        .str.reverse()
        .str.strip_chars_start(",")
    )
    fraction = (cents.abs() % 100).cast(pl.String).str.pad_start(2, "0")
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str([sign, grouped, pl.lit("."), fraction])


def fresh_store(directory: Path, name: str) -> sa.Engine:
    url = f"sqlite:///{directory / name}"
    migrate(url)
    return make_engine(url)


def make_account(engine: sa.Engine) -> int:
    with session_scope(engine) as session:
        user = User(name="Bench", email="bench@example.com", password_hash="x")
        session.add(user)
        session.flush()
        account = Account(
            user_id=user.id, bank_name="Bench", account_type="checking", currency="USD"
        )
        session.add(account)
        session.flush()
        return account.id


def bare_insert(source: sa.Engine, target: sa.Engine, target_account: int) -> tuple[int, float]:
    """executemany of the rows the import stored, into the same table of another store."""
    columns = [
        "user_id",
        "account_id",
        "import_batch_id",
        "source",
        "source_key",
        "txn_date",
        "description",
        "merchant",
        "category",
        "category_source",
        "category_rule_id",
        "amount_minor",
        "currency",
        "is_pending",
        "created_at",
        "updated_at",
    ]
    statement = (
        f"INSERT INTO transactions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    inserted, elapsed = 0, 0.0
    with source.connect() as reader, target.connect() as writer:
        total_rows = reader.exec_driver_sql("SELECT count(*) FROM transactions").scalar_one()
        rows = reader.exec_driver_sql(f"SELECT {', '.join(columns)} FROM transactions ORDER BY id")
        raw = writer.connection.driver_connection
        raw.execute("BEGIN")
        # The same connection settings as the import's loader; rows are fetched in chunks so the
        # bench's own copy does not dominate peak memory, and only executemany + commit are timed.
        with roomy_page_cache(raw, total_rows):
            while chunk := rows.fetchmany(100_000):
                values = [(1, target_account, None, *row[3:10], None, *row[11:]) for row in chunk]
                started = time.perf_counter()
                raw.executemany(statement, values)
                elapsed += time.perf_counter() - started
                inserted += len(values)
            started = time.perf_counter()
            raw.execute("COMMIT")
            elapsed += time.perf_counter() - started
    return inserted, elapsed


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        content, total_cents = generate_statement(args.rows)
        generated = time.perf_counter() - started
        print(f"generated {args.rows:,} rows ({len(content) / 1e6:.1f} MB) in {generated:.2f} s")
        rss_before_import = peak_rss_mb()

        engine = fresh_store(directory, "import.db")
        account_id = make_account(engine)
        started = time.perf_counter()
        report = import_bank_file(
            engine, account_id=account_id, content=content, filename="bench.csv"
        )
        import_seconds = time.perf_counter() - started
        rss_after_import = peak_rss_mb()
        assert report.imported == args.rows, report
        assert stored_total(engine) == total_cents, "the stored amounts differ from the file"

        started = time.perf_counter()
        again = import_bank_file(engine, account_id=account_id, content=content)
        reimport_seconds = time.perf_counter() - started

        bare_engine = fresh_store(directory, "bare.db")
        bare_rows, bare_seconds = bare_insert(engine, bare_engine, make_account(bare_engine))

        import_rate = args.rows / import_seconds
        bare_rate = bare_rows / bare_seconds
        print(
            f"machine: {os.cpu_count()} cores, load average before {load_before[0]:.2f} "
            f"{load_before[1]:.2f} {load_before[2]:.2f}, after {os.getloadavg()[0]:.2f}"
        )
        print(
            f"import   : {report.imported:,} imported, {report.skipped} skipped in "
            f"{import_seconds:.2f} s = {import_rate:,.0f} rows/s"
        )
        print(
            f"re-import: {again.imported:,} imported, {again.duplicates:,} duplicates in "
            f"{reimport_seconds:.2f} s = {args.rows / reimport_seconds:,.0f} rows/s"
        )
        print(
            f"bare executemany: {bare_rows:,} rows in {bare_seconds:.2f} s = "
            f"{bare_rate:,.0f} rows/s"
        )
        print(f"ratio import / bare insert time: {import_seconds / bare_seconds:.2f}x")
        print(
            f"peak RSS: {rss_after_import:,.0f} MB after the import "
            f"({rss_before_import:,.0f} MB before it, with the generated file in memory); "
            f"{peak_rss_mb():,.0f} MB at the end"
        )
        engine.dispose()
        bare_engine.dispose()


if __name__ == "__main__":
    main()
