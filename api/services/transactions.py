"""Transactions of the caller: manual entry, detail, and the filtered keyset listing."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import ColumnElement, and_, false, or_, select, tuple_
from sqlalchemy.orm import Session

from api.schemas.accounts import TransactionCreate, TransactionPublic
from api.services.categorization import resolve_category
from ingestion.rules import categorize_frame
from ledger.models import Account, Transaction, User
from ledger.money import KNOWN_CURRENCIES, exponent, from_minor, to_minor


class TransactionNotFound(Exception):
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


def create_manual_transaction(
    *, session: Session, account: Account, data: TransactionCreate
) -> Transaction:
    category = resolve_category(session=session, name=data.category)
    category_source: str | None = "manual" if category else None
    rule_id: int | None = None
    if category is None:  # the same rules as every import path
        category, rule_id = _rule_category(session, account.user_id, data)
        category_source = "rule" if category else None
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
        category_source=category_source,
        category_rule_id=rule_id,
        amount_minor=to_minor(data.amount, account.currency),
        currency=account.currency,
    )
    session.add(txn)
    session.flush()
    return txn


def _rule_category(
    session: Session, user_id: int, data: TransactionCreate
) -> tuple[str | None, int | None]:
    frame = pl.DataFrame(
        {
            "description": [data.description],
            "merchant": [data.merchant],
            "category": [None],
            "category_source": [None],
        },
        schema={
            "description": pl.String,
            "merchant": pl.String,
            "category": pl.String,
            "category_source": pl.String,
        },
    )
    row = categorize_frame(session.connection(), user_id=user_id, frame=frame).row(0, named=True)
    return row["category"], row["category_rule_id"]


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
