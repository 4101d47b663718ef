"""Settings refuse a default or short SECRET_KEY outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ledger.settings import DEV_SECRET_KEY, Settings


@pytest.mark.parametrize("environment", ["production", "test"])
@pytest.mark.parametrize("secret_key", [DEV_SECRET_KEY, "short-key", "x" * 31])
def test_weak_secret_is_refused_outside_development(environment, secret_key):
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(environment=environment, secret_key=secret_key)


def test_development_runs_on_the_default_and_production_on_a_real_key():
    assert Settings(environment="development").secret_key == DEV_SECRET_KEY
    strong = "k" * 48
    assert Settings(environment="production", secret_key=strong).secret_key == strong


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("ACCESS_TOKEN_TTL_SECONDS", "60")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.access_token_ttl_seconds == 60
    assert not settings.is_sqlite
