"""Docs to rows to DataFrames: the table schemas of every output.

Each table has a fixed column order and explicit dtypes (``SCHEMAS``);
``docs/tables.md`` documents every column (a test keeps the two in step).
Rows are plain dicts so they can be cached as JSON and merged across
processes before becoming DataFrames.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Optional, TypedDict

import pandas as pd
from spacy.tokens import Doc

from . import extensions  # noqa: F401
from .components.doc_view import doc_view

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
    quotes = doc._.quotes or []
    people = doc._.people or []
    drivers = doc._.drivers or []
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
        "entities": [
            {"doc_id": doc_id, "text": ent.text, "label": ent.label_, "start_char": ent.start_char,
             "end_char": ent.end_char, "canonical": ent._.canonical or ent.text}
            for ent in doc.ents
        ],
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
    """The ``drivers_summary`` table, built from drivers rows as they stream by, in O(drivers) memory:
    each canonical driver across the batch with its documents, quotes, teams, cars and hometowns.

    The one builder of the table: runs feed it from the journal, ``drivers_summary`` from a
    DataFrame. Rows must come grouped by document (as every table is written), so a driver's
    documents are counted by watching its last doc_id change.
    """

    def __init__(self) -> None:
        self._drivers: dict[str, list] = {}  # driver → [n_documents, last doc_id, n_quotes, teams, cars, hometowns]

    def add(self, row: dict[str, Any]) -> None:
        driver = row.get("driver")
        if driver is None:  # a row without a driver names nobody
            return
        driver = str(driver)
        state = self._drivers.get(driver)
        if state is None:
            state = self._drivers[driver] = [0, None, 0, set(), set(), set()]
        doc_id = row.get("doc_id")
        if doc_id is not None and doc_id != state[1]:
            state[0] += 1
            state[1] = doc_id
        state[2] += int(row.get("n_quotes") or 0)
        for position, name in ((3, "team"), (4, "car"), (5, "hometown")):
            value = row.get(name)
            if value is not None and str(value):  # an empty value is no value
                state[position].add(str(value))

    def frame(self) -> pd.DataFrame:
        rows = [{"driver": driver, "n_documents": state[0], "n_quotes": state[2],
                 "teams": SUMMARY_SEPARATOR.join(sorted(state[3])), "cars": SUMMARY_SEPARATOR.join(sorted(state[4])),
                 "hometowns": SUMMARY_SEPARATOR.join(sorted(state[5]))}
                for driver, state in sorted(self._drivers.items())]
        frame = to_frame("drivers_summary", rows)
        return frame.sort_values(["n_documents", "n_quotes", "driver"], ascending=[False, False, True],
                                 ignore_index=True)


def drivers_summary(drivers: pd.DataFrame) -> pd.DataFrame:
    """The ``drivers_summary`` of a drivers table (``DriversSummary``; rows in any order)."""
    # Missing values (pd.NA) become None; rows are grouped by document first (a stable sort in
    # order of first appearance), as the builder counts documents by doc_id changes.
    records = drivers.astype(object).where(drivers.notna(), None).to_dict("records")
    positions: dict[Any, int] = {}
    for row in records:
        positions.setdefault(row.get("doc_id"), len(positions))
    records.sort(key=lambda row: positions[row.get("doc_id")])
    summary = DriversSummary()
    for row in records:
        summary.add(row)
    return summary.frame()


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
