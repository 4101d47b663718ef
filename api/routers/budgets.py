"""Budgets (API.md module C): CRUD, progress, and a month's budgets. Another user's budget is 404.

Figures come from the budget marts of the serving snapshot (`as_of` says when it was built). A
budget created or changed after that build answers `status: "pending"` until the next refresh,
with `spent_amount` as of the snapshot and no remaining / percent / projection; without any
snapshot, every figure is null. CRUD never depends on the warehouse.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status

from api.deps import CurrentUser, CursorQuery, LimitQuery, SessionDep
from api.errors import ErrorResponse, error_responses
from api.marts import Marts, get_marts
from api.pagination import decode_cursor, encode_cursor
from api.schemas.budgets import (
    BudgetCreate,
    BudgetList,
    BudgetMonth,
    BudgetProgress,
    BudgetPublic,
    BudgetUpdate,
)
from api.services import budgets as service
from ledger.models import Budget

router = APIRouter(prefix="/api/budgets", tags=["budgets"])

_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorResponse,
        "description": "A budget for this category and month exists",
        "content": {
            "application/json": {
                "example": {
                    "detail": "a budget for Groceries in 2026-03 already exists "
                    "(one per category and month; currency USD)"
                }
            }
        },
    }
}


async def optional_marts(request: Request) -> AsyncIterator[Marts | None]:
    """The serving snapshot when one is published; None otherwise (budgets answer `pending`)."""
    snapshots = cast(AsyncGenerator[Marts, None], get_marts(request))
    try:
        marts = await anext(snapshots)
    except HTTPException as exc:
        if exc.status_code != status.HTTP_503_SERVICE_UNAVAILABLE:
            raise
        yield None
        return
    try:
        yield marts
    finally:
        await snapshots.aclose()


OptionalMarts = Annotated[Marts | None, Depends(optional_marts)]


def owned_budget(budget_id: int, user: CurrentUser, session: SessionDep) -> Budget:
    try:
        return service.get_budget(session=session, user=user, budget_id=budget_id)
    except service.BudgetNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "budget not found") from exc


OwnedBudget = Annotated[Budget, Depends(owned_budget)]


def _invalid(exc: Exception) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))


def _public(budget: Budget, marts: Marts | None) -> BudgetPublic:
    figures = service.budget_figures(marts=marts, budgets=[budget])[budget.id]
    return service.budget_public(budget, figures)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BudgetPublic,
    responses={**error_responses(401), **_CONFLICT},
)
def create_budget(
    data: BudgetCreate, user: CurrentUser, session: SessionDep, marts: OptionalMarts
) -> BudgetPublic:
    """A monthly limit for one expense category, in your base currency unless `currency` is
    given. A new budget is `pending` until the next warehouse refresh. 409 if that category and
    month already have a budget; 422 for a bad month, year, amount or category."""
    try:
        budget = service.create_budget(session=session, user=user, data=data)
    except service.BudgetConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except (service.UnknownCategory, service.NotAnExpenseCategory) as exc:
        raise _invalid(exc) from exc
    return _public(budget, marts)


@router.get("", response_model=BudgetList, responses=error_responses(400, 401))
def list_budgets(
    user: CurrentUser,
    session: SessionDep,
    marts: OptionalMarts,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
) -> BudgetList:
    """Your budgets, oldest first, optionally of one year and/or month number."""
    after_id = None
    if cursor:
        try:
            after_id = int(decode_cursor(cursor, 1)[0])
        except ValueError as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid cursor") from exc
    budgets = service.list_budgets(
        session=session, user=user, limit=limit + 1, after_id=after_id, year=year, month=month
    )
    page, more = budgets[:limit], len(budgets) > limit
    figures = service.budget_figures(marts=marts, budgets=page)
    return BudgetList(
        items=[service.budget_public(budget, figures[budget.id]) for budget in page],
        next_cursor=encode_cursor(page[-1].id) if more else None,
    )


@router.get("/month/{year}/{month}", response_model=BudgetMonth, responses=error_responses(401))
def month_budgets(
    year: Annotated[int, Path(ge=2000, le=2100)],
    month: Annotated[int, Path(ge=1, le=12)],
    user: CurrentUser,
    session: SessionDep,
    marts: OptionalMarts,
) -> BudgetMonth:
    """Every budget of one month, by category; an empty list when there are none."""
    budgets = service.month_budgets(session=session, user=user, year=year, month=month)
    figures = service.budget_figures(marts=marts, budgets=budgets)
    return BudgetMonth(
        year=year,
        month=month,
        as_of=marts.as_of if marts else None,
        items=[service.budget_public(budget, figures[budget.id]) for budget in budgets],
    )


@router.get("/{budget_id}", response_model=BudgetPublic, responses=error_responses(401, 404))
def read_budget(budget: OwnedBudget, marts: OptionalMarts) -> BudgetPublic:
    """The budget and its figures from the last warehouse build (`as_of`).

    `status: "pending"` means the budget is newer than that build, or was changed since: the
    figures arrive with the next refresh. Meanwhile `spent_amount` is the category's spending in
    that month as of `as_of`, and `remaining`, `percent_used` and `projected_spend` are null.
    Before any build was ever published, every figure and `as_of` are null.
    """
    return _public(budget, marts)


@router.get(
    "/{budget_id}/progress", response_model=BudgetProgress, responses=error_responses(401, 404)
)
def budget_progress(budget: OwnedBudget, marts: OptionalMarts) -> BudgetProgress:
    """The budget with the detail behind its figures: purchases, refunds, transaction count,
    days elapsed and the projected month-end status."""
    figures = service.budget_figures(marts=marts, budgets=[budget])[budget.id]
    return service.budget_progress(budget, figures)


@router.put(
    "/{budget_id}",
    response_model=BudgetPublic,
    responses={**error_responses(401, 404), **_CONFLICT},
)
def update_budget(
    data: BudgetUpdate,
    budget: OwnedBudget,
    user: CurrentUser,
    session: SessionDep,
    marts: OptionalMarts,
) -> Any:
    """Partial update. A changed budget is `pending` until the next refresh."""
    try:
        updated = service.update_budget(session=session, user=user, budget=budget, data=data)
    except service.BudgetConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except ValueError as exc:  # unknown or non-expense category, a null field
        raise _invalid(exc) from exc
    return _public(updated, marts)


@router.delete(
    "/{budget_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404)
)
def delete_budget(budget: OwnedBudget, session: SessionDep) -> Response:
    service.delete_budget(session=session, budget=budget)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
