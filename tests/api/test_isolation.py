"""Every user sees only their own data: each route that takes an object id answers 404 to
another user, and changes nothing. The matrix is built from the app's own routes, so a new route
with an id fails this test until it is listed here."""

from __future__ import annotations

import re

import pytest

from tests.factories import auth_headers, make_user

# A valid body for each route that needs one (so a 404 cannot hide behind a 422).
BODIES: dict[tuple[str, str], dict] = {
    ("PUT", "/api/accounts/{account_id}"): {"bank_name": "Stolen"},
    ("PUT", "/api/categories/rules/{rule_id}"): {"priority": 1},
    ("PUT", "/api/budgets/{budget_id}"): {"limit_amount": "1.00"},
    ("PUT", "/api/transactions/{transaction_id}/category"): {"category": "Travel"},
}
# Routes whose path parameters are not object ids (another user's answer is their own, empty).
NOT_OBJECT_ROUTES = {("GET", "/api/budgets/month/{year}/{month}")}


@pytest.fixture
def owner_objects(client, engine) -> dict:
    """Ada's objects, created through the API; returns the ids by path-parameter name."""
    make_user(engine, email="ada@example.com")
    ada = auth_headers(client, "ada@example.com")
    account = client.post(
        "/api/accounts",
        json={
            "bank_name": "Ada Bank",
            "account_type": "checking",
            "currency": "USD",
            "balance": "100.00",
        },
        headers=ada,
    ).json()
    txn = client.post(
        "/api/transactions",
        json={
            "account_id": account["id"],
            "txn_date": "2026-01-02",
            "amount": "-9.99",
            "description": "Ada's lunch",
        },
        headers=ada,
    ).json()
    rule = client.post(
        "/api/categories/rules",
        json={"category": "Dining", "keyword_pattern": "cafe"},
        headers=ada,
    ).json()
    budget = client.post(
        "/api/budgets",
        json={"year": 2026, "month": 3, "category": "Groceries", "limit_amount": "500.00"},
        headers=ada,
    ).json()
    return {
        "headers": ada,
        "account_id": account["id"],
        "transaction_id": txn["id"],
        "rule_id": rule["id"],
        "budget_id": budget["id"],
    }


def _everything(client, headers) -> dict:
    """What the owner can see of their data, to prove another user's calls changed nothing."""
    return {
        path: client.get(path, headers=headers).json()
        for path in ("/api/accounts", "/api/transactions", "/api/categories/rules", "/api/budgets")
    }


def _id_routes(app) -> list[tuple[str, str]]:
    """(METHOD, path) of every documented route whose path carries an id."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if "{" in path
        for method in operations
        if (method.upper(), path) not in NOT_OBJECT_ROUTES
    ]


def test_every_route_with_an_id_answers_404_to_another_user(client, engine, owner_objects):
    make_user(engine, email="eve@example.com")
    eve = auth_headers(client, "eve@example.com")
    ada = owner_objects["headers"]
    before = _everything(client, ada)
    routes = _id_routes(client.app)
    assert routes, "no routes with ids found"
    for method, path in routes:
        params = re.findall(r"{(\w+)}", path)
        missing = [p for p in params if p not in owner_objects]
        assert not missing, f"{method} {path}: add an owner object for {missing} to this test"
        url = path.format(**{p: owner_objects[p] for p in params})
        response = client.request(method, url, json=BODIES.get((method, path)), headers=eve)
        assert response.status_code == 404, f"{method} {path} answered {response.status_code}"
        assert "not found" in response.json()["detail"]
    assert _everything(client, ada) == before


def test_ids_in_bodies_and_filters_are_scoped_too(client, engine, owner_objects):
    make_user(engine, email="eve@example.com")
    eve = auth_headers(client, "eve@example.com")
    account_id = owner_objects["account_id"]
    stolen = client.post(
        "/api/transactions",
        json={
            "account_id": account_id,
            "txn_date": "2026-01-02",
            "amount": "1000.00",
            "description": "into Ada's account",
        },
        headers=eve,
    )
    assert stolen.status_code == 404
    assert client.get("/api/accounts", headers=eve).json()["items"] == []
    listed = client.get(f"/api/transactions?account_id={account_id}", headers=eve).json()
    assert listed["items"] == []
    assert client.get("/api/transactions", headers=eve).json()["items"] == []
