"""displaCy rendering of entities and quotes (span style, our own colours)."""

from __future__ import annotations

import html as html_lib

from spacy import displacy
from spacy.tokens import Doc, Span

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
    "QUOTE": "#ffe5ec",
}
DISPLAY_KEY = "display"


def display_spans(doc: Doc) -> list[Span]:
    """Entities plus one QUOTE span per quote, labelled with its speaker."""
    spans = list(doc.ents)
    for quote in doc._.quotes or []:
        span = doc.char_span(quote["start_char"], quote["end_char"], alignment_mode="expand")
        if span is not None:
            speaker = quote.get("speaker") or "?"
            spans.append(Span(doc, span.start, span.end, label=f"QUOTE: {speaker}"))
    return spans


def _options(doc: Doc) -> dict:
    colours = dict(LABEL_COLOURS)
    for quote in doc._.quotes or []:
        colours[f"QUOTE: {quote.get('speaker') or '?'}"] = LABEL_COLOURS["QUOTE"]
    return {"spans_key": DISPLAY_KEY, "colors": colours}


def render(doc: Doc, *, jupyter: bool | None = None) -> str | None:
    """Render in Jupyter (returns None there) or return the HTML markup."""
    doc.spans[DISPLAY_KEY] = display_spans(doc)
    return displacy.render(doc, style="span", options=_options(doc), jupyter=jupyter)


def render_html(doc: Doc, *, title: str = "motorsport-nlp") -> str:
    """A standalone HTML page."""
    doc.spans[DISPLAY_KEY] = display_spans(doc)
    markup = displacy.render(doc, style="span", options=_options(doc), page=False, jupyter=False)
    return (
        "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">"
        f"<title>{html_lib.escape(title)}</title></head>\n<body style=\"font-family: sans-serif; max-width: 60em; margin: 2em auto\">\n"
        f"<h1>{html_lib.escape(title)}</h1>\n{markup}\n</body></html>\n"
    )
