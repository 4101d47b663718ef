"""Accounts CRUD: masking, exact balances, partial updates, deletion with transactions."""

from __future__ import annotations

import pytest

from tests.factories import auth_headers, make_user


@pytest.fixture
def ada(client, engine) -> dict:
    make_user(engine, email="ada@example.com")
    return auth_headers(client, "ada@example.com")


def _create(client, headers, **overrides) -> dict:
    body = {
        "bank_name": "Chase",
        "account_type": "checking",
        "currency": "usd",
        "account_number": "0001-2345-6789",
        "balance": "2500.10",
        **overrides,
    }
    response = client.post("/api/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_keeps_only_the_last_four_digits_and_the_exact_balance(client, ada):
    account = _create(client, ada)
    assert account["masked_account"] == "****6789"
    assert account["currency"] == "USD"
    assert account["balance"] == "2500.10"
    assert "0001" not in str(account)
    assert client.get(f"/api/accounts/{account['id']}", headers=ada).json() == account


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"balance": 12.5}, "not a JSON number"),
        ({"balance": "12.345"}, "more decimal places than USD allows"),
        ({"currency": "JPY", "balance": "100.5"}, "more decimal places than JPY allows"),
        ({"currency": "ZZZ"}, "unknown currency code"),
        ({"account_type": "piggy_bank"}, "checking"),
        ({"account_number": "12"}, "4 to 34"),
        ({"balance": "NaN"}, "finite"),
    ],
)
def test_create_rejects_bad_input_with_a_clear_error(client, ada, overrides, message):
    body = {"bank_name": "Chase", "account_type": "checking", "currency": "USD", **overrides}
    response = client.post("/api/accounts", json=body, headers=ada)
    assert response.status_code == 422
    assert message in response.text
    assert client.get("/api/accounts", headers=ada).json()["items"] == []


def test_balances_in_zero_and_three_decimal_currencies_are_exact(client, ada):
    yen = _create(client, ada, currency="JPY", balance="150000")
    dinar = _create(client, ada, currency="KWD", balance="10.125")
    assert yen["balance"] == "150000"
    assert dinar["balance"] == "10.125"


def test_balance_is_opening_plus_transactions_and_can_be_corrected(client, ada):
    account = _create(client, ada, balance="100.00")
    for amount in ("0.10", "0.20", "-50.05"):
        response = client.post(
            "/api/transactions",
            json={
                "account_id": account["id"],
                "txn_date": "2026-01-02",
                "amount": amount,
                "description": "x",
            },
            headers=ada,
        )
        assert response.status_code == 201
    # 100.00 + 0.10 + 0.20 - 50.05 = 50.25 exactly (a float sum would give 50.24999...)
    assert client.get(f"/api/accounts/{account['id']}", headers=ada).json()["balance"] == "50.25"

    corrected = client.put(
        f"/api/accounts/{account['id']}", json={"balance": "75.00"}, headers=ada
    ).json()
    assert corrected["balance"] == "75.00"
    # A later transaction moves the corrected balance: 75.00 - 5.00 = 70.00
    client.post(
        "/api/transactions",
        json={
            "account_id": account["id"],
            "txn_date": "2026-01-03",
            "amount": "-5",
            "description": "y",
        },
        headers=ada,
    )
    assert client.get(f"/api/accounts/{account['id']}", headers=ada).json()["balance"] == "70.00"


def test_update_is_partial(client, ada):
    account = _create(client, ada)
    updated = client.put(
        f"/api/accounts/{account['id']}", json={"bank_name": "Chase Sapphire"}, headers=ada
    ).json()
    assert updated["bank_name"] == "Chase Sapphire"
    assert updated["account_type"] == "checking"
    assert updated["masked_account"] == "****6789"
    assert updated["balance"] == "2500.10"
    refused = client.put(f"/api/accounts/{account['id']}", json={"currency": "EUR"}, headers=ada)
    assert refused.status_code == 422


def test_delete_removes_the_account_and_its_transactions(client, ada):
    account = _create(client, ada)
    txn = client.post(
        "/api/transactions",
        json={
            "account_id": account["id"],
            "txn_date": "2026-01-02",
            "amount": "-1.00",
            "description": "coffee",
        },
        headers=ada,
    ).json()
    assert client.delete(f"/api/accounts/{account['id']}", headers=ada).status_code == 204
    assert client.get(f"/api/accounts/{account['id']}", headers=ada).status_code == 404
    assert client.get(f"/api/transactions/{txn['id']}", headers=ada).status_code == 404
    assert client.get("/api/transactions", headers=ada).json()["items"] == []


def test_list_is_keyset_paginated(client, ada):
    ids = [_create(client, ada, bank_name=f"Bank {n}")["id"] for n in range(5)]
    first = client.get("/api/accounts?limit=2", headers=ada).json()
    assert [a["id"] for a in first["items"]] == ids[:2]
    second = client.get(f"/api/accounts?limit=2&cursor={first['next_cursor']}", headers=ada).json()
    assert [a["id"] for a in second["items"]] == ids[2:4]
    third = client.get(f"/api/accounts?limit=2&cursor={second['next_cursor']}", headers=ada).json()
    assert [a["id"] for a in third["items"]] == ids[4:]
    assert third["next_cursor"] is None
    assert client.get("/api/accounts?cursor=garbage", headers=ada).status_code == 400
    assert client.get("/api/accounts?limit=501", headers=ada).status_code == 422
