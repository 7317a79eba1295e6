"""The one engine from input items to table rows: ``analyze``, ``motorsport-nlp run`` and the Dask
workers all go through it, so the same input gives the same rows on every path.

- ``WorkItem``: one input item in input order, a text to process or a read failure
  (``iter_work_items`` for files and folders, ``text_items`` for texts and DataFrames);
- ``process_items``: items → entries (``{"seq", "key", "doc_id", "words", "rows"}``),
  the unit of the journal. A document longer than ``nlp.max_length`` is split at blank
  lines into parts below the limit; the parts' rows are merged with offsets shifted to
  the full text. A part that raises inside the pipeline is retried alone; if it fails
  again the document becomes an ``errors`` row (stage ``process``) and the rest go on;
- ``run_local``: the same in memory zones, in this process or in forked workers.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, TextIO
from weakref import WeakKeyDictionary

from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.language import Language

from . import __version__
from .base import base_model_name
from .components.shapes import paragraph_spans
from .error_handling import document_error_handling, first_line, pipe_each
from .io.normalize import normalize_text
from .io.readers import ReadFailure, iter_documents
from .journal import item_key
from .tables import DOCUMENT_TABLES, SCHEMAS, doc_to_rows, error_row

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64
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
# The first documents a process gives a pipeline run outside a memory zone: their strings
# (the archive's common words) stay, and in every later zone the tokenizer's cache and the
# vocabulary answer them; inside a zone spaCy keeps neither for a new word (the next 1,000
# documents ran 15-20% faster after 1,000 warm ones than after 1,000 zoned ones).
# Bounded like a zone: at most this many documents and characters.
DEFAULT_WARM_DOCS = DEFAULT_ZONE_DOCS
DEFAULT_WARM_CHARS = DEFAULT_ZONE_CHARS
DEFAULT_TASK_DOCS = 50  # documents per worker task (and per memory zone in a worker)
DEFAULT_TASKS_IN_FLIGHT_PER_PROCESS = 2

# Blank lines: where a long document may be split without cutting a paragraph.
_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")
_TABLES_WITH_OFFSETS = tuple(name for name in DOCUMENT_TABLES if "start_char" in SCHEMAS[name])


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


def failed_item(seq: int, key: str, doc_id: str | None, source: str, *, stage: str, kind: str,
                message: str) -> WorkItem:
    """The item of an input that yielded no text: it becomes one ``errors`` row."""
    return WorkItem(seq, key, doc_id, source,
                    failure=error_row(doc_id, source, stage=stage, kind=kind, message=message))


def text_item(seq: int, doc_id: str, text: str, source: str, key: str = "") -> WorkItem:
    """The item of a text given as a string (``analyze``): normalised as the readers normalise
    a file's text; an empty one is a read failure, as an empty file is."""
    normalised = normalize_text(text)
    if not normalised.strip():
        return failed_item(seq, key, doc_id, source, stage="read", kind="empty",
                           message="no text (empty or only whitespace)")
    return WorkItem(seq, key, doc_id, source, text=normalised)


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
            key = item_key(fingerprint, "failure", result.doc_id, result.source, result.stage, result.kind,
                           result.message)
            yield failed_item(seq, key, result.doc_id, result.source, stage=result.stage, kind=result.kind,
                              message=result.message)
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
    """Paragraphs in text[start:end], by the one paragraph definition the components use."""
    return len(paragraph_spans(text[start:end]))


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
class _PartResult:
    rows: dict[str, list[dict]]
    words: int
    doc: Any = None  # the spaCy doc, when the caller keeps docs


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
    memory_zone: bool | None = None,
    disable: Sequence[str] | None = None,
    keep_docs: bool = False,
) -> Iterator[dict[str, Any]]:
    """Journal entries for ``items``, in order, as they complete, in this process.

    Runs in one ``nlp.memory_zone()``; rows are plain data extracted inside it.
    ``memory_zone=None`` (default) starts zones once ``nlp`` has processed its
    warm-up documents (see ``DEFAULT_WARM_DOCS``).
    ``disable=None`` skips the components no table needs (``UNUSED_IN_TABLES``).
    ``keep_docs=True`` adds each document's spaCy doc to its entry as ``"doc"``
    (never journaled; no memory zone then, since the zone's end would free the
    docs' strings).
    """
    base = base_model_name(nlp)
    disable = unused_components(nlp) if disable is None else list(disable)
    parts: list[TextPart] = []
    for index, item in enumerate(items):
        if item.text is not None:
            spans = split_text(item.text, nlp.max_length)
            for number, (start, end, shift) in enumerate(spans, start=1):
                parts.append(TextPart(index, number, len(spans), start, shift, item.text[start:end]))
    if memory_zone is None:
        memory_zone = _warmed_up(nlp, items)
    zone = nlp.memory_zone() if memory_zone and not keep_docs else nullcontext()
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
                    yield _document_entry(item, results.pop(next_item), keep_docs)
                else:
                    yield failure_entry(item, "", "")
                next_item += 1

        yield from finished_entries()
        for part_index, outcome in _pipe_parts(nlp, parts, base, items, handler, batch_size, disable, keep_docs):
            part = parts[part_index]
            results.setdefault(part.item, []).append((part, outcome))
            yield from finished_entries()
        yield from finished_entries()


_WARM_UP_SEEN: WeakKeyDictionary = WeakKeyDictionary()  # nlp → (documents, characters) run outside a zone


def _warmed_up(nlp: Language, items: Sequence[WorkItem]) -> bool:
    """Whether ``items`` go into a memory zone: only once ``nlp`` has run its warm-up
    (``DEFAULT_WARM_DOCS`` documents or ``DEFAULT_WARM_CHARS`` characters) outside of one, in this process."""
    documents, chars = _WARM_UP_SEEN.get(nlp, (0, 0))
    if documents >= DEFAULT_WARM_DOCS or chars >= DEFAULT_WARM_CHARS:
        return True
    texts = [item.text for item in items if item.text is not None]
    _WARM_UP_SEEN[nlp] = (documents + len(texts), chars + sum(map(len, texts)))
    return False


def _pipe_parts(nlp, parts, base, items, handler, batch_size, disable, keep_docs) -> Iterator[tuple[int, Any]]:
    """(part index, _PartResult | _PartFailure) for every part, in order."""
    for index, outcome in pipe_each(nlp, [part.text for part in parts], handler, batch_size=batch_size,
                                    disable=disable):
        part = parts[index]
        if not isinstance(outcome, Exception):
            try:
                item = items[part.item]
                yield index, _PartResult(doc_to_rows(outcome, item.doc_id, item.source, base),
                                         count_words(outcome), outcome if keep_docs else None)
                continue
            except Exception as error:  # rows of a broken doc: that document's failure, not the run's
                outcome = error
        yield index, _part_failure(part, items, outcome)


def unused_components(nlp: Language) -> list[str]:
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
    return _PartFailure(error.__class__.__name__, prefix + first_line(error))


def _document_entry(item: WorkItem, outcomes: list[tuple[TextPart, Any]], keep_docs: bool) -> dict[str, Any]:
    outcomes.sort(key=lambda pair: pair[0].number)
    failures = [outcome for _, outcome in outcomes if isinstance(outcome, _PartFailure)]
    if failures:
        return failure_entry(item, failures[0].kind, failures[0].message)
    words = sum(result.words for _, result in outcomes)
    if len(outcomes) == 1:
        rows = outcomes[0][1].rows
    else:
        rows = merge_part_rows([(part, result.rows) for part, result in outcomes], item.text)
    entry = _entry(item, _in_text_order(rows), words=words)
    if keep_docs:
        entry["doc"] = _whole_doc([result.doc for _, result in outcomes], rows)
    return entry


def _whole_doc(docs: list, rows: dict[str, list[dict]]):
    """The doc of a document: its only part's, or the parts joined (text, tokens, entities), with the
    merged quotes, drivers and people of the rows, whose offsets refer to the whole text."""
    if len(docs) == 1:
        return docs[0]
    import warnings

    from spacy.tokens import Doc

    with warnings.catch_warnings():  # W101: doc extensions are not merged; they are set from the rows below
        warnings.filterwarnings("ignore", message=r"\[W101\]")
        whole = Doc.from_docs(docs, ensure_whitespace=False)
    whole._.quotes = [dict(row) for row in rows.get("quotes", [])]
    whole._.drivers = [dict(row) for row in rows.get("drivers", [])]
    whole._.people = [dict(row) for row in rows.get("people", [])]
    return whole


def _in_text_order(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    # The clean-run order within a document: by start_char, stable.
    for name in _TABLES_WITH_OFFSETS:
        rows[name] = sorted(rows.get(name, []),
                            key=lambda row: (row["start_char"] is None, row["start_char"] or 0))
    return rows


def _entry(item: WorkItem, rows: dict[str, list[dict]], *, words: int) -> dict[str, Any]:
    return {"seq": item.seq, "key": item.key, "doc_id": item.doc_id, "words": words,
            "rows": {name: table_rows for name, table_rows in rows.items() if table_rows}}


def failure_entry(item: WorkItem, kind: str, message: str) -> dict[str, Any]:
    """The entry of an item that could not be processed (its read failure, if it had one)."""
    if item.text is None:
        return _entry(item, {"errors": [item.failure]}, words=0)
    row = error_row(item.doc_id, item.source, stage="process", kind=kind, message=message)
    return _entry(item, {"errors": [row]}, words=0)


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
    return failure_entry(item, "WorkerDied", "the worker process died on this document (crash or out of memory)")

