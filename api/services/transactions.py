"""Transactions of the caller: manual entry, detail, and the filtered keyset listing."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, false, or_, select, tuple_
from sqlalchemy.orm import Session

from api.schemas.accounts import TransactionCreate, TransactionPublic
from ledger.models import Account, Category, Transaction, User
from ledger.money import KNOWN_CURRENCIES, exponent, from_minor, to_minor


class TransactionNotFound(Exception):
    pass


class UnknownCategory(ValueError):
    pass


def to_public(txn: Transaction) -> TransactionPublic:
    return TransactionPublic(
        id=txn.id,
        account_id=txn.account_id,
        txn_date=txn.txn_date,
        posted_date=txn.posted_date,
        description=txn.description,
        merchant=txn.merchant,
        category=txn.category,
        amount=from_minor(txn.amount_minor, txn.currency),
        currency=txn.currency,
        txn_type="debit" if txn.amount_minor < 0 else "credit",
        source=txn.source,  # type: ignore[arg-type]
        is_pending=txn.is_pending,
        created_at=txn.created_at,
    )


def get_transaction(*, session: Session, user: User, transaction_id: int) -> Transaction:
    txn = session.scalar(
        select(Transaction).where(Transaction.id == transaction_id, Transaction.user_id == user.id)
    )
    if txn is None:
        raise TransactionNotFound
    return txn


def canonical_category(session: Session, name: str) -> str:
    """The predefined category's exact name for a case-insensitive match, or UnknownCategory."""
    names = {row.lower(): row for row in session.scalars(select(Category.name))}
    try:
        return names[name.strip().lower()]
    except KeyError:
        raise UnknownCategory(f"unknown category {name!r}; see GET /api/categories") from None


def create_manual_transaction(
    *, session: Session, account: Account, data: TransactionCreate
) -> Transaction:
    category = canonical_category(session, data.category) if data.category else None
    txn = Transaction(
        user_id=account.user_id,
        account_id=account.id,
        source="manual",
        source_key=f"manual:{uuid.uuid4().hex}",
        txn_date=data.txn_date,
        posted_date=data.posted_date,
        description=data.description,
        merchant=data.merchant,
        category=category,
        category_source="manual" if category else None,
        amount_minor=to_minor(data.amount, account.currency),
        currency=account.currency,
    )
    session.add(txn)
    session.flush()
    return txn


# --- listing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransactionFilters:
    account_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    merchant: str | None = None
    category: str | None = None
    q: str | None = None


def _currencies_by_exponent() -> dict[int, list[str]]:
    groups: dict[int, list[str]] = {}
    for code in sorted(KNOWN_CURRENCIES):
        groups.setdefault(exponent(code), []).append(code)
    return groups


_CURRENCIES_BY_EXPONENT = _currencies_by_exponent()


def _amount_bound(value: Decimal, *, lower: bool) -> ColumnElement[bool]:
    """`amount >= value` (or <=) exactly, in each currency's own minor units."""
    clauses = []
    for exp, currencies in _CURRENCIES_BY_EXPONENT.items():
        scaled = value.scaleb(exp)
        if lower:
            bound = math.ceil(scaled)
            clauses.append(
                and_(Transaction.currency.in_(currencies), Transaction.amount_minor >= bound)
            )
        else:
            bound = math.floor(scaled)
            clauses.append(
                and_(Transaction.currency.in_(currencies), Transaction.amount_minor <= bound)
            )
    return or_(*clauses) if clauses else false()


def _filter_clauses(user: User, filters: TransactionFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Transaction.user_id == user.id]
    if filters.account_id is not None:
        clauses.append(Transaction.account_id == filters.account_id)
    if filters.start_date is not None:
        clauses.append(Transaction.txn_date >= filters.start_date)
    if filters.end_date is not None:
        clauses.append(Transaction.txn_date <= filters.end_date)
    if filters.min_amount is not None:
        clauses.append(_amount_bound(filters.min_amount, lower=True))
    if filters.max_amount is not None:
        clauses.append(_amount_bound(filters.max_amount, lower=False))
    if filters.merchant:
        clauses.append(Transaction.merchant.icontains(filters.merchant, autoescape=True))
    if filters.category:
        clauses.append(Transaction.category == filters.category)
    if filters.q:
        clauses.append(Transaction.description.icontains(filters.q, autoescape=True))
    return clauses


def list_transactions(
    *,
    session: Session,
    user: User,
    filters: TransactionFilters,
    limit: int,
    after: tuple[date, int] | None,
) -> list[Transaction]:
    """Newest first, keyset-paginated on (txn_date, id): stable while rows are added."""
    if after is not None and filters.end_date is not None and filters.end_date >= after[0]:
        # The cursor already bounds txn_date from above; a looser end_date would only tempt the
        # planner to start its index walk there instead of at the cursor.
        filters = replace(filters, end_date=None)
    clauses = _filter_clauses(user, filters)
    if after is not None:
        after_date, after_id = after
        # A row-value comparison, which both stores turn into an index range seek (the
        # equivalent OR form makes SQLite scan from the first row at every page).
        clauses.append(tuple_(Transaction.txn_date, Transaction.id) < tuple_(after_date, after_id))
    query = (
        select(Transaction)
        .where(*clauses)
        .order_by(Transaction.txn_date.desc(), Transaction.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
