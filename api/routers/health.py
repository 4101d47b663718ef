"""`GET /health`: is the ops store reachable, and which serving snapshot is published."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import text

from api.deps import SessionDep, SettingsDep
from ledger.warehouse import current_snapshot

router = APIRouter(tags=["health"])


class SnapshotStatus(BaseModel):
    status: str  # "published" or "not_built"
    as_of: datetime | None = None


class HealthPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "ops_store": "ok",
                    "serving_snapshot": {"status": "published", "as_of": "2026-11-24T06:00:00Z"},
                }
            ]
        }
    )
    status: str
    ops_store: str
    serving_snapshot: SnapshotStatus


@router.get(
    "/health",
    response_model=HealthPublic,
    responses={503: {"model": HealthPublic, "description": "The ops store is unreachable"}},
)
def health(session: SessionDep, settings: SettingsDep, response: Response) -> HealthPublic:
    """200 while the ops store answers. A missing snapshot is reported, not an outage: the CRUD
    endpoints work without it and the mart endpoints say so themselves."""
    try:
        session.execute(text("select 1"))
        ops_store = "ok"
    except Exception as exc:  # a health check reports, it does not raise
        ops_store = f"unavailable: {type(exc).__name__}"
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    snapshot = current_snapshot(settings.serving_dir)
    return HealthPublic(
        status="ok" if ops_store == "ok" else "degraded",
        ops_store=ops_store,
        serving_snapshot=SnapshotStatus(
            status="published" if snapshot else "not_built",
            as_of=snapshot.built_at if snapshot else None,
        ),
    )
