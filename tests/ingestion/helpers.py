"""Reading back what an import stored, and loading the sample bank files."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ledger.models import ImportBatch, Transaction

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def stored_transactions(engine: sa.Engine, account_id: int) -> list[sa.Row]:
    """The account's transactions in insertion order."""
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(
                    Transaction.txn_date,
                    Transaction.amount_minor,
                    Transaction.description,
                    Transaction.merchant,
                    Transaction.category,
                    Transaction.category_source,
                    Transaction.category_rule_id,
                    Transaction.currency,
                    Transaction.source,
                    Transaction.source_key,
                    Transaction.import_batch_id,
                    Transaction.user_id,
                )
                .where(Transaction.account_id == account_id)
                .order_by(Transaction.id)
            )
        )


def import_batches(engine: sa.Engine, account_id: int) -> list[sa.Row]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(ImportBatch)
                .where(ImportBatch.account_id == account_id)
                .order_by(ImportBatch.id)
            )
        )


def count_rows(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
