"""Error shapes: always FastAPI's `{"detail": ...}`, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ledger.money import MoneyError


class ErrorResponse(BaseModel):
    detail: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the error codes a route can answer."""
    descriptions = {
        400: "Bad request",
        401: "Not authenticated",
        403: "Not allowed",
        404: "Not found (or belongs to another user)",
        409: "Conflict",
        429: "Rate limited; see Retry-After",
    }
    return {code: {"model": ErrorResponse, "description": descriptions[code]} for code in codes}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MoneyError)
    async def _money_error(_request: Request, exc: MoneyError) -> JSONResponse:
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": str(exc)}
        )
