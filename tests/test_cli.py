"""What a new user meets first: --version, help text, and the --format check."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

COMMANDS = ("run", "evaluate", "show", "review")


def test_version_prints_the_package_version() -> None:
    outcome = CliRunner().invoke(app, ["--version"])

    assert outcome.exit_code == 0
    assert outcome.stdout.strip() == f"motorsport-nlp {version('motorsport-nlp')}"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_names_not_python_types(command: str) -> None:
    outcome = CliRunner().invoke(app, [command, "--help"], terminal_width=100)

    assert outcome.exit_code == 0
    assert not re.search(r"<(list\[|str>|path>|int|float|bool)", outcome.stdout), outcome.stdout
    assert "{" not in outcome.stdout.splitlines()[0]  # usage line: INPUTS..., not {inputs}...


def test_run_help_names_its_arguments() -> None:
    usage = CliRunner().invoke(app, ["run", "--help"], terminal_width=100).stdout

    assert "run [OPTIONS] INPUTS..." in usage
    assert "--out OUT" in usage and "--format FORMATS" in usage and "--review" in usage


@pytest.mark.parametrize(("given", "named"), [("xls", "xls"), ("csv,XLS,pdf", "xls, pdf"), (" , ", "' , '")])
def test_unknown_formats_are_one_line_listing_the_valid_ones(tmp_path: Path, given: str, named: str) -> None:
    source = tmp_path / "a.txt"
    source.write_text("Ada Lund (Oslo) gewann.", encoding="utf-8")

    # A real process: exactly what the user sees.
    outcome = subprocess.run([sys.executable, "-m", "pipeline", "run", str(source), "--out", str(tmp_path / "out"),
                              "--format", given], capture_output=True, text=True, timeout=120)

    assert outcome.returncode == 2
    assert outcome.stderr == (f"error: unknown --format {named}; valid formats: csv, xlsx, parquet "
                              "(comma-separated)\n")
    assert "[" not in outcome.stderr  # not a Python list
    assert not (tmp_path / "out").exists()


def test_formats_are_case_insensitive(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("Ada Lund (Oslo) gewann im Audi R8 LMS.", encoding="utf-8")

    outcome = CliRunner().invoke(app, ["run", str(source), "--out", str(tmp_path / "out"), "--format", "CSV,Parquet"])

    assert outcome.exit_code == 0, outcome.output
    assert (tmp_path / "out" / "drivers.csv").is_file() and (tmp_path / "out" / "drivers.parquet").is_file()
