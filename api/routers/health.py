"""`GET /health`: is the ops store reachable, and which serving snapshot is published."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import SessionDep

router = APIRouter(tags=["health"])


class HealthPublic(BaseModel):
    status: str
    ops_store: str


@router.get("/health", response_model=HealthPublic)
def health(session: SessionDep, response: Response) -> HealthPublic:
    try:
        session.execute(text("select 1"))
        ops_store = "ok"
    except Exception as exc:  # a health check reports, it does not raise
        ops_store = f"unavailable: {type(exc).__name__}"
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthPublic(status="ok" if ops_store == "ok" else "degraded", ops_store=ops_store)
