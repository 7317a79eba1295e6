"""Docs to rows to DataFrames: the table schemas of every output.

Each table has a fixed column order and explicit dtypes (``SCHEMAS``);
``docs/tables.md`` documents every column (a test keeps the two in step).
Rows are plain dicts so they can be cached as JSON and merged across
processes before becoming DataFrames.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, TypedDict

import pandas as pd
from spacy.tokens import Doc

from .components.doc_view import doc_view
from .extensions import canonical_key, doc_value

if TYPE_CHECKING:
    import pyarrow as pa

STRING = "string"
INT = "Int64"
FLOAT = "float64"

SCHEMAS: dict[str, dict[str, str]] = {
    "documents": {
        "doc_id": STRING, "source": STRING, "n_chars": INT, "n_tokens": INT, "n_drivers": INT, "n_people": INT,
        "n_quotes": INT, "base_model": STRING, "text": STRING,
    },
    "entities": {
        "doc_id": STRING, "text": STRING, "label": STRING, "start_char": INT, "end_char": INT, "canonical": STRING,
    },
    "drivers": {
        "doc_id": STRING, "driver": STRING, "hometown": STRING, "team": STRING, "car": STRING,
        "nationality": STRING, "age": INT, "titles": STRING, "n_quotes": INT,
    },
    "people": {"doc_id": STRING, "name": STRING, "kind": STRING, "role": STRING},
    "quotes": {
        "doc_id": STRING, "quote_id": INT, "quote": STRING, "speaker": STRING, "speaker_role": STRING,
        "speaker_kind": STRING, "cue": STRING, "method": STRING, "confidence": FLOAT, "start_char": INT,
        "end_char": INT, "paragraph": INT,
    },
    "errors": {"doc_id": STRING, "source": STRING, "stage": STRING, "error_kind": STRING, "message": STRING},
    "drivers_summary": {
        "driver": STRING, "n_documents": INT, "n_quotes": INT, "teams": STRING, "cars": STRING, "hometowns": STRING,
    },
}
# Tables built per document; "errors" and "drivers_summary" are built per batch.
DOCUMENT_TABLES = ("documents", "entities", "drivers", "people", "quotes")
# Every output table, in the order of files, workbook sheets and AnalysisResult.
TABLE_NAMES = (*DOCUMENT_TABLES, "errors", "drivers_summary")
# Separator of the several values in one drivers_summary cell ("Team A; Team B").
SUMMARY_SEPARATOR = "; "
DEFAULT_SUMMARY_BATCH_ROWS = 10_000  # drivers rows per insert into the summary's SQLite table
DEFAULT_SUMMARY_FRAME_ROWS = 5000  # summary rows per DataFrame when it is written in chunks
# An errors row's message is cut here: a failure is told in a line, not a traceback.
DEFAULT_ERROR_MESSAGE_CHARS = 500
ERROR_STAGES = ("read", "decode", "process")


class ErrorRow(TypedDict):
    """One row of ``errors``: an input that was not analysed (``docs/tables.md``)."""

    doc_id: Optional[str]
    source: str
    stage: str  # one of ERROR_STAGES
    error_kind: str
    message: str  # one line, at most DEFAULT_ERROR_MESSAGE_CHARS


def error_row(doc_id: str | None, source: str, *, stage: str, kind: str, message: str) -> ErrorRow:
    """The ``errors`` row of an input that was not analysed: the one constructor of every path
    (reading, processing, a worker that died), so the rows agree wherever they come from."""
    if stage not in ERROR_STAGES:
        raise ValueError(f"stage must be one of {', '.join(ERROR_STAGES)}, not {stage!r}")
    return ErrorRow(doc_id=doc_id, source=source, stage=stage, error_kind=kind,
                    message=message[:DEFAULT_ERROR_MESSAGE_CHARS])


def doc_to_rows(doc: Doc, doc_id: str, source: str = "", base_model: str = "") -> dict[str, list[dict]]:
    """All table rows for one processed document."""
    quotes = doc_value(doc, "quotes") or []
    people = doc_value(doc, "people") or []
    drivers = doc_value(doc, "drivers") or []
    quote_count: dict[str, int] = defaultdict(int)
    for quote in quotes:
        if quote.get("speaker"):
            quote_count[quote["speaker"]] += 1
    text = doc_view(doc).text  # a join over all tokens: the components already made it
    return {
        "documents": [{
            "doc_id": doc_id, "source": source, "n_chars": len(text), "n_tokens": len(doc),
            "n_drivers": len(drivers), "n_people": sum(1 for p in people if p["kind"] == "person"),
            "n_quotes": len(quotes), "base_model": base_model, "text": text,
        }],
        "entities": entity_rows(doc, doc_id),
        "drivers": [
            {"doc_id": doc_id, **{key: row.get(key) for key in SCHEMAS["drivers"] if key not in ("doc_id", "n_quotes")},
             "n_quotes": quote_count.get(row["driver"], 0)}
            for row in drivers
        ],
        "people": [{"doc_id": doc_id, "name": p["name"], "kind": p["kind"], "role": p["role"]} for p in people],
        "quotes": [
            {"doc_id": doc_id, **{key: quote.get(key) for key in SCHEMAS["quotes"] if key != "doc_id"}}
            for quote in quotes
        ],
    }


def entity_rows(doc: Doc, doc_id: str) -> list[dict]:
    """The ``entities`` rows of ``doc.ents``: each text is sliced from the document's text
    and each canonical read where ``span._.canonical`` keeps it, since ``span.text`` builds
    a Token per word and each ``span._`` an accessor (together 7 µs per entity)."""
    text, user_data = doc_view(doc).text, doc.user_data
    rows = []
    for ent in doc.ents:
        start_char, end_char = ent.start_char, ent.end_char
        ent_text = text[start_char:end_char]
        rows.append({"doc_id": doc_id, "text": ent_text, "label": ent.label_, "start_char": start_char,
                     "end_char": end_char,
                     "canonical": user_data.get(canonical_key(start_char, end_char)) or ent_text})
    return rows


def empty_rows() -> dict[str, list[dict]]:
    return {name: [] for name in (*DOCUMENT_TABLES, "errors")}


def merge_rows(target: dict[str, list[dict]], rows: dict[str, list[dict]]) -> None:
    for name, table_rows in rows.items():
        target.setdefault(name, []).extend(table_rows)


def to_frame(name: str, rows: Iterable[dict]) -> pd.DataFrame:
    """A DataFrame with the schema's columns, order and dtypes."""
    schema = SCHEMAS[name]
    frame = pd.DataFrame(list(rows), columns=list(schema))
    return frame.astype(schema)


def arrow_schema(name: str) -> pa.Schema:
    """The Parquet schema of table ``name``: types stay fixed even when the table is empty."""
    import pyarrow as pa

    arrow_types = {STRING: pa.string(), INT: pa.int64(), FLOAT: pa.float64()}
    return pa.schema([pa.field(column, arrow_types[dtype]) for column, dtype in SCHEMAS[name].items()])


class DriversSummary:
    """The ``drivers_summary`` table: each canonical driver across the batch with its documents,
    quotes, teams, cars and hometowns, built from drivers rows as they stream by.

    The one builder of the table (runs feed it from the journal, ``drivers_summary`` from a
    DataFrame). Its state lives in SQLite, in the file ``path`` (a run's work folder) or in
    memory, so a run's memory does not grow with the number of drivers it names; the table
    comes back in ordered chunks of rows (``iter_rows``) or DataFrames (``iter_frames``).
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:
            Path(path).unlink(missing_ok=True)  # a fresh table on every export (resumed runs export again)
        self._db = sqlite3.connect(":memory:" if path is None else str(path))
        # Scratch data, rebuilt from the journal if lost: no rollback journal, no fsync.
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE drivers (driver TEXT NOT NULL, doc_id TEXT, n_quotes INTEGER, "
                         "team TEXT, car TEXT, hometown TEXT)")
        self._pending: list[tuple] = []

    def add(self, row: dict[str, Any]) -> None:
        driver = row.get("driver")
        if driver is None:  # a row without a driver names nobody
            return
        self._pending.append((str(driver), _text_or_none(row.get("doc_id")), int(row.get("n_quotes") or 0),
                              _text_or_none(row.get("team")), _text_or_none(row.get("car")),
                              _text_or_none(row.get("hometown"))))
        if len(self._pending) >= DEFAULT_SUMMARY_BATCH_ROWS:
            self._insert_pending()

    def _insert_pending(self) -> None:
        self._db.executemany("INSERT INTO drivers VALUES (?, ?, ?, ?, ?, ?)", self._pending)
        self._pending.clear()

    def iter_rows(self, rows: int = DEFAULT_SUMMARY_FRAME_ROWS) -> Iterator[list[dict]]:
        """The table's rows in order (documents, then quotes, most first; then driver), in
        chunks of ``rows``; at least one chunk, empty when no driver was added."""
        self._insert_pending()
        # BINARY collation compares UTF-8 bytes: the order of code points, as Python sorts str.
        cursor = self._db.execute(
            "SELECT driver, COUNT(DISTINCT doc_id) AS n_documents, SUM(n_quotes) AS n_quotes, "
            "json_group_array(DISTINCT team), json_group_array(DISTINCT car), json_group_array(DISTINCT hometown) "
            "FROM drivers GROUP BY driver ORDER BY n_documents DESC, n_quotes DESC, driver")
        yielded = False
        while chunk := cursor.fetchmany(rows):
            yield [{"driver": driver, "n_documents": documents, "n_quotes": quotes, "teams": _joined(teams),
                    "cars": _joined(cars), "hometowns": _joined(hometowns)}
                   for driver, documents, quotes, teams, cars, hometowns in chunk]
            yielded = True
        if not yielded:
            yield []

    def iter_frames(self, rows: int = DEFAULT_SUMMARY_FRAME_ROWS) -> Iterator[pd.DataFrame]:
        """``iter_rows`` as DataFrames."""
        for chunk in self.iter_rows(rows):
            yield to_frame("drivers_summary", chunk)

    def frame(self) -> pd.DataFrame:
        """The whole table as one DataFrame."""
        return pd.concat(list(self.iter_frames()), ignore_index=True)

    def close(self) -> None:
        self._db.close()


def _text_or_none(value: Any) -> str | None:
    # An empty value is no value (the summary joins what the texts state).
    return None if value is None or str(value) == "" else str(value)


def _joined(values_json: str) -> str:
    return SUMMARY_SEPARATOR.join(sorted(value for value in json.loads(values_json) if value is not None))


def drivers_summary(drivers: pd.DataFrame) -> pd.DataFrame:
    """The ``drivers_summary`` of a drivers table (see ``DriversSummary``)."""
    summary = DriversSummary()
    try:
        for row in drivers.astype(object).where(drivers.notna(), None).to_dict("records"):  # pd.NA → None
            summary.add(row)
        return summary.frame()
    finally:
        summary.close()


def build_frames(rows: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """Every output table (``TABLE_NAMES``) from rows merged in input order.

    Documents keep their input order (as ``motorsport-nlp run`` writes them);
    within a document, rows with offsets are ordered by ``start_char``.
    """
    frames = {name: to_frame(name, in_document_order(name, rows.get(name, [])))
              for name in (*DOCUMENT_TABLES, "errors")}
    frames["drivers_summary"] = drivers_summary(frames["drivers"])
    return frames


def in_document_order(name: str, rows: list[dict]) -> list[dict]:
    """``rows`` grouped by document in order of first appearance, by ``start_char`` inside one."""
    if name not in DOCUMENT_TABLES:
        return list(rows)
    positions: dict[object, int] = {}
    for row in rows:
        positions.setdefault(row.get("doc_id"), len(positions))
    has_offsets = "start_char" in SCHEMAS[name]

    def key(row: dict) -> tuple:
        start = row.get("start_char") if has_offsets else None
        return positions[row.get("doc_id")], start is None, start or 0

    return sorted(rows, key=key)
