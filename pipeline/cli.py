"""Command line: ``motorsport-nlp run | evaluate | show``.

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

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Drivers, hometowns, teams, cars and quotes from German motorsport press releases.")


def _setup_logging(debug: bool, log_file: Path | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(logging.WARNING)
    if debug:
        file_handler = logging.FileHandler(log_file or "motorsport-nlp-debug.log", encoding="utf-8")
        file_handler.setLevel(logging.DEBUG)
        handlers.append(file_handler)
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def run(
    inputs: List[str] = typer.Argument(..., help="Files or folders (.txt .md .html .htm .jsonl .csv .zip), or - for stdin."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    model: Optional[str] = typer.Option(None, "--model", help="Base model: package name or path (default: de_core_news_md if installed, else the offline base)."),
    formats: str = typer.Option("csv", "--format", help="Comma-separated: csv, xlsx, parquet."),
    csv_dialect: str = typer.Option("excel-de", "--csv-dialect", help="excel-de (; BOM CRLF) or rfc4180 (, no BOM)."),
    force: bool = typer.Option(False, "--force", help="Overwrite a non-empty output folder."),
    id_field: str = typer.Option("id", "--id-field", help="Id field/column for .jsonl and .csv inputs."),
    text_field: str = typer.Option("text", "--text-field", help="Text field/column for .jsonl and .csv inputs."),
    debug: bool = typer.Option(False, "--debug", help="Log details to motorsport-nlp-debug.log."),
) -> None:
    """Analyse press releases and write documents, entities, drivers, quotes and run.json."""
    _setup_logging(debug)
    from .base import ModelNotFound
    from .batch import OutputExists, run_batch

    format_list = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = set(format_list) - {"csv", "xlsx", "parquet"}
    if unknown or not format_list:
        _fail(f"unknown --format {sorted(unknown)}; choose from csv, xlsx, parquet", EXIT_USAGE)
    if csv_dialect not in ("excel-de", "rfc4180"):
        _fail(f"unknown --csv-dialect {csv_dialect!r}; choose excel-de or rfc4180", EXIT_USAGE)
    try:
        summary = run_batch(inputs, out, model=model, formats=format_list, csv_dialect=csv_dialect, force=force,
                            id_field=id_field, text_field=text_field)
    except (OutputExists, ModelNotFound) as error:
        _fail(str(error), EXIT_USAGE)
    except OSError as error:
        logging.getLogger(__name__).debug("fatal", exc_info=True)
        _fail(f"{error.__class__.__name__}: {error}", EXIT_FATAL)
    typer.echo(summary.line(), err=True)
    if summary.errors:
        typer.echo(f"{summary.errors} document(s) failed; see {out / 'errors.csv'}", err=True)
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def evaluate(
    gold_dir: Path = typer.Argument(..., help="Folder of gold *.json files (devset format)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the full report (with the error list) as JSON."),
    model: Optional[str] = typer.Option(None, "--model", help="Base model: package name or path."),
    show_errors: int = typer.Option(30, "--show-errors", help="How many errors to print (0 for none)."),
) -> None:
    """Score the pipeline against gold annotations."""
    _setup_logging(False)
    from .api import load_pipeline
    from .base import ModelNotFound
    from .evaluate import GoldFormatError
    from .evaluate import evaluate as run_evaluation

    if not gold_dir.is_dir():
        _fail(f"{gold_dir} is not a folder", EXIT_USAGE)
    try:
        nlp = load_pipeline(model)
        report = run_evaluation(nlp, gold_dir)
    except (GoldFormatError, ModelNotFound) as error:
        _fail(str(error), EXIT_USAGE)
    for row in report.errors[:show_errors]:
        typer.echo("  " + json.dumps(row, ensure_ascii=False))
    if len(report.errors) > show_errors:
        typer.echo(f"  … {len(report.errors) - show_errors} more errors (use --out for all)")
    typer.echo(f"base model: {nlp.meta['motorsport']['base']['name']}")
    for line in report.summary_lines():
        typer.echo(line)
    if out:
        from .io.writers import atomic_write_text

        atomic_write_text(out, json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")


@app.command()
def show(
    file: Path = typer.Argument(..., help="A text file (.txt/.md/.html)."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write a standalone HTML page here."),
    model: Optional[str] = typer.Option(None, "--model", help="Base model: package name or path."),
) -> None:
    """Render a document's entities and quotes with displaCy."""
    _setup_logging(False)
    from .api import load_pipeline
    from .display import render_html
    from .io.readers import ReadFailure, iter_documents

    results = list(iter_documents([file]))
    if not results or isinstance(results[0], ReadFailure):
        message = results[0].message if results else "nothing to read"
        _fail(f"{file}: {message}", EXIT_USAGE)
    nlp = load_pipeline(model)
    doc = nlp(results[0].text)
    page = render_html(doc, title=results[0].doc_id)
    if html:
        from .io.writers import atomic_write_text

        atomic_write_text(html, page)
        typer.echo(f"wrote {html}", err=True)
    else:
        for ent in doc.ents:
            typer.echo(f"{ent.label_:<13} {ent.text}  → {ent._.canonical}")
        for quote in doc._.quotes or []:
            typer.echo(f"QUOTE {quote['speaker'] or '?'} [{quote['method']}]: {quote['quote'][:80]}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
