"""Auth: signup, login (JSON and form), rate limiting, rotation, reuse detection, logout, tokens."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.conftest import TEST_SECRET_KEY
from tests.factories import DEFAULT_PASSWORD, auth_headers, make_user


def _signup(client: TestClient, email: str = "ada@example.com", **extra) -> dict:
    body = {"name": "Ada Lovelace", "email": email, "password": DEFAULT_PASSWORD, **extra}
    response = client.post("/api/auth/signup", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _login(client: TestClient, email: str, password: str = DEFAULT_PASSWORD):
    return client.post("/api/auth/login", json={"email": email, "password": password})


def test_signup_returns_the_user_and_refuses_a_second_account_for_the_same_email(client):
    user = _signup(client, email="Ada@Example.com", phone="+44 20 7946 0958")
    assert user["email"] == "ada@example.com"
    assert user["phone"] == "+44 20 7946 0958"
    assert user["kyc_status"] == "unverified"
    assert user["role"] == "user"
    assert user["base_currency"] == "USD"
    assert "password" not in json.dumps(user)

    again = client.post(
        "/api/auth/signup",
        json={"name": "Other", "email": "ADA@example.COM", "password": DEFAULT_PASSWORD},
    )
    assert again.status_code == 409
    assert again.json() == {"detail": "an account with this email exists"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A", "email": "not-an-email", "password": DEFAULT_PASSWORD}, "email"),
        ({"name": "A", "email": "a@example.com", "password": "short"}, "password"),
        ({"name": "", "email": "a@example.com", "password": DEFAULT_PASSWORD}, "name"),
        (
            {"name": "A", "email": "a@example.com", "password": DEFAULT_PASSWORD, "phone": "x"},
            "phone",
        ),
    ],
)
def test_signup_rejects_invalid_fields(client, body, field):
    response = client.post("/api/auth/signup", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_login_with_json_and_with_the_oauth2_form(client):
    _signup(client)
    by_json = _login(client, "ADA@example.com")
    assert by_json.status_code == 200
    pair = by_json.json()
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 900
    assert pair["access_token"] != pair["refresh_token"]

    by_form = client.post(
        "/api/auth/login", data={"username": "ada@example.com", "password": DEFAULT_PASSWORD}
    )
    assert by_form.status_code == 200
    me = client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {by_form.json()['access_token']}"}
    )
    assert me.json()["email"] == "ada@example.com"


def test_login_refuses_a_wrong_password_and_an_unknown_email_alike(client):
    _signup(client)
    wrong = _login(client, "ada@example.com", "wrong password")
    unknown = _login(client, "nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "incorrect email or password"}


@pytest.fixture
def limited_app(settings):
    app = create_app(settings.model_copy(update={"login_rate_limit_attempts": 3}))
    yield app
    app.state.engine.dispose()


def test_login_is_rate_limited_per_email_across_client_addresses(limited_app):
    first = TestClient(limited_app, client=("10.0.0.1", 1000))
    second = TestClient(limited_app, client=("10.0.0.2", 1000))
    assert (
        first.post(
            "/api/auth/signup",
            json={"name": "Ada", "email": "ada@example.com", "password": DEFAULT_PASSWORD},
        ).status_code
        == 201
    )
    for _ in range(3):
        assert _login(first, "ada@example.com", "wrong password").status_code == 401
    # Even the right password from another address is refused while the email is locked.
    limited = _login(second, "ada@example.com")
    assert limited.status_code == 429
    retry_after = int(limited.headers["Retry-After"])
    assert 1 <= retry_after <= 300
    # Another email from the second address is unaffected.
    assert (
        first.post(
            "/api/auth/signup",
            json={"name": "Bob", "email": "bob@example.com", "password": DEFAULT_PASSWORD},
        ).status_code
        == 201
    )
    assert _login(second, "bob@example.com").status_code == 200


def test_login_is_rate_limited_per_client_address_across_emails(limited_app):
    attacker = TestClient(limited_app, client=("10.0.0.9", 1000))
    bystander = TestClient(limited_app, client=("10.0.0.10", 1000))
    bystander.post(
        "/api/auth/signup",
        json={"name": "Ada", "email": "ada@example.com", "password": DEFAULT_PASSWORD},
    )
    for n in range(3):
        assert _login(attacker, f"guess{n}@example.com", "x" * 8).status_code == 401
    assert _login(attacker, "ada@example.com").status_code == 429
    assert _login(bystander, "ada@example.com").status_code == 200


def test_a_successful_login_clears_the_email_failures(limited_app):
    client = TestClient(limited_app, client=("10.0.0.3", 1000))
    client.post(
        "/api/auth/signup",
        json={"name": "Ada", "email": "ada@example.com", "password": DEFAULT_PASSWORD},
    )
    other = TestClient(limited_app, client=("10.0.0.4", 1000))
    for _ in range(2):
        assert _login(client, "ada@example.com", "wrong password").status_code == 401
    assert _login(other, "ada@example.com").status_code == 200
    assert _login(other, "ada@example.com", "wrong password").status_code == 401
    assert _login(other, "ada@example.com", "wrong password").status_code == 401
    assert _login(other, "ada@example.com").status_code == 200


def test_refresh_rotates_and_a_reused_token_revokes_the_whole_session(client):
    _signup(client)
    pair = _login(client, "ada@example.com").json()

    rotated = client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200
    new_pair = rotated.json()
    assert new_pair["refresh_token"] != pair["refresh_token"]
    headers = {"Authorization": f"Bearer {new_pair['access_token']}"}
    assert client.get("/api/users/me", headers=headers).status_code == 200

    reused = client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert reused.status_code == 401
    assert "already used" in reused.json()["detail"]
    # The thief's reuse ends the family: the legitimate newer tokens stop working too.
    assert (
        client.post(
            "/api/auth/refresh", json={"refresh_token": new_pair["refresh_token"]}
        ).status_code
        == 401
    )
    assert client.get("/api/users/me", headers=headers).status_code == 401


def test_logout_ends_the_refresh_and_the_access_token_at_once(client):
    _signup(client)
    pair = _login(client, "ada@example.com").json()
    other_login = _login(client, "ada@example.com").json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}

    response = client.post(
        "/api/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=headers
    )
    assert response.status_code == 204
    assert client.get("/api/users/me", headers=headers).status_code == 401
    assert (
        client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code
        == 401
    )
    # Another login (another device) is a separate session and keeps working.
    other_headers = {"Authorization": f"Bearer {other_login['access_token']}"}
    assert client.get("/api/users/me", headers=other_headers).status_code == 200


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.fixture
def ada_tokens(client) -> dict:
    _signup(client)
    return _login(client, "ada@example.com").json()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda c: jwt.encode(
                c, "another-secret-key-of-enough-length-1234567890", algorithm="HS256"
            ),
            id="wrong-key",
        ),
        pytest.param(lambda c: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(c)}.", id="alg-none"),
        pytest.param(
            lambda c: jwt.encode(
                {**c, "exp": int(time.time()) - 10}, TEST_SECRET_KEY, algorithm="HS256"
            ),
            id="expired",
        ),
        pytest.param(
            lambda c: jwt.encode({**c, "type": "refresh"}, TEST_SECRET_KEY, algorithm="HS256"),
            id="refresh-as-access",
        ),
        pytest.param(
            lambda c: jwt.encode(
                {**c, "sub": str(int(c["sub"]) + 1)}, TEST_SECRET_KEY, algorithm="HS256"
            ),
            id="other-user-same-session",
        ),
        pytest.param(
            lambda c: jwt.encode(
                {k: v for k, v in c.items() if k != "exp"}, TEST_SECRET_KEY, algorithm="HS256"
            ),
            id="no-expiry",
        ),
        pytest.param(lambda c: jwt.encode(c, TEST_SECRET_KEY, algorithm="HS512"), id="other-alg"),
        pytest.param(lambda c: "garbage", id="garbage"),
    ],
)
def test_forged_or_unusable_access_tokens_are_refused(client, ada_tokens, forge):
    claims = _claims(ada_tokens["access_token"])
    response = client.get("/api/users/me", headers={"Authorization": f"Bearer {forge(claims)}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_an_access_token_is_not_a_refresh_token(client, ada_tokens):
    response = client.post("/api/auth/refresh", json={"refresh_token": ada_tokens["access_token"]})
    assert response.status_code == 401
    assert "expected an refresh token" in response.json()["detail"]


def test_an_expired_access_token_is_refused_and_refresh_still_works(settings):
    app = create_app(settings.model_copy(update={"access_token_ttl_seconds": 1}))
    client = TestClient(app)
    _signup(client)
    pair = _login(client, "ada@example.com").json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/api/users/me", headers=headers).status_code == 200
    time.sleep(2.1)
    assert client.get("/api/users/me", headers=headers).status_code == 401
    renewed = client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert renewed.status_code == 200
    app.state.engine.dispose()


def test_no_token_answers_401(client):
    assert client.get("/api/users/me").status_code == 401
    assert client.get("/api/accounts").status_code == 401


def test_update_me_changes_profile_and_password_ends_other_sessions(client, engine):
    make_user(engine, email="ada@example.com")
    first = auth_headers(client, "ada@example.com")
    second = auth_headers(client, "ada@example.com")

    updated = client.put(
        "/api/users/me", json={"name": "Ada K.", "base_currency": "eur"}, headers=first
    )
    assert updated.status_code == 200
    assert updated.json()["name"] == "Ada K."
    assert updated.json()["base_currency"] == "EUR"

    bad_currency = client.put("/api/users/me", json={"base_currency": "XXY"}, headers=first)
    assert bad_currency.status_code == 422
    assert "unknown currency code" in bad_currency.text

    no_current = client.put("/api/users/me", json={"password": "new password 1"}, headers=first)
    assert no_current.status_code == 400
    wrong_current = client.put(
        "/api/users/me",
        json={"password": "new password 1", "current_password": "wrong"},
        headers=first,
    )
    assert wrong_current.status_code == 400
    assert wrong_current.json() == {"detail": "current_password is incorrect"}

    changed = client.put(
        "/api/users/me",
        json={"password": "new password 1", "current_password": DEFAULT_PASSWORD},
        headers=first,
    )
    assert changed.status_code == 200
    assert client.get("/api/users/me", headers=first).status_code == 200
    assert client.get("/api/users/me", headers=second).status_code == 401
    assert _login(client, "ada@example.com").status_code == 401
    assert _login(client, "ada@example.com", "new password 1").status_code == 200


def test_users_cannot_raise_their_own_role_or_kyc(client, engine):
    make_user(engine, email="ada@example.com")
    headers = auth_headers(client, "ada@example.com")
    response = client.put("/api/users/me", json={"role": "admin"}, headers=headers)
    assert response.status_code == 422
    assert client.get("/api/users/me", headers=headers).json()["role"] == "user"


def test_an_expired_session_refuses_its_access_and_refresh_tokens(settings):
    # The session (refresh lifetime) ends before the access token would: both stop working.
    app = create_app(
        settings.model_copy(update={"refresh_token_ttl_seconds": 1, "access_token_ttl_seconds": 60})
    )
    client = TestClient(app)
    _signup(client)
    pair = _login(client, "ada@example.com").json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/api/users/me", headers=headers).status_code == 200
    time.sleep(2.1)
    assert client.get("/api/users/me", headers=headers).status_code == 401
    refreshed = client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 401
    app.state.engine.dispose()
