"""Command line: ``motorsport-nlp run | evaluate | show | review``.

A thin Typer layer: every command calls a plain function that notebooks can
call too. Expected failures print one line and exit with a documented code:
0 all documents went through, 3 some documents failed (see errors.csv),
2 usage error, 1 fatal.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperCommand

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="Drivers, hometowns, teams, cars and quotes from German motorsport press releases.")


DEFAULT_DEBUG_LOG = "motorsport-nlp-debug.log"


class PlainHelpCommand(TyperCommand):
    """Help with NAME placeholders (``--out OUT``, ``INPUTS...``) instead of Typer's type names
    (``<path>``, ``<list[str]>``), which read like Python to a user."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if getattr(param, "is_flag", False):
                continue
            param.metavar = param.metavar or param.name.upper()
            if param.param_type_name == "argument":
                # Arguments print their metavar and then the type: drop the type, keep one "...".
                shown = param.metavar + ("..." if param.nargs != 1 else "")
                param.display_type_rich = lambda ctx: None
                param.get_usage_pieces = lambda ctx, shown=shown, required=param.required: [
                    shown if required else f"[{shown}]"]
                param._rich_display_name = lambda shown=shown: shown


def _version_callback(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"motorsport-nlp {version('motorsport-nlp')}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _global_options(
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Drivers, hometowns, teams, cars and quotes from German motorsport press releases."""


def _setup_logging(debug: bool, log_file: Path | None = None) -> None:
    # stderr shows warnings only (one line each, no tracebacks); --debug adds a detailed file log.
    stream_handler = logging.StreamHandler(sys.stderr)
    stream_handler.setLevel(logging.WARNING)
    stream_handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [stream_handler]
    if debug:
        file_handler = logging.FileHandler(log_file or DEFAULT_DEBUG_LOG, encoding="utf-8")
        file_handler.setLevel(logging.DEBUG)
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(file_handler)
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, handlers=handlers, force=True)


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command(cls=PlainHelpCommand)
def run(
    inputs: List[str] = typer.Argument(..., help="Files or folders (.txt .md .html .htm .docx .pdf .jsonl .csv .zip), or - for stdin."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    model: Optional[str] = typer.Option(None, "--model", help="Base model: package name or path (default: de_core_news_md if installed, else the offline base)."),
    formats: str = typer.Option("csv", "--format", help="Comma-separated: csv, xlsx, parquet (xlsx holds all rows in memory: for smaller runs)."),
    csv_dialect: str = typer.Option("excel-de", "--csv-dialect", help="excel-de (; BOM CRLF) or rfc4180 (, no BOM)."),
    force: bool = typer.Option(False, "--force", help="Clear the output folder's previous results first."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run in the same output folder."),
    id_field: str = typer.Option("id", "--id-field", help="Id field/column for .jsonl and .csv inputs."),
    text_field: str = typer.Option("text", "--text-field", help="Text field/column for .jsonl and .csv inputs."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Documents per nlp.pipe batch and per journal commit."),
    n_process: Optional[int] = typer.Option(None, "--n-process", min=1, help="Processes for the local engine (default: 1 for small runs, else one per core that other work leaves free)."),
    engine: str = typer.Option("local", "--engine", help="local, or dask (needs the dask extra: pip install motorsport-nlp\\[dask])."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster)."),
    dask_workers: Optional[int] = typer.Option(None, "--dask-workers", min=1, help="Worker processes of the local Dask cluster (default 2)."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: when stderr is a terminal)."),
    debug: bool = typer.Option(False, "--debug", help="Log details (tracebacks of failed documents) to --log-file."),
    log_file: Path = typer.Option(Path("motorsport-nlp-debug.log"), "--log-file", help="Where --debug writes."),
    review: bool = typer.Option(False, "--review", help="Also write DIR/review.html, the editors' review page (see the review command)."),
) -> None:
    """Analyse press releases into documents, entities, drivers, people, quotes, errors and drivers_summary tables plus run.json."""
    _setup_logging(debug, log_file)
    logger = logging.getLogger(__name__)
    from .base import ModelNotFound
    from .batch import OutputExists, OutputLocked, UsageError, run_batch
    from .dask_engine import DaskUnavailable
    from .journal import DEFAULT_JOURNAL_NAME, DEFAULT_WORK_DIR, ResumeMismatch

    format_list, format_problem = _parse_formats(formats)
    if format_problem:
        _fail(format_problem, EXIT_USAGE)
    if csv_dialect not in ("excel-de", "rfc4180"):
        _fail(f"unknown --csv-dialect {csv_dialect!r}; choose excel-de or rfc4180", EXIT_USAGE)
    if engine not in ("local", "dask"):
        _fail(f"unknown --engine {engine!r}; choose local or dask", EXIT_USAGE)
    if engine == "local" and (scheduler or dask_workers):
        _fail("--scheduler and --dask-workers need --engine dask", EXIT_USAGE)
    if engine == "dask" and n_process:
        _fail("--n-process is for the local engine; size a local Dask cluster with --dask-workers", EXIT_USAGE)
    try:
        summary = run_batch(inputs, out, model=model, formats=format_list, csv_dialect=csv_dialect, force=force,
                            resume=resume, id_field=id_field, text_field=text_field, batch_size=batch_size,
                            n_process=n_process, engine=engine, scheduler=scheduler, dask_workers=dask_workers,
                            progress=progress)
    except (OutputExists, OutputLocked, UsageError, ResumeMismatch, ModelNotFound, DaskUnavailable) as error:
        logger.debug("usage error", exc_info=True)
        _fail(str(error), EXIT_USAGE)
    except KeyboardInterrupt:
        logger.debug("interrupted", exc_info=True)
        if (out / DEFAULT_WORK_DIR / DEFAULT_JOURNAL_NAME).exists():
            _fail(f"interrupted; the documents done so far are kept in {out / DEFAULT_WORK_DIR}: continue with "
                  f"{_resume_command()}", EXIT_INTERRUPTED)
        _fail("interrupted before any document was done; nothing to resume", EXIT_INTERRUPTED)
    except OSError as error:
        logger.debug("fatal", exc_info=True)
        resumable = (out / DEFAULT_WORK_DIR / DEFAULT_JOURNAL_NAME).exists()
        _fail(f"{error.__class__.__name__}: {error}" + ("; fix it, then continue with --resume" if resumable else ""),
              EXIT_FATAL)
    except Exception as error:  # a bug: one line here, the traceback in the --debug log
        logger.debug("fatal", exc_info=True)
        hint = f"traceback in {log_file}" if debug else "run with --debug for the traceback"
        _fail(f"{error.__class__.__name__}: {error} ({hint})", EXIT_FATAL)
    typer.echo(summary.line(), err=True)
    if summary.skipped_line():
        typer.echo(summary.skipped_line(), err=True)
    if not summary.documents and not summary.errors:
        _fail(f"no documents found in {', '.join(inputs)}", EXIT_USAGE)
    if review:
        _write_review_page(out)
    if summary.errors:
        typer.echo(f"{summary.errors} document(s) failed; see {out / 'errors.csv'}", err=True)
        raise typer.Exit(EXIT_PARTIAL)


@app.command(cls=PlainHelpCommand)
def evaluate(
    gold_dir: Path = typer.Argument(..., help="Folder of gold *.json files (devset format)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the full report (with the error list) as JSON."),
    model: Optional[str] = typer.Option(None, "--model", help="Base model: package name or path."),
    fields: Optional[List[str]] = typer.Option(None, "--field", help="Only these fields' failures (repeatable): drivers, hometown, team, car, quotes, speakers."),
    show_all: bool = typer.Option(False, "--all", help="Print every failure, not the first --show-errors per field."),
    show_errors: int = typer.Option(10, "--show-errors", min=0, help="Failures printed per field (0: scores only)."),
) -> None:
    """Score the pipeline against gold annotations; then the failures by field, gold against predicted."""
    _setup_logging(False)
    from .api import load_pipeline
    from .base import ModelNotFound
    from .evaluate import FAILURE_FIELDS, GoldFormatError, failure_lines
    from .evaluate import evaluate as run_evaluation

    if not gold_dir.is_dir():
        _fail(f"{gold_dir} is not a folder", EXIT_USAGE)
    unknown = [name for name in fields or [] if name not in FAILURE_FIELDS]
    if unknown:
        _fail(f"unknown --field {', '.join(unknown)}; choose from {', '.join(FAILURE_FIELDS)}", EXIT_USAGE)
    if out is not None and out.is_dir():
        _fail(f"--out {out} is a folder; give a file name such as {out / 'report.json'}", EXIT_USAGE)
    try:
        nlp = load_pipeline(model)
        report = run_evaluation(nlp, gold_dir)
    except (GoldFormatError, ModelNotFound) as error:
        _fail(str(error), EXIT_USAGE)
    typer.echo(f"base model: {nlp.meta['motorsport']['base']['name']}")
    for line in report.summary_lines():
        typer.echo(line)
    if show_errors or show_all:
        typer.echo("")
        typer.echo("failures by field (gold → predicted):")
        for line in failure_lines(report, fields, limit=None if show_all else show_errors):
            typer.echo(line)
    if out:
        from .io.writers import atomic_write_text

        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(out, json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
        except OSError as error:
            _fail(f"cannot write {out}: {error.strerror or error}", EXIT_FATAL)
        typer.echo(f"report with every failure: {out}", err=True)


@app.command(cls=PlainHelpCommand)
def show(
    file: Path = typer.Argument(..., help="A press release (.txt .md .html .htm .docx .pdf; .jsonl/.csv/.zip: pick one with --doc)."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write a standalone HTML page here instead of printing."),
    doc: Optional[str] = typer.Option(None, "--doc", help="Which document of a multi-document file: doc id or number (1 = first)."),
    model: Optional[str] = typer.Option(None, "--model", help="Base model: package name or path."),
) -> None:
    """Show what was tagged in one document: entities and quotes as text, or an HTML page (--html) with
    the highlighted text, a drivers table and a quotes table."""
    _setup_logging(False)
    from .api import analyze
    from .base import ModelNotFound
    from .display import describe, write_html

    if not file.exists():
        _fail(f"{file}: no such file", EXIT_USAGE)
    if file.is_dir():
        _fail(f"{file} is a folder; show takes one file", EXIT_USAGE)
    chosen, count, problem = _pick_document(file, doc)
    if chosen is None:
        if count == 0:
            _fail(f"{file}: {problem or 'no document in it'}", EXIT_USAGE)
        _fail(f"--doc {doc!r}: not a doc id or number 1-{count} of {file}", EXIT_USAGE)
    if doc is None and count > 1:
        typer.echo(f"{file} holds {count} documents; showing {chosen.doc_id} (choose with --doc)", err=True)
    try:
        # Only the chosen document goes through the pipeline.
        result = analyze([chosen.text], model=model, keep_docs=True, errors="ignore")
    except ModelNotFound as error:
        _fail(str(error), EXIT_USAGE)
    except Exception as error:  # a bug: one line, no traceback
        _fail(f"{error.__class__.__name__}: {error}", EXIT_FATAL)
    if len(result.errors):
        _fail(f"{chosen.doc_id}: {result.errors['message'].iloc[0]}", EXIT_USAGE)
    spacy_doc = result.doc(0)
    if html:
        try:
            write_html(spacy_doc, html, title=chosen.doc_id)
        except OSError as error:
            _fail(f"cannot write {html}: {error.strerror or error}", EXIT_FATAL)
        typer.echo(f"wrote {html}", err=True)
    else:
        for line in describe(spacy_doc):
            typer.echo(line)


@app.command(cls=PlainHelpCommand)
def review(
    out_dir: Path = typer.Argument(..., metavar="OUT_DIR", help="Output folder of a `motorsport-nlp run`."),
    html: Optional[Path] = typer.Option(None, "--html", metavar="FILE", help="Where to write the page (default: OUT_DIR/review.html)."),
    low_confidence: Optional[float] = typer.Option(None, "--low-confidence", metavar="X", min=0.0, max=1.0, help="Quotes below this confidence count as low, a filter of the page (default 0.6)."),
) -> None:
    """Write one self-contained HTML page for editors: every document's text with drivers, teams, cars,
    hometowns and quotes highlighted, a drivers table and a quotes table, filterable."""
    _setup_logging(False)
    _write_review_page(out_dir, html, **({} if low_confidence is None else {"low_confidence": low_confidence}))


def _write_review_page(out_dir: Path, path: Path | None = None, **options) -> None:
    from .review import ReviewInputError, write_review

    try:
        written = write_review(out_dir, path, **options)
    except ReviewInputError as error:
        _fail(str(error), EXIT_USAGE)
    except (OSError, ValueError, KeyError) as error:  # unreadable or foreign tables: one line
        _fail(f"cannot write the review page: {error.__class__.__name__}: {error}", EXIT_FATAL)
    typer.echo(f"wrote {written}", err=True)


def _parse_formats(formats: str) -> tuple[tuple[str, ...], str | None]:
    """(the chosen output formats, lower-cased and without repeats; a one-line problem or None)."""
    from .io.writers import SUPPORTED_FORMATS

    chosen = tuple(dict.fromkeys(part.strip().lower() for part in formats.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in SUPPORTED_FORMATS]
    if unknown or not chosen:
        given = ", ".join(unknown) if unknown else repr(formats)
        return chosen, f"unknown --format {given}; valid formats: {', '.join(SUPPORTED_FORMATS)} (comma-separated)"
    return chosen, None


def _pick_document(file: Path, wanted: str | None):
    """(the wanted document or None, how many documents the file holds, the first
    read problem). Reading is cheap: the file is streamed, no text is kept but one."""
    from .io.readers import SourceDocument, iter_documents

    by_id, by_number, count, problem = None, None, 0, None
    for item in iter_documents([file]):
        if not isinstance(item, SourceDocument):
            problem = problem or item.message  # a broken record does not hide the others
            continue
        count += 1
        if by_id is None and wanted is not None and item.doc_id == wanted:
            by_id = item
        if str(count) == (wanted or "1"):
            by_number = item
    return by_id or by_number, count, problem  # a doc id wins over a number


def _resume_command() -> str:
    """This command line with --resume instead of --force, to copy and paste."""
    import shlex

    arguments = [argument for argument in sys.argv[1:] if argument not in ("--force", "--resume")]
    return shlex.join(["motorsport-nlp", *arguments, "--resume"])


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # `run` says how to resume itself; elsewhere there is nothing to resume
        typer.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
