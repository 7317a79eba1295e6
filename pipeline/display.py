"""displaCy rendering of entities and quotes (span style, our own colours).

>>> from pipeline.display import render, write_html
>>> render(doc)                       # in Jupyter: shows the document inline
>>> write_html(doc, "doc.html")       # a standalone page for editors

Entities are labelled by type; a mention whose canonical form differs (a
surname, a team compound) shows it: ``DRIVER → Lena Hofbauer``. Every quote
is a ``QUOTE: <speaker>`` span over the quoted words (``QUOTE: ?`` when no
speaker was found). Each paragraph of the text is its own block.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from pathlib import Path

from spacy import displacy
from spacy.tokens import Doc

from . import extensions  # noqa: F401

LABEL_COLOURS = {
    "DRIVER": "#f4a261",
    "PERSON": "#e9c46a",
    "HOMETOWN": "#8ecae6",
    "TEAM": "#90be6d",
    "CAR": "#f28482",
    "MANUFACTURER": "#cdb4db",
    "SERIES": "#bde0fe",
    "CIRCUIT": "#a8dadc",
    "RACE_CLASS": "#d8e2dc",
    "QUOTE": "#ffc8dd",
}
DEFAULT_COLOUR = "#dddddd"  # labels without a colour of their own
QUOTE_LABEL = "QUOTE"
UNKNOWN_SPEAKER = "?"
CANONICAL_ARROW = " → "
DEFAULT_TITLE = "motorsport-nlp"
DEFAULT_QUOTE_PREVIEW_CHARS = 80  # quote text per line in `describe`


@dataclass(frozen=True, slots=True)
class DisplaySpan:
    """One labelled span to draw: token offsets, display label and the label type that picks its colour."""

    start: int  # token index
    end: int  # token index, exclusive
    label: str
    kind: str  # a key of LABEL_COLOURS (or an unknown entity label)


def display_spans(doc: Doc) -> list[DisplaySpan]:
    """Entities, then one QUOTE span per quote labelled with its speaker."""
    spans = []
    for ent in doc.ents:
        canonical = ent._.canonical
        label = ent.label_ + (CANONICAL_ARROW + canonical if canonical and canonical != ent.text else "")
        spans.append(DisplaySpan(ent.start, ent.end, label, ent.label_))
    for quote in doc._.quotes or []:
        span = doc.char_span(quote["start_char"], quote["end_char"], alignment_mode="expand")
        if span is not None and len(span):
            spans.append(DisplaySpan(span.start, span.end, quote_label(quote), QUOTE_LABEL))
    return spans


def quote_label(quote: dict) -> str:
    return f"{QUOTE_LABEL}: {quote.get('speaker') or UNKNOWN_SPEAKER}"


def colour_of(kind: str) -> str:
    return LABEL_COLOURS.get(kind, DEFAULT_COLOUR)


def paragraphs(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) token ranges of the text's lines, without the line-break tokens between them."""
    ranges, start = [], 0
    for token in doc:
        if token.is_space and "\n" in token.text:
            if token.i > start:
                ranges.append((start, token.i))
            start = token.i + 1
    if start < len(doc):
        ranges.append((start, len(doc)))
    return ranges


def displacy_data(doc: Doc) -> tuple[list[dict], dict[str, str]]:
    """displaCy's manual span-style input (one entry per paragraph) and its label colours.

    Labels are HTML-escaped here: displaCy escapes the text but not the labels,
    and speaker names come from the text.
    """
    spans = display_spans(doc)
    colours = {html_lib.escape(span.label): colour_of(span.kind) for span in spans}
    parsed = []
    for start, end in paragraphs(doc):
        inside = [
            {"start_token": max(span.start, start) - start, "end_token": min(span.end, end) - start,
             "label": html_lib.escape(span.label)}
            for span in spans if span.start < end and span.end > start
        ]
        parsed.append({"text": doc[start:end].text, "tokens": [token.text for token in doc[start:end]],
                       "spans": inside})
    return parsed, colours


def render_markup(doc: Doc) -> str:
    """The legend plus displaCy's span markup of every paragraph (an HTML fragment)."""
    parsed, colours = displacy_data(doc)
    markup = displacy.render(parsed, style="span", manual=True, options={"colors": colours}, page=False,
                             jupyter=False) if parsed else ""
    return legend_html(doc) + markup


def legend_html(doc: Doc) -> str:
    """One coloured badge per label type shown in ``doc``."""
    kinds = list(dict.fromkeys(span.kind for span in display_spans(doc)))
    badges = "".join(
        f'<span style="background: {colour_of(kind)}; padding: 2px 6px; margin-right: 6px; border-radius: 3px; '
        f'font-size: 0.8em; font-weight: bold">{html_lib.escape(kind)}</span>'
        for kind in kinds
    )
    return f'<div class="motorsport-legend" style="margin: 0.5em 0 1em">{badges}</div>\n'


def render(doc: Doc, *, jupyter: bool | None = None) -> str | None:
    """Show ``doc`` in Jupyter (returns None) or return the HTML fragment.

    ``jupyter=None`` decides by where it runs, like ``displacy.render``.
    """
    from spacy.util import is_in_jupyter

    markup = render_markup(doc)
    if jupyter or (jupyter is None and is_in_jupyter()):
        from IPython.display import HTML, display

        display(HTML(markup))
        return None
    return markup


def render_html(doc: Doc, *, title: str = DEFAULT_TITLE) -> str:
    """A standalone HTML page: the rendered text and a table of its quotes."""
    heading = html_lib.escape(title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{heading}</title>\n</head>\n"
        '<body style="font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em">\n'
        f"<h1>{heading}</h1>\n{render_markup(doc)}\n{quotes_table_html(doc)}</body>\n</html>\n"
    )


def quotes_table_html(doc: Doc) -> str:
    """The document's quotes with speaker, role and how the speaker was found."""
    quotes = doc._.quotes or []
    if not quotes:
        return "<p><em>No quotes found.</em></p>\n"
    cell = 'style="border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top"'
    header = "".join(f"<th {cell}>{name}</th>" for name in ("#", "Speaker", "Role", "Method", "Quote"))
    rows = "".join(
        "<tr>" + "".join(f"<td {cell}>{html_lib.escape(str(value))}</td>" for value in (
            number, quote.get("speaker") or UNKNOWN_SPEAKER, quote.get("speaker_role") or "",
            quote.get("method") or "", quote.get("quote") or "")) + "</tr>"
        for number, quote in enumerate(quotes, start=1)
    )
    return (f'<h2>Quotes</h2>\n<table style="border-collapse: collapse; background: {LABEL_COLOURS[QUOTE_LABEL]}33">'
            f"<tr>{header}</tr>{rows}</table>\n")


def write_html(doc: Doc, path: str | Path, *, title: str = DEFAULT_TITLE) -> Path:
    """Write ``render_html(doc)`` to ``path`` atomically (creating its folder)."""
    from .io.writers import atomic_write_text

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(path, render_html(doc, title=title))


def describe(doc: Doc) -> list[str]:
    """Plain-text lines: every entity with its canonical form, then every quote with its speaker."""
    lines = [f"{ent.label_:<13} {ent.text}" + (f"  → {ent._.canonical}" if ent._.canonical not in (None, ent.text)
                                                else "")
             for ent in doc.ents]
    for quote in doc._.quotes or []:
        text = quote.get("quote") or ""
        preview = text if len(text) <= DEFAULT_QUOTE_PREVIEW_CHARS else text[:DEFAULT_QUOTE_PREVIEW_CHARS - 1] + "…"
        lines.append(f"{quote_label(quote)} [{quote.get('method') or ''}] „{preview}“")
    return lines
