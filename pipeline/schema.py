"""The doc contract: every span group, extension and record the components share.

One place answers "who writes what, and what does it hold":

- ``SPAN_KEYS``: the default name of every ``doc.spans`` group, with its
  writer. Components take these names as config settings (like spaCy's
  ``SpanRuler.spans_key``) and never spell them out themselves.
- ``SPAN_KEY_SETTINGS``: which config setting of which component names a
  group. ``check_span_keys(nlp)`` uses it to refuse a pipeline whose readers
  look for a group under another name than its writer uses (which would
  silently drop, say, every HOMETOWN).
- ``Person``, ``Mention``, ``Driver``, ``Quote``: the records in
  ``doc._.people``, ``doc._.mentions``, ``doc._.drivers`` and ``doc._.quotes``
  (plain dicts, so docs survive multiprocessing and ``DocBin``).
- ``DOC_EXTENSIONS`` and ``SPAN_EXTENSIONS``: registered by
  ``pipeline.extensions``.
"""

from __future__ import annotations

from typing import Optional, TypedDict

from spacy.language import Language

# -- span groups --------------------------------------------------------------
THINGS_KEY = "motorsport_things"  # rulers: TEAM, CAR, MANUFACTURER, SERIES, CIRCUIT, CLASS
HOMETOWNS_KEY = "hometowns"  # hometowns, names: HOMETOWN, ``_.canonical`` = the place
BRACKET_LINKS_KEY = "bracket_links"  # hometowns: a name's bracket ``(Ort/Team)``, label = person id
GROUP_MENTIONS_KEY = "group_mentions"  # names: ``das Duo``, ``beide``, kb_id = person id
QUOTES_KEY = "quotes"  # quotes: QUOTE (direct speech)
SCARE_QUOTES_KEY = "scare_quotes"  # quotes: SCARE_QUOTE (nicknames, titles, irony)
BASE_ENTS_KEY = "base_ents"  # linking: the base model's own entities, kept as evidence

SPAN_KEYS = {
    THINGS_KEY: "motorsport_rulers",
    HOMETOWNS_KEY: "motorsport_hometowns",
    BRACKET_LINKS_KEY: "motorsport_hometowns",
    GROUP_MENTIONS_KEY: "motorsport_names",
    QUOTES_KEY: "motorsport_quotes",
    SCARE_QUOTES_KEY: "motorsport_quotes",
    BASE_ENTS_KEY: "motorsport_linking",
}

# Config setting -> default group, per component. The writer's setting is listed first.
SPAN_KEY_SETTINGS: dict[str, dict[str, str]] = {
    "motorsport_rulers": {"spans_key": THINGS_KEY},
    "motorsport_persons": {"things_key": THINGS_KEY},
    "motorsport_hometowns": {"spans_key": HOMETOWNS_KEY, "links_key": BRACKET_LINKS_KEY, "things_key": THINGS_KEY},
    "motorsport_names": {"groups_key": GROUP_MENTIONS_KEY, "hometowns_key": HOMETOWNS_KEY, "things_key": THINGS_KEY},
    "motorsport_quotes": {"spans_key": QUOTES_KEY, "scare_spans_key": SCARE_QUOTES_KEY},
    "motorsport_linking": {"base_ents_key": BASE_ENTS_KEY, "things_key": THINGS_KEY, "hometowns_key": HOMETOWNS_KEY,
                           "links_key": BRACKET_LINKS_KEY, "groups_key": GROUP_MENTIONS_KEY, "quotes_key": QUOTES_KEY},
    "motorsport_attribution": {"scare_spans_key": SCARE_QUOTES_KEY},
}


class SpanKeyMismatch(ValueError):
    """Two components of one pipeline name the same span group differently."""


def check_span_keys(nlp: Language, *, adding: tuple[str, str, dict] | None = None) -> None:
    """Raise ``SpanKeyMismatch`` when components name one span group differently.

    A renamed group (say ``motorsport_hometowns.spans_key``) must be renamed for
    its readers too; otherwise they would read an empty group without a word.
    Every factory calls this with ``adding=(factory, name, config)`` for the
    component being created, so ``add_pipe`` and ``spacy.load`` both refuse a
    mismatch.
    """
    components = [(nlp.get_pipe_meta(name).factory, name, nlp.get_pipe_config(name)) for name in nlp.pipe_names]
    if adding is not None:
        components.append(adding)
    used: dict[str, dict[str, str]] = {}  # default group -> {component.setting: configured name}
    for factory, pipe_name, config in components:
        for setting, default in SPAN_KEY_SETTINGS.get(factory, {}).items():
            used.setdefault(default, {})[f"{pipe_name}.{setting}"] = config.get(setting, default)
    for default, names in used.items():
        if len(set(names.values())) > 1:
            listed = ", ".join(f"{where} = {name!r}" for where, name in names.items())
            raise SpanKeyMismatch(f"the span group {default!r} has different names in one pipeline ({listed}); "
                                  f"give every component the same name")


# -- records ------------------------------------------------------------------
class Person(TypedDict):
    """One person of a document, in ``doc._.people`` (index = ``id``)."""

    id: int
    name: str  # canonical (fullest) name in this document
    kind: str  # "driver" | "person"
    role: Optional[str]  # e.g. "Teamchef", "Leiter Motorsport"
    titles: list[str]  # title nouns seen before the name ("Werksfahrer")
    nationality: Optional[str]  # country name, from a nationality noun or code
    hometown: Optional[str]  # exactly as written
    age: Optional[int]
    gender: Optional[str]  # "f" | "m" | None
    team: Optional[str]  # filled by the linking component
    car: Optional[str]  # filled by the linking component


class Mention(TypedDict):
    """One mention of a person, in ``doc._.mentions`` (sorted by ``start_char``)."""

    person: int  # Person.id
    start_char: int
    end_char: int
    kind: str  # "name" | "surname" | "given" | "description" | "crew"
    text: str


class Driver(TypedDict):
    """One driver with the linked facts, in ``doc._.drivers`` (written by linking)."""

    driver: str  # Person.name
    hometown: Optional[str]
    team: Optional[str]
    car: Optional[str]
    nationality: Optional[str]
    age: Optional[int]
    titles: str  # Person.titles joined with ", "


class Quote(TypedDict):
    """One direct quote, in ``doc._.quotes``: quotes writes the first eight keys, attribution the rest."""

    quote_id: int  # 1, 2, ... in text order
    quote: str  # the text inside the marks
    start_char: int  # of the inside
    end_char: int
    open_mark: str
    close_mark: str
    paragraph: int
    is_partial: bool  # a quoted fragment inside reported speech
    speaker: Optional[str]  # Person.name
    speaker_role: Optional[str]
    speaker_kind: str  # "driver" | "person" | "unknown"
    cue: Optional[str]  # the speech verb or frame that named the speaker
    method: str  # how the speaker was found; "unresolved" when not
    confidence: float


PERSON_KEYS = tuple(Person.__annotations__)
MENTION_KEYS = tuple(Mention.__annotations__)
DRIVER_KEYS = tuple(Driver.__annotations__)
QUOTE_KEYS = tuple(Quote.__annotations__)

# -- extensions (registered by pipeline.extensions) ---------------------------
QUOTES_EXTENSION = "quotes"  # doc._.quotes; spelled here only, since a span group has the same name
DOC_EXTENSIONS = {
    "base_model": None,  # name of the base pipeline that produced the doc
    "people": None,  # list[Person]
    "mentions": None,  # list[Mention]
    "drivers": None,  # list[Driver]
    QUOTES_EXTENSION: None,  # list[Quote]
}
SPAN_EXTENSIONS = {"canonical": None}  # the document-level canonical form of an entity (fullest name)
