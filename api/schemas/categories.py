"""Categories, category rules, manual/bulk categorisation and category history (API.md module C)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ingestion.rules import validate_pattern

CategoryKind = Literal["expense", "income", "transfer"]
CategoryName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


def _blank_is_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _safe_pattern(value: str) -> str:
    validate_pattern(value)  # ValueError -> 422 with the reason
    return value


Pattern = Annotated[
    str,
    AfterValidator(_safe_pattern),
    Field(
        max_length=500,
        description=(
            "A case-insensitive regular expression (Rust `regex` syntax). Refused with 422: "
            "invalid syntax, backreferences, look-around, a repeated group containing a "
            "quantifier or an alternation (`(a+)+`, `(a|b)*`), stacked quantifiers, counted "
            "repetitions above {100}, the verbose flag (?x), more than 200 characters, or a "
            "pattern matching the empty text."
        ),
        examples=[r"\b(uber|lyft)\b"],
    ),
]


class CategoryPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Groceries", "kind": "expense"}]}
    )
    name: str
    kind: CategoryKind


class CategoryList(BaseModel):
    items: list[CategoryPublic]
    next_cursor: str | None = None


# --- rules --------------------------------------------------------------------------------------


class RuleCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "Transport",
                    "keyword_pattern": r"\b(uber|lyft)\b",
                    "merchant_pattern": None,
                    "priority": 10,
                    "is_active": True,
                }
            ]
        },
    )
    category: CategoryName
    keyword_pattern: Pattern | None = Field(
        default=None, description="Matched against the transaction description."
    )
    merchant_pattern: Pattern | None = Field(
        default=None, description="Matched against the merchant; both must match when both are set."
    )
    priority: int = Field(
        default=100, ge=0, le=1_000_000, description="Lower runs first; ties go to the older rule."
    )
    is_active: bool = True

    _blank_patterns_are_none = field_validator(
        "keyword_pattern", "merchant_pattern", mode="before"
    )(_blank_is_none)

    @model_validator(mode="after")
    def _needs_a_pattern(self) -> RuleCreate:
        if not self.keyword_pattern and not self.merchant_pattern:
            raise ValueError("give keyword_pattern, merchant_pattern or both")
        return self


class RuleUpdate(BaseModel):
    """Partial: only the fields sent change; `null` clears a pattern (one must remain)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"priority": 5, "is_active": False}]}
    )
    category: CategoryName | None = None
    keyword_pattern: Pattern | None = None
    merchant_pattern: Pattern | None = None
    priority: int | None = Field(default=None, ge=0, le=1_000_000)
    is_active: bool | None = None

    _blank_patterns_are_none = field_validator(
        "keyword_pattern", "merchant_pattern", mode="before"
    )(_blank_is_none)


class RulePublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 31,
                    "category": "Transport",
                    "keyword_pattern": r"\b(uber|lyft)\b",
                    "merchant_pattern": None,
                    "priority": 10,
                    "is_active": True,
                    "is_default": False,
                    "created_at": "2026-03-01T09:00:00Z",
                }
            ]
        },
    )
    id: int
    category: str
    keyword_pattern: str | None
    merchant_pattern: str | None
    priority: int
    is_active: bool
    is_default: bool = Field(description="A built-in rule: read-only, runs after the user's own.")
    created_at: datetime


class RuleList(BaseModel):
    items: list[RulePublic]
    next_cursor: str | None = None


class RulesApply(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"dry_run": True, "account_id": None}]}
    )
    dry_run: bool = Field(default=True, description="Only count and sample; change nothing.")
    account_id: int | None = Field(default=None, description="Limit to one of your accounts.")


class RuleChangeSample(BaseModel):
    transaction_id: int
    description: str
    from_category: str | None
    to_category: str | None
    rule_id: int | None


class RulesApplyResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": True,
                    "examined": 1250,
                    "changes": 2,
                    "sample": [
                        {
                            "transaction_id": 9001,
                            "description": "UBER *TRIP HELP.UBER.COM",
                            "from_category": None,
                            "to_category": "Transport",
                            "rule_id": 31,
                        },
                        {
                            "transaction_id": 9007,
                            "description": "TESCO STORES 2041",
                            "from_category": "Shopping",
                            "to_category": "Groceries",
                            "rule_id": 44,
                        },
                    ],
                }
            ]
        }
    )
    dry_run: bool
    examined: int = Field(
        description="Transactions a rule may categorise (manual, bulk and bank-given categories "
        "are never touched)."
    )
    changes: int = Field(
        description="Transactions whose category changes (or would, in a dry run)."
    )
    sample: list[RuleChangeSample] = Field(
        description="Up to 20 of the changes, by transaction id."
    )


# --- manual and bulk categorisation, history ----------------------------------------------------


class TransactionCategoryUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"category": "Groceries"}]}
    )
    category: CategoryName | None = Field(
        description="A predefined category, or null for 'uncategorised'. Either way it is a manual "
        "choice: rules never overwrite it."
    )


class TransactionCategoryPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "transaction_id": 1201,
                    "category": "Groceries",
                    "category_source": "manual",
                    "rule_id": None,
                }
            ]
        }
    )
    transaction_id: int
    category: str | None
    category_source: Literal["rule", "manual", "bulk", "import"] | None
    rule_id: int | None


class BulkCategorize(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"transaction_ids": [1201, 1202, 1207], "category": "Travel"}]
        },
    )
    transaction_ids: list[int] = Field(min_length=1, max_length=1000)
    category: CategoryName | None


class BulkCategorizeResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"updated": 3, "category": "Travel"}]}
    )
    updated: int = Field(description="Transactions set (ids given twice count once).")
    category: str | None


ChangedBy = Literal["rule", "manual", "bulk", "import"]


class CategoryChangePublic(BaseModel):
    from_category: str | None
    to_category: str | None
    changed_at: datetime
    changed_by: ChangedBy = Field(
        description="`rule` (at import or by a re-apply), `import` (given by the bank or file), "
        "`manual` or `bulk`."
    )
    rule_id: int | None


class CategoryHistory(BaseModel):
    """The whole history of one transaction's category, oldest first (it is short: no paging)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "transaction_id": 1201,
                    "category": "Groceries",
                    "items": [
                        {
                            "from_category": None,
                            "to_category": "Shopping",
                            "changed_at": "2026-03-16T08:00:00Z",
                            "changed_by": "rule",
                            "rule_id": 12,
                        },
                        {
                            "from_category": "Shopping",
                            "to_category": "Groceries",
                            "changed_at": "2026-03-18T19:42:10Z",
                            "changed_by": "manual",
                            "rule_id": None,
                        },
                    ],
                }
            ]
        }
    )
    transaction_id: int
    category: str | None
    items: list[CategoryChangePublic]
