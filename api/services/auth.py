"""Signup, login with rate limiting, refresh-token rotation with reuse detection, logout."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.schemas.users import TokenPair, UserCreate, UserUpdate
from api.security import InvalidToken, decode_token, encode_token, new_jti
from ledger.models import AuthSession, LoginAttempt, User, utcnow
from ledger.passwords import DUMMY_HASH, hash_password, verify_password
from ledger.settings import Settings


class EmailTaken(Exception):
    pass


class BadCredentials(Exception):
    pass


class WrongCurrentPassword(Exception):
    pass


@dataclass(frozen=True)
class RateLimited(Exception):
    retry_after_seconds: int


def signup(*, session: Session, data: UserCreate) -> User:
    if session.scalar(select(User.id).where(User.email == data.email)) is not None:
        raise EmailTaken
    user = User(
        name=data.name,
        email=data.email,
        password_hash=hash_password(data.password),
        phone=data.phone,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent signup with the same email won the race
        session.rollback()
        raise EmailTaken from exc
    return user


# --- login and its rate limit ---------------------------------------------------------------


def _check_rate_limit(session: Session, settings: Settings, keys: dict[str, str]) -> None:
    """Refuse when either the client address or the email had too many recent failures."""
    window_start = utcnow() - timedelta(seconds=settings.login_rate_limit_window_seconds)
    for scope, key in keys.items():
        count, oldest = session.execute(
            select(func.count(), func.min(LoginAttempt.attempted_at)).where(
                LoginAttempt.scope == scope,
                LoginAttempt.scope_key == key,
                LoginAttempt.attempted_at > window_start,
            )
        ).one()
        if count >= settings.login_rate_limit_attempts:
            oldest_at = oldest if oldest.tzinfo else oldest.replace(tzinfo=window_start.tzinfo)
            retry_after = (oldest_at - window_start).total_seconds()
            raise RateLimited(max(1, math.ceil(retry_after)))


def _record_failure(session: Session, keys: dict[str, str]) -> None:
    session.add_all(LoginAttempt(scope=scope, scope_key=key) for scope, key in keys.items())
    session.commit()


def login(
    *,
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    client_address: str,
    user_agent: str | None,
) -> TokenPair:
    email = email.strip().lower()
    keys = {"ip": client_address, "email": email}
    _check_rate_limit(session, settings, keys)
    user = session.scalar(select(User).where(User.email == email))
    # Verify against a dummy hash for unknown emails so both cases take the same time.
    matches, new_hash = verify_password(password, user.password_hash if user else DUMMY_HASH)
    if user is None or not matches:
        _record_failure(session, keys)
        raise BadCredentials
    if new_hash:  # an older hash (bcrypt, weaker argon2 params) is upgraded on login
        user.password_hash = new_hash
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.scope == "email", LoginAttempt.scope_key == email)
    )
    return _start_session(session, settings, user, client_address, user_agent)


def _start_session(
    session: Session,
    settings: Settings,
    user: User,
    client_address: str,
    user_agent: str | None,
) -> TokenPair:
    jti = new_jti()
    login_session = AuthSession(
        id=str(uuid.uuid4()),
        user_id=user.id,
        current_refresh_jti=jti,
        expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds),
        user_agent=(user_agent or "")[:255] or None,
        ip_address=client_address[:64],
    )
    session.add(login_session)
    session.commit()
    return _token_pair(settings, user.id, login_session.id, jti)


def _token_pair(settings: Settings, user_id: int, session_id: str, refresh_jti: str) -> TokenPair:
    access, _ = encode_token(
        settings, user_id=user_id, session_id=session_id, token_type="access", jti=new_jti()
    )
    refresh, _ = encode_token(
        settings, user_id=user_id, session_id=session_id, token_type="refresh", jti=refresh_jti
    )
    return TokenPair(
        access_token=access, refresh_token=refresh, expires_in=settings.access_token_ttl_seconds
    )


# --- refresh and logout ---------------------------------------------------------------------


def refresh(*, session: Session, settings: Settings, refresh_token: str) -> TokenPair:
    """Rotate: the presented token stops working. Presenting a used one revokes the session."""
    claims = decode_token(settings, refresh_token, expected_type="refresh")
    login_session = session.get(AuthSession, claims.session_id)
    if (
        login_session is None
        or login_session.user_id != claims.user_id
        or login_session.revoked_at is not None
        or login_session.expires_at <= utcnow()
    ):
        raise InvalidToken("session is not active")
    new_refresh_jti = new_jti()
    # Compare-and-swap, so two concurrent uses of one token cannot both succeed.
    rotated = session.execute(
        update(AuthSession)
        .where(
            AuthSession.id == login_session.id,
            AuthSession.current_refresh_jti == claims.jti,
            AuthSession.revoked_at.is_(None),
        )
        .values(
            current_refresh_jti=new_refresh_jti,
            last_used_at=utcnow(),
            expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds),
        )
    )
    if rotated.rowcount != 1:  # type: ignore[attr-defined]
        _revoke(session, login_session.id, reason="refresh_token_reuse")
        session.commit()
        raise InvalidToken("refresh token was already used; the session is revoked")
    session.commit()
    return _token_pair(settings, claims.user_id, login_session.id, new_refresh_jti)


def logout(*, session: Session, settings: Settings, user: User, refresh_token: str) -> None:
    claims = decode_token(settings, refresh_token, expected_type="refresh")
    if claims.user_id != user.id:
        raise InvalidToken("token belongs to another user")
    _revoke(session, claims.session_id, reason="logout")
    session.commit()


def _revoke(session: Session, session_id: str, *, reason: str) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


# --- the user's own profile -----------------------------------------------------------------


def update_me(*, session: Session, user: User, current_session_id: str, data: UserUpdate) -> User:
    changes = data.model_dump(exclude_unset=True, exclude={"password", "current_password"})
    for field, value in changes.items():
        if value is None and field != "phone":
            continue
        setattr(user, field, value)
    if data.password is not None:
        matches, _ = verify_password(data.current_password or "", user.password_hash)
        if not matches:
            raise WrongCurrentPassword
        user.password_hash = hash_password(data.password)
        # A new password ends every other login; the caller's own session stays.
        session.execute(
            update(AuthSession)
            .where(
                AuthSession.user_id == user.id,
                AuthSession.id != current_session_id,
                AuthSession.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow(), revoked_reason="password_changed")
        )
    session.commit()
    return user
