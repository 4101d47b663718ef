"""The `bankdash import` command, run through typer against a real store."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from cli.imports import import_command
from ledger.db import default_engine
from ledger.settings import get_settings
from tests.factories import make_account, make_user
from tests.ingestion.helpers import SAMPLES, count_rows


@pytest.fixture
def run(ops_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", ops_url)
    get_settings.cache_clear()
    default_engine.cache_clear()
    app = typer.Typer()
    app.command("import")(import_command)
    app.command("noop")(lambda: None)  # two commands: "import" stays a subcommand
    yield lambda *args: CliRunner().invoke(app, ["import", *map(str, args)])
    default_engine().dispose()
    get_settings.cache_clear()
    default_engine.cache_clear()


def test_import_prints_the_report(engine, run) -> None:
    account = make_account(engine, make_user(engine))
    result = run(SAMPLES / "bank_of_america.csv", "--account", account.id)
    assert result.exit_code == 0, result.output
    assert "5 rows read: imported 4, 0 already there, 1 skipped (import " in result.output
    assert count_rows(engine, "transactions") == 4

    again = run(SAMPLES / "bank_of_america.csv", "--account", account.id, "--dry-run")
    assert "5 rows read: would import 0, 4 already there, 1 skipped (dry run)" in again.output


def test_a_refused_file_exits_1_with_the_errors(engine, run, tmp_path) -> None:
    account = make_account(engine, make_user(engine))
    bad = tmp_path / "bad.csv"
    bad.write_text("Date,Description,Amount\n2024-01-05,COFFEE,abc\n")
    result = run(bad, "--account", account.id)
    assert result.exit_code == 1
    assert "Import refused: 1 invalid value in the file; nothing was imported" in result.output
    assert "row 2, column 'Amount', value 'abc': not an amount" in result.output
    assert count_rows(engine, "transactions") == 0


def test_a_mapping_file_resolves_an_ambiguous_layout(engine, run, tmp_path) -> None:
    account = make_account(engine, make_user(engine))
    statement = tmp_path / "statement.csv"
    statement.write_text("Date,Description,Amount\n01/02/2024,RENT,-900.00\n")
    refused = run(statement, "--account", account.id)
    assert refused.exit_code == 1
    assert '"date_format"' in refused.output

    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"date_format": "%d/%m/%Y"}))
    result = run(statement, "--account", account.id, "--mapping", mapping)
    assert result.exit_code == 0, result.output
    assert "imported 1" in result.output
