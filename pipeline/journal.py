"""The append-only journal that makes batch runs resumable.

``DIR/.work/journal.jsonl`` holds one JSON line per input item, in input
order: the first line is a header (journal version, pipeline fingerprint,
settings), every further line is one entry::

    {"seq": 0, "key": "<32 hex>", "doc_id": "2024/lauf1", "words": 412,
     "rows": {"documents": [...], "entities": [...], ...}}

A read or processing failure is an entry whose ``rows`` hold only an
``errors`` row. ``key`` hashes the pipeline fingerprint with the item
(doc id, source, text, or the failure) so a resumed run can tell that the
inputs are still the ones the journal was written for.

Lines are flushed and fsync'd per batch. A ``kill -9`` can only tear the last
line: reading stops at the first line that is not complete JSON, and the
writer truncates the file there before appending, so the journal is always a
prefix of the clean run's entries.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Iterator

import orjson

JOURNAL_VERSION = 1
DEFAULT_WORK_DIR = ".work"
DEFAULT_JOURNAL_NAME = "journal.jsonl"
DEFAULT_SUMMARY_NAME = "drivers_summary.sqlite"  # the drivers summary's state while the tables are written
KEY_BYTES = 16
# Texts may carry lone surrogates (e.g. "\ud800" escaped in a JSON input); keep them byte-exact.
_ENCODING_ERRORS = "surrogatepass"


class ResumeMismatch(RuntimeError):
    """The journal was written for other inputs, settings or another pipeline."""


def item_key(fingerprint: str, *parts: str | None) -> str:
    """Stable hex key of one input item under one pipeline fingerprint."""
    digest = hashlib.sha256(fingerprint.encode("utf-8", _ENCODING_ERRORS))
    for part in parts:
        # Length-prefixed, so ("ab", "c") and ("a", "bc") never collide.
        data = ("" if part is None else part).encode("utf-8", _ENCODING_ERRORS)
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[: KEY_BYTES * 2]


# Every row of a run is written here and read back once: orjson does both several times faster
# than the json module. A record orjson refuses (a lone surrogate, which is no valid UTF-8; an
# integer beyond 64 bits) is written by the json module, behind a space that tells the reader to
# use it too (orjson would read such an integer as a float). orjson writes NaN as null: a missing
# value, as NaN is in every table (and no row holds one: confidences are fixed values).
_JSON_MODULE_MARK = b" "


def encode_line(record: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # orjson.JSONEncodeError
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        return _JSON_MODULE_MARK + (text + "\n").encode("utf-8", _ENCODING_ERRORS)


def decode_line(line: bytes) -> dict[str, Any] | None:
    """The record of a complete line, or None for a torn or garbled one."""
    if not line.endswith(b"\n"):
        return None
    try:
        if line.startswith(_JSON_MODULE_MARK):
            raise ValueError("written by the json module")
        record = orjson.loads(line)
    except ValueError:  # also orjson.JSONDecodeError: not UTF-8, or not JSON orjson reads
        try:
            record = json.loads(line.decode("utf-8", _ENCODING_ERRORS))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
    return record if isinstance(record, dict) else None


@dataclass
class JournalState:
    """What an existing journal holds: its header and the keys done, in order."""

    header: dict[str, Any] | None = None
    keys: bytearray = field(default_factory=bytearray)  # KEY_BYTES per entry: flat, even for 1M entries
    good_bytes: int = 0  # the file is truncated here before appending

    @property
    def entries(self) -> int:
        return len(self.keys) // KEY_BYTES

    def key_at(self, seq: int) -> str:
        return self.keys[seq * KEY_BYTES:(seq + 1) * KEY_BYTES].hex()


def scan_journal(path: Path) -> JournalState:
    """Header and keys of the complete lines; stops at the first torn line."""
    state = JournalState()
    if not path.exists():
        return state
    with open(path, "rb") as handle:
        for line in handle:
            record = decode_line(line)
            if record is None:
                break
            if state.header is None:
                if record.get("journal") != JOURNAL_VERSION:
                    break
                state.header = record
            else:
                if record.get("seq") != state.entries:  # never expected; keep the clean prefix only
                    break
                state.keys += bytes.fromhex(record["key"])
            state.good_bytes += len(line)
    return state


def iter_entries(path: Path) -> Iterator[dict[str, Any]]:
    """Every complete entry after the header, in order (streamed, not loaded)."""
    with open(path, "rb") as handle:
        first = True
        for line in handle:
            record = decode_line(line)
            if record is None:
                return
            if first:
                first = False
                continue
            yield record


class JournalWriter:
    """Appends entries; `commit()` makes everything appended so far durable."""

    def __init__(self, path: Path, *, header: dict[str, Any], state: JournalState | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._buffer: list[bytes] = []
        if state is not None and state.header is not None:
            self._handle = open(path, "r+b")
            self._handle.truncate(state.good_bytes)  # drop a torn last line
            self._handle.seek(state.good_bytes)
            self.entries = state.entries
        else:
            self._handle = open(path, "wb")
            self._buffer.append(encode_line({"journal": JOURNAL_VERSION, **header}))
            self.entries = 0
            self.commit()

    def append(self, entry: dict[str, Any]) -> None:
        if entry["seq"] != self.entries:
            raise ValueError(f"journal entry {entry['seq']} out of order; expected {self.entries}")
        self._buffer.append(encode_line(entry))
        self.entries += 1

    def commit(self) -> None:
        if not self._buffer:
            return
        self._handle.write(b"".join(self._buffer))
        self._buffer.clear()
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if not self._handle.closed:
            self.commit()
            self._handle.close()

    def __enter__(self) -> "JournalWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def check_header(header: dict[str, Any], expected: dict[str, Any]) -> None:
    """Raise ResumeMismatch naming the first setting that differs."""
    for name, value in expected.items():
        if header.get(name) != value:
            raise ResumeMismatch(
                f"cannot resume: the interrupted run used {name}={header.get(name)!r}, this one {value!r}; "
                f"start over with --force"
            )


# --------------------------------------------------------------------------- journal → tables

DEFAULT_WRITE_ROWS = 5000  # rows per DataFrame when streaming a table to disk
DEFAULT_WRITE_CHARS = 2_000_000  # ... or fewer, when their texts are long: the chunk bounds peak memory
STREAMED_TABLES = ("documents", "entities", "drivers", "people", "quotes", "errors")


@dataclass
class ExportCounts:
    documents: int = 0
    errors: int = 0
    words: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def write_chunk(name: str, rows: list[dict], sinks: Sequence) -> None:
    """Append ``rows`` of table ``name`` to each sink; CSV straight from the rows where it
    can (the same bytes, without a DataFrame), the others from the DataFrame."""
    from .io.writers import CsvFileWriter
    from .tables import SCHEMAS, to_frame

    frame = None
    for sink in sinks:
        if isinstance(sink, CsvFileWriter) and sink.write_rows(rows, SCHEMAS[name]):
            continue
        if frame is None:
            frame = to_frame(name, rows)
        sink.write(frame)


def export_tables(
    journal_path: Path,
    out_dir: Path,
    *,
    formats: Sequence[str] = ("csv",),
    csv_dialect: str = "excel-de",
    write_rows: int = DEFAULT_WRITE_ROWS,
) -> ExportCounts:
    """Stream the journal into the final tables, in journal (= input) order.

    CSV and Parquet are written in chunks, so memory does not grow with the
    run; XLSX needs every row at once and is meant for smaller runs. Each file
    appears atomically; ``drivers_summary`` (an aggregate) comes last.
    """
    from contextlib import ExitStack

    from .io.writers import CsvFileWriter, ParquetFileWriter, write_xlsx
    from .tables import DriversSummary, arrow_schema, to_frame

    counts = ExportCounts(rows={name: 0 for name in (*STREAMED_TABLES, "drivers_summary")})
    summary = DriversSummary(journal_path.parent / DEFAULT_SUMMARY_NAME)  # on disk: flat memory
    keep_all = "xlsx" in formats
    all_rows: dict[str, list[dict]] = {name: [] for name in STREAMED_TABLES}
    buffers: dict[str, list[dict]] = {name: [] for name in STREAMED_TABLES}
    buffered_chars = 0  # of documents.text: the one cell that can be megabytes
    with ExitStack() as stack:
        sinks: dict[str, list] = {name: [] for name in STREAMED_TABLES}
        for name in STREAMED_TABLES:
            if "csv" in formats:
                sinks[name].append(stack.enter_context(CsvFileWriter(out_dir / f"{name}.csv", dialect=csv_dialect)))
            if "parquet" in formats:
                sinks[name].append(stack.enter_context(ParquetFileWriter(out_dir / f"{name}.parquet",
                                                                         schema=arrow_schema(name))))

        def flush(name: str) -> None:
            nonlocal buffered_chars
            write_chunk(name, buffers[name], sinks[name])
            buffers[name] = []
            if name == "documents":
                buffered_chars = 0

        for entry in iter_entries(journal_path):
            rows = entry["rows"]
            if "documents" in rows:
                counts.documents += 1
                counts.words += entry.get("words", 0)
            for name, table_rows in rows.items():
                buffers[name].extend(table_rows)
                counts.rows[name] += len(table_rows)
                if keep_all:
                    all_rows[name].extend(table_rows)
                if name == "documents":
                    buffered_chars += sum(len(row.get("text") or "") for row in table_rows)
                if len(buffers[name]) >= write_rows or (name == "documents" and buffered_chars >= DEFAULT_WRITE_CHARS):
                    flush(name)
            for row in rows.get("drivers", ()):
                summary.add(row)
        for name in STREAMED_TABLES:
            flush(name)  # also writes the header of an empty table
        counts.files += [out_dir / f"{name}.{suffix}" for name in STREAMED_TABLES
                         for suffix in ("csv", "parquet") if suffix in formats]
    counts.errors = counts.rows["errors"]
    with ExitStack() as stack:
        stack.callback(summary.close)
        sinks_of_summary = []
        if "csv" in formats:
            sinks_of_summary.append(stack.enter_context(CsvFileWriter(out_dir / "drivers_summary.csv",
                                                                      dialect=csv_dialect)))
        if "parquet" in formats:
            sinks_of_summary.append(stack.enter_context(ParquetFileWriter(out_dir / "drivers_summary.parquet",
                                                                          schema=arrow_schema("drivers_summary"))))
        summary_rows = []
        for rows in summary.iter_rows():
            counts.rows["drivers_summary"] += len(rows)
            write_chunk("drivers_summary", rows, sinks_of_summary)
            if keep_all:
                summary_rows += rows
        counts.files += [sink.path for sink in sinks_of_summary]
    if keep_all:
        frames = {name: to_frame(name, all_rows[name]) for name in STREAMED_TABLES}
        frames["drivers_summary"] = to_frame("drivers_summary", summary_rows)
        counts.files.append(write_xlsx(frames, out_dir / "tables.xlsx"))
    return counts
