"""The caller's own profile: `GET/PUT /api/users/me`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from api.deps import CurrentLogin, CurrentUser, SessionDep
from api.errors import error_responses
from api.schemas.users import UserPublic, UserUpdate
from api.services import auth as auth_service

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("/me", response_model=UserPublic, responses=error_responses(401))
def read_me(user: CurrentUser) -> Any:
    return user


@router.put("/me", response_model=UserPublic, responses=error_responses(400, 401))
def update_me(data: UserUpdate, login: CurrentLogin, session: SessionDep) -> Any:
    """Partial update. Changing the password needs `current_password` and ends other sessions."""
    if data.password is not None and not data.current_password:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "current_password is required")
    try:
        return auth_service.update_me(
            session=session, user=login.user, current_session_id=login.session_id, data=data
        )
    except auth_service.WrongCurrentPassword as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "current_password is incorrect") from exc
