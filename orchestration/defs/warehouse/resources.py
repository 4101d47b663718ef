"""The warehouse (one writer: dbt inside a Dagster run), its serving snapshots, and dbt itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from ledger.settings import Settings
from orchestration.config import ledger_settings, setting
from orchestration.defs.warehouse.project import dbt_cli


class Warehouse(dg.ConfigurableResource):
    warehouse_path: str
    serving_dir: str
    duckdb_extension_dir: str

    def settings_for(self, database_url: str) -> Settings:
        """The ledger Settings the dbt profile is derived from (`ledger.warehouse.dbt_env`)."""
        return ledger_settings(
            database_url=database_url,
            warehouse_path=Path(self.warehouse_path),
            serving_dir=Path(self.serving_dir),
            duckdb_extension_dir=Path(self.duckdb_extension_dir),
        )

    @contextmanager
    def read_only(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read the warehouse itself. Only inside a warehouse run, after dbt has finished: any
        open connection would make the next `dbt build` fail to lock the file."""
        conn = duckdb.connect(self.warehouse_path, read_only=True)
        try:
            yield conn
        finally:
            conn.close()


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(
                warehouse_path=setting("warehouse_path"),
                serving_dir=setting("serving_dir"),
                duckdb_extension_dir=setting("duckdb_extension_dir"),
            ),
            "dbt": dbt_cli(),
        }
    )
