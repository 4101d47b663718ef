"""How dbt nodes become Dagster assets: ops-store sources join the ingestion lineage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from orchestration.defs.landing.assets import LANDING_KEY

OPS_PREFIX = "ops"
# The assets that write each ops-store table. A model reading that table also depends on them
# directly: Dagster orders the steps of a run by direct dependencies only, not through the
# external ops-store assets, so without this one run of "everything" could build the marts
# before the landing files are imported.
OPS_TABLE_WRITERS: dict[str, list[dg.AssetKey]] = {"transactions": [LANDING_KEY]}


def ops_table_key(table: str) -> dg.AssetKey:
    """The asset key of an ops-store table: dbt sources and the ops-store specs both use it."""
    return dg.AssetKey([OPS_PREFIX, table])


class BankdashDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # source('ops', 'transactions') -> ops/transactions: the external asset that the landing
        # import (and the API, Plaid, OBP) write, so lineage runs landing -> ops -> staging.
        if dbt_resource_props["resource_type"] == "source":
            return ops_table_key(dbt_resource_props["name"])
        # Models: <layer schema>/<model>, e.g. marts/fct_transactions.
        return super().get_asset_key(dbt_resource_props)

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if node is None:  # a source
            return spec
        writers = [
            writer
            for parent in node.get("depends_on", {}).get("nodes", [])
            if parent in manifest["sources"]
            for writer in OPS_TABLE_WRITERS.get(manifest["sources"][parent]["name"], [])
        ]
        return spec.merge_attributes(deps=writers) if writers else spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "models"
        return f"warehouse_{layer}"


TRANSLATOR = BankdashDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
