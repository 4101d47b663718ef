"""Running the real definitions in-process, dropping bank files, reading what came out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.defs.landing.assets import LANDING_KEY
from orchestration.defs.warehouse.assets import SERVING_KEY

WAREHOUSE_SELECTION = dg.AssetSelection.groups(
    "warehouse_staging", "warehouse_intermediate", "warehouse_marts"
) | dg.AssetSelection.assets(SERVING_KEY)


def materialize(
    defs: dg.Definitions,
    resources: dict[str, Any],
    instance: dg.DagsterInstance,
    selection: dg.AssetSelection | None = None,
    *,
    run_config: dict[str, Any] | None = None,
    raise_on_error: bool = True,
) -> dg.ExecuteInProcessResult:
    """`dagster.materialize` of the loaded definitions (every asset and check) with test
    resources; `selection` narrows it (None = everything materializable)."""
    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources=resources,
        instance=instance,
        selection=selection,
        run_config=run_config,
        raise_on_error=raise_on_error,
    )


def landing_only() -> dg.AssetSelection:
    return dg.AssetSelection.assets(LANDING_KEY)


def drop_file(landing_dir: Path, folder: str | int, name: str, *lines: str) -> Path:
    """Place a bank CSV the way producers must: written aside, then renamed into place."""
    account_dir = Path(landing_dir) / str(folder)
    account_dir.mkdir(parents=True, exist_ok=True)
    partial = account_dir / f"{name}.part"
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return partial.rename(account_dir / name)


def materialization_metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict[str, Any]:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    return {name: value.value for name, value in event.materialization.metadata.items()}


def check_evaluations(
    result: dg.ExecuteInProcessResult,
) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    """(asset key, check name) -> evaluation, for every check that ran."""
    return {
        (evaluation.asset_key.to_user_string(), evaluation.check_name): evaluation
        for evaluation in result.get_asset_check_evaluations()
    }
