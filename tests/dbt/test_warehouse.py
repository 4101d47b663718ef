"""The real dbt build on a small fixed dataset, on SQLite and PostgreSQL ops stores.

Expected figures are worked out by hand from tests/dbt/dataset.py (amounts in USD unless said).
One build before and one after `apply_changes` per store; the second one is incremental.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import text

from ledger.db import make_engine
from ledger.warehouse import current_snapshot
from tests.dbt.dataset import BuiltStore, built_store


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from built_store(request, tmp_path_factory.mktemp(f"warehouse-{request.param}"))


def rows(path: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def cash_flow(path: Path, user_id: int) -> list[tuple]:
    return rows(
        path,
        "select currency, month_start::varchar, income, expenses, net, transfers_in, "
        "transfers_out from marts.mart_cash_flow_monthly where user_id = ? order by all",
        user_id,
    )


def test_snapshot_is_current_and_holds_only_marts(store: BuiltStore) -> None:
    current = current_snapshot(store.settings.serving_dir)
    assert current == store.after
    assert store.after.built_at > store.before.built_at
    schemas = rows(store.after.path, "select distinct schema_name from duckdb_schemas()")
    assert ("marts",) in schemas
    assert ("staging",) not in schemas and ("intermediate",) not in schemas


def test_cash_flow_excludes_transfers(store: BuiltStore) -> None:
    alice = store.dataset.user_ids["alice"]
    # Jan: income 3000.00; expenses Lidl 120.50 + Cafe Rio 45.25 = 165.75; net 2834.25.
    #      The -500.00 to savings pairs with +500.00 in A2 a day later: a transfer both ways.
    # Feb: income 3000.00; expenses Lidl 80.00 + Amazon (card) 150.00 = 230.00; net 2770.00.
    #      Card payment -200.00 (category kind transfer) / +200.00 on the card (paired).
    # Mar: income 3000.00; expenses Lidl 60.00 + rent 300.00 = 360.00; net 2640.00.
    # JPY Mar: sushi 5000 yen.
    assert cash_flow(store.before.path, alice) == [
        ("JPY", "2024-03-01", D(0), D(5000), D(-5000), D(0), D(0)),
        ("USD", "2024-01-01", D("3000"), D("165.75"), D("2834.25"), D("500"), D("500")),
        ("USD", "2024-02-01", D("3000"), D("230"), D("2770"), D("200"), D("200")),
        ("USD", "2024-03-01", D("3000"), D("360"), D("2640"), D(0), D(0)),
    ]
    # Bob has one account: his -500.00 ATM withdrawal cannot be a transfer.
    # Jan: income 1000.00, expenses 500.00, net 500.00; Mar: expenses 20.00, net -20.00.
    assert cash_flow(store.before.path, store.dataset.user_ids["bob"]) == [
        ("USD", "2024-01-01", D("1000"), D("500"), D("500"), D(0), D(0)),
        ("USD", "2024-03-01", D(0), D("20"), D("-20"), D(0), D(0)),
    ]


def test_transfer_flags(store: BuiltStore) -> None:
    ids = store.dataset.transaction_ids
    flagged = dict(
        rows(store.before.path, "select transaction_id, is_transfer from marts.fct_transactions")
    )
    transfers = {key for key, transaction_id in ids.items() if flagged.get(transaction_id)}
    assert transfers == {"a_to_savings", "a_from_checking", "a_card_payment", "a_card_paid"}


def test_top_merchants(store: BuiltStore) -> None:
    alice = store.dataset.user_ids["alice"]
    # Per month, spend desc: Jan Lidl 120.50, Cafe Rio 45.25; Feb Amazon 150.00, Lidl 80.00;
    # Mar Landlord 300.00, Lidl 60.00 (USD); Sushi Zen 5000 JPY.
    assert rows(
        store.before.path,
        "select currency, month_start::varchar, spend_rank, merchant, spend "
        "from marts.mart_merchant_spend_monthly where user_id = ? order by all",
        alice,
    ) == [
        ("JPY", "2024-03-01", 1, "Sushi Zen", D(5000)),
        ("USD", "2024-01-01", 1, "Lidl", D("120.50")),
        ("USD", "2024-01-01", 2, "Cafe Rio", D("45.25")),
        ("USD", "2024-02-01", 1, "Amazon", D("150")),
        ("USD", "2024-02-01", 2, "Lidl", D("80")),
        ("USD", "2024-03-01", 1, "Landlord", D("300")),
        ("USD", "2024-03-01", 2, "Lidl", D("60")),
    ]


def test_categories_exclude_transfers(store: BuiltStore) -> None:
    alice = store.dataset.user_ids["alice"]
    assert rows(
        store.before.path,
        "select category, category_kind, income, expenses from marts.mart_category_spend_monthly"
        " where user_id = ? and currency = 'USD' and month_start = '2024-02-01' order by all",
        alice,
    ) == [
        ("Groceries", "expense", D(0), D("80")),
        ("Salary", "income", D("3000"), D(0)),
        ("Shopping", "expense", D(0), D("150")),
    ]


def test_daily_balances(store: BuiltStore) -> None:
    accounts = store.dataset.account_ids
    balances = {
        (account_id, day): balance
        for account_id, day, balance in rows(
            store.before.path,
            "select account_id, balance_date::varchar, balance from marts.mart_daily_balances",
        )
    }
    a1 = accounts["A1"]
    # A1: 1000.00 + 3000.00 (Jan 5) = 4000.00; - 120.50 (Jan 10) = 3879.50; - 500.00 (Jan 15)
    # = 3379.50, carried over Jan 16-19; ... final: 1000 + 9000 - 120.50 - 500 - 45.25 - 80
    # - 200 - 60 - 300 = 8694.25 from Mar 20 to the as-of date.
    assert balances[(a1, "2024-01-05")] == D("4000")
    assert balances[(a1, "2024-01-10")] == D("3879.50")
    assert balances[(a1, "2024-01-17")] == D("3379.50")
    assert balances[(a1, "2024-03-31")] == D("8694.25")
    assert (a1, "2024-01-04") not in balances  # starts with the first transaction
    # A3 card: -150.00 on Feb 1, +200.00 on Feb 12 -> 50.00. A4: -5000 yen.
    assert balances[(accounts["A3"], "2024-02-11")] == D("-150")
    assert balances[(accounts["A3"], "2024-03-31")] == D("50")
    assert balances[(accounts["A4"], "2024-03-31")] == D(-5000)
    days = rows(
        store.before.path,
        "select count(*) from marts.mart_daily_balances where account_id = ?",
        a1,
    )
    assert days == [(87,)]  # Jan 5 .. Mar 31 2024 (leap year): 27 + 29 + 31 days


BURN_COLUMNS = (
    "spend_30d, spend_prev_30d, spend_90d, avg_daily_spend_30d, avg_daily_spend_90d, "
    "monthly_burn, spend_change_pct, spend_trend, balance, runway_months"
)


def burn_rate(path: Path, user_id: int) -> dict[str, tuple]:
    return {
        currency: figures
        for currency, *figures in rows(
            path,
            f"select currency, {BURN_COLUMNS} from marts.mart_burn_rate where user_id = ?",
            user_id,
        )
    }


def test_burn_rate_and_runway(store: BuiltStore) -> None:
    alice = store.dataset.user_ids["alice"]
    # As of Mar 31. 30d (Mar 2-31): 60.00 + 300.00 = 360.00. Prev 30d (Jan 31 - Mar 1): Lidl
    # 80.00 + Amazon 150.00 = 230.00. 90d (Jan 2 - Mar 31): 120.50 + 45.25 + 80 + 150 + 60 + 300
    # = 755.75. avg/day 30d = 36000/30 = 1200 -> 12.00; 90d = 75575/90 = 839.72 -> 8.40;
    # monthly = 75575/3 = 25191.67 -> 251.92. change = 13000/23000 = 56.52 %.
    # Liquid balance = A1 8694.25 + A2 500.00 = 9194.25 (the card's 50.00 is not liquid);
    # runway = 919425 * 3 / 75575 = 36.497... -> 36.50 months.
    assert burn_rate(store.before.path, alice)["USD"] == [
        D("360"), D("230"), D("755.75"), D("12"), D("8.40"), D("251.92"),
        D("56.52"), "up", D("9194.25"), D("36.50"),
    ]  # fmt: skip
    # JPY: 5000 yen in every window; 5000/30 = 166.67 -> 167; /90 = 55.56 -> 56; /3 -> 1667.
    # Balance -5000: no runway left (0.00). No prior spending: no change percentage.
    assert burn_rate(store.before.path, alice)["JPY"] == [
        D(5000), D(0), D(5000), D(167), D(56), D(1667), None, "up", D(-5000), D("0.00"),
    ]  # fmt: skip
    # Bob: 30d 20.00; 90d 500.00 + 20.00 = 520.00; 2000/30 = 66.67 -> 0.67; 52000/90 = 577.78
    # -> 5.78; 52000/3 = 17333.33 -> 173.33; balance 50 + 1000 - 500 - 20 = 530.00;
    # runway 53000 * 3 / 52000 = 3.0577 -> 3.06.
    assert burn_rate(store.before.path, store.dataset.user_ids["bob"])["USD"] == [
        D("20"), D(0), D("520"), D("0.67"), D("5.78"), D("173.33"),
        None, "up", D("530"), D("3.06"),
    ]  # fmt: skip


def test_incremental_build_after_insert_recategorisation_and_deletes(store: BuiltStore) -> None:
    alice, bob = store.dataset.user_ids["alice"], store.dataset.user_ids["bob"]
    # Cafe Rio (-45.25, Jan) deleted: Jan expenses 120.50, net 2879.50. Rent (-300.00, Mar)
    # re-categorised as Transfer: Mar expenses 60.00, net 2940.00, transfers_out 300.00.
    # The JPY account was deleted with its transaction: no JPY rows any more.
    assert cash_flow(store.after.path, alice) == [
        ("USD", "2024-01-01", D("3000"), D("120.50"), D("2879.50"), D("500"), D("500")),
        ("USD", "2024-02-01", D("3000"), D("230"), D("2770"), D("200"), D("200")),
        ("USD", "2024-03-01", D("3000"), D("60"), D("2940"), D(0), D("300")),
    ]
    # Bob's new Lidl -30.00 on Mar 25: Mar expenses 20 + 30 = 50.00; Lidl 2 purchases.
    assert cash_flow(store.after.path, bob)[-1] == (
        "USD", "2024-03-01", D(0), D("50"), D("-50"), D(0), D(0),
    )  # fmt: skip
    assert rows(
        store.after.path,
        "select merchant, spend, transaction_count from marts.mart_merchant_spend_monthly "
        "where user_id = ? and month_start = '2024-03-01'",
        bob,
    ) == [("Lidl", D("50"), 2)]
    # Alice: 30d 60.00; prev 230.00; 90d 120.50 + 80 + 150 + 60 = 410.50; monthly 41050/3 =
    # 13683.33 -> 136.83; change (6000 - 23000) / 23000 = -73.91 %; balance 8694.25 + 45.25
    # (deleted purchase) + 500.00 = 9239.50; runway 923950 * 3 / 41050 = 67.52.
    assert burn_rate(store.after.path, alice) == {
        "USD": [
            D("60"), D("230"), D("410.50"), D("2"), D("4.56"), D("136.83"),
            D("-73.91"), "down", D("9239.50"), D("67.52"),
        ]
    }  # fmt: skip


def test_incremental_equals_full_refresh(store: BuiltStore) -> None:
    query = "select * from marts.fct_transactions order by transaction_id"
    with duckdb.connect(str(store.settings.warehouse_path), read_only=True) as conn:
        incremental = conn.execute(query).fetchall()
    full = rows(store.full_refresh_warehouse, query)
    assert incremental == full
    assert len(incremental) == len(store.dataset.transaction_ids) - 2  # cafe + sushi deleted


def test_fct_reconciles_with_ops_store(store: BuiltStore) -> None:
    engine = make_engine(store.settings.database_url)
    try:
        with engine.connect() as conn:
            ops = conn.execute(
                text(
                    "select user_id, currency, count(*), sum(amount_minor) from transactions "
                    "group by user_id, currency order by user_id, currency"
                )
            ).all()
    finally:
        engine.dispose()
    with duckdb.connect(str(store.settings.warehouse_path), read_only=True) as conn:
        warehouse = conn.execute(
            "select user_id, currency, count(*), sum(amount_minor)::bigint "
            "from marts.fct_transactions group by all order by all"
        ).fetchall()
    assert [tuple(row) for row in ops] == warehouse
