"""The pure parsing pieces, table-driven, without a store."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from ingestion.amounts import detect_decimal_separator, parse_minor_units
from ingestion.columns import normalize_header
from ingestion.dates import choose_date_format, parse_dates
from ingestion.errors import AmbiguousLayout, ImportRejected
from ingestion.mapping import ImportMapping
from ingestion.merchants import merchant_from_description
from ingestion.read import decode, find_table, read_bank_file, sniff_delimiter


@pytest.mark.parametrize(
    ("text", "exponent", "decimal", "thousands", "expected"),
    [
        ("-12.34", 2, ".", ",", (-1234, None)),
        ("1,234.56", 2, ".", ",", (123_456, None)),
        ("(45.00)", 2, ".", ",", (-4_500, None)),
        ("12.34 DR", 2, ".", ",", (-1_234, None)),
        ("12.34CR", 2, ".", ",", (1_234, None)),
        ("£1,234.56", 2, ".", ",", (123_456, None)),
        ("$-5", 2, ".", ",", (-500, None)),
        ("+7.1", 2, ".", ",", (710, None)),
        (".5", 2, ".", ",", (50, None)),
        ("1'234.50", 2, ".", ",", (123_450, None)),
        ("EUR 3.00", 2, ".", ",", (300, None)),
        ("1.234,56", 2, ",", ".", (123_456, None)),
        ("1 234,56", 2, ",", ".", (123_456, None)),
        ("1\u00a0234,56 €", 2, ",", ".", (123_456, None)),
        ("12,34-", 2, ",", ".", (-1_234, None)),
        ("0.10", 2, ".", ",", (10, None)),
        ("¥1,000", 0, ".", ",", (1_000, None)),
        ("1000.00", 0, ".", ",", (1_000, None)),
        ("12.345", 3, ".", None, (12_345, None)),
        ("0.001", 3, ".", None, (1, None)),
        ("0.105", 2, ".", ",", (None, "has more decimal places than the currency allows (2)")),
        ("12.5", 0, ".", ",", (None, "has more decimal places than the currency allows (0)")),
        ("abc", 2, ".", ",", (None, "not an amount")),
        ("12.3.4", 2, ".", ",", (None, "not an amount")),
        ("99999999999999999999", 2, ".", ",", (None, "amount is too large")),
        ("", 2, ".", ",", (None, None)),
        (None, 2, ".", ",", (None, None)),
    ],
)
def test_amounts_become_exact_minor_units(text, exponent, decimal, thousands, expected) -> None:
    [result] = parse_minor_units(
        [text], exponent=exponent, decimal_separator=decimal, thousands_separator=thousands
    )
    assert result == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1,234.56", "12.00"], "."),
        (["1.234,56"], ","),
        (["12,34", "5,00"], ","),
        (["1.234.567"], ","),
        (["1,234,567"], "."),
        (["-45,67", None, "1.000"], ","),
        (["1,234"], "default"),  # thousands or a 3-digit fraction: the file cannot say
        (["12", "300"], "default"),
    ],
)
def test_the_decimal_separator_is_decided_by_the_values(values, expected) -> None:
    assert detect_decimal_separator(pl.Series(values, dtype=pl.String), default="default") == (
        expected
    )


@pytest.mark.parametrize(
    ("values", "expected_format"),
    [
        (["2024-01-05", "2024-12-31"], "%Y-%m-%d"),
        (["01/02/2024", "01/15/2024"], "%m/%d/%Y"),
        (["01/02/2024", "15/01/2024"], "%d/%m/%Y"),
        (["05.01.24", "31.12.23"], "%d.%m.%y"),
        (["05.01.2024"], "%d.%m.%Y"),
        (["05 Jan 2024", "5 Feb 2024"], "%d %b %Y"),
        (["20240105"], "%Y%m%d"),
        (["05-Jan-2024"], "%d-%b-%Y"),
        (["01/15/24", "02/01/24"], "%m/%d/%y"),
        (["02/02/2024", "03/03/2024"], "%m/%d/%Y"),  # both read them the same way: no ambiguity
    ],
)
def test_one_date_format_is_chosen_per_file(values, expected_format) -> None:
    choice = choose_date_format(pl.Series(values))
    assert (choice.fmt, choice.ambiguous_between) == (expected_format, ())


def test_dates_that_fit_both_orders_are_ambiguous() -> None:
    choice = choose_date_format(pl.Series(["01/02/2024", "03/04/2024"]))
    assert choice.fmt is None
    assert choice.ambiguous_between == ("%m/%d/%Y", "%d/%m/%Y")
    assert choice.example == "01/02/2024"


def test_the_best_format_wins_when_some_values_are_bad() -> None:
    choice = choose_date_format(pl.Series(["01/15/2024", "01/16/2024", "13/45/2024"]))
    assert choice.fmt == "%m/%d/%Y"
    parsed = parse_dates(pl.Series(["01/15/2024", "13/45/2024", "1/15/24"]), "%m/%d/%Y")
    assert parsed.to_list() == [date(2024, 1, 15), None, None]  # "24" is not a 4-digit year


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["a,b,c", "1,2,3"], ","),
        (["a;b;c", "1,5;2,5;3"], ";"),
        (["a\tb\tc", "1,234.50\tx, y\t3"], "\t"),
        (['"a,b";c;d', "1;2;3"], ";"),
        (["Summary,,", "x,,1", "", "Date,Description,Amount,Balance", "1,2,3,4", "1,2,3,4"], ","),
    ],
)
def test_the_delimiter_is_sniffed(lines, expected) -> None:
    assert sniff_delimiter(lines) == expected


def test_the_table_is_found_after_a_preamble() -> None:
    lines = [
        "Account Name:,FlexDirect",
        "Balance:,£1.00",
        "",
        "Date,Description,Amount",
        "05 Jan 2024,TESCO,-1.00",
    ]
    start = find_table(lines, ",", ImportMapping())
    assert (start.line, start.has_header, start.date_column) == (3, True, 0)


def test_a_file_whose_first_line_is_a_transaction_has_no_header() -> None:
    start = find_table(['"01/16/2024","-12.50","*","","CHIPOTLE"'], ",", ImportMapping())
    assert (start.line, start.has_header) == (0, False)


def test_a_file_without_any_date_asks_for_a_mapping() -> None:
    with pytest.raises(AmbiguousLayout, match="no dates found"):
        read_bank_file(b"a,b\n1,2\nx,y\n", ImportMapping())


def test_line_numbers_count_quoted_line_breaks() -> None:
    content = b'Date;Text;Amount\n03/01/2024;"two\nlines";1,00\n15/01/2024;one;2,00\n'
    table = read_bank_file(content, ImportMapping())
    assert table.frame["_line"].to_list() == [2, 4]
    assert table.names == ["Date", "Text", "Amount"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xef\xbb\xbfDate", ("Date", "utf-8-sig")),
        ("£5".encode(), ("£5", "utf-8")),
        (b"\xa35", ("£5", "cp1252")),
        (b"\x80 5", ("€ 5", "cp1252")),
        (b"\x81", ("\x81", "latin-1")),
        ("Date".encode("utf-16"), ("Date", "utf-16")),
    ],
)
def test_decoding(content, expected) -> None:
    assert decode(content) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Amount (GBP)", "amount"),
        ("Bedrag (EUR)", "bedrag"),
        ("  Posting   Date ", "posting date"),
        ("Running Bal.", "running bal"),
        ("Mandatsreferenz ", "mandatsreferenz"),
    ],
)
def test_header_names_are_normalised(header, expected) -> None:
    assert normalize_header(header) == expected


@pytest.mark.parametrize(
    ("description", "merchant"),
    [
        ("POS PURCHASE 01/04 STARBUCKS STORE 12345 SEATTLE WA", "Starbucks"),
        (
            "PURCHASE AUTHORIZED ON 01/04 SHELL OIL 57442 AUSTIN TX S384004567891234 CARD 1234",
            "Shell Oil",
        ),
        ("SQ *BLUE BOTTLE COFFEE", "Blue Bottle Coffee"),
        ("TST* SHAKE SHACK 1234", "Shake Shack"),
        ("AMZN Mktp US*2K4L53", "Amzn Mktp Us"),
        ("TESCO STORES 3041", "Tesco Stores"),
        ("CARD PAYMENT TO SAINSBURYS S/MKT ON 05-01-2024", "Sainsburys S/Mkt"),
        ("PAYPAL *SPOTIFY", "Spotify"),
        ("DIRECT DEBIT VODAFONE", "Vodafone"),
        ("7-ELEVEN 33452", "7-Eleven"),
        ("Kartenzahlung EDEKA 2024-01-05", "Edeka"),
        ("PAIEMENT PAR CARTE CARREFOUR MARKET 02/01", "Carrefour Market"),
        ("   ", None),
    ],
)
def test_merchants_are_cleaned_from_descriptions(description, merchant) -> None:
    frame = pl.DataFrame({"description": [description]})
    result = frame.select(merchant_from_description(pl.col("description"))).item()
    assert result == merchant


def test_an_unknown_mapping_key_is_refused() -> None:
    with pytest.raises(ValueError, match="date_fromat"):
        ImportMapping.model_validate_json('{"date_fromat": "%d/%m/%Y"}')


def test_a_stray_quote_inside_a_cell_is_a_character() -> None:
    content = b'Date,Description,Amount\n2024-01-05,12" SUB,-5.00\n\n2024-01-06,OK,-1.00\n'
    table = read_bank_file(content, ImportMapping())
    assert table.frame["c1"].to_list() == ['12" SUB', "OK"]
    assert table.frame["_line"].to_list() == [2, 4]


def test_a_quote_left_open_is_refused_with_its_line() -> None:
    content = b'Date,Description,Amount\n2024-01-05,OK,-1.00\n2024-01-06,"PIZZA,-5.00\n'
    with pytest.raises(ImportRejected) as rejected:
        read_bank_file(content, ImportMapping())
    assert rejected.value.detail.startswith("the file is not valid CSV at line 3")
    assert [error.row for error in rejected.value.errors] == [3]
