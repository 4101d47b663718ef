"""Categories, rules CRUD, manual and bulk categorisation, history, and re-applying rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

import pytest
from sqlalchemy import Engine, insert, select

from ledger.models import CategoryChange, CategoryRule, Transaction
from tests.factories import auth_headers, make_account, make_user

_keys = count(1)


@pytest.fixture
def app(app):
    """The app, with the categories router until api/routers/__init__.py registers it."""
    from api.routers import categories

    if not any(getattr(route, "path", "") == "/api/categories" for route in app.routes):
        app.include_router(categories.router)
    return app


def _login(client, engine: Engine, email: str) -> dict:
    user = make_user(engine, email=email)
    account = make_account(engine, user)
    return {
        "user_id": user.id,
        "account_id": account.id,
        "headers": auth_headers(client, email),
    }


@pytest.fixture
def ada(client, engine) -> dict:
    return _login(client, engine, "ada@example.com")


@pytest.fixture
def bob(client, engine) -> dict:
    return _login(client, engine, "bob@example.com")


def add_transaction(
    engine: Engine,
    owner: dict,
    description: str,
    *,
    amount_minor: int = -1000,
    merchant: str | None = None,
    category: str | None = None,
    category_source: str | None = None,
    category_rule_id: int | None = None,
    account_id: int | None = None,
    created_at: datetime | None = None,
) -> int:
    with engine.begin() as connection:
        return connection.execute(
            insert(Transaction).returning(Transaction.id),
            [
                {
                    "user_id": owner["user_id"],
                    "account_id": account_id or owner["account_id"],
                    "source": "csv",
                    "source_key": f"k{next(_keys)}",
                    "txn_date": date(2026, 3, 14),
                    "description": description,
                    "merchant": merchant,
                    "category": category,
                    "category_source": category_source,
                    "category_rule_id": category_rule_id,
                    "amount_minor": amount_minor,
                    "currency": "USD",
                    "is_pending": False,
                    "created_at": created_at or datetime(2026, 3, 15, 8, 0, tzinfo=UTC),
                    "updated_at": created_at or datetime(2026, 3, 15, 8, 0, tzinfo=UTC),
                }
            ],
        ).scalar_one()


def categories_of(engine: Engine, *ids: int) -> list[tuple[str | None, str | None, int | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Transaction.id,
                Transaction.category,
                Transaction.category_source,
                Transaction.category_rule_id,
            ).where(Transaction.id.in_(ids))
        ).all()
    by_id = {row.id: (row.category, row.category_source, row.category_rule_id) for row in rows}
    return [by_id[i] for i in ids]


def default_rule_id(engine: Engine, category: str) -> int:
    """The first built-in rule of a category (seeded by migration 0002)."""
    with engine.connect() as connection:
        rule_id = connection.scalar(
            select(CategoryRule.id)
            .where(CategoryRule.user_id.is_(None), CategoryRule.category == category)
            .order_by(CategoryRule.priority)
            .limit(1)
        )
    assert rule_id is not None
    return rule_id


# --- categories ---------------------------------------------------------------------------------


def test_categories_lists_the_predefined_set_with_kinds(client, ada):
    response = client.get("/api/categories", headers=ada["headers"])
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert len(body["items"]) == 23
    assert {"name": "Transport", "kind": "expense"} in body["items"]
    assert {"name": "Salary", "kind": "income"} in body["items"]
    assert {"name": "Transfer", "kind": "transfer"} in body["items"]
    kinds = [item["kind"] for item in body["items"]]
    assert kinds == sorted(kinds, key=["expense", "income", "transfer"].index)
    assert client.get("/api/categories").status_code == 401


# --- rules CRUD ---------------------------------------------------------------------------------


def test_rule_crud_round_trip(client, ada):
    created = client.post(
        "/api/categories/rules",
        json={"category": "transport", "keyword_pattern": r"\b(uber|lyft)\b", "priority": 10},
        headers=ada["headers"],
    )
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["category"] == "Transport"  # canonical name
    assert rule["keyword_pattern"] == r"\b(uber|lyft)\b"
    assert rule["merchant_pattern"] is None
    assert rule["priority"] == 10
    assert rule["is_active"] is True
    assert rule["is_default"] is False
    assert rule["created_at"].endswith(("Z", "+00:00"))

    listed = client.get("/api/categories/rules", headers=ada["headers"]).json()
    assert listed == {"items": [rule], "next_cursor": None}

    updated = client.put(
        f"/api/categories/rules/{rule['id']}",
        json={"merchant_pattern": "^uber", "is_active": False},
        headers=ada["headers"],
    )
    assert updated.status_code == 200, updated.text
    assert updated.json() | {"merchant_pattern": None, "is_active": True} == rule
    assert updated.json()["merchant_pattern"] == "^uber"

    cleared = client.put(
        f"/api/categories/rules/{rule['id']}",
        json={"keyword_pattern": None},
        headers=ada["headers"],
    )
    assert cleared.status_code == 200
    assert cleared.json()["keyword_pattern"] is None
    no_pattern_left = client.put(
        f"/api/categories/rules/{rule['id']}",
        json={"merchant_pattern": None},
        headers=ada["headers"],
    )
    assert no_pattern_left.status_code == 422
    assert no_pattern_left.json()["detail"] == (
        "a rule needs keyword_pattern, merchant_pattern or both"
    )

    null_category = client.put(
        f"/api/categories/rules/{rule['id']}", json={"category": None}, headers=ada["headers"]
    )
    assert null_category.status_code == 422
    assert null_category.json()["detail"] == "a rule's category cannot be null"

    deleted = client.delete(f"/api/categories/rules/{rule['id']}", headers=ada["headers"])
    assert deleted.status_code == 204
    assert client.get("/api/categories/rules", headers=ada["headers"]).json()["items"] == []
    assert (
        client.delete(f"/api/categories/rules/{rule['id']}", headers=ada["headers"]).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"category": "Transport"}, "give keyword_pattern, merchant_pattern or both"),
        ({"category": "Transport", "keyword_pattern": "  "}, "give keyword_pattern"),
        ({"category": "Transport", "keyword_pattern": "(a+)+"}, "nested quantifiers could run"),
        ({"category": "Transport", "merchant_pattern": "(a|a)*b"}, "alternatives could run away"),
        ({"category": "Transport", "keyword_pattern": "(uber"}, "unclosed group"),
        ({"category": "Transport", "keyword_pattern": r"(a)\1"}, "backreferences"),
        ({"category": "Transport", "keyword_pattern": ".*"}, "matches the empty text"),
        ({"category": "Transport", "keyword_pattern": "x" * 201}, "too long"),
    ],
)
def test_invalid_rules_answer_422_with_the_reason(client, ada, body, reason):
    response = client.post("/api/categories/rules", json=body, headers=ada["headers"])
    assert response.status_code == 422
    assert reason in response.text


def test_unknown_category_is_422(client, ada):
    response = client.post(
        "/api/categories/rules",
        json={"category": "Spaceships", "keyword_pattern": "nasa"},
        headers=ada["headers"],
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "unknown category 'Spaceships'; GET /api/categories lists the categories"
    )


def test_rules_list_pages_in_precedence_order_and_can_show_defaults(client, engine, ada):
    ids = [
        client.post(
            "/api/categories/rules",
            json={"category": "Dining", "keyword_pattern": f"cafe{n}", "priority": priority},
            headers=ada["headers"],
        ).json()["id"]
        for n, priority in enumerate([50, 5, 50])
    ]
    first = client.get("/api/categories/rules?limit=2", headers=ada["headers"]).json()
    assert [rule["id"] for rule in first["items"]] == [ids[1], ids[0]]
    second = client.get(
        f"/api/categories/rules?limit=2&cursor={first['next_cursor']}", headers=ada["headers"]
    ).json()
    assert [rule["id"] for rule in second["items"]] == [ids[2]]
    assert second["next_cursor"] is None

    everything = client.get(
        "/api/categories/rules?include_defaults=true&limit=500", headers=ada["headers"]
    ).json()["items"]
    assert [rule["id"] for rule in everything[:3]] == [ids[1], ids[0], ids[2]]
    defaults = everything[3:]
    assert len(defaults) == 22
    assert all(rule["is_default"] for rule in defaults)
    priorities = [rule["priority"] for rule in defaults]
    assert priorities == sorted(priorities)
    assert (
        client.get("/api/categories/rules?cursor=garbage", headers=ada["headers"]).status_code
        == 400
    )


def test_another_users_rule_and_default_rules_answer_404(client, engine, ada, bob):
    rule_id = client.post(
        "/api/categories/rules",
        json={"category": "Dining", "keyword_pattern": "cafe"},
        headers=ada["headers"],
    ).json()["id"]
    builtin = default_rule_id(engine, "Transport")
    for target in (rule_id, builtin):
        put = client.put(
            f"/api/categories/rules/{target}", json={"priority": 1}, headers=bob["headers"]
        )
        assert put.status_code == 404
        assert put.json() == {"detail": "rule not found"}
        assert (
            client.delete(f"/api/categories/rules/{target}", headers=bob["headers"]).status_code
            == 404
        )
    assert client.get("/api/categories/rules", headers=bob["headers"]).json()["items"] == []
    # the owner still has it, unchanged
    assert (
        client.get("/api/categories/rules", headers=ada["headers"]).json()["items"][0]["priority"]
        == 100
    )


# --- manual and bulk categorisation, history ----------------------------------------------------


def test_manual_category_and_history_with_the_derived_import_entry(client, engine, ada):
    transport = default_rule_id(engine, "Transport")
    created_at = datetime(2026, 3, 15, 8, 0, tzinfo=UTC)
    txn = add_transaction(
        engine,
        ada,
        "UBER TRIP",
        category="Transport",
        category_source="rule",
        category_rule_id=transport,
        created_at=created_at,
    )
    history = client.get(f"/api/transactions/{txn}/category-history", headers=ada["headers"])
    assert history.status_code == 200
    derived = {
        "from_category": None,
        "to_category": "Transport",
        "changed_at": "2026-03-15T08:00:00Z",
        "changed_by": "rule",
        "rule_id": transport,
    }
    assert history.json() == {"transaction_id": txn, "category": "Transport", "items": [derived]}

    response = client.put(
        f"/api/transactions/{txn}/category", json={"category": "travel"}, headers=ada["headers"]
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "transaction_id": txn,
        "category": "Travel",
        "category_source": "manual",
        "rule_id": None,
    }
    items = client.get(f"/api/transactions/{txn}/category-history", headers=ada["headers"]).json()[
        "items"
    ]
    assert len(items) == 2
    assert items[0] == derived  # written down before the first change, unchanged
    assert items[1]["from_category"] == "Transport"
    assert items[1]["to_category"] == "Travel"
    assert items[1]["changed_by"] == "manual"
    assert items[1]["rule_id"] is None

    # Clearing is a manual choice too.
    client.put(f"/api/transactions/{txn}/category", json={"category": None}, headers=ada["headers"])
    assert categories_of(engine, txn) == [(None, "manual", None)]
    with engine.connect() as connection:
        assert (
            connection.scalar(
                select(CategoryChange.to_category)
                .where(CategoryChange.transaction_id == txn)
                .order_by(CategoryChange.id.desc())
            )
            is None
        )


def test_history_of_an_uncategorised_transaction_is_empty(client, engine, ada):
    txn = add_transaction(engine, ada, "???")
    body = client.get(f"/api/transactions/{txn}/category-history", headers=ada["headers"]).json()
    assert body == {"transaction_id": txn, "category": None, "items": []}


def test_manual_category_errors(client, engine, ada, bob):
    txn = add_transaction(engine, ada, "UBER")
    unknown = client.put(
        f"/api/transactions/{txn}/category", json={"category": "Nope"}, headers=ada["headers"]
    )
    assert unknown.status_code == 422
    assert "unknown category 'Nope'" in unknown.json()["detail"]
    for method, path, body in [
        ("put", f"/api/transactions/{txn}/category", {"category": "Travel"}),
        ("get", f"/api/transactions/{txn}/category-history", None),
    ]:
        response = client.request(method, path, json=body, headers=bob["headers"])
        assert response.status_code == 404
        assert response.json() == {"detail": "transaction not found"}
    assert categories_of(engine, txn) == [(None, None, None)]


def test_bulk_categorize_is_all_or_nothing(client, engine, ada, bob):
    mine = [add_transaction(engine, ada, f"shop {n}") for n in range(3)]
    theirs = add_transaction(engine, bob, "bob's")
    refused = client.post(
        "/api/transactions/bulk-categorize",
        json={"transaction_ids": [*mine, theirs, 999_999], "category": "Shopping"},
        headers=ada["headers"],
    )
    assert refused.status_code == 404
    assert refused.json() == {"detail": f"transactions not found: {[theirs, 999_999]}"}
    assert categories_of(engine, *mine, theirs) == [(None, None, None)] * 4

    done = client.post(
        "/api/transactions/bulk-categorize",
        json={"transaction_ids": [*mine, mine[0]], "category": "shopping"},
        headers=ada["headers"],
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"updated": 3, "category": "Shopping"}
    assert categories_of(engine, *mine) == [("Shopping", "bulk", None)] * 3
    items = client.get(
        f"/api/transactions/{mine[1]}/category-history", headers=ada["headers"]
    ).json()["items"]
    assert [(i["from_category"], i["to_category"], i["changed_by"]) for i in items] == [
        (None, "Shopping", "bulk")
    ]
    empty = client.post(
        "/api/transactions/bulk-categorize",
        json={"transaction_ids": [], "category": "Shopping"},
        headers=ada["headers"],
    )
    assert empty.status_code == 422


# --- re-applying rules --------------------------------------------------------------------------


def test_reapply_preview_matches_the_real_run_and_never_touches_manual_rows(client, engine, ada):
    rule = client.post(
        "/api/categories/rules",
        json={"category": "Groceries", "keyword_pattern": r"\bcorner shop\b", "priority": 1},
        headers=ada["headers"],
    ).json()
    transport = default_rule_id(engine, "Transport")
    uncategorised = add_transaction(engine, ada, "CORNER SHOP 12")
    old_rule_result = add_transaction(  # a default put it in Shopping; the user's rule now wins
        engine,
        ada,
        "Corner Shop Amazon",
        category="Shopping",
        category_source="rule",
        category_rule_id=default_rule_id(engine, "Shopping"),
    )
    manual = add_transaction(
        engine, ada, "corner shop", category="Dining", category_source="manual"
    )
    bulk = add_transaction(engine, ada, "CORNER SHOP", category=None, category_source="bulk")
    bank_given = add_transaction(
        engine, ada, "CORNER SHOP", category="Health", category_source="import"
    )
    already_right = add_transaction(
        engine,
        ada,
        "UBER TRIP",
        category="Transport",
        category_source="rule",
        category_rule_id=transport,
    )
    stale = add_transaction(  # its rule no longer matches anything: back to uncategorised
        engine, ada, "PLAIN TEXT", category="Travel", category_source="rule"
    )

    preview = client.post(
        "/api/categories/rules/apply", json={"dry_run": True}, headers=ada["headers"]
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    # Examined: uncategorised, old_rule_result, already_right, stale (4); manual, bulk and the
    # bank-given category are out of scope. Changes: all of them except already_right (3).
    assert body["dry_run"] is True
    assert body["examined"] == 4
    assert body["changes"] == 3
    assert body["sample"] == [
        {
            "transaction_id": uncategorised,
            "description": "CORNER SHOP 12",
            "from_category": None,
            "to_category": "Groceries",
            "rule_id": rule["id"],
        },
        {
            "transaction_id": old_rule_result,
            "description": "Corner Shop Amazon",
            "from_category": "Shopping",
            "to_category": "Groceries",
            "rule_id": rule["id"],
        },
        {
            "transaction_id": stale,
            "description": "PLAIN TEXT",
            "from_category": "Travel",
            "to_category": None,
            "rule_id": None,
        },
    ]
    everything = [uncategorised, old_rule_result, manual, bulk, bank_given, already_right, stale]
    before = categories_of(engine, *everything)
    with engine.connect() as connection:
        assert connection.scalar(select(CategoryChange.id)) is None  # the dry run wrote nothing

    real = client.post(
        "/api/categories/rules/apply", json={"dry_run": False}, headers=ada["headers"]
    ).json()
    assert real == body | {"dry_run": False}
    after = categories_of(engine, *everything)
    assert after == [
        ("Groceries", "rule", rule["id"]),
        ("Groceries", "rule", rule["id"]),
        before[2],  # manual: untouched
        before[3],  # bulk: untouched
        before[4],  # bank-given: untouched
        before[5],
        (None, None, None),
    ]
    history = client.get(
        f"/api/transactions/{old_rule_result}/category-history", headers=ada["headers"]
    ).json()["items"]
    assert [
        (h["from_category"], h["to_category"], h["changed_by"], h["rule_id"]) for h in history
    ] == [
        (None, "Shopping", "rule", default_rule_id(engine, "Shopping")),
        ("Shopping", "Groceries", "rule", rule["id"]),
    ]
    again = client.post(
        "/api/categories/rules/apply", json={"dry_run": True}, headers=ada["headers"]
    )
    assert again.json()["changes"] == 0


def test_reapply_scoped_to_an_account_and_to_the_caller(client, engine, ada, bob):
    second = make_account(engine, type("U", (), {"id": ada["user_id"]})(), bank_name="Other")
    in_first = add_transaction(engine, ada, "UBER")
    in_second = add_transaction(engine, ada, "UBER", account_id=second.id)
    bobs = add_transaction(engine, bob, "UBER")
    result = client.post(
        "/api/categories/rules/apply",
        json={"dry_run": False, "account_id": second.id},
        headers=ada["headers"],
    ).json()
    assert (result["examined"], result["changes"]) == (1, 1)
    assert [c[0] for c in categories_of(engine, in_first, in_second, bobs)] == [
        None,
        "Transport",
        None,
    ]
    foreign = client.post(
        "/api/categories/rules/apply",
        json={"dry_run": True, "account_id": second.id},
        headers=bob["headers"],
    )
    assert foreign.status_code == 404
    assert foreign.json() == {"detail": "account not found"}


def test_import_categorises_by_rule_and_never_overwrites_a_manual_choice(client, engine, ada):
    from ingestion import import_bank_file

    own_rule = client.post(
        "/api/categories/rules",
        json={"category": "Groceries", "keyword_pattern": r"\bcorner shop\b"},
        headers=ada["headers"],
    ).json()
    content = (
        b"Date,Description,Amount\n"
        b"2026-03-01,UBER TRIP 123,-12.50\n"
        b"2026-03-02,CORNER SHOP 9,-4.20\n"
        b"2026-03-03,MYSTERY,-1.00\n"
    )
    report = import_bank_file(engine, account_id=ada["account_id"], content=content)
    assert report.imported == 3
    with engine.connect() as connection:
        rows = connection.execute(
            select(Transaction.id, Transaction.description).order_by(Transaction.id)
        ).all()
    ids = {description: txn_id for txn_id, description in rows}
    uber, corner, mystery = ids["UBER TRIP 123"], ids["CORNER SHOP 9"], ids["MYSTERY"]
    transport = default_rule_id(engine, "Transport")
    assert categories_of(engine, uber, corner, mystery) == [
        ("Transport", "rule", transport),
        ("Groceries", "rule", own_rule["id"]),
        (None, None, None),
    ]
    # Import-time categorisation wrote no history row; the entry is derived.
    with engine.connect() as connection:
        assert connection.scalar(select(CategoryChange.id)) is None
    items = client.get(f"/api/transactions/{uber}/category-history", headers=ada["headers"]).json()[
        "items"
    ]
    assert [
        (i["from_category"], i["to_category"], i["changed_by"], i["rule_id"]) for i in items
    ] == [(None, "Transport", "rule", transport)]

    client.put(
        f"/api/transactions/{uber}/category", json={"category": "Travel"}, headers=ada["headers"]
    )
    again = import_bank_file(engine, account_id=ada["account_id"], content=content)
    assert (again.imported, again.duplicates) == (0, 3)
    applied = client.post(
        "/api/categories/rules/apply", json={"dry_run": False}, headers=ada["headers"]
    ).json()
    assert applied["changes"] == 0
    assert categories_of(engine, uber) == [("Travel", "manual", None)]
