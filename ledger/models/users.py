"""Users, login sessions (refresh-token families) and login attempts for rate limiting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.models.base import Base, IdType, UTCDateTime, utcnow

KYC_STATUSES = ("unverified", "pending", "verified", "rejected")
ROLES = ("user", "admin")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"kyc_status in {KYC_STATUSES}", name="kyc_status"),
        CheckConstraint(f"role in {ROLES}", name="role"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Stored lower-cased: uniqueness is case-insensitive on both stores without functional indexes.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    kyc_status: Mapped[str] = mapped_column(String(16), default="unverified")
    base_currency: Mapped[str] = mapped_column(String(3), default="USD")
    role: Mapped[str] = mapped_column(String(8), default="user")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuthSession(Base):
    """One login: a family of rotating refresh tokens. Revoking it ends its access tokens too."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # jti of the only refresh token of this family that may still be used.
    current_refresh_jti: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ip_address: Mapped[str | None] = mapped_column(String(64))


class LoginAttempt(Base):
    """A failed login, kept in the ops store so every API replica sees the same rate limit."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "scope", "scope_key", "attempted_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))  # "ip" or "email"
    scope_key: Mapped[str] = mapped_column(String(320))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditLog(Base):
    """Every admin action: who did what to which object."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
