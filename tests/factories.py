"""Row factories and login helpers for tests (real rows in the real store, real HTTP login)."""

from __future__ import annotations

from itertools import count

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ledger.db import session_scope
from ledger.models import Account, User
from ledger.passwords import hash_password

DEFAULT_PASSWORD = "correct horse battery staple"
_sequence = count(1)


def make_user(
    engine: Engine,
    *,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    role: str = "user",
    base_currency: str = "USD",
    name: str = "Test User",
) -> User:
    email = (email or f"user{next(_sequence)}@example.com").lower()
    with session_scope(engine) as session:
        user = User(
            name=name,
            email=email,
            password_hash=hash_password(password),
            role=role,
            base_currency=base_currency,
        )
        session.add(user)
        session.flush()
    return user


def make_account(
    engine: Engine,
    user: User,
    *,
    currency: str = "USD",
    bank_name: str = "Test Bank",
    account_type: str = "checking",
    opening_balance_minor: int = 0,
) -> Account:
    with session_scope(engine) as session:
        account = Account(
            user_id=user.id,
            bank_name=bank_name,
            account_type=account_type,
            masked_account="****0000",
            currency=currency,
            opening_balance_minor=opening_balance_minor,
        )
        session.add(account)
        session.flush()
    return account


def auth_headers(client: TestClient, email: str, password: str = DEFAULT_PASSWORD) -> dict:
    """Log in through the real endpoint and return the Authorization header."""
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
