"""Full-name mentions of people, classified as drivers or other persons.

A capitalised run of one to four name-like tokens is a person's name when
something in the text says so:
- it starts with a known given name (``Lena Hofbauer``);
- a title or nationality noun stands right before it (``Werksfahrer X``,
  ``der Belgier X``, ``Teamchef X``);
- a bracket or ``aus`` follows it (``X (Rosenheim)``, ``X aus Köln``);
- a speech verb stands right before it (``sagte X``);
- it is joined by ``,``/``und`` to an accepted name (``A, X Y und B``);
- it is a bare capitalised pair in a name's position, with no article
  (``… überholte Oda Strand …``), and no word says noun or place;
- the statistical base model tagged it PER (extra evidence, when present),
  checked like a bare pair.

Not names: runs opening with a word German writes in lower case (``Starker
Auftakt``), known towns (``Salt Lake City``), a surname followed by another word
(``Brandls Seite``). ``Di Sarno`` opening a sentence is ``Marco di Sarno``;
``Aarne 'Aki' Rautio`` is one name with its nickname.

A person is a ``person`` (not a driver) when a person-title precedes the name
(``Teamchef``) or a role apposition follows it (``X, Leiter Motorsport``).

Writes ``doc._.people`` (records with ``extensions.PERSON_KEYS``) and
``doc._.mentions`` (full-name mentions; later components add surnames,
crews and descriptions).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress
from operator import or_

from spacy.language import Language
from spacy.tokens import Doc, Span


from ..extensions import set_doc_value  # importing it registers the extensions
from ..rules import DEFAULT_LANG, Lexicons, load_lexicons
from ..schema import THINGS_KEY, check_span_keys
from .configured import ConfiguredPipe
from .doc_view import DocView, doc_view
from .shapes import QUOTE_MARKS, WordShape, bracket_close, is_initial, list_joiners, never_name_words

DEFAULT_THINGS_KEY = THINGS_KEY
DEFAULT_MAX_NAME_TOKENS = 4
DEFAULT_ROLE_MAX_TOKENS = 12
BASE_PERSON_LABELS = ("PER", "PERSON")
# Marks after which a bare capitalised pair is in a name's position; the words
# that do so are rule data (person_words.tsv: name_opener), as are academic
# titles before a name ("Audi-Motorsportchef Dr. X": academic_title) and
# suffixes after a surname ("Horst Felbach jr.": name_suffix).
NAME_OPENER_MARKS = frozenset({",", ":", "–"})
# Articles, name particles ("van der") and the prepositions after which a capitalised
# pair is a place ("aus Bad Kötzting") are rule data too (name_words.tsv, see name_words).
# Before a one-word speaker, with the speech verbs: "„…“, freute sich X", "„…“, so X".
SPEAKER_SLOT_WORDS = frozenset({"sich", "so"})
CLAUSE_END = frozenset({".", ",", ":", ";", "!", "?", "(", ")", "„", "“", "\"", "»", "«", "–", "-"})


@Language.factory(
    "motorsport_persons",
    assigns=["doc._.people", "doc._.mentions"],
    requires=["doc.spans"],
    default_config={"things_key": DEFAULT_THINGS_KEY, "lang": DEFAULT_LANG, "rules_dir": None, "use_base_entities": True},
)
def make_persons(nlp: Language, name: str, things_key: str, lang: str, rules_dir: str | None,
                 use_base_entities: bool) -> "PersonFinder":
    check_span_keys(nlp, adding=("motorsport_persons", name, {"things_key": things_key}))
    return PersonFinder(nlp, name, things_key=things_key, lang=lang, rules_dir=rules_dir, use_base_entities=use_base_entities)


class PersonFinder(ConfiguredPipe):
    # (lexicons, lang, the given names name_like can miss): see _given_names_not_name_like
    _odd_given_names: tuple[Lexicons, str, frozenset[str]] | None = None

    def __init__(self, nlp: Language, name: str = "motorsport_persons", *, things_key: str = DEFAULT_THINGS_KEY,
                 lang: str = DEFAULT_LANG, rules_dir: str | None = None, use_base_entities: bool = True) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"things_key": things_key, "lang": lang, "rules_dir": rules_dir, "use_base_entities": use_base_entities}

    def __call__(self, doc: Doc) -> Doc:
        view = doc_view(doc)
        texts, name_like = view.texts, view.name_like
        lex = self.lexicons
        given_names = lex.given_names
        particles = self._name_words["name_particle"]
        blocked = tokens_of(view.spans(self.cfg["things_key"]))
        base_person_starts = self._base_person_starts(doc)
        # (start, end, evidence) of capitalised name-like runs; evidence is None when not a name
        runs: list[tuple[int, int, str | None]] = []
        next_start = 0  # a run never starts inside the one before
        sent_starts, n_tokens = view.sent_starts, len(texts)
        name_like_positions = list(compress(range(n_tokens), name_like))
        for i in self._possible_name_starts(view, doc.lang_, name_like_positions):
            after = i + 1
            if (after >= n_tokens or sent_starts[after] or after in blocked
                    or not (name_like[after] or texts[after] in particles or texts[after] in QUOTE_MARKS
                            or texts[after].isupper())):
                continue  # most capitalised words (German nouns): no run of two can start here (see _name_end)
            text = texts[i]
            if (i < next_start or i in blocked
                    or lex.title_kind(text) or text in lex.demonym_by_noun
                    or (_opens_sentence(view, i) and text.lower() in lex.lowercase_words
                        and text not in given_names)):
                continue  # "Starker Auftakt für …", "Zumindest Testfahrten …": no name starts with these
            end = self._name_end(view, i, blocked)
            start = self._trim_leading_noun(view, i, end, base_person_starts)
            if end - start >= 2:
                runs.append((start, end, self._is_person_name(view, start, end, base_person_starts)))
                next_start = end
        runs = _drop_surname_pairs(view, runs)
        runs = _propagate_through_lists(view, runs, list_joiners(lex), self._name_words["place_preposition"])
        people: list[dict] = []
        mentions: list[dict] = []
        by_name: dict[str, dict] = {}
        for start, end, accepted in runs:
            if not accepted:
                continue
            words = texts[start:end]
            name = _name_text(words)
            record = by_name.get(name)
            if record is None:
                record = _new_person(len(people), name)
                people.append(record)
                by_name[name] = record
            nickname = _nickname_form(words)
            if nickname:  # "Aarne 'Aki' Rautio", later "Aki Rautio": one person
                by_name.setdefault(nickname, record)
            self._describe(view, start, end, record)
            record["gender"] = record["gender"] or _gender_from_given_name(words[0], lex)
            start_char, end_char = view.starts[start], view.ends[end - 1]
            mentions.append({"person": record["id"], "start_char": start_char, "end_char": end_char,
                             "kind": "name", "text": view.text[start_char:end_char]})
        self._surname_only_people(view, blocked, runs, name_like_positions, people, mentions)
        _merge_short_names(people, mentions)
        _merge_particle_surnames(people, mentions, particles)
        set_doc_value(doc, "people", people)
        set_doc_value(doc, "mentions", mentions)
        return doc

    def _possible_name_starts(self, view: DocView, lang: str, name_like_positions: list[int]) -> Iterable[int]:
        """Where a name can start: the name-like words and the given names (``JJ Lehto``),
        found at C speed (no per-token Python loop). Most given names are name-like
        wherever they stand; a document without any of the others needs no look-up
        in the large given-name list (one per word, the costliest pass here)."""
        texts = view.texts
        if self._given_names_not_name_like(lang).isdisjoint(texts):
            return name_like_positions
        given_names = self.lexicons.given_names
        return compress(range(len(texts)), map(or_, view.name_like, map(given_names.__contains__, texts)))

    def _given_names_not_name_like(self, lang: str) -> frozenset[str]:
        """The given names that ``DocView.name_like`` leaves out somewhere (``JJ``: capitals;
        never-name and stop words), by the word shapes of ``lang``; built once per lexicons."""
        lex = self.lexicons
        cached = self._odd_given_names
        if cached is None or cached[0] is not lex or cached[1] != lang:
            never_name = never_name_words(lang)
            shapes = (WordShape(name, False, False, name.isalpha(), name.islower(), never_name=never_name)
                      for name in lex.given_names)
            odd = frozenset(shape.text for shape in shapes
                            if not (shape.name_like_inside and shape.name_like_at_start))
            cached = self._odd_given_names = (lex, lang, odd)
        return cached[2]

    def _surname_only_people(self, view: DocView, blocked: set[int], runs, name_like_positions: list[int],
                             people: list[dict], mentions: list[dict]) -> None:
        """People the text names by one word only (``„…“, sagte Okafor.``,
        ``Brunner (911 GT3 R #92): „…“``, ``Teamkollege Castellano``). A single
        capitalised word is a name only in such a slot; its other occurrences
        are then found by ``motorsport_names`` like any surname."""
        texts, name_like, sent_starts = view.texts, view.name_like, view.sent_starts
        lex = self.lexicons
        in_runs = {i for start, end, _ in runs for i in range(start, end)}
        known_words = {word for person in people for word in person["name"].split()}
        by_name = {person["name"]: person for person in people if " " not in person["name"]}
        n_tokens = len(texts)
        for i in name_like_positions:
            text = texts[i]
            if i in blocked or i in in_runs or text in known_words:
                continue
            if i + 1 < n_tokens and name_like[i + 1]:
                continue  # the next word continues it: not a one-word name
            title_kind = lex.title_kind(texts[i - 1]) if i > 0 else None
            if not (title_kind or i == 0 or sent_starts[i] or texts[i - 1] in SPEAKER_SLOT_WORDS
                    or texts[i - 1] in lex.speech_verbs or "\n" in texts[i - 1]):
                continue  # no slot for a one-word name: none after a title, a speech verb or at a line's start
            bracket_after = i + 1 < len(texts) and texts[i + 1] == "("
            # "sein Bruder Charles (21)": a relative introduced like a driver, even by given name
            introduced_relative = title_kind == "relation" and bracket_after
            if (text in lex.given_names and not introduced_relative) or not plausible_surname(text, lex):
                continue
            if title_kind == "relation" and not introduced_relative:
                continue  # "Ehefrau Liisa": family, not a driver named by one word
            title = texts[i - 1] if title_kind else None
            if not (title or _speaker_after_quote(texts, i, lex) or _speaker_before_quote(view, i, lex)):
                continue
            record = by_name.get(text)
            if record is None:
                record = by_name[text] = _new_person(len(people), text)
                people.append(record)
            self._describe(view, i, i + 1, record)
            mentions.append({"person": record["id"], "start_char": view.starts[i], "end_char": view.ends[i],
                             "kind": "name", "text": text})
        mentions.sort(key=lambda mention: mention["start_char"])

    @property
    def _words(self) -> dict[str, frozenset[str]]:
        """The word classes around a name (person_words.tsv; the packaged ones for lexicons built without them)."""
        return self.lexicons.person_words or load_lexicons().person_words

    @property
    def _name_words(self) -> dict[str, frozenset[str]]:
        return name_words(self.lexicons)

    # -- evidence ---------------------------------------------------------
    def _base_person_starts(self, doc: Doc) -> set[int]:
        if not self.cfg["use_base_entities"]:
            return set()
        return {ent.start for ent in doc.ents if ent.label_ in BASE_PERSON_LABELS and len(ent) >= 2}

    def _name_end(self, view: DocView, start: int, blocked: set[int]) -> int:
        texts, name_like, sent_starts = view.texts, view.name_like, view.sent_starts
        lex = self.lexicons
        given_names = lex.given_names
        name_suffixes = self._words["name_suffix"]
        words = name_words(lex)
        particles, second_particles = words["name_particle"], words["name_particle_second"]
        end = start + 1
        while end < len(texts) and end - start < DEFAULT_MAX_NAME_TOKENS and end not in blocked and not sent_starts[end]:
            text = texts[end]
            if end - start >= 2 and text in given_names and texts[end - 1] not in given_names:
                break  # "Lena Hofbauer Lena Hofbauer": a new name starts
            if text in name_suffixes and end - start >= 2:
                end += 1  # "Horst Felbach jr.", "Max Brandt sen."
                break
            if (text in QUOTE_MARKS and end - start == 1 and end + 3 < len(texts)
                    and name_like[end + 1] and texts[end + 2] in QUOTE_MARKS
                    and name_like[end + 3] and end + 3 not in blocked):
                end += 4  # a nickname between given name and surname: "Aarne 'Aki' Rautio"
                continue
            if name_like[end] and (not lex.title_kind(text) or self._surname_like_title(texts, end)):
                end += 1
            elif texts[end - 1] in given_names and self._capitals_surname(text):
                end += 1  # results lists write surnames in capitals: "Henrik OBERHALT"
            elif (text in particles and end + 1 < len(texts) and name_like[end + 1]
                  and end + 1 not in blocked and texts[end + 1] not in given_names):
                end += 2  # not "… von Lena Hofbauer": a given name opens a new name
            elif (text in particles and end + 2 < len(texts) and texts[end + 1] in second_particles
                  and name_like[end + 2] and end + 2 not in blocked):
                end += 3  # "Thijs van der Berg"
            else:
                break
        return end

    def _surname_like_title(self, texts: list[str], index: int) -> bool:
        """``Jonas Wachmeister``: right after a given name, a word that is a title only
        by its ending (``-meister``) is a surname."""
        text = texts[index]
        return (texts[index - 1] in self.lexicons.given_names and text not in self.lexicons.title_nouns
                and "-" not in text)

    def _capitals_surname(self, text: str) -> bool:
        lex = self.lexicons
        return (len(text) >= 3 and text.isalpha() and text.isupper() and text not in lex.makers
                and text not in lex.country_by_code and text not in lex.team_suffixes)

    def _trim_leading_noun(self, view: DocView, start: int, end: int, base_person_starts: set[int]) -> int:
        """``Bruder Emil Lindqvist``, ``am Ende Yannek Quibb``: capitalised nouns
        before a given name (or before a name the base model tagged) are not
        part of the name."""
        texts = view.texts
        given = self.lexicons.given_names
        if texts[start] in given or start in base_person_starts:
            return start
        for index in range(start + 1, end - 1):
            if texts[index - 1] in QUOTE_MARKS:
                continue  # a nickname: "Aarne 'Aki' Rautio"
            if texts[index] in given or index in base_person_starts:
                return index
        return start

    def _is_person_name(self, view: DocView, start: int, end: int, base_person_starts: set[int]) -> str | None:
        """What makes doc[start:end] a person's name (``given``, ``initial``,
        ``title``, ``bracket``, ``base``, ``bare``), or None."""
        texts = view.texts
        if end - start < 2:
            return None  # single words are surname mentions, resolved later
        lex = self.lexicons
        first = texts[start]
        if first in lex.given_names or first.split("-")[0] in lex.given_names:
            return "given"
        if is_initial(first) and not is_initial(texts[end - 1]):
            return "initial"  # "J. P. Oliveira", "M. Schumacher"
        if _name_text(texts[start:end]) in lex.towns:
            return None  # "Salt Lake City", "Sao Paulo"
        if start > 0:
            before = texts[start - 1]
            if before in lex.department_heads:
                return None  # "Leiterin Werksmotorsport Langstrecke": a department, unless a given name follows
            if lex.title_kind(before) or before in lex.demonym_by_noun or before in lex.speech_verbs:
                if any(view.lowers[i].endswith(lex.noun_endings) for i in range(start, end)):
                    return None
                return "title"
        if end < len(texts) and (texts[end] == "(" or (texts[end] == "aus" and end + 1 < len(texts) and view.shapes[end + 1].capitalised)):
            return "bracket"
        if start in base_person_starts:  # the statistical model's PER, checked like a bare pair
            return "base" if self._plausible_name_words(texts[start:end]) else None
        return "bare" if self._is_bare_name_pair(view, start, end) else None

    def _plausible_name_words(self, words: list[str]) -> bool:
        return plausible_name_words(words, self.lexicons)

    def _is_bare_name_pair(self, view: DocView, start: int, end: int) -> bool:
        """Two capitalised words with no article, in a name's position:
        ``Hinter Oda Strand kam …``, ``… fuhr Vito Cerrone im …``. German nouns
        come with articles; bare capitalised pairs are mostly names. Words with
        common-noun endings and known non-name words are excluded."""
        texts, shapes = view.texts, view.shapes
        if end - start != 2:
            return False
        if not self._plausible_name_words([texts[start], texts[start + 1]]):
            return False
        before = shapes[start - 1] if start > 0 else None
        after = shapes[end] if end < len(texts) else None
        words = self._name_words
        before_ok = before is None or view.sent_starts[start] or before.text in NAME_OPENER_MARKS or before.text in self._words["name_opener"] or (
            before.is_lower and before.is_alpha and before.text not in words["article"] and before.text not in words["place_preposition"])
        after_ok = after is None or after.text in (",", ".", "(", "und", ":", "/") or (after.is_lower and after.is_alpha)
        return before_ok and after_ok

    def _describe(self, view: DocView, start: int, end: int, record: dict) -> None:
        """Title, nationality, role and kind from the words around the name ``start:end``."""
        texts = view.texts
        lex = self.lexicons
        academic_titles = self._words["academic_title"]
        before_index = start - 1
        while before_index > 0 and texts[before_index] in academic_titles:
            before_index -= 1  # "Motorsportchef Dr. X"
        if before_index >= 0:
            before = texts[before_index]
            kind = lex.title_kind(before)
            if kind == "person":
                record["kind"] = "person"
                record["role"] = record["role"] or before
            elif kind == "driver" and before not in record["titles"]:
                record["titles"].append(before)
            demonym = lex.demonym_by_noun.get(before)
            if demonym and not record["nationality"]:
                record["nationality"] = demonym[0].country
                record["gender"] = demonym[1]
            if before.endswith("in") and kind:  # "Teamkollegin", "Werksfahrerin"
                record["gender"] = record["gender"] or "f"
        role = _apposition_role(view, start, end, lex) or _role_before(view, start, end, lex) or _bracket_role(view, end, lex)
        if role:
            record["kind"] = "person"
            record["role"] = record["role"] or role


def name_words(lex: Lexicons) -> dict[str, frozenset[str]]:
    """The word classes of name shapes (name_words.tsv; the packaged ones for lexicons built without them)."""
    return lex.name_words or load_lexicons().name_words


def _gender_from_given_name(given: str, lex: Lexicons) -> str | None:
    """A weak prior for "sagte sie": most given names ending in -a or -ine are
    women's, as are listed names such as ``Ingrid`` or ``Carmen``. Unknown
    otherwise (None), never guessed male."""
    if given in lex.male_names_like_female:
        return None
    if given in lex.female_names_unmarked:
        return "f"
    if given.endswith(("a", "ine", "ette", "elle", "ee")) and len(given) > 2:
        return "f"
    return None


def _opens_sentence(view: DocView, i: int) -> bool:
    """The first word of a sentence, line or headline (``Spa – Starker Auftakt …``)."""
    if i == 0 or view.sent_starts[i]:
        return True
    before = view.shapes[i - 1]
    return before.text in ("–", "-", ":") or (before.is_space and "\n" in before.text)


def _drop_surname_pairs(view: DocView, runs: list[tuple[int, int, str | None]]) -> list[tuple[int, int, str | None]]:
    """A pair found by shape alone whose first word is the surname of a name
    found on better evidence is two surnames or a genitive, not a new person:
    ``setzte Brandl Kessler unter Druck``, ``an Brandls Seite``."""
    texts = view.texts
    surnames = {texts[end - 1] for start, end, evidence in runs if evidence not in (None, "bare", "base")}
    kept = []
    for start, end, evidence in runs:
        first = texts[start]
        if evidence in ("bare", "base") and (first in surnames or (first.endswith("s") and first[:-1] in surnames)):
            evidence = None
        kept.append((start, end, evidence))
    return kept


def _propagate_through_lists(view: DocView, runs: list[tuple[int, int, str | None]],
                             joiners: frozenset[str], place_prepositions: frozenset[str]) -> list[tuple[int, int, str | None]]:
    """In ``A, X Y und B`` a name-shaped run joined to accepted names is a name too."""
    texts = view.texts
    joined = list(runs)
    changed = True
    while changed:  # a list can pass acceptance along several links
        changed = False
        for index, (start, end, accepted) in enumerate(joined):
            if accepted or (start > 0 and texts[start - 1] in place_prepositions):
                continue
            for other in (joined[index - 1] if index else None, joined[index + 1] if index + 1 < len(joined) else None):
                if other is None or not other[2]:
                    continue
                gap = texts[other[1]:start] if other[0] < start else texts[end:other[0]]
                if len(gap) == 1 and gap[0] in joiners:
                    joined[index] = (start, end, "list")
                    changed = True
                    break
    return joined


def plausible_name_words(words: list[str], lex: Lexicons, genitive_shape_ok: bool = False) -> bool:
    """Words that can form a name without further evidence: no common-noun
    endings, no known non-name words, no genitive given name first (unless the
    slot rules one out: ``Tate`` in a crew ``Brook/Tate``)."""
    if any(w.lower().endswith(lex.noun_endings) or w in lex.not_name_words or w in lex.country_by_name or w in lex.makers
           or w in lex.team_suffixes or (w.endswith("s") and w[:-1] in lex.country_by_name) for w in words):
        return False
    if genitive_shape_ok:
        return True
    return not (words[0].endswith("s") and words[0][:-1] in lex.given_names)  # genitive: "Fabians Linien"


def plausible_surname(text: str, lex: Lexicons, genitive_shape_ok: bool = False) -> bool:
    """One word that can stand for a person: no title, nationality, known noun, maker or country."""
    return (len(text) >= 3 and not lex.title_kind(text) and text not in lex.demonym_by_noun
            and plausible_name_words([text], lex, genitive_shape_ok))


def _speaker_after_quote(texts: list[str], i: int, lex: Lexicons) -> bool:
    """``„…“, sagte Okafor.``, ``„…“, freute sich Okafor,``, ``„…“, so Okafor.``"""
    cue = i - 1
    if cue > 0 and texts[cue] == "sich":
        cue -= 1
    if cue < 2 or not (texts[cue] in lex.speech_verbs or texts[cue] == "so"):
        return False
    return texts[cue - 1] == "," and texts[cue - 2] in QUOTE_MARKS


def _speaker_before_quote(view: DocView, i: int, lex: Lexicons) -> bool:
    """``Okafor: „…“``, ``Okafor meinte: „…“``, ``Okafor (911 GT3 R #92): „…“``,
    the name opening its sentence or line."""
    texts = view.texts
    opens_line = i == 0 or view.sent_starts[i] or (view.shapes[i - 1].is_space and "\n" in texts[i - 1])
    if not opens_line:
        return False
    after = i + 1
    if after < len(texts) and texts[after] in lex.speech_verbs:
        after += 1
    elif after < len(texts) and texts[after] == "(":
        close = bracket_close(texts, after)
        if close is None:
            return False
        if texts[close] == "):":
            return close + 1 < len(texts) and texts[close + 1] in QUOTE_MARKS
        after = close + 1
    return (after + 1 < len(texts) and texts[after] == ":" and texts[after + 1] in QUOTE_MARKS)


def _new_person(person_id: int, name: str) -> dict:
    return {"id": person_id, "name": name, "kind": "driver", "role": None, "titles": [], "nationality": None,
            "hometown": None, "age": None, "gender": None, "team": None, "car": None}


def _name_text(texts: list[str]) -> str:
    """The name as written (its tokens' ``texts``), without a nickname in quotes."""
    words, inside_quotes = [], False
    for text in texts:
        if text in QUOTE_MARKS:
            inside_quotes = not inside_quotes
        elif not inside_quotes:
            words.append(text)
    return " ".join(words)


def _nickname_form(texts: list[str]) -> str | None:
    """``Aki Rautio`` for ``Aarne 'Aki' Rautio`` (the name's token ``texts``)."""
    for index in range(1, len(texts) - 3):
        if texts[index] in QUOTE_MARKS and texts[index + 2] in QUOTE_MARKS:
            return " ".join([texts[index + 1], *texts[index + 3:]])
    return None


def tokens_of(spans: Iterable[Span]) -> set[int]:
    """The token indexes the ``spans`` cover (the things no name may take)."""
    covered: set[int] = set()
    for span in spans:
        covered.update(range(span.start, span.end))
    return covered


def _apposition_role(view: DocView, start: int, end: int, lex: Lexicons) -> str | None:
    """``X, Leiter Motorsport der Porsche AG,`` → ``Leiter Motorsport der Porsche AG``."""
    texts = view.texts
    comma = end
    if comma + 1 >= len(texts) or texts[comma] != ",":
        return None
    start = comma + 1
    if texts[start] in name_words(lex)["definite_article"]:  # "X, der Teamchef von Y,"
        start += 1
    end = start
    while end < len(texts) and end - start < DEFAULT_ROLE_MAX_TOKENS and texts[end] not in CLAUSE_END:
        end += 1
    # The head may follow a modifier: "BMW Motorsport Direktor"; look at the first few words.
    if not any(t in lex.role_heads or lex.title_kind(t) == "person" for t in texts[start:min(end, start + 4)]):
        return None
    return view.text_of(start, end)


def _bracket_role(view: DocView, name_end: int, lex: Lexicons) -> str | None:
    """``Katrin Albers (Teamchefin): „…“`` → ``Teamchefin``."""
    texts = view.texts
    start = name_end + 1
    if start >= len(texts) or texts[name_end] != "(":
        return None
    end = bracket_close(texts, name_end)
    if end is None or end == start:
        return None
    head = texts[start]
    if head not in lex.role_heads and lex.title_kind(head) != "person":
        return None
    return view.text_of(start, end)


def _role_before(view: DocView, name_start: int, name_end: int, lex: Lexicons) -> str | None:
    """``Der Leiter der Mercedes-Motorsportabteilung, Gerd Hallstein, sagte``."""
    texts = view.texts
    comma = name_start - 1
    if comma < 2 or texts[comma] != "," or name_end >= len(texts) or texts[name_end] not in (",", ":"):
        return None
    start = comma
    while start > 0 and comma - start < DEFAULT_ROLE_MAX_TOKENS and texts[start - 1] not in CLAUSE_END:
        start -= 1
    head = next((i for i in range(start, comma) if texts[i] in lex.role_heads or lex.title_kind(texts[i]) == "person"), None)
    if head is None:
        return None
    return view.text_of(head, comma)


def _merge_short_names(people: list[dict], mentions: list[dict]) -> None:
    """``Max Brandt`` and ``Max Brandt Junior``? Keep the fullest form: a name
    whose words all open a longer name of the same document becomes the longest
    such name (straight to it: ``A B`` → ``A B C D`` even when ``A B C`` is
    there too, so no mention is left on a merged record)."""
    longest_by_prefix: dict[str, dict] = {}  # word prefix → the longest name it opens
    for person in people:
        words = person["name"].split(" ")
        for cut in range(1, len(words)):
            prefix = " ".join(words[:cut])
            known = longest_by_prefix.get(prefix)
            if known is None or len(person["name"]) > len(known["name"]):
                longest_by_prefix[prefix] = person
    pairs = []
    for short in people:
        long = longest_by_prefix.get(short["name"])
        if long is not None and long is not short:
            pairs.append((short, long))
    _merge_people(people, mentions, pairs)


def _merge_particle_surnames(people: list[dict], mentions: list[dict], particles: frozenset[str]) -> None:
    """``Di Sarno`` or ``Ten Brink`` opening a sentence is the surname of
    ``Marco di Sarno`` / ``Joost ten Brink``, not a person of its own."""
    pairs = []
    for short in people:
        words = short["name"].split()
        if len(words) < 2 or words[0].lower() not in particles or words[0] in particles:
            continue
        tail = " " + short["name"].casefold()
        long = next((p for p in people if p is not short and p["name"].casefold().endswith(tail)), None)
        if long is not None:
            pairs.append((short, long))
    _merge_people(people, mentions, pairs)


def _merge_people(people: list[dict], mentions: list[dict], pairs: list[tuple[dict, dict]]) -> None:
    """Fold each ``(short, long)`` record into ``long``: its evidence (role,
    nationality, gender, titles, a non-driver kind) and its mentions."""
    target_of = {}
    for short, long in pairs:
        for key in ("role", "nationality", "gender"):
            long[key] = long[key] or short[key]
        long["titles"] += [t for t in short["titles"] if t not in long["titles"]]
        if short["kind"] == "person":
            long["kind"] = "person"
        short["merged_into"] = long["id"]
        target_of[short["id"]] = long["id"]
    if target_of:
        for mention in mentions:
            mention["person"] = target_of.get(mention["person"], mention["person"])
        _renumber(people, mentions)


def _renumber(people: list[dict], mentions: list[dict]) -> None:
    keep = [p for p in people if "merged_into" not in p]
    new_id = {p["id"]: index for index, p in enumerate(keep)}
    for mention in mentions:
        mention["person"] = new_id[mention["person"]]
    for index, person in enumerate(keep):
        person["id"] = index
    people[:] = keep
