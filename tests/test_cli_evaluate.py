"""``motorsport-nlp evaluate``: scores, then failures by field that can be read; --field, --all, --out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

RELEASE = ("Lena Hofbauer (Rosenheim) gewann im Porsche 911 GT3 R von Falkenstein Motorsport.\n\n"
           "„Das war knapp“, sagte Hofbauer. Teamkollege Malte Vogelsang (Wetzlar) wurde Zweiter.")


def gold_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "gold"
    folder.mkdir()
    record = {
        "id": "lauf-1", "text": RELEASE,
        # Deliberately wrong gold, so failures of several fields show.
        "drivers": [{"name": "Lena Hofbauer", "hometown": "Passau", "team": "Falkenstein Motorsport",
                     "car": "Porsche 911 GT3 R"},
                    {"name": "Ida Ambrosius", "hometown": None, "team": None, "car": None}],
        "people": [], "teams": ["Falkenstein Motorsport"], "cars": ["Porsche 911 GT3 R"],
        "quotes": [{"start": "Das war knapp", "speaker": "Malte Vogelsang"}],
    }
    (folder / "lauf-1.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return gold_folder(tmp_path_factory.mktemp("eval"))


def invoke(*args: str):
    return CliRunner().invoke(app, ["evaluate", *args])


def test_failures_are_printed_by_field_with_doc_gold_and_predicted(folder: Path) -> None:
    result = invoke(str(folder))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "failures by field (gold → predicted):" in lines
    assert "drivers: 1 missed_driver, 1 spurious_driver" in lines
    assert any(line.split() == ["missed_driver", "lauf-1", "gold", "'Ida", "Ambrosius'"] for line in lines)
    hometown = next(line for line in lines if line.strip().startswith("wrong_hometown"))
    assert "lauf-1" in hometown and "Lena Hofbauer" in hometown and "gold 'Passau' → predicted 'Rosenheim'" in hometown
    speaker = next(line for line in lines if line.strip().startswith("wrong_speaker"))
    assert "gold 'Malte Vogelsang' → predicted 'Lena Hofbauer'" in speaker and "„Das war knapp“" in speaker
    assert "quotes: no failures" in lines


def test_field_picks_fields_and_all_shows_every_failure(folder: Path) -> None:
    result = invoke(str(folder), "--field", "hometown", "--show-errors", "0", "--all")

    assert result.exit_code == 0, result.output
    failures = result.output.split("failures by field (gold → predicted):")[1].splitlines()
    assert [line for line in failures if line and not line.startswith("  ")] == ["hometown: 1 wrong_hometown"]


def test_show_errors_limits_each_field(folder: Path) -> None:
    result = invoke(str(folder), "--field", "drivers", "--show-errors", "1")

    assert "  … 1 more (--all shows every one, --field drivers only these)" in result.output.splitlines()


def test_unknown_field_is_a_usage_error(folder: Path) -> None:
    result = invoke(str(folder), "--field", "teamchef")
    assert result.exit_code == 2 and "unknown --field teamchef" in result.output


def test_out_into_a_missing_folder_creates_it(folder: Path, tmp_path: Path) -> None:
    report = tmp_path / "neu" / "unter" / "bericht.json"

    result = invoke(str(folder), "--out", str(report), "--show-errors", "0")

    assert result.exit_code == 0, result.output
    assert result.exception is None
    errors = json.loads(report.read_text(encoding="utf-8"))["errors"]
    assert {row["kind"] for row in errors} >= {"missed_driver", "wrong_hometown", "wrong_speaker"}
