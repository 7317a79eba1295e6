"""Write result tables as CSV, XLSX and Parquet: atomically and safe to open in Excel."""

from __future__ import annotations

import csv
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

DEFAULT_CSV_DIALECT = "excel-de"
DEFAULT_FORMATS = ("csv",)
DEFAULT_XLSX_NAME = "tables.xlsx"
DEFAULT_XLSX_MAX_COLUMN_WIDTH = 60
DEFAULT_XLSX_MAX_CELL_CHARS = 32767  # Excel's hard limit per cell
DEFAULT_XLSX_SHEET_NAME_CHARS = 31  # Excel's hard limit per sheet name
SUPPORTED_FORMATS = ("csv", "xlsx", "parquet")

# OWASP CSV injection: spreadsheet apps run cells starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The CSV escape, and reversible: a cell that starts with a formula prefix or with the escape
# itself gets one more escape in front; reading removes exactly one leading escape.
FORMULA_ESCAPE = "'"
ESCAPED_STARTS = (*FORMULA_PREFIXES, FORMULA_ESCAPE)  # the cells that get the escape
# C0/C1 control characters other than tab, LF and CR: XLSX cannot store them, and in a
# CSV a spreadsheet may skip them and run the "=…" behind ("\x01=HYPERLINK(…)").
# Replaced one for one before neutralising, so offsets into a text cell stay right.
CONTROL_CHARACTER_REPLACEMENT = "\ufffd"
# Written with escapes that Python's re and Arrow's RE2 both read (str columns use RE2).
_CONTROL_CHARACTERS_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL_CHARACTERS = re.compile(_CONTROL_CHARACTERS_PATTERN)
DEFAULT_XLSX_FIRST_SHEET = "drivers"  # the sheet the workbook opens on (documents holds full texts)

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TABLE_NAME = re.compile(r"\w[\w.-]*")  # usable as a file name, no path parts


@dataclass(frozen=True, slots=True)
class CsvDialect:
    """How a CSV file is laid out on disk."""

    sep: str
    encoding: str
    lineterminator: str
    decimal: str


CSV_DIALECTS: dict[str, CsvDialect] = {
    # German Excel opens it by double-click: ';' separator, ',' decimals, BOM marks UTF-8.
    "excel-de": CsvDialect(sep=";", encoding="utf-8-sig", lineterminator="\r\n", decimal=","),
    "rfc4180": CsvDialect(sep=",", encoding="utf-8", lineterminator="\r\n", decimal="."),
}


def neutralize_formula(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with "'"; others unchanged.

    Control characters (but tab, LF, CR) become U+FFFD first. A text that already starts
    with "'" is prefixed too, so `restore_formula` undoes the prefix exactly."""
    if not isinstance(value, str):
        return value
    value = replace_control_characters(value)
    if value.startswith(ESCAPED_STARTS):
        return FORMULA_ESCAPE + value
    return value


def replace_control_characters(text: str) -> str:
    """`text` with every control character but tab, LF and CR replaced by U+FFFD (same length)."""
    return _CONTROL_CHARACTERS.sub(CONTROL_CHARACTER_REPLACEMENT, text)


def restore_formula(value: Any) -> Any:
    """The text `neutralize_formula` was given: one leading "'" removed."""
    if isinstance(value, str) and value.startswith(FORMULA_ESCAPE):
        return value[len(FORMULA_ESCAPE):]
    return value


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of `df` with every text cell and column name neutralised; numbers stay numbers."""
    result = df.copy()
    for position in range(result.shape[1]):  # by position: column names may repeat
        series = result.iloc[:, position]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)  # renaming categories could collide
        if _is_text_dtype(series.dtype):
            result.isetitem(position, _neutralize_text_column(series))
    result.columns = [neutralize_formula(column) for column in result.columns]
    return result


def _neutralize_text_column(series: pd.Series) -> pd.Series:
    """``neutralize_formula`` on every cell; a ``str`` column does it column-wise (Arrow
    compute where pandas keeps strings in Arrow), an object column cell by cell."""
    if not isinstance(series.dtype, pd.StringDtype):
        return series.map(neutralize_formula)
    cleaned = series.str.replace(_CONTROL_CHARACTERS_PATTERN, CONTROL_CHARACTER_REPLACEMENT, regex=True)
    risky = cleaned.str.startswith(ESCAPED_STARTS).fillna(False).astype(bool)
    return cleaned.mask(risky, FORMULA_ESCAPE + cleaned)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temp path beside `path`; it replaces `path` only if the block succeeds."""
    target = Path(path)
    temp = _create_temp_file(target)
    try:
        yield temp
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write text atomically, without newline translation."""
    with atomic_path(path) as temp:
        with open(temp, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
    return Path(path)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes atomically."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return Path(path)


class CsvFileWriter:
    """A CSV file written in chunks of DataFrames with the same columns: neutralised, in the
    named dialect, atomic (the file appears when the ``with`` block ends without error).

    The one CSV writer: ``write_csv`` writes one chunk, runs stream their tables in many.
    """

    def __init__(self, path: str | Path, *, dialect: str = DEFAULT_CSV_DIALECT) -> None:
        self.path = Path(path)
        self.layout = _csv_dialect(dialect)
        self._stack = ExitStack()
        self._handle = None
        self._header_written = False

    def __enter__(self) -> "CsvFileWriter":
        temp = self._stack.enter_context(atomic_path(self.path))
        # newline="": the dialect's line terminator is written as it is. utf-8-sig is written
        # as its BOM plus utf-8 (see _start): Python encodes utf-8 in C, utf-8-sig in Python, per row.
        encoding = "utf-8" if self.layout.encoding == "utf-8-sig" else self.layout.encoding
        self._handle = self._stack.enter_context(open(temp, "w", encoding=encoding, newline=""))
        return self

    def _start(self) -> None:
        """Before the first chunk: the BOM of utf-8-sig (which Python's codec writes there too)."""
        if self.layout.encoding == "utf-8-sig":
            self._handle.write("\ufeff")

    def write(self, df: pd.DataFrame) -> None:
        """Append the rows of ``df`` (the first chunk also writes the header, even without rows)."""
        if self._header_written and df.empty:
            return
        if not self._header_written:
            self._start()
        neutralize_frame(df).to_csv(
            self._handle,
            index=False,
            header=not self._header_written,
            sep=self.layout.sep,
            lineterminator=self.layout.lineterminator,
            decimal=self.layout.decimal,
            quoting=csv.QUOTE_MINIMAL,
        )
        self._header_written = True

    def write_rows(self, rows: Sequence[Mapping[str, Any]], dtypes: Mapping[str, str]) -> bool:
        """Append ``rows`` (dicts) exactly as ``write`` appends their DataFrame with ``dtypes``
        (``pd.DataFrame(rows, columns=list(dtypes)).astype(dtypes)``), without building it.

        Runs export every row through here: the DataFrame, its Arrow strings and pandas'
        formatting cost more than the rest of the export. Only the plain cells of the
        tables are formatted here (``str`` or None in "string" columns, ``int`` or None in
        "Int64", ``float``, ``int`` or None in "float64"); for anything else nothing is
        written and False is returned, so the caller writes the DataFrame instead."""
        columns = list(dtypes)
        cells = []
        for values, dtype in zip(_columns_of(rows, columns), dtypes.values()):
            formatted = _format_csv_column(values, dtype, self.layout.decimal)
            if formatted is None:
                return False
            cells.append(formatted)
        if self._header_written and not rows:
            return True
        writer = csv.writer(self._handle, delimiter=self.layout.sep, lineterminator=self.layout.lineterminator,
                            quoting=csv.QUOTE_MINIMAL)
        if not self._header_written:
            self._start()
            writer.writerow([neutralize_formula(column) for column in columns])
            self._header_written = True
        writer.writerows(zip(*cells))
        return True

    def __exit__(self, *exc_info: Any) -> bool:
        return self._stack.__exit__(*exc_info)


def _columns_of(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> list[Sequence[Any]]:
    """The values of each column, None where a row lacks it (as in ``pd.DataFrame(rows)``)."""
    if len(columns) > 1:
        try:  # rows that have every column are transposed at C speed
            return list(zip(*map(itemgetter(*columns), rows))) if rows else [()] * len(columns)
        except KeyError:
            pass
    return [[row.get(column) for row in rows] for column in columns]


def _format_csv_column(values: Sequence[Any], dtype: str, decimal: str) -> Sequence[str] | None:
    """The CSV cells pandas writes for ``values`` as a column of ``dtype`` (neutralised text,
    "" for a missing value), or None when a value is not a plain one of that dtype."""
    kinds = set(map(type, values))  # at C speed: this runs for every cell of a run
    missing = type(None) in kinds
    if dtype == "string":
        if not kinds <= _TEXT_KINDS:
            return None
        texts = ["" if value is None else value for value in values] if missing else values
        if _CONTROL_CHARACTERS.search("".join(texts)):  # rare: one search for the whole column
            texts = list(map(replace_control_characters, texts))
        if not _ESCAPED_FIRST_CHARACTERS.isdisjoint(map(_FIRST_CHARACTER, texts)):  # rare, so tested at C speed
            texts = [FORMULA_ESCAPE + text if text.startswith(ESCAPED_STARTS) else text for text in texts]
        return texts
    if dtype == "Int64":
        if not kinds <= _INT_KINDS:
            return None
        return ["" if value is None else str(value) for value in values] if missing else list(map(str, values))
    if dtype == "float64":
        if not kinds <= _FLOAT_KINDS:
            return None
        # pandas writes str(value) with the first "." as the decimal mark; NaN as missing.
        numbers = ["" if value is None or value != value else str(float(value)) for value in values]
        return numbers if decimal == "." else [number.replace(".", decimal, 1) for number in numbers]
    return None


_FIRST_CHARACTER = itemgetter(slice(0, 1))
_ESCAPED_FIRST_CHARACTERS = frozenset(start[0] for start in ESCAPED_STARTS)  # a cell to check starts so
_TEXT_KINDS = frozenset({str, type(None)})
_INT_KINDS = frozenset({int, type(None)})  # not bool: pandas writes True as "True" there
_FLOAT_KINDS = frozenset({float, int, type(None)})


def write_csv(df: pd.DataFrame, path: str | Path, *, dialect: str = DEFAULT_CSV_DIALECT) -> Path:
    """Write `df` (without index) as CSV in the named dialect, neutralised and atomic."""
    with CsvFileWriter(path, dialect=dialect) as writer:
        writer.write(df)
    return Path(path)


def read_csv(path: str | Path, *, dialect: str = DEFAULT_CSV_DIALECT) -> pd.DataFrame:
    """Read a CSV written by `write_csv`: text cells and column names come back as they were
    before neutralising (the escape is removed), empty text cells as "", not NaN."""
    layout = _csv_dialect(dialect)
    # utf-8-sig reads files with and without a BOM alike.
    options = dict(sep=layout.sep, decimal=layout.decimal, encoding="utf-8-sig")
    inferred = pd.read_csv(path, **options)
    as_text = pd.read_csv(path, dtype=str, keep_default_na=False, **options)
    for position in range(inferred.shape[1]):
        series = inferred.iloc[:, position]
        # CSV has no types: text columns and all-empty columns are read as text.
        if _is_text_dtype(series.dtype) or series.isna().all():
            inferred.isetitem(position, as_text.iloc[:, position].map(restore_formula))
    inferred.columns = [restore_formula(column) for column in as_text.columns]
    return inferred


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
               first_sheet: str = DEFAULT_XLSX_FIRST_SHEET) -> Path:
    """Write one workbook, a sheet per table: bold frozen header, autofilter, fitted widths, wrapped
    text cells. It opens on the sheet of table `first_sheet` (when there is one).

    A text a spreadsheet would run as a formula is stored as text with Excel's quotePrefix
    style: Excel shows it as written (no visible "'") and never runs it; readers get it back unchanged.
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if not tables:
        raise ValueError("no tables to write: a workbook needs at least one sheet")
    taken: set[str] = set()
    wrapped = Alignment(wrap_text=True, vertical="top")
    opening_sheet = None
    with atomic_path(path) as temp:
        with pd.ExcelWriter(temp, engine="openpyxl") as writer:
            for name, df in tables.items():
                sheet = sheet_name(name, taken)
                frame = _xlsx_safe(df.copy())
                frame.to_excel(writer, sheet_name=sheet, index=False)
                worksheet = writer.sheets[sheet]
                worksheet.freeze_panes = "A2"
                last_column = get_column_letter(max(len(frame.columns), 1))
                worksheet.auto_filter.ref = f"A1:{last_column}{len(frame) + 1}"
                for position, column in enumerate(frame.columns, start=1):
                    header = worksheet.cell(row=1, column=position)
                    header.font = Font(bold=True)
                    _store_as_text(header, column)
                    series = frame.iloc[:, position - 1]
                    worksheet.column_dimensions[get_column_letter(position)].width = _column_width(column, series)
                    if _is_text_dtype(series.dtype) or isinstance(series.dtype, pd.CategoricalDtype):
                        for row, value in enumerate(series, start=2):
                            cell = worksheet.cell(row=row, column=position)
                            cell.alignment = wrapped
                            _store_as_text(cell, value)
                if name == first_sheet:
                    opening_sheet = sheet
            if opening_sheet is not None:
                _open_on(writer.book, opening_sheet)
    return Path(path)


def _store_as_text(cell: Any, value: Any) -> None:
    # openpyxl turns a str starting with "=" into a formula; quotePrefix keeps any prefix plain text.
    if is_formula_like(value):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True


def _open_on(book: Any, sheet: str) -> None:
    # Only one selected tab: two selected tabs would open as a group (edits go to both).
    book.active = book.sheetnames.index(sheet)
    for worksheet in book.worksheets:
        worksheet.sheet_view.tabSelected = worksheet.title == sheet


class ParquetFileWriter:
    """A Parquet file written in row groups, one per DataFrame chunk, atomic like ``CsvFileWriter``.

    Every chunk is cast to ``schema`` (when given), so the types stay fixed even
    for an empty table; pandas' metadata rides along, so the file reads back with
    the frame's dtypes. Not neutralised: Parquet is read by analysis tools, not
    spreadsheets, so cells stay exact. The one Parquet writer (``write_parquet``
    writes one chunk).
    """

    def __init__(self, path: str | Path, *, schema: pa.Schema | None = None) -> None:
        self.path = Path(path)
        self.schema = schema
        self._stack = ExitStack()
        self._temp: Path | None = None
        self._writer = None

    def __enter__(self) -> "ParquetFileWriter":
        self._temp = self._stack.enter_context(atomic_path(self.path))
        return self

    def write(self, df: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is not None and df.empty:
            return
        table = pa.Table.from_pandas(df, schema=self.schema, preserve_index=False)
        if self._writer is None:
            self.schema = table.schema  # with pandas' metadata, for every later chunk too
            self._writer = self._stack.enter_context(pq.ParquetWriter(self._temp, self.schema))
        self._writer.write_table(table)

    def __exit__(self, *exc_info: Any) -> bool:
        return self._stack.__exit__(*exc_info)


def write_parquet(df: pd.DataFrame, path: str | Path, schema: pa.Schema | None = None) -> Path:
    """Write `df` (without index) as Parquet, optionally cast to `schema` (see ``ParquetFileWriter``)."""
    with ParquetFileWriter(path, schema=schema) as writer:
        writer.write(df)
    return Path(path)


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    out_dir: str | Path,
    *,
    formats: Iterable[str] = DEFAULT_FORMATS,
    csv_dialect: str = DEFAULT_CSV_DIALECT,
    schemas: Mapping[str, pa.Schema] | None = None,
) -> list[Path]:
    """Write `<name>.csv` / `<name>.parquet` per table and one `tables.xlsx`; return the paths.

    `formats` may also be a comma-separated string (`"csv,xlsx"`). `schemas` fixes
    the Parquet types of the tables it names (stable even for empty tables)."""
    chosen = _check_formats([part.strip() for part in formats.split(",") if part.strip()]
                            if isinstance(formats, str) else formats)
    _csv_dialect(csv_dialect)
    for name in tables:
        if not _TABLE_NAME.fullmatch(name):
            raise ValueError(f"table name {name!r} is not usable as a file name")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for chosen_format in chosen:
        if chosen_format == "csv":
            written += [write_csv(df, folder / f"{name}.csv", dialect=csv_dialect) for name, df in tables.items()]
        elif chosen_format == "xlsx":
            written.append(write_xlsx(tables, folder / DEFAULT_XLSX_NAME))
        else:
            written += [write_parquet(df, folder / f"{name}.parquet", schema=(schemas or {}).get(name))
                        for name, df in tables.items()]
    return written


def remove_stale_outputs(out_dir: str | Path, tables: Iterable[str], *, keep: Iterable[Path]) -> list[Path]:
    """Remove the files `write_tables` makes for `tables` (any format) that are not in `keep`; return them."""
    folder = Path(out_dir)
    kept = {Path(path).resolve() for path in keep}
    candidates = [folder / DEFAULT_XLSX_NAME] + [folder / f"{name}.{suffix}" for name in tables
                                                 for suffix in ("csv", "parquet")]
    removed = []
    for path in candidates:
        if path.is_file() and path.resolve() not in kept:
            path.unlink()
            removed.append(path)
    return removed


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique (case-insensitive) Excel sheet name for `name`; records it in `taken`."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", name).strip("'") or "Tabelle"
    candidate = base[:DEFAULT_XLSX_SHEET_NAME_CHARS]
    count = 1
    while candidate.casefold() in taken:
        count += 1
        suffix = f"~{count}"
        candidate = base[: DEFAULT_XLSX_SHEET_NAME_CHARS - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def _create_temp_file(target: Path) -> Path:
    # os.open with mode 0o666 lets the umask apply, unlike mkstemp's fixed 0o600.
    while True:
        temp = target.with_name(f".{target.name}.tmp-{secrets.token_hex(4)}")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return temp
        except FileExistsError:
            continue


def _is_text_dtype(dtype: Any) -> bool:
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


def _csv_dialect(name: str) -> CsvDialect:
    if name not in CSV_DIALECTS:
        raise ValueError(f"unknown CSV dialect {name!r}; choose one of: {', '.join(CSV_DIALECTS)}")
    return CSV_DIALECTS[name]


def _check_formats(formats: Iterable[str]) -> list[str]:
    chosen = [name.lower() for name in ([formats] if isinstance(formats, str) else list(formats))]
    unknown = [name for name in chosen if name not in SUPPORTED_FORMATS]
    if unknown:
        raise ValueError(
            f"unknown output format {', '.join(map(repr, unknown))}; choose from: {', '.join(SUPPORTED_FORMATS)}"
        )
    if not chosen:
        raise ValueError(f"no output format given; choose from: {', '.join(SUPPORTED_FORMATS)}")
    return list(dict.fromkeys(chosen))


def _xlsx_safe(df: pd.DataFrame) -> pd.DataFrame:
    # XLSX cannot store most control characters, nor cells longer than Excel's limit.
    # Replaced, not dropped: dropping turned "\x01=HYPERLINK(…)" into a formula-like text.
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return replace_control_characters(value)[:DEFAULT_XLSX_MAX_CELL_CHARS]
        return value

    for position in range(df.shape[1]):
        if _is_text_dtype(df.iloc[:, position].dtype):
            df.isetitem(position, df.iloc[:, position].map(clean))
    return df


def _column_width(header: Any, values: pd.Series) -> float:
    longest = max([len(str(header)), *(len(line) for value in values.dropna() for line in str(value).split("\n"))])
    return min(longest + 2, DEFAULT_XLSX_MAX_COLUMN_WIDTH)
