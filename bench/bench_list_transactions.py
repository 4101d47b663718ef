"""Listing transactions with filters on a 1,000,000-row table, through the real app.

For each filter and page depth, times GET /api/transactions (auth, query, serialisation) and the
bare SQL of the same page on the same store, and prints p50/p95 and the ratio. Goal: p95 <= 20 ms
per page at any depth.

    .venv/bin/python bench/bench_list_transactions.py [--rows 1000000] [--store sqlite|URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from api.main import create_app
from ledger.db import make_engine, migrate, session_scope
from ledger.models import Account, User
from ledger.passwords import hash_password
from ledger.settings import Settings

MERCHANTS = [
    "Whole Foods",
    "Trader Joe's",
    "Shell",
    "Uber",
    "Amazon",
    "Netflix",
    "Chipotle",
    "Target",
    "Costco",
    "Starbucks",
    "Delta Air Lines",
    "Home Depot",
]
CATEGORIES = ["Groceries", "Transport", "Shopping", "Dining", "Subscriptions", "Travel"]
PASSWORD = "bench-password-1"


def _seed(database_url: str, rows: int) -> tuple[int, int]:
    """One user with `rows` transactions over two accounts; returns (user id, account id)."""
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        user = User(name="Bench", email="bench@example.com", password_hash=hash_password(PASSWORD))
        session.add(user)
        session.flush()
        accounts = [
            Account(
                user_id=user.id,
                bank_name=f"Bank {n}",
                account_type="checking",
                currency="USD",
                opening_balance_minor=0,
            )
            for n in range(2)
        ]
        session.add_all(accounts)
        session.flush()
        user_id, account_ids = user.id, [a.id for a in accounts]
    rng = random.Random(7)
    start = date(2016, 1, 1)
    insert = text(
        "insert into transactions (user_id, account_id, source, source_key, txn_date, description,"
        " merchant, category, amount_minor, currency, is_pending, created_at, updated_at) values"
        " (:u, :a, 'csv', :k, :d, :desc, :m, :c, :amt, 'USD', false, :now, :now)"
    )
    now = "2026-01-01 00:00:00"
    batch = []
    with engine.begin() as conn:
        for n in range(rows):
            merchant = MERCHANTS[n % len(MERCHANTS)]
            batch.append(
                {
                    "u": user_id,
                    "a": account_ids[n % 2],
                    "k": f"k{n}",
                    "d": start + timedelta(days=n * 3650 // rows),
                    "desc": f"{merchant} {n}",
                    "m": merchant,
                    "c": CATEGORIES[n % len(CATEGORIES)],
                    "amt": -rng.randint(100, 50000),
                    "now": now,
                }
            )
            if len(batch) == 50_000:
                conn.execute(insert, batch)
                batch.clear()
        if batch:
            conn.execute(insert, batch)
        if engine.dialect.name == "postgresql":
            conn.execute(text("analyze transactions"))
        else:
            conn.execute(text("analyze"))
    engine.dispose()
    return user_id, account_ids[0]


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _cursor_at_depth(client: TestClient, headers: dict, query: str, depth_rows: int) -> str | None:
    """Walk with large pages to reach a cursor `depth_rows` deep (not timed)."""
    cursor, seen = None, 0
    while seen < depth_rows:
        step = min(500, depth_rows - seen)
        url = f"/api/transactions?limit={step}&{query}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=headers).json()
        seen += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return cursor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--store", default="sqlite", help="'sqlite' or a PostgreSQL URL")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-list-"))
    url = f"sqlite:///{workdir / 'ops.db'}" if args.store == "sqlite" else args.store
    migrate(url)
    started = time.perf_counter()
    _, account_id = _seed(url, args.rows)
    print(f"seeded {args.rows:,} transactions in {time.perf_counter() - started:.1f}s ({url})")

    app = create_app(
        Settings(
            environment="test",
            database_url=url,
            secret_key="bench-secret-key-long-enough-0123456789abcdef",
        )
    )
    client = TestClient(app)
    token = client.post(
        "/api/auth/login", json={"email": "bench@example.com", "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    filters = {
        "no filter": "",
        "account": f"account_id={account_id}",
        "date range": "start_date=2020-01-01&end_date=2023-12-31",
        "category": "category=Dining",
        "amount range": "min_amount=-100.00&max_amount=-50.00",
        "merchant substring": "merchant=costco",
        "description search": "q=uber",
    }
    depths = {"first page": 0, "10% deep": args.rows // 10, "90% deep": args.rows * 9 // 10}
    print(f"\n{'filter':<20}{'depth':<12}{'api p50':>9}{'api p95':>9}{'sql p95':>9}{'ratio':>7}")
    worst = 0.0
    for name, query in filters.items():
        for depth_name, depth in depths.items():
            cursor = _cursor_at_depth(client, headers, query, depth) if depth else None
            if depth and cursor is None:
                continue  # the filter matches fewer rows than this depth
            url_path = f"/api/transactions?limit=50&{query}" + (
                f"&cursor={cursor}" if cursor else ""
            )
            api_times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                response = client.get(url_path, headers=headers)
                api_times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
            sql_times = _bare_sql_times(app, url_path, args.repeat)
            api_p95 = _percentile(api_times, 95)
            worst = max(worst, api_p95)
            sql_p95 = _percentile(sql_times, 95)
            print(
                f"{name:<20}{depth_name:<12}{statistics.median(api_times):>8.2f}m"
                f"{api_p95:>8.2f}m{sql_p95:>8.2f}m{api_p95 / sql_p95:>6.1f}x"
            )
    print(
        f"\nworst API p95: {worst:.2f} ms (goal <= 20 ms) -> {'MET' if worst <= 20 else 'MISSED'}"
    )


def _bare_sql_times(app, url_path: str, repeat: int) -> list[float]:
    """The same page's SQL, compiled by the service, run bare on one connection (no HTTP)."""
    from urllib.parse import parse_qs, urlparse

    from api.services import transactions as txn_service
    from ledger.models import User as UserModel

    params = {k: v[0] for k, v in parse_qs(urlparse(url_path).query).items()}
    after = None
    if "cursor" in params:
        from api.pagination import decode_cursor

        day, txn_id = decode_cursor(params.pop("cursor"), 2)
        after = (date.fromisoformat(day), int(txn_id))
    from decimal import Decimal

    filters = txn_service.TransactionFilters(
        account_id=int(params["account_id"]) if "account_id" in params else None,
        start_date=date.fromisoformat(params["start_date"]) if "start_date" in params else None,
        end_date=date.fromisoformat(params["end_date"]) if "end_date" in params else None,
        min_amount=Decimal(params["min_amount"]) if "min_amount" in params else None,
        max_amount=Decimal(params["max_amount"]) if "max_amount" in params else None,
        merchant=params.get("merchant"),
        category=params.get("category"),
        q=params.get("q"),
    )
    times = []
    with app.state.sessionmaker() as session:
        user = session.query(UserModel).one()
        for _ in range(repeat):
            t0 = time.perf_counter()
            txn_service.list_transactions(
                session=session, user=user, filters=filters, limit=51, after=after
            )
            times.append((time.perf_counter() - t0) * 1000)
            session.expire_all()
    return times


if __name__ == "__main__":
    main()
