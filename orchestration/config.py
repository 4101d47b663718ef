"""Where resource values come from: an environment variable when it is set, else ledger.settings.

Binding to `dg.EnvVar` keeps secrets (a PostgreSQL password in DATABASE_URL) out of the UI and the
run storage; falling back to the Settings defaults lets `dagster dev` work with no configuration,
reading the same `var/` files as the API.
"""

from __future__ import annotations

import os

import dagster as dg

from ledger.settings import Settings, get_settings


def setting(field: str) -> str | dg.EnvVar:
    """The value of a `Settings` field for a resource: its env var if set, else the default."""
    env_name = field.upper()
    if os.environ.get(env_name):
        return dg.EnvVar(env_name)
    return str(getattr(get_settings(), field))


def ledger_settings(**overrides: object) -> Settings:
    """The process's Settings with some fields replaced (resources own the paths and URLs)."""
    return get_settings().model_copy(update=overrides)
