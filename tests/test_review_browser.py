"""The review page in a real headless browser: Playwright driving the system's Chromium.

Checks what only a browser shows: the filters work, no request leaves the page,
hostile text stays text, and labels never cover text (measured on the laid-out
page and on screenshots). Needs Debian's ``chromium`` (``.ci/run`` installs it);
the tests skip when it is absent, except under CI, where that is a failure.
Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import analyze
from pipeline.review import write_review

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
NARROW_VIEWPORT = {"width": 560, "height": 900}  # many wrapped lines: labels at line ends

RELEASES = {
    "eifel/lauf-1": (
        "Doppelsieg für Fjordlicht Racing\n\n"
        "Hedda Karlsrud (Norwegen) gewann im Audi R8 LMS des Teams Fjordlicht Racing vor Bruno Vasselin "
        "(Frankreich) im BMW M4 GT3 von Loire Motorsport und Timo Quernheim (Bielefeld) im Porsche 911 GT3 R "
        "des Teams Senne Racing.\n\n"
        "„Das war mein bestes Rennen in diesem Jahr, das Auto lief perfekt“, sagte Karlsrud. "
        "„Ein großer Dank an die Mannschaft.“\n\n"
        "„Wir kommen stärker zurück“, versprach Vasselin. Quernheim meinte: „Platz drei ist in Ordnung.“"
    ),
    "lausitz/lauf-2": (
        "Regen am Lausitzring\n\n"
        "Teamchef Ansgar Mollwitz sah Ines Wohlrab (Cottbus) im Mercedes-AMG GT3 von Spree Motorsport vorn. "
        "„Wir haben alles richtig gemacht“, sagte Mollwitz. „Das Team hat die Reifen perfekt vorbereitet.“ "
        "Dahinter kam Jarno Vilkas (Finnland) ins Ziel. „Schwieriges Rennen“, sagte er."
    ),
    "hostile": (
        "Lars Öberg (Schweden) gewann für <script>window.pwned = 1</script> Racing. "
        "„<img src=x onerror=\"window.pwned = 2\"> war ein Spaß“, sagte Öberg. "
        "'\"><svg onload=\"window.pwned = 3\"></svg></style></script><!-- <a href=\"https://example.org\">x</a>"
    ),
}


def _chromium() -> str | None:
    return shutil.which("chromium") or (shutil.which("chromium-browser"))


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        message = "Chromium is not installed (apt-get install -y chromium; .ci/run does this)"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must run the browser tests")
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def review_page(offline_nlp, tmp_path_factory) -> Path:
    frame = pd.DataFrame({"id": list(RELEASES), "text": list(RELEASES.values())})
    folder = tmp_path_factory.mktemp("review")
    analyze(frame, nlp=offline_nlp, id_column="id").write(folder, formats="csv")
    return write_review(folder)


@pytest.fixture()
def page(browser, review_page: Path):
    """The review page, opened fresh; ``page.requests`` lists every request the page made."""
    context = browser.new_context(viewport=NARROW_VIEWPORT)
    page = context.new_page()
    page.requests, page.errors, page.dialogs = [], [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(review_page.as_uri())
    page.wait_for_load_state("load")
    yield page
    context.close()


def _visible(page, selector: str) -> int:
    return page.eval_on_selector_all(selector, "els => els.filter(el => el.offsetParent !== null).length")


# --------------------------------------------------------------------------- no requests, no injection


def test_the_page_makes_no_request_and_runs_no_injected_code(page, review_page: Path) -> None:
    page.click("#f-low")  # exercise the script, then look again
    page.click("#f-low")
    for anchor in page.eval_on_selector_all("a[href]", "els => els.map(el => el.getAttribute('href'))")[:5]:
        page.click(f'a[href="{anchor}"] >> nth=0')

    assert page.requests == [review_page.as_uri()]  # the page itself, nothing else
    assert page.errors == [] and page.dialogs == []
    assert page.evaluate("window.pwned") is None
    assert page.locator("section.doc img, section.doc svg, section.doc script").count() == 0
    assert "<script>window.pwned = 1</script>" in page.inner_text("#doc-3")  # shown as text


# --------------------------------------------------------------------------- filters


def test_the_document_filter_shows_one_document_and_its_rows(page) -> None:
    all_drivers = _visible(page, "#drivers-table tbody tr")

    page.select_option("#f-doc", "lausitz/lauf-2")

    assert _visible(page, "section.doc") == 1 and page.is_visible("#doc-2") and not page.is_visible("#doc-1")
    rows = page.eval_on_selector_all("#drivers-table tbody tr", "els => els.filter(el => el.offsetParent)"
                                     ".map(el => el.dataset.doc)")
    assert rows and set(rows) == {"lausitz/lauf-2"} and len(rows) < all_drivers
    quotes = page.eval_on_selector_all("#quotes-table tbody tr", "els => els.filter(el => el.offsetParent)"
                                       ".map(el => el.dataset.doc)")
    assert quotes and set(quotes) == {"lausitz/lauf-2"}
    assert page.inner_text("#f-count").startswith("1 document,")

    page.select_option("#f-doc", "")
    assert _visible(page, "#drivers-table tbody tr") == all_drivers


def test_the_driver_filter_keeps_that_driver_and_marks_the_mentions(page) -> None:
    page.select_option("#f-driver", "Bruno Vasselin")

    drivers = page.eval_on_selector_all("#drivers-table tbody tr", "els => els.filter(el => el.offsetParent)"
                                        ".map(el => el.dataset.driver)")
    speakers = page.eval_on_selector_all("#quotes-table tbody tr", "els => els.filter(el => el.offsetParent)"
                                         ".map(el => el.dataset.driver)")
    assert drivers == ["Bruno Vasselin"]
    assert speakers and set(speakers) == {"Bruno Vasselin"}
    assert _visible(page, "section.doc") == 1 and page.is_visible("#doc-1")
    focused = page.eval_on_selector_all("mark.hl-focus", "els => els.map(el => el.dataset.driver)")
    assert focused and set(focused) == {"Bruno Vasselin"}


def test_the_low_confidence_filter_keeps_only_weak_quotes(page) -> None:
    total = _visible(page, "#quotes-table tbody tr")

    page.check("#f-low")

    shown = page.eval_on_selector_all("#quotes-table tbody tr", "els => els.filter(el => el.offsetParent)"
                                      ".map(el => el.children[5].textContent)")
    assert len(shown) < total
    assert all(confidence == "" or float(confidence) < 0.6 for confidence in shown)
    hidden_docs = page.eval_on_selector_all("section.doc", "els => els.filter(el => !el.offsetParent)"
                                            ".map(el => el.dataset.low)")
    assert set(hidden_docs) <= {"0"}


# --------------------------------------------------------------------------- labels and text


LABEL_TEXT_OVERLAPS = """() => {
  // Boxes of the label badges, and of every run of text outside them (one box per line fragment).
  const labels = [...document.querySelectorAll('.hl-text .hl-label')].flatMap(el => [...el.getClientRects()]);
  const walker = document.createTreeWalker(document.querySelector('body'), NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('.hl-text') || node.parentElement.closest('.hl-label')) continue;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    texts.push(...[...range.getClientRects()].filter(r => r.width > 0 && r.height > 0));
  }
  const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
                          * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const hits = [];
  labels.forEach((label, i) => {
    texts.forEach(text => { if (overlap(label, text) > 1) hits.push(['text', label.top, text.top]); });
    labels.slice(i + 1).forEach(other => { if (overlap(label, other) > 1) hits.push(['label', label.top, other.top]); });
  });
  return {labels: labels.length, texts: texts.length, hits: hits};
}"""

# Pixels of labels only and of text only: the two screenshots are compared pixel by pixel.
ONLY_LABELS_CSS = """.hl-text, .hl-text * { color: transparent !important; background: transparent !important;
  border-color: transparent !important; outline: none !important; }
.hl-text .hl-label { color: #000 !important; }"""
ONLY_TEXT_CSS = """.hl-text .hl-label { visibility: hidden !important; }
.hl-text mark { background: transparent !important; border-color: transparent !important; }
.hl-text, .hl-text mark { color: #000 !important; }"""
# Like the labels of displaCy's span style: lifted out of the line, onto the text above.
OVERLAPPING_LABELS_CSS = ".hl-text .hl-label { position: relative; top: -1.1em; left: -3em; }"


def _ink(page, css: str):
    """The text area's screenshot with `css` applied, as a set of dark pixels (x, y)."""
    from PIL import Image

    style = page.add_style_tag(content=css)
    try:
        shot = page.locator(".hl-text").first.screenshot()
    finally:
        style.evaluate("el => el.remove()")
    image = Image.open(io.BytesIO(shot)).convert("L")
    width, height = image.size
    pixels = image.load()
    return {(x, y) for y in range(height) for x in range(width) if pixels[x, y] < 160}, image.size


def _shared_ink(page, extra_css: str = "") -> tuple[int, int, int]:
    labels, size = _ink(page, ONLY_LABELS_CSS + extra_css)
    text, same_size = _ink(page, ONLY_TEXT_CSS + extra_css)
    assert size == same_size
    return len(labels & text), len(labels), len(text)


def test_labels_do_not_overlap_text_in_the_layout(page) -> None:
    measured = page.evaluate(LABEL_TEXT_OVERLAPS)

    assert measured["labels"] > 10 and measured["texts"] > 10  # the check saw the page
    assert measured["hits"] == []


def test_labels_do_not_overlap_text_on_screenshots(page) -> None:
    shared, label_ink, text_ink = _shared_ink(page)

    assert label_ink > 200 and text_ink > 1000  # both screenshots show something
    assert shared == 0


def test_the_checks_catch_labels_that_cover_the_line_above(page) -> None:
    # Guards the two tests above: labels drawn over the text are found by both.
    page.add_style_tag(content=OVERLAPPING_LABELS_CSS)

    assert page.evaluate(LABEL_TEXT_OVERLAPS)["hits"]
    assert _shared_ink(page, OVERLAPPING_LABELS_CSS)[0] > 0


def test_the_show_page_of_one_document_reads_as_written_with_labels_clear_of_text(browser, offline_nlp,
                                                                               tmp_path: Path) -> None:
    from pipeline.display import write_html

    doc = offline_nlp(RELEASES["eifel/lauf-1"])
    path = write_html(doc, tmp_path / "seite.html", title="eifel/lauf-1")
    context = browser.new_context(viewport=NARROW_VIEWPORT)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    try:
        shown = page.evaluate("""() => {
          const copy = document.querySelector('.hl-text').cloneNode(true);
          copy.querySelectorAll('.hl-label').forEach(label => label.remove());
          return copy.textContent;
        }""")
        measured = page.evaluate(LABEL_TEXT_OVERLAPS)
        drivers = page.eval_on_selector_all("#drivers-table tbody tr", "els => els.map(el => el.dataset.driver)")
    finally:
        context.close()

    assert shown == doc.text  # "(Frankreich)", "Vasselin (" … exactly as written, no spaces between tokens
    assert measured["labels"] > 5 and measured["hits"] == []
    assert "Bruno Vasselin" in drivers and "Hedda Karlsrud" in drivers
    assert requests == [path.as_uri()]
