"""Typed, validated access to the rule files in ``models/rules/<lang>/``.

The files ship inside the wheel as package data (``pipeline.models``), so the
loader uses ``importlib.resources`` and works from any install. A directory can
be given instead, for users who keep their own rule sets.

Every file is checked on load: TSV headers and JSONL keys must be exactly the
expected ones, so a typo in a rule file fails loudly instead of silently
matching nothing.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator

DEFAULT_LANG = "de"
TITLE_MEMO_LIMIT = 100_000


class RuleFileError(ValueError):
    """A rule file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    codes: tuple[str, ...]
    adjective_stem: str


@dataclass(frozen=True, slots=True)
class Demonym:
    """A noun naming a person by origin: ``Belgier`` or ``Tiroler``."""

    masculine: str
    feminine: str
    country: str
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """A town with the regions it lies in (innermost first) and its country."""

    name: str
    regions: tuple[str, ...]
    country: str


@dataclass(frozen=True, slots=True)
class SpeechVerb:
    form: str
    lemma: str
    reflexive: bool
    particle: str


@dataclass(frozen=True, slots=True)
class NamedThing:
    """A gazetteer entry (team, series, circuit) with its aliases."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CarModel:
    maker: str
    model: str


@dataclass(frozen=True)
class Lexicons:
    given_names: frozenset[str]
    countries: tuple[Country, ...]
    nationalities: tuple[Demonym, ...]
    regions: tuple[Demonym, ...]
    title_nouns: dict[str, str]
    title_suffixes: dict[str, str]
    speech_verbs: dict[str, tuple[SpeechVerb, ...]]
    role_heads: frozenset[str]
    makers: frozenset[str]
    model_words: frozenset[str]
    car_models: tuple[CarModel, ...]
    teams: tuple[NamedThing, ...]
    team_suffixes: frozenset[str]
    team_prefixes: frozenset[str]
    series: tuple[NamedThing, ...]
    circuits: tuple[NamedThing, ...]
    race_classes: frozenset[str]
    noun_endings: tuple[str, ...]
    not_name_words: frozenset[str]
    male_names_like_female: frozenset[str]
    department_heads: frozenset[str]
    female_names_unmarked: frozenset[str] = frozenset()
    places: tuple[Place, ...] = ()
    team_cues: frozenset[str] = frozenset()
    team_member_nouns: frozenset[str] = frozenset()
    generic_team_words: frozenset[str] = frozenset()
    not_team_words: frozenset[str] = frozenset()
    chassis_makers: frozenset[str] = frozenset()
    link_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # Town names (GeoNames-derived, towns.txt): evidence that a bracket holds a place.
    towns: frozenset[str] = frozenset()
    place_endings: tuple[str, ...] = ()
    # Words written in lower case (lowercase_words.txt): capitalised they open a sentence, not a name.
    lowercase_words: frozenset[str] = frozenset()
    # Closed word classes of the quote-cue grammar (attribution_words.tsv), by class.
    attribution_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # Words of references to people: descriptions, pronouns, seniority (description_words.tsv), by class.
    description_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # Nouns for a driver's teammate (teammate_nouns.txt): "seine Teamkollegin X"; read by linking and attribution.
    teammate_nouns: frozenset[str] = frozenset()
    # Closed word classes of quote detection (quote_words.tsv), by class.
    quote_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # Words around a hometown (place_words.tsv), by class.
    place_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # Words around a person's name (person_words.tsv), by class.
    person_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # Words of name shapes: articles, particles, words never a name (name_words.tsv), by class.
    name_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # Words of the shape rules for things: series/circuit suffixes, class cues (thing_words.tsv), by class.
    thing_words: dict[str, frozenset[str]] = field(default_factory=dict)
    # Derived lookups, built once in __post_init__.
    country_by_code: dict[str, Country] = field(default_factory=dict)
    country_by_name: dict[str, Country] = field(default_factory=dict)
    demonym_by_noun: dict[str, tuple[Demonym, str]] = field(default_factory=dict)
    place_by_name: dict[str, Place] = field(default_factory=dict, repr=False)
    region_names: frozenset[str] = field(default=frozenset(), repr=False)
    speech_forms_lower: frozenset[str] = field(default=frozenset(), repr=False)  # for quote detection
    _title_kind_memo: dict[str, str | None] = field(default_factory=dict, repr=False)
    # title_suffixes by their place in the dict (the first matching one wins), and their lengths
    _suffix_rank: dict[str, int] = field(default_factory=dict, repr=False)
    _suffix_lengths: tuple[int, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        # frozen dataclass: derived values are set once here
        object.__setattr__(self, "speech_forms_lower", frozenset(form.lower() for form in self.speech_verbs))
        self._suffix_rank.update((suffix, rank) for rank, suffix in enumerate(self.title_suffixes))
        object.__setattr__(self, "_suffix_lengths", tuple(sorted({len(suffix) for suffix in self.title_suffixes})))
        for place in self.places:
            self.place_by_name[place.name] = place
        for country in self.countries:
            self.country_by_name[country.name] = country
            for code in country.codes:
                self.country_by_code[code] = country
        object.__setattr__(self, "region_names", frozenset(
            {demonym.region for demonym in self.regions if demonym.region}
            | {region for place in self.places for region in place.regions}))
        unknown = sorted({place.country for place in self.places} - set(self.country_by_name))
        if unknown:
            raise RuleFileError(f"places.tsv: countries not in countries.tsv: {unknown}")
        for demonym in (*self.nationalities, *self.regions):
            for noun, gender in ((demonym.masculine, "m"), (demonym.feminine, "f")):
                self.demonym_by_noun.setdefault(noun, (demonym, gender))
                # Dative/accusative/plural forms: "dem Belgier", "den Franzosen", "dem Oberbayern"
                for ending in ("n", "en", "s"):
                    self.demonym_by_noun.setdefault(noun + ending, (demonym, gender))

    def title_kind(self, word: str) -> str | None:
        """``driver``/``person`` for a title noun such as ``Werksfahrer``, also for
        unseen compounds such as ``BMW-Werksfahrer`` or ``Porsche-Junior``."""
        try:
            return self._title_kind_memo[word]  # called for most capitalised tokens: memoise
        except KeyError:
            if len(self._title_kind_memo) > TITLE_MEMO_LIMIT:  # keep memory flat on endless archives
                self._title_kind_memo.clear()
            kind = self._title_kind_memo[word] = self._title_kind(word)
            return kind

    def _title_kind(self, word: str) -> str | None:
        if word in self.title_nouns:
            return self.title_nouns[word]
        if word[-1:] == "n" and word[:-1] in self.title_nouns:  # dative plural: "mit den Fahrern"
            return self.title_nouns[word[:-1]]
        lowered = word.lower()
        # The first suffix in the dict's order that ends the word (and is shorter):
        # one lookup per suffix length instead of a test per suffix.
        rank = self._suffix_rank
        matches = [lowered[-length:] for length in self._suffix_lengths if length < len(lowered) and lowered[-length:] in rank]
        return self.title_suffixes[min(matches, key=rank.__getitem__)] if matches else None

    def country_of(self, place: str | None) -> str | None:
        """The country a hometown value names: a country, a code, a known town, or ``None``."""
        if not place:
            return None
        if place in self.country_by_name:
            return place
        country = self.country_by_code.get(place)
        if country:
            return country.name
        town = self._place(place)
        return town.country if town else None

    def regions_of(self, place: str | None) -> tuple[str, ...]:
        """The regions a hometown lies in, innermost first: ``Innsbruck`` → ``("Tirol",)``."""
        town = self._place(place) if place else None
        return town.regions if town else ()

    def _place(self, place: str) -> Place | None:
        # "Halle/Saale", "Freiburg im Breisgau": the full value, else the part before the slash
        return self.place_by_name.get(place) or self.place_by_name.get(place.split("/")[0].strip())


def rules_root(lang: str = DEFAULT_LANG, rules_dir: str | None = None) -> Path:
    """The folder the rules for ``lang`` are read from: ``rules_dir``, else the packaged rules."""
    if rules_dir:
        return Path(rules_dir)
    return Path(str(resources.files("pipeline.models") / "rules" / lang))


def _data_lines(path: Path) -> Iterator[tuple[int, str]]:
    if not path.is_file():
        raise RuleFileError(f"rule file not found: {path}")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n").rstrip("\r")
            if line.strip() and not line.lstrip().startswith("#"):
                yield number, line


def read_word_list(path: Path) -> frozenset[str]:
    return frozenset(line.strip() for _, line in _data_lines(path))


def read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    lines = _data_lines(path)
    try:
        _, header = next(lines)
    except StopIteration:
        raise RuleFileError(f"{path.name}: empty file") from None
    found = tuple(header.split("\t"))
    if found != columns:
        raise RuleFileError(f"{path.name}: header {found} should be {columns}")
    rows = []
    for number, line in lines:
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise RuleFileError(f"{path.name}:{number}: expected {len(columns)} columns, got {len(cells)}")
        rows.append(dict(zip(columns, (cell.strip() for cell in cells))))
    return rows


def read_jsonl(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[dict]:
    records = []
    for number, line in _data_lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise RuleFileError(f"{path.name}:{number}: invalid JSON ({error.msg})") from None
        keys = set(record)
        missing = set(required) - keys
        unknown = keys - set(required) - set(optional)
        if missing or unknown:
            raise RuleFileError(f"{path.name}:{number}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}")
        records.append(record)
    return records


def _named_things(path: Path) -> tuple[NamedThing, ...]:
    return tuple(
        NamedThing(record["name"], tuple(record.get("aliases", ())))
        for record in read_jsonl(path, ("name",), ("aliases",))
    )


def _demonyms(path: Path, with_region: bool) -> tuple[Demonym, ...]:
    columns = ("masculine", "feminine", "region", "country") if with_region else ("masculine", "feminine", "country")
    return tuple(
        Demonym(row["masculine"], row["feminine"] or row["masculine"], row["country"], row.get("region"))
        for row in read_tsv(path, columns)
    )


TITLE_KINDS = ("driver", "person", "relation")  # relation: "Bruder", "Vater" before a name


def _title_kinds(path: Path, key: str) -> dict[str, str]:
    kinds = {}
    for row in read_tsv(path, (key, "kind")):
        if row["kind"] not in TITLE_KINDS:
            raise RuleFileError(f"{path.name}: kind {row['kind']!r} of {row[key]!r} is not one of {TITLE_KINDS}")
        kinds[row[key]] = row["kind"]
    return kinds


def _speech_verbs(path: Path) -> dict[str, tuple[SpeechVerb, ...]]:
    verbs: dict[str, list[SpeechVerb]] = {}
    for row in read_tsv(path, ("form", "lemma", "reflexive", "particle")):
        verb = SpeechVerb(row["form"], row["lemma"], row["reflexive"] == "1", row["particle"])
        verbs.setdefault(verb.form, []).append(verb)
    return {form: tuple(entries) for form, entries in verbs.items()}


LINK_WORD_KINDS = ("contrast", "contrast_verb", "team_after_bracket", "shared_car", "sister_car",
                   "ordinal", "together", "shared_bracket", "maker_only", "crew_after", "crew_after_car", "crew_article",
                   "group_noun", "group_article", "group_reference", "list_joiner")


def _link_words(path: Path) -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = {kind: set() for kind in LINK_WORD_KINDS}
    for row in read_tsv(path, ("word", "kind")):
        if row["kind"] not in words:
            raise RuleFileError(f"{path.name}: kind {row['kind']!r} of {row['word']!r} is not one of {LINK_WORD_KINDS}")
        words[row["kind"]].add(row["word"])
    return {kind: frozenset(found) for kind, found in words.items()}


ATTRIBUTION_WORD_CLASSES = ("apposition_article", "cue_preposition", "genitive_article", "indefinite_article",
                            "indefinite_subject", "next_sentence_opener", "non_subject_before",
                            "particle", "participle_block_opener", "participle_ending", "phrase_adverb", "phrase_stop", "rival_before",
                            "teammate_possessive", "title_abbreviation", "topic_preposition")
QUOTE_WORD_CLASSES = ("abbreviation", "definite_article", "determiner_start", "first_person", "naming_after",
                      "naming_before", "naming_suffix", "naming_verb", "non_verb", "reporting_form", "subjunctive_form")
PLACE_WORD_CLASSES = ("aus_article", "aus_place_joiner", "origin_participle", "origin_verb", "place_joiner",
                      "place_prefix", "shared_word")
PERSON_WORD_CLASSES = ("academic_title", "name_opener", "name_suffix")
NAME_WORD_CLASSES = ("article", "definite_article", "name_particle", "name_particle_second", "never_name",
                     "place_preposition")
THING_WORD_CLASSES = ("circuit_suffix", "class_cue", "origin_team_determiner", "series_opener", "series_suffix",
                      "team_compound_head")
DESCRIPTION_WORD_CLASSES = ("age_suffix", "feminine_ending", "object_before", "origin_article", "pronoun_feminine",
                            "pronoun_masculine", "seniority_older", "seniority_younger", "subject_article")


def _word_classes(path: Path, classes: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """A ``class<TAB>word`` file: every class present (maybe empty), no unknown class."""
    words: dict[str, set[str]] = {name: set() for name in classes}
    for row in read_tsv(path, ("class", "word")):
        if row["class"] not in words:
            raise RuleFileError(f"{path.name}: unknown class {row['class']!r} (one of {classes})")
        words[row["class"]].add(row["word"])
    return {name: frozenset(found) for name, found in words.items()}


def _with_unaccented(names: frozenset[str]) -> frozenset[str]:
    """Given names also without accents: web copy writes ``Sebastien``, ``Stephane``.
    Not where that looks like a genitive of another name (``Mārtiņš`` → ``Martins``)."""
    plain = {"".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)) for name in names}
    return names | {name for name in plain if not (name.endswith("s") and name[:-1] in names)}


def load_lexicons_from(root: Path) -> Lexicons:
    """Load and validate every rule file in ``root``."""
    return Lexicons(
        given_names=_with_unaccented(read_word_list(root / "given_names.txt")),
        countries=tuple(
            Country(row["name"], tuple(code.strip() for code in row["codes"].split(",") if code.strip()), row["adjective_stem"])
            for row in read_tsv(root / "countries.tsv", ("name", "codes", "adjective_stem"))
        ),
        nationalities=_demonyms(root / "nationalities.tsv", with_region=False),
        regions=_demonyms(root / "regions.tsv", with_region=True),
        title_nouns=_title_kinds(root / "title_nouns.tsv", "noun"),
        # Longest suffix first, so "bürgermeister" (person) wins over "meister" (driver).
        title_suffixes={
            suffix.lower().lstrip("-"): kind
            for suffix, kind in sorted(_title_kinds(root / "title_suffixes.tsv", "suffix").items(), key=lambda kv: -len(kv[0]))
        },
        speech_verbs=_speech_verbs(root / "speech_verbs.tsv"),
        role_heads=read_word_list(root / "role_heads.txt"),
        makers=read_word_list(root / "makers.txt"),
        model_words=read_word_list(root / "model_words.txt"),
        car_models=tuple(CarModel(r["maker"], r["model"]) for r in read_jsonl(root / "car_models.jsonl", ("maker", "model"))),
        teams=_named_things(root / "teams.jsonl"),
        team_suffixes=read_word_list(root / "team_suffixes.txt"),
        team_prefixes=read_word_list(root / "team_prefixes.txt"),
        series=_named_things(root / "series.jsonl"),
        circuits=_named_things(root / "circuits.jsonl"),
        race_classes=read_word_list(root / "race_classes.txt"),
        noun_endings=tuple(sorted(read_word_list(root / "noun_endings.txt"))),
        not_name_words=read_word_list(root / "not_name_words.txt"),
        male_names_like_female=read_word_list(root / "male_names_like_female.txt"),
        department_heads=read_word_list(root / "department_heads.txt"),
        female_names_unmarked=read_word_list(root / "female_names_unmarked.txt"),
        team_cues=read_word_list(root / "team_cues.txt"),
        team_member_nouns=read_word_list(root / "team_member_nouns.txt"),
        generic_team_words=read_word_list(root / "generic_team_words.txt"),
        not_team_words=read_word_list(root / "not_team_words.txt"),
        chassis_makers=read_word_list(root / "chassis_makers.txt"),
        link_words=_link_words(root / "link_words.tsv"),
        places=tuple(
            Place(row["place"], tuple(r.strip() for r in row["regions"].split(",") if r.strip()), row["country"])
            for row in read_tsv(root / "places.tsv", ("place", "regions", "country"))
        ),
        towns=read_word_list(root / "towns.txt"),
        place_endings=tuple(sorted(read_word_list(root / "place_endings.txt"))),
        lowercase_words=read_word_list(root / "lowercase_words.txt"),
        attribution_words=_word_classes(root / "attribution_words.tsv", ATTRIBUTION_WORD_CLASSES),
        description_words=_word_classes(root / "description_words.tsv", DESCRIPTION_WORD_CLASSES),
        teammate_nouns=read_word_list(root / "teammate_nouns.txt"),
        quote_words=_word_classes(root / "quote_words.tsv", QUOTE_WORD_CLASSES),
        place_words=_word_classes(root / "place_words.tsv", PLACE_WORD_CLASSES),
        person_words=_word_classes(root / "person_words.tsv", PERSON_WORD_CLASSES),
        name_words=_word_classes(root / "name_words.tsv", NAME_WORD_CLASSES),
        thing_words=_word_classes(root / "thing_words.tsv", THING_WORD_CLASSES),
    )


@lru_cache(maxsize=8)
def load_lexicons(lang: str = DEFAULT_LANG, rules_dir: str | None = None) -> Lexicons:
    """The lexicons for ``lang``: packaged rules, or ``rules_dir`` when given.

    Cached: every component of every pipeline in the process shares one copy.
    Treat the result as read-only.
    """
    return load_lexicons_from(rules_root(lang, rules_dir))
