"""Auth endpoints (API.md module A): signup, login, refresh, logout."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, Response, status
from pydantic import ValidationError

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import error_responses
from api.schemas.users import LoginRequest, RefreshRequest, TokenPair, UserCreate, UserPublic
from api.security import InvalidToken
from api.services import auth as auth_service

router = APIRouter(prefix="/api/auth", tags=["auth"])

_LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": LoginRequest.model_json_schema(),
                "example": {"email": "ada@example.com", "password": "s3cret-passw0rd"},
            },
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                    "required": ["username", "password"],
                }
            },
        },
    }
}


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses=error_responses(409),
)
def signup(data: UserCreate, session: SessionDep) -> Any:
    try:
        return auth_service.signup(session=session, data=data)
    except auth_service.EmailTaken as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "an account with this email exists") from exc


async def _read_credentials(request: Request) -> LoginRequest:
    """JSON `{email, password}`, or the OAuth2 password form (`username`, `password`)."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            return LoginRequest.model_validate_json(await request.body())
        form = await request.form()
        return LoginRequest.model_validate(
            {"email": form.get("username") or form.get("email"), "password": form.get("password")}
        )
    except ValidationError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "send JSON {email, password} or form fields username and password",
        ) from exc


@router.post(
    "/login",
    response_model=TokenPair,
    responses=error_responses(401, 429),
    openapi_extra=_LOGIN_BODY,
)
async def login(request: Request, session: SessionDep, settings: SettingsDep) -> TokenPair:
    credentials = await _read_credentials(request)
    try:
        return auth_service.login(
            session=session,
            settings=settings,
            email=credentials.email,
            password=credentials.password,
            client_address=request.client.host if request.client else "unknown",
            user_agent=request.headers.get("user-agent"),
        )
    except auth_service.RateLimited as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed logins; try again later",
            headers={"Retry-After": str(exc.retry_after_seconds)},
        ) from exc
    except auth_service.BadCredentials as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "incorrect email or password",
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc


@router.post("/refresh", response_model=TokenPair, responses=error_responses(401))
def refresh(data: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    try:
        return auth_service.refresh(
            session=session, settings=settings, refresh_token=data.refresh_token
        )
    except InvalidToken as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid refresh token: {exc}") from exc


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
def logout(
    data: Annotated[RefreshRequest, Body()],
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """End the session: its refresh token and every access token it issued stop working."""
    try:
        auth_service.logout(
            session=session, settings=settings, user=user, refresh_token=data.refresh_token
        )
    except InvalidToken as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid refresh token: {exc}") from exc
    return Response(status_code=status.HTTP_204_NO_CONTENT)
