"""Accounts CRUD (API.md module B). Another user's account answers 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status

from api.deps import CurrentUser, CursorQuery, LimitQuery, SessionDep
from api.errors import error_responses
from api.pagination import decode_cursor, encode_cursor
from api.schemas.accounts import AccountCreate, AccountList, AccountPublic, AccountUpdate
from api.services import accounts as account_service
from ledger.models import Account

router = APIRouter(prefix="/api/accounts", tags=["accounts"])


def owned_account(account_id: int, user: CurrentUser, session: SessionDep) -> Account:
    try:
        return account_service.get_account(session=session, user=user, account_id=account_id)
    except account_service.AccountNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "account not found") from exc


OwnedAccount = Annotated[Account, Depends(owned_account)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountPublic,
    responses=error_responses(401),
)
def create_account(data: AccountCreate, user: CurrentUser, session: SessionDep) -> AccountPublic:
    return account_service.create_account(session=session, user=user, data=data)


@router.get("", response_model=AccountList, responses=error_responses(400, 401))
def list_accounts(
    user: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> AccountList:
    after_id = int(decode_cursor(cursor, 1)[0]) if cursor else None
    accounts = account_service.list_accounts(
        session=session, user=user, limit=limit + 1, after_id=after_id
    )
    page, more = accounts[:limit], len(accounts) > limit
    return AccountList(
        items=account_service.public_accounts(session, page),
        next_cursor=encode_cursor(page[-1].id) if more else None,
    )


@router.get("/{account_id}", response_model=AccountPublic, responses=error_responses(401, 404))
def read_account(account: OwnedAccount, session: SessionDep) -> AccountPublic:
    return account_service.public_accounts(session, [account])[0]


@router.put("/{account_id}", response_model=AccountPublic, responses=error_responses(401, 404))
def update_account(
    data: AccountUpdate, account: OwnedAccount, session: SessionDep
) -> AccountPublic:
    return account_service.update_account(session=session, account=account, data=data)


@router.delete(
    "/{account_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404)
)
def delete_account(account: OwnedAccount, session: SessionDep) -> Response:
    """Deletes the account and all of its transactions."""
    account_service.delete_account(session=session, account=account)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
