"""Accounts of the caller. Every lookup is scoped to the user: another user's id is "not found"."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.schemas.accounts import AccountCreate, AccountPublic, AccountUpdate
from ledger.models import Account, Transaction, User
from ledger.money import from_minor, to_minor


class AccountNotFound(Exception):
    pass


def get_account(*, session: Session, user: User, account_id: int) -> Account:
    account = session.scalar(
        select(Account).where(Account.id == account_id, Account.user_id == user.id)
    )
    if account is None:
        raise AccountNotFound
    return account


def _ledger_totals(session: Session, account_ids: Sequence[int]) -> dict[int, int]:
    """Sum of transactions per account, in minor units (one grouped query for a whole page)."""
    if not account_ids:
        return {}
    rows = session.execute(
        select(Transaction.account_id, func.sum(Transaction.amount_minor))
        .where(Transaction.account_id.in_(account_ids))
        .group_by(Transaction.account_id)
    )
    return {account_id: int(total or 0) for account_id, total in rows}


def to_public(account: Account, ledger_total_minor: int) -> AccountPublic:
    balance_minor = account.opening_balance_minor + ledger_total_minor
    return AccountPublic(
        id=account.id,
        bank_name=account.bank_name,
        account_type=account.account_type,  # type: ignore[arg-type]
        masked_account=account.masked_account,
        currency=account.currency,
        balance=from_minor(balance_minor, account.currency),
        created_at=account.created_at,
        updated_at=account.updated_at,
    )


def public_accounts(session: Session, accounts: Sequence[Account]) -> list[AccountPublic]:
    totals = _ledger_totals(session, [account.id for account in accounts])
    return [to_public(account, totals.get(account.id, 0)) for account in accounts]


def _mask(account_number: str) -> str:
    return f"****{account_number[-4:]}"


def create_account(*, session: Session, user: User, data: AccountCreate) -> AccountPublic:
    account = Account(
        user_id=user.id,
        bank_name=data.bank_name,
        account_type=data.account_type,
        currency=data.currency,
        masked_account=_mask(data.account_number) if data.account_number else None,
        opening_balance_minor=to_minor(data.balance, data.currency),
    )
    session.add(account)
    session.commit()
    return to_public(account, 0)


def list_accounts(
    *, session: Session, user: User, limit: int, after_id: int | None
) -> list[Account]:
    query = select(Account).where(Account.user_id == user.id).order_by(Account.id).limit(limit)
    if after_id is not None:
        query = query.where(Account.id > after_id)
    return list(session.scalars(query))


def update_account(*, session: Session, account: Account, data: AccountUpdate) -> AccountPublic:
    if data.bank_name is not None:
        account.bank_name = data.bank_name
    if data.account_type is not None:
        account.account_type = data.account_type
    if data.account_number is not None:
        account.masked_account = _mask(data.account_number)
    ledger_total = _ledger_totals(session, [account.id]).get(account.id, 0)
    if data.balance is not None:
        # The balance is opening + transactions, so a correction moves the opening balance.
        account.opening_balance_minor = to_minor(data.balance, account.currency) - ledger_total
    session.commit()
    return to_public(account, ledger_total)


def delete_account(*, session: Session, account: Account) -> None:
    """Removes the account and its transactions (explicitly, so no store relies on cascades)."""
    session.execute(delete(Transaction).where(Transaction.account_id == account.id))
    session.delete(account)
    session.commit()
