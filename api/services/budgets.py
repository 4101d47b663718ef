"""Budgets of the caller: CRUD in the ops store, figures from the budget marts.

The figures (spent, remaining, percent used, status, projection) are defined in dbt
(`dbt_project/models/marts/budgets/`) and read from the serving snapshot; nothing here
recomputes them. A budget the snapshot does not know yet, or knows with other terms (limit,
currency, category, month changed since the build), is answered as `status="pending"`: its
`spent_amount` is then the category-month spending from `mart_budget_category_spend_monthly` as of
the snapshot (a mart figure too), and remaining / percent / projection are null until the next
refresh. Without any snapshot, every figure is null.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.marts import Marts
from api.schemas.budgets import BudgetCreate, BudgetProgress, BudgetPublic, BudgetUpdate
from api.services.categorization import UnknownCategory, resolve_category
from ledger.models import Budget, Category, User
from ledger.money import from_minor, to_minor


class BudgetNotFound(LookupError):
    pass


class BudgetConflict(ValueError):
    def __init__(self, year: int, month: int, category: str, currency: str) -> None:
        super().__init__(
            f"a budget for {category} in {year}-{month:02d} already exists "
            f"(one per category and month; currency {currency})"
        )


class NotAnExpenseCategory(ValueError):
    def __init__(self, name: str, kind: str) -> None:
        super().__init__(f"budgets are for expense categories; {name!r} is an {kind} category")


# --- CRUD -------------------------------------------------------------------------------------


def _expense_category(session: Session, name: str) -> str:
    canonical = resolve_category(session=session, name=name)
    assert canonical is not None
    kind = session.scalar(select(Category.kind).where(Category.name == canonical))
    if kind != "expense":
        raise NotAnExpenseCategory(canonical, str(kind))
    return canonical


def _check_free(session: Session, user: User, budget: Budget) -> None:
    with session.no_autoflush:  # look before the changed row is written
        clash = _clashing_budget_id(session, user, budget)
    if clash is not None:
        conflict = BudgetConflict(budget.year, budget.month, budget.category, budget.currency)
        session.rollback()  # the refused change must not be flushed later
        raise conflict


def _clashing_budget_id(session: Session, user: User, budget: Budget) -> int | None:
    return session.scalar(
        select(Budget.id).where(
            Budget.user_id == user.id,
            Budget.year == budget.year,
            Budget.month == budget.month,
            Budget.category == budget.category,
            Budget.id != (budget.id or 0),
        )
    )


def _commit(session: Session, budget: Budget) -> None:
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent request took the same month and category
        conflict = BudgetConflict(budget.year, budget.month, budget.category, budget.currency)
        session.rollback()
        raise conflict from exc


def create_budget(*, session: Session, user: User, data: BudgetCreate) -> Budget:
    currency = data.currency or user.base_currency
    budget = Budget(
        user_id=user.id,
        year=data.year,
        month=data.month,
        category=_expense_category(session, data.category),
        currency=currency,
        limit_minor=to_minor(data.limit_amount, currency),
    )
    _check_free(session, user, budget)
    session.add(budget)
    _commit(session, budget)
    return budget


def get_budget(*, session: Session, user: User, budget_id: int) -> Budget:
    budget = session.scalar(select(Budget).where(Budget.id == budget_id, Budget.user_id == user.id))
    if budget is None:
        raise BudgetNotFound
    return budget


def list_budgets(
    *,
    session: Session,
    user: User,
    limit: int,
    after_id: int | None,
    year: int | None = None,
    month: int | None = None,
) -> list[Budget]:
    """By id; `limit` rows at most (ask for one more to know whether a next page exists)."""
    query = select(Budget).where(Budget.user_id == user.id)
    if year is not None:
        query = query.where(Budget.year == year)
    if month is not None:
        query = query.where(Budget.month == month)
    if after_id is not None:
        query = query.where(Budget.id > after_id)
    return list(session.scalars(query.order_by(Budget.id).limit(limit)))


def month_budgets(*, session: Session, user: User, year: int, month: int) -> list[Budget]:
    return list(
        session.scalars(
            select(Budget)
            .where(Budget.user_id == user.id, Budget.year == year, Budget.month == month)
            .order_by(Budget.category, Budget.currency, Budget.id)
        )
    )


def update_budget(*, session: Session, user: User, budget: Budget, data: BudgetUpdate) -> Budget:
    changes = {key: value for key, value in data.model_dump(exclude_unset=True).items()}
    if any(value is None for value in changes.values()):
        raise ValueError("fields of a budget cannot be set to null")
    if "category" in changes:
        budget.category = _expense_category(session, changes["category"])
    if "year" in changes:
        budget.year = changes["year"]
    if "month" in changes:
        budget.month = changes["month"]
    if "currency" in changes or "limit_amount" in changes:
        currency = changes.get("currency", budget.currency)
        limit = changes.get("limit_amount", from_minor(budget.limit_minor, budget.currency))
        budget.limit_minor = to_minor(limit, currency)
        budget.currency = currency
    _check_free(session, user, budget)
    _commit(session, budget)
    return budget


def delete_budget(*, session: Session, budget: Budget) -> None:
    session.delete(budget)
    session.commit()


# --- figures from the marts -------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What the snapshot says about one budget (None: nothing, no snapshot)."""

    as_of: datetime | None
    progress: dict[str, Any] | None  # the mart_budget_progress row, when its terms are current
    spent_minor: int | None  # for a pending budget: the category-month spending


def _query(marts: Marts, sql: str, parameters: list[Any]) -> list[dict[str, Any]] | None:
    try:
        return marts.query(sql, parameters)
    except duckdb.CatalogException:  # a snapshot published before the budget marts existed
        return None


def budget_figures(*, marts: Marts | None, budgets: Sequence[Budget]) -> dict[int, Figures]:
    if not budgets:
        return {}
    if marts is None:
        return {budget.id: Figures(None, None, None) for budget in budgets}
    user_ids = sorted({budget.user_id for budget in budgets})
    (user_id,) = user_ids  # always one caller's budgets
    progress_rows = _query(
        marts,
        "select * from marts.mart_budget_progress "
        "where user_id = ? and list_contains(?, budget_id)",
        [user_id, [budget.id for budget in budgets]],
    )
    if progress_rows is None:
        return {budget.id: Figures(None, None, None) for budget in budgets}
    progress = {row["budget_id"]: row for row in progress_rows}
    current = {
        budget.id: progress[budget.id]
        for budget in budgets
        if budget.id in progress and _same_terms(budget, progress[budget.id])
    }
    pending = [budget for budget in budgets if budget.id not in current]
    spend: dict[tuple[str, str, date], int] = {}
    if pending:
        months = sorted({date(budget.year, budget.month, 1) for budget in pending})
        for row in (
            _query(
                marts,
                "select currency, category, month_start, spent_minor "
                "from marts.mart_budget_category_spend_monthly "
                "where user_id = ? and list_contains(?, month_start)",
                [user_id, months],
            )
            or []
        ):
            spend[(row["currency"], row["category"], row["month_start"])] = row["spent_minor"]
    figures = {budget_id: Figures(marts.as_of, row, None) for budget_id, row in current.items()}
    for budget in pending:
        key = (budget.currency, budget.category, date(budget.year, budget.month, 1))
        # No row in the spend mart: nothing was spent in that category-month as of the build.
        figures[budget.id] = Figures(marts.as_of, None, spend.get(key, 0))
    return figures


def _same_terms(budget: Budget, row: dict[str, Any]) -> bool:
    return (
        row["limit_minor"] == budget.limit_minor
        and row["currency"] == budget.currency
        and row["category"] == budget.category
        and row["budget_year"] == budget.year
        and row["budget_month"] == budget.month
    )


def _money(minor: int | None, currency: str) -> Any:
    return None if minor is None else from_minor(int(minor), currency)


def budget_public(budget: Budget, figures: Figures) -> BudgetPublic:
    return BudgetPublic(**_public_fields(budget, figures))


def budget_progress(budget: Budget, figures: Figures) -> BudgetProgress:
    row = figures.progress
    currency = budget.currency
    return BudgetProgress(
        **_public_fields(budget, figures),
        outflow_amount=_money(row["outflow_minor"], currency) if row else None,
        refund_amount=_money(row["refund_minor"], currency) if row else None,
        transaction_count=row["transaction_count"] if row else None,
        days_in_month=row["days_in_month"] if row else None,
        days_elapsed=row["days_elapsed"] if row else None,
        projected_status=row["projected_status"] if row else None,
        as_of_date=row["as_of_date"] if row else None,
    )


def _public_fields(budget: Budget, figures: Figures) -> dict[str, Any]:
    row = figures.progress
    currency = budget.currency
    if row is not None:
        measured = {
            "spent_amount": _money(row["spent_minor"], currency),
            "remaining": _money(row["remaining_minor"], currency),
            "percent_used": row["percent_used"],
            "status": row["status"],
            "projected_spend": _money(row["projected_spend_minor"], currency),
        }
    else:
        measured = {
            "spent_amount": _money(figures.spent_minor, currency),
            "remaining": None,
            "percent_used": None,
            "status": "pending",
            "projected_spend": None,
        }
    return {
        "id": budget.id,
        "year": budget.year,
        "month": budget.month,
        "category": budget.category,
        "limit_amount": from_minor(budget.limit_minor, currency),
        "currency": currency,
        **measured,
        "as_of": figures.as_of,
        "created_at": budget.created_at,
        "updated_at": budget.updated_at,
    }


__all__ = [
    "BudgetConflict",
    "BudgetNotFound",
    "NotAnExpenseCategory",
    "UnknownCategory",
    "budget_figures",
    "budget_progress",
    "budget_public",
    "create_budget",
    "delete_budget",
    "get_budget",
    "list_budgets",
    "month_budgets",
    "update_budget",
]
