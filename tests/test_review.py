"""The editors' review page, read as HTML: content, evidence, escaping, inputs and the commands.

What a browser does with it (filters, layout, no requests) is in test_review_browser.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from helpers import python_steps

from pipeline import analyze
from pipeline.cli import app
from pipeline.review import ReviewInputError, read_run_tables, review_html, write_review

RELEASES = {
    "lauf-1": (
        "Sieg in der Eifel\n\n"
        "Hedda Karlsrud (Norwegen) gewann im Audi R8 LMS des Teams Fjordlicht Racing vor "
        "Bruno Vasselin (Frankreich) im BMW M4 GT3 von Loire Motorsport.\n\n"
        "„Das war mein bestes Rennen“, sagte Karlsrud. „Das Auto lief perfekt.“"
    ),
    "lauf-2": (
        "Regen in Oschersleben\n\n"
        "Teamchef Ansgar Mollwitz sah Timo Quernheim (Bielefeld) im Porsche 911 GT3 R des Teams "
        "Senne Racing auf Platz zwei. „Wir haben gekämpft“, sagte Quernheim."
    ),
}


class _Page(HTMLParser):
    """Tags, attribute names, ids, and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attribute_names: set[str] = set()
        self.attributes: list[dict] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attribute_names |= {name for name, _ in attrs}
        self.attributes.append(dict(attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _parse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    return parsed


@pytest.fixture(scope="module")
def result(offline_nlp):
    frame = pd.DataFrame({"id": list(RELEASES), "text": list(RELEASES.values())})
    return analyze(frame, nlp=offline_nlp, id_column="id")


@pytest.fixture(scope="module")
def run_dir(result, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lauf")
    result.write(folder, formats="csv")
    return folder


def test_write_review_writes_one_page_with_every_document_driver_and_quote(run_dir: Path, result) -> None:
    path = write_review(run_dir)

    assert path == run_dir / "review.html"
    page = path.read_text(encoding="utf-8")
    parsed = _parse(page)
    ids = {attributes.get("id") for attributes in parsed.attributes}
    assert {"drivers-table", "quotes-table", "doc-1", "doc-2", "f-doc", "f-driver", "f-low"} <= ids
    for driver in result.drivers["driver"]:
        assert f'data-kind="driver" data-doc="{result.drivers.loc[result.drivers.driver == driver, "doc_id"].iloc[0]}" ' \
               f'data-driver="{driver}"' in page
    assert page.count('data-kind="quote"') == len(result.quotes) == 3
    assert page.count('data-kind="doc"') == 2
    for method in set(result.quotes["method"]):
        assert f"<td>{method}</td>" in page
    assert "0.95" in page  # confidence, two decimals


def test_the_drivers_table_links_each_value_to_its_mention(run_dir: Path, result) -> None:
    page = review_html(read_run_tables(run_dir))

    row = re.search(r'<tr [^>]*data-driver="Bruno Vasselin">(.*?)</tr>', page).group(1)
    # Evidence: the value mention next to the driver's own mention, not the rival's.
    assert "<strong>BMW M4 GT3</strong>" in row and "<strong>Loire Motorsport</strong>" in row
    assert "<em>Bruno Vasselin</em>" in row
    links = re.findall(r'href="#(doc-1-e\d+)"', row)
    assert len(links) == 3  # hometown, team, car
    text = result.documents["text"].iloc[0]
    for anchor in links:
        start = int(anchor.rsplit("-e", 1)[1])
        assert f'id="{anchor}"' in page
        assert text[start:].startswith(("Frankreich", "BMW M4 GT3", "Loire Motorsport"))


def test_the_text_is_shown_as_written(run_dir: Path, result) -> None:
    page = review_html(read_run_tables(run_dir))

    section = page[page.index('id="doc-1"'):page.index('id="doc-2"')]
    visible = re.sub(r'<span class="hl-label">.*?</span>', "", section[section.index('<div class="hl-text">'):])
    visible = re.sub(r"<[^>]+>", "", visible[:visible.index("</div>")])
    assert visible == RELEASES["lauf-1"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_hostile_text_cannot_inject_markup_or_script(offline_nlp, tmp_path: Path) -> None:
    hostile = ('Jarno Vilkas (Finnland) gewann für <script>window.pwned=1</script> Racing. '
               '„Ich sage nur <img src=x onerror="window.pwned=2">“, sagte Vilkas. '
               '\'"><svg onload=alert(1)> </style></script><!--')
    frame = pd.DataFrame({"id": ['"><script>alert(3)</script>'], "text": [hostile]})
    analyze(frame, nlp=offline_nlp, id_column="id").write(tmp_path, formats="csv")

    page = write_review(tmp_path).read_text(encoding="utf-8")
    parsed = _parse(page)

    assert parsed.tags.count("script") == 1 and "pwned" not in "".join(parsed.scripts)
    assert not {"img", "svg", "iframe", "object", "embed", "link"} & set(parsed.tags)
    assert not {name for name in parsed.attribute_names if name.startswith("on")}
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page


def test_the_page_loads_nothing_from_anywhere(run_dir: Path) -> None:
    page = write_review(run_dir).read_text(encoding="utf-8")
    parsed = _parse(page)

    csp = next(a["content"] for a in parsed.attributes if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    assert not {"src", "srcset", "action", "formaction"} & parsed.attribute_names
    hrefs = [a["href"] for a in parsed.attributes if "href" in a]
    assert hrefs and all(href.startswith("#") for href in hrefs)
    assert "url(" not in page and "@import" not in page


@pytest.mark.parametrize("formats", ["parquet", "xlsx", "csv"])
def test_every_output_format_can_be_reviewed(result, tmp_path: Path, formats: str) -> None:
    result.write(tmp_path, formats=formats, csv_dialect="rfc4180")

    tables = read_run_tables(tmp_path)

    assert tables["documents"]["text"].tolist() == result.documents["text"].tolist()
    assert review_html(tables) == review_html(result.tables)


def test_a_folder_without_tables_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewInputError, match="no documents table"):
        read_run_tables(tmp_path)
    with pytest.raises(ReviewInputError, match="not a folder"):
        read_run_tables(tmp_path / "fehlt")


def test_offsets_outside_the_text_are_skipped(result) -> None:
    tables = dict(result.tables)
    entities = tables["entities"].copy()
    entities.loc[0, ["start_char", "end_char"]] = [10_000, 10_010]
    tables["entities"] = entities

    page = review_html(tables)

    assert "doc-1-e10000" not in page and 'data-kind="doc"' in page


def test_low_confidence_quotes_are_marked(result) -> None:
    page = review_html(result.tables, low_confidence=0.99)  # every quote is below

    assert page.count('data-low="1"') == len(result.quotes) + 2  # every quote row and both documents
    assert "only quotes below confidence 0.99" in page


# --------------------------------------------------------------------------- commands


def test_review_command_writes_the_page(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "seite.html"

    outcome = CliRunner().invoke(app, ["review", str(run_dir), "--html", str(target), "--low-confidence", "0.8"])

    assert outcome.exit_code == 0, outcome.output
    assert "only quotes below confidence 0.8" in target.read_text(encoding="utf-8")
    assert f"wrote {target}" in outcome.stderr


def test_review_command_on_a_wrong_folder_fails_with_one_line(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(app, ["review", str(tmp_path)])

    assert outcome.exit_code == 2
    assert outcome.stderr.startswith("error: ") and len(outcome.stderr.strip().splitlines()) == 1


def test_run_with_review_writes_the_page_beside_the_tables(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, text in RELEASES.items():
        (inputs / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"

    outcome = CliRunner().invoke(app, ["run", str(inputs), "--out", str(out), "--review"])

    assert outcome.exit_code == 0, outcome.output
    page = (out / "review.html").read_text(encoding="utf-8")
    assert 'data-doc="lauf-1"' in page and 'data-doc="lauf-2"' in page
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "complete"


def _crowded_tables(count: int) -> dict[str, pd.DataFrame]:
    """One document naming `count` drivers of one team, the team named after every driver."""
    pieces, entities, drivers = [], [], []
    position = 0
    for number in range(count):
        name, team = f"Fahrer{number} Nachname{number}", "Gleichteam Racing"
        for label, text in (("DRIVER", name), ("TEAM", team)):
            entities.append({"doc_id": "d", "text": text, "label": label, "start_char": position,
                             "end_char": position + len(text), "canonical": text})
            pieces.append(text + " ")
            position += len(text) + 1
        drivers.append({"doc_id": "d", "driver": name, "team": team})
    documents = [{"doc_id": "d", "text": "".join(pieces)}]
    quotes = pd.DataFrame(columns=["doc_id", "quote_id", "quote", "speaker", "confidence", "start_char", "end_char"])
    return {"documents": pd.DataFrame(documents), "entities": pd.DataFrame(entities),
            "drivers": pd.DataFrame(drivers), "quotes": quotes}


def test_a_crowded_document_is_reviewed_in_near_linear_time() -> None:
    def steps(count: int) -> int:
        page, steps = python_steps(review_html, _crowded_tables(count))
        assert page.count('data-kind="driver"') == count
        return steps

    small, large = steps(500), steps(4_000)

    assert large < small * 10  # 8× the drivers: about 8× the work, far from 64×


def test_inputs_that_failed_are_listed(offline_nlp, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "gut.txt").write_text(RELEASES["lauf-1"], encoding="utf-8")
    (inputs / "leer.txt").write_text("  \n", encoding="utf-8")
    (inputs / "kaputt.pdf").write_bytes(b"%PDF-1.4 <script>alert(1)</script>")
    analyze([inputs], nlp=offline_nlp).write(tmp_path / "out", formats="csv")

    page = write_review(tmp_path / "out").read_text(encoding="utf-8")

    table = page[page.index('id="errors-table"'):page.index("<h2>Documents</h2>")]
    assert "Inputs not analysed (2)" in page
    assert "<td>leer</td>" in table and "<td>kaputt</td>" in table and "<td>empty</td>" in table
    assert "<script>alert" not in page


def test_no_failed_inputs_no_errors_section(run_dir: Path) -> None:
    assert "errors-table" not in write_review(run_dir).read_text(encoding="utf-8")
