"""The warehouse side of the ops store: DuckDB extensions, the dbt profile's environment, and the
serving snapshots that readers (API, notebooks, analysts) open.

The warehouse file has one writer (dbt). Readers never open it: after a successful build,
`publish_snapshot` copies the marts into a NEW DuckDB file and swaps a small pointer file with
`os.replace`, which is atomic. A reader that already has the previous snapshot open keeps reading
it; the next request sees the new one. Nobody waits and nothing fails during a rebuild.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from sqlalchemy.engine import make_url

from ledger.settings import Settings

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
POINTER_FILE = "CURRENT.json"
SNAPSHOT_PREFIX = "snapshot-"
KEEP_SNAPSHOTS = 3

# The duckdb-extension-* wheels ship the extension binaries; installing from their files is the
# only way that works offline (`INSTALL sqlite` would try to download).
_EXTENSION_WHEELS = {
    "sqlite_scanner": ("duckdb_extension_sqlite", "sqlite.duckdb_extension"),
    "postgres_scanner": ("duckdb_extension_postgres", "postgres.duckdb_extension"),
}


def _wheel_extension_file(module_name: str, file_name: str) -> Path:
    module = __import__(module_name)
    package_dir = Path(next(iter(module.__path__)))
    return package_dir / "extensions" / f"v{duckdb.__version__}" / file_name


def install_duckdb_extensions(extension_dir: Path) -> None:
    """Install the sqlite and postgres scanners into `extension_dir` from the wheels' files.

    Idempotent: an extension already installed in that directory is left alone.
    """
    extension_dir = Path(extension_dir).resolve()
    extension_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(config={"extension_directory": str(extension_dir)}) as conn:
        installed = {
            name
            for (name,) in conn.execute(
                "select extension_name from duckdb_extensions() where installed"
            ).fetchall()
        }
        for name, (module_name, file_name) in _EXTENSION_WHEELS.items():
            if name in installed:
                continue
            path = _wheel_extension_file(module_name, file_name)
            conn.execute(f"INSTALL '{path.as_posix()}'")


def ops_attach_config(database_url: str) -> tuple[str, str]:
    """The DuckDB ATTACH type and target for a SQLAlchemy URL of the ops store.

    SQLite gives the absolute file path; PostgreSQL a libpq conninfo string.
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("the ops store must be a SQLite file to be attached by DuckDB")
        return "sqlite", str(Path(url.database).resolve())
    if backend == "postgresql":
        parts = {
            "host": url.host,
            "port": url.port,
            "dbname": url.database,
            "user": url.username,
            "password": url.password,
            **{key: value for key, value in url.query.items() if isinstance(value, str)},
        }
        return "postgres", " ".join(
            f"{key}={_conninfo_value(str(value))}" for key, value in parts.items() if value
        )
    raise ValueError(f"unsupported ops store for the warehouse: {backend}")


def _conninfo_value(value: str) -> str:
    """Quote a libpq conninfo value when it has spaces, quotes or backslashes."""
    if value and not any(char in value for char in " '\\"):
        return value
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment variables read by dbt_project/profiles.yml and the sources."""
    attach_type, attach_path = ops_attach_config(settings.database_url)
    return {
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "BANKDASH_DBT_TARGET": attach_type,
        "BANKDASH_WAREHOUSE_PATH": str(Path(settings.warehouse_path).resolve()),
        "BANKDASH_OPS_ATTACH_TYPE": attach_type,
        "BANKDASH_OPS_ATTACH_PATH": attach_path,
        "BANKDASH_OPS_SCHEMA": "main" if attach_type == "sqlite" else "public",
        "BANKDASH_DUCKDB_EXTENSION_DIR": str(Path(settings.duckdb_extension_dir).resolve()),
        # these machines are offline: dbt's usage ping would only wait for a timeout
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def run_dbt(
    settings: Settings, *args: str, target_path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the dbt CLI of this environment on the project (e.g. `run_dbt(s, "build")`).

    For scripts, tests and benchmarks; Dagster runs dbt through dagster-dbt with the same
    `dbt_env`. Each caller gets its own target path so concurrent runs never share artifacts.
    Raises DbtRunFailed, whose message ends with dbt's summary, when dbt fails.
    """
    install_duckdb_extensions(settings.duckdb_extension_dir)
    Path(settings.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    target_path = target_path or Path(settings.warehouse_path).parent / "dbt_target"
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt), *args, "--target-path", str(target_path)]
    env = {**os.environ, **dbt_env(settings), "DBT_LOG_PATH": str(target_path / "logs")}
    result = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DbtRunFailed(
            f"dbt {' '.join(args)} failed (exit {result.returncode}):\n"
            + "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        )
    return result


class DbtRunFailed(RuntimeError):
    """A dbt command that ended with errors or failed tests."""


# --- serving snapshots -----------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    built_at: datetime  # UTC


def publish_snapshot(
    warehouse_path: Path, serving_dir: Path, *, schemas: tuple[str, ...] = ("marts",)
) -> SnapshotInfo:
    """Copy the tables and views of `schemas` into a new DuckDB file and make it current.

    Must run after the build, in the process that owns the warehouse (it opens it read-only).
    Tables are copied sorted by `user_id` when they have one: readers always filter on it, and
    sorted row groups let DuckDB skip the others by their min/max.
    """
    serving_dir = Path(serving_dir)
    serving_dir.mkdir(parents=True, exist_ok=True)
    built_at = datetime.now(UTC)
    name = f"{SNAPSHOT_PREFIX}{built_at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.duckdb"
    target = serving_dir / name
    try:
        _copy_schemas(Path(warehouse_path), target, schemas)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    _write_pointer(serving_dir, name, built_at)
    _delete_old_snapshots(serving_dir, keep=KEEP_SNAPSHOTS)
    return SnapshotInfo(path=target, built_at=built_at)


def _copy_schemas(warehouse_path: Path, target: Path, schemas: tuple[str, ...]) -> None:
    # Attached under its own file name, the catalog name dbt-duckdb wrote into any view's SQL.
    catalog = warehouse_path.stem.replace('"', '""')
    with duckdb.connect(str(target)) as conn:
        conn.execute(f"ATTACH '{warehouse_path.resolve().as_posix()}' AS \"{catalog}\" (READ_ONLY)")
        relations = conn.execute(
            """
            select table_schema, table_name,
                   bool_or(column_name = 'user_id') as has_user_id
            from information_schema.columns
            where table_catalog = ? and list_contains(?, table_schema)
            group by all
            order by all
            """,
            [warehouse_path.stem, list(schemas)],
        ).fetchall()
        for schema in schemas:
            conn.execute(f'create schema if not exists "{schema}"')
        for schema, table, has_user_id in relations:
            order_by = " order by user_id" if has_user_id else ""
            conn.execute(
                f'create table "{schema}"."{table}" as '
                f'select * from "{catalog}"."{schema}"."{table}"{order_by}'
            )
        conn.execute(f'DETACH "{catalog}"')
        conn.execute("checkpoint")


def _write_pointer(serving_dir: Path, name: str, built_at: datetime) -> None:
    pointer = serving_dir / POINTER_FILE
    temporary = serving_dir / f".{POINTER_FILE}.{uuid.uuid4().hex}.tmp"
    payload = {"snapshot": name, "built_at": built_at.isoformat()}
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, pointer)  # atomic: readers see the old pointer or the new one


def _delete_old_snapshots(serving_dir: Path, *, keep: int) -> None:
    """Keep the newest `keep` snapshots. Readers still holding an older one keep their open file
    (POSIX unlink), and switch to the current one on their next request."""
    current = current_snapshot(serving_dir)
    snapshots = sorted(serving_dir.glob(f"{SNAPSHOT_PREFIX}*.duckdb"), reverse=True)
    for old in snapshots[keep:]:
        if current is None or old != current.path:
            old.unlink(missing_ok=True)
            Path(f"{old}.wal").unlink(missing_ok=True)


def current_snapshot(serving_dir: Path) -> SnapshotInfo | None:
    """The published snapshot, or None if nothing has been published yet."""
    pointer = Path(serving_dir) / POINTER_FILE
    try:
        payload = json.loads(pointer.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    path = Path(serving_dir) / payload["snapshot"]
    if not path.exists():
        return None
    built_at = datetime.fromisoformat(payload["built_at"]).astimezone(UTC)
    return SnapshotInfo(path=path, built_at=built_at)
