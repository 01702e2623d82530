"""Tables people download: one small model (``Column``, ``Table``) and two writers, XLSX and CSV, so every
list, breakdown and report exports the same way.

A ``Table`` holds typed columns and rows (tuples in column order, or dicts by column key), usually a
generator over a query: the writers consume it once, row by row, and the XLSX writer uses openpyxl's
write-only workbook, so a year of a district writes in bounded memory. Headers, titles and any lazy label
are rendered when written, in the current request's language.

What goes into a cell follows its column's kind: text is neutralised against formula injection (a leading
``=``, ``+``, ``-``, ``@``, tab or carriage return gets a ``'`` in front, OWASP's advice), numbers stay
numbers, dates are real dates, and datetimes are shown in China time (``clock.LOCAL_ZONE``), without a zone,
as a station reads its clock.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mediation.clock import LOCAL_ZONE

TEXT, INTEGER, DECIMAL, PERCENT, DATE, DATETIME = "text", "integer", "decimal", "percent", "date", "datetime"
KINDS = (TEXT, INTEGER, DECIMAL, PERCENT, DATE, DATETIME)
NUMERIC = (INTEGER, DECIMAL, PERCENT)

#: How Excel shows each kind (a percent is a fraction, 0.25 shows as 25.0%).
NUMBER_FORMATS = {
    INTEGER: "0",
    DECIMAL: "#,##0.00",
    PERCENT: "0.0%",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm",
}
#: Column widths (in characters) each kind needs at least; text columns grow with their header.
_MIN_WIDTHS = {TEXT: 14, INTEGER: 8, DECIMAL: 12, PERCENT: 8, DATE: 11, DATETIME: 16}
_MAX_WIDTH = 60

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"

#: A text cell starting with one of these is read as a formula by spreadsheets (the full-width forms too,
#: which some Chinese input methods type).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

#: Control characters an XLSX file cannot hold (tab, line feed and carriage return it can).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: The most characters an Excel cell holds (less the ``'`` neutralising may add).
_CELL_LENGTH = 32_766
#: Excel's limits on a sheet's name.
_SHEET_TITLE_LENGTH = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One column: ``key`` finds the value in a dict row, ``header`` is a label (lazy-translated, rendered
    when written), ``kind`` one of ``KINDS``; ``width`` (characters) overrides the guess."""

    key: str
    header: object
    kind: str = TEXT
    width: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    """What a writer writes: a title (the sheet's name and first line), optional ``subtitle`` lines (the
    period, the scope, the filters), the columns and the rows. ``rows`` is consumed once; afterwards
    ``rows_written`` says how many there were (for the audit log)."""

    title: object
    columns: Sequence[Column]
    rows: Iterable[Sequence | Mapping]
    subtitle: Sequence[object] = ()
    rows_written: int = field(default=0, init=False)

    def headers(self) -> list[str]:
        return [neutralise(str(column.header)) for column in self.columns]

    def values(self):
        """Each row as a list of values in column order (a dict row by key, missing keys empty)."""
        self.rows_written = 0
        for row in self.rows:
            if isinstance(row, Mapping):
                yield [row.get(column.key) for column in self.columns]
            else:
                yield list(row)
            self.rows_written += 1


def neutralise(text: str) -> str:
    """``text`` safe to put in a spreadsheet cell: a leading formula character gets a ``'`` before it, and
    control characters XML cannot carry (which openpyxl refuses) are dropped; cut at the most a cell holds."""
    text = _CONTROL_CHARACTERS.sub("", text)[:_CELL_LENGTH]
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_value(kind: str, value):
    """``value`` as a cell of ``kind`` holds it: ``None`` for empty, numbers as numbers, a date as a date, a
    datetime as China's wall-clock time (naive: spreadsheets know no zones), text neutralised. A value that
    does not fit its kind (a note in a number column) is written as text."""
    if value is None or value == "":
        return None
    if kind in NUMERIC and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    if kind == DATETIME and isinstance(value, datetime):
        return _local(value).replace(tzinfo=None)
    if kind == DATE and isinstance(value, datetime):
        return _local(value).date()
    if kind == DATE and isinstance(value, date):
        return value
    return neutralise(str(value))


def _local(moment: datetime) -> datetime:
    """A stored moment in China time (a naive one is UTC, as the database keeps them)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LOCAL_ZONE)


# --- XLSX -------------------------------------------------------------------------------------------------


def to_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet: the title (bold) and subtitle lines on top, a blank row,
    the bold header row (frozen, with a filter), then the rows, typed and formatted by kind."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(str(table.title)))
    headers = table.headers()
    for index, (column, header) in enumerate(zip(table.columns, headers, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(column, header)
    preamble = [[_bold(sheet, neutralise(str(table.title)), size=13)]]
    preamble += [[neutralise(str(line))] for line in table.subtitle]
    header_row = len(preamble) + 2
    sheet.freeze_panes = f"A{header_row + 1}"
    for row in preamble:
        sheet.append(row)
    sheet.append([])
    sheet.append([_bold(sheet, header) for header in headers])
    cells = [_styled_cell(sheet, column.kind) for column in table.columns]
    for values in table.values():
        sheet.append(
            [
                _place(cell, column.kind, value)
                for cell, column, value in zip(cells, table.columns, values, strict=True)
            ]
        )
    last = get_column_letter(max(len(headers), 1))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + table.rows_written}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _styled_cell(sheet, kind: str) -> Cell | None:
    """The one cell a column of a formatted kind writes every row through (a write-only sheet writes a row
    as it is appended, so one cell per column is enough); ``None`` for text, written as plain values."""
    if kind not in NUMBER_FORMATS:
        return None
    cell = WriteOnlyCell(sheet)
    cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _place(cell: Cell | None, kind: str, value):
    """What to append for ``value``: empty, text as a plain string (neutralised, so never a formula), a
    number or date through its column's formatted cell."""
    value = cell_value(kind, value)
    if value is None or isinstance(value, str) or cell is None:
        return value
    cell.value = value
    return cell


def _bold(sheet, text: str, size: float | None = None) -> Cell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.font = Font(bold=True, size=size) if size else Font(bold=True)
    return cell


def sheet_title(title: str) -> str:
    """``title`` as Excel accepts a sheet's name: none of ``[]:*?/\\``, no apostrophe at either end, at most
    31 characters, never empty."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub(" ", title)
    cleaned = " ".join(cleaned.split()).strip("'")[:_SHEET_TITLE_LENGTH].strip().strip("'")
    return cleaned or "Sheet1"


def column_width(column: Column, header: str) -> float:
    """A width that fits the header (Chinese characters count double) and the kind's values."""
    if column.width:
        return column.width
    return min(max(_display_width(header) + 2, _MIN_WIDTHS[column.kind]), _MAX_WIDTH)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --- CSV --------------------------------------------------------------------------------------------------


def to_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese), the header row, then the
    rows; dates ``YYYY-MM-DD``, datetimes ``YYYY-MM-DD HH:MM`` in China time, numbers plain (a percent as
    its fraction), text neutralised. No title lines: the file stays one table that tools can read."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers())
    kinds = [column.kind for column in table.columns]
    for values in table.values():
        writer.writerow([_csv_value(kind, value) for kind, value in zip(kinds, values, strict=True)])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(kind: str, value) -> str:
    value = cell_value(kind, value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- Downloads --------------------------------------------------------------------------------------------

#: Each format's writer and mimetype, by the file extension.
FORMATS = {"xlsx": (to_xlsx, XLSX_MIMETYPE), "csv": (to_csv, CSV_MIMETYPE)}


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A response that downloads ``data`` as ``filename`` (Chinese welcome: an ASCII fallback plus the UTF-8
    ``filename*`` of RFC 5987/6266); never cached, as exports carry personal data."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def content_disposition(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-._") or "export"
    fallback = f"{ascii_stem}.{extension}" if extension else ascii_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def table_response(table: Table, fmt: str, name: str) -> Response:
    """``table`` written as ``fmt`` (a key of ``FORMATS``) and downloaded as ``name.fmt``."""
    writer, mimetype = FORMATS[fmt]
    return download(writer(table), f"{name}.{fmt}", mimetype)
