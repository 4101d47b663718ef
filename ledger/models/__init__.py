"""SQLAlchemy 2 models of the ops store. Alembic migrations in ledger/migrations follow them."""

from ledger.models.accounts import (
    ACCOUNT_TYPES,
    CATEGORY_SOURCES,
    HUMAN_CATEGORY_SOURCES,
    TRANSACTION_SOURCES,
    Account,
    ImportBatch,
    Transaction,
)
from ledger.models.base import Base, utcnow
from ledger.models.categories import (
    CATEGORY_KINDS,
    Budget,
    Category,
    CategoryChange,
    CategoryRule,
)
from ledger.models.users import KYC_STATUSES, ROLES, AuditLog, AuthSession, LoginAttempt, User

__all__ = [
    "ACCOUNT_TYPES",
    "CATEGORY_KINDS",
    "CATEGORY_SOURCES",
    "HUMAN_CATEGORY_SOURCES",
    "KYC_STATUSES",
    "ROLES",
    "TRANSACTION_SOURCES",
    "Account",
    "AuditLog",
    "AuthSession",
    "Base",
    "Budget",
    "Category",
    "CategoryChange",
    "CategoryRule",
    "ImportBatch",
    "LoginAttempt",
    "Transaction",
    "User",
    "utcnow",
]
