"""Categories, the caller's rules, manual/bulk categorisation, history and re-applying rules.

Who may set a category, strongest first: a person (`manual`, `bulk`), then the bank/file
(`import`), then a rule (`rule`). A rule only ever fills or refreshes rows nobody else decided.

History: import-time categorisation writes no `category_changes` rows (bulk speed). The first
entry of a transaction categorised at import is derived from the transaction itself; the first
time its category changes, that derived entry is written down before the change, so the history
stays exact afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl
from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from api.schemas.categories import (
    CategoryChangePublic,
    RuleChangeSample,
    RuleCreate,
    RulePublic,
    RulesApplyResult,
    RuleUpdate,
)
from ingestion.rules import load_rules, match_rules
from ledger.models import (
    Account,
    Category,
    CategoryChange,
    CategoryRule,
    Transaction,
    User,
    utcnow,
)

SAMPLE_SIZE = 20
_CHUNK = 5000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


class UnknownCategory(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown category {name!r}; GET /api/categories lists the categories")


class RuleNotFound(LookupError):
    pass


class TransactionNotFound(LookupError):
    def __init__(self, missing: Sequence[int] = ()) -> None:
        self.missing = list(missing)
        super().__init__(
            f"transactions not found: {self.missing}" if self.missing else "transaction not found"
        )


class AccountNotFound(LookupError):
    pass


# --- categories -------------------------------------------------------------------------------


def list_categories(*, session: Session) -> list[Category]:
    """Expense categories first, then income, then transfers; by name within each."""
    kind_order = case({"expense": 0, "income": 1, "transfer": 2}, value=Category.kind, else_=3)
    return list(session.scalars(select(Category).order_by(kind_order, Category.name)))


def resolve_category(*, session: Session, name: str | None) -> str | None:
    """The predefined category's canonical name (matched case-insensitively), or UnknownCategory."""
    if name is None:
        return None
    found = session.scalar(select(Category.name).where(func.lower(Category.name) == name.lower()))
    if found is None:
        raise UnknownCategory(name)
    return found


# --- rules ------------------------------------------------------------------------------------


def rule_public(rule: CategoryRule) -> RulePublic:
    return RulePublic(
        id=rule.id,
        category=rule.category,
        keyword_pattern=rule.keyword_pattern,
        merchant_pattern=rule.merchant_pattern,
        priority=rule.priority,
        is_active=rule.is_active,
        is_default=rule.user_id is None,
        created_at=rule.created_at,
    )


def create_rule(*, session: Session, user: User, data: RuleCreate) -> CategoryRule:
    rule = CategoryRule(
        user_id=user.id,
        category=resolve_category(session=session, name=data.category),
        keyword_pattern=data.keyword_pattern,
        merchant_pattern=data.merchant_pattern,
        priority=data.priority,
        is_active=data.is_active,
    )
    session.add(rule)
    session.commit()
    return rule


def list_rules(
    *,
    session: Session,
    user: User,
    limit: int,
    after: tuple[int, int, int] | None,
    include_defaults: bool,
) -> tuple[list[CategoryRule], tuple[int, int, int] | None]:
    """Rules in precedence order (own rules, then defaults; priority; id), keyset-paginated.

    The key is (is_default 0/1, priority, id); the second value answered is the next page's key.
    """
    is_default = case((CategoryRule.user_id.is_(None), 1), else_=0)
    owner = CategoryRule.user_id == user.id
    query = select(CategoryRule).where(
        or_(owner, CategoryRule.user_id.is_(None)) if include_defaults else owner
    )
    if after is not None:
        default_key, priority, rule_id = after
        query = query.where(
            or_(
                is_default > default_key,
                and_(is_default == default_key, CategoryRule.priority > priority),
                and_(
                    is_default == default_key,
                    CategoryRule.priority == priority,
                    CategoryRule.id > rule_id,
                ),
            )
        )
    rows = list(
        session.scalars(
            query.order_by(is_default, CategoryRule.priority, CategoryRule.id).limit(limit + 1)
        )
    )
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], (int(last.user_id is None), last.priority, last.id)


def get_rule(*, session: Session, user: User, rule_id: int) -> CategoryRule:
    """One of the caller's own rules; built-in defaults and other users' rules are not found."""
    rule = session.scalar(
        select(CategoryRule).where(CategoryRule.id == rule_id, CategoryRule.user_id == user.id)
    )
    if rule is None:
        raise RuleNotFound
    return rule


class RuleWithoutPattern(ValueError):
    def __init__(self) -> None:
        super().__init__("a rule needs keyword_pattern, merchant_pattern or both")


class RuleWithoutCategory(ValueError):
    def __init__(self) -> None:
        super().__init__("a rule's category cannot be null")


def update_rule(*, session: Session, user: User, rule_id: int, data: RuleUpdate) -> CategoryRule:
    rule = get_rule(session=session, user=user, rule_id=rule_id)
    changes = data.model_dump(exclude_unset=True)
    if "category" in changes:
        if changes["category"] is None:
            raise RuleWithoutCategory
        changes["category"] = resolve_category(session=session, name=changes["category"])
    for field in ("priority", "is_active"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    for field, value in changes.items():
        setattr(rule, field, value)
    if not rule.keyword_pattern and not rule.merchant_pattern:
        session.rollback()
        raise RuleWithoutPattern
    session.commit()
    return rule


def delete_rule(*, session: Session, user: User, rule_id: int) -> None:
    """Transactions it categorised keep their category (their `rule_id` becomes null)."""
    rule = get_rule(session=session, user=user, rule_id=rule_id)
    session.delete(rule)
    session.commit()


# --- manual and bulk categorisation -----------------------------------------------------------


def get_transaction(*, session: Session, user: User, transaction_id: int) -> Transaction:
    transaction = session.scalar(
        select(Transaction).where(Transaction.id == transaction_id, Transaction.user_id == user.id)
    )
    if transaction is None:
        raise TransactionNotFound
    return transaction


@dataclass(frozen=True)
class _Current:
    """A transaction's category state before a change."""

    id: int
    category: str | None
    category_source: str | None
    category_rule_id: int | None
    created_at: datetime


def _ids_with_history(session: Session, ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(
            session.scalars(
                select(CategoryChange.transaction_id)
                .where(CategoryChange.transaction_id.in_(chunk))
                .distinct()
            )
        )
    return found


def _record_changes(
    session: Session,
    *,
    user: User,
    before: Sequence[_Current],
    to_category: dict[int, str | None],
    changed_by: str,
    rule_ids: dict[int, int | None] | None = None,
) -> int:
    """Write history for every row whose category changes (with its derived first entry)."""
    changed = [row for row in before if row.category != to_category[row.id]]
    if not changed:
        return 0
    with_history = _ids_with_history(session, [row.id for row in changed])
    now = utcnow()
    entries = [
        # The derived import-time entry, written down before its first change.
        {
            "transaction_id": row.id,
            "user_id": user.id,
            "from_category": None,
            "to_category": row.category,
            "changed_by": row.category_source or "import",
            "rule_id": row.category_rule_id,
            "changed_at": row.created_at,
        }
        for row in changed
        if row.category is not None and row.id not in with_history
    ]
    entries.extend(
        {
            "transaction_id": row.id,
            "user_id": user.id,
            "from_category": row.category,
            "to_category": to_category[row.id],
            "changed_by": changed_by,
            "rule_id": (rule_ids or {}).get(row.id),
            "changed_at": now,
        }
        for row in changed
    )
    session.execute(insert(CategoryChange), entries)
    return len(changed)


def _current_rows(session: Session, user: User, ids: Sequence[int]) -> list[_Current]:
    rows: list[_Current] = []
    for chunk in _chunks(ids):
        rows.extend(
            _Current(*row)
            for row in session.execute(
                select(
                    Transaction.id,
                    Transaction.category,
                    Transaction.category_source,
                    Transaction.category_rule_id,
                    Transaction.created_at,
                ).where(Transaction.user_id == user.id, Transaction.id.in_(chunk))
            )
        )
    return rows


def _set_by_person(
    session: Session, *, user: User, ids: Sequence[int], category: str | None, source: str
) -> int:
    before = _current_rows(session, user, ids)
    found = {row.id for row in before}
    missing = sorted(set(ids) - found)
    if missing:
        raise TransactionNotFound(missing)
    _record_changes(
        session,
        user=user,
        before=before,
        to_category=dict.fromkeys(found, category),
        changed_by=source,
    )
    now = utcnow()
    for chunk in _chunks(sorted(found)):
        session.execute(
            update(Transaction)
            .where(Transaction.user_id == user.id, Transaction.id.in_(chunk))
            .values(
                category=category, category_source=source, category_rule_id=None, updated_at=now
            )
            .execution_options(synchronize_session=False)
        )
    return len(found)


def set_category(
    *, session: Session, user: User, transaction_id: int, category: str | None
) -> Transaction:
    """A manual choice: it wins over rules from now on, even when it is `null`."""
    canonical = resolve_category(session=session, name=category)
    try:
        _set_by_person(
            session, user=user, ids=[transaction_id], category=canonical, source="manual"
        )
    except TransactionNotFound:
        session.rollback()
        raise TransactionNotFound from None
    session.commit()
    return get_transaction(session=session, user=user, transaction_id=transaction_id)


def bulk_categorize(
    *, session: Session, user: User, transaction_ids: Sequence[int], category: str | None
) -> int:
    """All or nothing: if any id is not the caller's, TransactionNotFound and nothing changes."""
    canonical = resolve_category(session=session, name=category)
    ids = sorted(set(transaction_ids))
    try:
        updated = _set_by_person(session, user=user, ids=ids, category=canonical, source="bulk")
    except TransactionNotFound:
        session.rollback()
        raise
    session.commit()
    return updated


def category_history(
    *, session: Session, user: User, transaction_id: int
) -> tuple[Transaction, list[CategoryChangePublic]]:
    transaction = get_transaction(session=session, user=user, transaction_id=transaction_id)
    rows = session.scalars(
        select(CategoryChange)
        .where(CategoryChange.transaction_id == transaction.id)
        .order_by(CategoryChange.changed_at, CategoryChange.id)
    ).all()
    entries = [
        CategoryChangePublic(
            from_category=row.from_category,
            to_category=row.to_category,
            changed_at=row.changed_at,
            changed_by=row.changed_by,  # type: ignore[arg-type]
            rule_id=row.rule_id,
        )
        for row in rows
    ]
    if not entries and transaction.category is not None:
        entries.append(
            CategoryChangePublic(
                from_category=None,
                to_category=transaction.category,
                changed_at=transaction.created_at,
                changed_by=transaction.category_source or "import",  # type: ignore[arg-type]
                rule_id=transaction.category_rule_id,
            )
        )
    return transaction, entries


# --- re-applying rules ------------------------------------------------------------------------


def _rule_may_set(column_source, column_category):  # type: ignore[no-untyped-def]
    """Rows a rule may (re)categorise: nobody decided them (not a person, not the bank)."""
    return or_(
        column_source.is_(None),
        column_source == "rule",
        and_(column_source == "import", column_category.is_(None)),
    )


def reapply_rules(
    *, session: Session, user: User, dry_run: bool, account_id: int | None = None
) -> RulesApplyResult:
    """Run the caller's rules and the defaults again over their existing transactions.

    Every row a rule may set gets what a fresh import would give it today: the first matching
    rule's category, or none when no rule matches any more. Manual, bulk and bank-given
    categories are never touched. The real run is one DB transaction: grouped UPDATEs plus history
    rows (`changed_by="rule"` with the rule's id).
    """
    if account_id is not None and (
        session.scalar(
            select(Account.id).where(Account.id == account_id, Account.user_id == user.id)
        )
        is None
    ):
        raise AccountNotFound
    query = select(
        Transaction.id,
        Transaction.description,
        Transaction.merchant,
        Transaction.category,
        Transaction.category_source,
        Transaction.category_rule_id,
    ).where(
        Transaction.user_id == user.id,
        _rule_may_set(Transaction.category_source, Transaction.category),
    )
    if account_id is not None:
        query = query.where(Transaction.account_id == account_id)
    # Plain columns only (no per-row timestamp parsing): this may be every transaction the user has.
    rows = session.execute(query.order_by(Transaction.id)).tuples().all()
    schema: dict[str, pl.DataType] = {
        "id": pl.Int64(),
        "description": pl.String(),
        "merchant": pl.String(),
        "category": pl.String(),
        "category_source": pl.String(),
        "category_rule_id": pl.Int64(),
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    rules = load_rules(session.connection(), user_id=user.id)
    changes = pl.concat([frame, match_rules(frame, rules)], how="horizontal").filter(
        pl.col("category").ne_missing(pl.col("rule_category"))
    )
    sample = [
        RuleChangeSample(
            transaction_id=row["id"],
            description=row["description"],
            from_category=row["category"],
            to_category=row["rule_category"],
            rule_id=row["rule_id"],
        )
        for row in changes.head(SAMPLE_SIZE).iter_rows(named=True)
    ]
    result = RulesApplyResult(
        dry_run=dry_run, examined=frame.height, changes=changes.height, sample=sample
    )
    if dry_run or changes.height == 0:
        session.rollback()
        return result

    changed_rows = list(changes.iter_rows(named=True))
    _record_changes(
        session,
        user=user,
        before=_current_rows(session, user, [row["id"] for row in changed_rows]),
        to_category={row["id"]: row["rule_category"] for row in changed_rows},
        changed_by="rule",
        rule_ids={row["id"]: row["rule_id"] for row in changed_rows},
    )
    groups: dict[tuple[str | None, int | None], list[int]] = defaultdict(list)
    for row in changed_rows:
        groups[(row["rule_category"], row["rule_id"])].append(row["id"])
    now = utcnow()
    for (category, rule_id), ids in groups.items():
        for chunk in _chunks(ids):
            session.execute(
                update(Transaction)
                .where(
                    Transaction.user_id == user.id,
                    Transaction.id.in_(chunk),
                    # Re-checked under the write: a person's choice made meanwhile still wins.
                    _rule_may_set(Transaction.category_source, Transaction.category),
                )
                .values(
                    category=category,
                    category_source="rule" if category is not None else None,
                    category_rule_id=rule_id,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
    session.commit()
    return result


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


__all__ = [
    "AccountNotFound",
    "RuleNotFound",
    "RuleWithoutCategory",
    "RuleWithoutPattern",
    "TransactionNotFound",
    "UnknownCategory",
    "bulk_categorize",
    "category_history",
    "create_rule",
    "delete_rule",
    "get_rule",
    "list_categories",
    "list_rules",
    "reapply_rules",
    "resolve_category",
    "rule_public",
    "set_category",
    "update_rule",
]
