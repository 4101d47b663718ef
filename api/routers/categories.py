"""Categories, category rules, manual/bulk categorisation and history (API.md module C).

Two routers in one module, exported together as `router`: `/api/categories/...` and the
category routes under `/api/transactions/...` (the transactions router owns the rest of that path).
Another user's rule or transaction answers 404; an unknown category or a bad pattern answers 422.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from api.deps import CurrentUser, CursorQuery, LimitQuery, SessionDep
from api.errors import error_responses
from api.pagination import decode_cursor, encode_cursor
from api.schemas.categories import (
    BulkCategorize,
    BulkCategorizeResult,
    CategoryHistory,
    CategoryList,
    CategoryPublic,
    RuleCreate,
    RuleList,
    RulePublic,
    RulesApply,
    RulesApplyResult,
    RuleUpdate,
    TransactionCategoryPublic,
    TransactionCategoryUpdate,
)
from api.services import categorization as service
from ledger.models import CategoryRule

categories_router = APIRouter(prefix="/api/categories", tags=["categories"])
transactions_router = APIRouter(prefix="/api/transactions", tags=["categories"])


def _unprocessable(exc: Exception) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))


def _transaction_not_found(exc: service.TransactionNotFound) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))


def owned_rule(rule_id: int, user: CurrentUser, session: SessionDep) -> CategoryRule:
    try:
        return service.get_rule(session=session, user=user, rule_id=rule_id)
    except service.RuleNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "rule not found") from exc


OwnedRule = Annotated[CategoryRule, Depends(owned_rule)]


# --- categories and rules ---------------------------------------------------------------------


@categories_router.get("", response_model=CategoryList, responses=error_responses(401))
def list_categories(_user: CurrentUser, session: SessionDep) -> CategoryList:
    """The predefined categories (a short fixed list: one page, `next_cursor` is always null)."""
    return CategoryList(
        items=[
            CategoryPublic(name=category.name, kind=category.kind)  # type: ignore[arg-type]
            for category in service.list_categories(session=session)
        ]
    )


@categories_router.post(
    "/rules",
    status_code=status.HTTP_201_CREATED,
    response_model=RulePublic,
    responses=error_responses(401),
)
def create_rule(data: RuleCreate, user: CurrentUser, session: SessionDep) -> RulePublic:
    """A rule of your own; it runs before every built-in rule.

    422 for an unknown category or a refused pattern (the reason is in `detail`).
    """
    try:
        rule = service.create_rule(session=session, user=user, data=data)
    except service.UnknownCategory as exc:
        raise _unprocessable(exc) from exc
    return service.rule_public(rule)


@categories_router.get("/rules", response_model=RuleList, responses=error_responses(400, 401))
def list_rules(
    user: CurrentUser,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    include_defaults: Annotated[
        bool, Query(description="Also list the built-in rules (read-only, `is_default: true`).")
    ] = False,
) -> RuleList:
    """Your rules in the order they run: priority ascending, then oldest first."""
    after = None
    if cursor:
        try:
            default_key, priority, rule_id = (int(part) for part in decode_cursor(cursor, 3))
        except ValueError as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid cursor") from exc
        after = (default_key, priority, rule_id)
    rules, next_key = service.list_rules(
        session=session, user=user, limit=limit, after=after, include_defaults=include_defaults
    )
    return RuleList(
        items=[service.rule_public(rule) for rule in rules],
        next_cursor=encode_cursor(*next_key) if next_key else None,
    )


@categories_router.post(
    "/rules/apply", response_model=RulesApplyResult, responses=error_responses(401, 404)
)
def apply_rules(data: RulesApply, user: CurrentUser, session: SessionDep) -> RulesApplyResult:
    """Re-run the rules over your existing transactions.

    `dry_run: true` (the default) counts and samples the changes; `false` writes them and their
    history in one transaction. Manual, bulk and bank-given categories are never changed; a
    rule-set category whose rule no longer matches anything goes back to uncategorised.
    404 if `account_id` is not one of yours.
    """
    try:
        return service.reapply_rules(
            session=session, user=user, dry_run=data.dry_run, account_id=data.account_id
        )
    except service.AccountNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "account not found") from exc


@categories_router.put(
    "/rules/{rule_id}", response_model=RulePublic, responses=error_responses(401, 404)
)
def update_rule(
    data: RuleUpdate, rule: OwnedRule, user: CurrentUser, session: SessionDep
) -> RulePublic:
    """Partial update. Built-in rules cannot be changed (404); a rule keeps at least one pattern."""
    try:
        updated = service.update_rule(session=session, user=user, rule_id=rule.id, data=data)
    except (
        service.UnknownCategory,
        service.RuleWithoutPattern,
        service.RuleWithoutCategory,
    ) as exc:
        raise _unprocessable(exc) from exc
    return service.rule_public(updated)


@categories_router.delete(
    "/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404)
)
def delete_rule(rule: OwnedRule, user: CurrentUser, session: SessionDep) -> Response:
    """Transactions it categorised keep their category (re-apply the rules to refresh them)."""
    service.delete_rule(session=session, user=user, rule_id=rule.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- a transaction's category -----------------------------------------------------------------


@transactions_router.put(
    "/{transaction_id}/category",
    response_model=TransactionCategoryPublic,
    responses=error_responses(401, 404),
)
def set_transaction_category(
    transaction_id: int, data: TransactionCategoryUpdate, user: CurrentUser, session: SessionDep
) -> TransactionCategoryPublic:
    """A manual category: rules (on import or re-apply) never overwrite it. `null` clears it."""
    try:
        transaction = service.set_category(
            session=session, user=user, transaction_id=transaction_id, category=data.category
        )
    except service.TransactionNotFound as exc:
        raise _transaction_not_found(exc) from exc
    except service.UnknownCategory as exc:
        raise _unprocessable(exc) from exc
    return TransactionCategoryPublic(
        transaction_id=transaction.id,
        category=transaction.category,
        category_source=transaction.category_source,  # type: ignore[arg-type]
        rule_id=transaction.category_rule_id,
    )


@transactions_router.post(
    "/bulk-categorize", response_model=BulkCategorizeResult, responses=error_responses(401, 404)
)
def bulk_categorize(
    data: BulkCategorize, user: CurrentUser, session: SessionDep
) -> BulkCategorizeResult:
    """Set one category on up to 1,000 transactions. All or nothing: if any id is not one of
    yours, 404 (naming those ids) and nothing changes."""
    try:
        updated = service.bulk_categorize(
            session=session,
            user=user,
            transaction_ids=data.transaction_ids,
            category=data.category,
        )
        category = service.resolve_category(session=session, name=data.category)
    except service.TransactionNotFound as exc:
        raise _transaction_not_found(exc) from exc
    except service.UnknownCategory as exc:
        raise _unprocessable(exc) from exc
    return BulkCategorizeResult(updated=updated, category=category)


@transactions_router.get(
    "/{transaction_id}/category-history",
    response_model=CategoryHistory,
    responses=error_responses(401, 404),
)
def category_history(transaction_id: int, user: CurrentUser, session: SessionDep) -> Any:
    """Every category the transaction had, oldest first. The first entry of a transaction
    categorised at import comes from the transaction itself (`changed_at` = when it was stored)."""
    try:
        transaction, entries = service.category_history(
            session=session, user=user, transaction_id=transaction_id
        )
    except service.TransactionNotFound as exc:
        raise _transaction_not_found(exc) from exc
    return CategoryHistory(
        transaction_id=transaction.id, category=transaction.category, items=entries
    )


router = APIRouter()
router.include_router(categories_router)
router.include_router(transactions_router)
