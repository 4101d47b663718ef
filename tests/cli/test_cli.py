"""The `bankdash` command line, run as a real process against a real store."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from cli.demo import DEMO_PASSWORD, seed_demo_data
from ledger.db import session_scope
from ledger.models import Account, Transaction, User
from ledger.passwords import verify_password

BANKDASH = [sys.executable, "-m", "cli.main"]


def _run(ops_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": ops_url, "ENVIRONMENT": "development"}
    return subprocess.run(
        [*BANKDASH, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_create_admin_then_promote_an_existing_user(ops_url, engine):
    created = _run(
        ops_url,
        "create-admin",
        "--email",
        "Root@Example.com",
        "--password",
        "a long admin password",
    )
    assert created.returncode == 0, created.stderr
    assert "created admin root@example.com" in created.stdout
    with session_scope(engine) as session:
        admin = session.scalar(select(User).where(User.email == "root@example.com"))
        assert admin.role == "admin"
        assert verify_password("a long admin password", admin.password_hash)[0]
        session.add(User(name="Bob", email="bob@example.com", password_hash="x"))

    promoted = _run(ops_url, "create-admin", "--email", "bob@example.com")
    assert promoted.returncode == 0, promoted.stderr
    assert "promoted bob@example.com to admin" in promoted.stdout
    with session_scope(engine) as session:
        assert session.scalar(select(User.role).where(User.email == "bob@example.com")) == "admin"


def test_create_admin_refuses_a_short_password(ops_url, engine):
    result = _run(ops_url, "create-admin", "--email", "root@example.com", "--password", "short")
    assert result.returncode == 2
    assert "at least 8 characters" in result.stderr
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_seed_is_idempotent_and_realistic(engine):
    today = date(2026, 11, 24)
    logins = seed_demo_data(engine, years=2, today=today)
    assert [email for email, _ in logins] == [
        "admin@demo.bankdash.dev",
        "ada@demo.bankdash.dev",
        "ben@demo.bankdash.dev",
        "chloe@demo.bankdash.dev",
    ]
    with session_scope(engine) as session:
        counts = dict(
            session.execute(
                select(Account.currency, func.count(Transaction.id))
                .join(Transaction, Transaction.account_id == Account.id)
                .group_by(Account.currency)
            ).all()
        )
        first_day = session.scalar(select(func.min(Transaction.txn_date)))
        users = session.scalars(select(User)).all()
    assert set(counts) == {"USD", "EUR", "GBP"}
    assert all(count > 20 for count in counts.values())
    assert first_day == date(2024, 11, 24)
    assert all(verify_password(DEMO_PASSWORD, u.password_hash)[0] for u in users)

    seed_demo_data(engine, years=2, today=today)  # again: nothing new
    with session_scope(engine) as session:
        again = dict(
            session.execute(
                select(Account.currency, func.count(Transaction.id))
                .join(Transaction, Transaction.account_id == Account.id)
                .group_by(Account.currency)
            ).all()
        )
        assert session.scalar(select(func.count()).select_from(User)) == 4
    assert again == counts

    seed_demo_data(engine, years=2, today=date(2026, 11, 25))  # a day later: only that day
    with session_scope(engine) as session:
        later_total = session.scalar(select(func.count()).select_from(Transaction))
        new_rows = session.scalar(
            select(func.count()).where(Transaction.txn_date == date(2026, 11, 25))
        )
    assert later_total == sum(counts.values()) + new_rows


def test_demo_seed_drops_the_last_week_in_the_landing_folder(engine, tmp_path):
    from ingestion import import_bank_file

    today = date(2026, 11, 24)
    seed_demo_data(engine, years=1, today=today, landing_dir=tmp_path)
    [folder] = [p for p in tmp_path.iterdir() if p.is_dir()]
    [statement] = list(folder.glob("*.csv"))
    assert statement.name == "demo-2026-11-24.csv"
    dates = [line.split(",")[0] for line in statement.read_text().splitlines()[1:]]
    assert dates and min(dates) >= "2026-11-18" and max(dates) <= "2026-11-24"
    account_id = int(folder.name)
    with session_scope(engine) as session:
        before = session.scalar(
            select(func.max(Transaction.txn_date)).where(Transaction.account_id == account_id)
        )
    assert before <= date(2026, 11, 17)
    report = import_bank_file(engine, account_id=account_id, content=statement.read_bytes())
    assert (report.imported, report.duplicates) == (len(dates), 0)
