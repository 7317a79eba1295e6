"""Every custom ``Doc``/``Span`` attribute, registered in one idempotent place.

What each attribute holds is defined in ``pipeline.schema`` (``DOC_EXTENSIONS``,
``SPAN_EXTENSIONS`` and the record types ``Person``, ``Mention``, ``Driver``,
``Quote``). Values are plain JSON-like data so that docs survive
``nlp.pipe(n_process>1)`` and ``DocBin`` round trips.
"""

from spacy.tokens import Doc, Span

from .schema import DOC_EXTENSIONS, MENTION_KEYS, PERSON_KEYS, SPAN_EXTENSIONS

__all__ = ["DOC_EXTENSIONS", "MENTION_KEYS", "PERSON_KEYS", "SPAN_EXTENSIONS", "canonical_key", "doc_value",
           "register_extensions", "set_doc_value"]


def register_extensions() -> None:
    """Register all extensions; safe to call any number of times."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


def canonical_key(start_char: int, end_char: int) -> tuple:
    """Where ``span._.canonical`` of the span at these characters lives in
    ``doc.user_data``: spaCy keys a span's extension values by name and character
    offsets. Hot loops read and write there directly, since each ``span._``
    access builds an accessor object (a few µs). Tested against ``span._``."""
    return ("._.", "canonical", start_char, end_char)


def doc_value(doc: Doc, name: str):
    """``doc._.<name>`` for one of ``DOC_EXTENSIONS``, read from ``doc.user_data``
    where spaCy keeps it. Each ``doc._`` access builds an accessor object (a few
    µs, some 20 times per document in the pipeline). A value never set comes
    from ``doc._``, which stores a fresh copy of a list or dict default."""
    try:
        return doc.user_data[("._.", name, None, None)]
    except KeyError:
        return getattr(doc._, name)


def set_doc_value(doc: Doc, name: str, value) -> None:
    """``doc._.<name> = value`` for one of ``DOC_EXTENSIONS``, without the accessor object."""
    if name not in DOC_EXTENSIONS:  # what doc._ would refuse
        raise AttributeError(f"[E047] Can't assign a value to unregistered extension attribute '{name}'.")
    doc.user_data[("._.", name, None, None)] = value


register_extensions()
