"""Built-in default category rules (user_id NULL), applied after every user's own rules.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 08:10:00.000000

The patterns are case-insensitive Rust regular expressions on the transaction description, in the
safe subset `ingestion.rules.validate_pattern` accepts (a test checks every one of them). Frozen
here: later changes to the defaults get their own migration.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (priority, category, keyword_pattern). Lower priority runs first: specific before general
# (food delivery before ride-hailing, card fees before cash withdrawals, ...).
DEFAULT_RULES = [
    (10, "Dining", r"\b(uber\s*eats|doordash|grubhub|deliveroo|just\s*eat)\b"),
    (20, "Credit Card Payment", r"\b(credit card payment|payment\s*-?\s*thank you)\b"),
    (30, "Fees & Charges", r"\b(overdraft|late fee|service charge|atm fee|interest charge)\b"),
    (40, "Salary", r"\b(payroll|salary|wages)\b"),
    (50, "Transfer", r"\b(transfer|xfer|zelle|venmo)\b"),
    (60, "Interest & Dividends", r"\b(interest|dividend)\b"),
    (70, "Subscriptions", r"\b(netflix|spotify|hulu|disney\s?plus|youtube premium|prime video)\b"),
    (80, "Transport", r"\b(uber|lyft|taxi|bolt\.eu|parking|transit|tfl|shell|chevron|exxon)\b"),
    (90, "Travel", r"\b(airbnb|expedia|booking\.com|hotel|airlines?|ryanair|easyjet)\b"),
    (100, "Groceries", r"\b(tesco|sainsbury|aldi|lidl|whole foods|trader joe|kroger|safeway)\b"),
    (110, "Dining", r"\b(starbucks|mcdonald|restaurant|cafe|coffee|pizza|burger)\b"),
    (120, "Shopping", r"\b(amazon|amzn|ebay|etsy|ikea|target)\b"),
    (130, "Utilities", r"\b(electric|electricity|water bill|gas bill|comcast|verizon|vodafone)\b"),
    (140, "Housing", r"\b(rent|mortgage|landlord)\b"),
    (150, "Health", r"\b(pharmacy|cvs|walgreens|dentist|clinic|hospital)\b"),
    (160, "Insurance", r"\b(insurance|geico|state farm)\b"),
    (170, "Entertainment", r"\b(cinema|theater|theatre|ticketmaster|steam games|playstation)\b"),
    (180, "Education", r"\b(tuition|university|coursera|udemy)\b"),
    (190, "Personal Care", r"\b(salon|barber|hairdresser)\b"),
    (200, "Gifts & Donations", r"\b(donation|charity|gofundme)\b"),
    (210, "Taxes", r"\b(irs|hmrc|tax payment)\b"),
    (220, "Cash", r"\b(atm|cash withdrawal)\b"),
]

_SEEDED_AT = datetime(2026, 11, 24, tzinfo=UTC)


def upgrade() -> None:
    rules = sa.table(
        "category_rules",
        sa.column("user_id", sa.BigInteger),
        sa.column("category", sa.String),
        sa.column("keyword_pattern", sa.String),
        sa.column("merchant_pattern", sa.String),
        sa.column("priority", sa.Integer),
        sa.column("is_active", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        rules,
        [
            {
                "user_id": None,
                "category": category,
                "keyword_pattern": pattern,
                "merchant_pattern": None,
                "priority": priority,
                "is_active": True,
                "created_at": _SEEDED_AT,
                "updated_at": _SEEDED_AT,
            }
            for priority, category, pattern in DEFAULT_RULES
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM category_rules WHERE user_id IS NULL")
