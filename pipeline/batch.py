"""Batch runs: input files → pipeline → tables in an output folder.

The CLI's ``run`` command is a thin layer over ``run_batch``. A run never
holds all rows in memory: every input item becomes one journal entry
(``pipeline.journal``), written in input order and fsync'd per batch, and
the final tables are streamed from the journal at the end. The journal also
makes runs resumable (``resume=True``) after a crash or ``kill -9``.

Per input item:

- a read failure becomes an ``errors`` row;
- a document longer than ``nlp.max_length`` is split at blank lines into
  parts below the limit; the parts' rows are merged with offsets shifted to
  the full text;
- a part that raises inside the pipeline is retried alone; if it fails again
  the document becomes an ``errors`` row (stage ``process``) and the batch
  goes on.
"""

from __future__ import annotations

import logging
import os
import platform
import re
import shutil
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

import spacy
from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.language import Language

from . import __version__
from .api import DEFAULT_BATCH_SIZE, DEFAULT_COMPONENTS, DEFAULT_ERROR_MESSAGE_CHARS, base_model_name, load_pipeline
from .io.readers import DEFAULT_SUFFIXES, ReadFailure, iter_documents
from .io.writers import DEFAULT_CSV_DIALECT, DEFAULT_FORMATS, atomic_write_text
from .journal import (
    DEFAULT_JOURNAL_NAME,
    DEFAULT_WORK_DIR,
    JournalWriter,
    ResumeMismatch,
    check_header,
    item_key,
    scan_journal,
)
from .error_handling import document_error_handling, first_line, pipe_each
from .tables import DOCUMENT_TABLES, SCHEMAS, doc_to_rows

logger = logging.getLogger(__name__)

ENGINES = ("local", "dask")
DEFAULT_ENGINE = "local"
# Base components whose output (token lemmas) no table carries.
UNUSED_IN_TABLES = ("lemmatizer",)
# One memory zone per this many documents/characters: spaCy frees the zone's
# strings and caches at its end, so memory stays flat over any number of docs.
DEFAULT_ZONE_DOCS = 1000
DEFAULT_ZONE_CHARS = 5_000_000
# --n-process auto: worker processes only for runs with at least this much text
# (benchmarks/run_benchmarks.py measures the crossover; smaller runs are faster in one),
# and only as many as there are cores not busy with other work.
DEFAULT_PARALLEL_MIN_DOCS = 100
DEFAULT_PARALLEL_MIN_CHARS = 400_000  # about 200 typical releases
# A core counts as free when the load average leaves at least this much of it.
DEFAULT_FREE_CORE_SHARE = 0.75
DEFAULT_TASK_DOCS = 50  # documents per worker task (and per memory zone in a worker)
DEFAULT_TASKS_IN_FLIGHT_PER_PROCESS = 2
RUN_JSON = "run.json"
# Held for the whole run: a second run into the same folder stops instead of mixing its
# results with the first one's.
LOCK_NAME = ".motorsport-nlp.lock"
XLSX_NAME = "tables.xlsx"
# Test-only fault injection, e.g. "sleep-per-commit=0.2" or "kill-at=journal-complete"
# ("kill-at=tables-written": after the streamed tables, before drivers_summary and run.json).
FAULT_ENV = "MOTORSPORT_NLP_FAULT"

# Blank lines: where a long document may be split without cutting a paragraph.
_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")
_TABLES_WITH_OFFSETS = tuple(name for name in DOCUMENT_TABLES if "start_char" in SCHEMAS[name])


class OutputExists(RuntimeError):
    """The output folder holds files and neither --force nor --resume was given."""


class UsageError(ValueError):
    """Options that cannot work together (the CLI exits with code 2)."""


class OutputLocked(RuntimeError):
    """Another run is writing into the same output folder."""


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock file; raise OutputLocked at once if another run holds it."""
    from filelock import FileLock, Timeout

    lock = FileLock(out_dir / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputLocked(f"another run is writing into {out_dir} (it holds {out_dir / LOCK_NAME}); wait for it "
                           f"to finish or choose another --out") from None
    try:
        yield
    finally:
        # Removed while still held: a run that opened the file before sees it locked and
        # stops; one that comes later makes a new file, when this run is done writing.
        try:
            (out_dir / LOCK_NAME).unlink(missing_ok=True)
        except OSError:  # e.g. Windows, where an open file cannot be removed
            pass
        lock.release()


# --------------------------------------------------------------------------- summary


@dataclass
class RunSummary:
    out_dir: Path
    documents: int = 0  # documents in the tables (including those a resumed run reused)
    errors: int = 0
    words: int = 0  # words of all documents in the tables
    seconds: float = 0.0  # this session, wall time
    processing_seconds: float = 0.0  # this session after loading the model: reading, pipeline, tables
    processed: int = 0  # documents processed in this session
    processed_words: int = 0
    reused: int = 0  # journal entries a resumed run did not redo
    base_model: str = ""
    engine: str = DEFAULT_ENGINE
    n_process: int | str = 1
    status: str = "complete"  # "complete" | "already-complete"
    files: list[Path] = field(default_factory=list)
    reading: "ReadReport" = field(default_factory=lambda: ReadReport())

    @property
    def words_per_second(self) -> float:
        seconds = self.processing_seconds or self.seconds
        return self.processed_words / seconds if seconds else 0.0

    def skipped_line(self) -> str:
        """What the readers passed over (unsupported file types), or ""."""
        if not self.reading.skipped:
            return ""
        kinds = ", ".join(f"{count} {suffix}" for suffix, count in self.reading.skipped.most_common())
        return (f"skipped {sum(self.reading.skipped.values())} file(s) of unsupported types ({kinds}); "
                f"read are: {', '.join(DEFAULT_SUFFIXES)}")

    def line(self) -> str:
        if self.status == "already-complete":
            return f"{self.out_dir} is already complete: {self.documents} documents, {self.errors} errors"
        reused = f", {self.reused} reused from the journal" if self.reused else ""
        return (f"{self.documents} documents, {self.errors} errors{reused}; {self.processed_words} words "
                f"in {self.seconds:.1f} s ({self.words_per_second:,.0f} words/s) → {self.out_dir}")


# --------------------------------------------------------------------------- work items


@dataclass
class ReadReport:
    """What reading noticed besides documents and failures."""

    skipped: Counter = field(default_factory=Counter)  # unsupported files in folders and zips, by suffix
    notes: int = 0  # documents read with a note (e.g. mixed encodings), each logged as a warning


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One input item in input order: a document to process or a read failure."""

    seq: int
    key: str
    doc_id: str | None
    source: str
    text: str | None = None
    failure: dict[str, Any] | None = None  # the errors row of a read failure


def pipeline_fingerprint(base_info: dict[str, Any], components: Sequence[str]) -> str:
    """What makes rows reproducible: our version, the base model and the components."""
    return "|".join([__version__, str(base_info.get("name", "")), str(base_info.get("version", "")),
                     ",".join(components)])


def nlp_fingerprint(nlp: Language) -> str:
    base_info = nlp.meta.get("motorsport", {}).get("base") or {"name": nlp.meta.get("name", ""),
                                                              "version": nlp.meta.get("version", "")}
    base_components = set(base_info.get("components", ()))
    return pipeline_fingerprint(base_info, [name for name in nlp.pipe_names if name not in base_components])


def iter_work_items(
    inputs: Sequence[str | Path],
    fingerprint: str,
    *,
    id_field: str = "id",
    text_field: str = "text",
    stdin: TextIO | None = None,
    report: ReadReport | None = None,
) -> Iterator[WorkItem]:
    """Every input item with its position and journal key, in the readers' stable order.

    ``report`` collects skipped files and read notes (logged as warnings)."""
    report = ReadReport() if report is None else report
    results = iter_documents(inputs, id_field=id_field, text_field=text_field, stdin=stdin,
                             skipped=report.skipped)
    for seq, result in enumerate(results):
        if isinstance(result, ReadFailure):
            row = {"doc_id": result.doc_id, "source": result.source, "stage": result.stage,
                   "error_kind": result.kind, "message": result.message}
            key = item_key(fingerprint, "failure", result.doc_id, result.source, result.stage, result.kind,
                           result.message)
            yield WorkItem(seq, key, result.doc_id, result.source, failure=row)
        else:
            if result.note:
                report.notes += 1
                logger.warning("%s: %s", result.doc_id, result.note)
            # The readers' normalize_text has replaced lone surrogates: every format can store the text.
            yield WorkItem(seq, item_key(fingerprint, "document", result.doc_id, result.source, result.text),
                           result.doc_id, result.source, text=result.text)


# --------------------------------------------------------------------------- long documents


@dataclass(frozen=True, slots=True)
class TextPart:
    """A slice of a document's text processed as its own spaCy doc."""

    item: int  # index of the WorkItem in the processed list
    number: int
    count: int
    start: int  # offset of the part in the full text
    paragraph_shift: int  # paragraphs of the full text before this part's first paragraph
    text: str


def split_text(text: str, max_chars: int) -> list[tuple[int, int, int]]:
    """(start, end, paragraph_shift) of parts of at most ``max_chars``; one part if it fits.

    Parts end after a blank line where possible, else after a line break, a
    space, or (only for text without any) at the limit.
    """
    if len(text) <= max_chars:
        return [(0, len(text), 0)]
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    breaks = [match.end() for match in _PARAGRAPH_BREAK.finditer(text)]
    parts: list[tuple[int, int, int]] = []
    start, shift, break_index = 0, 0, 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        while break_index < len(breaks) and breaks[break_index] <= limit:
            break_index += 1
        best_break = breaks[break_index - 1] if break_index and breaks[break_index - 1] > start else None
        if best_break is not None:
            end, at_paragraph = best_break, True
        else:
            newline = text.rfind("\n", start, limit)
            space = text.rfind(" ", start, limit)
            cut = newline if newline > start else space
            end, at_paragraph = (cut + 1 if cut > start else limit), False
        parts.append((start, end, shift))
        # A part cut inside a paragraph leaves the rest of it to the next part.
        shift += _count_paragraphs(text, start, end) - (0 if at_paragraph else 1)
        start = end
    parts.append((start, len(text), shift))
    return parts


def _count_paragraphs(text: str, start: int, end: int) -> int:
    """Runs of non-blank lines in text[start:end] (as the quote component counts them)."""
    count, in_paragraph = 0, False
    for line in text[start:end].split("\n"):
        if line.strip():
            if not in_paragraph:
                count += 1
            in_paragraph = True
        else:
            in_paragraph = False
    return count


def merge_part_rows(parts: Sequence[tuple[TextPart, dict[str, list[dict]]]], full_text: str) -> dict[str, list[dict]]:
    """Rows of a split document's parts as if it had been processed whole."""
    merged: dict[str, list[dict]] = {name: [] for name in DOCUMENT_TABLES}
    drivers: dict[Any, dict] = {}
    people: dict[Any, dict] = {}
    n_tokens = 0
    for part, rows in parts:
        n_tokens += sum(row["n_tokens"] or 0 for row in rows["documents"])
        for row in rows["entities"]:
            merged["entities"].append({**row, "start_char": _shifted(row["start_char"], part.start),
                                       "end_char": _shifted(row["end_char"], part.start)})
        quotes_before = len(merged["quotes"])
        for row in rows["quotes"]:
            merged["quotes"].append({
                **row,
                "quote_id": _shifted(row.get("quote_id"), quotes_before),
                "start_char": _shifted(row["start_char"], part.start),
                "end_char": _shifted(row["end_char"], part.start),
                "paragraph": _shifted(row.get("paragraph"), part.paragraph_shift),
            })
        for row in rows["drivers"]:
            _merge_first_non_empty(drivers, row["driver"], row, summed=("n_quotes",))
        for row in rows["people"]:
            _merge_first_non_empty(people, row["name"], row)
    merged["drivers"] = list(drivers.values())
    merged["people"] = list(people.values())
    first = parts[0][1]["documents"][0]
    merged["documents"] = [{
        **first, "n_chars": len(full_text), "n_tokens": n_tokens, "n_drivers": len(merged["drivers"]),
        "n_people": sum(1 for row in merged["people"] if row.get("kind") == "person"),
        "n_quotes": len(merged["quotes"]), "text": full_text,
    }]
    return merged


def _shifted(value: Any, offset: int) -> Any:
    return value + offset if isinstance(value, int) else value


def _merge_first_non_empty(target: dict[Any, dict], key: Any, row: dict, summed: tuple[str, ...] = ()) -> None:
    if key not in target:
        target[key] = dict(row)
        return
    kept = target[key]
    for name, value in row.items():
        if name in summed:
            kept[name] = (kept.get(name) or 0) + (value or 0)
        elif kept.get(name) in (None, "", []) and value not in (None, "", []):
            kept[name] = value


# --------------------------------------------------------------------------- processing


@dataclass(frozen=True, slots=True)
class _PartFailure:
    kind: str
    message: str


def count_words(doc) -> int:
    """Tokens that are neither punctuation nor whitespace."""
    if not len(doc):
        return 0
    flags = doc.to_array([IS_PUNCT, IS_SPACE])
    return int(len(doc) - flags.any(axis=1).sum())


def process_items(
    nlp: Language,
    items: Sequence[WorkItem],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    memory_zone: bool = True,
) -> Iterator[dict[str, Any]]:
    """Journal entries for ``items``, in order, as they complete, in this process.

    Runs in one ``nlp.memory_zone()``; rows are plain data extracted inside it.
    """
    base = base_model_name(nlp)
    parts: list[TextPart] = []
    for index, item in enumerate(items):
        if item.text is not None:
            spans = split_text(item.text, nlp.max_length)
            for number, (start, end, shift) in enumerate(spans, start=1):
                parts.append(TextPart(index, number, len(spans), start, shift, item.text[start:end]))
    zone = nlp.memory_zone() if memory_zone else nullcontext()
    with zone, document_error_handling(nlp) as handler:
        results: dict[int, list[tuple[TextPart, Any]]] = {}
        next_item = 0

        def finished_entries() -> Iterator[dict[str, Any]]:
            nonlocal next_item
            while next_item < len(items):
                item = items[next_item]
                if item.text is not None:
                    done = results.get(next_item, [])
                    if not done or len(done) < done[0][0].count:
                        return
                    yield _document_entry(item, results.pop(next_item))
                else:
                    yield _entry(item, {"errors": [item.failure]}, words=0)
                next_item += 1

        yield from finished_entries()
        for part_index, outcome in _pipe_parts(nlp, parts, base, items, handler, batch_size):
            part = parts[part_index]
            results.setdefault(part.item, []).append((part, outcome))
            yield from finished_entries()
        yield from finished_entries()


def _pipe_parts(nlp, parts, base, items, handler, batch_size) -> Iterator[tuple[int, Any]]:
    """(part index, rows and words | _PartFailure) for every part, in order."""
    for index, outcome in pipe_each(nlp, [part.text for part in parts], handler, batch_size=batch_size,
                                    disable=_unused_components(nlp)):
        part = parts[index]
        if not isinstance(outcome, Exception):
            try:
                yield index, _part_rows(outcome, part, base, items)
                continue
            except Exception as error:  # rows of a broken doc: that document's failure, not the run's
                outcome = error
        yield index, _part_failure(part, items, outcome)


def _unused_components(nlp: Language) -> list[str]:
    """Components whose output no table carries: runs skip them (lemmas cost
    about a sixth of the offline pipeline). ``analyze()`` keeps them, since
    notebooks look at tokens."""
    return [name for name in UNUSED_IN_TABLES if name in nlp.pipe_names]


def _part_failure(part: TextPart, items: Sequence[WorkItem], error: Exception) -> _PartFailure:
    item = items[part.item]
    label = f"{item.doc_id}" + (f" (part {part.number}/{part.count})" if part.count > 1 else "")
    logger.warning("document %s failed twice, recorded in errors: %s: %s", label,
                   error.__class__.__name__, first_line(error))
    logger.debug("failure of %s", label, exc_info=error)
    prefix = f"part {part.number}/{part.count}: " if part.count > 1 else ""
    return _PartFailure(error.__class__.__name__, (prefix + first_line(error))[:DEFAULT_ERROR_MESSAGE_CHARS])


def _part_rows(doc, part: TextPart, base: str, items: Sequence[WorkItem]) -> tuple[dict[str, list[dict]], int]:
    item = items[part.item]
    return doc_to_rows(doc, item.doc_id, item.source, base), count_words(doc)


def _document_entry(item: WorkItem, outcomes: list[tuple[TextPart, Any]]) -> dict[str, Any]:
    outcomes.sort(key=lambda pair: pair[0].number)
    failures = [outcome for _, outcome in outcomes if isinstance(outcome, _PartFailure)]
    if failures:
        row = {"doc_id": item.doc_id, "source": item.source, "stage": "process",
               "error_kind": failures[0].kind, "message": failures[0].message}
        return _entry(item, {"errors": [row]}, words=0)
    words = sum(words for _, (_, words) in outcomes)
    if len(outcomes) == 1:
        rows = outcomes[0][1][0]
    else:
        rows = merge_part_rows([(part, rows) for part, (rows, _) in outcomes], item.text)
    return _entry(item, _in_text_order(rows), words=words)


def _in_text_order(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    # The clean-run order within a document: by start_char, stable.
    for name in _TABLES_WITH_OFFSETS:
        rows[name] = sorted(rows.get(name, []),
                            key=lambda row: (row["start_char"] is None, row["start_char"] or 0))
    return rows


def _entry(item: WorkItem, rows: dict[str, list[dict]], *, words: int) -> dict[str, Any]:
    return {"seq": item.seq, "key": item.key, "doc_id": item.doc_id, "words": words,
            "rows": {name: table_rows for name, table_rows in rows.items() if table_rows}}


def iter_zones(items: Iterable[WorkItem], *, max_docs: int = DEFAULT_ZONE_DOCS,
               max_chars: int = DEFAULT_ZONE_CHARS) -> Iterator[list[WorkItem]]:
    """Consecutive groups of items: one memory zone each."""
    zone: list[WorkItem] = []
    chars = 0
    for item in items:
        zone.append(item)
        chars += len(item.text or "")
        if len(zone) >= max_docs or chars >= max_chars:
            yield zone
            zone, chars = [], 0
    if zone:
        yield zone


def run_local(
    nlp: Language,
    items: Iterable[WorkItem],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    n_process: int | None = None,
    zone_docs: int = DEFAULT_ZONE_DOCS,
) -> Iterator[dict[str, Any]]:
    """Journal entries for ``items`` in order, processed on this machine.

    ``n_process=None`` (auto): see ``auto_processes``.
    """
    items = iter(items)
    processes = n_process
    if processes is None:
        # Look ahead to see whether the run is large enough to repay the worker processes.
        head: list[WorkItem] = []
        chars = 0
        for item in items:
            head.append(item)
            chars += len(item.text or "")
            if len(head) >= DEFAULT_PARALLEL_MIN_DOCS and chars >= DEFAULT_PARALLEL_MIN_CHARS:
                break
        processes = auto_processes(len(head), chars)
        items = chain(head, items)
    if processes == 1:
        for zone in iter_zones(items, max_docs=zone_docs):
            yield from process_items(nlp, zone, batch_size=batch_size)
    else:
        yield from run_process_pool(nlp, items, processes=processes, batch_size=batch_size)


def auto_processes(documents: int, chars: int) -> int:
    """Processes for a run whose first ``documents`` (up to the thresholds) hold ``chars`` characters.

    One below ``DEFAULT_PARALLEL_MIN_DOCS`` documents or ``DEFAULT_PARALLEL_MIN_CHARS``
    characters; else one per free core: cores this process may use, less the
    load other processes put on them (a loaded 2-core machine ran 1.2x slower
    with 2 processes than with 1).
    """
    cores = usable_cores()
    if cores < 2 or documents < DEFAULT_PARALLEL_MIN_DOCS or chars < DEFAULT_PARALLEL_MIN_CHARS:
        return 1
    free = free_cores(cores)
    logger.info("--n-process auto: %.1f of %d cores free", free, cores)
    return max(1, min(cores, int(free + (1 - DEFAULT_FREE_CORE_SHARE))))


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. under taskset or a container's cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def free_cores(cores: int) -> float:
    """``cores`` less the 1-minute load average that other processes cause."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows: no load average, assume the cores are free
        return float(cores)
    # This process has been busy (reading, loading the model): its own share of the load.
    return max(0.0, cores - max(0.0, load - 1.0))


# --------------------------------------------------------------------------- worker processes

_POOL_NLP: Language | None = None  # set before forking: the workers inherit the loaded pipeline


def _pool_task(items: list[WorkItem], batch_size: int) -> list[dict[str, Any]]:
    return list(process_items(_POOL_NLP, items, batch_size=batch_size))


def _init_worker(parent_pid: int) -> None:
    # After a kill -9 of the run, its workers must not linger: on Linux the kernel
    # sends them SIGKILL when the parent dies (siblings keep the task queue open).
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


class _WorkerPool:
    """Forked worker processes that return journal entries (plain rows, not Docs).

    spaCy's ``nlp.pipe(n_process=...)`` sends every Doc back as bytes; with
    our span groups and extensions that costs more than the processing itself.
    """

    def __init__(self, nlp: Language, processes: int) -> None:
        import multiprocessing

        global _POOL_NLP
        _POOL_NLP = nlp
        self.processes = processes
        self.context = multiprocessing.get_context("fork")
        self.generation = 0
        self.executor = self._new_executor()

    def _new_executor(self):
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(self.processes, mp_context=self.context, initializer=_init_worker,
                                   initargs=(os.getpid(),))

    def submit(self, items: list[WorkItem], batch_size: int) -> tuple[Any, int]:
        return self.executor.submit(_pool_task, items, batch_size), self.generation

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new_executor()
        self.generation += 1

    def close(self) -> None:
        global _POOL_NLP
        self.executor.shutdown(wait=True, cancel_futures=True)
        _POOL_NLP = None


def run_process_pool(nlp: Language, items: Iterable[WorkItem], *, processes: int,
                     batch_size: int = DEFAULT_BATCH_SIZE,
                     task_docs: int = DEFAULT_TASK_DOCS) -> Iterator[dict[str, Any]]:
    """Journal entries in input order from ``processes`` forked workers; a few tasks in flight."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        logger.warning("no fork() on this platform: processing in one process")
        for zone in iter_zones(items):
            yield from process_items(nlp, zone, batch_size=batch_size)
        return
    pool = _WorkerPool(nlp, processes)
    window: deque = deque()
    try:
        for task in iter_zones(items, max_docs=task_docs):
            window.append((task, *pool.submit(task, batch_size)))
            if len(window) >= processes * DEFAULT_TASKS_IN_FLIGHT_PER_PROCESS:
                yield from _task_entries(pool, *window.popleft(), batch_size)
        while window:
            yield from _task_entries(pool, *window.popleft(), batch_size)
    finally:
        pool.close()


def _task_entries(pool: _WorkerPool, task: list[WorkItem], future, generation: int,
                  batch_size: int) -> list[dict[str, Any]]:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        pass
    if generation < pool.generation:  # broken by another task's crash: this one may be fine
        future, generation = pool.submit(task, batch_size)
        try:
            return future.result()
        except BrokenProcessPool:
            pass
    # A worker died (a crash, or killed for memory) in this task: find the document, keep the rest.
    pool.restart()
    entries = []
    for item in task:
        future, _ = pool.submit([item], batch_size)
        try:
            entries += future.result()
        except BrokenProcessPool:
            logger.warning("document %s took down its worker process; recorded in errors", item.doc_id)
            pool.restart()
            entries.append(_crash_entry(item))
    return entries


def _crash_entry(item: WorkItem) -> dict[str, Any]:
    if item.text is None:
        return _entry(item, {"errors": [item.failure]}, words=0)
    row = {"doc_id": item.doc_id, "source": item.source, "stage": "process", "error_kind": "WorkerDied",
           "message": "the worker process died on this document (crash or out of memory)"}
    return _entry(item, {"errors": [row]}, words=0)


# --------------------------------------------------------------------------- output folder

OUTPUT_NAMES = frozenset(
    [f"{name}.{suffix}" for name in SCHEMAS for suffix in ("csv", "parquet")] + [XLSX_NAME, RUN_JSON]
)


def check_out_dir(out_dir: Path, *, force: bool = False, resume: bool = False) -> str:
    """How the run starts: "fresh", "resume" (a journal exists) or "complete" (nothing to do).

    Raises OutputExists when the folder holds files and neither flag allows it.
    """
    if force and resume:
        raise UsageError("--force and --resume exclude each other")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputExists(f"{out_dir} exists and is not a folder")
    is_empty = not out_dir.exists() or not any(path.name != LOCK_NAME for path in out_dir.iterdir())
    if resume:
        if (out_dir / DEFAULT_WORK_DIR / DEFAULT_JOURNAL_NAME).exists():
            return "resume"
        if _completed_run(out_dir) is not None:
            return "complete"
        if is_empty:
            return "fresh"
        raise OutputExists(f"nothing to resume in {out_dir} (no {DEFAULT_WORK_DIR}/{DEFAULT_JOURNAL_NAME}); "
                           f"use --force to start over")
    if not is_empty and not force:
        raise OutputExists(f"{out_dir} is not empty; use --force to overwrite or --resume to continue")
    return "fresh"


def clear_outputs(out_dir: Path) -> None:
    """Remove what a run writes (tables, run.json, the journal, temp files); leave other files."""
    if not out_dir.is_dir():
        return
    shutil.rmtree(out_dir / DEFAULT_WORK_DIR, ignore_errors=True)
    for path in out_dir.iterdir():
        if path.is_file() and path.name in OUTPUT_NAMES:
            path.unlink()
    _remove_temp_files(out_dir)


def _remove_temp_files(out_dir: Path) -> None:
    # Left by a run killed while writing (io.writers.atomic_path names them .<name>.tmp-<hex>).
    for path in out_dir.glob(".*.tmp-*"):
        if path.name[1:].split(".tmp-")[0] in OUTPUT_NAMES:
            path.unlink(missing_ok=True)


def _completed_run(out_dir: Path) -> dict[str, Any] | None:
    import json

    try:
        info = json.loads((out_dir / RUN_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("status") == "complete" else None


# --------------------------------------------------------------------------- the run


def run_batch(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    *,
    model: str | None = None,
    nlp: Language | None = None,
    formats: Sequence[str] = DEFAULT_FORMATS,
    csv_dialect: str = DEFAULT_CSV_DIALECT,
    force: bool = False,
    resume: bool = False,
    id_field: str = "id",
    text_field: str = "text",
    batch_size: int = DEFAULT_BATCH_SIZE,
    n_process: int | None = None,
    engine: str = DEFAULT_ENGINE,
    scheduler: str | None = None,
    dask_workers: int | None = None,
    progress: bool | None = None,
    stdin: TextIO | None = None,
) -> RunSummary:
    """Analyse ``inputs`` into tables in ``out_dir``; see the module docstring.

    ``nlp`` (local engine only) replaces ``load_pipeline(model)``.
    ``n_process=None`` uses 1 process for small runs and 2 for large ones.
    ``progress=None`` shows a progress bar when stderr is a terminal.
    """
    from .journal import export_tables  # streamed table writers

    out_dir = Path(out_dir)
    started = time.perf_counter()
    _check_options(formats, csv_dialect, batch_size, n_process, engine, nlp)
    _check_out_dir_outside_inputs(out_dir, inputs)
    if force and resume:
        raise UsageError("--force and --resume exclude each other")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputExists(f"{out_dir} exists and is not a folder")
    if engine == "dask":
        from .dask_engine import require_dask

        require_dask()  # before the (slow) model load: a missing extra is a usage error
    out_dir.mkdir(parents=True, exist_ok=True)  # an unwritable output fails before the slow model load
    with output_lock(out_dir):
        start_mode = check_out_dir(out_dir, force=force, resume=resume)
        if start_mode == "complete":
            return _already_complete(out_dir)
        if force:
            clear_outputs(out_dir)
        if nlp is None:
            # The dask driver only needs the base's identity; workers load the full pipeline.
            nlp = load_pipeline(model, components=() if engine == "dask" else DEFAULT_COMPONENTS, lemmatizer=False)
        base_info = nlp.meta.get("motorsport", {}).get("base", {"name": base_model_name(nlp)})
        fingerprint = (pipeline_fingerprint(base_info, DEFAULT_COMPONENTS) if engine == "dask"
                       else nlp_fingerprint(nlp))
        settings = {"fingerprint": fingerprint, "inputs": [str(item) for item in inputs],
                    "id_field": id_field, "text_field": text_field}

        (out_dir / RUN_JSON).unlink(missing_ok=True)  # partial output must never look complete
        _remove_temp_files(out_dir)
        journal_path = out_dir / DEFAULT_WORK_DIR / DEFAULT_JOURNAL_NAME
        state = scan_journal(journal_path) if start_mode == "resume" else None
        if state is not None and state.header is not None:
            check_header(state.header, settings)
        reused = state.entries if state is not None else 0
        faults = _faults()

        summary = RunSummary(out_dir=out_dir, base_model=str(base_info.get("name", "")), engine=engine,
                             reused=reused, n_process=(n_process or "auto") if engine == "local" else 1)
        cluster_info: dict[str, Any] = {}
        processing_started = time.perf_counter()
        items = _skip_done(iter_work_items(inputs, fingerprint, id_field=id_field, text_field=text_field,
                                           stdin=stdin, report=summary.reading), state)
        with JournalWriter(journal_path, header=settings, state=state) as journal, \
                _progress_bar(progress, initial=reused) as bar:
            if engine == "dask":
                from .dask_engine import run_dask

                entries = run_dask(items, model=model, batch_size=batch_size, scheduler=scheduler,
                                   n_workers=dask_workers, cluster_info=cluster_info)
            else:
                entries = run_local(nlp, items, batch_size=batch_size, n_process=n_process)
            for entry in entries:
                journal.append(entry)
                if "documents" in entry["rows"]:
                    summary.processed += 1
                    summary.processed_words += entry["words"]
                bar.update(1)
                if journal.entries % batch_size == 0:
                    journal.commit()
                    if "sleep-per-commit" in faults:
                        time.sleep(float(faults["sleep-per-commit"]))
        _fault_point(faults, "journal-complete")

        counts = export_tables(journal_path, out_dir, formats=formats, csv_dialect=csv_dialect,
                               after_streamed_tables=lambda: _fault_point(faults, "tables-written"))
        summary.documents, summary.errors, summary.words = counts.documents, counts.errors, counts.words
        summary.files = counts.files
        summary.seconds = time.perf_counter() - started
        summary.processing_seconds = time.perf_counter() - processing_started
        write_run_json(out_dir, base_info, summary, counts.rows, extra={
            # The components that ran: runs skip those no table needs.
            "pipeline": ([name for name in nlp.pipe_names if name not in _unused_components(nlp)]
                         if engine == "local" else [*base_info.get("components", ()), *DEFAULT_COMPONENTS]),
            "inputs": settings["inputs"], "formats": list(formats), "csv_dialect": csv_dialect,
            "batch_size": batch_size, "resumed": start_mode == "resume", "reused_entries": reused,
            "skipped_files": dict(summary.reading.skipped), "documents_with_read_notes": summary.reading.notes,
            **({"dask": cluster_info} if engine == "dask" else {}),
        })
        shutil.rmtree(out_dir / DEFAULT_WORK_DIR, ignore_errors=True)
        return summary


def _check_options(formats, csv_dialect, batch_size, n_process, engine, nlp) -> None:
    from .io.writers import CSV_DIALECTS, SUPPORTED_FORMATS

    unknown = [name for name in formats if name not in SUPPORTED_FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(SUPPORTED_FORMATS)}")
    if csv_dialect not in CSV_DIALECTS:
        raise UsageError(f"unknown CSV dialect {csv_dialect!r}; choose from {', '.join(CSV_DIALECTS)}")
    if batch_size < 1:
        raise UsageError("batch size must be at least 1")
    if n_process is not None and n_process < 1:
        raise UsageError("--n-process must be at least 1")
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine == "dask" and nlp is not None:
        raise UsageError("the dask engine loads the pipeline on each worker; pass a model name, not nlp")


def _check_out_dir_outside_inputs(out_dir: Path, inputs: Sequence[str | Path]) -> None:
    # Else the next run would read this run's tables (.csv is an input format) as documents.
    target = out_dir.resolve()
    for item in inputs:
        if str(item) == "-":
            continue
        folder = Path(item).resolve()
        if folder.is_dir() and (target == folder or folder in target.parents):
            raise UsageError(f"the output folder {out_dir} is inside the input folder {item}; choose another --out")


def _skip_done(items: Iterator[WorkItem], state) -> Iterator[WorkItem]:
    """Items after the journal's entries; the journal's entries must match the inputs."""
    done = state.entries if state is not None else 0
    seen = 0
    for item in items:
        seen += 1
        if item.seq < done:
            if item.key != state.key_at(item.seq):
                raise ResumeMismatch(
                    f"cannot resume: input {item.seq + 1} ({item.doc_id or item.source}) differs from the "
                    f"interrupted run's; the inputs changed, start over with --force"
                )
            continue
        yield item
    if seen < done:
        raise ResumeMismatch(f"cannot resume: the interrupted run had {done} inputs done, there are only {seen} "
                             f"now; the inputs changed, start over with --force")


def _already_complete(out_dir: Path) -> RunSummary:
    info = _completed_run(out_dir) or {}
    counts = info.get("counts", {})
    return RunSummary(out_dir=out_dir, documents=counts.get("documents", 0), errors=counts.get("errors", 0),
                      words=counts.get("words", 0), base_model=info.get("base_model", {}).get("name", ""),
                      engine=info.get("engine", DEFAULT_ENGINE), status="already-complete")


@contextmanager
def _progress_bar(progress: bool | None, *, initial: int = 0) -> Iterator[Any]:
    from tqdm import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=None, initial=initial, unit="doc", disable=not show, file=sys.stderr, dynamic_ncols=True,
               leave=False)
    try:
        yield bar
    finally:
        bar.close()


def _faults() -> dict[str, str]:
    spec = os.environ.get(FAULT_ENV, "")
    return dict(part.split("=", 1) if "=" in part else (part, "") for part in spec.split(",") if part)


def _fault_point(faults: dict[str, str], name: str) -> None:
    if faults.get("kill-at") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def write_run_json(out_dir: Path, base_info: dict[str, Any], summary: RunSummary, counts: dict[str, int],
                   extra: dict | None = None) -> None:
    """run.json, written last: its presence with status "complete" marks finished output."""
    import json

    versions = {"motorsport_nlp": __version__, "spacy": spacy.__version__, "python": platform.python_version()}
    if summary.engine == "dask":
        import dask
        import distributed

        versions.update(dask=dask.__version__, distributed=distributed.__version__)
    info = {
        "status": "complete",
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_model": base_info,
        "engine": summary.engine,
        "n_process": summary.n_process,
        "versions": versions,
        "counts": {"documents": summary.documents, "errors": summary.errors, "words": summary.words,
                   "processed_this_session": summary.processed,
                   **{f"rows_{name}": value for name, value in counts.items()}},
        "duration_seconds": round(summary.seconds, 3),
        "words_per_second": round(summary.words_per_second, 1),
        **(extra or {}),
    }
    atomic_write_text(out_dir / RUN_JSON, json.dumps(info, ensure_ascii=False, indent=2) + "\n")
