"""Budgets CRUD, validation and isolation, without a warehouse snapshot (figures: `pending`).

The figures themselves, from the dbt marts through a published snapshot, are tested in
tests/dbt/test_budget_marts.py.
"""

from __future__ import annotations

import pytest

from tests.factories import auth_headers, make_user


@pytest.fixture
def app(app):
    """The app, with the budgets router until api/routers/__init__.py registers it."""
    from api.routers import budgets

    if not any(getattr(route, "path", "") == "/api/budgets" for route in app.routes):
        app.include_router(budgets.router)
    return app


@pytest.fixture
def ada(client, engine) -> dict:
    make_user(engine, email="ada@example.com")
    return auth_headers(client, "ada@example.com")


@pytest.fixture
def kenji(client, engine) -> dict:
    make_user(engine, email="kenji@example.com", base_currency="JPY")
    return auth_headers(client, "kenji@example.com")


def _create(client, headers, **body):
    payload = {"year": 2026, "month": 3, "category": "Groceries", "limit_amount": "500.00"}
    return client.post("/api/budgets", json=payload | body, headers=headers)


def test_create_read_update_delete(client, ada):
    created = _create(client, ada, category="groceries")
    assert created.status_code == 201, created.text
    budget = created.json()
    assert budget | {"id": 0, "created_at": "", "updated_at": ""} == {
        "id": 0,
        "year": 2026,
        "month": 3,
        "category": "Groceries",
        "limit_amount": "500.00",
        "currency": "USD",  # the user's base currency
        # No snapshot has ever been published: no figure is invented.
        "spent_amount": None,
        "remaining": None,
        "percent_used": None,
        "status": "pending",
        "projected_spend": None,
        "as_of": None,
        "created_at": "",
        "updated_at": "",
    }
    assert client.get(f"/api/budgets/{budget['id']}", headers=ada).json() == budget

    progress = client.get(f"/api/budgets/{budget['id']}/progress", headers=ada).json()
    assert progress["status"] == "pending"
    assert progress["transaction_count"] is None
    assert progress["days_elapsed"] is None

    updated = client.put(
        f"/api/budgets/{budget['id']}", json={"limit_amount": "650.5"}, headers=ada
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["limit_amount"] == "650.50"
    assert updated.json()["month"] == 3

    assert client.delete(f"/api/budgets/{budget['id']}", headers=ada).status_code == 204
    assert client.get(f"/api/budgets/{budget['id']}", headers=ada).status_code == 404


def test_limit_defaults_to_the_base_currency_with_its_exponent(client, kenji):
    budget = _create(client, kenji, limit_amount="50000").json()
    assert (budget["currency"], budget["limit_amount"]) == ("JPY", "50000")
    too_precise = _create(client, kenji, category="Dining", limit_amount="50.5")
    assert too_precise.status_code == 422
    assert "more decimal places than JPY allows (0)" in too_precise.json()["detail"]
    usd = _create(client, kenji, category="Dining", currency="usd", limit_amount="12.30")
    assert (usd.json()["currency"], usd.json()["limit_amount"]) == ("USD", "12.30")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"month": 13}, "less than or equal to 12"),
        ({"month": 0}, "greater than or equal to 1"),
        ({"year": 1999}, "greater than or equal to 2000"),
        ({"year": 2101}, "less than or equal to 2100"),
        ({"limit_amount": "0"}, "limit_amount must be greater than 0"),
        ({"limit_amount": "-5.00"}, "limit_amount must be greater than 0"),
        ({"limit_amount": 12.5}, "money must be a decimal string"),
        ({"limit_amount": "12.345"}, "more decimal places than USD allows (2)"),
        ({"currency": "XXX"}, "unknown currency code"),
        ({"category": "Spaceships"}, "unknown category 'Spaceships'"),
        ({"category": "Salary"}, "budgets are for expense categories; 'Salary' is an income"),
        ({"category": "Transfer"}, "'Transfer' is an transfer category"),
    ],
)
def test_invalid_budgets_answer_422(client, ada, body, message):
    response = _create(client, ada, **body)
    assert response.status_code == 422
    assert message in response.text


def test_one_budget_per_category_and_month(client, ada):
    first = _create(client, ada).json()
    duplicate = _create(client, ada, category="GROCERIES", limit_amount="10.00")
    assert duplicate.status_code == 409
    assert duplicate.json() == {
        "detail": "a budget for Groceries in 2026-03 already exists "
        "(one per category and month; currency USD)"
    }
    other_month = _create(client, ada, month=4).json()
    moved = client.put(f"/api/budgets/{other_month['id']}", json={"month": 3}, headers=ada)
    assert moved.status_code == 409
    assert moved.json()["detail"].startswith("a budget for Groceries in 2026-03 already exists")
    # the refused update changed nothing
    assert client.get(f"/api/budgets/{other_month['id']}", headers=ada).json()["month"] == 4
    assert (
        client.put(f"/api/budgets/{first['id']}", json={"month": 3}, headers=ada).status_code == 200
    )
    null_field = client.put(f"/api/budgets/{first['id']}", json={"category": None}, headers=ada)
    assert null_field.status_code == 422


def test_list_pages_and_filters_and_month_view(client, ada):
    ids = [
        _create(client, ada, category=category, month=month).json()["id"]
        for category, month in [("Groceries", 3), ("Dining", 3), ("Groceries", 4), ("Travel", 3)]
    ]
    first = client.get("/api/budgets?limit=3", headers=ada).json()
    assert [b["id"] for b in first["items"]] == ids[:3]
    rest = client.get(f"/api/budgets?limit=3&cursor={first['next_cursor']}", headers=ada).json()
    assert [b["id"] for b in rest["items"]] == ids[3:]
    assert rest["next_cursor"] is None
    april = client.get("/api/budgets?month=4", headers=ada).json()["items"]
    assert [b["id"] for b in april] == [ids[2]]

    march = client.get("/api/budgets/month/2026/3", headers=ada)
    assert march.status_code == 200
    body = march.json()
    assert (body["year"], body["month"], body["as_of"]) == (2026, 3, None)
    assert [b["category"] for b in body["items"]] == ["Dining", "Groceries", "Travel"]
    assert client.get("/api/budgets/month/2025/3", headers=ada).json()["items"] == []
    assert client.get("/api/budgets/month/2026/13", headers=ada).status_code == 422
    assert client.get("/api/budgets/month/1999/1", headers=ada).status_code == 422
    assert client.get("/api/budgets?cursor=%%%", headers=ada).status_code == 400


def test_another_users_budget_is_not_found(client, engine, ada):
    budget = _create(client, ada).json()
    make_user(engine, email="eve@example.com")
    eve = auth_headers(client, "eve@example.com")
    for method, path, body in [
        ("get", f"/api/budgets/{budget['id']}", None),
        ("get", f"/api/budgets/{budget['id']}/progress", None),
        ("put", f"/api/budgets/{budget['id']}", {"limit_amount": "1.00"}),
        ("delete", f"/api/budgets/{budget['id']}", None),
    ]:
        response = client.request(method, path, json=body, headers=eve)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"detail": "budget not found"}
    assert client.get("/api/budgets", headers=eve).json()["items"] == []
    assert client.get("/api/budgets/month/2026/3", headers=eve).json()["items"] == []
    # Eve may have her own Groceries budget for the same month.
    assert _create(client, eve).status_code == 201
    assert (
        client.get(f"/api/budgets/{budget['id']}", headers=ada).json()["limit_amount"] == "500.00"
    )
    assert client.get("/api/budgets").status_code == 401
