"""Keyset pagination: `{"items": [...], "next_cursor": ...}` with an opaque, stable cursor."""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from fastapi import HTTPException, status
from pydantic import BaseModel

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = None


def encode_cursor(*key: Any) -> str:
    """The sort key of the last row of a page, as URL-safe text."""
    raw = json.dumps([str(part) for part in key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[str]:
    """The sort key back from a cursor; a cursor we did not issue answers 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(key, list) or len(key) != parts:
            raise ValueError
        return [str(part) for part in key]
    except ValueError as exc:  # includes binascii.Error and JSONDecodeError
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid cursor") from exc
