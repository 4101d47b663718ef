"""Insights on 1,000,000 transactions of 1,000 users: dbt build, publish, then the real API.

Generates the data straight into a fresh SQLite ops store (bulk insert), runs the real dbt build
and publishes the serving snapshot, starts the API with uvicorn in a subprocess, and loads a mart
endpoint and `/health` of that same server with 32 concurrent keep-alive clients. Prints the
throughput ratio (goal >= 50 %) and the mart endpoint's p99 latency (goal <= 25 ms).

    .venv/bin/python bench/bench_insights.py [--users 1000] [--transactions 1000000]
        [--clients 32] [--seconds 10] [--endpoint cash-flow] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ledger.db import migrate  # noqa: E402
from ledger.passwords import hash_password  # noqa: E402
from ledger.settings import Settings  # noqa: E402
from ledger.warehouse import publish_snapshot, run_dbt  # noqa: E402

PASSWORD = "bench-password-1"
SECRET_KEY = "bench-secret-key-long-enough-0123456789abcdef"
FIRST_DAY = date(2024, 1, 1)
DAYS = 731  # 2024-01-01 .. 2025-12-31
AS_OF_DATE = "2025-12-31"
STAMP = "2026-01-01 00:00:00.000000"
INSERT_TRANSACTION = (
    "insert into transactions (user_id, account_id, source, source_key, txn_date, description,"
    " merchant, category, category_source, amount_minor, currency, is_pending, created_at,"
    " updated_at) values (?, ?, 'csv', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
)
MERCHANTS = [
    ("Whole Foods", "Groceries"),
    ("Trader Joe's", "Groceries"),
    ("Lidl", "Groceries"),
    ("Shell", "Transport"),
    ("Uber", "Transport"),
    ("Amazon", "Shopping"),
    ("Target", "Shopping"),
    ("Netflix", "Subscriptions"),
    ("Spotify", "Subscriptions"),
    ("Chipotle", "Dining"),
    ("Starbucks", "Dining"),
    ("Delta Air Lines", "Travel"),
    ("Home Depot", "Housing"),
    ("CVS", "Health"),
    ("Comcast", "Utilities"),
    ("Local Market", None),
]


# --- data -----------------------------------------------------------------------------------


def seed(database_path: Path, users: int, transactions: int) -> None:
    """Users (one shared password hash: argon2 is slow by design), accounts and transactions."""
    password_hash = hash_password(PASSWORD)
    conn = sqlite3.connect(database_path)
    conn.execute("pragma journal_mode=wal")
    conn.executemany(
        "insert into users (id, name, email, password_hash, kyc_status, base_currency, role,"
        " created_at, updated_at) values (?, ?, ?, ?, 'verified', 'USD', 'user', ?, ?)",
        [
            (n, f"User {n}", f"user{n}@bench.example", password_hash, STAMP, STAMP)
            for n in range(1, users + 1)
        ],
    )
    accounts = _accounts(users)
    conn.executemany(
        "insert into accounts (id, user_id, bank_name, account_type, masked_account, currency,"
        " opening_balance_minor, created_at, updated_at) values (?, ?, 'Bench Bank', ?, '****0000',"
        " ?, ?, ?, ?)",
        [(*account, STAMP, STAMP) for account in accounts],
    )
    rows = _transactions(accounts, transactions // users)
    conn.executemany(
        INSERT_TRANSACTION,
        rows,
    )
    conn.commit()
    conn.execute("analyze")
    conn.close()


def add_transactions(database_path: Path, count: int) -> None:
    """New purchases of the first users, as an import between two builds would add them."""
    conn = sqlite3.connect(database_path)
    accounts = conn.execute(
        "select id, user_id, account_type, currency, 0 from accounts where account_type = "
        "'checking' and currency = 'USD' order by id limit 100"
    ).fetchall()
    rng = random.Random(11)
    rows = []
    for n in range(count):
        account = accounts[n % len(accounts)]
        owned = {"checking": account, "credit_card": account}
        rows.append(_purchase(account[1], owned, 10**6 + n, rng))
    conn.executemany(
        INSERT_TRANSACTION,
        rows,
    )
    conn.commit()
    conn.close()


def _accounts(users: int) -> list[tuple]:
    """(id, user_id, type, currency, opening minor): checking, savings, card; every 10th user
    also has a EUR account."""
    rng = random.Random(1)
    accounts = []
    for user_id in range(1, users + 1):
        kinds = [("checking", "USD"), ("savings", "USD"), ("credit_card", "USD")]
        if user_id % 10 == 0:
            kinds.append(("checking", "EUR"))
        for account_type, currency in kinds:
            opening = rng.randint(0, 500_000) if account_type != "credit_card" else 0
            accounts.append((len(accounts) + 1, user_id, account_type, currency, opening))
    return accounts


def _transactions(accounts: list[tuple], per_user: int) -> list[tuple]:
    rng = random.Random(7)
    by_user: dict[int, dict[str, tuple]] = {}
    for account in accounts:
        key = account[2] if account[3] == "USD" else "eur"
        by_user.setdefault(account[1], {})[key] = account
    rows: list[tuple] = []
    for user_id, owned in by_user.items():
        rows.extend(_monthly_rows(user_id, owned))
        purchases = per_user - 24 * 5
        rows.extend(_purchase(user_id, owned, n, rng) for n in range(purchases))
    return rows


def _row(user_id, account, key, day, description, merchant, category, amount_minor) -> tuple:
    source = "manual" if category else None
    return (
        user_id, account[0], key, day.isoformat(), description, merchant, category, source,
        amount_minor, account[3], STAMP, STAMP,
    )  # fmt: skip


def _monthly_rows(user_id: int, owned: dict[str, tuple]) -> list[tuple]:
    """Salary, a transfer to savings (pair, uncategorised) and a card payment (pair)."""
    rows = []
    for month in range(24):
        day = date(2024 + month // 12, month % 12 + 1, 1)
        checking, savings, card = owned["checking"], owned["savings"], owned["credit_card"]
        rows += [
            _row(user_id, checking, f"s{month}", day, "Payroll", None, "Salary", 450_000),
            _row(user_id, checking, f"t{month}", day + timedelta(2), "To savings", None, None,
                 -50_000),
            _row(user_id, savings, f"t{month}", day + timedelta(3), "From checking", None, None,
                 50_000),
            _row(user_id, checking, f"c{month}", day + timedelta(14), "Card payment", None,
                 "Credit Card Payment", -80_000),
            _row(user_id, card, f"c{month}", day + timedelta(15), "Payment received", None, None,
                 80_000),
        ]  # fmt: skip
    return rows


def _purchase(user_id: int, owned: dict[str, tuple], n: int, rng: random.Random) -> tuple:
    merchant, category = MERCHANTS[rng.randrange(len(MERCHANTS))]
    if "eur" in owned and n % 10 == 0:
        account = owned["eur"]
    else:
        account = owned["checking"] if n % 2 else owned["credit_card"]
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    amount = -rng.randint(100, 20_000)
    return _row(user_id, account, f"p{n}", day, f"{merchant} #{n}", merchant, category, amount)


# --- the server -----------------------------------------------------------------------------


def start_server(settings: Settings, workers: int) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "SERVING_DIR": str(settings.serving_dir),
        "WAREHOUSE_PATH": str(settings.warehouse_path),
        "SECRET_KEY": SECRET_KEY,
    }
    command = [
        str(Path(sys.executable).parent / "uvicorn"),
        "--factory",
        "api.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server, port
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the API did not start within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def login(port: int, user_ids: list[int]) -> list[str]:
    tokens = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for user_id in user_ids:
            body = {"email": f"user{user_id}@bench.example", "password": PASSWORD}
            response = client.post("/api/auth/login", json=body)
            response.raise_for_status()
            tokens.append(response.json()["access_token"])
    return tokens


# --- load -----------------------------------------------------------------------------------


async def _client(port: int, requests: list[bytes], stop_at: float, latencies: list[float]):
    """One keep-alive HTTP/1.1 connection sending its requests in turn until `stop_at`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = 0
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        writer.write(requests[n % len(requests)])
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        if status != 200:
            raise RuntimeError(f"HTTP {status} from the server")
        latencies.append(time.perf_counter() - started)
        n += 1
    writer.close()


async def _load(port: int, per_client: list[list[bytes]], seconds: float) -> list[float]:
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    await asyncio.gather(*(_client(port, requests, stop_at, latencies) for requests in per_client))
    return latencies


def load(port: int, per_client: list[list[bytes]], seconds: float) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) of `seconds` of load, after a 2 s warm-up."""
    asyncio.run(_load(port, per_client, 2))
    latencies = asyncio.run(_load(port, per_client, seconds))
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / seconds, p50, p99


def request(path: str, token: str | None = None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\n{auth}\r\n".encode()


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--endpoint", default="cash-flow")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--reuse", type=Path, help="the folder of an earlier run: skip seeding and building"
    )
    args = parser.parse_args()

    workdir = args.reuse or Path(tempfile.mkdtemp(prefix="bench-insights-"))
    settings = Settings(
        environment="test",
        secret_key=SECRET_KEY,
        database_url=f"sqlite:///{workdir / 'ops.db'}",
        warehouse_path=workdir / "warehouse.duckdb",
        serving_dir=workdir / "serving",
        duckdb_extension_dir=workdir / "duckdb_extensions",
    )
    if not args.reuse:
        seed_and_build(settings, workdir, args.users, args.transactions)
    serve_and_measure(settings, args)


def seed_and_build(settings: Settings, workdir: Path, users: int, transactions: int) -> None:
    migrate(settings.database_url)
    started = time.perf_counter()
    seed(workdir / "ops.db", users, transactions)
    print(f"seeded {transactions:,} transactions of {users:,} users "
          f"in {time.perf_counter() - started:.1f} s ({workdir})")  # fmt: skip

    variables = json.dumps({"as_of_date": AS_OF_DATE})
    # The budgets marts belong to another module and are built by its own pipeline step.
    exclude = ("--exclude", "path:models/marts/budgets")
    started = time.perf_counter()
    run_dbt(settings, "build", "--vars", variables, *exclude)
    print(f"dbt build (models and tests, first run): {time.perf_counter() - started:.1f} s")
    add_transactions(workdir / "ops.db", 1000)
    started = time.perf_counter()
    run_dbt(settings, "build", "--vars", variables, *exclude)
    print(f"dbt build (incremental, +1,000 transactions): {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    snapshot = publish_snapshot(settings.warehouse_path, settings.serving_dir)
    size_mb = snapshot.path.stat().st_size / 1e6
    print(f"publish: {time.perf_counter() - started:.2f} s ({size_mb:.0f} MB snapshot)")


def serve_and_measure(settings: Settings, args: argparse.Namespace) -> None:
    server, port = start_server(settings, args.workers)
    try:
        rng = random.Random(3)
        user_ids = rng.sample(range(1, args.users + 1), args.clients)
        tokens = login(port, user_ids)
        path = args.endpoint if args.endpoint.startswith("/") else f"/api/insights/{args.endpoint}"
        health = [[request("/health")] for _ in range(args.clients)]
        # Repeated: each client asks the same question again and again (a dashboard polling),
        # answered from the snapshot's response cache after the first time.
        repeated = [[request(path, token)] for token in tokens]
        # Fresh: every request a date range never asked before: always a mart query.
        fresh = [
            [request(f"{path}?start_date={FIRST_DAY + timedelta(days=n)}", token)
             for n in range(DAYS)]
            for token in tokens
        ]  # fmt: skip
        results = {
            "/health": load(port, health, args.seconds),
            f"{path} (repeated)": load(port, repeated, args.seconds),
            f"{path} (fresh)": load(port, fresh, args.seconds),
        }
    finally:
        stop_server(server)
    report(results, args)


def report(results: dict[str, tuple[float, float, float]], args: argparse.Namespace) -> None:
    health_rps = results["/health"][0]
    print(f"\n{args.clients} concurrent clients, {args.seconds:.0f} s each, "
          f"uvicorn workers: {args.workers}")  # fmt: skip
    print(f"{'endpoint':<42}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'vs /health':>12}")
    for name, (rps, p50, p99) in results.items():
        print(f"{name:<42}{rps:>8.0f}{p50:>9.2f}{p99:>9.2f}{rps / health_rps:>12.0%}")
    for name, (rps, _, p99) in list(results.items())[1:]:
        ratio = rps / health_rps
        print(f"{name}: throughput {ratio:.0%} of /health (goal >= 50 %) "
              f"{'MET' if ratio >= 0.5 else 'MISSED'}; p99 {p99:.2f} ms (goal <= 25 ms) "
              f"{'MET' if p99 <= 25 else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
