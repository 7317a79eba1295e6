"""Highlighted text as HTML, drawn from the original text and character offsets.

Used by ``show`` (one document, ``pipeline.display``) and the batch review page
(``pipeline.review``). The text is never rebuilt from tokens, so spacing and
punctuation stay exactly as written ("(Frankreich)", "Dumas, der"). Labels are
inline badges inside the line, so they cannot overlap the line below (CSS in
``HIGHLIGHT_CSS``). Every piece of text, label and attribute is HTML-escaped.

Spans may nest (entities inside a quote); a span that crosses another's
boundary is drawn in pieces, its label on the last piece (a quote's label on
its first, before the quoted words).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

QUOTE_KIND = "QUOTE"
LABEL_COLOURS: Mapping[str, str] = {
    "DRIVER": "#f4a261",
    "PERSON": "#e9c46a",
    "HOMETOWN": "#8ecae6",
    "TEAM": "#90be6d",
    "CAR": "#f28482",
    "MANUFACTURER": "#cdb4db",
    "SERIES": "#bde0fe",
    "CIRCUIT": "#a8dadc",
    "RACE_CLASS": "#d8e2dc",
    QUOTE_KIND: "#ffc8dd",
}
DEFAULT_COLOUR = "#dddddd"  # kinds without a colour of their own
_CSS_NAME = re.compile(r"[A-Za-z0-9_-]+")

HIGHLIGHT_CSS = """
.hl-text { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 2.2; }
.hl-text mark { color: inherit; padding: 0.1em 0.2em; border-radius: 0.3em; background: var(--hl, #ddd);
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.hl-text mark.hl-QUOTE { padding: 0.1em 0; border-radius: 0; border-bottom: 2px solid #d6457a; }
.hl-text mark.hl-QUOTE.hl-low { border-bottom: 2px dashed #b00020; }
.hl-text mark.hl-focus { outline: 2px solid #1d3557; }
.hl-label { display: inline; font: bold 0.62em/1 sans-serif; letter-spacing: 0.02em; margin: 0 0.15em 0 0.35em;
  padding: 0 0.25em; border-radius: 0.2em; background: rgba(255, 255, 255, 0.75); color: #222;
  vertical-align: baseline; white-space: nowrap; }
.hl-QUOTE > .hl-label:first-child { margin: 0 0.35em 0 0; background: #d6457a; color: #fff; }
.hl-legend span { display: inline-block; padding: 2px 6px; margin: 0 6px 4px 0; border-radius: 3px;
  font: bold 0.8em sans-serif; }
"""


@dataclass(frozen=True, slots=True)
class Highlight:
    """One labelled stretch of text: character offsets, kind (picks the colour) and the label shown."""

    start: int
    end: int  # exclusive
    kind: str
    label: str
    classes: tuple[str, ...] = ()  # extra CSS classes (e.g. "hl-low")
    data: tuple[tuple[str, str], ...] = ()  # data-* attributes, e.g. (("driver", "Lena Hofbauer"),)
    anchor: str | None = None  # id of the first piece, a link target
    title: str | None = None  # tooltip


def colour_of(kind: str) -> str:
    return LABEL_COLOURS.get(kind, DEFAULT_COLOUR)


def css_name(kind: str) -> str:
    """`kind` when it is a safe CSS class name part, else "OTHER"."""
    return kind if _CSS_NAME.fullmatch(kind or "") else "OTHER"


def highlight_html(text: str, highlights: Iterable[Highlight]) -> str:
    """``<div class="hl-text">`` with ``text`` escaped and every valid highlight drawn as ``<mark>``.

    Highlights outside the text or empty are ignored (tables read back from disk
    may be truncated). Runs in O((characters + spans) · nesting depth).
    """
    spans = [span for span in highlights if 0 <= span.start < span.end <= len(text)]
    # Outer spans first: earlier start, then longer, then quotes around entities.
    spans.sort(key=lambda span: (span.start, -span.end, span.kind != QUOTE_KIND))
    rank = {id(span): position for position, span in enumerate(spans)}
    starts: dict[int, list[Highlight]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span)
    boundaries = sorted({0, len(text), *(span.start for span in spans), *(span.end for span in spans)})

    out: list[str] = ['<div class="hl-text">']
    stack: list[Highlight] = []  # open <mark>s, outermost first
    active: list[Highlight] = []
    opened: set[int] = set()
    for position, next_position in zip(boundaries, boundaries[1:]):
        active = [span for span in active if span.end > position] + starts.get(position, [])
        wanted = sorted(active, key=lambda span: rank[id(span)])
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep] is wanted[keep]:
            keep += 1
        while len(stack) > keep:
            out.append(_close(stack.pop(), position))
        for span in wanted[keep:]:
            out.append(_open(span, first=id(span) not in opened))
            opened.add(id(span))
            stack.append(span)
        out.append(html.escape(text[position:next_position], quote=False))
    while stack:
        out.append(_close(stack.pop(), len(text)))
    out.append("</div>")
    return "".join(out)


def legend_html(kinds: Iterable[str]) -> str:
    """One coloured badge per kind."""
    badges = "".join(f'<span style="background: {colour_of(kind)}">{html.escape(kind)}</span>'
                     for kind in dict.fromkeys(kinds))
    return f'<div class="hl-legend">{badges}</div>'


def _open(span: Highlight, *, first: bool) -> str:
    classes = ["hl", f"hl-{css_name(span.kind)}", *span.classes] + ([] if first else ["hl-cont"])
    attributes = [f'class="{html.escape(" ".join(classes))}"', f'style="--hl: {colour_of(span.kind)}"']
    if first and span.anchor:
        attributes.append(f'id="{html.escape(span.anchor)}"')
    if span.title:
        attributes.append(f'title="{html.escape(span.title)}"')
    attributes += [f'data-{css_name(name).lower()}="{html.escape(value)}"' for name, value in span.data]
    label = _label(span) if first and span.kind == QUOTE_KIND else ""
    return f"<mark {' '.join(attributes)}>{label}"


def _close(span: Highlight, position: int) -> str:
    label = _label(span) if position >= span.end and span.kind != QUOTE_KIND else ""
    return f"{label}</mark>"


def _label(span: Highlight) -> str:
    return f'<span class="hl-label">{html.escape(span.label)}</span>'
