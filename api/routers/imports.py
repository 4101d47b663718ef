"""`POST /api/transactions/import`: a bank statement file, through the one ingestion path."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import error_responses
from api.schemas.imports import ImportRejectedBody, ImportResult
from api.services import accounts as account_service
from ingestion import ImportMapping, ImportRejected, import_bank_file

router = APIRouter(prefix="/api/transactions", tags=["transactions"])

_CHUNK = 1024 * 1024


def _read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while chunk := upload.file.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE, f"file is larger than {max_bytes} bytes"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_mapping(mapping: str | None) -> ImportMapping | None:
    if not mapping:
        return None
    try:
        return ImportMapping.model_validate_json(mapping)
    except ValidationError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"invalid mapping JSON: {exc.errors()}"
        ) from exc


@router.post(
    "/import",
    response_model=ImportResult,
    responses={
        **error_responses(401, 404),
        413: {"description": "File too large"},
        422: {"model": ImportRejectedBody, "description": "Invalid rows or ambiguous layout"},
    },
)
def import_statement(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A bank export (CSV, `;` or tab separated)")],
    account_id: Annotated[int, Form()],
    mapping: Annotated[
        str | None, Form(description="JSON column mapping for layouts that need one (API.md)")
    ] = None,
    dry_run: Annotated[bool, Form(description="Report what would happen; store nothing")] = False,
) -> ImportResult | JSONResponse:
    """All-or-nothing: any invalid row answers 422 with every error, and nothing is stored.
    Re-importing a file, or an overlapping statement, adds no duplicate."""
    try:
        account_service.get_account(session=session, user=user, account_id=account_id)
    except account_service.AccountNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "account not found") from exc
    session.close()  # the import runs in its own transaction; release this connection
    content = _read_limited(file, settings.max_upload_bytes)
    try:
        report = import_bank_file(
            session.get_bind(),  # type: ignore[arg-type]
            account_id=account_id,
            content=content,
            filename=file.filename,
            mapping=_parse_mapping(mapping),
            dry_run=dry_run,
        )
    except ImportRejected as exc:
        body = ImportRejectedBody(
            detail=exc.detail,
            errors=[asdict(error) for error in exc.errors],  # type: ignore[misc]
        )
        return JSONResponse(status_code=422, content=body.model_dump())
    return ImportResult(**{**asdict(report), "errors": [asdict(e) for e in report.errors]})
