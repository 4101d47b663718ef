"""Insights (API.md module E): cash flow, top merchants, burn rate, category breakdown.

Every figure comes from a mart of the serving snapshot (metric definitions live in dbt only);
these handlers filter the rows to the caller and format them. Amounts are per currency, never
added across currencies, as decimal strings with the currency's exponent. `as_of` is when the
snapshot was built.

Months are whole calendar months: `start_date` / `end_date` select the months they overlap.
Without `account_id` the figures cover all the caller's accounts (transfers between them are
neither income nor spending); with it, that one account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import CurrentUser, SessionDep
from api.errors import ErrorResponse, error_responses
from api.marts import NO_SNAPSHOT_DETAIL, Marts, MartsDep
from api.schemas.common import MoneyOut
from ledger.models import Account, User
from ledger.money import exponent

router = APIRouter(prefix="/api/insights", tags=["insights"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    **error_responses(401, 404),
    422: {"model": ErrorResponse, "description": "Invalid dates or parameters"},
    503: {
        "model": ErrorResponse,
        "description": "No serving snapshot published yet",
        "content": {"application/json": {"example": {"detail": NO_SNAPSHOT_DETAIL}}},
    },
}


def _responses(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": example}}}, **RESPONSES}


# --- filters ---------------------------------------------------------------------------------


class InsightFilters(BaseModel):
    model_config = ConfigDict(frozen=True)  # hashable: part of the response-cache key

    user_id: int
    start_date: date | None
    end_date: date | None
    account_id: int | None


class InsightQuery(BaseModel):
    start_date: date | None
    end_date: date | None
    account_id: int | None


async def insight_query(
    start_date: Annotated[
        date | None, Query(description="First day of interest; its whole month is included.")
    ] = None,
    end_date: Annotated[
        date | None, Query(description="Last day of interest; its whole month is included.")
    ] = None,
    account_id: Annotated[
        int | None, Query(description="Only this account (yours, or 404).")
    ] = None,
) -> InsightQuery:
    if start_date and end_date and start_date > end_date:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "start_date must not be after end_date"
        )
    return InsightQuery(start_date=start_date, end_date=end_date, account_id=account_id)


QueryDep = Annotated[InsightQuery, Depends(insight_query)]


def owned_filters(query: InsightQuery, user: User, session: Session) -> InsightFilters:
    """The caller's filters; 404 for an account that is not theirs. Ownership is checked in the
    ops store, the system of record: an account opened after the last build is theirs too."""
    if query.account_id is not None:
        owner = session.scalar(select(Account.user_id).where(Account.id == query.account_id))
        if owner != user.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "account not found")
    return InsightFilters(user_id=user.id, **query.model_dump())


def _where(filters: InsightFilters, *, months: bool) -> str:
    """The filter as SQL. Values are inlined from typed ints and dates (never from text): DuckDB
    prunes row groups on literal comparisons better than on parameters, ~2x faster here."""
    where = [f"user_id = {int(filters.user_id)}"]
    if filters.account_id is not None:
        where.append(f"account_id = {int(filters.account_id)}")
    if months and filters.start_date is not None:
        where.append(f"month_start >= date_trunc('month', date '{filters.start_date.isoformat()}')")
    if months and filters.end_date is not None:
        where.append(f"month_start <= date '{filters.end_date.isoformat()}'")
    return " and ".join(where)


def _monthly_rows(
    marts: Marts,
    filters: InsightFilters,
    *,
    user_mart: str,
    account_mart: str,
    sort_key: Callable[[dict[str, Any]], Any],
) -> list[dict[str, Any]]:
    """Rows of the per-user mart, or of the per-account mart when an account is given.

    Sorted here rather than with ORDER BY: a user's rows are a few dozen, and DuckDB's sort
    costs more than the scan itself at that size."""
    mart = user_mart if filters.account_id is None else account_mart
    rows = marts.query(f"select * from marts.{mart} where {_where(filters, months=True)}")
    rows.sort(key=sort_key)
    return rows


def by_month(row: dict[str, Any]) -> tuple:
    return row["currency"], row["month_start"]


def cached_response(marts: Marts, key: tuple[Any, ...], build: Callable[[], BaseModel]) -> Response:
    """The JSON of `build()`, from the snapshot's response cache when the same caller asked the
    same question of the same snapshot before. Serialised once: returning the model would make
    FastAPI validate it again."""
    body = marts.cache.get_or_build(key, lambda: build().model_dump_json().encode())
    return Response(body, media_type="application/json")


def money(amount: Decimal, currency: str) -> Decimal:
    """A mart amount with its currency's exponent (marts hold 4 decimals; this is exact)."""
    return amount.quantize(_minor_unit(currency))


@lru_cache(maxsize=256)
def _minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def _group_by_currency(
    rows: list[dict[str, Any]], build: Callable[[str, list[dict[str, Any]]], Any]
) -> list[Any]:
    by_currency: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_currency.setdefault(row["currency"], []).append(row)
    return [build(currency, group) for currency, group in sorted(by_currency.items())]


def _by_month(rows: list[dict[str, Any]]) -> dict[date, list[dict[str, Any]]]:
    months: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        months.setdefault(row["month_start"], []).append(row)
    return months


class InsightBase(BaseModel):
    as_of: datetime = Field(description="When the serving snapshot was built (UTC).")
    account_id: int | None = Field(description="The account filtered on, or null for all.")
    start_date: date | None
    end_date: date | None


def _base(marts: Marts, filters: InsightFilters) -> dict[str, Any]:
    return {
        "as_of": marts.as_of,
        "account_id": filters.account_id,
        "start_date": filters.start_date,
        "end_date": filters.end_date,
    }


# --- cash flow -------------------------------------------------------------------------------


class CashFlowMonth(BaseModel):
    month_start: date
    income: MoneyOut
    expenses: MoneyOut = Field(description="Money out, as a positive figure.")
    net: MoneyOut = Field(description="income - expenses")
    transfers_in: MoneyOut
    transfers_out: MoneyOut
    transaction_count: int


class CashFlowCurrency(BaseModel):
    currency: str
    months: list[CashFlowMonth]


class CashFlowPublic(InsightBase):
    currencies: list[CashFlowCurrency]


CASH_FLOW_EXAMPLE = {
    "as_of": "2024-04-01T02:00:00Z",
    "account_id": None,
    "start_date": "2024-01-01",
    "end_date": "2024-03-31",
    "currencies": [
        {
            "currency": "USD",
            "months": [
                {
                    "month_start": "2024-01-01",
                    "income": "3000.00",
                    "expenses": "165.75",
                    "net": "2834.25",
                    "transfers_in": "500.00",
                    "transfers_out": "500.00",
                    "transaction_count": 5,
                }
            ],
        }
    ],
}


def _cash_flow_currency(currency: str, rows: list[dict[str, Any]]) -> CashFlowCurrency:
    months = [
        CashFlowMonth(
            month_start=row["month_start"],
            transaction_count=row["transaction_count"],
            **{
                name: money(row[name], currency)
                for name in ("income", "expenses", "net", "transfers_in", "transfers_out")
            },
        )
        for row in rows
    ]
    return CashFlowCurrency(currency=currency, months=months)


@router.get(
    "/cash-flow",
    response_model=CashFlowPublic,
    responses=_responses(CASH_FLOW_EXAMPLE),
    summary="Monthly income, expenses and net, per currency",
)
def cash_flow(query: QueryDep, user: CurrentUser, session: SessionDep, marts: MartsDep) -> Response:
    """Income (money in), expenses (money out) and net per month; transfers between your own
    accounts are neither, and are shown apart."""
    filters = owned_filters(query, user, session)
    return cached_response(marts, ("cash-flow", filters), lambda: _cash_flow(marts, filters))


def _cash_flow(marts: Marts, filters: InsightFilters) -> CashFlowPublic:
    rows = _monthly_rows(
        marts,
        filters,
        user_mart="mart_cash_flow_monthly",
        account_mart="mart_account_cash_flow_monthly",
        sort_key=by_month,
    )
    currencies = _group_by_currency(rows, _cash_flow_currency)
    return CashFlowPublic(**_base(marts, filters), currencies=currencies)


# --- merchants -------------------------------------------------------------------------------


class MerchantSpend(BaseModel):
    rank: int
    merchant: str | None
    spend: MoneyOut
    transaction_count: int


class MerchantMonth(BaseModel):
    month_start: date
    merchants: list[MerchantSpend]


class MerchantCurrency(BaseModel):
    currency: str
    months: list[MerchantMonth]


class MerchantsPublic(InsightBase):
    currencies: list[MerchantCurrency]


MERCHANTS_EXAMPLE = {
    "as_of": "2024-04-01T02:00:00Z",
    "account_id": None,
    "start_date": "2024-01-01",
    "end_date": "2024-01-31",
    "currencies": [
        {
            "currency": "USD",
            "months": [
                {
                    "month_start": "2024-01-01",
                    "merchants": [
                        {"rank": 1, "merchant": "Lidl", "spend": "120.50", "transaction_count": 1},
                        {
                            "rank": 2,
                            "merchant": "Cafe Rio",
                            "spend": "45.25",
                            "transaction_count": 1,
                        },
                    ],
                }
            ],
        }
    ],
}


def _merchant_currency(currency: str, rows: list[dict[str, Any]]) -> MerchantCurrency:
    months = [
        MerchantMonth(
            month_start=month_start,
            merchants=[
                MerchantSpend(
                    rank=row["spend_rank"],
                    merchant=row["merchant"],
                    spend=money(row["spend"], currency),
                    transaction_count=row["transaction_count"],
                )
                for row in month_rows
            ],
        )
        for month_start, month_rows in _by_month(rows).items()
    ]
    return MerchantCurrency(currency=currency, months=months)


@router.get(
    "/merchants",
    response_model=MerchantsPublic,
    responses=_responses(MERCHANTS_EXAMPLE),
    summary="Top merchants by spending, per month and currency",
)
def merchants(
    query: QueryDep,
    user: CurrentUser,
    session: SessionDep,
    marts: MartsDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Merchants per month.")] = 10,
) -> Response:
    """The merchants you spent most with each month (money out, transfers excluded); without
    a merchant name, the transaction's description stands in."""
    filters = owned_filters(query, user, session)
    key = ("merchants", filters, limit)
    return cached_response(marts, key, lambda: _merchants(marts, filters, limit))


def _merchants(marts: Marts, filters: InsightFilters, limit: int) -> MerchantsPublic:
    rows = _monthly_rows(
        marts,
        filters,
        user_mart="mart_merchant_spend_monthly",
        account_mart="mart_account_merchant_spend_monthly",
        sort_key=lambda row: (*by_month(row), row["spend_rank"]),
    )
    rows = [row for row in rows if row["spend_rank"] <= limit]
    currencies = _group_by_currency(rows, _merchant_currency)
    return MerchantsPublic(**_base(marts, filters), currencies=currencies)


# --- categories ------------------------------------------------------------------------------


class CategorySpend(BaseModel):
    category: str
    kind: str | None = Field(description="expense, income, or null when uncategorized")
    income: MoneyOut
    expenses: MoneyOut
    net: MoneyOut
    transaction_count: int


class CategoryMonth(BaseModel):
    month_start: date
    categories: list[CategorySpend]


class CategoryCurrency(BaseModel):
    currency: str
    months: list[CategoryMonth]


class CategoriesPublic(InsightBase):
    currencies: list[CategoryCurrency]


CATEGORIES_EXAMPLE = {
    "as_of": "2024-04-01T02:00:00Z",
    "account_id": None,
    "start_date": "2024-02-01",
    "end_date": "2024-02-29",
    "currencies": [
        {
            "currency": "USD",
            "months": [
                {
                    "month_start": "2024-02-01",
                    "categories": [
                        {
                            "category": "Groceries",
                            "kind": "expense",
                            "income": "0.00",
                            "expenses": "80.00",
                            "net": "-80.00",
                            "transaction_count": 1,
                        }
                    ],
                }
            ],
        }
    ],
}


def _category_currency(currency: str, rows: list[dict[str, Any]]) -> CategoryCurrency:
    months = [
        CategoryMonth(
            month_start=month_start,
            categories=[
                CategorySpend(
                    category=row["category"],
                    kind=row["category_kind"],
                    income=money(row["income"], currency),
                    expenses=money(row["expenses"], currency),
                    net=money(row["net"], currency),
                    transaction_count=row["transaction_count"],
                )
                for row in month_rows
            ],
        )
        for month_start, month_rows in _by_month(rows).items()
    ]
    return CategoryCurrency(currency=currency, months=months)


@router.get(
    "/categories",
    response_model=CategoriesPublic,
    responses=_responses(CATEGORIES_EXAMPLE),
    summary="Income and spending per category, per month and currency",
)
def categories(
    query: QueryDep, user: CurrentUser, session: SessionDep, marts: MartsDep
) -> Response:
    """Per category and month, biggest spending first; transfers are left out, so a month's
    categories add up to its cash flow."""
    filters = owned_filters(query, user, session)
    return cached_response(marts, ("categories", filters), lambda: _categories(marts, filters))


def _categories(marts: Marts, filters: InsightFilters) -> CategoriesPublic:
    rows = _monthly_rows(
        marts,
        filters,
        user_mart="mart_category_spend_monthly",
        account_mart="mart_account_category_spend_monthly",
        sort_key=lambda row: (*by_month(row), -row["expenses"], -row["income"], row["category"]),
    )
    currencies = _group_by_currency(rows, _category_currency)
    return CategoriesPublic(**_base(marts, filters), currencies=currencies)


# --- burn rate -------------------------------------------------------------------------------


class SpendTrendMonth(BaseModel):
    month_start: date
    expenses: MoneyOut


class BurnRateCurrency(BaseModel):
    currency: str
    as_of_date: date = Field(description="The trailing windows end on this day.")
    spend_30d: MoneyOut
    spend_prev_30d: MoneyOut = Field(description="Spending in the 30 days before those.")
    spend_90d: MoneyOut
    avg_daily_spend_30d: MoneyOut
    avg_daily_spend_90d: MoneyOut
    monthly_burn: MoneyOut = Field(description="90-day spending / 3.")
    spend_change_pct: Decimal | None = Field(
        description="Last 30 days against the 30 before, in %; null without prior spending.",
        json_schema_extra={"type": "string"},
    )
    spend_trend: str = Field(description="up, down or flat")
    balance: MoneyOut = Field(
        description="Liquid balance (checking, savings, cash), or the account's balance."
    )
    runway_months: Decimal | None = Field(
        description="balance / monthly_burn; null without spending.",
        json_schema_extra={"type": "string"},
    )
    monthly_expenses: list[SpendTrendMonth] = Field(
        description="Spending per month within start_date..end_date."
    )


class BurnRatePublic(InsightBase):
    currencies: list[BurnRateCurrency]


BURN_RATE_EXAMPLE = {
    "as_of": "2024-04-01T02:00:00Z",
    "account_id": None,
    "start_date": None,
    "end_date": None,
    "currencies": [
        {
            "currency": "USD",
            "as_of_date": "2024-03-31",
            "spend_30d": "360.00",
            "spend_prev_30d": "230.00",
            "spend_90d": "755.75",
            "avg_daily_spend_30d": "12.00",
            "avg_daily_spend_90d": "8.40",
            "monthly_burn": "251.92",
            "spend_change_pct": "56.52",
            "spend_trend": "up",
            "balance": "9194.25",
            "runway_months": "36.50",
            "monthly_expenses": [{"month_start": "2024-03-01", "expenses": "360.00"}],
        }
    ],
}

_BURN_MONEY = (
    "spend_30d",
    "spend_prev_30d",
    "spend_90d",
    "avg_daily_spend_30d",
    "avg_daily_spend_90d",
    "monthly_burn",
    "balance",
)


def _burn_rate_rows(marts: Marts, filters: InsightFilters) -> list[dict[str, Any]]:
    mart = "mart_burn_rate" if filters.account_id is None else "mart_account_burn_rate"
    rows = marts.query(f"select * from marts.{mart} where {_where(filters, months=False)}")
    return sorted(rows, key=lambda row: row["currency"])


@router.get(
    "/burn-rate",
    response_model=BurnRatePublic,
    responses=_responses(BURN_RATE_EXAMPLE),
    summary="Spending trend, burn rate and runway, per currency",
)
def burn_rate(query: QueryDep, user: CurrentUser, session: SessionDep, marts: MartsDep) -> Response:
    """Average daily and monthly spending over the trailing 30 and 90 days (ending on
    `as_of_date`, the snapshot's day), the trend against the previous 30 days, and how many
    months the balance lasts at that burn. `monthly_expenses` is the spending per month within
    `start_date`..`end_date`."""
    filters = owned_filters(query, user, session)
    return cached_response(marts, ("burn-rate", filters), lambda: _burn_rate(marts, filters))


def _burn_rate(marts: Marts, filters: InsightFilters) -> BurnRatePublic:
    monthly = _monthly_rows(
        marts,
        filters,
        user_mart="mart_cash_flow_monthly",
        account_mart="mart_account_cash_flow_monthly",
        sort_key=by_month,
    )
    trend: dict[str, list[SpendTrendMonth]] = {}
    for row in monthly:
        trend.setdefault(row["currency"], []).append(
            SpendTrendMonth(
                month_start=row["month_start"], expenses=money(row["expenses"], row["currency"])
            )
        )
    currencies = [
        BurnRateCurrency(
            currency=row["currency"],
            as_of_date=row["as_of_date"],
            spend_change_pct=row["spend_change_pct"],
            spend_trend=row["spend_trend"],
            runway_months=row["runway_months"],
            monthly_expenses=trend.get(row["currency"], []),
            **{name: money(row[name], row["currency"]) for name in _BURN_MONEY},
        )
        for row in _burn_rate_rows(marts, filters)
    ]
    return BurnRatePublic(**_base(marts, filters), currencies=currencies)
