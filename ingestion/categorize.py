"""Stage 5, categorize: the bank's own category where it names one of ours, then the rules.

A category column value counts when it is one of the `categories` names (case-insensitive, stored
under the canonical name) and is marked `category_source="import"`; any other value is dropped so
the rules can decide. Import-time categorisation writes no category_changes rows: the history
endpoint derives the first entry from the transaction itself.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from ingestion.rules import categorize_frame
from ledger.models import Category


def categorize(connection: sa.Connection, frame: pl.DataFrame, *, user_id: int) -> pl.DataFrame:
    frame = with_file_categories(frame, _category_names(connection))
    return categorize_frame(connection, user_id=user_id, frame=frame)


def _category_names(connection: sa.Connection) -> list[str]:
    return list(connection.execute(sa.select(Category.name)).scalars())


def with_file_categories(frame: pl.DataFrame, category_names: list[str]) -> pl.DataFrame:
    canonical = pl.DataFrame(
        {"_category_key": [name.lower() for name in category_names], "_canonical": category_names},
        schema={"_category_key": pl.String, "_canonical": pl.String},
    )
    return (
        frame.with_columns(pl.col("category").str.to_lowercase().alias("_category_key"))
        .join(canonical, on="_category_key", how="left", maintain_order="left")
        .with_columns(
            pl.col("_canonical").alias("category"),
            pl.when(pl.col("_canonical").is_not_null())
            .then(pl.lit("import"))
            .otherwise(pl.lit(None, pl.String))
            .alias("category_source"),
            pl.lit(None, pl.Int64).alias("category_rule_id"),
        )
        .drop("_category_key", "_canonical")
    )
