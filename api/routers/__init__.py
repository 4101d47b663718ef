"""Every router of the API, in the order they appear in the OpenAPI schema."""

from api.routers import (
    accounts,
    auth,
    budgets,
    categories,
    health,
    imports,
    insights,
    transactions,
    users,
)

ROUTERS = [
    health.router,
    auth.router,
    users.router,
    accounts.router,
    imports.router,  # before transactions: /import must not be read as /{transaction_id}
    transactions.router,
    categories.router,
    budgets.router,
    insights.router,
]
