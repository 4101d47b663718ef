"""Bank dates: decide one format per file from all its values, then parse them vectorised.

A file's format is the one that reads every date. When several do and they disagree (every value
fits DD/MM as well as MM/DD, e.g. "01/02/2024"), the file is ambiguous and `mapping.date_format`
decides. Two-digit years follow strptime's %y (00-68 → 20xx).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import polars as pl

# (strptime format, how a value in that format looks). The shape check comes first because
# strptime alone is lenient (`%d/%m/%Y` reads "01/02/24" as the year 24).
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("%Y-%m-%d", r"\d{4}-\d{1,2}-\d{1,2}"),
    ("%Y/%m/%d", r"\d{4}/\d{1,2}/\d{1,2}"),
    ("%Y%m%d", r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"),
    ("%m/%d/%Y", r"\d{1,2}/\d{1,2}/\d{4}"),
    ("%d/%m/%Y", r"\d{1,2}/\d{1,2}/\d{4}"),
    ("%m/%d/%y", r"\d{1,2}/\d{1,2}/\d{2}"),
    ("%d/%m/%y", r"\d{1,2}/\d{1,2}/\d{2}"),
    ("%d.%m.%Y", r"\d{1,2}\.\d{1,2}\.\d{4}"),
    ("%d.%m.%y", r"\d{1,2}\.\d{1,2}\.\d{2}"),
    ("%d-%m-%Y", r"\d{1,2}-\d{1,2}-\d{4}"),
    ("%m-%d-%Y", r"\d{1,2}-\d{1,2}-\d{4}"),
    ("%d %b %Y", r"\d{1,2} [A-Za-z]{3} \d{4}"),
    ("%d %B %Y", r"\d{1,2} [A-Za-z]{4,9} \d{4}"),
    ("%d-%b-%Y", r"\d{1,2}-[A-Za-z]{3}-\d{4}"),
    ("%d-%b-%y", r"\d{1,2}-[A-Za-z]{3}-\d{2}"),
    ("%b %d, %Y", r"[A-Za-z]{3} \d{1,2}, \d{4}"),
)
_SHAPES = {fmt: shape for fmt, shape in DATE_FORMATS}
ANY_DATE_SHAPE = re.compile("|".join(f"(?:{shape})" for _fmt, shape in DATE_FORMATS))
# "2024-01-05 10:22:11", "05/01/2024 10:22": the bank's date is the part before the time.
_TIME_SUFFIX = (
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)$"
)
_SAMPLE_SIZE = 2_000

# How each format is written in an error message, so a person recognises it.
HUMAN_FORMAT = {
    "%Y-%m-%d": "YYYY-MM-DD",
    "%Y/%m/%d": "YYYY/MM/DD",
    "%Y%m%d": "YYYYMMDD",
    "%m/%d/%Y": "MM/DD/YYYY",
    "%d/%m/%Y": "DD/MM/YYYY",
    "%m/%d/%y": "MM/DD/YY",
    "%d/%m/%y": "DD/MM/YY",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%d.%m.%y": "DD.MM.YY",
    "%d-%m-%Y": "DD-MM-YYYY",
    "%m-%d-%Y": "MM-DD-YYYY",
    "%d %b %Y": "DD Mon YYYY",
    "%d %B %Y": "DD Month YYYY",
    "%d-%b-%Y": "DD-Mon-YYYY",
    "%d-%b-%y": "DD-Mon-YY",
    "%b %d, %Y": "Mon DD, YYYY",
}


def human_format(fmt: str) -> str:
    return HUMAN_FORMAT.get(fmt, fmt)


def looks_like_date(text: str, custom_format: str | None = None) -> bool:
    """Whether one cell is a date (used to find the table in a file, on a few lines only)."""
    text = re.sub(_TIME_SUFFIX, "", text.strip())
    if custom_format:
        try:
            datetime.strptime(text, custom_format)
        except ValueError:
            return False
        return True
    return ANY_DATE_SHAPE.fullmatch(text) is not None


def strip_time(dates: pl.Expr) -> pl.Expr:
    return dates.str.strip_chars().str.replace(_TIME_SUFFIX, "")


def parse_dates(texts: pl.Series, fmt: str) -> pl.Series:
    """Dates in one format; a value that does not fit (shape or calendar) becomes null."""
    shape = _SHAPES.get(fmt)
    frame = pl.DataFrame({"text": texts}).lazy()
    parsed = pl.col("text").str.strptime(pl.Date, fmt, strict=False)
    if shape is not None:
        parsed = pl.when(pl.col("text").str.contains(f"^(?:{shape})$")).then(parsed)
    return frame.select(parsed.alias("date")).collect().to_series()


@dataclass(frozen=True)
class DateFormatChoice:
    """The file's format, or the formats that all fit and disagree (then `fmt` is None)."""

    fmt: str | None
    ambiguous_between: tuple[str, ...] = ()
    example: str | None = None


def choose_date_format(texts: pl.Series) -> DateFormatChoice:
    """The format that reads every value; if none does, the one that reads the most.

    `texts` are the non-empty date cells of the file's transaction rows (time already removed).
    """
    values = texts.drop_nulls()
    if values.len() == 0:
        return DateFormatChoice(fmt=None)
    sample = values.head(_SAMPLE_SIZE)
    # Only formats whose shape fits some sampled value are tried on the whole column.
    candidates = [fmt for fmt, shape in DATE_FORMATS if sample.str.contains(f"^(?:{shape})$").any()]
    parsed = {fmt: parse_dates(values, fmt) for fmt in candidates}
    readable = {fmt: values.len() - dates.null_count() for fmt, dates in parsed.items()}
    complete = [fmt for fmt in candidates if readable[fmt] == values.len()]
    if not complete:
        if not readable or max(readable.values()) == 0:
            return DateFormatChoice(fmt=None)
        return DateFormatChoice(fmt=max(candidates, key=lambda fmt: readable[fmt]))
    first = complete[0]
    disagreeing = [fmt for fmt in complete[1:] if not parsed[fmt].equals(parsed[first])]
    if disagreeing:
        differs = parsed[first] != parsed[disagreeing[0]]
        example = values.filter(differs)[0]
        return DateFormatChoice(fmt=None, ambiguous_between=(first, *disagreeing), example=example)
    return DateFormatChoice(fmt=first)
