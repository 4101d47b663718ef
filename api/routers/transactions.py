"""Transactions (API.md module B): manual entry, filtered keyset listing, detail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from api.deps import CurrentUser, CursorQuery, LimitQuery, SessionDep
from api.errors import error_responses
from api.pagination import decode_cursor, encode_cursor
from api.schemas.accounts import TransactionCreate, TransactionList, TransactionPublic
from api.schemas.common import MoneyIn
from api.services import accounts as account_service
from api.services import transactions as txn_service
from api.services.categorization import UnknownCategory

router = APIRouter(prefix="/api/transactions", tags=["transactions"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TransactionPublic,
    responses=error_responses(401, 404),
)
def create_transaction(
    data: TransactionCreate, user: CurrentUser, session: SessionDep
) -> TransactionPublic:
    """Record one transaction by hand (`source: manual`). A category given here is manual."""
    try:
        account = account_service.get_account(
            session=session, user=user, account_id=data.account_id
        )
        txn = txn_service.create_manual_transaction(session=session, account=account, data=data)
    except account_service.AccountNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "account not found") from exc
    except UnknownCategory as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    session.commit()
    return txn_service.to_public(txn)


def _parse_cursor(cursor: str | None) -> tuple[date, int] | None:
    if cursor is None:
        return None
    txn_date, txn_id = decode_cursor(cursor, 2)
    try:
        return date.fromisoformat(txn_date), int(txn_id)
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid cursor") from exc


@router.get("", response_model=TransactionList, responses=error_responses(400, 401))
def list_transactions(
    user: CurrentUser,
    session: SessionDep,
    account_id: int | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    min_amount: Annotated[MoneyIn | None, Query(description="Inclusive, e.g. -100.00")] = None,
    max_amount: Annotated[MoneyIn | None, Query(description="Inclusive, e.g. 0")] = None,
    merchant: Annotated[str | None, Query(max_length=200, description="Substring")] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Description search")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> TransactionList:
    """Newest first. Another user's `account_id` simply matches nothing."""
    filters = txn_service.TransactionFilters(
        account_id=account_id,
        start_date=start_date,
        end_date=end_date,
        min_amount=Decimal(min_amount) if min_amount is not None else None,
        max_amount=Decimal(max_amount) if max_amount is not None else None,
        merchant=merchant,
        category=category,
        q=q,
    )
    rows = txn_service.list_transactions(
        session=session, user=user, filters=filters, limit=limit + 1, after=_parse_cursor(cursor)
    )
    page = rows[:limit]
    next_cursor = (
        encode_cursor(page[-1].txn_date.isoformat(), page[-1].id) if len(rows) > limit else None
    )
    return TransactionList(items=[txn_service.to_public(t) for t in page], next_cursor=next_cursor)


@router.get(
    "/{transaction_id}", response_model=TransactionPublic, responses=error_responses(401, 404)
)
def read_transaction(
    transaction_id: int, user: CurrentUser, session: SessionDep
) -> TransactionPublic:
    try:
        txn = txn_service.get_transaction(session=session, user=user, transaction_id=transaction_id)
    except txn_service.TransactionNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "transaction not found") from exc
    return txn_service.to_public(txn)
