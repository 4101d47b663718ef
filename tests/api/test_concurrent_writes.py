"""Several writers at once (an import and API writes) all succeed, with exact totals."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from ingestion import import_bank_file
from ledger.db import session_scope
from ledger.models import Transaction
from tests.factories import auth_headers, make_account, make_user


def test_an_import_and_api_writes_run_concurrently(client, engine):
    user = make_user(engine, email="ada@example.com")
    account = make_account(engine, user)
    headers = auth_headers(client, "ada@example.com")
    lines = [f"2024-01-{1 + n % 28:02d},SHOP {n},-1.{n % 100:02d}" for n in range(20_000)]
    content = ("Date,Description,Amount\n" + "\n".join(lines) + "\n").encode()
    errors: list[BaseException] = []

    def run_import() -> None:
        try:
            report = import_bank_file(engine, account_id=account.id, content=content)
            assert report.imported == 20_000
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    importer = threading.Thread(target=run_import)
    importer.start()
    statuses = []
    for n in range(40):
        response = client.post(
            "/api/transactions",
            json={
                "account_id": account.id,
                "txn_date": "2024-02-01",
                "amount": "-0.50",
                "description": f"manual {n}",
            },
            headers=headers,
        )
        statuses.append(response.status_code)
    importer.join(timeout=120)
    assert not errors, errors
    assert statuses == [201] * 40
    with session_scope(engine) as session:
        count, total = session.execute(
            select(func.count(), func.sum(Transaction.amount_minor)).where(
                Transaction.account_id == account.id
            )
        ).one()
    expected_import_total = -sum(100 + n % 100 for n in range(20_000))
    assert count == 20_040
    assert total == expected_import_total - 40 * 50
