"""The ops store (system of record), reached through SQLAlchemy exactly like the API does."""

from __future__ import annotations

import dagster as dg
from pydantic import PrivateAttr
from sqlalchemy import Engine

from ledger.db import make_engine
from orchestration.config import setting


class OpsStore(dg.ConfigurableResource):
    """SQLite or PostgreSQL, by URL; `engine` is created on first use and disposed after a run."""

    database_url: str
    busy_timeout_ms: int = 10_000

    _engine: Engine | None = PrivateAttr(default=None)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url, busy_timeout_ms=self.busy_timeout_ms)
        return self._engine

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"ops_store": OpsStore(database_url=setting("database_url"))})
