"""`GET /health` needs no token and reports the ops store and the serving snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb


def test_health_before_and_after_a_snapshot_is_published(client, settings):
    before = client.get("/health")
    assert before.status_code == 200
    assert before.json() == {
        "status": "ok",
        "ops_store": "ok",
        "serving_snapshot": {"status": "not_built", "as_of": None},
    }

    # Publish the way the pipeline does: a snapshot file, then the pointer.
    from ledger.warehouse import publish_snapshot

    warehouse = settings.warehouse_path
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema marts; create table marts.t as select 1 as user_id")
    info = publish_snapshot(warehouse, settings.serving_dir)
    after = client.get("/health").json()
    assert after["serving_snapshot"]["status"] == "published"
    as_of = datetime.fromisoformat(after["serving_snapshot"]["as_of"])
    assert as_of == info.built_at
    assert abs((datetime.now(UTC) - as_of).total_seconds()) < 60
    assert json.dumps(after)  # plain JSON, no auth needed
