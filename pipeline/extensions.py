"""Every custom ``Doc``/``Span`` attribute, registered in one idempotent place.

Values are plain JSON-like data (dicts, lists, strings) so that docs survive
``nlp.pipe(n_process>1)`` and ``DocBin`` round trips.

Doc attributes
--------------
- ``base_model``: name of the base pipeline that produced the doc.
- ``people``: one dict per person in the document (see ``PERSON_KEYS``).
- ``mentions``: one dict per mention of a person, sorted by ``start_char``
  (see ``MENTION_KEYS``).
- ``drivers``: one dict per driver with the linked hometown, team and car.
- ``quotes``: one dict per direct quote with its speaker.

Span attributes
---------------
- ``canonical``: the document-level canonical form of an entity (fullest name).
"""

from spacy.tokens import Doc, Span

# Keys of the records stored in doc._.people / doc._.mentions. Components that
# write them must use exactly these keys; components that read them may rely on it.
PERSON_KEYS = (
    "id",  # int, index into doc._.people
    "name",  # canonical (fullest) name in this document
    "kind",  # "driver" | "person"
    "role",  # str | None, e.g. "Teamchef", "Leiter Motorsport"
    "titles",  # list[str] of title nouns seen before the name ("Werksfahrer")
    "nationality",  # country name | None, from a nationality noun or code
    "hometown",  # str | None, exactly as written
    "age",  # int | None
    "gender",  # "f" | "m" | None
    "team",  # str | None, filled by the linking component
    "car",  # str | None, filled by the linking component
)
MENTION_KEYS = (
    "person",  # int, id of the person
    "start_char",
    "end_char",
    "kind",  # "name" | "surname" | "given" | "description" | "crew"
    "text",
)

DOC_EXTENSIONS = {
    "base_model": None,
    "people": None,
    "mentions": None,
    "drivers": None,
    "quotes": None,
}
SPAN_EXTENSIONS = {"canonical": None}


def register_extensions() -> None:
    """Register all extensions; safe to call any number of times."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


register_extensions()
