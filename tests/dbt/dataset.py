"""A small fixed dataset, the real dbt build on it, and the published snapshot, for the tests of
the warehouse, the insights API and the notebooks. Figures worked out by hand are in the tests.

Two users. as_of_date is 2024-03-31.
alice  A1 checking USD, opening 1000.00      bob  B1 checking USD, opening 50.00
       A2 savings  USD, opening 0
       A3 credit_card USD, opening 0
       A4 checking JPY, opening 0
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, text

from ledger.db import make_engine, session_scope
from ledger.models import Account, Transaction
from ledger.settings import Settings
from ledger.warehouse import SnapshotInfo, publish_snapshot, run_dbt
from tests.factories import make_account, make_user

AS_OF_DATE = "2024-03-31"
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789abcdef"

# key: (account, date, amount_minor, description, merchant, category)
TRANSACTIONS = {
    "a_salary_jan": ("A1", date(2024, 1, 5), 300000, "ACME payroll", None, "Salary"),
    "a_lidl_jan": ("A1", date(2024, 1, 10), -12050, "LIDL 123", "Lidl", "Groceries"),
    "a_to_savings": ("A1", date(2024, 1, 15), -50000, "To savings", None, None),
    "a_cafe_jan": ("A1", date(2024, 1, 20), -4525, "Cafe Rio", "Cafe Rio", "Dining"),
    "a_salary_feb": ("A1", date(2024, 2, 5), 300000, "ACME payroll", None, "Salary"),
    "a_lidl_feb": ("A1", date(2024, 2, 10), -8000, "LIDL 123", "Lidl", "Groceries"),
    "a_card_payment": ("A1", date(2024, 2, 12), -20000, "Card pmt", None, "Credit Card Payment"),
    "a_salary_mar": ("A1", date(2024, 3, 5), 300000, "ACME payroll", None, "Salary"),
    "a_lidl_mar": ("A1", date(2024, 3, 8), -6000, "LIDL 123", "Lidl", "Groceries"),
    "a_rent_mar": ("A1", date(2024, 3, 20), -30000, "Rent share", "Landlord", "Housing"),
    "a_from_checking": ("A2", date(2024, 1, 16), 50000, "From checking", None, None),
    "a_amazon_feb": ("A3", date(2024, 2, 1), -15000, "AMZN Mktp", "Amazon", "Shopping"),
    "a_card_paid": ("A3", date(2024, 2, 12), 20000, "Payment received", None, None),
    "a_sushi_mar": ("A4", date(2024, 3, 10), -5000, "Sushi Zen", "Sushi Zen", "Dining"),
    "b_salary_jan": ("B1", date(2024, 1, 3), 100000, "Payroll", None, "Salary"),
    "b_cash_jan": ("B1", date(2024, 1, 4), -50000, "ATM withdrawal", None, None),
    "b_lidl_mar": ("B1", date(2024, 3, 15), -2000, "LIDL 9", "Lidl", "Groceries"),
}


@dataclass
class Dataset:
    user_ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    account_ids: dict[str, int] = field(default_factory=dict)
    transaction_ids: dict[str, int] = field(default_factory=dict)


def load_dataset(engine: Engine) -> Dataset:
    dataset = Dataset()
    suffix = uuid.uuid4().hex[:6]
    users = {
        name: make_user(engine, email=f"{name}-{suffix}@example.com", name=name.title())
        for name in ("alice", "bob")
    }
    dataset.user_ids = {name: user.id for name, user in users.items()}
    dataset.emails = {name: user.email for name, user in users.items()}
    alice, bob = users["alice"], users["bob"]
    accounts = {
        "A1": make_account(engine, alice, opening_balance_minor=100000),
        "A2": make_account(engine, alice, account_type="savings"),
        "A3": make_account(engine, alice, account_type="credit_card"),
        "A4": make_account(engine, alice, currency="JPY"),
        "B1": make_account(engine, bob, opening_balance_minor=5000),
    }
    dataset.account_ids = {key: account.id for key, account in accounts.items()}
    with session_scope(engine) as session:
        for key, row in TRANSACTIONS.items():
            transaction = _transaction(key, row, accounts)
            session.add(transaction)
            session.flush()
            dataset.transaction_ids[key] = transaction.id
    return dataset


def _transaction(key: str, row: tuple, accounts: dict[str, Account]) -> Transaction:
    account_key, txn_date, amount_minor, description, merchant, category = row
    account = accounts[account_key]
    return Transaction(
        user_id=account.user_id,
        account_id=account.id,
        source="manual",
        source_key=key,
        txn_date=txn_date,
        description=description,
        merchant=merchant,
        category=category,
        category_source="manual" if category else None,
        amount_minor=amount_minor,
        currency=account.currency,
    )


def apply_changes(engine: Engine, dataset: Dataset) -> None:
    """What happens between two builds: an insert, a re-categorisation, a delete, a closed account.

    The category changes by plain SQL, which does not touch updated_at: the incremental mart
    must notice it anyway.
    """
    with session_scope(engine) as session:
        bob_account = session.get(Account, dataset.account_ids["B1"])
        row = ("B1", date(2024, 3, 25), -3000, "LIDL 9", "Lidl", "Groceries")
        transaction = _transaction("b_lidl_mar_2", row, {"B1": bob_account})
        session.add(transaction)
        session.flush()
        dataset.transaction_ids["b_lidl_mar_2"] = transaction.id
        session.execute(
            text("update transactions set category = 'Transfer' where id = :id"),
            {"id": dataset.transaction_ids["a_rent_mar"]},
        )
        session.execute(
            delete(Transaction).where(Transaction.id == dataset.transaction_ids["a_cafe_jan"])
        )
        session.execute(delete(Account).where(Account.id == dataset.account_ids["A4"]))


# The budgets marts are another engineer's, tested by their own tests.
EXCLUDE = "path:models/marts/budgets"


def build(settings: Settings, command: str = "build") -> None:
    """The real dbt build (models, data tests and unit tests) of the project."""
    variables = json.dumps({"as_of_date": AS_OF_DATE})
    run_dbt(settings, command, "--vars", variables, "--exclude", EXCLUDE)


def build_and_publish(settings: Settings) -> SnapshotInfo:
    build(settings)
    return publish_snapshot(settings.warehouse_path, settings.serving_dir)


@dataclass
class BuiltStore:
    """One ops store with the dataset, built and published before and after `apply_changes`."""

    kind: str
    settings: Settings
    dataset: Dataset
    before: SnapshotInfo
    after: SnapshotInfo
    full_refresh_warehouse: Path


def settings_for(ops_url: str, directory: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=ops_url,
        secret_key=TEST_SECRET_KEY,
        warehouse_path=directory / "warehouse.duckdb",
        serving_dir=directory / "serving",
        landing_dir=directory / "landing",
        duckdb_extension_dir=directory.parent / "duckdb_extensions",
    )


def fresh_ops_url(request: pytest.FixtureRequest, directory: Path) -> tuple[str, object | None]:
    """A fresh migrated store from the session templates of tests/conftest.py."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_template").fresh_url(directory), None
    template = request.getfixturevalue("postgres_template")
    if template is None:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL to run this on PostgreSQL")
    return template.fresh_url(directory), template


def built_store(request: pytest.FixtureRequest, directory: Path):
    """Generator body of a module-scoped fixture: load, build, publish, change, build, publish;
    plus a full-refresh build of the changed store to compare the incremental result with."""
    ops_url, template = fresh_ops_url(request, directory)
    engine = make_engine(ops_url)
    try:
        settings = settings_for(ops_url, directory)
        dataset = load_dataset(engine)
        before = build_and_publish(settings)
        apply_changes(engine, dataset)
        after = build_and_publish(settings)
        full_refresh = settings.model_copy(
            update={"warehouse_path": directory / "full-refresh.duckdb"}
        )
        build(full_refresh, "run")  # a first run into a new file builds everything from scratch
        yield BuiltStore(
            kind=request.param,
            settings=settings,
            dataset=dataset,
            before=before,
            after=after,
            full_refresh_warehouse=full_refresh.warehouse_path,
        )
    finally:
        engine.dispose()
        if template is not None:
            template.drop(ops_url)


def published_store(request: pytest.FixtureRequest, directory: Path):
    """Generator body of a module-scoped fixture: the dataset, built and published once."""
    ops_url, template = fresh_ops_url(request, directory)
    engine = make_engine(ops_url)
    try:
        settings = settings_for(ops_url, directory)
        dataset = load_dataset(engine)
        snapshot = build_and_publish(settings)
        yield settings, dataset, snapshot
    finally:
        engine.dispose()
        if template is not None:
            template.drop(ops_url)
