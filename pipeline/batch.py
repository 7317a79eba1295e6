"""Batch runs: input files → pipeline → tables in an output folder.

The CLI's ``run`` command is a thin layer over ``run_batch``. The documents go
through the engine that ``analyze`` uses too (``pipeline.engine``: splitting
of long documents, retries, error rows, worker processes). A run never holds
all rows in memory: every input item becomes one journal entry
(``pipeline.journal``), written in input order and fsync'd per batch, and
the final tables are streamed from the journal at the end. The journal also
makes runs resumable (``resume=True``) after a crash or ``kill -9``.
"""

from __future__ import annotations

import logging
import platform
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import spacy
from spacy.language import Language

from . import __version__
from .api import DEFAULT_COMPONENTS, load_pipeline
from .base import base_model_name
from .engine import (
    DEFAULT_BATCH_SIZE,
    ReadReport,
    WorkItem,
    iter_work_items,
    nlp_fingerprint,
    pipeline_fingerprint,
    run_local,
    unused_components,
)
from .io.readers import DEFAULT_SUFFIXES
from .io.writers import DEFAULT_CSV_DIALECT, DEFAULT_FORMATS, atomic_write_text
from .journal import (
    DEFAULT_JOURNAL_NAME,
    DEFAULT_WORK_DIR,
    JournalWriter,
    ResumeMismatch,
    check_header,
    scan_journal,
)
from .tables import SCHEMAS

logger = logging.getLogger(__name__)

ENGINES = ("local", "dask")
DEFAULT_ENGINE = "local"
RUN_JSON = "run.json"
# Held for the whole run: a second run into the same folder stops instead of mixing its
# results with the first one's.
LOCK_NAME = ".motorsport-nlp.lock"
XLSX_NAME = "tables.xlsx"


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

        counts = export_tables(journal_path, out_dir, formats=formats, csv_dialect=csv_dialect)
        summary.documents, summary.errors, summary.words = counts.documents, counts.errors, counts.words
        summary.files = counts.files
        summary.seconds = time.perf_counter() - started
        summary.processing_seconds = time.perf_counter() - processing_started
        write_run_json(out_dir, base_info, summary, counts.rows, extra={
            # The components that ran: runs skip those no table needs.
            "pipeline": ([name for name in nlp.pipe_names if name not in unused_components(nlp)]
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
