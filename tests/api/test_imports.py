"""`POST /api/transactions/import` over real HTTP: answers, errors, dry run, ownership, limits."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.factories import auth_headers, make_account, make_user

STATEMENT = (
    b"Date,Description,Amount\n"
    b"2024-01-05,UBER TRIP 8812,-12.30\n"
    b"2024-01-06,ACME PAYROLL,1000.00\n"
    b"2024-01-06,COFFEE,-3.10\n"
    b"2024-01-06,COFFEE,-3.10\n"
)


@pytest.fixture
def ada(client, engine) -> dict:
    user = make_user(engine, email="ada@example.com")
    account = make_account(engine, user, currency="USD")
    return {"headers": auth_headers(client, "ada@example.com"), "account_id": account.id}


def _import(client, ada, content: bytes, **form):
    return client.post(
        "/api/transactions/import",
        files={"file": ("statement.csv", content, "text/csv")},
        data={"account_id": ada["account_id"], **form},
        headers=ada["headers"],
    )


def _amounts(client, ada) -> list[str]:
    items = client.get("/api/transactions", headers=ada["headers"]).json()["items"]
    return sorted(item["amount"] for item in items)


def test_import_then_reimport_adds_nothing_the_second_time(client, ada):
    first = _import(client, ada, STATEMENT)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["rows_read"] == 4
    assert body["imported"] == 4  # the two identical coffees on one day both stay
    assert body["duplicates"] == 0
    assert body["dry_run"] is False
    assert _amounts(client, ada) == ["-12.30", "-3.10", "-3.10", "1000.00"]

    again = _import(client, ada, STATEMENT).json()
    assert (again["imported"], again["duplicates"]) == (0, 4)
    assert len(_amounts(client, ada)) == 4
    balance = client.get(f"/api/accounts/{ada['account_id']}", headers=ada["headers"]).json()
    assert balance["balance"] == "981.50"  # -12.30 + 1000.00 - 3.10 - 3.10


def test_dry_run_reports_and_stores_nothing(client, ada):
    report = _import(client, ada, STATEMENT, dry_run="true").json()
    assert report["dry_run"] is True
    assert report["imported"] == 4
    assert report["import_id"] is None
    assert _amounts(client, ada) == []


def test_invalid_rows_answer_422_with_every_error_and_store_nothing(client, ada):
    bad = (
        b"Date,Description,Amount\n"
        b"2024-01-05,OK,-1.00\n"
        b"2024-02-30,BAD DATE,-2.00\n"
        b"2024-01-07,BAD AMOUNT,twelve\n"
    )
    response = _import(client, ada, bad)
    assert response.status_code == 422
    body = response.json()
    assert "nothing was imported" in body["detail"]
    assert [(e["row"], e["column"], e["value"]) for e in body["errors"]] == [
        (3, "Date", "2024-02-30"),
        (4, "Amount", "twelve"),
    ]
    assert all(e["message"] for e in body["errors"])
    assert _amounts(client, ada) == []


def test_a_mapping_is_accepted_as_a_json_string(client, ada):
    no_header = b"05/01/2024,-7.50,LUNCH\n06/01/2024,-2.25,BUS\n"
    mapping = {
        "has_header": False,
        "date": 0,
        "amount": 1,
        "description": 2,
        "date_format": "%d/%m/%Y",
    }
    response = _import(client, ada, no_header, mapping=json.dumps(mapping))
    assert response.status_code == 200, response.text
    items = client.get("/api/transactions", headers=ada["headers"]).json()["items"]
    assert [(i["txn_date"], i["amount"]) for i in items] == [
        ("2024-01-06", "-2.25"),
        ("2024-01-05", "-7.50"),
    ]


def test_invalid_mapping_json_is_a_clear_422(client, ada):
    response = _import(client, ada, STATEMENT, mapping="{not json")
    assert response.status_code == 422
    assert "invalid mapping JSON" in response.json()["detail"]


def test_another_users_account_answers_404_and_stores_nothing(client, engine, ada):
    make_user(engine, email="eve@example.com")
    eve = auth_headers(client, "eve@example.com")
    response = client.post(
        "/api/transactions/import",
        files={"file": ("s.csv", STATEMENT, "text/csv")},
        data={"account_id": ada["account_id"]},
        headers=eve,
    )
    assert response.status_code == 404
    assert _amounts(client, ada) == []


def test_an_oversized_upload_answers_413(settings, engine):
    app = create_app(settings.model_copy(update={"max_upload_bytes": 64}))
    client = TestClient(app)
    user = make_user(engine, email="ada@example.com")
    account = make_account(engine, user)
    response = client.post(
        "/api/transactions/import",
        files={"file": ("s.csv", STATEMENT, "text/csv")},
        data={"account_id": account.id},
        headers=auth_headers(client, "ada@example.com"),
    )
    assert response.status_code == 413
    assert "larger than 64 bytes" in response.json()["detail"]
    app.state.engine.dispose()
