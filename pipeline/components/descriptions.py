"""What a description of a person says: age, gender, origin, title.

``der 24-Jährige``, ``die Finnin``, ``der Tiroler``, ``Der BMW-Werksfahrer``,
``Leiterin Motorsport``. One owner for both readers of descriptions:
``motorsport_names`` links a description to a person and learns from it,
``motorsport_attribution`` resolves a speaker described in a cue. The words
come from the lexicons (``description_words.tsv``, demonyms, title nouns).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..rules import Lexicons
from .shapes import place_fits


@dataclass(frozen=True)
class DescriptionWords:
    """``description_words.tsv`` in the shapes the tests need (tuples for ``str.endswith``)."""

    age_suffixes: tuple[str, ...]
    feminine_endings: tuple[str, ...]
    object_before: frozenset[str]

    @classmethod
    def from_lexicons(cls, lex: Lexicons) -> "DescriptionWords":
        words = lex.description_words
        return cls(age_suffixes=tuple(sorted(words.get("age_suffix", ()))),
                   feminine_endings=tuple(sorted(words.get("feminine_ending", ()))),
                   object_before=words.get("object_before", frozenset()))


_words_by_lexicons: dict[int, tuple[Lexicons, DescriptionWords]] = {}


def description_words(lex: Lexicons) -> DescriptionWords:
    """The words of ``lex``, built once per lexicons object (lexicons are read-only)."""
    cached = _words_by_lexicons.get(id(lex))
    if cached is None or cached[0] is not lex:
        if len(_words_by_lexicons) > 32:  # tests swap lexicons in; keep the memo small
            _words_by_lexicons.clear()
        cached = _words_by_lexicons[id(lex)] = (lex, DescriptionWords.from_lexicons(lex))
    return cached[1]


def age_of(word: str, lex: Lexicons) -> int | None:
    """``24-Jährige`` → 24; None for other words (also ``Mitte-Jährige``)."""
    if word.endswith(description_words(lex).age_suffixes):
        age = word.split("-")[0]
        if age.isdigit():
            return int(age)
    return None


def is_age_word(word: str, lex: Lexicons) -> bool:
    """``24-Jährige``, ``24-jähriger``: a word with an age suffix (digits or not)."""
    return word.endswith(description_words(lex).age_suffixes)


def description_gender(word: str, lex: Lexicons, article: str = "") -> str | None:
    """What a description noun says of gender: ``die Kroatin`` f, ``Titelverteidiger`` m
    (its feminine form is a title too), ``die 29-Jährige`` f; else None."""
    if word in lex.demonym_by_noun:
        return lex.demonym_by_noun[word][1]
    if is_age_word(word, lex):
        return "f" if article == "die" else None  # "der" may be a feminine dative
    return title_gender(word, lex)


def title_gender(word: str, lex: Lexicons) -> str | None:
    """``Titelverteidigerin`` → f; ``Titelverteidiger`` → m; else unknown."""
    if lex.title_kind(word) is None:
        return None
    if word.endswith("in") and lex.title_kind(word[:-2]) is not None:
        return "f"
    return "m" if lex.title_kind(word + "in") is not None else None


def is_feminine_noun(word: str, lex: Lexicons) -> bool:
    """``Werksfahrerin``, ``Leiterin``, ``Pilotin``: a feminine person noun, also
    one no title list holds (by its ending)."""
    lowered = word.lower()
    if not lowered.endswith("in") or len(lowered) < 5:
        return False
    if lowered.endswith(description_words(lex).feminine_endings):
        return True
    base = word[:-2]
    return base in lex.role_heads or bool(lex.title_kind(base))


def fitting_people(word: str, people: list[dict], lex: Lexicons) -> list[int] | None:
    """Ids of people a description word fits; [] = fits nobody known but is a
    description; None = not a description word."""
    if is_age_word(word, lex):
        age = word.split("-")[0]
        if not age.isdigit():
            return None
        return [p["id"] for p in people if p["age"] == int(age)]
    if word in lex.demonym_by_noun:
        demonym = lex.demonym_by_noun[word][0]
        if demonym.region:  # "der Tiroler": from Tirol, or from a town in it
            return [p["id"] for p in people
                    if p["hometown"] == demonym.region or demonym.region in lex.regions_of(p["hometown"])]
        return [p["id"] for p in people if demonym.country in (p["nationality"], lex.country_of(p["hometown"]))]
    if lex.title_kind(word) == "driver" or word in lex.title_nouns:
        return [p["id"] for p in people if word in p["titles"] or p["role"] == word]
    for person in people:  # "der Gütersloher" for a driver from Gütersloh
        hometown = person["hometown"]
        if hometown and place_fits(word, hometown):
            return [person["id"]]
    return None


def contradicts(word: str, age: int | None, person: dict, lex: Lexicons) -> bool:
    """The record says something else than the description: another age, country or gender."""
    gender = description_gender(word, lex)
    if gender and person["gender"] and gender != person["gender"]:
        return True
    word_age = age_of(word, lex)
    if word_age is not None:
        age = word_age
    if age is not None and person["age"] is not None and person["age"] != age:
        return True
    demonym = lex.demonym_by_noun.get(word)
    if demonym and not demonym[0].region:
        known = {person["nationality"], lex.country_of(person["hometown"])} - {None}
        return bool(known) and demonym[0].country not in known
    return False


def learn(word: str, person: dict, lex: Lexicons) -> None:
    """Add what a description says (age, nationality, gender) to the person it refers to."""
    if is_age_word(word, lex) and person["age"] is None:
        person["age"] = int(word.split("-")[0])
    elif word in lex.demonym_by_noun:
        demonym, gender = lex.demonym_by_noun[word]
        if not demonym.region and person["nationality"] is None:
            person["nationality"] = demonym.country
        person["gender"] = person["gender"] or gender


def _indexed_fields(person: dict) -> tuple:
    """The fields of a record that ``PeopleByDescription`` indexes it by."""
    return person["age"], person["nationality"], person["hometown"], person["role"], tuple(person["titles"])


@lru_cache(maxsize=65536)
def _place_fits(noun: str, hometown: str) -> bool:
    return place_fits(noun, hometown)


class PeopleByDescription:
    """``fitting_people`` for one document without reading every record per
    description: the records indexed by age, country, region, title and
    hometown. A record that changes, or is new, must be passed to ``changed``.

    Each kind of index is built on its first look-up: a document asks for one
    or two kinds (an age, a nationality), so the others are never built."""

    def __init__(self, people: list[dict], lex: Lexicons) -> None:
        self.lex = lex
        self._people = {person["id"]: person for person in people}
        self._fields = {person["id"]: _indexed_fields(person) for person in people}
        self._by: dict[str, dict[object, set[int]]] = {}  # kind → key → ids; only the kinds asked for
        self._keys: dict[tuple[str, int], list[object]] = {}  # (kind, id) → the keys it is indexed by

    def _keys_of(self, kind: str, person: dict) -> list[object]:
        lex, hometown = self.lex, person["hometown"]
        if kind == "age":
            return [person["age"]]
        if kind == "country":
            return [person["nationality"], lex.country_of(hometown)]
        if kind == "region":
            return [hometown, *lex.regions_of(hometown)]
        if kind == "title":
            return [*person["titles"], person["role"]]
        return [hometown] if hometown else []  # "home"

    def _index(self, kind: str) -> dict[object, set[int]]:
        index = self._by.get(kind)
        if index is None:
            index = self._by[kind] = {}
            for person in self._people.values():
                self._add(kind, person)
        return index

    def _add(self, kind: str, person: dict) -> None:
        keys = self._keys[kind, person["id"]] = self._keys_of(kind, person)
        index = self._by[kind]
        for key in keys:
            ids = index.get(key)
            if ids is None:
                index[key] = {person["id"]}
            else:
                ids.add(person["id"])

    def changed(self, person: dict) -> None:
        """Re-index ``person`` after its record changed (or when it is new); a
        record whose indexed fields are as before stays where it is."""
        fields = _indexed_fields(person)
        if self._fields.get(person["id"]) == fields:
            return
        self._fields[person["id"]] = fields
        self._people[person["id"]] = person
        for kind in self._by:
            for key in self._keys.get((kind, person["id"]), ()):
                self._by[kind][key].discard(person["id"])
            self._add(kind, person)

    def _ids(self, kind: str, key: object) -> list[int]:
        return sorted(self._index(kind).get(key, ()))

    def fitting(self, word: str) -> list[int] | None:
        """What ``fitting_people(word, people, lex)`` answers, from the index."""
        lex = self.lex
        if is_age_word(word, lex):
            age = word.split("-")[0]
            if not age.isdigit():
                return None
            return self._ids("age", int(age))
        if word in lex.demonym_by_noun:
            demonym = lex.demonym_by_noun[word][0]
            if demonym.region:
                return self._ids("region", demonym.region)
            return self._ids("country", demonym.country)
        if lex.title_kind(word) == "driver" or word in lex.title_nouns:
            return self._ids("title", word)
        fitting = [min(ids) for hometown, ids in self._index("home").items() if ids and _place_fits(word, hometown)]
        return [min(fitting)] if fitting else None
