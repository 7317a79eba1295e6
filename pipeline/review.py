"""The editors' review page: one self-contained HTML file for a batch.

>>> from pipeline.review import write_review
>>> write_review("out/samples")            # writes out/samples/review.html

It is drawn from the run's output tables: ``documents`` carries the normalised
text, ``entities`` and ``quotes`` carry character offsets into it. Per document
the text shows drivers, teams, cars, hometowns and quotes highlighted; a drivers
table gives each driver's hometown, team and car with the evidence (the mention
of that value nearest to a mention of the driver, linked to it in the text),
and a quotes table gives speaker, method and confidence. Filters: document,
driver, low-confidence quotes.

The page makes no network request: CSS and JavaScript are inline, and a
Content-Security-Policy forbids loading anything. Every text from the tables is
HTML-escaped; the script only shows and hides elements.
"""

from __future__ import annotations

import bisect
import html
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .highlight import HIGHLIGHT_CSS, QUOTE_KIND, Highlight, highlight_html, legend_html

DEFAULT_REVIEW_NAME = "review.html"
DEFAULT_TITLE = "motorsport-nlp review"
DEFAULT_LOW_CONFIDENCE = 0.6  # quotes below this (weak descriptions, pronouns, unresolved) are "low"
DEFAULT_EVIDENCE_GAP = 160  # characters between driver and value mention still shown as one snippet
DEFAULT_EVIDENCE_CONTEXT = 30  # characters of context before and after an evidence snippet
REVIEW_TABLES = ("documents", "entities", "drivers", "quotes")
OPTIONAL_TABLES = ("errors",)  # shown when present: the inputs that failed or were skipped
ERROR_COLUMNS = ("doc_id", "source", "stage", "error_kind", "message")
DRIVER_FIELDS = {"hometown": "HOMETOWN", "team": "TEAM", "car": "CAR"}  # drivers column -> entity label
UNKNOWN_SPEAKER = "?"
CANONICAL_ARROW = " → "

# default-src 'none': no fonts, images, scripts, frames or fetches from anywhere; inline CSS/JS only.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

PAGE_CSS = """
body { font: 16px/1.45 system-ui, sans-serif; color: #222; max-width: 72em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin: 0 0 0.3em; } h2 { font-size: 1.2em; margin: 1.6em 0 0.4em; }
.meta { color: #555; margin: 0 0 1em; }
.filters { position: sticky; top: 0; z-index: 2; background: #f6f6f6; border: 1px solid #ddd; border-radius: 6px;
  padding: 0.5em 0.8em; display: flex; flex-wrap: wrap; gap: 0.6em 1.4em; align-items: center; }
.filters select { max-width: 22em; }
#f-count { color: #555; margin-left: auto; }
table.review { border-collapse: collapse; width: 100%; font-size: 0.92em; }
table.review th, table.review td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left;
  vertical-align: top; }
table.review th { background: #eee; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.low td { background: #fff0f0; }
.evidence { display: block; color: #555; font-size: 0.85em; }
.evidence strong { color: #000; }
.missing { color: #999; }
section.doc { border-top: 2px solid #ccc; margin-top: 1.5em; }
section.doc h3 { font-size: 1.05em; margin: 0.8em 0 0.3em; overflow-wrap: anywhere; }
.source { color: #777; font-weight: normal; font-size: 0.85em; }
[hidden] { display: none !important; }
"""

FILTER_SCRIPT = """
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var docSelect = byId("f-doc"), driverSelect = byId("f-driver"), lowBox = byId("f-low");
  function apply() {
    var doc = docSelect.value, driver = driverSelect.value, low = lowBox.checked;
    var shown = {doc: 0, driver: 0, quote: 0};
    document.querySelectorAll(".f-item").forEach(function (el) {
      var kind = el.getAttribute("data-kind");
      var show = !doc || el.getAttribute("data-doc") === doc;
      if (driver) {
        show = show && (kind === "doc" ? JSON.parse(el.getAttribute("data-drivers")).indexOf(driver) >= 0
                                       : el.getAttribute("data-driver") === driver);
      }
      if (low && kind !== "driver") { show = show && el.getAttribute("data-low") === "1"; }
      el.hidden = !show;
      if (show) { shown[kind] += 1; }
    });
    document.querySelectorAll("mark.hl-DRIVER").forEach(function (mark) {
      mark.classList.toggle("hl-focus", !!driver && mark.getAttribute("data-driver") === driver);
    });
    var count = function (n, noun) { return n + " " + noun + (n === 1 ? "" : "s"); };
    byId("f-count").textContent = count(shown.doc, "document") + ", " + count(shown.driver, "driver") + ", "
      + count(shown.quote, "quote") + " shown";
  }
  [docSelect, driverSelect, lowBox].forEach(function (el) { el.addEventListener("change", apply); });
  apply();
})();
"""


class ReviewInputError(ValueError):
    """The folder does not hold the tables of a run."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a driver's field value is stated: the value mention and a snippet around it."""

    anchor: str  # id of the value's mark in the text
    before: str
    value: str
    between: str  # text up to the driver mention (empty when shown alone)
    driver: str
    after: str
    value_first: bool


def write_review(out_dir: str | Path, path: str | Path | None = None, *, title: str | None = None,
                 low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> Path:
    """Write the review page of the run in ``out_dir`` (default ``out_dir/review.html``); return its path."""
    from .io.writers import atomic_write_text

    folder = Path(out_dir)
    tables = read_run_tables(folder)
    target = Path(path) if path is not None else folder / DEFAULT_REVIEW_NAME
    page = review_html(tables, title=title or f"{DEFAULT_TITLE}: {folder.resolve().name}",
                       low_confidence=low_confidence)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(target, page)


def read_run_tables(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The documents, entities, drivers and quotes tables of a run: Parquet, else CSV, else tables.xlsx."""
    from .io.writers import DEFAULT_XLSX_NAME

    folder = Path(out_dir)
    if not folder.is_dir():
        raise ReviewInputError(f"{folder} is not a folder")
    dialect = _csv_dialect_of(folder)
    workbook: dict[str, pd.DataFrame] | None = None
    tables = {}
    for name in (*REVIEW_TABLES, *OPTIONAL_TABLES):
        parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        if parquet.is_file():
            tables[name] = pd.read_parquet(parquet)
        elif csv.is_file():
            from .io.writers import read_csv

            tables[name] = read_csv(csv, dialect=dialect or _sniff_dialect(csv))
        elif (folder / DEFAULT_XLSX_NAME).is_file():
            if workbook is None:
                workbook = pd.read_excel(folder / DEFAULT_XLSX_NAME, sheet_name=None)
            if name in workbook:
                tables[name] = workbook[name]
            elif name not in OPTIONAL_TABLES:
                raise ReviewInputError(f"{folder / DEFAULT_XLSX_NAME} has no {name} sheet")
        elif name not in OPTIONAL_TABLES:
            raise ReviewInputError(f"{folder} holds no {name} table (.parquet, .csv or {DEFAULT_XLSX_NAME}): "
                                   "give the output folder of `motorsport-nlp run`")
    return tables


def review_html(tables: Mapping[str, pd.DataFrame], *, title: str = DEFAULT_TITLE,
                low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> str:
    """The whole page for ``tables`` (as written by a run, or ``AnalysisResult.tables``)."""
    documents = _records(tables["documents"])
    entities = _by_doc(_records(tables["entities"]))
    drivers = _by_doc(_records(tables["drivers"]))
    quotes = _by_doc(_records(tables["quotes"]))
    anchors = {str(doc["doc_id"]): f"doc-{number}" for number, doc in enumerate(documents, start=1)}

    sections, driver_rows, quote_rows = [], [], []
    for doc in documents:
        doc_id = _text(doc.get("doc_id"))
        text = _text(doc.get("text"))
        anchor = anchors[doc_id]
        doc_entities = [row for row in entities.get(doc_id, []) if _valid_span(row, text)]
        doc_quotes = quotes.get(doc_id, [])
        doc_drivers = drivers.get(doc_id, [])
        low_quotes = [_is_low(quote, low_confidence) for quote in doc_quotes]
        sections.append(_document_section(doc, anchor, text, doc_entities, doc_quotes, low_quotes,
                                          [_text(row.get("driver")) for row in doc_drivers]))
        finder = _EvidenceFinder(text, doc_entities, anchor)
        driver_rows += [_driver_row(row, doc_id, anchor, finder) for row in doc_drivers]
        quote_rows += [_quote_row(quote, doc_id, anchor, low, _valid_span(quote, text))
                       for quote, low in zip(doc_quotes, low_quotes)]

    all_drivers = sorted({_text(row.get("driver")) for rows in drivers.values() for row in rows} - {""},
                         key=str.casefold)
    n_low = sum(1 for rows in quotes.values() for quote in rows if _is_low(quote, low_confidence))
    heading = html.escape(title)
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{heading}</title>\n<style>{PAGE_CSS}{HIGHLIGHT_CSS}</style>\n</head>\n<body>\n",
        f"<h1>{heading}</h1>\n",
        f'<p class="meta">{_count(len(documents), "document")}, '
        f'{_count(sum(map(len, drivers.values())), "driver")}, {_count(sum(map(len, quotes.values())), "quote")} '
        f"({n_low} below confidence {low_confidence:g})</p>\n",
        _filters_html(documents, all_drivers, low_confidence),
        "<h2>Drivers</h2>\n",
        _table(("Document", "Driver", "Hometown", "Team", "Car", "Quotes"), driver_rows, "drivers-table"),
        "<h2>Quotes</h2>\n",
        _table(("Document", "#", "Speaker", "Role", "Method", "Confidence", "Quote"), quote_rows, "quotes-table"),
        _errors_html(tables.get("errors")),
        "<h2>Documents</h2>\n",
        *sections,
        f"<script>{FILTER_SCRIPT}</script>\n</body>\n</html>\n",
    ])


def document_highlights(entities: list[dict], quotes: list[dict], low_quotes: list[bool] | None = None,
                        anchor: str = "doc") -> list[Highlight]:
    """Highlights of entity rows and quote rows (table rows or ``doc._.quotes``), with link targets."""
    highlights = []
    for row in entities:
        label, text, canonical = _text(row.get("label")), _text(row.get("text")), _text(row.get("canonical"))
        start, end = int(row["start_char"]), int(row["end_char"])
        shown = label + (CANONICAL_ARROW + canonical if canonical and canonical != text else "")
        data = (("driver", canonical or text),) if label == "DRIVER" else ()
        highlights.append(Highlight(start, end, label, shown, data=data, anchor=f"{anchor}-e{start}"))
    for number, quote in enumerate(quotes):
        low = bool(low_quotes and low_quotes[number])
        speaker = _text(quote.get("speaker")) or UNKNOWN_SPEAKER
        confidence = _number(quote.get("confidence"))
        label = f"QUOTE: {speaker}" + (f" ({confidence:.2f})" if low and confidence is not None else "")
        start, end = _number(quote.get("start_char")), _number(quote.get("end_char"))
        if start is None or end is None:
            continue
        highlights.append(Highlight(int(start), int(end), QUOTE_KIND, label, classes=("hl-low",) if low else (),
                                    anchor=f"{anchor}-q{int(start)}",
                                    title=f"{_text(quote.get('method'))} {confidence if confidence is not None else ''}"))
    return highlights


class _EvidenceFinder:
    """For a driver's field value: the mention of it nearest to a mention of the driver."""

    def __init__(self, text: str, entities: list[dict], anchor: str) -> None:
        self.text, self.anchor = text, anchor
        self.values: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.drivers: dict[str, list[dict]] = defaultdict(list)
        for row in entities:
            label = _text(row.get("label"))
            names = {_fold(row.get("canonical")), _fold(row.get("text"))} - {""}
            for name in names:
                if label == "DRIVER":
                    self.drivers[name].append(row)
                else:
                    self.values[(label, name)].append(row)
        for rows in (*self.drivers.values(), *self.values.values()):
            rows.sort(key=lambda row: int(row["start_char"]))  # for the bisection in _nearest()

    def find(self, driver: str, label: str, value: str) -> Evidence | None:
        candidates = self.values.get((label, _fold(value)))
        if not candidates:
            return None
        mentions = self.drivers.get(_fold(driver), [])
        if not mentions:
            candidate, near, gap = candidates[0], None, None
        else:
            # Walk the shorter list and bisect into the longer: a driver with many mentions, or a
            # value named in every line, costs O(min · log max), not their product.
            if len(candidates) <= len(mentions):
                pairs = [(gap, mention, candidate) for candidate in candidates
                         for gap, mention in [_nearest(candidate, mentions)]]
            else:
                pairs = [(gap, mention, candidate) for mention in mentions
                         for gap, candidate in [_nearest(mention, candidates)]]
            gap, near, candidate = min(pairs, key=lambda item: (item[0], int(item[2]["start_char"])))
        start, end = int(candidate["start_char"]), int(candidate["end_char"])
        anchor = f"{self.anchor}-e{start}"
        if near is None or gap is None or gap > DEFAULT_EVIDENCE_GAP:
            return Evidence(anchor, self._before(start), self.text[start:end], "", "", self._after(end), True)
        near_start, near_end = int(near["start_char"]), int(near["end_char"])
        if start < near_start:
            return Evidence(anchor, self._before(start), self.text[start:end], self.text[end:near_start],
                            self.text[near_start:near_end], self._after(near_end), True)
        return Evidence(anchor, self._before(near_start), self.text[start:end], self.text[near_end:start],
                        self.text[near_start:near_end], self._after(end), False)

    def _before(self, start: int) -> str:
        piece = self.text[max(start - DEFAULT_EVIDENCE_CONTEXT, 0):start].split("\n")[-1]
        if start - len(piece) > 0 and self.text[start - len(piece) - 1] != "\n":
            return "…" + piece.split(" ", 1)[-1] if " " in piece else "…"  # from a whole word on
        return piece

    def _after(self, end: int) -> str:
        piece = self.text[end:end + DEFAULT_EVIDENCE_CONTEXT].split("\n")[0]
        if end + len(piece) < len(self.text) and self.text[end + len(piece)] != "\n":
            return (piece.rsplit(" ", 1)[0] if " " in piece else "") + "…"  # up to a whole word
        return piece


def _nearest(row: dict, others: list[dict]) -> tuple[int, dict]:
    """(gap in characters, the row of ``others`` nearest to ``row``); ``others`` sorted by start."""
    start, end = int(row["start_char"]), int(row["end_char"])
    position = bisect.bisect_left(others, start, key=lambda other: int(other["start_char"]))
    return min(((max(int(other["start_char"]) - end, start - int(other["end_char"]), 0), other)
                for other in others[max(position - 1, 0):position + 1]), key=lambda item: item[0])


def _document_section(doc: dict, anchor: str, text: str, entities: list[dict], quotes: list[dict],
                      low_quotes: list[bool], drivers: list[str]) -> str:
    highlights = document_highlights(entities, quotes, low_quotes, anchor)
    doc_id = _text(doc.get("doc_id"))
    source = _text(doc.get("source"))
    return (
        f'<section class="doc f-item" id="{anchor}" data-kind="doc" data-doc="{_attr(doc_id)}" '
        f'data-drivers="{_attr(json.dumps(sorted(set(drivers)), ensure_ascii=False))}" '
        f'data-low="{int(any(low_quotes))}">\n'
        f"<h3>{html.escape(doc_id)}" + (f' <span class="source">{html.escape(source)}</span>' if source else "")
        + "</h3>\n"
        + legend_html(sorted({span.kind for span in highlights}))
        + highlight_html(text, highlights) + "\n</section>\n"
    )


def _driver_row(row: dict, doc_id: str, anchor: str, finder: _EvidenceFinder) -> str:
    driver = _text(row.get("driver"))
    cells = [_doc_link(doc_id, anchor), html.escape(driver)]
    for column, label in DRIVER_FIELDS.items():
        value = _text(row.get(column))
        if not value:
            cells.append('<span class="missing">–</span>')
            continue
        evidence = finder.find(driver, label, value)
        cells.append(html.escape(value) + (_evidence_html(evidence) if evidence else
                                           ' <span class="evidence missing">(no mention found)</span>'))
    cells.append(html.escape(_text(row.get("n_quotes"))))
    return (f'<tr class="f-item" data-kind="driver" data-doc="{_attr(doc_id)}" data-driver="{_attr(driver)}">'
            + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n")


def _evidence_html(evidence: Evidence) -> str:
    value = f"<strong>{html.escape(evidence.value)}</strong>"
    driver = f"<em>{html.escape(evidence.driver)}</em>"
    between = html.escape(_shortened(evidence.between))
    middle = (value + between + driver) if evidence.value_first else (driver + between + value)
    if not evidence.driver:
        middle = value
    return (f'<a class="evidence" href="#{_attr(evidence.anchor)}">{html.escape(evidence.before)}{middle}'
            f"{html.escape(evidence.after)}</a>")


def _shortened(text: str) -> str:
    # The words right after one mention and right before the other carry the link; the middle is elided.
    if len(text) <= 2 * DEFAULT_EVIDENCE_CONTEXT:
        return text
    head = text[:DEFAULT_EVIDENCE_CONTEXT].rsplit(" ", 1)[0]
    tail = text[-DEFAULT_EVIDENCE_CONTEXT:].split(" ", 1)[-1]
    return f"{head} … {tail}"


def _quote_row(quote: dict, doc_id: str, anchor: str, low: bool, in_text: bool) -> str:
    confidence = _number(quote.get("confidence"))
    speaker = _text(quote.get("speaker"))
    quote_text = html.escape(_text(quote.get("quote")))
    if in_text:
        quote_text = f'<a href="#{anchor}-q{int(quote["start_char"])}">{quote_text}</a>'
    cells = [_doc_link(doc_id, anchor), html.escape(_text(quote.get("quote_id"))),
             html.escape(speaker) if speaker else f'<span class="missing">{UNKNOWN_SPEAKER}</span>',
             html.escape(_text(quote.get("speaker_role"))), html.escape(_text(quote.get("method"))),
             "" if confidence is None else f"{confidence:.2f}", quote_text]
    classes = "f-item low" if low else "f-item"
    return (f'<tr class="{classes}" data-kind="quote" data-doc="{_attr(doc_id)}" data-driver="{_attr(speaker)}" '
            f'data-low="{int(low)}">'
            + "".join(f'<td class="num">{cell}</td>' if position in (1, 5) else f"<td>{cell}</td>"
                      for position, cell in enumerate(cells)) + "</tr>\n")


def _errors_html(errors: pd.DataFrame | None) -> str:
    """The inputs that failed or were skipped (errors.csv), so an editor knows what the page lacks."""
    rows = _records(errors) if errors is not None else []
    if not rows:
        return ""
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(_text(row.get(column)))}</td>" for column in ERROR_COLUMNS)
                    + "</tr>\n" for row in rows)
    return (f"<h2>Inputs not analysed ({len(rows)})</h2>\n"
            + _table(("Document", "Source", "Stage", "Kind", "Message"), [cells], "errors-table"))


def _filters_html(documents: list[dict], drivers: list[str], low_confidence: float) -> str:
    doc_options = "".join(f'<option value="{_attr(_text(doc.get("doc_id")))}">{html.escape(_text(doc.get("doc_id")))}'
                          "</option>" for doc in documents)
    driver_options = "".join(f'<option value="{_attr(name)}">{html.escape(name)}</option>' for name in drivers)
    return (
        '<div class="filters">\n'
        f'<label>Document <select id="f-doc"><option value="">all</option>{doc_options}</select></label>\n'
        f'<label>Driver <select id="f-driver"><option value="">all</option>{driver_options}</select></label>\n'
        f'<label><input type="checkbox" id="f-low"> only quotes below confidence {low_confidence:g} '
        "(or without speaker)</label>\n"
        '<span id="f-count"></span>\n</div>\n'
    )


def _table(header: tuple[str, ...], rows: list[str], table_id: str) -> str:
    if not rows:
        return f'<p class="missing" id="{table_id}">none</p>\n'
    head = "".join(f"<th>{name}</th>" for name in header)
    return f'<table class="review" id="{table_id}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + \
        "".join(rows) + "</tbody>\n</table>\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _doc_link(doc_id: str, anchor: str) -> str:
    return f'<a href="#{anchor}">{html.escape(doc_id)}</a>'


def _is_low(quote: dict, threshold: float) -> bool:
    confidence = _number(quote.get("confidence"))
    return not _text(quote.get("speaker")) or confidence is None or confidence < threshold


def _valid_span(row: dict, text: str) -> bool:
    start, end = _number(row.get("start_char")), _number(row.get("end_char"))
    return start is not None and end is not None and 0 <= start < end <= len(text)


def _records(frame: pd.DataFrame) -> list[dict]:
    # NA of any kind becomes None, so the helpers below see plain values.
    return [{key: (None if _is_na(value) else value) for key, value in row.items()}
            for row in frame.to_dict("records")]


def _by_doc(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[_text(row.get("doc_id"))].append(row)
    return grouped


def _is_na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN


def _fold(value: Any) -> str:
    return " ".join(_text(value).casefold().split())


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _csv_dialect_of(folder: Path) -> str | None:
    try:
        return json.loads((folder / "run.json").read_text(encoding="utf-8")).get("csv_dialect")
    except (OSError, ValueError, AttributeError):
        return None


def _sniff_dialect(path: Path) -> str:
    # excel-de files start with a UTF-8 BOM; rfc4180 files do not.
    with open(path, "rb") as handle:
        return "excel-de" if handle.read(3) == b"\xef\xbb\xbf" else "rfc4180"
