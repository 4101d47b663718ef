"""Every router of the API, in the order they appear in the OpenAPI schema."""

from api.routers import accounts, auth, health, imports, transactions, users

ROUTERS = [
    health.router,
    auth.router,
    users.router,
    accounts.router,
    imports.router,  # before transactions: /import must not be read as /{transaction_id}
    transactions.router,
]
