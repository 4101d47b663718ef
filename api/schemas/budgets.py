"""Budgets (API.md module C): a monthly spending limit per expense category, and its progress."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from api.schemas.categories import CategoryName
from api.schemas.common import CurrencyCode, MoneyIn, MoneyOut

BudgetStatus = Literal["ok", "warning", "exceeded", "pending"]
Year = Annotated[int, Field(ge=2000, le=2100, examples=[2026])]
Month = Annotated[int, Field(ge=1, le=12, examples=[3])]


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("limit_amount must be greater than 0")
    return value


LimitAmount = Annotated[MoneyIn, AfterValidator(_positive)]

Percent = Annotated[
    Decimal,
    PlainSerializer(lambda value: str(value), return_type=str),
    WithJsonSchema({"type": "string", "examples": ["80.00"]}),
]

_STATUS_DOC = (
    "`ok`; `warning` at 80 % or more (exactly 80 % and exactly 100 % are warnings); `exceeded` "
    "above 100 %; `pending` when the budget is newer than the last warehouse build (or was "
    "changed since): its figures arrive with the next refresh."
)
_AS_OF_DOC = (
    "When the warehouse snapshot the figures come from was built (UTC); null if none has been "
    "published yet."
)


class BudgetCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"year": 2026, "month": 3, "category": "Groceries", "limit_amount": "500.00"}
            ]
        },
    )
    year: Year
    month: Month
    category: CategoryName = Field(description="An expense category (GET /api/categories).")
    limit_amount: LimitAmount = Field(description="A positive decimal string.")
    currency: CurrencyCode | None = Field(
        default=None,
        description="Defaults to your base currency. Only transactions in this currency count.",
    )


class BudgetUpdate(BaseModel):
    """Partial: only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"limit_amount": "650.00"}]}
    )
    year: Year | None = None
    month: Month | None = None
    category: CategoryName | None = None
    limit_amount: LimitAmount | None = None
    currency: CurrencyCode | None = None


_BUDGET_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "year": 2026,
    "month": 3,
    "category": "Groceries",
    "limit_amount": "500.00",
    "currency": "USD",
    "spent_amount": "412.30",
    "remaining": "87.70",
    "percent_used": "82.46",
    "status": "warning",
    "projected_spend": "532.65",
    "as_of": "2026-03-24T06:00:03Z",
    "created_at": "2026-02-27T18:12:00Z",
    "updated_at": "2026-02-27T18:12:00Z",
}


class BudgetPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_BUDGET_EXAMPLE]})
    id: int
    year: int
    month: int
    category: str
    limit_amount: MoneyOut
    currency: str
    spent_amount: MoneyOut | None = Field(
        description="Net spending of the category in the month (refunds reduce it, never below "
        "0; transfers and other currencies do not count). For a `pending` budget, the "
        "category's spending as of `as_of`; null without any snapshot."
    )
    remaining: MoneyOut | None = Field(description="limit - spent; negative when exceeded.")
    percent_used: Percent | None = Field(description="spent / limit * 100, truncated to 2 places.")
    status: BudgetStatus = Field(description=_STATUS_DOC)
    projected_spend: MoneyOut | None = Field(
        description="Projected month-end spend (spent * days in month / days elapsed); the actual "
        "spend for a past month; null for a month not yet started or a pending budget."
    )
    as_of: datetime | None = Field(description=_AS_OF_DOC)
    created_at: datetime
    updated_at: datetime


class BudgetList(BaseModel):
    items: list[BudgetPublic]
    next_cursor: str | None = None


class BudgetProgress(BudgetPublic):
    """The budget with the detail behind its figures (null while `pending`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _BUDGET_EXAMPLE
                | {
                    "outflow_amount": "430.30",
                    "refund_amount": "18.00",
                    "transaction_count": 14,
                    "days_in_month": 31,
                    "days_elapsed": 24,
                    "projected_status": "exceeded",
                    "as_of_date": "2026-03-24",
                }
            ]
        }
    )
    outflow_amount: MoneyOut | None = Field(description="Purchases in the category and month.")
    refund_amount: MoneyOut | None = Field(description="Refunds in the category and month.")
    transaction_count: int | None
    days_in_month: int | None
    days_elapsed: int | None = Field(description="Days of the month up to as_of_date.")
    projected_status: Literal["ok", "warning", "exceeded"] | None
    as_of_date: date | None = Field(description="The day the figures are computed for.")


class BudgetMonth(BaseModel):
    """Every budget of one month, by category (one month has few: no paging)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2026,
                    "month": 3,
                    "as_of": "2026-03-24T06:00:03Z",
                    "items": [_BUDGET_EXAMPLE],
                }
            ]
        }
    )
    year: int
    month: int
    as_of: datetime | None = Field(description=_AS_OF_DOC)
    items: list[BudgetPublic]
