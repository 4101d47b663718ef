"""The ops-store tables the warehouse reads, as external assets (written outside Dagster's runs:
by the API, by ingestion). The landing import feeds `ops/transactions` and `ops/import_batches`,
so the lineage reads landing -> ops -> dbt staging -> marts -> serving snapshot."""

from __future__ import annotations

import json

import dagster as dg

from orchestration.defs.landing.assets import LANDING_KEY
from orchestration.defs.warehouse.project import DBT_PROJECT
from orchestration.defs.warehouse.translator import ops_table_key

# Tables an import writes (ingestion.import_bank_file).
WRITTEN_BY_IMPORTS = frozenset({"transactions", "import_batches"})


def ops_tables_read_by_dbt() -> list[str]:
    """Every `source('ops', ...)` table of the dbt project, from its manifest."""
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))
    return sorted(
        source["name"] for source in manifest["sources"].values() if source["source_name"] == "ops"
    )


def _ops_table_spec(table: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=ops_table_key(table),
        group_name="ops_store",
        kinds={"sqlite", "postgres"},
        description=f"Ops-store table `{table}` (system of record), read by dbt through ATTACH.",
        deps=[LANDING_KEY] if table in WRITTEN_BY_IMPORTS else [],
    )


@dg.definitions
def ops_store_tables() -> dg.Definitions:
    return dg.Definitions(assets=[_ops_table_spec(table) for table in ops_tables_read_by_dbt()])
