"""Entities and quotes of one document, highlighted in its original text.

>>> from pipeline.display import render, write_html
>>> render(doc)                       # in Jupyter: shows the document inline
>>> write_html(doc, "doc.html")       # a standalone page for editors

The text is drawn from ``doc.text`` with character offsets (``pipeline.highlight``),
never from joined tokens, so it reads as written. Entities are labelled by
type; a mention whose canonical form differs (a surname, a team compound)
shows it: ``DRIVER → Lena Hofbauer``. Every quote is a ``QUOTE: <speaker>``
span (``QUOTE: ?`` when no speaker was found). The page of ``write_html`` is the
batch review page (``pipeline.review``) for this one document: the text, a
drivers table (hometown, team, car with their evidence) and a quotes table.
"""

from __future__ import annotations

from pathlib import Path

from spacy.tokens import Doc

from . import extensions  # noqa: F401
from .highlight import HIGHLIGHT_CSS, LABEL_COLOURS, QUOTE_KIND, highlight_html, legend_html

__all__ = ["LABEL_COLOURS", "describe", "render", "render_html", "render_markup", "write_html"]

QUOTE_LABEL = QUOTE_KIND
UNKNOWN_SPEAKER = "?"
DEFAULT_TITLE = "motorsport-nlp"
DEFAULT_QUOTE_PREVIEW_CHARS = 80  # quote text per line in `describe`


def quote_label(quote: dict) -> str:
    return f"{QUOTE_LABEL}: {quote.get('speaker') or UNKNOWN_SPEAKER}"


def render_markup(doc: Doc) -> str:
    """An HTML fragment: its own CSS, the legend and the highlighted text."""
    from .review import document_highlights

    entities = [{"label": ent.label_, "text": ent.text, "canonical": ent._.canonical or ent.text,
                 "start_char": ent.start_char, "end_char": ent.end_char} for ent in doc.ents]
    highlights = document_highlights(entities, list(doc._.quotes or []))
    legend = legend_html(sorted({span.kind for span in highlights}))
    return (f'<div class="motorsport-doc"><style>{HIGHLIGHT_CSS}</style>{legend}'
            f"{highlight_html(doc.text, highlights)}</div>")


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
    """A standalone page: the review page (text, drivers table, quotes table) of this one document."""
    from .review import review_html
    from .tables import build_frames, doc_to_rows

    return review_html(build_frames(doc_to_rows(doc, title)), title=title)


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
