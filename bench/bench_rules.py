"""Benchmark: the category rules engine on a large batch, and an import with 50 rules.

    .venv/bin/python bench/bench_rules.py              # 1,000,000 rows
    .venv/bin/python bench/bench_rules.py --rows 20000 # smoke run

1. `apply_rules` over N realistic bank descriptions against 0, 50 and 500 rules (regexes of the
   shapes users write: alternations with word boundaries, prefixes, digits). Prints rows/s and
   the ratio to the same batch with no rules (which only prepares the columns).
2. If `ingestion.import_bank_file` exists: the import of an N-row bank file into a fresh SQLite
   store with 50 active rules of the user (built-in defaults switched off so the count is
   exact), against the same import with no active rule. Goal: >= 100,000 rows/s.
3. Then `POST /api/categories/rules/apply`'s service on those N stored transactions, after
   adding a top-priority rule that moves one merchant to another category: dry run, real run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_import import fresh_store, make_account  # the same store set-up as the import bench

from ingestion import import_bank_file
from ingestion.rules import Rule, apply_rules, validate_pattern
from ledger.models import CategoryRule

DESCRIPTIONS = [
    "STARBUCKS STORE {n} SEATTLE WA",
    "POS PURCHASE TRADER JOE S #{n} PORTLAND OR",
    "AMAZON MKTPL*{ref} Amzn.com/bill WA",
    "SQ *BLUE BOTTLE COFFEE {n} OAKLAND CA",
    "SHELL OIL {n} AUSTIN TX",
    "UBER TRIP {ref} HELP.UBER.COM CA",
    "NETFLIX.COM LOS GATOS CA",
    "COMCAST CABLE {n} PHILADELPHIA PA",
    "WHOLE FOODS MARKET #{n} BOSTON MA",
    "ZELLE PAYMENT TO JOHN SMITH CONF# {ref}",
    "ACME CORP PAYROLL PPD ID: {ref}",
    "CVS/PHARMACY #{n} CHICAGO IL",
    "LYFT *RIDE {ref} SAN FRANCISCO CA",
    "LOCAL BAKERY & CAFE {n}",
    "CHECK {n}",
    "ONLINE TRANSFER REF {ref}",
]

# Rules that match some of the descriptions above; the rest of a rule set never matches, so
# every row is tested against every rule (the worst case for first-match-wins).
MATCHING_RULES = [
    ("Dining", r"\b(starbucks|blue bottle|bakery)\b"),
    ("Groceries", r"\b(trader joe|whole foods)\b"),
    ("Shopping", r"^amazon mktpl"),
    ("Transport", r"\b(uber|lyft|shell oil)\b"),
    ("Subscriptions", r"netflix\.com"),
    ("Utilities", r"comcast cable \d+"),
    ("Salary", r"payroll ppd"),
    ("Health", r"cvs/pharmacy #\d{2,5}"),
]
CATEGORIES = ["Dining", "Groceries", "Shopping", "Travel", "Health", "Entertainment", "Other"]


def make_rules(count: int) -> list[Rule]:
    """`count` valid rules: the matching ones last, after non-matching ones of varied shapes."""
    shapes = [
        r"\b(vendor{i}|supplier{i} ltd)\b",
        r"^pos purchase shop{i}\b",
        r"store #{i}\d{{2,4}} springfield",
        r"\bmerchant{i}[ -]?(inc|llc)\b",
        r"acme widgets {i}",
    ]
    filler = count - len(MATCHING_RULES)
    rules = [
        Rule(
            id=index + 1,
            category=CATEGORIES[index % len(CATEGORIES)],
            keyword_pattern=shapes[index % len(shapes)].format(i=index),
        )
        for index in range(filler)
    ]
    rules += [
        Rule(id=filler + offset + 1, category=category, keyword_pattern=pattern)
        for offset, (category, pattern) in enumerate(MATCHING_RULES)
    ]
    for rule in rules:
        validate_pattern(rule.keyword_pattern or "")
    return rules[:count]


def make_frame(rows: int, seed: int = 11) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    templates = pl.Series(DESCRIPTIONS).gather(rng.integers(0, len(DESCRIPTIONS), rows))
    frame = pl.DataFrame(
        {
            "template": templates,
            "n": pl.Series(rng.integers(100, 99_999, rows)).cast(pl.String),
            "ref": pl.Series(rng.integers(10**9, 10**12, rows)).cast(pl.String),
        }
    )
    return frame.select(
        pl.col("template")
        .str.replace("{n}", pl.col("n"), literal=True)
        .str.replace("{ref}", pl.col("ref"), literal=True)
        .alias("description"),
        pl.lit(None, pl.String).alias("merchant"),
        pl.lit(None, pl.String).alias("category"),
        pl.lit(None, pl.String).alias("category_source"),
    )


def time_apply(frame: pl.DataFrame, rules: list[Rule]) -> tuple[float, int]:
    started = time.perf_counter()
    result = apply_rules(frame, rules)
    elapsed = time.perf_counter() - started
    return elapsed, int(result["category"].is_not_null().sum())


def bench_categorize(rows: int) -> None:
    frame = make_frame(rows)
    baseline, _ = time_apply(frame, [])
    print(f"categorise {rows:,} rows, no rules : {baseline:.3f} s = {rows / baseline:,.0f} rows/s")
    for count in (50, 500):
        rules = make_rules(count)
        elapsed, matched = time_apply(frame, rules)
        print(
            f"categorise {rows:,} rows, {count} rules: {elapsed:.2f} s = "
            f"{rows / elapsed:,.0f} rows/s, {matched:,} categorised, "
            f"{elapsed / baseline:,.0f}x the no-rule pass, "
            f"{elapsed / count * 1000:.1f} ms per rule"
        )


def make_statement(rows: int, seed: int = 13) -> bytes:
    """A plain bank export (Date, Description, Amount) with the descriptions of `make_frame`."""
    rng = np.random.default_rng(seed)
    days = pl.Series(np.sort(rng.integers(0, 730, rows)))
    cents = pl.Series(rng.integers(100, 25_000, rows))  # money out: written with a minus sign
    frame = make_frame(rows, seed=seed).select(
        (pl.lit(date(2024, 1, 1)) + pl.duration(days=pl.lit(days)))
        .dt.strftime("%Y-%m-%d")
        .alias("Date"),
        pl.col("description").alias("Description"),
        pl.concat_str(
            [
                pl.lit("-"),
                (pl.lit(cents) // 100).cast(pl.String),
                pl.lit("."),
                (pl.lit(cents) % 100).cast(pl.String).str.pad_start(2, "0"),
            ]
        ).alias("Amount"),
    )
    return frame.write_csv().encode()


def bench_import(rows: int) -> None:

    content = make_statement(rows)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp:
        for label, active in (("no rules", 0), ("50 rules", 50)):
            engine = fresh_store(Path(tmp), f"{label.replace(' ', '-')}.db")
            account_id = make_account(engine)
            with engine.begin() as connection:
                connection.execute(sa.update(CategoryRule).values(is_active=False))
                user_id: int = connection.exec_driver_sql("select min(id) from users").scalar_one()
                if active:
                    connection.execute(
                        sa.insert(CategoryRule),
                        [
                            {
                                "user_id": user_id,
                                "category": rule.category,
                                "keyword_pattern": rule.keyword_pattern,
                                "priority": rule.id,
                                "is_active": True,
                            }
                            for rule in make_rules(active)
                        ],
                    )
            started = time.perf_counter()
            report = import_bank_file(engine, account_id=account_id, content=content)
            elapsed = time.perf_counter() - started
            with engine.connect() as connection:
                categorised: int = connection.exec_driver_sql(
                    "select count(*) from transactions where category_source = 'rule'"
                ).scalar_one()
            results[label] = elapsed
            print(
                f"import {report.imported:,} rows, {label}: {elapsed:.2f} s = "
                f"{report.imported / elapsed:,.0f} rows/s ({categorised:,} categorised by a rule)"
            )
            if active:
                bench_reapply(engine, user_id)
            engine.dispose()
    print(
        f"import with 50 rules / without: {results['50 rules'] / results['no rules']:.2f}x "
        f"(goal: >= 100,000 rows/s with 50 rules)"
    )


def bench_reapply(engine: sa.Engine, user_id: int) -> None:
    """Re-apply the rules after adding one top-priority rule that recategorises a merchant."""
    from api.services.categorization import reapply_rules
    from ledger.db import session_factory
    from ledger.models import CategoryRule, User

    with engine.begin() as connection:
        connection.execute(
            sa.insert(CategoryRule),
            [
                {
                    "user_id": user_id,
                    "category": "Entertainment",
                    "keyword_pattern": r"\bstarbucks\b",
                    "priority": 0,
                    "is_active": True,
                }
            ],
        )
    for dry_run in (True, False):
        with session_factory(engine)() as session:
            user = session.get(User, user_id)
            assert user is not None
            started = time.perf_counter()
            result = reapply_rules(session=session, user=user, dry_run=dry_run)
            elapsed = time.perf_counter() - started
        print(
            f"re-apply rules ({'dry run' if dry_run else 'real run'}): {result.examined:,} "
            f"transactions examined, {result.changes:,} changed, in {elapsed:.2f} s = "
            f"{result.examined / elapsed:,.0f} rows/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-import", action="store_true", help="only the rules engine")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, polars {pl.__version__}, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    bench_categorize(args.rows)
    if not args.skip_import:
        bench_import(args.rows)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
