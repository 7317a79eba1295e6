"""The plain-Python API that notebooks and the CLI share.

>>> from pathlib import Path
>>> from pipeline import analyze
>>> result = analyze(["Lena Hofbauer (Rosenheim) gewann im Porsche 911 GT3 R."])
>>> result.drivers                        # one DataFrame per table, explicit dtypes
>>> result = analyze([Path("data/samples")], keep_docs=True)   # files and folders
>>> result.show(0)                        # displaCy view of the first document
>>> result.to_excel("tabellen.xlsx")      # or .to_csv(dir), .to_parquet(dir), .write(dir, formats=...)

Inputs: ``str`` items are always texts, ``pathlib.Path`` items are files or
folders (read like ``motorsport-nlp run`` reads them); a list mixing both is
an error. A ``DataFrame`` (or ``Series``) supplies texts from a column.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc

from . import extensions  # noqa: F401
from .base import resolve_base
from .error_handling import document_error_handling, first_line, pipe_each
from .io.writers import DEFAULT_CSV_DIALECT, DEFAULT_XLSX_NAME  # noqa: F401  (part of the API)
from .tables import (
    TABLE_NAMES,
    arrow_schema,
    build_frames,
    doc_to_rows,
    drivers_summary,
    empty_rows,
    merge_rows,
    to_frame,
)

logger = logging.getLogger(__name__)

# Component order matters: each step reads what the previous ones wrote.
DEFAULT_COMPONENTS = (
    "motorsport_rulers",  # teams, cars, makers, series, circuits, classes
    "motorsport_persons",  # full names, driver or official, roles
    "motorsport_hometowns",  # brackets and "aus" after full names
    "motorsport_names",  # surnames, crews, descriptions (and their "aus" hometowns)
    "motorsport_quotes",  # quote detection
    "motorsport_linking",  # driver → team/car; final doc.ents
    "motorsport_attribution",  # quote → speaker
)
DEFAULT_BATCH_SIZE = 64
DEFAULT_TEXT_COLUMN = "text"
DEFAULT_ERROR_MESSAGE_CHARS = 500
ERROR_MODES = ("warn", "ignore", "raise")
TEXT_SOURCE = "text"  # documents.source of texts given as str
DATAFRAME_SOURCE = "dataframe"  # documents.source of texts from a DataFrame
# A str item shorter than this, on one line, ending like a readable file, is probably a path.
_PATH_LIKE_MAX_CHARS = 260
_PATH_LIKE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv", ".zip")


class InputError(ValueError):
    """An input could not be read or processed (raised with ``errors="raise"``)."""


def load_pipeline(model: str | None = None, *, components: Sequence[str] = DEFAULT_COMPONENTS,
                  lemmatizer: bool = True) -> Language:
    """The base model (see ``pipeline.base``) plus the motorsport components.

    ``lemmatizer=False`` does not load the base's lemmatizer at all (batch runs:
    no table carries lemmas). ``nlp.meta["motorsport"]["base"]`` records which base was used.
    """
    # Importing the modules registers the factories even without an installed
    # entry point (e.g. running from a source checkout).
    from . import components as _components  # noqa: F401

    nlp, info = resolve_base(model, lemmatizer=lemmatizer)
    for name in components:
        nlp.add_pipe(name)
    nlp.meta["motorsport"] = {"base": info.as_dict()}
    return nlp


def base_model_name(nlp: Language) -> str:
    return nlp.meta.get("motorsport", {}).get("base", {}).get("name", nlp.meta.get("name", ""))


# --------------------------------------------------------------------------- result


@dataclass
class AnalysisResult:
    """Every table of an analysis as DataFrames, plus writers for people.

    ``tables`` holds one DataFrame per name in ``tables.TABLE_NAMES`` (missing
    ones are filled in empty, ``drivers_summary`` from ``drivers``). ``docs``
    holds the spaCy docs, aligned with the rows of ``documents``, when
    ``analyze(..., keep_docs=True)`` kept them.
    """

    tables: dict[str, pd.DataFrame]
    base_model: str = ""
    docs: list[Doc] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        tables = dict(self.tables)
        for name in TABLE_NAMES:  # "drivers" comes before "drivers_summary"
            if name not in tables:
                tables[name] = drivers_summary(tables["drivers"]) if name == "drivers_summary" else to_frame(name, [])
        # Our tables first, in file and sheet order; any extra table after them.
        self.tables = {**{name: tables[name] for name in TABLE_NAMES}, **tables}

    @classmethod
    def from_rows(cls, rows: dict[str, list[dict]], *, base_model: str = "",
                  docs: Sequence[Doc] = ()) -> AnalysisResult:
        """A result from plain row dicts (as ``tables.doc_to_rows`` makes them); missing tables are empty."""
        return cls(tables=build_frames(rows), base_model=base_model, docs=list(docs))

    # One property per table: tab completion in notebooks lists them.
    @property
    def documents(self) -> pd.DataFrame:
        return self.tables["documents"]

    @property
    def entities(self) -> pd.DataFrame:
        return self.tables["entities"]

    @property
    def drivers(self) -> pd.DataFrame:
        return self.tables["drivers"]

    @property
    def people(self) -> pd.DataFrame:
        return self.tables["people"]

    @property
    def quotes(self) -> pd.DataFrame:
        return self.tables["quotes"]

    @property
    def errors(self) -> pd.DataFrame:
        return self.tables["errors"]

    @property
    def drivers_summary(self) -> pd.DataFrame:
        return self.tables["drivers_summary"]

    def __repr__(self) -> str:
        kept = f", {len(self.docs)} docs kept" if self.docs else ""
        width = max(len(name) for name in self.tables)
        lines = [f"AnalysisResult(base_model={self.base_model!r}{kept})"]
        lines += [f"  {name:<{width}}  {len(frame):>7,} rows" for name, frame in self.tables.items()]
        return "\n".join(lines)

    def doc(self, which: int | str = 0) -> Doc:
        """The kept spaCy doc at position ``which`` (as in ``documents``) or with that doc_id."""
        if not self.docs:
            raise ValueError("no docs were kept: call analyze(..., keep_docs=True) to render or inspect them")
        if isinstance(which, str):
            matches = [position for position, doc_id in enumerate(self.documents["doc_id"]) if doc_id == which]
            if not matches:
                raise KeyError(f"no document with doc_id {which!r}")
            return self.docs[matches[0]]
        try:
            return self.docs[which]
        except IndexError:
            raise IndexError(f"no document {which}: the result has {len(self.docs)} "
                             f"(positions 0 to {len(self.docs) - 1})") from None

    def show(self, which: int | str = 0, *, jupyter: bool | None = None) -> str | None:
        """Render a kept document's entities and quotes in its text (see ``pipeline.display.render``)."""
        from .display import render

        return render(self.doc(which), jupyter=jupyter)

    def to_csv(self, out_dir: str | Path, *, dialect: str = DEFAULT_CSV_DIALECT) -> list[Path]:
        """``<table>.csv`` per table in ``out_dir``: ``excel-de`` (; BOM CRLF) or ``rfc4180`` (, no BOM)."""
        from .io.writers import write_tables

        return write_tables(self.tables, out_dir, formats=("csv",), csv_dialect=dialect)

    def to_excel(self, path: str | Path) -> Path:
        """One workbook, a sheet per table: frozen bold header, autofilter, fitted column widths."""
        from .io.writers import write_xlsx

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_xlsx(self.tables, path)

    def to_parquet(self, out_dir: str | Path) -> list[Path]:
        """``<table>.parquet`` per table, typed by ``tables.arrow_schema`` (stable even when empty)."""
        from .io.writers import write_tables

        schemas = {name: arrow_schema(name) for name in self.tables if name in TABLE_NAMES}
        return write_tables(self.tables, out_dir, formats=("parquet",), schemas=schemas)

    def write(self, out_dir: str | Path, *, formats: str | Iterable[str] = ("csv",),
              csv_dialect: str = DEFAULT_CSV_DIALECT) -> list[Path]:
        """The files ``motorsport-nlp run --format ...`` writes, for any combination of formats.

        ``formats`` is an iterable or a comma-separated string: ``"csv,xlsx,parquet"``.
        Files a previous write of other formats left in ``out_dir`` (our table names
        only) are removed, so the folder never mixes old and new results.
        """
        from .io.writers import remove_stale_outputs, write_tables

        schemas = {name: arrow_schema(name) for name in self.tables if name in TABLE_NAMES}
        written = write_tables(self.tables, out_dir, formats=formats, csv_dialect=csv_dialect, schemas=schemas)
        remove_stale_outputs(out_dir, self.tables, keep=written)
        return written


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class _Record:
    doc_id: str
    text: str
    source: str


def _error_row(doc_id: str | None, source: str, stage: str, kind: str, message: str) -> dict[str, Any]:
    return {"doc_id": doc_id, "source": source, "stage": stage, "error_kind": kind,
            "message": message[:DEFAULT_ERROR_MESSAGE_CHARS]}


def _read_inputs(
    data: Iterable[str] | Iterable[os.PathLike] | pd.DataFrame | pd.Series | str | os.PathLike,
    *,
    text_column: str = DEFAULT_TEXT_COLUMN,
    id_column: str | None = None,
) -> tuple[list[_Record], list[dict[str, Any]]]:
    """(documents to analyse, errors rows) for what ``analyze`` accepts; raises on unusable input."""
    if isinstance(data, pd.Series):
        data = data.to_frame(name=text_column)
    if isinstance(data, pd.DataFrame):
        return _dataframe_records(data, text_column, id_column)
    if isinstance(data, (str, os.PathLike)):  # one text or one path, not an iterable of characters
        data = [data]
    if id_column is not None:
        raise ValueError("id_column is for DataFrame input; texts get ids doc-1, doc-2, … and files their names")
    items = list(data)
    paths = [position for position, item in enumerate(items) if isinstance(item, os.PathLike)]
    texts = [position for position, item in enumerate(items) if isinstance(item, str)]
    others = [position for position, item in enumerate(items) if position not in set(paths) | set(texts)]
    if others:
        position = others[0]
        raise TypeError(f"item {position} is a {type(items[position]).__name__}: pass texts as str, "
                        f"files and folders as pathlib.Path, or a DataFrame with a {text_column!r} column")
    if paths and texts:
        raise TypeError(f"a mix of texts (str, e.g. item {texts[0]}) and paths (Path, e.g. item {paths[0]}): "
                        f"str items are always texts; to read files pass them all as Path, "
                        f"e.g. [Path(p) for p in names]")
    if paths:
        return _path_records(items)
    return _text_records(items)


def _text_records(texts: list[str]) -> tuple[list[_Record], list[dict[str, Any]]]:
    from .io.normalize import normalize_text

    records, errors = [], []
    existing = next((text for text in texts if _names_existing_path(text)), None)
    if existing is not None:
        kind = "folder" if Path(existing.strip()).is_dir() else "file"
        warnings.warn(f"{existing!r} is an existing {kind} but is analysed as text (str items are always "
                      f"texts); pass pathlib.Path({existing.strip()!r}) to read it", UserWarning, stacklevel=4)
    path_like = next((text for text in texts if _looks_like_path(text)), None)
    if existing is None and path_like is not None:
        warnings.warn(f"{path_like!r} looks like a file name but is analysed as text; "
                      f"pass pathlib.Path({path_like!r}) to read the file", UserWarning, stacklevel=4)
    for number, text in enumerate(texts, start=1):
        doc_id = f"doc-{number}"
        normalised = normalize_text(text)
        if normalised.strip():
            records.append(_Record(doc_id, normalised, TEXT_SOURCE))
        else:
            errors.append(_error_row(doc_id, TEXT_SOURCE, "read", "empty", "no text (empty or only whitespace)"))
    return records, errors


def _names_existing_path(text: str) -> bool:
    # Only short one-line strings are looked up: a press release never names a path exactly.
    candidate = text.strip()
    if not candidate or len(candidate) > _PATH_LIKE_MAX_CHARS or "\n" in candidate:
        return False
    try:
        return os.path.exists(candidate)
    except (OSError, ValueError):  # e.g. a NUL character in the string
        return False


def _looks_like_path(text: str) -> bool:
    candidate = text.strip()
    if not candidate or len(candidate) > _PATH_LIKE_MAX_CHARS or "\n" in candidate:
        return False
    return candidate.lower().endswith(_PATH_LIKE_SUFFIXES)  # a hint only: no file system look-up per text


def _path_records(paths: list[os.PathLike]) -> tuple[list[_Record], list[dict[str, Any]]]:
    from .io.readers import ReadFailure, iter_documents

    from collections import Counter

    records, errors = [], []
    skipped: Counter = Counter()
    for result in iter_documents([Path(path) for path in paths], skipped=skipped):
        if isinstance(result, ReadFailure):
            errors.append(_error_row(result.doc_id, result.source, result.stage, result.kind, result.message))
        else:
            if result.note:
                logger.warning("%s: %s", result.doc_id, result.note)
            records.append(_Record(result.doc_id, result.text, result.source))
    if skipped:
        kinds = ", ".join(f"{count} {suffix}" for suffix, count in skipped.most_common())
        logger.warning("skipped %d file(s) of unsupported types (%s)", sum(skipped.values()), kinds)
    return records, errors


def _dataframe_records(frame: pd.DataFrame, text_column: str, id_column: str | None
                       ) -> tuple[list[_Record], list[dict[str, Any]]]:
    from .io.normalize import normalize_text

    for name, role in ((text_column, "text_column"), (id_column, "id_column")):
        if name is not None and name not in frame.columns:
            raise ValueError(f"{role} {name!r} is not a column; columns: {list(frame.columns)}")
    raw_ids = frame[id_column] if id_column is not None else frame.index
    ids = _unique_ids([str(value) if not _is_missing(value) else f"row-{position + 1}"
                       for position, value in enumerate(raw_ids)])
    records, errors = [], []
    for doc_id, text in zip(ids, frame[text_column]):
        if not isinstance(text, str):
            problem = "missing" if _is_missing(text) else f"not text ({type(text).__name__})"
            errors.append(_error_row(doc_id, DATAFRAME_SOURCE, "read", "missing_text",
                                     f"column {text_column!r} is {problem}"))
            continue
        normalised = normalize_text(text)
        if normalised.strip():
            records.append(_Record(doc_id, normalised, DATAFRAME_SOURCE))
        else:
            errors.append(_error_row(doc_id, DATAFRAME_SOURCE, "read", "empty", "no text (empty or only whitespace)"))
    return records, errors


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, bytes, list, tuple, dict)) and bool(pd.isna(value)))


def _unique_ids(ids: list[str]) -> list[str]:
    from .io.readers import unique_id

    seen: dict[str, int] = {}  # as the file readers do: later duplicates get ~2, ~3, … in input order
    return [unique_id(doc_id, seen) for doc_id in ids]


# --------------------------------------------------------------------------- processing


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: str
    message: str


def _pipe_records(nlp: Language, records: list[_Record], batch_size: int) -> Iterator[tuple[int, Doc | _Failure]]:
    """(position, doc or failure) for every record, in order; one failing document never stops the rest."""
    # Too long for spaCy: failed up front (`run` splits them; analyze keeps documents whole).
    fitting = [position for position, record in enumerate(records) if len(record.text) <= nlp.max_length]
    with document_error_handling(nlp) as handler:
        outcomes = pipe_each(nlp, [records[position].text for position in fitting], handler, batch_size=batch_size)
        for position, record in enumerate(records):
            if len(record.text) > nlp.max_length:
                yield position, _Failure("too_long", f"{len(record.text):,} characters, more than nlp.max_length "
                                                     f"({nlp.max_length:,}); `motorsport-nlp run` splits long documents")
                continue
            _, outcome = next(outcomes)
            if isinstance(outcome, Exception):
                logger.debug("document %s failed", record.doc_id, exc_info=outcome)
                outcome = _Failure(outcome.__class__.__name__, first_line(outcome))
            yield position, outcome


def analyze(
    data: Iterable[str] | Iterable[os.PathLike] | pd.DataFrame | pd.Series | str | os.PathLike,
    *,
    nlp: Language | None = None,
    model: str | None = None,
    text_column: str = DEFAULT_TEXT_COLUMN,
    id_column: str | None = None,
    keep_docs: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    errors: str = "warn",
) -> AnalysisResult:
    """Analyse texts, files or a DataFrame's text column into tables.

    - ``str`` items are texts, with doc ids ``doc-1``, ``doc-2``, … (a string
      that names a file is still a text: files must be ``pathlib.Path``);
    - ``Path`` items are files or folders, read like ``motorsport-nlp run``
      reads them (doc ids from file names);
    - a ``DataFrame`` supplies ``text_column``, and ids from ``id_column``
      (default: the index); a ``Series`` is a text column with its index.

    A list mixing ``str`` and ``Path`` raises ``TypeError``. An input that
    cannot be read or processed becomes a row of ``result.errors``;
    ``errors="warn"`` (default) also logs a warning, ``"ignore"`` does not,
    ``"raise"`` raises ``InputError`` instead. Empty input gives empty tables.
    ``keep_docs=True`` keeps the spaCy docs for ``result.show(i)``.
    """
    if errors not in ERROR_MODES:
        raise ValueError(f"errors must be one of {', '.join(ERROR_MODES)}, not {errors!r}")
    if nlp is not None and model is not None:
        raise ValueError("pass either nlp (a loaded pipeline) or model (a base model name), not both")
    records, error_rows = _read_inputs(data, text_column=text_column, id_column=id_column)
    if error_rows and errors == "raise":
        first = error_rows[0]
        raise InputError(f"{first['source']}: {first['message']}")
    nlp = nlp or load_pipeline(model)
    base = base_model_name(nlp)
    rows = empty_rows()
    rows["errors"].extend(error_rows)
    docs: list[Doc] = []
    for position, outcome in _pipe_records(nlp, records, batch_size):
        record = records[position]
        if isinstance(outcome, _Failure):
            if errors == "raise":
                raise InputError(f"{record.doc_id}: {outcome.kind}: {outcome.message}")
            rows["errors"].append(_error_row(record.doc_id, record.source, "process", outcome.kind, outcome.message))
            continue
        merge_rows(rows, doc_to_rows(outcome, record.doc_id, record.source, base))
        if keep_docs:
            docs.append(outcome)
    if rows["errors"] and errors == "warn":
        failed = len(rows["errors"])
        logger.warning("%d of %d input(s) failed (first: %s: %s); see result.errors", failed,
                       failed + len(rows["documents"]), rows["errors"][0]["doc_id"], rows["errors"][0]["message"])
    return AnalysisResult.from_rows(rows, base_model=base, docs=docs)
