"""Reconciliation: the marts must add up to the ops ledger, to the minor unit.

For every (user, month, currency), the sum of amount_minor in the ops store (read with
SQLAlchemy, not through dbt) must equal fct_transactions' sum and mart_cash_flow_monthly's
net + transfers_in - transfers_out. Blocking: a build that does not reconcile is not published.

One exception: when transactions were written after the run started, the build may simply not
have seen them, so a mismatch is then a WARN (published; the ops-store sensor has already queued
the refresh that reconciles). Otherwise a busy store could keep every build from publishing.
"""

# No `from __future__ import annotations` here: Dagster reads the decorated functions'
# annotations (context, resources, config) when the definitions are built.

from collections.abc import Callable
from datetime import UTC, datetime
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


def written_since(ops_store: OpsStore, started_at: datetime) -> bool:
    """Did any transaction arrive or change at or after `started_at`?"""
    with ops_store.engine.connect() as conn:
        latest = conn.execute(select(func.max(Transaction.updated_at))).scalar()
    return latest is not None and latest >= started_at


def _reconciliation_result(
    ops: Totals, mart: Totals, *, store_moved_during_run: bool = False
) -> dg.AssetCheckResult:
    found = mismatches(ops, mart)
    moved = bool(found) and store_moved_during_run
    return dg.AssetCheckResult(
        passed=not found,
        severity=dg.AssetCheckSeverity.WARN if moved else dg.AssetCheckSeverity.ERROR,
        description=(
            "transactions were written while this run was building; the next refresh reconciles"
            if moved
            else None
        ),
        metadata={
            "groups_compared": len(ops.keys() | mart.keys()),
            "ops_groups": len(ops),
            "mart_groups": len(mart),
            "mismatches": len(found),
            "first_mismatches": dg.MetadataValue.json(found[:MAX_MISMATCHES_SHOWN]),
        },
    )


def _run_started_at(context: dg.AssetCheckExecutionContext) -> datetime:
    started = context.instance.get_run_stats(context.run.run_id).start_time
    return datetime.fromtimestamp(started, UTC) if started else datetime.now(UTC)


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
    def _check(
        context: dg.AssetCheckExecutionContext, ops_store: OpsStore, warehouse: Warehouse
    ) -> dg.AssetCheckResult:
        ops, mart = ops_ledger_totals(ops_store), mart_totals(warehouse)
        if not mismatches(ops, mart):
            return _reconciliation_result(ops, mart)
        return _reconciliation_result(
            ops, mart, store_moved_during_run=written_since(ops_store, _run_started_at(context))
        )

    return _check


fct_transactions_reconciliation = _reconciliation_check(FCT_TRANSACTIONS, fct_transactions_totals)
cash_flow_reconciliation = _reconciliation_check(CASH_FLOW, cash_flow_totals)
