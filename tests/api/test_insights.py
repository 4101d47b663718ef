"""The insights endpoints on a snapshot built by the real dbt build from tests/dbt/dataset.py
(figures worked out by hand there and in tests/dbt/test_warehouse.py), on both stores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ledger.settings import Settings
from ledger.warehouse import SnapshotInfo, publish_snapshot
from tests.dbt.dataset import Dataset, published_store
from tests.factories import auth_headers


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from published_store(request, tmp_path_factory.mktemp(f"insights-{request.param}"))


@pytest.fixture
def settings(published) -> Settings:
    """The conftest's app and client, on the store and snapshot built for this module."""
    return published[0]


@pytest.fixture
def dataset(published) -> Dataset:
    return published[1]


@pytest.fixture
def snapshot(published) -> SnapshotInfo:
    return published[2]


@pytest.fixture
def alice(client: TestClient, dataset: Dataset) -> dict:
    return auth_headers(client, dataset.emails["alice"])


@pytest.fixture
def bob(client: TestClient, dataset: Dataset) -> dict:
    return auth_headers(client, dataset.emails["bob"])


def by_currency(body: dict) -> dict[str, dict]:
    return {group["currency"]: group for group in body["currencies"]}


def test_cash_flow_per_currency_with_as_of(
    client: TestClient, alice: dict, snapshot: SnapshotInfo
) -> None:
    response = client.get("/api/insights/cash-flow", headers=alice)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"].replace("Z", "+00:00") == snapshot.built_at.isoformat()
    usd = by_currency(body)["USD"]["months"]
    # Jan: 3000.00 in; Lidl 120.50 + Cafe Rio 45.25 = 165.75 out; the 500.00 to savings is a
    # transfer both ways. Money as strings with the currency's exponent.
    assert usd[0] == {
        "month_start": "2024-01-01",
        "income": "3000.00",
        "expenses": "165.75",
        "net": "2834.25",
        "transfers_in": "500.00",
        "transfers_out": "500.00",
        "transaction_count": 5,
    }
    assert [month["net"] for month in usd] == ["2834.25", "2770.00", "2640.00"]
    # Yen have no minor unit: 5000 yen out in March, never added to dollars.
    assert by_currency(body)["JPY"]["months"] == [
        {
            "month_start": "2024-03-01",
            "income": "0",
            "expenses": "5000",
            "net": "-5000",
            "transfers_in": "0",
            "transfers_out": "0",
            "transaction_count": 1,
        }
    ]


def test_cash_flow_date_range_and_account(
    client: TestClient, alice: dict, dataset: Dataset
) -> None:
    # Feb 10 .. Mar 5 overlaps February and March.
    response = client.get(
        "/api/insights/cash-flow",
        params={"start_date": "2024-02-10", "end_date": "2024-03-05"},
        headers=alice,
    )
    months = by_currency(response.json())["USD"]["months"]
    assert [month["month_start"] for month in months] == ["2024-02-01", "2024-03-01"]
    # The savings account only received the 500.00 transfer in January: no income.
    response = client.get(
        "/api/insights/cash-flow",
        params={"account_id": dataset.account_ids["A2"]},
        headers=alice,
    )
    assert response.json()["account_id"] == dataset.account_ids["A2"]
    (january,) = by_currency(response.json())["USD"]["months"]
    assert (january["income"], january["transfers_in"], january["net"]) == (
        "0.00",
        "500.00",
        "0.00",
    )


def test_merchants(client: TestClient, alice: dict) -> None:
    response = client.get(
        "/api/insights/merchants",
        params={"start_date": "2024-02-01", "end_date": "2024-02-29", "limit": 2},
        headers=alice,
    )
    assert response.status_code == 200, response.text
    (february,) = by_currency(response.json())["USD"]["months"]
    # Amazon on the card 150.00, then Lidl 80.00 (the card payment is a transfer).
    assert february["merchants"] == [
        {"rank": 1, "merchant": "Amazon", "spend": "150.00", "transaction_count": 1},
        {"rank": 2, "merchant": "Lidl", "spend": "80.00", "transaction_count": 1},
    ]
    response = client.get("/api/insights/merchants", params={"limit": 1}, headers=alice)
    tops = [month["merchants"] for month in by_currency(response.json())["USD"]["months"]]
    assert [[m["merchant"] for m in month] for month in tops] == [
        ["Lidl"],
        ["Amazon"],
        ["Landlord"],
    ]


def test_categories(client: TestClient, alice: dict) -> None:
    response = client.get(
        "/api/insights/categories",
        params={"start_date": "2024-01-01", "end_date": "2024-01-31"},
        headers=alice,
    )
    assert response.status_code == 200, response.text
    (january,) = by_currency(response.json())["USD"]["months"]
    # Transfers are not a category of spending; biggest spending first.
    figures = [
        (c["category"], c["kind"], c["expenses"], c["income"]) for c in january["categories"]
    ]
    assert figures == [
        ("Groceries", "expense", "120.50", "0.00"),
        ("Dining", "expense", "45.25", "0.00"),
        ("Salary", "income", "0.00", "3000.00"),
    ]  # fmt: skip


def test_burn_rate(client: TestClient, alice: dict, bob: dict) -> None:
    response = client.get(
        "/api/insights/burn-rate", params={"start_date": "2024-02-01"}, headers=alice
    )
    assert response.status_code == 200, response.text
    usd = by_currency(response.json())["USD"]
    # See test_burn_rate_and_runway: 90-day spending 755.75 -> monthly burn 251.92; liquid
    # balance 9194.25 -> runway 36.50 months; 360.00 vs 230.00 -> +56.52 %.
    assert {key: usd[key] for key in ("spend_30d", "monthly_burn", "balance")} == {
        "spend_30d": "360.00",
        "monthly_burn": "251.92",
        "balance": "9194.25",
    }
    assert (usd["runway_months"], usd["spend_change_pct"], usd["spend_trend"]) == (
        "36.50",
        "56.52",
        "up",
    )
    assert usd["monthly_expenses"] == [
        {"month_start": "2024-02-01", "expenses": "230.00"},
        {"month_start": "2024-03-01", "expenses": "360.00"},
    ]
    response = client.get("/api/insights/burn-rate", headers=bob)
    (bob_usd,) = response.json()["currencies"]
    assert (bob_usd["balance"], bob_usd["runway_months"], bob_usd["spend_change_pct"]) == (
        "530.00",
        "3.06",
        None,
    )


def test_each_user_sees_only_their_own_figures(client: TestClient, bob: dict) -> None:
    body = client.get("/api/insights/cash-flow", headers=bob).json()
    assert list(by_currency(body)) == ["USD"]
    assert [month["net"] for month in body["currencies"][0]["months"]] == ["500.00", "-20.00"]


def test_another_users_account_is_404(client: TestClient, bob: dict, dataset: Dataset) -> None:
    for path in ("cash-flow", "merchants", "burn-rate", "categories"):
        response = client.get(
            f"/api/insights/{path}", params={"account_id": dataset.account_ids["A1"]}, headers=bob
        )
        assert response.status_code == 404, (path, response.text)
    response = client.get("/api/insights/cash-flow", params={"account_id": 999999}, headers=bob)
    assert response.status_code == 404


def test_bad_dates_are_422(client: TestClient, alice: dict) -> None:
    response = client.get(
        "/api/insights/cash-flow",
        params={"start_date": "2024-03-01", "end_date": "2024-02-01"},
        headers=alice,
    )
    assert response.status_code == 422
    response = client.get("/api/insights/cash-flow", params={"start_date": "x"}, headers=alice)
    assert response.status_code == 422


def test_401_without_token(client: TestClient) -> None:
    for path in ("cash-flow", "merchants", "burn-rate", "categories"):
        assert client.get(f"/api/insights/{path}").status_code == 401


def test_503_before_any_snapshot(settings: Settings, dataset: Dataset, tmp_path) -> None:
    from api.main import create_app

    empty = create_app(settings.model_copy(update={"serving_dir": tmp_path / "nothing-yet"}))
    with TestClient(empty) as client:
        headers = auth_headers(client, dataset.emails["alice"])
        response = client.get("/api/insights/cash-flow", headers=headers)
    empty.state.engine.dispose()
    assert response.status_code == 503
    assert "no warehouse snapshot has been published" in response.json()["detail"]


def test_a_new_snapshot_is_picked_up(
    client: TestClient, alice: dict, settings: Settings, snapshot: SnapshotInfo
) -> None:
    first = client.get("/api/insights/cash-flow", headers=alice).json()["as_of"]
    newer = publish_snapshot(settings.warehouse_path, settings.serving_dir)
    second = client.get("/api/insights/cash-flow", headers=alice).json()
    assert first != second["as_of"]
    assert second["as_of"].replace("Z", "+00:00") == newer.built_at.isoformat()
    assert by_currency(second)["USD"]["months"][0]["net"] == "2834.25"


def test_openapi_documents_every_route(app) -> None:
    paths = app.openapi()["paths"]
    for name in ("cash-flow", "merchants", "burn-rate", "categories"):
        operation = paths[f"/api/insights/{name}"]["get"]
        assert {"200", "401", "404", "422", "503"} <= set(operation["responses"])
        assert operation["responses"]["200"]["content"]["application/json"]["example"]
        parameters = {parameter["name"] for parameter in operation["parameters"]}
        assert {"start_date", "end_date", "account_id"} <= parameters
