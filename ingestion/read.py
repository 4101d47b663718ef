"""Stage 1, read: bytes of a bank export → a table of text cells, each with its file line.

Decodes (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252/Latin-1), sniffs the delimiter,
finds the table after a preamble (the first line with a date, and the header line above it, if
there is one) and reads the rest with polars, every cell as text.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

import polars as pl

from ingestion.dates import looks_like_date
from ingestion.errors import AmbiguousLayout, ImportRejected, RowError
from ingestion.mapping import ImportMapping

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 200
_SAMPLE_CHARS = 256 * 1024
LINE_COLUMN = "_line"
_AMOUNT_LIKE = re.compile(r"[(+-]?\s*[£$€¥]?\s*[+-]?\d[\d.,' ]*\)?-?(\s?(CR|DR))?", re.IGNORECASE)


@dataclass
class RawTable:
    """The transaction table of a file: cells as text (null when empty) in columns c0, c1, …

    `names` are the header's column names (or "0", "1", … without a header); `frame` also has
    `_line`, the 1-based file line where each record starts.
    """

    frame: pl.DataFrame
    names: list[str]
    has_header: bool
    header_line: int | None
    delimiter: str
    encoding: str
    date_column: int | None  # the column where the sniffer found dates, if it looked

    def cell_column(self, index: int) -> str:
        return f"c{index}"


def decode(content: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Undecodable bytes under an explicit encoding are refused."""
    if encoding:
        try:
            name = codecs.lookup(encoding).name
            return content.decode(encoding).removeprefix("\ufeff"), name
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportRejected(f"the file cannot be read as {encoding}: {exc}") from None
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                f"the file starts with a UTF-8 mark but is not UTF-8: {exc}"
            ) from None
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16").removeprefix("\ufeff"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # Windows exports (£ as 0xA3, € as 0x80); Latin-1 where cp1252 leaves a byte undefined
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return content.decode("latin-1"), "latin-1"


def _sample_lines(text: str) -> list[str]:
    """The first lines, split where polars splits them (on "\n", a "\r" before it dropped)."""
    head = text[:_SAMPLE_CHARS]
    lines = [line.removesuffix("\r") for line in head.split("\n")]
    if len(head) < len(text) and lines:
        lines = lines[:-1]  # the last one may be cut in half
    return lines[:_SAMPLE_LINES]


def _records(lines: list[str], delimiter: str) -> list[tuple[int, list[str]]]:
    """(0-based start line, cells) of every record in the sample, quoted newlines included."""
    reader = csv.reader(lines, delimiter=delimiter)
    records = []
    start = 0
    try:
        for cells in reader:
            records.append((start, [cell.strip() for cell in cells]))
            start = reader.line_num
    except csv.Error:
        pass  # an unterminated quote at the end of the sample
    return records


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter that splits the most lines into the same number (≥ 2) of fields."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for preference, delimiter in enumerate(DELIMITERS):
        counts = Counter(
            len(cells) for _start, cells in _records(lines, delimiter) if len(cells) >= 2
        )
        if not counts:
            continue
        width, lines_of_that_width = max(counts.items(), key=lambda item: (item[1], item[0]))
        score = (lines_of_that_width, width, -preference)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _date_cells(cells: list[str], date_format: str | None) -> list[int]:
    return [i for i, cell in enumerate(cells) if cell and looks_like_date(cell, date_format)]


def _looks_like_header(cells: list[str], date_column: int, date_format: str | None) -> bool:
    filled = [cell for cell in cells if cell]
    if len(filled) < 2 or _date_cells(cells, date_format):
        return False
    numbers = [cell for cell in filled if _AMOUNT_LIKE.fullmatch(cell)]
    return len(numbers) <= 1 and len(cells) > date_column


def _names_a_date(cells: list[str]) -> bool:
    """A header with a date column ("Date", "Posting Date", "Buchungstag", "Datum", …)."""
    words = ("date", "datum", "buchungstag", "fecha", "data")
    return any(word in cell.lower() for cell in cells for word in words)


@dataclass(frozen=True)
class TableStart:
    line: int  # 0-based line where the data (or the header) starts
    has_header: bool
    date_column: int | None


def find_table(lines: list[str], delimiter: str, mapping: ImportMapping) -> TableStart:
    """Where the header and the first transaction are, skipping any preamble."""
    records = _records(lines, delimiter)
    if mapping.skip_rows is not None:
        has_header = mapping.has_header if mapping.has_header is not None else True
        return TableStart(line=mapping.skip_rows, has_header=has_header, date_column=None)
    dated = [
        (start, cells, found)
        for start, cells in records
        if len(cells) >= 2 and (found := _date_cells(cells, mapping.date_format))
    ]
    if not dated:
        return _table_without_dates(records, mapping)
    # The date column is where most dated lines have their first date; the table starts at the
    # first line with a date there (a preamble line may carry a date elsewhere).
    date_column = Counter(found[0] for _start, _cells, found in dated).most_common(1)[0][0]
    first_start = next(start for start, _cells, found in dated if found[0] == date_column)
    if mapping.has_header is False:
        return TableStart(line=first_start, has_header=False, date_column=date_column)
    above = [(start, cells) for start, cells in records if start < first_start and any(cells)]
    if above and (
        mapping.has_header or _looks_like_header(above[-1][1], date_column, mapping.date_format)
    ):
        return TableStart(line=above[-1][0], has_header=True, date_column=date_column)
    return TableStart(line=first_start, has_header=False, date_column=date_column)


def _table_without_dates(
    records: list[tuple[int, list[str]]], mapping: ImportMapping
) -> TableStart:
    """No date we recognise: a header naming a date column still says where the table is
    (a statement with no rows, or dates in a format only `date_format` can tell)."""
    if mapping.has_header is not None:
        return TableStart(
            line=_first_filled(records), has_header=mapping.has_header, date_column=None
        )
    header = next(
        (start for start, cells in records if len(cells) >= 2 and _names_a_date(cells)), None
    )
    if header is not None:
        return TableStart(line=header, has_header=True, date_column=None)
    raise AmbiguousLayout(
        "no dates found in the first lines of the file; set `date` (and `date_format`) in "
        "mapping, and `skip_rows`/`has_header` if the table starts after a preamble"
    )


def _first_filled(records: list[tuple[int, list[str]]]) -> int:
    return next((start for start, cells in records if any(cells)), 0)


def _unique_names(cells: list[str], width: int) -> list[str]:
    names: list[str] = []
    for i in range(width):
        name = cells[i].strip() if i < len(cells) else ""
        name = name or f"column {i}"
        while name in names:
            name = f"{name} ({i})"
        names.append(name)
    return names


def _region_bytes(text: str, encoding: str | None, content: bytes, offset: int) -> bytes:
    """The file from `offset` (a character index) on, as UTF-8 bytes for polars.

    A UTF-8 file is sliced as it is (no second copy of a large file); others are re-encoded.
    `encoding` is None when the text no longer matches the bytes (line ends were rewritten).
    """
    if encoding in ("utf-8", "utf-8-sig"):
        bom = 3 if content.startswith(codecs.BOM_UTF8) else 0
        return content[bom + len(text[:offset].encode("utf-8")) :]
    return text[offset:].encode("utf-8")


def _line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        newline = text.find("\n", offset)
        if newline < 0:
            return len(text)
        offset = newline + 1
    return offset


def read_bank_file(content: bytes, mapping: ImportMapping) -> RawTable:
    """Decode, sniff and read the transaction table of a bank export."""
    text, encoding = decode(content, mapping.encoding)
    source_encoding: str | None = encoding
    if "\r" in text and "\n" not in text:  # classic Mac line ends
        text, source_encoding = text.replace("\r", "\n"), None
    lines = _sample_lines(text)
    if not any(line.strip() for line in lines):
        raise ImportRejected("the file is empty")
    delimiter = mapping.delimiter or sniff_delimiter(lines)
    if delimiter is None:
        raise AmbiguousLayout(
            "could not tell how the columns are separated; set `delimiter` in mapping "
            '(",", ";", "\\t" or "|")'
        )
    start = find_table(lines, delimiter, mapping)
    records = [cells for line, cells in _records(lines, delimiter) if line >= start.line]
    width = max((len(cells) for cells in records), default=1)
    header_cells = records[0] if start.has_header and records else []
    width = max(width, len(header_cells))
    data_line = start.line + (1 + _quoted_newlines(header_cells) if start.has_header else 0)
    frame = _read_region(text, source_encoding, content, data_line, delimiter, width)
    names = (
        _unique_names(header_cells, width) if start.has_header else [str(i) for i in range(width)]
    )
    return RawTable(
        frame=frame,
        names=names,
        has_header=start.has_header,
        header_line=start.line + 1 if start.has_header else None,
        delimiter=delimiter,
        encoding=encoding,
        date_column=start.date_column,
    )


def _quoted_newlines(cells: list[str]) -> int:
    return sum(cell.count("\n") for cell in cells)


def _read_region(
    text: str, encoding: str | None, content: bytes, first_line: int, delimiter: str, width: int
) -> pl.DataFrame:
    """Every record from `first_line` (0-based) on, with `_line` (1-based) and text cells."""
    offset = _line_offset(text, first_line)
    columns = [f"c{i}" for i in range(width)]
    if not text[offset:].strip():
        return pl.DataFrame(
            {name: pl.Series([], dtype=pl.String) for name in columns}
            | {LINE_COLUMN: pl.Series([], dtype=pl.Int64)}
        )
    try:
        frame = pl.read_csv(
            _region_bytes(text, encoding, content, offset),
            has_header=False,
            separator=delimiter,
            schema=dict.fromkeys(columns, pl.String),
            missing_columns="insert",
            truncate_ragged_lines=True,
            infer_schema=False,
            quote_char='"',
        )
        lines = None
    except pl.exceptions.PolarsError:
        # polars refuses a stray quote inside an unquoted cell (`12" SUB`), which Python's csv
        # reads as a character; that slower reader also says where a quote is left open.
        frame, lines = _read_region_leniently(text[offset:], delimiter, columns, first_line)
    frame = frame.with_columns(pl.col(name).str.strip_chars().replace("", None) for name in columns)
    if lines is None:
        lines = frame.select(_line_numbers(frame, columns, first_line)).to_series()
    return frame.with_columns(lines.alias(LINE_COLUMN))


def _read_region_leniently(
    region: str, delimiter: str, columns: list[str], first_line: int
) -> tuple[pl.DataFrame, pl.Series]:
    reader = csv.reader(io.StringIO(region, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    starts: list[int] = []
    start = first_line + 1
    try:
        for cells in reader:
            if cells:  # polars keeps blank lines as empty rows; they are dropped later anyway
                records.append((cells + [""] * len(columns))[: len(columns)])
                starts.append(start)
            start = first_line + reader.line_num + 1
    except csv.Error as exc:
        message = f"line {start}: {exc} (a quote opened here is never closed)"
        raise ImportRejected(
            f"the file is not valid CSV at {message}",
            [RowError(row=start, column=None, value=None, message=str(exc))],
        ) from None
    frame = pl.DataFrame(records, schema=dict.fromkeys(columns, pl.String), orient="row")
    return frame, pl.Series(LINE_COLUMN, starts, dtype=pl.Int64)


def _line_numbers(frame: pl.DataFrame, columns: list[str], first_line: int) -> pl.Expr:
    """1-based file line of each record; a quoted cell with line breaks pushes the next ones."""
    position = pl.int_range(pl.len(), dtype=pl.Int64) + first_line + 1
    breaks = pl.sum_horizontal(
        [pl.col(name).str.count_matches("\n").fill_null(0) for name in columns]
    )
    if frame.select(breaks.sum()).item() == 0:
        return position
    return position + breaks.cum_sum().shift(1, fill_value=0).cast(pl.Int64)
