"""Dependencies shared by the routers, as `Annotated` aliases (SessionDep, CurrentUser, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.security import InvalidToken, decode_token
from ledger.models import AuthSession, User, utcnow
from ledger.settings import Settings


async def get_settings(request: Request) -> Settings:
    # async: a trivial dependency should not cost a worker-thread hop on every request
    return request.app.state.settings


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One ops-store session per request; handlers commit explicitly, anything else rolls back.

    Requests that may write take the writer lock when their transaction begins (SQLite), so a
    concurrent import makes them wait (busy timeout) instead of failing.
    """
    factory = (
        request.app.state.sessionmaker
        if request.method in _READ_METHODS
        else request.app.state.writer_sessionmaker
    )
    with factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (default 50, max 500).")
]
CursorQuery = Annotated[
    str | None, Query(description="Opaque cursor from the previous page's `next_cursor`.")
]


# --- the authenticated caller ---------------------------------------------------------------

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/login", auto_error=False)

_NOT_AUTHENTICATED = HTTPException(
    status.HTTP_401_UNAUTHORIZED,
    "Not authenticated",
    headers={"WWW-Authenticate": "Bearer"},
)


@dataclass(frozen=True)
class Login:
    """The caller: their user row and the login session their access token belongs to."""

    user: User
    session_id: str


def get_current_login(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Login:
    """A valid access token whose login session is still live (not logged out, not revoked)."""
    if not token:
        raise _NOT_AUTHENTICATED
    try:
        claims = decode_token(settings, token, expected_type="access")
    except InvalidToken as exc:
        raise _NOT_AUTHENTICATED from exc
    # One round trip: the session must be live and belong to the token's user.
    user = session.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.id == claims.session_id,
            User.id == claims.user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
        )
    )
    if user is None:
        raise _NOT_AUTHENTICATED
    return Login(user=user, session_id=claims.session_id)


CurrentLogin = Annotated[Login, Depends(get_current_login)]


async def get_current_user(login: CurrentLogin) -> User:
    return login.user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin_user(user: CurrentUser) -> User:
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin role required")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
