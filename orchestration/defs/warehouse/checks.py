"""Reconciliation: the marts must add up to the ops ledger, to the minor unit.

For every (user, month, currency), the sum of amount_minor in the ops store (read with
SQLAlchemy, not through dbt) must equal fct_transactions' sum and mart_cash_flow_monthly's
net + transfers_in - transfers_out. Blocking: a build that does not reconcile is not published.
"""

# No `from __future__ import annotations` here: Dagster reads the decorated functions'
# annotations (context, resources, config) when the definitions are built.

from collections.abc import Callable
from decimal import Decimal

import dagster as dg
from sqlalchemy import func, select

from ledger.models import Transaction
from ledger.money import to_minor
from orchestration.defs.ops_store.resources import OpsStore
from orchestration.defs.warehouse.assets import WAREHOUSE_POOL
from orchestration.defs.warehouse.resources import Warehouse

Totals = dict[tuple[int, str, str], int]  # (user_id, "YYYY-MM", currency) -> amount_minor

FCT_TRANSACTIONS = dg.AssetKey(["marts", "fct_transactions"])
CASH_FLOW = dg.AssetKey(["marts", "mart_cash_flow_monthly"])
MAX_MISMATCHES_SHOWN = 20


def ops_ledger_totals(ops_store: OpsStore) -> Totals:
    """The system of record's totals, computed by the ops store itself."""
    if ops_store.is_sqlite:
        month = func.strftime("%Y-%m", Transaction.txn_date)
    else:
        month = func.to_char(Transaction.txn_date, "YYYY-MM")
    query = select(
        Transaction.user_id, month, Transaction.currency, func.sum(Transaction.amount_minor)
    ).group_by(Transaction.user_id, month, Transaction.currency)
    with ops_store.engine.connect() as conn:
        rows = conn.execute(query).tuples().all()
    # PostgreSQL's sum(bigint) is NUMERIC (a Decimal here): exact, and integral.
    return {(int(user), str(mon), str(cur)): int(total) for user, mon, cur, total in rows}


def fct_transactions_totals(warehouse: Warehouse) -> Totals:
    with warehouse.read_only() as conn:
        rows = conn.execute(
            """
            select user_id, strftime(txn_date, '%Y-%m'), currency, sum(amount_minor)
            from marts.fct_transactions
            group by all
            """
        ).fetchall()
    return {(user, mon, cur): int(total) for user, mon, cur, total in rows}


def cash_flow_totals(warehouse: Warehouse) -> Totals:
    """Everything that moved: net (income - expenses) plus transfers in, less transfers out."""
    with warehouse.read_only() as conn:
        rows = conn.execute(
            """
            select user_id, strftime(month_start, '%Y-%m'), currency,
                   sum(net + transfers_in - transfers_out)
            from marts.mart_cash_flow_monthly
            group by all
            """
        ).fetchall()
    # DECIMAL arrives as an exact Decimal; to_minor refuses anything below the minor unit.
    return {(user, mon, cur): to_minor(Decimal(total), cur) for user, mon, cur, total in rows}


def mismatches(ops: Totals, mart: Totals) -> list[dict[str, object]]:
    """Every (user, month, currency) whose totals differ, or that only one side has."""
    return [
        {
            "user_id": key[0],
            "month": key[1],
            "currency": key[2],
            "ops_minor": ops.get(key),
            "mart_minor": mart.get(key),
        }
        for key in sorted(ops.keys() | mart.keys())
        if ops.get(key) != mart.get(key)
    ]


def _reconciliation_result(ops: Totals, mart: Totals) -> dg.AssetCheckResult:
    found = mismatches(ops, mart)
    return dg.AssetCheckResult(
        passed=not found,
        metadata={
            "groups_compared": len(ops.keys() | mart.keys()),
            "ops_groups": len(ops),
            "mart_groups": len(mart),
            "mismatches": len(found),
            "first_mismatches": dg.MetadataValue.json(found[:MAX_MISMATCHES_SHOWN]),
        },
    )


def _reconciliation_check(
    asset_key: dg.AssetKey, mart_totals: Callable[[Warehouse], Totals]
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name="reconciles_with_ops_ledger",
        blocking=True,
        pool=WAREHOUSE_POOL,  # reads the warehouse file: never while another build writes it
        description=(
            "Per user, month and currency, the mart's total equals the ops store's sum of "
            "amount_minor exactly; a failure lists the first mismatches."
        ),
    )
    def _check(ops_store: OpsStore, warehouse: Warehouse) -> dg.AssetCheckResult:
        return _reconciliation_result(ops_ledger_totals(ops_store), mart_totals(warehouse))

    return _check


fct_transactions_reconciliation = _reconciliation_check(FCT_TRANSACTIONS, fct_transactions_totals)
cash_flow_reconciliation = _reconciliation_check(CASH_FLOW, cash_flow_totals)
