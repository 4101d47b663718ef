"""Fixtures for the Dagster definitions: the whole `Definitions` loaded once (after a fresh
`dbt parse`), and resources pointing at each test's own ops store, warehouse, snapshot folder
and landing folder (from the shared `settings` fixture, so SQLite and PostgreSQL both run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from ledger.settings import Settings


@pytest.fixture(scope="session")
def defs() -> dg.Definitions:
    # Parse first: the dbt assets are made from the manifest, which must match the models.
    from orchestration.defs.warehouse.project import parse_manifest

    parse_manifest()
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="session")
def extension_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DuckDB's scanners, installed once per session from the wheels' files."""
    return tmp_path_factory.mktemp("duckdb_extensions")


@pytest.fixture
def resources(defs: dg.Definitions, settings: Settings, extension_dir: Path) -> dict[str, Any]:
    from orchestration.defs.landing.resources import LandingZone
    from orchestration.defs.ops_store.resources import OpsStore
    from orchestration.defs.warehouse.resources import Warehouse

    return {
        "ops_store": OpsStore(database_url=settings.database_url),
        "warehouse": Warehouse(
            warehouse_path=str(settings.warehouse_path),
            serving_dir=str(settings.serving_dir),
            duckdb_extension_dir=str(extension_dir),
        ),
        "landing": LandingZone(landing_dir=str(settings.landing_dir)),
        "dbt": defs.resources["dbt"],
    }


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance
