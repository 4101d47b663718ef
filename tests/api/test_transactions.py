"""Transactions: manual entry, money exactness, every filter, keyset pagination under inserts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from ledger.models import Transaction
from tests.factories import auth_headers, make_account, make_user


@pytest.fixture
def ada(client, engine) -> dict:
    user = make_user(engine, email="ada@example.com")
    usd = make_account(engine, user, currency="USD")
    jpy = make_account(engine, user, currency="JPY", bank_name="MUFG")
    return {
        "headers": auth_headers(client, "ada@example.com"),
        "usd": usd.id,
        "jpy": jpy.id,
        "user_id": user.id,
    }


def _post(client, ada, **body):
    return client.post("/api/transactions", json=body, headers=ada["headers"])


def test_manual_transaction_round_trips_exactly(client, ada):
    response = _post(
        client,
        ada,
        account_id=ada["usd"],
        txn_date="2026-02-28",
        amount="-1234.56",
        description="  Rent February ",
        merchant="Landlord",
        category="housing",
    )
    assert response.status_code == 201, response.text
    txn = response.json()
    assert txn["amount"] == "-1234.56"
    assert txn["currency"] == "USD"
    assert txn["txn_type"] == "debit"
    assert txn["source"] == "manual"
    assert txn["description"] == "Rent February"
    assert txn["category"] == "Housing"
    assert client.get(f"/api/transactions/{txn['id']}", headers=ada["headers"]).json() == txn

    credit = _post(
        client, ada, account_id=ada["jpy"], txn_date="2026-03-01", amount="5000", description="Gift"
    ).json()
    assert credit["amount"] == "5000"
    assert credit["txn_type"] == "credit"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"amount": -12.5}, 422, "not a JSON number"),
        ({"amount": "1.005"}, 422, "more decimal places than USD allows"),
        ({"amount": "abc"}, 422, "amount"),
        ({"txn_date": "2026-02-30"}, 422, "txn_date"),
        ({"category": "Yachts"}, 422, "unknown category 'Yachts'"),
        ({"account_id": 999999}, 404, "account not found"),
        ({"description": ""}, 422, "description"),
    ],
)
def test_manual_transaction_rejects_bad_input_and_stores_nothing(
    client, ada, body, status, message
):
    base = {
        "account_id": ada["usd"],
        "txn_date": "2026-02-01",
        "amount": "-1.00",
        "description": "x",
    }
    response = client.post("/api/transactions", json={**base, **body}, headers=ada["headers"])
    assert response.status_code == status
    assert message in response.text
    assert client.get("/api/transactions", headers=ada["headers"]).json()["items"] == []


def _seed(engine, ada, rows):
    """rows: (account key, date, amount_minor, description, merchant, category)"""
    with engine.begin() as conn:
        conn.execute(
            insert(Transaction),
            [
                {
                    "user_id": ada["user_id"],
                    "account_id": ada[acct],
                    "source": "csv",
                    "source_key": f"k{n}",
                    "txn_date": day,
                    "description": desc,
                    "merchant": merchant,
                    "category": category,
                    "amount_minor": minor,
                    "currency": "USD" if acct == "usd" else "JPY",
                    "is_pending": False,
                }
                for n, (acct, day, minor, desc, merchant, category) in enumerate(rows)
            ],
        )


FIXTURE_ROWS = [
    ("usd", date(2026, 1, 5), -4599, "WHOLE FOODS #123", "Whole Foods", "Groceries"),
    ("usd", date(2026, 1, 9), 250000, "ACME PAYROLL", "Acme", "Salary"),
    ("usd", date(2026, 1, 12), -1250, "Coffee 100% arabica", "Blue_Bottle", "Dining"),
    ("usd", date(2026, 2, 1), -150000, "Rent", None, "Housing"),
    ("jpy", date(2026, 1, 20), -1200, "Ramen", "Ichiran", "Dining"),
    ("jpy", date(2026, 2, 3), -99, "Snack", "Lawson", None),
]


def _descriptions(client, ada, query: str) -> list[str]:
    response = client.get(f"/api/transactions?{query}", headers=ada["headers"])
    assert response.status_code == 200, response.text
    return [t["description"] for t in response.json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Snack", "Rent", "Ramen", "Coffee 100% arabica", "ACME PAYROLL", "WHOLE FOODS #123"]),
        ("account_id={jpy}", ["Snack", "Ramen"]),
        (
            "start_date=2026-01-09&end_date=2026-01-20",
            ["Ramen", "Coffee 100% arabica", "ACME PAYROLL"],
        ),
        # compared in each currency's own units: -99 JPY and -45.99 USD are both <= -12.50, and
        # -12.50 itself is included
        (
            "max_amount=-12.50",
            ["Snack", "Rent", "Ramen", "Coffee 100% arabica", "WHOLE FOODS #123"],
        ),
        ("max_amount=-12.51", ["Snack", "Rent", "Ramen", "WHOLE FOODS #123"]),
        ("min_amount=-99&max_amount=0", ["Snack", "Coffee 100% arabica", "WHOLE FOODS #123"]),
        ("min_amount=2500.00", ["ACME PAYROLL"]),
        ("merchant=whole", ["WHOLE FOODS #123"]),
        ("merchant=_", ["Coffee 100% arabica"]),  # underscore is literal, not a wildcard
        ("category=Dining", ["Ramen", "Coffee 100% arabica"]),
        ("q=100%25", ["Coffee 100% arabica"]),  # percent is literal too
        ("q=foods&account_id={usd}", ["WHOLE FOODS #123"]),
        ("q=nothing-matches", []),
    ],
)
def test_every_filter(client, engine, ada, query, expected):
    _seed(engine, ada, FIXTURE_ROWS)
    assert _descriptions(client, ada, query.format(**ada)) == expected


def test_amount_filter_rejects_a_float_looking_garbage_value(client, ada):
    response = client.get("/api/transactions?min_amount=abc", headers=ada["headers"])
    assert response.status_code == 422


def test_pagination_is_stable_while_rows_are_added(client, engine, ada):
    start = date(2025, 1, 1)
    rows = [
        ("usd", start + timedelta(days=n // 3), -(n + 1), f"t{n}", None, None) for n in range(30)
    ]
    _seed(engine, ada, rows)
    seen: list[str] = []
    cursor = None
    page_number = 0
    while True:
        query = "limit=7" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/transactions?{query}", headers=ada["headers"]).json()
        seen += [t["description"] for t in page["items"]]
        page_number += 1
        if page_number == 2:
            # New rows arrive mid-walk: newer ones (above the cursor) and one on an already-seen
            # date. Neither may shift the pages still to come.
            _post(
                client,
                ada,
                account_id=ada["usd"],
                txn_date="2026-06-01",
                amount="-1",
                description="new-newest",
            )
            _post(
                client,
                ada,
                account_id=ada["usd"],
                txn_date="2025-01-10",
                amount="-1",
                description="new-same-day-as-page-one",
            )
        cursor = page["next_cursor"]
        if cursor is None:
            break
    originals = [d for d in seen if d.startswith("t")]
    assert len(originals) == 30
    assert len(set(originals)) == 30
    assert "new-newest" not in seen


def test_bad_cursor_and_limit_are_rejected(client, ada):
    assert client.get("/api/transactions?cursor=%%%", headers=ada["headers"]).status_code == 400
    assert client.get("/api/transactions?limit=0", headers=ada["headers"]).status_code == 422
    assert client.get("/api/transactions?limit=501", headers=ada["headers"]).status_code == 422


def test_a_manual_transaction_without_category_gets_the_rules_category(client, ada):
    rule = client.post(
        "/api/categories/rules",
        json={"category": "Entertainment", "keyword_pattern": "cinema", "priority": 1},
        headers=ada["headers"],
    ).json()
    by_rule = _post(
        client,
        ada,
        account_id=ada["usd"],
        txn_date="2026-02-01",
        amount="-12.00",
        description="Corner Cinema",
    ).json()
    assert by_rule["category"] == "Entertainment"
    history = client.get(
        f"/api/transactions/{by_rule['id']}/category-history", headers=ada["headers"]
    ).json()["items"]
    assert [(h["to_category"], h["changed_by"], h["rule_id"]) for h in history] == [
        ("Entertainment", "rule", rule["id"])
    ]
    by_hand = _post(
        client,
        ada,
        account_id=ada["usd"],
        txn_date="2026-02-01",
        amount="-12.00",
        description="Corner Cinema",
        category="Gifts & Donations",
    ).json()
    assert by_hand["category"] == "Gifts & Donations"  # a category given by hand wins
    unmatched = _post(
        client, ada, account_id=ada["usd"], txn_date="2026-02-01", amount="-1.00", description="zzz"
    ).json()
    assert unmatched["category"] is None
