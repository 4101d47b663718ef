"""The rules engine: pattern validation, precedence, and categorising a batch against the store."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, insert

from ingestion.rules import (
    Rule,
    apply_rules,
    categorize_frame,
    load_rules,
    match_rules,
    validate_pattern,
)
from ledger.models import CategoryRule
from tests.factories import make_user

# --- validation -------------------------------------------------------------------------------

VALID_PATTERNS = [
    r"\b(uber|lyft)\b",
    r"tesco",
    r"^amzn mktp",
    r"starbucks #\d{3,5}",
    r"[a-z]+ (ltd|inc)\.?",
    r"(ab)+c",
    r"(a+)?b",
    r"\p{L}+ store",
    r"[[:alpha:]]+ market",
    r"(?P<shop>aldi|lidl)",
    r"café",
    r"(?-i)AMEX",
    r"[(]+x",  # parentheses inside a class are literals, not a group
    r"\(a+\)+",  # escaped parentheses are literals too
]


@pytest.mark.parametrize("pattern", VALID_PATTERNS)
def test_valid_patterns_pass(pattern: str) -> None:
    validate_pattern(pattern)


INVALID_PATTERNS = [
    ("(abc", "invalid regular expression: unclosed group"),
    ("[a-", "invalid regular expression: unclosed character class"),
    ("x{2,1}", "invalid regular expression: invalid repetition count range"),
    (r"(a)\1", "backreferences"),
    (r"(?P<x>a)\k<x>", "invalid regular expression"),
    ("(?=uber)", "look-around"),
    ("(?<!no)pay", "look-around"),
    ("(a+)+", "nested quantifiers could run away"),
    (r"(\w*)*x", "nested quantifiers could run away"),
    (r"(\w+\s?)+$", "nested quantifiers could run away"),
    ("((ab)+c)*", "nested quantifiers could run away"),
    ("(ab?){2,5}", "nested quantifiers could run away"),
    ("(a+){ 2 }x", "nested quantifiers could run away"),  # Rust allows spaces in {n}
    ("x(?x)(a+) +", "the verbose flag (?x) is not allowed"),  # would hide `(a+)+`
    ("(?:a|b)+c", "repeated group with alternatives could run away"),
    ("(a|a)*b", "repeated group with alternatives could run away"),
    ("(uber|ub)+", "repeated group with alternatives could run away"),
    ("a**", "stacked quantifiers"),
    ("a{1000}", "counted repetition {1000} is above {100}"),
    ("a{10}{10}{10}", "stacked quantifiers"),
    ("x" * 201, "pattern is too long (201 characters, at most 200)"),
    (".*", "matches the empty text"),
    ("foo|", "matches the empty text"),
    ("(a?)", "matches the empty text"),
    ("", "pattern is empty"),
    ("   ", "pattern is empty"),
]


@pytest.mark.parametrize(("pattern", "reason"), INVALID_PATTERNS)
def test_invalid_and_runaway_patterns_are_refused_with_the_reason(
    pattern: str, reason: str
) -> None:
    with pytest.raises(ValueError) as caught:
        validate_pattern(pattern)
    assert reason in str(caught.value)


def test_every_accepted_pattern_runs_in_the_engine() -> None:
    frame = pl.DataFrame({"description": ["Uber trip", "ACME LTD.", "nothing"], "merchant": None})
    for pattern in VALID_PATTERNS:
        match_rules(frame, [Rule(id=1, category="Other", keyword_pattern=pattern)])


def test_builtin_default_rules_are_in_the_safe_subset() -> None:
    versions = Path(__file__).parents[2] / "ledger" / "migrations" / "versions"
    path = next(versions.glob("0002_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0002", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert len(migration.DEFAULT_RULES) >= 20
    for _priority, _category, pattern in migration.DEFAULT_RULES:
        validate_pattern(pattern)


# --- apply_rules (pure, table-driven) ---------------------------------------------------------

TRANSPORT = Rule(id=1, category="Transport", keyword_pattern=r"\b(uber|lyft)\b")
DINING = Rule(id=2, category="Dining", keyword_pattern=r"uber\s*eats")
TESCO_MERCHANT = Rule(id=3, category="Groceries", merchant_pattern="tesco")
BOTH = Rule(id=4, category="Shopping", keyword_pattern="card", merchant_pattern="^amazon")


@pytest.mark.parametrize(
    ("rules", "description", "merchant", "expected_category", "expected_rule_id"),
    [
        # first match wins: the order of the list is the precedence order
        ([TRANSPORT, DINING], "UBER EATS 1234", None, "Transport", 1),
        ([DINING, TRANSPORT], "UBER EATS 1234", None, "Dining", 2),
        ([DINING, TRANSPORT], "Uber trip help.uber.com", None, "Transport", 1),
        # case-insensitive, word boundaries respected
        ([TRANSPORT], "lyft ride", None, "Transport", 1),
        ([TRANSPORT], "SUPERUBERMARKET", None, None, None),
        # merchant patterns look at the merchant only; a null merchant never matches
        ([TESCO_MERCHANT], "tesco in the description", None, None, None),
        ([TESCO_MERCHANT], "POS 123", "TESCO STORES 2041", "Groceries", 3),
        # both patterns given: both must match
        ([BOTH], "CARD PURCHASE", "Amazon Marketplace", "Shopping", 4),
        ([BOTH], "DIRECT DEBIT", "Amazon Marketplace", None, None),
        ([BOTH], "CARD PURCHASE", "eBay", None, None),
        ([], "UBER", None, None, None),
    ],
)
def test_apply_rules_precedence_and_matching(
    rules: list[Rule],
    description: str,
    merchant: str | None,
    expected_category: str | None,
    expected_rule_id: int | None,
) -> None:
    frame = pl.DataFrame(
        {"description": [description], "merchant": [merchant], "category": [None]},
        schema={"description": pl.String, "merchant": pl.String, "category": pl.String},
    )
    result = apply_rules(frame, rules).row(0, named=True)
    assert result["category"] == expected_category
    assert result["category_rule_id"] == expected_rule_id
    assert result["category_source"] == ("rule" if expected_category else None)


def test_apply_rules_fills_only_rows_without_a_category_and_keeps_row_order() -> None:
    frame = pl.DataFrame(
        {
            "description": ["UBER 1", "UBER 2", "nothing", "UBER 3", None],
            "merchant": [None, None, None, None, None],
            "category": [None, "Travel", None, None, None],
            "category_source": [None, "manual", None, None, None],
            "amount_minor": [-100, -200, -300, -400, -500],
        },
        schema_overrides={"merchant": pl.String},
    )
    result = apply_rules(frame, [TRANSPORT])
    assert result["amount_minor"].to_list() == [-100, -200, -300, -400, -500]
    assert result["category"].to_list() == ["Transport", "Travel", None, "Transport", None]
    assert result["category_source"].to_list() == ["rule", "manual", None, "rule", None]
    assert result["category_rule_id"].to_list() == [1, None, None, 1, None]


def test_match_rules_answers_for_every_row_regardless_of_current_category() -> None:
    frame = pl.DataFrame(
        {"description": ["uber eats", "uber", "x"], "category": ["Travel", None, None]}
    )
    matches = match_rules(frame, [DINING, TRANSPORT])
    assert matches["rule_category"].to_list() == ["Dining", "Transport", None]
    assert matches["rule_id"].to_list() == [2, 1, None]


def test_empty_frame() -> None:
    frame = pl.DataFrame(schema={"description": pl.String, "merchant": pl.String})
    result = apply_rules(frame, [TRANSPORT])
    assert result.height == 0
    assert set(result.columns) >= {"category", "category_source", "category_rule_id"}


# --- against the store: user rules before the built-in defaults -------------------------------


def _add_rule(engine: Engine, **values: object) -> int:
    with engine.begin() as connection:
        return connection.execute(
            insert(CategoryRule).returning(CategoryRule.id),
            [{"priority": 100, "is_active": True, **values}],
        ).scalar_one()


def test_categorize_frame_user_rules_before_defaults_then_priority(engine: Engine) -> None:
    alice = make_user(engine)
    bob = make_user(engine)
    # A user rule with a *higher* priority number still runs before every default rule.
    alice_uber = _add_rule(
        engine, user_id=alice.id, category="Travel", keyword_pattern="uber", priority=500
    )
    alice_first = _add_rule(
        engine, user_id=alice.id, category="Health", keyword_pattern="uber health", priority=5
    )
    _add_rule(  # same priority as alice_first, larger id: loses the tie
        engine, user_id=alice.id, category="Education", keyword_pattern="uber health", priority=5
    )
    _add_rule(  # inactive rules do not run
        engine,
        user_id=alice.id,
        category="Gifts & Donations",
        keyword_pattern="netflix",
        is_active=False,
    )
    _add_rule(engine, user_id=bob.id, category="Taxes", keyword_pattern="netflix")

    frame = pl.DataFrame(
        {
            "description": ["UBER TRIP", "Uber Health visit", "NETFLIX.COM", "TESCO STORES", "?"],
            "merchant": [None, None, None, None, None],
            "category": [None, None, None, "Shopping", None],
            "category_source": [None, None, None, "import", None],
        },
        schema_overrides={"merchant": pl.String, "category": pl.String},
    )
    with engine.begin() as connection:
        rules = load_rules(connection, user_id=alice.id)
        result = categorize_frame(connection, user_id=alice.id, frame=frame)

    assert [rule.id for rule in rules[:2]] == [alice_first, rules[1].id]
    assert rules[2].id == alice_uber
    assert result["category"].to_list() == ["Travel", "Health", "Subscriptions", "Shopping", None]
    assert result["category_source"].to_list() == ["rule", "rule", "rule", "import", None]
    ids = result["category_rule_id"].to_list()
    assert ids[0] == alice_uber
    assert ids[1] == alice_first
    netflix_default = next(rule for rule in rules if rule.category == "Subscriptions")
    assert ids[2] == netflix_default.id
    assert ids[3] is None


def test_categorize_frame_other_users_rules_do_not_apply(engine: Engine) -> None:
    alice = make_user(engine)
    bob = make_user(engine)
    _add_rule(engine, user_id=bob.id, category="Taxes", keyword_pattern="widget")
    frame = pl.DataFrame({"description": ["WIDGET CO"], "merchant": [None], "category": [None]})
    with engine.begin() as connection:
        result = categorize_frame(connection, user_id=alice.id, frame=frame)
        bobs = categorize_frame(connection, user_id=bob.id, frame=frame)
    assert result["category"].to_list() == [None]
    assert bobs["category"].to_list() == ["Taxes"]


def test_block_prefilter_gives_exactly_the_rule_by_rule_answer(monkeypatch) -> None:
    import ingestion.rules as rules_module

    # several blocks, each split down to single rules, on a small batch
    monkeypatch.setattr(rules_module, "BLOCK_SIZE", 4)
    monkeypatch.setattr(rules_module, "DIRECT_SIZE", 1)
    rules = [
        Rule(id=1, category="Dining", keyword_pattern=r"(?P<shop>cafe)\b"),
        Rule(id=2, category="Groceries", keyword_pattern=r"(?P<shop>tesco)"),  # same group name
        Rule(id=3, category="Travel", keyword_pattern=r"(?-i)AIR\b"),  # case-sensitive
        Rule(id=4, category="Shopping", keyword_pattern="^amzn", merchant_pattern="amazon"),
        Rule(id=5, category="Transport", merchant_pattern=r"\buber\b"),
        Rule(id=6, category="Health", keyword_pattern=r"pharmacy #\d{2,4}$"),
        Rule(id=7, category="Other", keyword_pattern="e"),
    ]
    frame = pl.DataFrame(
        {
            "description": [
                "Cafe Nero",
                "TESCO 12",
                "AIR FRANCE",
                "air france",
                "AMZN MKTP",
                "AMZN MKTP",
                "ride",
                "CVS PHARMACY #123",
                "CVS PHARMACY #12345",
                "nothing",
                None,
                "tesco cafe",
            ],
            "merchant": [
                None,
                None,
                None,
                None,
                "Amazon",
                "eBay",
                "UBER",
                None,
                None,
                None,
                "uber",
                None,
            ],
        }
    )
    fast = match_rules(frame, rules)
    reference = match_rules(frame, rules, prefilter=False)
    assert fast.equals(reference)
    assert fast["rule_id"].to_list() == [1, 2, 3, 7, 4, None, 5, 6, None, None, 5, 1]
