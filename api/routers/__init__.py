"""Every router of the API, in the order they appear in the OpenAPI schema."""

from api.routers import health

ROUTERS = [health.router]
