"""Categories, the user's category rules, category history, and budgets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.models.base import Base, IdType, UTCDateTime, utcnow

CATEGORY_KINDS = ("expense", "income", "transfer")


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (CheckConstraint(f"kind in {CATEGORY_KINDS}", name="kind"),)

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))


class CategoryRule(Base):
    """A case-insensitive regex on merchant and/or description. user_id NULL = built-in default."""

    __tablename__ = "category_rules"
    __table_args__ = (Index(None, "user_id", "priority"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(
        ForeignKey("categories.name", ondelete="CASCADE", onupdate="CASCADE")
    )
    keyword_pattern: Mapped[str | None] = mapped_column(String(500))
    merchant_pattern: Mapped[str | None] = mapped_column(String(500))
    priority: Mapped[int] = mapped_column(default=100)  # lower runs first
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CategoryChange(Base):
    """History of a transaction's category: from, to, when, and by what."""

    __tablename__ = "category_changes"
    __table_args__ = (Index(None, "transaction_id", "changed_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("transactions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    from_category: Mapped[str | None] = mapped_column(String(64))
    to_category: Mapped[str | None] = mapped_column(String(64))
    changed_by: Mapped[str] = mapped_column(String(8))  # rule, manual, bulk, import
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("category_rules.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Budget(Base):
    """A monthly spending limit for one category, in the user's currency of choice."""

    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("user_id", "year", "month", "category"),
        CheckConstraint("month between 1 and 12", name="month"),
        CheckConstraint("year between 2000 and 2100", name="year"),
        CheckConstraint("limit_minor > 0", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    year: Mapped[int]
    month: Mapped[int]
    category: Mapped[str] = mapped_column(
        ForeignKey("categories.name", ondelete="CASCADE", onupdate="CASCADE")
    )
    limit_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
