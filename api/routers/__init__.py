"""Every router of the API, in the order they appear in the OpenAPI schema."""

from api.routers import accounts, auth, health, transactions, users

ROUTERS = [health.router, auth.router, users.router, accounts.router, transactions.router]
