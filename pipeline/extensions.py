"""Every custom ``Doc``/``Span`` attribute, registered in one idempotent place.

What each attribute holds is defined in ``pipeline.schema`` (``DOC_EXTENSIONS``,
``SPAN_EXTENSIONS`` and the record types ``Person``, ``Mention``, ``Driver``,
``Quote``). Values are plain JSON-like data so that docs survive
``nlp.pipe(n_process>1)`` and ``DocBin`` round trips.
"""

from spacy.tokens import Doc, Span

from .schema import DOC_EXTENSIONS, MENTION_KEYS, PERSON_KEYS, SPAN_EXTENSIONS

__all__ = ["DOC_EXTENSIONS", "MENTION_KEYS", "PERSON_KEYS", "SPAN_EXTENSIONS", "register_extensions"]


def register_extensions() -> None:
    """Register all extensions; safe to call any number of times."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


register_extensions()
