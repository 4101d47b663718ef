"""The one Settings class (pydantic-settings). Each component reads only its part.

Every field is documented in `.env.example`; environment variables override it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789"
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"

    # --- ops store -------------------------------------------------------------------------
    database_url: str = "sqlite:///var/bankdash.db"
    sqlite_busy_timeout_ms: int = 10_000

    # --- warehouse -------------------------------------------------------------------------
    warehouse_path: Path = Path("var/warehouse.duckdb")
    serving_dir: Path = Path("var/serving")
    duckdb_extension_dir: Path = Path("var/duckdb_extensions")
    landing_dir: Path = Path("var/landing")

    # --- auth ------------------------------------------------------------------------------
    secret_key: str = DEV_SECRET_KEY
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    login_rate_limit_attempts: int = 10
    login_rate_limit_window_seconds: int = 300

    # --- api -------------------------------------------------------------------------------
    cors_origins: list[str] = Field(default_factory=list)
    max_upload_bytes: int = 200 * 1024 * 1024

    @model_validator(mode="after")
    def _refuse_weak_secret_outside_development(self) -> Settings:
        if self.environment != "development" and (
            self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < MIN_SECRET_KEY_LENGTH
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters outside development "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
