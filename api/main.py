"""The application factory: `uvicorn --factory api.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.errors import install_error_handlers
from api.routers import ROUTERS
from ledger.db import make_engine, session_factory, writer
from ledger.settings import Settings, get_settings

API_DESCRIPTION = """
Personal-banking dashboard backend. Money is a decimal **string** (`"-12.34"`), negative is money
out; dates are `YYYY-MM-DD`; lists are keyset-paginated (`limit`, `cursor` → `next_cursor`).
Another user's object answers **404**. Use **Authorize** with a demo login to try the endpoints.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    app = FastAPI(title="bankdash", version="0.1.0", description=API_DESCRIPTION)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = session_factory(engine)
    app.state.writer_sessionmaker = session_factory(writer(engine))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"],
        )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
