"""Budget figures end to end: ops rows -> real dbt build -> published snapshot -> the budgets API.

as_of_date is 2024-03-15 (March 2024 is the current month, 15 of its 31 days elapsed; February
2024 is over and has 29 days). Amounts in USD unless said. Hand-worked figures are in the tests.
The dbt unit tests of the budget marts (exact 80 % / 100 %, refunds, transfers, month
boundaries, projection, alerts) run inside the same build.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ledger.db import make_engine, session_scope
from ledger.models import Budget, Transaction, User
from ledger.settings import Settings
from ledger.warehouse import SnapshotInfo, publish_snapshot, run_dbt
from tests.dbt.dataset import fresh_ops_url, settings_for
from tests.factories import auth_headers, make_account, make_user
from tests.stores import PostgresTemplate

AS_OF_DATE = "2024-03-15"

# key: (account, date, amount_minor, description, category, category_source)
TRANSACTIONS = {
    # Groceries: January 31 belongs to January; February = 150.00 + 250.00 - 20.00 refund.
    "g_jan_31": ("A1", date(2024, 1, 31), -10000, "LIDL", "Groceries", "rule"),
    "g_feb_01": ("A1", date(2024, 2, 1), -15000, "LIDL", "Groceries", "rule"),
    "g_feb_29": ("A1", date(2024, 2, 29), -25000, "LIDL", "Groceries", "manual"),
    "g_feb_refund": ("A1", date(2024, 2, 20), 2000, "LIDL refund", "Groceries", "manual"),
    # A rule called this Groceries, but it has an equal and opposite leg in savings two days
    # later: a transfer between own accounts, which never counts as spending.
    "g_feb_transfer_out": ("A1", date(2024, 2, 10), -40000, "ONLINE PMT", "Groceries", "rule"),
    "g_feb_transfer_in": ("A2", date(2024, 2, 12), 40000, "FROM CHECKING", None, None),
    # Dining February: 200.00 + 100.00 = 300.00.
    "d_feb_1": ("A1", date(2024, 2, 5), -20000, "Cafe", "Dining", "manual"),
    "d_feb_2": ("A1", date(2024, 2, 6), -10000, "Cafe", "Dining", "manual"),
    # Transport February: 300.01.
    "t_feb": ("A1", date(2024, 2, 7), -30001, "Train pass", "Transport", "manual"),
    # Groceries March (current month): 99.00 + 21.00 = 120.00.
    "g_mar_01": ("A1", date(2024, 3, 1), -9900, "LIDL", "Groceries", "rule"),
    "g_mar_10": ("A1", date(2024, 3, 10), -2100, "LIDL", "Groceries", "rule"),
    # Dining March: 45.00 (for the budget created after the build).
    "d_mar": ("A1", date(2024, 3, 3), -4500, "Cafe", "Dining", "manual"),
    # Travel in March: 50.00 EUR on the EUR account, and 10.00 USD that the EUR budget ignores.
    "tr_mar_eur": ("E1", date(2024, 3, 5), -5000, "DB Bahn", "Travel", "rule"),
    "tr_mar_usd": ("A1", date(2024, 3, 6), -1000, "Amtrak", "Travel", "manual"),
    # Bob's groceries never count for Alice.
    "bob_feb": ("B1", date(2024, 2, 10), -100000, "LIDL", "Groceries", "manual"),
}

# key: (user, year, month, category, limit_minor, currency)
BUDGETS = {
    "groceries_feb": ("alice", 2024, 2, "Groceries", 47500, "USD"),
    "dining_feb": ("alice", 2024, 2, "Dining", 30000, "USD"),
    "transport_feb": ("alice", 2024, 2, "Transport", 30000, "USD"),
    "groceries_mar": ("alice", 2024, 3, "Groceries", 40000, "USD"),
    "travel_mar_eur": ("alice", 2024, 3, "Travel", 6000, "EUR"),
    "shopping_apr": ("alice", 2024, 4, "Shopping", 5000, "USD"),
    "bob_groceries_feb": ("bob", 2024, 2, "Groceries", 50000, "USD"),
}


@dataclass
class BuiltBudgets:
    settings: Settings
    engine: Engine
    snapshot: SnapshotInfo
    users: dict[str, User]
    budget_ids: dict[str, int]


def _load(engine: Engine) -> tuple[dict[str, User], dict[str, int]]:
    users = {
        "alice": make_user(engine, email="alice@example.com"),
        "bob": make_user(engine, email="bob@example.com"),
    }
    accounts = {
        "A1": make_account(engine, users["alice"]),
        "A2": make_account(engine, users["alice"], account_type="savings"),
        "E1": make_account(engine, users["alice"], currency="EUR"),
        "B1": make_account(engine, users["bob"]),
    }
    budget_ids: dict[str, int] = {}
    with session_scope(engine) as session:
        for key, (
            account_key,
            txn_date,
            amount_minor,
            text,
            category,
            source,
        ) in TRANSACTIONS.items():
            account = accounts[account_key]
            session.add(
                Transaction(
                    user_id=account.user_id,
                    account_id=account.id,
                    source="manual",
                    source_key=key,
                    txn_date=txn_date,
                    description=text,
                    category=category,
                    category_source=source,
                    amount_minor=amount_minor,
                    currency=account.currency,
                )
            )
        for key, (user_key, year, month, category, limit_minor, currency) in BUDGETS.items():
            budget = Budget(
                user_id=users[user_key].id,
                year=year,
                month=month,
                category=category,
                limit_minor=limit_minor,
                currency=currency,
            )
            session.add(budget)
            session.flush()
            budget_ids[key] = budget.id
    return users, budget_ids


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp(f"budgets-{request.param}")
    ops_url, template = fresh_ops_url(request, directory)
    engine = make_engine(ops_url)
    try:
        settings = settings_for(ops_url, directory)
        users, budget_ids = _load(engine)
        # Models, data tests and unit tests of the budget marts and everything they build on.
        run_dbt(
            settings,
            "build",
            "--select",
            "+path:models/marts/budgets",
            "--indirect-selection",
            "cautious",
            "--vars",
            json.dumps({"as_of_date": AS_OF_DATE}),
        )
        snapshot = publish_snapshot(settings.warehouse_path, settings.serving_dir)
        yield BuiltBudgets(settings, engine, snapshot, users, budget_ids)
    finally:
        engine.dispose()
        if isinstance(template, PostgresTemplate):
            template.drop(ops_url)


@pytest.fixture
def client(built: BuiltBudgets):
    from api.main import create_app
    from api.routers import budgets

    app = create_app(built.settings)
    if not any(getattr(route, "path", "") == "/api/budgets" for route in app.routes):
        app.include_router(budgets.router)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


@pytest.fixture
def alice(client: TestClient) -> dict:
    return auth_headers(client, "alice@example.com")


def _get(client: TestClient, headers: dict, built: BuiltBudgets, key: str) -> dict:
    response = client.get(f"/api/budgets/{built.budget_ids[key]}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _figures(budget: dict) -> tuple:
    return (
        budget["limit_amount"],
        budget["spent_amount"],
        budget["remaining"],
        budget["percent_used"],
        budget["status"],
        budget["projected_spend"],
    )


def test_exactly_80_percent_with_refund_transfer_and_month_boundaries(client, alice, built):
    budget = _get(client, alice, built, "groceries_feb")
    # February Groceries: 150.00 + 250.00 (Feb 29) - 20.00 refund = 380.00. Not counted: the
    # Jan 31 purchase (January), the 400.00 transfer leg (paired with savings), Mar 1 (March),
    # Bob's 1000.00. 380.00 / 475.00 = 0.8 exactly -> 80.00 %, a warning. February is over,
    # so the projection is the actual spend.
    assert _figures(budget) == ("475.00", "380.00", "95.00", "80.00", "warning", "380.00")
    assert budget["as_of"] is not None
    assert budget["as_of"].startswith(built.snapshot.built_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_exactly_100_percent_is_a_warning_and_one_cent_more_is_exceeded(client, alice, built):
    dining = _get(client, alice, built, "dining_feb")
    # 200.00 + 100.00 = 300.00 of 300.00 -> 100.00 %, remaining 0.00: still a warning.
    assert _figures(dining) == ("300.00", "300.00", "0.00", "100.00", "warning", "300.00")
    transport = _get(client, alice, built, "transport_feb")
    # 300.01 of 300.00: 30001 * 10000 // 30000 = 10000 -> 100.00 % (truncated), exceeded,
    # remaining -0.01.
    assert _figures(transport) == ("300.00", "300.01", "-0.01", "100.00", "exceeded", "300.01")


def test_current_month_projection_and_progress_detail(client, alice, built):
    budget_id = built.budget_ids["groceries_mar"]
    progress = client.get(f"/api/budgets/{budget_id}/progress", headers=alice).json()
    # March: 99.00 + 21.00 = 120.00 of 400.00 -> 30.00 %, ok. 15 of 31 days elapsed:
    # projected 12000 * 31 / 15 = 24800 -> 248.00, still under 80 % (320.00): ok.
    assert _figures(progress) == ("400.00", "120.00", "280.00", "30.00", "ok", "248.00")
    assert progress["outflow_amount"] == "120.00"
    assert progress["refund_amount"] == "0.00"
    assert progress["transaction_count"] == 2
    assert (progress["days_in_month"], progress["days_elapsed"]) == (31, 15)
    assert progress["projected_status"] == "ok"
    assert progress["as_of_date"] == AS_OF_DATE


def test_only_the_budgets_currency_counts(client, alice, built):
    eur = _get(client, alice, built, "travel_mar_eur")
    # Only the 50.00 EUR purchase counts (the 10.00 USD Travel purchase does not): 50.00 of
    # 60.00 EUR -> 5000 * 10000 // 6000 = 8333 -> 83.33 %, a warning; projected
    # 5000 * 31 / 15 = 10333.3 -> 103.33 EUR, above the limit: projected_status exceeded.
    assert _figures(eur) == ("60.00", "50.00", "10.00", "83.33", "warning", "103.33")
    assert eur["currency"] == "EUR"
    progress = client.get(f"/api/budgets/{eur['id']}/progress", headers=alice).json()
    assert progress["projected_status"] == "exceeded"


def test_a_month_not_started_has_no_projection(client, alice, built):
    april = _get(client, alice, built, "shopping_apr")
    assert _figures(april) == ("50.00", "0.00", "50.00", "0.00", "ok", None)


def test_month_view_lists_the_months_budgets_by_category(client, alice, built):
    body = client.get("/api/budgets/month/2024/2", headers=alice).json()
    assert body["as_of"] is not None
    assert [(b["category"], b["status"]) for b in body["items"]] == [
        ("Dining", "warning"),
        ("Groceries", "warning"),
        ("Transport", "exceeded"),
    ]


def test_budget_created_after_the_build_is_pending_with_spend_as_of_the_snapshot(
    client, alice, built
):
    created = client.post(
        "/api/budgets",
        json={"year": 2024, "month": 3, "category": "Dining", "limit_amount": "100.00"},
        headers=alice,
    )
    assert created.status_code == 201, created.text
    budget = created.json()
    # The snapshot knows March Dining spending (45.00) but not this budget: no status, no
    # percentage, no projection until the next refresh. Never a guessed number.
    assert _figures(budget) == ("100.00", "45.00", None, None, "pending", None)
    assert budget["as_of"] is not None
    client.delete(f"/api/budgets/{budget['id']}", headers=alice)

    new_category = client.post(
        "/api/budgets",
        json={"year": 2024, "month": 3, "category": "Health", "limit_amount": "80.00"},
        headers=alice,
    ).json()
    # No Health spending in March as of the build: the spend mart has no row -> 0.00.
    assert _figures(new_category) == ("80.00", "0.00", None, None, "pending", None)
    client.delete(f"/api/budgets/{new_category['id']}", headers=alice)


def test_a_changed_limit_is_pending_until_the_next_build(client, alice, built):
    budget_id = built.budget_ids["shopping_apr"]
    changed = client.put(
        f"/api/budgets/{budget_id}", json={"limit_amount": "60.00"}, headers=alice
    ).json()
    assert _figures(changed) == ("60.00", "0.00", None, None, "pending", None)
    restored = client.put(
        f"/api/budgets/{budget_id}", json={"limit_amount": "50.00"}, headers=alice
    ).json()
    assert restored["status"] == "ok"


def test_another_users_budget_is_not_found_and_not_listed(client, built):
    bob = auth_headers(client, "bob@example.com")
    alices = built.budget_ids["groceries_feb"]
    assert client.get(f"/api/budgets/{alices}", headers=bob).status_code == 404
    assert client.get(f"/api/budgets/{alices}/progress", headers=bob).status_code == 404
    own = client.get("/api/budgets/month/2024/2", headers=bob).json()["items"]
    # Bob: 1000.00 of 500.00 -> 200.00 %, exceeded; Alice's spending is not his.
    assert [(b["category"], b["spent_amount"], b["percent_used"], b["status"]) for b in own] == [
        ("Groceries", "1000.00", "200.00", "exceeded")
    ]


def _mart_rows(snapshot: Path, sql: str, *params: object) -> list[tuple]:
    # A copy: the API's snapshot reader keeps its own connection (its own configuration) open
    # on the published file in this process, and DuckDB refuses a second, different one.
    with tempfile.TemporaryDirectory() as directory:
        copy = Path(directory) / snapshot.name
        shutil.copyfile(snapshot, copy)
        with duckdb.connect(str(copy), read_only=True) as connection:
            return connection.execute(sql, list(params)).fetchall()


def test_alert_candidates_are_the_reference_months_only(built):
    alice_id = built.users["alice"].id
    rows = _mart_rows(
        built.snapshot.path,
        "select alert_type, category, message from marts.mart_budget_alerts "
        "where user_id = ? order by all",
        alice_id,
    )
    # February's warnings and the exceeded Transport budget are past: as of March 15 only the
    # EUR Travel budget of March (83.33 %) is a candidate; Groceries is at 30.00 %.
    assert rows == [
        (
            "budget_warning",
            "Travel",
            "Travel budget for March 2024: 83.33% used (50.00 of 60.00 EUR)",
        )
    ]
    bob_rows = _mart_rows(
        built.snapshot.path,
        "select count(*) from marts.mart_budget_alerts where user_id = ?",
        built.users["bob"].id,
    )
    assert bob_rows == [(0,)]


def test_snapshot_budget_rows_reconcile_with_the_ops_store(built):
    rows = _mart_rows(
        built.snapshot.path,
        "select count(*), count(distinct budget_id) from marts.mart_budget_progress",
    )
    assert rows == [(len(BUDGETS), len(BUDGETS))]
