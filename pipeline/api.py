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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc

from . import extensions  # noqa: F401
from .base import base_model_name, resolve_base  # noqa: F401  (base_model_name: part of the API)
from .engine import (
    DEFAULT_BATCH_SIZE,
    ReadReport,
    WorkItem,
    failed_item,
    iter_work_items,
    iter_zones,
    process_items,
    text_item,
)
from .lexemes import use_fast_lexeme_attributes
from .tokenize import install_safe_tokenizer, keep_plain_words_whole
from .io.writers import DEFAULT_CSV_DIALECT, DEFAULT_XLSX_NAME  # noqa: F401  (part of the API)
from .tables import (
    DEFAULT_ERROR_MESSAGE_CHARS,  # noqa: F401  (part of the API)
    TABLE_NAMES,
    arrow_schema,
    build_frames,
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
DEFAULT_TEXT_COLUMN = "text"
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
    ``nlp.tokenizer`` is the base's tokenizer made safe on hostile text (``tokenize.SafeTokenizer``),
    so every ``nlp(text)`` and ``nlp.pipe`` stays linear, and a saved pipeline keeps it. New words
    get their lexeme attributes faster, with the same values (``lexemes``).
    """
    # Importing the modules registers the factories even without an installed
    # entry point (e.g. running from a source checkout).
    from . import components as _components  # noqa: F401

    nlp, info = resolve_base(model, lemmatizer=lemmatizer)
    install_safe_tokenizer(nlp)
    keep_plain_words_whole(nlp.tokenizer)
    use_fast_lexeme_attributes(nlp.vocab)
    for name in components:
        nlp.add_pipe(name)
    nlp.meta["motorsport"] = {"base": info.as_dict()}
    return nlp


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


def _read_items(
    data: Iterable[str] | Iterable[os.PathLike] | pd.DataFrame | pd.Series | str | os.PathLike,
    *,
    text_column: str = DEFAULT_TEXT_COLUMN,
    id_column: str | None = None,
) -> list[WorkItem]:
    """The engine's work items (texts or read failures, in input order) for what ``analyze``
    accepts; raises on unusable input."""
    if isinstance(data, pd.Series):
        data = data.to_frame(name=text_column)
    if isinstance(data, pd.DataFrame):
        return _dataframe_items(data, text_column, id_column)
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
        return _path_items(items)
    return _text_items(items)


def _text_items(texts: list[str]) -> list[WorkItem]:
    existing = next((text for text in texts if _names_existing_path(text)), None)
    if existing is not None:
        kind = "folder" if Path(existing.strip()).is_dir() else "file"
        warnings.warn(f"{existing!r} is an existing {kind} but is analysed as text (str items are always "
                      f"texts); pass pathlib.Path({existing.strip()!r}) to read it", UserWarning, stacklevel=4)
    path_like = next((text for text in texts if _looks_like_path(text)), None)
    if existing is None and path_like is not None:
        warnings.warn(f"{path_like!r} looks like a file name but is analysed as text; "
                      f"pass pathlib.Path({path_like!r}) to read the file", UserWarning, stacklevel=4)
    return [text_item(seq, f"doc-{seq + 1}", text, TEXT_SOURCE) for seq, text in enumerate(texts)]


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


def _path_items(paths: list[os.PathLike]) -> list[WorkItem]:
    report = ReadReport()
    items = list(iter_work_items([Path(path) for path in paths], "", report=report))
    if report.skipped:
        kinds = ", ".join(f"{count} {suffix}" for suffix, count in report.skipped.most_common())
        logger.warning("skipped %d file(s) of unsupported types (%s)", sum(report.skipped.values()), kinds)
    return items


def _dataframe_items(frame: pd.DataFrame, text_column: str, id_column: str | None) -> list[WorkItem]:
    for name, role in ((text_column, "text_column"), (id_column, "id_column")):
        if name is not None and name not in frame.columns:
            raise ValueError(f"{role} {name!r} is not a column; columns: {list(frame.columns)}")
    raw_ids = frame[id_column] if id_column is not None else frame.index
    ids = _unique_ids([str(value) if not _is_missing(value) else f"row-{position + 1}"
                       for position, value in enumerate(raw_ids)])
    items = []
    for seq, (doc_id, text) in enumerate(zip(ids, frame[text_column])):
        if isinstance(text, str):
            items.append(text_item(seq, doc_id, text, DATAFRAME_SOURCE))
        else:
            problem = "missing" if _is_missing(text) else f"not text ({type(text).__name__})"
            items.append(failed_item(seq, "", doc_id, DATAFRAME_SOURCE, stage="read", kind="missing_text",
                                     message=f"column {text_column!r} is {problem}"))
    return items


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, bytes, list, tuple, dict)) and bool(pd.isna(value)))


def _unique_ids(ids: list[str]) -> list[str]:
    from .io.readers import unique_id

    seen: dict[str, int] = {}  # as the file readers do: later duplicates get ~2, ~3, … in input order
    return [unique_id(doc_id, seen) for doc_id in ids]


# --------------------------------------------------------------------------- processing


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

    The documents go through the same engine as ``motorsport-nlp run``
    (``pipeline.engine``): the same rows, and a text longer than
    ``nlp.max_length`` is split at blank lines with offsets on the whole text.
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
    items = _read_items(data, text_column=text_column, id_column=id_column)
    unreadable = next((item for item in items if item.text is None), None)
    if unreadable is not None and errors == "raise":
        raise InputError(f"{unreadable.source}: {unreadable.failure['message']}")
    nlp = nlp or load_pipeline(model)
    rows = empty_rows()
    docs: list[Doc] = []
    for zone in iter_zones(items):
        # Every component runs (the base's lemmatizer too): notebooks look at the tokens of kept docs.
        for entry in process_items(nlp, zone, batch_size=batch_size, disable=(), keep_docs=keep_docs):
            failed = entry["rows"].get("errors")
            if failed and errors == "raise":
                raise InputError(f"{failed[0]['doc_id']}: {failed[0]['error_kind']}: {failed[0]['message']}")
            merge_rows(rows, entry["rows"])
            if "doc" in entry:
                docs.append(entry["doc"])
    if rows["errors"] and errors == "warn":
        failed = len(rows["errors"])
        logger.warning("%d of %d input(s) failed (first: %s: %s); see result.errors", failed,
                       failed + len(rows["documents"]), rows["errors"][0]["doc_id"], rows["errors"][0]["message"])
    return AnalysisResult.from_rows(rows, base_model=base_model_name(nlp), docs=docs)
