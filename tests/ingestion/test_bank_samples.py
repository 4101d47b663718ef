"""Real banks' export layouts, each imported without help (ABN AMRO's with a mapping), on both
stores: counts, the exact sum of amounts, and a few rows read back from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from ingestion import ImportMapping, import_bank_file
from tests.factories import make_account, make_user
from tests.ingestion.helpers import sample, stored_transactions


@dataclass(frozen=True)
class Expected:
    file: str
    origin: str  # whose public export layout the sample copies
    currency: str
    rows_read: int
    imported: int
    skipped: int
    total_minor: int
    rows: dict[int, tuple[date, int, str]]  # position in the store → (date, amount, description)
    merchants: dict[int, str | None] = field(default_factory=dict)
    mapping: ImportMapping | None = None


SAMPLE_FILES = [
    Expected(
        "chase_checking.csv",
        "Chase (US) checking: Details,Posting Date,…,Check or Slip #, trailing comma, MM/DD/YYYY",
        "USD",
        rows_read=7,
        imported=7,
        skipped=0,
        total_minor=158_793,
        rows={
            0: (date(2024, 1, 2), -575, "STARBUCKS STORE 12345 SEATTLE WA 01/02"),
            3: (date(2024, 1, 8), -85_000, "CHECK 1042"),
            6: (date(2024, 1, 22), 15_010, "REMOTE ONLINE DEPOSIT # 1"),
        },
        merchants={0: "Starbucks", 4: "Amazon Mktpl"},
    ),
    Expected(
        "bank_of_america.csv",
        "Bank of America (US): summary preamble, Date,Description,Amount,Running Bal., "
        "a 'Beginning balance' row, quoted amounts with thousands commas",
        "USD",
        rows_read=5,
        imported=4,
        skipped=1,
        total_minor=196_544,
        rows={
            0: (date(2024, 1, 3), -5_678, "TRADER JOE S #123 01/02 PURCHASE SEATTLE WA"),
            1: (date(2024, 1, 15), 320_000, "ONLINE BANKING TRANSFER FROM SAV 1234 CONF# abc123"),
            3: (date(2024, 1, 28), -108_779, "RENT PAYMENT ACH"),
        },
        merchants={2: "Comcast"},
    ),
    Expected(
        "wells_fargo.csv",
        "Wells Fargo (US): no header, 5 quoted columns (date, amount, *, check no., description)",
        "USD",
        rows_read=4,
        imported=4,
        skipped=0,
        total_minor=137_818,
        rows={
            0: (
                date(2024, 1, 16),
                -1_250,
                "PURCHASE AUTHORIZED ON 01/15 CHIPOTLE 1234 PORTLAND OR S384015123456789 CARD 1234",
            ),
            2: (date(2024, 1, 18), -4_500, "CHECK # 1043"),
        },
        merchants={0: "Chipotle"},
    ),
    Expected(
        "barclays.csv",
        "Barclays (UK): Number,Date,Account,Amount,Subcategory,Memo, DD/MM/YYYY",
        "GBP",
        rows_read=4,
        imported=4,
        skipped=0,
        total_minor=175_656,
        rows={
            0: (date(2024, 1, 5), -2_345, "TESCO STORES 3041 ON 04 JAN CLP"),
            2: (date(2024, 1, 15), 185_000, "ACME LTD SALARY BGC"),
        },
        merchants={0: "Tesco Stores"},
    ),
    Expected(
        "nationwide.csv",
        "Nationwide (UK): account preamble, Paid out/Paid in, '05 Jan 2024' dates, £ in "
        "Windows-1252/Latin-1, CRLF, a 'Balance brought forward' row",
        "GBP",
        rows_read=5,
        imported=4,
        skipped=1,
        total_minor=52_310,
        rows={
            0: (date(2024, 1, 5), -2_345, "TESCO STORES 3041"),
            1: (date(2024, 1, 10), 185_000, "ACME LTD SALARY"),
            2: (date(2024, 1, 18), -125_000, "BRITISH GAS"),
        },
    ),
    Expected(
        "deutsche_bank.csv",
        "Deutsche Bank (DE): ';', preamble, Buchungstag/Wert, Soll/Haben split, decimal commas "
        "and thousands dots, DD.MM.YYYY, cp1252 umlauts, closing 'Kontostand' line",
        "EUR",
        rows_read=5,
        imported=4,
        skipped=1,
        total_minor=209_901,
        rows={
            1: (date(2024, 1, 15), -125_000, "Miete Januar 2024"),
            2: (date(2024, 1, 25), 345_678, "Gehalt Januar 2024"),
        },
        merchants={0: "REWE Markt GmbH", 1: "Hausverwaltung Schmidt"},
    ),
    Expected(
        "sparkasse.csv",
        "Sparkasse (DE) CSV-CAMT: all quoted, ';', DD.MM.YY, Betrag with decimal comma, CRLF",
        "EUR",
        rows_read=3,
        imported=3,
        skipped=0,
        total_minor=275_184,
        rows={
            0: (date(2024, 1, 3), -3_456, "2024-01-02T17:41 Debitk.1 2027-12"),
            2: (date(2024, 1, 30), 287_540, "LOHN / GEHALT 01/24"),
        },
        merchants={0: "EDEKA CENTER"},
    ),
    Expected(
        "ing_nl.csv",
        "ING (NL): ';', YYYYMMDD, always-positive 'Bedrag (EUR)' signed by the 'Af Bij' column",
        "EUR",
        rows_read=3,
        imported=3,
        skipped=0,
        total_minor=247_175,
        rows={
            0: (date(2024, 1, 4), -2_345, "Albert Heijn 1403"),
            1: (date(2024, 1, 15), 250_000, "ACME BV"),
            2: (date(2024, 1, 20), -480, "NS Groep IZ NS Reizigers"),
        },
    ),
    Expected(
        "credit_agricole.csv",
        "Crédit Agricole (FR): Windows-1252, preamble, Débit/Crédit euros, '1 045,20', "
        "DD/MM/YYYY, libellés spanning two lines, trailing ';'",
        "EUR",
        rows_read=3,
        imported=3,
        skipped=0,
        total_minor=108_140,
        rows={
            0: (date(2024, 1, 3), -2_340, "PAIEMENT PAR CARTE CARREFOUR MARKET 02/01"),
            2: (date(2024, 1, 20), -104_520, "PRELEVEMENT EDF CLIENTS PARTICULIERS"),
        },
        merchants={0: "Carrefour Market"},
    ),
    Expected(
        "monzo.csv",
        "Monzo (UK): UTF-8 with BOM, CRLF, emoji column, Name (merchant) and Category columns",
        "GBP",
        rows_read=4,
        imported=4,
        skipped=0,
        total_minor=177_755,
        rows={
            1: (date(2024, 1, 3), -3_210, "TESCO STORES 3041 LONDON GBR"),
            3: (date(2024, 1, 20), -3_600, "BELLA ITALIA PARIS FRA"),
        },
        merchants={1: "Tesco", 3: "Bella Italia"},
    ),
    Expected(
        "abn_amro.tab",
        "ABN AMRO (NL) .TAB: tab-delimited, no header, YYYYMMDD, three amount-looking columns "
        "(opening, closing, amount), so it needs a mapping",
        "EUR",
        rows_read=3,
        imported=3,
        skipped=0,
        total_minor=243_655,
        rows={
            0: (
                date(2024, 1, 2),
                -2_345,
                "BEA NR:XXXX1234 02.01.24/12.34 ALBERT HEIJN 1234,PAS123",
            ),
            2: (
                date(2024, 1, 22),
                -4_000,
                "SEPA INCASSO ALGEMEEN DOORLOPEND INCASSANT: NL12ZZZ123 NAAM: VODAFONE LIBERTEL BV",
            ),
        },
        mapping=ImportMapping(has_header=False, date=2, amount=6, description=7, currency=1),
    ),
]


@pytest.mark.parametrize("expected", SAMPLE_FILES, ids=lambda expected: expected.file)
def test_bank_export_imports(engine, expected: Expected) -> None:
    user = make_user(engine)
    account = make_account(engine, user, currency=expected.currency)

    report = import_bank_file(
        engine,
        account_id=account.id,
        content=sample(expected.file),
        filename=expected.file,
        mapping=expected.mapping,
    )

    assert (report.rows_read, report.imported, report.duplicates, report.skipped) == (
        expected.rows_read,
        expected.imported,
        0,
        expected.skipped,
    )
    assert report.errors == []
    assert report.import_id is not None
    stored = stored_transactions(engine, account.id)
    assert len(stored) == expected.imported
    assert sum(row.amount_minor for row in stored) == expected.total_minor
    for position, (txn_date, amount_minor, description) in expected.rows.items():
        row = stored[position]
        assert (row.txn_date, row.amount_minor, row.description) == (
            txn_date,
            amount_minor,
            description,
        )
    for position, merchant in expected.merchants.items():
        assert stored[position].merchant == merchant
    assert {row.currency for row in stored} == {expected.currency}
    assert {row.source for row in stored} == {"csv"}
    assert {row.import_batch_id for row in stored} == {report.import_id}
    assert {row.user_id for row in stored} == {user.id}
