"""Accounts, transactions and the import batches that produced them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.models.base import Base, IdType, UTCDateTime, utcnow

ACCOUNT_TYPES = ("checking", "savings", "credit_card", "loan", "investment", "cash")
TRANSACTION_SOURCES = ("csv", "plaid", "obp", "manual")
# Who set a transaction's category. Manual and bulk choices are never overwritten by a rule.
CATEGORY_SOURCES = ("rule", "manual", "bulk", "import")
HUMAN_CATEGORY_SOURCES = ("manual", "bulk")


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(f"account_type in {ACCOUNT_TYPES}", name="account_type"),
        Index(None, "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bank_name: Mapped[str] = mapped_column(String(200))
    account_type: Mapped[str] = mapped_column(String(16))
    masked_account: Mapped[str | None] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    # The balance before any transaction we hold; the current balance is this plus their sum,
    # so it can never drift from the ledger.
    opening_balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ImportBatch(Base):
    """One successful import (a file, a Plaid sync, an OBP fetch). Failed imports store nothing."""

    __tablename__ = "import_batches"
    __table_args__ = (Index(None, "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str | None] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Transaction(Base):
    __tablename__ = "transactions"
    __table_args__ = (
        UniqueConstraint("account_id", "source_key"),
        CheckConstraint(f"source in {TRANSACTION_SOURCES}", name="source"),
        # Keyset pagination walks (txn_date desc, id desc) inside one user or one account.
        Index(None, "user_id", "txn_date", "id"),
        Index(None, "account_id", "txn_date", "id"),
        # Deliberately no more: each secondary index costs about 10 % of a bulk import's time,
        # and the category / import-batch lookups ride on the (user_id, txn_date) walk.
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    # Denormalised from the account so every query and every mart row is scoped without a join.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(8))
    # Provider id, or a fingerprint for file rows; UNIQUE per account makes re-imports no-ops.
    source_key: Mapped[str] = mapped_column(String(128))
    txn_date: Mapped[date] = mapped_column(Date)
    posted_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500))
    merchant: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(
        ForeignKey("categories.name", ondelete="SET NULL", onupdate="CASCADE")
    )
    category_source: Mapped[str | None] = mapped_column(String(8))
    category_rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("category_rules.id", ondelete="SET NULL")
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # signed: negative is money out
    currency: Mapped[str] = mapped_column(String(3))
    is_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
