"""Readers during a rebuild: DuckDB queries on the published snapshot and HTTP through the
insights API run continuously while the warehouse is rebuilt and republished. None may fail,
and none may wait on a lock: the slowest read stays far below a lock timeout.

Each party runs where it runs in production: the rebuild in a process of its own (`dagster job
execute` of the warehouse_refresh job, configured by environment variables, as the daemon
launches it), the API in this process (threads through the TestClient), and the analysts'
DuckDB query loops in processes of their own."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from sqlalchemy import Engine, text

from ledger.settings import Settings
from ledger.warehouse import current_snapshot
from orchestration.defs.warehouse.assets import SERVING_KEY
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_account, make_user
from tests.orchestration.helpers import WAREHOUSE_SELECTION, materialize

REPO = Path(__file__).absolute().parents[2]
CASH_FLOW_PATH = "/api/insights/cash-flow"
MAX_READ_SECONDS = 1.0  # observed: tens of ms; a lock wait (or a retry loop) would show here
PAUSE_SECONDS = 0.01  # between two reads of one reader: a busy client, not a spin loop
FULL_REFRESH = "ops:\n  warehouse_models:\n    config:\n      full_refresh: true\n"


@dataclass
class ReadLoop:
    """Calls `read` until stopped; keeps every latency, every error, and what each read saw."""

    read: Callable[[], str]
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    stop: Any = field(default_factory=threading.Event)  # a threading or multiprocessing Event

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                self.seen.add(self.read())
            except Exception as exc:  # every failure is a finding: keep it, keep reading
                self.errors.append(repr(exc))
            self.latencies.append(time.perf_counter() - started)
            time.sleep(PAUSE_SECONDS)


def _query_snapshot(serving_dir: Path, user_id: int) -> Callable[[], str]:
    def read() -> str:
        snapshot = current_snapshot(serving_dir)
        assert snapshot is not None
        with duckdb.connect(str(snapshot.path), read_only=True) as conn:
            [(count,)] = conn.execute(
                f"select count(*) from marts.fct_transactions where user_id = {user_id}"
            ).fetchall()
        assert count == 40
        return snapshot.path.name

    return read


def _analyst(serving_dir: Path, user_id: int, stop: Any, results: Any) -> None:
    """An analyst's process: query the current snapshot until told to stop, report back."""
    loop = ReadLoop(_query_snapshot(serving_dir, user_id), stop=stop)
    loop.run()
    results.put((loop.latencies, loop.errors, loop.seen))


def _get_cash_flow(client, headers: dict[str, str]) -> Callable[[], str]:
    def read() -> str:
        response = client.get(CASH_FLOW_PATH, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["as_of"]

    return read


def _seed(engine: Engine) -> tuple[int, str]:
    user = make_user(engine)
    account = make_account(engine, user)
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into transactions (user_id, account_id, source, source_key, txn_date,"
                " description, amount_minor, currency, is_pending, created_at, updated_at)"
                " values (:user_id, :account_id, 'manual', :key, :day, 'seeded', :amount, 'USD',"
                " false, current_timestamp, current_timestamp)"
            ),
            [
                {
                    "user_id": user.id,
                    "account_id": account.id,
                    "key": f"r{n}",
                    "day": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    "amount": (-1) ** n * (500 + n),
                }
                for n in range(40)
            ],
        )
    return user.id, user.email


def _refresh_in_its_own_process(settings: Settings, extension_dir: Path, tmp_path: Path) -> None:
    """`dagster job execute -j warehouse_refresh` with a full refresh: dbt build + publish."""
    config = tmp_path / "full_refresh.yaml"
    config.write_text(FULL_REFRESH, encoding="utf-8")
    (tmp_path / "dagster_home").mkdir()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "DATABASE_URL": settings.database_url,
        "WAREHOUSE_PATH": str(settings.warehouse_path),
        "SERVING_DIR": str(settings.serving_dir),
        "LANDING_DIR": str(settings.landing_dir),
        "DUCKDB_EXTENSION_DIR": str(extension_dir),
    }
    dagster = [sys.executable, "-m", "dagster", "job", "execute"]
    command = [*dagster, "-m", "orchestration.definitions", "-j", "warehouse_refresh"]
    finished = subprocess.run(
        [*command, "-c", str(config)], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert "RUN_SUCCESS" in finished.stderr + finished.stdout


# The readers never touch the ops store, so one store is enough here.
@pytest.mark.parametrize("ops_url", ["sqlite"], indirect=True)
def test_rebuild_and_publish_never_fail_or_block_readers(
    defs,
    resources,
    instance,
    settings: Settings,
    engine: Engine,
    app,
    client,
    extension_dir,
    tmp_path: Path,
) -> None:
    user_id, email = _seed(engine)
    materialize(defs, resources, instance, WAREHOUSE_SELECTION)  # the first snapshot

    # Real HTTP through the app: the insights API reads the same published snapshot.
    assert CASH_FLOW_PATH in app.openapi()["paths"]
    api_loop = ReadLoop(_get_cash_flow(client, auth_headers(client, email, DEFAULT_PASSWORD)))
    api_thread = threading.Thread(target=api_loop.run, daemon=True)
    spawn = multiprocessing.get_context("spawn")
    stop, results = spawn.Event(), spawn.Queue()
    analysts = [
        spawn.Process(target=_analyst, args=(settings.serving_dir, user_id, stop, results))
        for _ in range(2)
    ]
    for analyst in analysts:
        analyst.start()
    api_thread.start()
    try:
        time.sleep(2)  # the analysts are reading before the rebuild starts
        _refresh_in_its_own_process(settings, extension_dir, tmp_path)
        # Two more publishes: older snapshots are deleted while readers may hold them open.
        for _ in range(2):
            materialize(defs, resources, instance, dg.AssetSelection.assets(SERVING_KEY))
            time.sleep(0.5)
    finally:
        stop.set()
        api_loop.stop.set()
        api_thread.join(timeout=30)
        reports = [results.get(timeout=60) for _ in analysts]
        for analyst in analysts:
            analyst.join(timeout=30)

    for latencies, errors, seen in [*reports, (api_loop.latencies, api_loop.errors, api_loop.seen)]:
        assert errors == []
        assert len(latencies) > 20
        assert max(latencies) < MAX_READ_SECONDS, sorted(latencies)[-5:]
        assert len(seen) >= 3  # the readers really straddled the publishes
