"""Rendering one document in notebooks and as a page, and the `show` command."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.display import LABEL_COLOURS, describe, render, render_html, write_html

RELEASE = (
    "Doppelsieg am Sachsenring\n\n"
    "Marlene Quastenberg (Zwickau) gewann im Porsche 911 GT3 R des Teams Vogtland Racing. "
    "„Das Auto war <b>perfekt</b>“, sagte Quastenberg.\n\n"
    "„Wir sind stolz auf beide Fahrer“, erklärte Teamchef Ottokar Brühling."
)


@pytest.fixture(scope="module")
def doc(offline_nlp):
    return offline_nlp(RELEASE)


class _PageCheck(HTMLParser):
    """Collects what a browser would see: tags, the charset and the visible text."""

    def __init__(self, skip_class: str | None = None) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.charset = None
        self.text = ""
        self.skip_class = skip_class
        self.skipping = 0  # depth inside an element of skip_class
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.charset = dict(attrs).get("charset", self.charset)
        self.in_style = tag in ("style", "script")
        if self.skipping or (self.skip_class and self.skip_class in (dict(attrs).get("class") or "").split()):
            self.skipping += 1

    def handle_endtag(self, tag):
        self.in_style = False
        if self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and not self.in_style:
            self.text += data


def test_render_returns_markup_with_names_labels_quotes_and_our_colours(doc) -> None:
    markup = render(doc, jupyter=False)

    check = _PageCheck()
    check.feed(markup)
    for label in ("DRIVER", "HOMETOWN", "TEAM", "CAR", "PERSON", "QUOTE: Marlene Quastenberg",
                  "QUOTE: Ottokar Brühling"):
        assert label in check.text
    assert "DRIVER → Marlene Quastenberg" in check.text  # the surname mention shows what it was resolved to
    for label in ("DRIVER", "TEAM", "QUOTE"):
        assert LABEL_COLOURS[label] in markup
    assert markup.count('class="hl-text"') == 1


def test_render_keeps_the_original_spacing_and_punctuation(offline_nlp) -> None:
    doc = offline_nlp("Julien Pardaillan (Frankreich) siegte vor Ines Wohlrab, der Titelverteidigerin.\n\n"
                      "„Perfekt!“, sagte Pardaillan.")
    markup = render(doc, jupyter=False)
    check = _PageCheck(skip_class="hl-label")
    check.feed(markup[markup.index('<div class="hl-text">'):])  # after the legend

    # The text without the label badges is the document's text, character for character.
    assert check.text == doc.text
    assert "( Frankreich )" not in check.text and "Wohlrab , der" not in check.text


def test_render_in_jupyter_displays_and_returns_nothing(doc, monkeypatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))

    assert render(doc, jupyter=True) is None
    assert len(shown) == 1 and "QUOTE: Ottokar Brühling" in shown[0].data


def test_render_html_is_a_standalone_utf8_page(doc) -> None:
    page = render_html(doc, title="Sachsenring <Sonntag>")

    check = _PageCheck()
    check.feed(page)
    assert page.startswith("<!DOCTYPE html>")
    assert check.charset == "utf-8"
    assert check.tags[:2] == ["html", "head"] and "body" in check.tags
    assert "<title>Sachsenring &lt;Sonntag&gt;</title>" in page
    assert "Marlene Quastenberg" in check.text and "Brühling" in check.text
    assert "QUOTE: Marlene Quastenberg" in check.text
    assert "<b>" not in page and "&lt;b&gt;" in page  # text from the release is escaped


def test_speaker_labels_are_escaped(doc) -> None:
    quotes = doc._.quotes
    original = quotes[0]["speaker"]
    quotes[0]["speaker"] = "<img src=x onerror=alert(1)>"
    try:
        markup = render(doc, jupyter=False)
    finally:
        quotes[0]["speaker"] = original

    assert "<img" not in markup and "QUOTE: &lt;img src=x" in markup


def test_write_html_creates_the_folder_with_drivers_and_quotes_tables(doc, tmp_path: Path) -> None:
    path = write_html(doc, tmp_path / "seiten" / "bericht.html")

    page = path.read_text(encoding="utf-8")
    assert "<h2>Drivers</h2>" in page and "<h2>Quotes</h2>" in page
    assert "Teamchef" in page and "after_cue" in page
    drivers_table = page[page.index('id="drivers-table"'):page.index("<h2>Quotes</h2>")]
    # The driver's row gives team and car, each with the sentence that states it.
    assert "Marlene Quastenberg" in drivers_table and "Vogtland Racing" in drivers_table
    assert "Porsche 911 GT3 R" in drivers_table and 'class="evidence"' in drivers_table


def test_describe_lists_entities_and_attributed_quotes(doc) -> None:
    lines = describe(doc)

    assert "DRIVER        Marlene Quastenberg" in lines
    assert "DRIVER        Quastenberg  → Marlene Quastenberg" in lines
    assert "QUOTE: Ottokar Brühling [after_cue] „Wir sind stolz auf beide Fahrer“" in lines


# --------------------------------------------------------------------------- motorsport-nlp show


@pytest.fixture()
def release_file(tmp_path: Path) -> Path:
    path = tmp_path / "sachsenring.txt"
    path.write_text(RELEASE, encoding="utf-8")
    return path


def test_show_prints_entities_and_quotes(release_file: Path) -> None:
    outcome = CliRunner().invoke(app, ["show", str(release_file)])

    assert outcome.exit_code == 0, outcome.output
    assert "HOMETOWN      Zwickau" in outcome.stdout
    assert "TEAM          Vogtland Racing" in outcome.stdout
    assert "QUOTE: Marlene Quastenberg [after_cue]" in outcome.stdout


def test_show_html_writes_the_page(release_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "html" / "seite.html"

    outcome = CliRunner().invoke(app, ["show", str(release_file), "--html", str(target)])

    assert outcome.exit_code == 0, outcome.output
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<title>sachsenring</title>" in page
    assert "QUOTE: Ottokar Brühling" in page and LABEL_COLOURS["DRIVER"] in page
    assert 'id="drivers-table"' in page and 'id="quotes-table"' in page
    assert outcome.stdout == ""  # the listing is for the terminal only


def test_show_picks_a_document_of_a_jsonl_file(tmp_path: Path) -> None:
    archive = tmp_path / "archiv.jsonl"
    records = [{"id": "pm-1", "text": "Ludger Wimmelbach (Görlitz) gewann."}, {"id": "pm-2", "text": RELEASE}]
    archive.write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in records), encoding="utf-8")

    by_number = CliRunner().invoke(app, ["show", str(archive), "--doc", "2"])
    by_id = CliRunner().invoke(app, ["show", str(archive), "--doc", "archiv/pm-2"])
    first = CliRunner().invoke(app, ["show", str(archive)])
    wrong = CliRunner().invoke(app, ["show", str(archive), "--doc", "7"])

    assert by_number.stdout == by_id.stdout and "Vogtland Racing" in by_number.stdout
    assert "Wimmelbach" in first.stdout and "holds 2 documents; showing archiv/pm-1" in first.stderr
    assert wrong.exit_code == 2 and "not a doc id or number 1-2" in wrong.stderr


@pytest.mark.parametrize("case", ["missing", "folder", "empty"])
def test_show_fails_with_one_line_and_exit_code_2(tmp_path: Path, case: str) -> None:
    target = {"missing": tmp_path / "fehlt.txt", "folder": tmp_path, "empty": tmp_path / "leer.txt"}[case]
    if case == "empty":
        target.write_text(" \n", encoding="utf-8")

    # A real process: what a user sees, traceback or not.
    outcome = subprocess.run([sys.executable, "-m", "pipeline", "show", str(target)], capture_output=True,
                             text=True, timeout=120)

    assert outcome.returncode == 2
    assert outcome.stdout == ""
    assert len(outcome.stderr.strip().splitlines()) == 1, outcome.stderr
    assert outcome.stderr.startswith("error: ") and "Traceback" not in outcome.stderr
    assert {"missing": "no such file", "folder": "is a folder", "empty": "no text"}[case] in outcome.stderr
