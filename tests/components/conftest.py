"""Fixtures for the quote and attribution tests.

The tests build their own small lexicons and set ``doc._.people`` /
``doc._.mentions`` by hand, so they depend neither on the rule files nor on
the entity layer.
"""

from __future__ import annotations

import pytest
import spacy

from pipeline.components import attribution as _attribution  # noqa: F401  (registers the factory)
from pipeline.components import quotes as _quotes  # noqa: F401
from pipeline.rules import Country, Demonym, Lexicons, SpeechVerb, load_lexicons

PERSON_DEFAULTS = {
    "kind": "driver", "role": None, "titles": [], "nationality": None, "hometown": None, "age": None,
    "gender": None, "team": None, "car": None,
}


def small_lexicons() -> Lexicons:
    countries = (
        Country("Frankreich", ("F", "FRA", "FR"), "französisch"),
        Country("Finnland", ("FIN", "FI"), "finnisch"),
        Country("Belgien", ("B", "BEL", "BE"), "belgisch"),
        Country("Italien", ("I", "ITA", "IT"), "italienisch"),
        Country("Österreich", ("A", "AUT", "AT"), "österreichisch"),
        Country("Deutschland", ("D", "GER", "DE"), "deutsch"),
        Country("Schweiz", ("CH", "SUI"), "schweizerisch"),
    )
    nationalities = (
        Demonym("Franzose", "Französin", "Frankreich"),
        Demonym("Finne", "Finnin", "Finnland"),
        Demonym("Belgier", "Belgierin", "Belgien"),
        Demonym("Italiener", "Italienerin", "Italien"),
        Demonym("Österreicher", "Österreicherin", "Österreich"),
        Demonym("Schweizer", "Schweizerin", "Schweiz"),
    )
    regions = (Demonym("Tiroler", "Tirolerin", "Österreich", "Tirol"),)
    verbs: dict[str, tuple[SpeechVerb, ...]] = {}
    for form, lemma, reflexive, particle in (
        ("sagte", "sagen", False, ""), ("meinte", "meinen", False, ""), ("ergänzte", "ergänzen", False, ""),
        ("freute", "freuen", True, ""), ("ärgerte", "ärgern", True, ""), ("fügte", "hinzufügen", False, "hinzu"),
        ("gab", "geben", False, "zu Protokoll"), ("zeigte", "zeigen", True, ""), ("betonte", "betonen", False, ""),
        ("räumte", "einräumen", False, "ein"), ("erklärte", "erklären", False, ""),
    ):
        verbs[form] = (SpeechVerb(form, lemma, reflexive, particle),)
    return Lexicons(
        given_names=frozenset({"Lena", "Jonas", "Marc", "Mira", "Tom", "Arne", "Kai", "Ole", "Nils", "Paul"}),
        countries=countries,
        nationalities=nationalities,
        regions=regions,
        title_nouns={"Teamchef": "person", "Werksfahrer": "driver", "Titelverteidiger": "driver",
                     "Sportdirektor": "person", "Rennleiter": "person"},
        title_suffixes={"fahrer": "driver", "fahrerin": "driver", "junior": "driver", "leiter": "person",
                        "leiterin": "person"},
        speech_verbs=verbs,
        role_heads=frozenset({"Leiter", "Leiterin", "Teamchef", "Sprecher", "Geschäftsführer"}),
        makers=frozenset({"Porsche", "BMW"}),
        model_words=frozenset(),
        car_models=(),
        teams=(),
        team_suffixes=frozenset(),
        team_prefixes=frozenset(),
        series=(),
        circuits=(),
        race_classes=frozenset(),
        noun_endings=("ung",),
        not_name_words=frozenset(),
        male_names_like_female=frozenset(),
        department_heads=frozenset({"Leiter", "Leiterin"}),
        # The closed word classes of the grammar (articles, particles, pronouns) are the packaged ones.
        attribution_words=load_lexicons().attribution_words,
        description_words=load_lexicons().description_words,
        teammate_nouns=load_lexicons().teammate_nouns,
        quote_words=load_lexicons().quote_words,
    )


@pytest.fixture(scope="session")
def lexicons() -> Lexicons:
    return small_lexicons()


def build_nlp(lexicons: Lexicons | None):
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("motorsport_quotes")
    nlp.add_pipe("motorsport_attribution")
    nlp.get_pipe("motorsport_quotes").lexicons = lexicons
    nlp.get_pipe("motorsport_attribution").lexicons = lexicons
    return nlp


@pytest.fixture(scope="session")
def quote_nlp(lexicons):
    """blank German + sentencizer + both quote components, with the small lexicons."""
    return build_nlp(lexicons)


def person(name: str, **fields) -> dict:
    return {"name": name, **PERSON_DEFAULTS, **fields}


def annotate(nlp, text: str, people: list[dict] | None = None, mentions: list[tuple] | None = None):
    """Run the pipeline on ``text`` with hand-made entity-layer output.

    ``people``: records from :func:`person` (ids are their list positions).
    ``mentions``: ``(surface, person_id, kind)`` or ``(surface, person_id, kind, occurrence)``
    for explicit mentions; when None, every full name and every surname of each
    person is a mention (a surname shared by two people goes to the one named last
    in full before it, as the entity layer does).
    """
    doc = nlp.make_doc(text)
    if people is not None:
        records = [{**p, "id": i} for i, p in enumerate(people)]
        doc._.people = records
        doc._.mentions = _mentions(text, records, mentions)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def _find_all(text: str, surface: str) -> list[int]:
    found, pos = [], text.find(surface)
    while pos >= 0:
        before = text[pos - 1] if pos else " "
        after = text[pos + len(surface)] if pos + len(surface) < len(text) else " "
        if not before.isalnum() and not (after.isalnum() and after != "s"):
            found.append(pos)
        pos = text.find(surface, pos + 1)
    return found


def _mentions(text: str, people: list[dict], explicit: list[tuple] | None) -> list[dict]:
    taken: set[int] = set()
    mentions: list[dict] = []
    if explicit is not None:
        for item in explicit:
            surface, person_id, kind = item[:3]
            occurrence = item[3] if len(item) > 3 else 0
            start = _find_all(text, surface)[occurrence]
            mentions.append({"person": person_id, "start_char": start, "end_char": start + len(surface), "kind": kind,
                             "text": surface})
        return sorted(mentions, key=lambda m: m["start_char"])
    for record in people:
        for start in _find_all(text, record["name"]):
            mentions.append({"person": record["id"], "start_char": start, "end_char": start + len(record["name"]),
                             "kind": "name", "text": record["name"]})
            taken.update(range(start, start + len(record["name"])))
    full = sorted(mentions, key=lambda m: m["start_char"])
    for record in people:
        surname = record["name"].split()[-1]
        for start in _find_all(text, surname):
            if start in taken:
                continue
            owners = [m for m in full if m["start_char"] < start and people[m["person"]]["name"].split()[-1] == surname]
            owner = owners[-1]["person"] if owners else record["id"]
            if owner != record["id"]:
                continue
            mentions.append({"person": owner, "start_char": start, "end_char": start + len(surname), "kind": "surname",
                             "text": surname})
    return sorted(mentions, key=lambda m: m["start_char"])
