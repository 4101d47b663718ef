"""The category rules engine: validate rule patterns, and categorise a batch of transactions.

A rule is a case-insensitive regular expression on the description (`keyword_pattern`) and/or on
the merchant (`merchant_pattern`); when a rule has both, both must match. Rules are applied in
precedence order and the first match wins:

1. the user's own active rules, then the built-in defaults (`user_id IS NULL`);
2. within each, by `priority` ascending (lower runs first), then by `id`.

Only rows whose `category` is null are filled: a category set by a person (manual, bulk) or given
by the bank file is never overwritten by a rule.

Patterns run with the Rust `regex` crate (through polars), which matches in linear time and has no
backreferences or look-around. Validation compiles the pattern with that same engine, so a pattern
that saves always runs. On top of that it refuses patterns that would run away on a backtracking
engine (analysts copy our rules into SQL and notebooks), and patterns that match every text.
The safe subset, in one sentence: at most 200 characters, valid Rust-regex syntax, no
backreferences or look-around, no repeated group (`*`, `+`, `{n,m}`) that itself contains a
quantifier or an alternation (`(a+)+`, `(ab?)*`, `(a|ab)*`), no stacked quantifiers (`a**`), counted
repetitions up to {100}, no verbose flag `(?x)`, and it must not match the empty text.

Matching is vectorised over the whole batch (polars `str.contains`, never a Python loop over
rows), with a combined-regex prefilter per block of rules so that 500 rules do not cost 500 passes
(see `match_rules`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from ledger.models import CategoryRule

MAX_PATTERN_LENGTH = 200
MAX_REPEAT_COUNT = 100
CASE_INSENSITIVE = "(?i)"


# --- validation -------------------------------------------------------------------------------


def validate_pattern(pattern: str) -> None:
    """Raise ValueError, with a message fit for a 422, unless `pattern` is in the safe subset."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError("pattern is empty")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(
            f"pattern is too long ({len(pattern)} characters, at most {MAX_PATTERN_LENGTH})"
        )
    _compile_with_polars(pattern)
    _check_structure(pattern)
    if _matches_empty_text(pattern):
        raise ValueError(
            "pattern matches the empty text, so it would categorise every transaction "
            "(e.g. `.*`, `a?` or `foo|`); make it require at least one character"
        )


def _compile_with_polars(pattern: str) -> None:
    """Compile the pattern with the engine that will run it; translate its error message."""
    try:
        pl.Series("text", [""], dtype=pl.String).str.contains(CASE_INSENSITIVE + pattern)
    except pl.exceptions.PolarsError as exc:
        raise ValueError(f"invalid regular expression: {_regex_error_reason(str(exc))}") from None


def _regex_error_reason(message: str) -> str:
    for line in message.splitlines():
        line = line.strip()
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    if "size limit" in message:
        return "the compiled pattern is too large (too many or too large repetitions)"
    first = message.strip().splitlines()[0] if message.strip() else "cannot be compiled"
    return first.removeprefix("regex error:").strip()


def _matches_empty_text(pattern: str) -> bool:
    matched = pl.Series("text", [""], dtype=pl.String).str.contains(CASE_INSENSITIVE + pattern)
    return bool(matched[0])


_COUNTED_REPEAT = re.compile(r"\{\s*(\d+)\s*(,\s*(\d*)\s*)?\}")  # Rust allows the spaces
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


@dataclass
class _Group:
    has_quantifier: bool = False
    has_alternation: bool = False


def _check_structure(pattern: str) -> None:
    """Walk a pattern that already compiles, and refuse the shapes that can backtrack badly.

    The walk knows just enough Rust-regex syntax: escapes (with `\\p{..}`, `\\x{..}` braces),
    nested character classes, groups (`(?:`, `(?P<n>`, `(?<n>`, flag groups `(?i)`), `|` and the
    quantifiers `* + ? {n} {n,} {n,m}` with an optional lazy `?`.
    """
    stack = [_Group()]
    # What the next quantifier would apply to: "atom", a just-closed group, or a quantifier.
    previous: str | _Group | None = None
    i = 0
    n = len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1] if i + 1 < n else ""
            if following.isdigit() and following != "0":
                raise ValueError(f"backreferences (\\{following}) are not allowed")
            if following == "k" and i + 2 < n and pattern[i + 2] in "<{'":
                raise ValueError("named backreferences (\\k<name>) are not allowed")
            i += 2
            if following in "pPxu" and i < n and pattern[i] == "{":
                i = pattern.index("}", i) + 1
            elif following in "pP" and i < n:
                i += 1  # one-letter class name, e.g. \pL
            previous = "atom"
            continue
        if char == "[":
            i = _skip_class(pattern, i)
            previous = "atom"
            continue
        if char == "(":
            if pattern.startswith(_LOOKAROUND, i):
                raise ValueError("look-around ((?=, (?!, (?<=, (?<!) is not allowed")
            if pattern.startswith("(?", i) and not pattern.startswith(("(?P<", "(?<"), i):
                flags_end = i + 2
                while flags_end < n and (pattern[flags_end].isalpha() or pattern[flags_end] == "-"):
                    flags_end += 1
                if "x" in pattern[i + 2 : flags_end]:
                    # Verbose mode ignores whitespace, which would hide `(a+) +` from this walk.
                    raise ValueError("the verbose flag (?x) is not allowed")
                if flags_end < n and pattern[flags_end] == ")":  # (?i): a flag switch, no group
                    i = flags_end + 1
                    continue
                i = flags_end + 1  # past the ':'
            elif pattern.startswith("(?P<", i) or pattern.startswith("(?<", i):
                i = pattern.index(">", i) + 1
            else:
                i += 1
            stack.append(_Group())
            previous = None
            continue
        if char == ")":
            group = stack.pop()
            parent = stack[-1]
            parent.has_quantifier = parent.has_quantifier or group.has_quantifier
            parent.has_alternation = parent.has_alternation or group.has_alternation
            previous = group
            i += 1
            continue
        if char == "|":
            stack[-1].has_alternation = True
            previous = None
            i += 1
            continue
        quantifier = _quantifier_at(pattern, i)
        if quantifier is not None:
            length, max_count = quantifier
            if previous == "quantifier":
                raise ValueError(
                    f"stacked quantifiers at position {i} (like `a**` or `a+*`) could run away; "
                    "use a single quantifier"
                )
            repeats = max_count is None or max_count > 1
            if isinstance(previous, _Group) and repeats:
                if previous.has_quantifier:
                    raise ValueError(
                        "nested quantifiers could run away (catastrophic backtracking): a "
                        "repeated group contains another quantifier, like `(a+)+`, `(\\w*)*` or "
                        "`(ab?)+`; "
                        "repeat only single characters or classes, e.g. `a+` or `[\\w ]+`"
                    )
                if previous.has_alternation:
                    raise ValueError(
                        "a repeated group with alternatives could run away (catastrophic "
                        "backtracking), like `(a|a)*` or `(uber|ub)+`; use a character class "
                        "such as `[ab]+`, or drop the repetition"
                    )
            stack[-1].has_quantifier = True
            i += length
            if i < n and pattern[i] == "?":  # lazy form
                i += 1
            previous = "quantifier"
            continue
        previous = "atom"
        i += 1


def _skip_class(pattern: str, start: int) -> int:
    """Index just past the character class opening at `start` (classes may nest in Rust)."""
    depth = 0
    i = start
    n = len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            depth += 1
            i += 1
            # A `]` right after `[` or `[^` is a literal.
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            continue
        if char == "]":
            depth -= 1
            i += 1
            if depth == 0:
                return i
            continue
        i += 1
    return n


def _quantifier_at(pattern: str, i: int) -> tuple[int, int | None] | None:
    """(length, max repetitions or None for unbounded) of a quantifier at `i`, if there is one."""
    char = pattern[i]
    if char in "*+":
        return 1, None
    if char == "?":
        return 1, 1
    if char == "{":
        match = _COUNTED_REPEAT.match(pattern, i)
        if match is None:
            return None
        low = int(match.group(1))
        high = match.group(3)
        upper = None if match.group(2) and not high else int(high or low)
        if max(low, upper or 0) > MAX_REPEAT_COUNT:
            raise ValueError(f"counted repetition {match.group(0)} is above {{{MAX_REPEAT_COUNT}}}")
        return len(match.group(0)), upper
    return None


# --- applying rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One rule as the engine sees it; a sequence of them is given in precedence order."""

    id: int
    category: str
    keyword_pattern: str | None = None
    merchant_pattern: str | None = None


def load_rules(connection: sa.Connection, *, user_id: int) -> list[Rule]:
    """The user's active rules, then the active built-in defaults, in precedence order."""
    is_default = CategoryRule.user_id.is_(None)
    rows = connection.execute(
        sa.select(
            CategoryRule.id,
            CategoryRule.category,
            CategoryRule.keyword_pattern,
            CategoryRule.merchant_pattern,
        )
        .where(CategoryRule.is_active.is_(True))
        .where(sa.or_(CategoryRule.user_id == user_id, is_default))
        .order_by(sa.case((is_default, 1), else_=0), CategoryRule.priority, CategoryRule.id)
    )
    return [
        Rule(
            id=row.id,
            category=row.category,
            keyword_pattern=row.keyword_pattern,
            merchant_pattern=row.merchant_pattern,
        )
        for row in rows
        if row.keyword_pattern or row.merchant_pattern
    ]


def _rule_condition(rule: Rule) -> pl.Expr | None:
    conditions = []
    if rule.keyword_pattern:
        conditions.append(
            pl.col("description").str.contains(CASE_INSENSITIVE + rule.keyword_pattern)
        )
    if rule.merchant_pattern:
        conditions.append(pl.col("merchant").str.contains(CASE_INSENSITIVE + rule.merchant_pattern))
    if not conditions:
        return None
    # A null merchant never matches a merchant pattern (null & x is null or false; fill it).
    return pl.all_horizontal(conditions).fill_null(False)


# Rules are tried in blocks of BLOCK_SIZE, in order. One combined regex per block (an
# alternation of its patterns: a single pass of the Rust regex engine) finds the rows that could
# match any rule of the block; the block is then split in halves, each prefiltered the same way,
# down to DIRECT_SIZE rules, which are tested rule by rule on the rows still left. Rows matched
# by an earlier rule are never looked at again. The answer is exactly the rule-by-rule first match
# (tests compare the two), at the cost of a few passes per block instead of one per rule.
BLOCK_SIZE = 32
DIRECT_SIZE = 4

_Usable = list[tuple[int, Rule, pl.Expr]]  # (position in the rule list, rule, its condition)


def match_rules(
    frame: pl.DataFrame, rules: Sequence[Rule], *, prefilter: bool = True
) -> pl.DataFrame:
    """For every row, the first matching rule: columns `rule_category` and `rule_id` (or nulls).

    Vectorised: `str.contains` over whole columns, never a Python loop over rows. `frame` needs
    `description` and `merchant` (nullable) columns; the answer has one row per frame row, in
    order. `prefilter=False` tests every rule on every row (the reference the tests compare to).
    """
    frame = _with_text_columns(frame).select("description", "merchant")
    usable: _Usable = []
    for rule in rules:
        condition = _rule_condition(rule)
        if condition is not None:
            usable.append((len(usable), rule, condition))
    height = frame.height
    positions = pl.Series("position", [None] * height, dtype=pl.UInt32)
    if usable and height:
        rows = pl.Series("row", range(height), dtype=pl.UInt32)
        if prefilter:
            for start in range(0, len(usable), BLOCK_SIZE):
                if rows.len() == 0:
                    break
                matched, found = _first_match_in_block(
                    frame, rows, usable[start : start + BLOCK_SIZE]
                )
                if matched.len():
                    positions = positions.scatter(matched, found)
                    rows = rows.filter(~rows.is_in(matched))
        else:
            matched, found = _first_match_direct(frame, rows, usable)
            positions = positions.scatter(matched, found)
    categories = pl.Series("rule_category", [rule.category for _, rule, _ in usable], pl.String)
    ids = pl.Series("rule_id", [rule.id for _, rule, _ in usable], pl.Int64)
    return pl.DataFrame([categories.gather(positions), ids.gather(positions)])


def _first_match_in_block(
    frame: pl.DataFrame, rows: pl.Series, block: _Usable
) -> tuple[pl.Series, pl.Series]:
    """(rows matched, position of their first matching rule) among `rows`, for rules `block`."""
    if len(block) <= DIRECT_SIZE:
        return _first_match_direct(frame, rows, block)
    could_match = _block_prefilter(frame[rows], [rule for _, rule, _ in block])
    if could_match is not None:
        rows = rows.filter(could_match)
        if rows.len() == 0:
            return rows, pl.Series("position", [], dtype=pl.UInt32)
    half = len(block) // 2
    matched, found = _first_match_in_block(frame, rows, block[:half])
    rest = rows.filter(~rows.is_in(matched)) if matched.len() else rows
    if rest.len() == 0:
        return matched, found
    more_matched, more_found = _first_match_in_block(frame, rest, block[half:])
    return matched.append(more_matched), found.append(more_found)


def _first_match_direct(
    frame: pl.DataFrame, rows: pl.Series, block: _Usable
) -> tuple[pl.Series, pl.Series]:
    """Every rule of `block` tested on every row of `rows`, coalesced in rule order."""
    first = frame[rows].select(
        pl.coalesce(
            [
                pl.when(condition).then(pl.lit(position, pl.UInt32))
                for position, _, condition in block
            ]
        ).alias("position")
    )["position"]
    found = first.is_not_null()
    return rows.filter(found), first.filter(found)


def _block_prefilter(frame: pl.DataFrame, block: Sequence[Rule]) -> pl.Series | None:
    """Rows that may match some rule of `block` (a superset), or None when it cannot tell.

    A rule matches only if its keyword pattern matches the description or its merchant pattern
    the merchant, so "any keyword pattern matches, or any merchant pattern matches" is a
    superset. Each pattern is wrapped in `(?:...)` so its own flags stay inside it. If the
    combined pattern does not compile (e.g. two rules use the same group name, or the size
    limit), the block is tested rule by rule.
    """
    conditions = []
    for column, patterns in (
        ("description", [rule.keyword_pattern for rule in block if rule.keyword_pattern]),
        ("merchant", [rule.merchant_pattern for rule in block if rule.merchant_pattern]),
    ):
        if not patterns:
            continue
        combined = CASE_INSENSITIVE + "|".join(f"(?:{pattern})" for pattern in patterns)
        try:
            pl.Series("text", [""], dtype=pl.String).str.contains(combined)
        except pl.exceptions.PolarsError:
            return None
        conditions.append(pl.col(column).str.contains(combined).fill_null(False))
    return frame.select(pl.any_horizontal(conditions).alias("could_match"))["could_match"]


def apply_rules(frame: pl.DataFrame, rules: Sequence[Rule]) -> pl.DataFrame:
    """Fill `category`, `category_source="rule"` and `category_rule_id` where `category` is null.

    Pure: the same frame and rules always give the same answer. Rows that already have a category
    (set by a person, or given by the bank) are returned unchanged.
    """
    frame = _with_category_columns(_with_text_columns(frame))
    todo = frame.select(pl.col("category").is_null()).to_series()
    if not rules or not todo.any():
        return frame
    matches = match_rules(frame.filter(todo), rules)
    row_index = frame.with_row_index("_row").filter(todo).select("_row").to_series()
    filled = pl.DataFrame(
        {
            "_row": row_index,
            "rule_category": matches["rule_category"],
            "rule_id": matches["rule_id"],
        }
    )
    return (
        frame.with_row_index("_row")
        .join(filled, on="_row", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("rule_category").is_not_null())
            .then(pl.lit("rule"))
            .otherwise(pl.col("category_source"))
            .alias("category_source"),
            pl.when(pl.col("rule_category").is_not_null())
            .then(pl.col("rule_id"))
            .otherwise(pl.col("category_rule_id"))
            .alias("category_rule_id"),
            pl.coalesce("category", "rule_category").alias("category"),
        )
        .drop("_row", "rule_category", "rule_id")
    )


def categorize_frame(
    connection: sa.Connection, *, user_id: int, frame: pl.DataFrame
) -> pl.DataFrame:
    """Categorise a batch for one user with their rules and the defaults (see `apply_rules`).

    Runs on the caller's connection, so inside the importer's load transaction.
    """
    return apply_rules(frame, load_rules(connection, user_id=user_id))


def _with_text_columns(frame: pl.DataFrame) -> pl.DataFrame:
    if "merchant" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("merchant"))
    return frame.with_columns(
        pl.col("description").cast(pl.String), pl.col("merchant").cast(pl.String)
    )


def _with_category_columns(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [
        pl.lit(None, dtype).alias(name)
        for name, dtype in (
            ("category", pl.String),
            ("category_source", pl.String),
            ("category_rule_id", pl.Int64),
        )
        if name not in frame.columns
    ]
    frame = frame.with_columns(missing) if missing else frame
    return frame.with_columns(
        pl.col("category").cast(pl.String),
        pl.col("category_source").cast(pl.String),
        pl.col("category_rule_id").cast(pl.Int64),
    )
