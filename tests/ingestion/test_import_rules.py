"""What an import promises beyond reading layouts: all-or-nothing error reports, ambiguity,
dry runs, duplicates, exact money, categories and the import batch. Both stores."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from ingestion import (
    AmbiguousLayout,
    ImportMapping,
    ImportRejected,
    RowError,
    import_bank_file,
)
from tests.factories import make_account, make_user
from tests.ingestion.helpers import count_rows, import_batches, sample, stored_transactions


@pytest.fixture
def account(engine):
    return make_account(engine, make_user(engine), currency="USD")


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


BAD_FILE = _csv(
    "Date,Description,Amount,Currency",
    "01/15/2024,Coffee,-3.50,USD",
    "01/32/2024,Bad date,-1.00,USD",
    "01/16/2024,Bad amount,12.3.4,USD",
    "01/17/2024,Too precise,-1.234,USD",
    "01/18/2024,Missing amount,,USD",
    "01/19/2024,Euro row,-5.00,EUR",
    "01/20/2024,,-5.00,USD",
    "01/21/2024,Fine again,-2.00,usd",
)


def test_every_bad_row_is_reported_and_nothing_is_stored(engine, account) -> None:
    with pytest.raises(ImportRejected) as rejected:
        import_bank_file(engine, account_id=account.id, content=BAD_FILE, filename="bad.csv")

    assert not isinstance(rejected.value, AmbiguousLayout)
    assert rejected.value.errors == [
        RowError(3, "Date", "01/32/2024", "not a date in this file's format MM/DD/YYYY"),
        RowError(4, "Amount", "12.3.4", "not an amount"),
        RowError(5, "Amount", "-1.234", "has more decimal places than USD allows (2)"),
        RowError(6, "Amount", None, "amount is missing"),
        RowError(7, "Currency", "EUR", "currency EUR is not the account's currency USD"),
        RowError(8, "Description", None, "description is missing"),
    ]
    assert rejected.value.detail == "6 invalid values in the file; nothing was imported"
    assert count_rows(engine, "transactions") == 0
    assert count_rows(engine, "import_batches") == 0


def test_split_columns_report_the_column_that_is_wrong(engine, account) -> None:
    content = _csv(
        "Date,Description,Paid out,Paid in",
        "05 Jan 2024,TESCO,12.00,",
        "06 Jan 2024,REFUND,,abc",
        "07 Jan 2024,NOTHING,,",
    )
    with pytest.raises(ImportRejected) as rejected:
        import_bank_file(engine, account_id=account.id, content=content)
    assert rejected.value.errors == [
        RowError(3, "Paid in", "abc", "not an amount"),
        RowError(4, "Paid out", None, 'no amount in "Paid out" or "Paid in"'),
    ]


def test_a_mapping_naming_a_missing_column_is_refused(engine, account) -> None:
    with pytest.raises(ImportRejected) as rejected:
        import_bank_file(
            engine,
            account_id=account.id,
            content=_csv("Date,Description,Amount", "01/15/2024,Coffee,-3.50"),
            mapping=ImportMapping(date="Posting Date"),
        )
    [error] = rejected.value.errors
    assert (error.row, error.column, error.value) == (1, "Posting Date", None)
    assert error.message == (
        'mapping.date names column "Posting Date", which the file does not have '
        '(columns: "Date", "Description", "Amount")'
    )
    assert count_rows(engine, "transactions") == 0


def test_a_file_without_an_amount_column_asks_for_one(engine, account) -> None:
    with pytest.raises(AmbiguousLayout) as rejected:
        import_bank_file(
            engine,
            account_id=account.id,
            content=_csv("Date,Description,Balance", "01/15/2024,Coffee,100.00"),
        )
    assert "set `amount` in mapping" in rejected.value.detail
    assert rejected.value.errors == [RowError(1, None, None, "no amount column")]


DAY_FIRST_OR_MONTH_FIRST = _csv(
    "Date,Description,Amount",
    "01/02/2024,RENT,-900.00",
    "03/04/2024,SALARY,2000.00",
    "05/06/2024,GROCER,-45.10",
)


def test_dates_that_fit_dd_mm_and_mm_dd_are_ambiguous_until_mapped(engine, account) -> None:
    with pytest.raises(AmbiguousLayout) as rejected:
        import_bank_file(engine, account_id=account.id, content=DAY_FIRST_OR_MONTH_FIRST)
    assert rejected.value.detail == (
        'every date in column "Date" fits more than one format (e.g. "01/02/2024"); set '
        '"date_format" in mapping to "%m/%d/%Y" (MM/DD/YYYY) or "%d/%m/%Y" (DD/MM/YYYY)'
    )
    assert count_rows(engine, "transactions") == 0

    report = import_bank_file(
        engine,
        account_id=account.id,
        content=DAY_FIRST_OR_MONTH_FIRST,
        mapping=ImportMapping.model_validate_json('{"date_format": "%d/%m/%Y"}'),
    )
    assert report.imported == 3
    dates = [row.txn_date for row in stored_transactions(engine, account.id)]
    assert dates == [date(2024, 2, 1), date(2024, 4, 3), date(2024, 6, 5)]


def test_a_headerless_file_with_several_amount_columns_asks_which(engine) -> None:
    account = make_account(engine, make_user(engine), currency="EUR")
    with pytest.raises(AmbiguousLayout) as rejected:
        import_bank_file(engine, account_id=account.id, content=sample("abn_amro.tab"))
    assert "several columns look like amounts (3, 4, 6)" in rejected.value.detail
    assert "set `amount` in mapping" in rejected.value.detail


def test_dry_run_reports_and_stores_nothing(engine, account) -> None:
    report = import_bank_file(
        engine, account_id=account.id, content=sample("chase_checking.csv"), dry_run=True
    )
    assert (report.import_id, report.rows_read, report.imported, report.duplicates) == (
        None,
        7,
        7,
        0,
    )
    assert report.dry_run is True
    assert count_rows(engine, "transactions") == 0
    assert count_rows(engine, "import_batches") == 0

    import_bank_file(engine, account_id=account.id, content=sample("chase_checking.csv"))
    again = import_bank_file(
        engine, account_id=account.id, content=sample("chase_checking.csv"), dry_run=True
    )
    assert (again.imported, again.duplicates) == (0, 7)
    assert count_rows(engine, "transactions") == 7


def test_reimporting_a_file_adds_nothing(engine, account) -> None:
    first = import_bank_file(
        engine, account_id=account.id, content=sample("chase_checking.csv"), filename="a.csv"
    )
    second = import_bank_file(
        engine, account_id=account.id, content=sample("chase_checking.csv"), filename="a.csv"
    )
    assert (first.imported, first.duplicates) == (7, 0)
    assert (second.imported, second.duplicates, second.rows_read) == (0, 7, 7)
    assert len(stored_transactions(engine, account.id)) == 7
    batches = import_batches(engine, account.id)
    assert [(b.imported, b.duplicates, b.rows_read, b.skipped) for b in batches] == [
        (7, 0, 7, 0),
        (0, 7, 7, 0),
    ]
    content = sample("chase_checking.csv")
    assert batches[0].file_sha256 == hashlib.sha256(content).hexdigest()
    assert (batches[0].filename, batches[0].source, batches[0].id) == (
        "a.csv",
        "csv",
        first.import_id,
    )


def test_an_overlapping_statement_adds_only_the_new_rows(engine, account) -> None:
    early = _csv(
        "Date,Description,Amount",
        "2024-01-01,RENT,-900.00",
        "2024-01-05,COFFEE SHOP,-3.50",
        "2024-01-10,SALARY ACME,2000.00",
    )
    later = _csv(
        "Date,Description,Amount",
        "2024-01-05,Coffee   Shop,-3.50",  # same purchase; description differs only in case/spaces
        "2024-01-10,SALARY ACME,2000.00",
        "2024-01-12,BOOKSHOP,-12.00",
        "2024-01-20,GROCER,-45.67",
    )
    import_bank_file(engine, account_id=account.id, content=early)
    report = import_bank_file(engine, account_id=account.id, content=later)

    assert (report.rows_read, report.imported, report.duplicates) == (4, 2, 2)
    stored = stored_transactions(engine, account.id)
    assert [(row.txn_date, row.amount_minor) for row in stored] == [
        (date(2024, 1, 1), -90_000),
        (date(2024, 1, 5), -350),
        (date(2024, 1, 10), 200_000),
        (date(2024, 1, 12), -1_200),
        (date(2024, 1, 20), -4_567),
    ]


def test_two_identical_purchases_on_one_day_both_stay(engine, account) -> None:
    twice = _csv(
        "Date,Description,Amount",
        "2024-03-01,COFFEE,-3.50",
        "2024-03-01,COFFEE,-3.50",
        "2024-03-01,COFFEE,-4.00",
    )
    report = import_bank_file(engine, account_id=account.id, content=twice)
    assert (report.imported, report.duplicates) == (3, 0)
    stored = stored_transactions(engine, account.id)
    assert len({row.source_key for row in stored}) == 3

    # A later statement listing the purchase once matches the first of the two.
    once = _csv("Date,Description,Amount", "2024-03-01,COFFEE,-3.50", "2024-03-02,TEA,-2.00")
    report = import_bank_file(engine, account_id=account.id, content=once)
    assert (report.imported, report.duplicates) == (1, 1)


def test_source_key_is_the_documented_fingerprint(engine, account) -> None:
    import_bank_file(
        engine,
        account_id=account.id,
        content=_csv("Date,Description,Amount", "2024-03-01,  Coffee   SHOP ,-3.50"),
    )
    [row] = stored_transactions(engine, account.id)
    fingerprint = f"{account.id}\x1f2024-03-01\x1f-350\x1fcoffee shop\x1f1"
    assert row.source_key == "20240301" + hashlib.sha256(fingerprint.encode()).hexdigest()[:24]


def test_money_is_exact_in_minor_units(engine, account) -> None:
    lines = ["Date,Description,Amount"]
    lines += [f"2024-01-{day:02d},DIME {day},0.10" for day in range(1, 11)]
    lines += [f"2024-01-{day:02d},TWENTY {day},0.20" for day in range(11, 21)]
    lines += ['2024-01-21,BIG,"1,234,567.89"', "2024-01-22,REFUND,(0.30)"]
    import_bank_file(engine, account_id=account.id, content=_csv(*lines))
    stored = stored_transactions(engine, account.id)
    assert sum(row.amount_minor for row in stored) == 100 + 200 + 123_456_789 - 30


def test_yen_have_no_minor_digits(engine) -> None:
    account = make_account(engine, make_user(engine), currency="JPY")
    content = _csv(
        "Date,Description,Amount",
        '2024-01-05,KONBINI,"¥-1,234"',
        "2024-01-06,SALARY,300000",
        "2024-01-07,TRAIN,-210.00",
    )
    import_bank_file(engine, account_id=account.id, content=content)
    assert [row.amount_minor for row in stored_transactions(engine, account.id)] == [
        -1_234,
        300_000,
        -210,
    ]
    with pytest.raises(ImportRejected) as rejected:
        import_bank_file(
            engine,
            account_id=account.id,
            content=_csv("Date,Description,Amount", "2024-01-08,GUM,-12.5"),
        )
    assert rejected.value.errors == [
        RowError(2, "Amount", "-12.5", "has more decimal places than JPY allows (0)")
    ]


def test_dinars_have_three_minor_digits(engine) -> None:
    account = make_account(engine, make_user(engine), currency="KWD")
    content = _csv(
        "Date,Description,Amount",
        "2024-01-05,FUEL,-12.345",
        "2024-01-06,SALARY,1500.5",
        "2024-01-07,FEE,-0.001",
    )
    import_bank_file(engine, account_id=account.id, content=content)
    amounts = [row.amount_minor for row in stored_transactions(engine, account.id)]
    assert amounts == [-12_345, 1_500_500, -1]
    assert sum(amounts) == 1_488_154


def test_categories_from_the_file_and_from_rules(engine) -> None:
    account = make_account(engine, make_user(engine), currency="GBP")
    import_bank_file(engine, account_id=account.id, content=sample("monzo.csv"))
    stored = stored_transactions(engine, account.id)
    by_description = {row.description: row for row in stored}
    tesco = by_description["TESCO STORES 3041 LONDON GBR"]  # Monzo says "Groceries": ours
    assert (tesco.category, tesco.category_source, tesco.category_rule_id) == (
        "Groceries",
        "import",
        None,
    )
    salary = by_description["ACME LTD SALARY"]  # Monzo's "Income" is not ours: a rule decides
    assert (salary.category, salary.category_source) == ("Salary", "rule")
    assert salary.category_rule_id is not None
    pret = by_description["PRET A MANGER LONDON GBR"]  # "Eating out": not ours, and no rule
    assert (pret.category, pret.category_source, pret.category_rule_id) == (None, None, None)
    assert count_rows(engine, "category_changes") == 0


def test_negate_flips_a_card_issuers_signs(engine, account) -> None:
    content = _csv(
        "Date,Description,Amount", "2024-01-05,PURCHASE,25.00", "2024-01-09,PAYMENT,-25.00"
    )
    import_bank_file(
        engine, account_id=account.id, content=content, mapping=ImportMapping(negate=True)
    )
    assert [row.amount_minor for row in stored_transactions(engine, account.id)] == [-2500, 2500]


def test_progress_is_reported_up_to_the_total(engine, account) -> None:
    calls: list[tuple[int, int]] = []
    import_bank_file(
        engine,
        account_id=account.id,
        content=sample("bank_of_america.csv"),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[0] == (1, 5)  # the skipped opening-balance line counts as handled
    assert calls[-1] == (5, 5)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_file_with_only_a_header_imports_nothing(engine, account) -> None:
    report = import_bank_file(
        engine, account_id=account.id, content=_csv("Date,Description,Amount")
    )
    assert (report.rows_read, report.imported, report.skipped) == (0, 0, 0)


def test_an_empty_file_is_refused(engine, account) -> None:
    with pytest.raises(ImportRejected, match="the file is empty"):
        import_bank_file(engine, account_id=account.id, content=b"\n\n")


def test_dates_in_an_unknown_format_ask_for_date_format(engine, account) -> None:
    content = _csv("Date,Description,Amount", "2024.01.05,COFFEE,-3.50", "2024.01.06,TEA,-2.00")
    with pytest.raises(AmbiguousLayout) as rejected:
        import_bank_file(engine, account_id=account.id, content=content)
    assert '"date_format"' in rejected.value.detail
    assert '"2024.01.05"' in rejected.value.detail

    report = import_bank_file(
        engine,
        account_id=account.id,
        content=content,
        mapping=ImportMapping(date_format="%Y.%m.%d"),
    )
    assert report.imported == 2
    assert stored_transactions(engine, account.id)[0].txn_date == date(2024, 1, 5)


def test_a_payee_without_a_memo_describes_the_row(engine) -> None:
    # Starling (UK) layout: Counter Party is the payee, Reference the memo (often empty).
    account = make_account(engine, make_user(engine), currency="GBP")
    content = _csv(
        "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes",
        "03/01/2024,Tesco,TESCO STORES 3041,CONTACTLESS,-12.40,987.60,GROCERIES,",
        "15/01/2024,Acme Ltd,,FASTER PAYMENT,2000.00,2987.60,INCOME,",
    )
    import_bank_file(engine, account_id=account.id, content=content)
    stored = stored_transactions(engine, account.id)
    assert [(row.description, row.merchant, row.category) for row in stored] == [
        ("TESCO STORES 3041", "Tesco", "Groceries"),
        ("Acme Ltd", "Acme Ltd", None),
    ]


def test_tab_separated_with_classic_mac_line_ends(engine, account) -> None:
    content = (
        b"Date\tDescription\tAmount\r2024-02-01\tCOFFEE, LARGE\t-4.50\r2024-02-02\tTEA\t-2.25\r"
    )
    report = import_bank_file(engine, account_id=account.id, content=content)
    assert (report.rows_read, report.imported) == (2, 2)
    stored = stored_transactions(engine, account.id)
    assert [(row.description, row.amount_minor) for row in stored] == [
        ("COFFEE, LARGE", -450),
        ("TEA", -225),
    ]


def test_mapped_split_columns_win_over_an_amount_column(engine, account) -> None:
    content = _csv(
        "Date,Description,Amount,Out,In",
        "2024-02-01,COFFEE,999.99,4.50,",
        "2024-02-02,REFUND,999.99,,2.25",
    )
    mapping = ImportMapping(debit="Out", credit="In")
    import_bank_file(engine, account_id=account.id, content=content, mapping=mapping)
    assert [row.amount_minor for row in stored_transactions(engine, account.id)] == [-450, 225]


def test_quotes_commas_and_accents_survive_the_bulk_load(engine, account) -> None:
    content = _csv(
        "Date,Description,Amount",
        '2024-02-01,"COFFEE, ""LARGE"" ☕",-4.50',
        '2024-02-02,12" SUB \\ CAFÉ,-7.25',
    )
    import_bank_file(engine, account_id=account.id, content=content)
    assert [row.description for row in stored_transactions(engine, account.id)] == [
        'COFFEE, "LARGE" ☕',
        '12" SUB \\ CAFÉ',
    ]


def test_rows_are_stored_in_chunks_with_progress(engine, account, monkeypatch) -> None:
    monkeypatch.setattr("ingestion.load.CHUNK_ROWS", 2)
    monkeypatch.setattr("ingestion.load.BIG_IMPORT_ROWS", 1)  # the SQLite page-cache path too
    calls: list[tuple[int, int]] = []
    report = import_bank_file(
        engine,
        account_id=account.id,
        content=sample("chase_checking.csv"),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert report.imported == 7
    assert calls == [(0, 7), (2, 7), (4, 7), (6, 7), (7, 7), (7, 7)]
    stored = stored_transactions(engine, account.id)
    assert sum(row.amount_minor for row in stored) == 158_793
    assert [row.txn_date.day for row in stored] == [2, 3, 5, 8, 16, 16, 22]  # file order
    if engine.dialect.name == "sqlite":  # the connection goes back to the pool as it was
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
