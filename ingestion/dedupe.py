"""Stage 4, dedupe: a stable source_key per row, and the rows the account does not have yet.

source_key = the date as YYYYMMDD, then 24 hex characters of the sha256 of (account, date, amount,
normalised description, n-th occurrence of that tuple in the file). The date prefix keeps the
UNIQUE(account_id, source_key) index append-mostly for a chronological statement (random hash
keys made every insert land on a random index page: about 20 % of the bulk load's time).
Re-importing a file gives the same keys (adds nothing); a later statement that overlaps gives the
same keys for the overlap; two identical purchases on one day are occurrences 1 and 2, so both
stay.
"""

from __future__ import annotations

import hashlib

import polars as pl
import sqlalchemy as sa

from ingestion.merchants import EXTRA_WHITESPACE
from ledger.models import Transaction

HASH_LENGTH = 24
_FIELD_SEPARATOR = "\x1f"  # cannot occur in a normalised description


def normalized_description(description: pl.Expr) -> pl.Expr:
    """Lower case, whitespace collapsed (already trimmed and collapsed by normalize, but the
    key must not depend on that)."""
    return description.str.replace_all(EXTRA_WHITESPACE, " ").str.strip_chars().str.to_lowercase()


def with_source_keys(frame: pl.DataFrame, *, account_id: int) -> pl.DataFrame:
    identity = ["txn_date", "amount_minor", "_description_key"]
    fingerprints = (
        frame.lazy()
        .with_columns(normalized_description(pl.col("description")).alias("_description_key"))
        .select(
            pl.concat_str(
                [
                    pl.lit(str(account_id)),
                    pl.col("txn_date").cast(pl.String),
                    pl.col("amount_minor").cast(pl.String),
                    pl.col("_description_key"),
                    pl.col("txn_date").cum_count().over(identity).cast(pl.String),
                ],
                separator=_FIELD_SEPARATOR,
            )
        )
        .collect()
        .to_series()
    )
    hashes = pl.Series("_hash", _sha256_hex(fingerprints), pl.String)
    return frame.with_columns(
        pl.concat_str([pl.col("txn_date").dt.strftime("%Y%m%d"), hashes]).alias("source_key")
    )


def _sha256_hex(texts: pl.Series) -> list[str]:
    # hashlib over the column: polars has no stable cryptographic hash, and its `hash` may
    # change between versions (keys are stored for ever).
    sha256 = hashlib.sha256
    return [sha256(utf8).hexdigest()[:HASH_LENGTH] for utf8 in texts.cast(pl.Binary).to_list()]


def existing_source_keys(connection: sa.Connection, *, account_id: int) -> pl.Series:
    """Every source_key the account already has (read through the unique index)."""
    query = sa.select(Transaction.source_key).where(Transaction.account_id == account_id)
    keys = [key for (key,) in connection.execute(query).tuples()]
    return pl.Series("source_key", keys, pl.String)


def new_rows(frame: pl.DataFrame, existing: pl.Series) -> pl.DataFrame:
    """The rows whose source_key the account does not have, in file order."""
    if existing.len() == 0:
        return frame
    return frame.join(existing.to_frame(), on="source_key", how="anti", maintain_order="left")
