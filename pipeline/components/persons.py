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
from ..rules import DEFAULT_LANG, TITLE_MEMO_LIMIT, Lexicons, load_lexicons
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
# The marks after a name that a role goes with: "X, Leiter …", "…, X, sagte", "X (Teamchefin)".
ROLE_MARKS = frozenset({",", ":", "("})
CLAUSE_END = frozenset({".", ",", ":", ";", "!", "?", "(", ")", "„", "“", "\"", "»", "«", "–", "-"})


class _TitleKinds(dict):
    """``Lexicons.title_kind`` as a dict (word → kind or None): the finder asks it about
    most capitalised words and the words before them, and a known word is then a lookup
    at C speed instead of a Python call. A new word is asked once; the dict is emptied
    when it outgrows ``TITLE_MEMO_LIMIT`` (memory stays flat on endless archives)."""

    __slots__ = ("_title_kind",)

    def __init__(self, lex: Lexicons) -> None:
        super().__init__()
        self._title_kind = lex.title_kind

    def __missing__(self, word: str) -> str | None:
        if len(self) > TITLE_MEMO_LIMIT:
            self.clear()
        kind = self[word] = self._title_kind(word)
        return kind


class _WordClasses:
    """The word classes of one lexicons the finder reads for every document, gathered
    once (each was a chain of property and dict look-ups per name)."""

    __slots__ = ("academic_titles", "articles", "definite_articles", "lexicons", "list_joiners",
                 "name_continuing_words", "name_openers", "name_suffixes", "particles", "place_prepositions",
                 "second_particles", "speaker_slot_words", "title_kinds")

    def __init__(self, lex: Lexicons) -> None:
        person_words = lex.person_words or load_lexicons().person_words
        words = name_words(lex)
        self.lexicons = lex
        self.title_kinds = _TitleKinds(lex)
        self.particles, self.second_particles = words["name_particle"], words["name_particle_second"]
        # Besides name-like ones, the words after a name's first word that can go on it:
        # a particle ("Thijs van der Berg") or a nickname's quote ("Aarne 'Aki' Rautio").
        self.name_continuing_words = self.particles | QUOTE_MARKS
        self.articles, self.definite_articles = words["article"], words["definite_article"]
        self.place_prepositions = words["place_preposition"]
        self.name_suffixes, self.academic_titles = person_words["name_suffix"], person_words["academic_title"]
        self.name_openers = person_words["name_opener"]
        self.list_joiners = list_joiners(lex)
        self.speaker_slot_words = SPEAKER_SLOT_WORDS | frozenset(lex.speech_verbs)  # "sagte X", "so X"


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
    _cached_word_classes: _WordClasses | None = None  # of the lexicons last used: see _word_classes

    def __init__(self, nlp: Language, name: str = "motorsport_persons", *, things_key: str = DEFAULT_THINGS_KEY,
                 lang: str = DEFAULT_LANG, rules_dir: str | None = None, use_base_entities: bool = True) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"things_key": things_key, "lang": lang, "rules_dir": rules_dir, "use_base_entities": use_base_entities}

    def __call__(self, doc: Doc) -> Doc:
        view = doc_view(doc)
        scan = _Scan(view, self._word_classes(), tokens_of(view.spans(self.cfg["things_key"])),
                     self._base_person_starts(doc))
        texts, lex, word_classes = scan.texts, scan.lex, scan.words
        name_like_positions = list(compress(range(len(texts)), scan.name_like))
        runs = scan.name_runs(self._possible_name_starts(view, doc.lang_, name_like_positions))
        runs = _drop_surname_pairs(view, runs)
        runs = _propagate_through_lists(view, runs, word_classes.list_joiners, word_classes.place_prepositions)
        people: list[dict] = []
        mentions: list[dict] = []
        by_name: dict[str, dict] = {}
        starts, ends, text = view.starts, view.ends, view.text
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
            scan.describe(start, end, record)
            record["gender"] = record["gender"] or _gender_from_given_name(words[0], lex)
            start_char, end_char = starts[start], ends[end - 1]
            mentions.append({"person": record["id"], "start_char": start_char, "end_char": end_char,
                             "kind": "name", "text": text[start_char:end_char]})
        scan.surname_only_people(runs, name_like_positions, people, mentions)
        _merge_short_names(people, mentions)
        _merge_particle_surnames(people, mentions, word_classes.particles)
        set_doc_value(doc, "people", people)
        set_doc_value(doc, "mentions", mentions)
        return doc

    def _word_classes(self) -> _WordClasses:
        """The word classes of the current lexicons (gathered again when they were swapped)."""
        lex = self.lexicons
        word_classes = self._cached_word_classes
        if word_classes is None or word_classes.lexicons is not lex:
            word_classes = self._cached_word_classes = _WordClasses(lex)
        return word_classes

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

    # -- evidence ---------------------------------------------------------
    def _base_person_starts(self, doc: Doc) -> set[int]:
        if not self.cfg["use_base_entities"]:
            return set()
        return {ent.start for ent in doc.ents if ent.label_ in BASE_PERSON_LABELS and len(ent) >= 2}


class _Scan:
    """One document as the finder reads it: the doc view's lists (its columns are
    properties, too costly to ask in every step of every name), the things no name
    may take, the base model's PER starts and the word classes, taken once."""

    __slots__ = ("base_person_starts", "blocked", "lex", "name_like", "sent_starts", "shapes", "texts", "title_kinds",
                 "view", "words")

    def __init__(self, view: DocView, word_classes: _WordClasses, blocked: set[int], base_person_starts: set[int]) -> None:
        self.view = view
        self.texts, self.name_like, self.sent_starts, self.shapes = view.texts, view.name_like, view.sent_starts, view.shapes
        self.lex, self.words, self.title_kinds = word_classes.lexicons, word_classes, word_classes.title_kinds
        self.blocked, self.base_person_starts = blocked, base_person_starts

    def name_runs(self, possible_starts: Iterable[int]) -> list[tuple[int, int, str | None]]:
        """(start, end, evidence) of the capitalised name-like runs; evidence is None when not a name."""
        texts, name_like, sent_starts, blocked = self.texts, self.name_like, self.sent_starts, self.blocked
        lex, title_kinds, continuing_words = self.lex, self.title_kinds, self.words.name_continuing_words
        runs: list[tuple[int, int, str | None]] = []
        next_start = 0  # a run never starts inside the one before
        n_tokens = len(texts)
        for i in possible_starts:
            after = i + 1
            # Most capitalised words (German nouns) are followed by none that can go on
            # a name (see name_end): that test comes first, it ends most turns.
            if (after >= n_tokens or not (name_like[after] or texts[after] in continuing_words or texts[after].isupper())
                    or sent_starts[after] or after in blocked):
                continue
            text = texts[i]
            if (i < next_start or i in blocked
                    or title_kinds[text] or text in lex.demonym_by_noun
                    or (self.opens_sentence(i) and text.lower() in lex.lowercase_words
                        and text not in lex.given_names)):
                continue  # "Starker Auftakt für …", "Zumindest Testfahrten …": no name starts with these
            end = self.name_end(i)
            start = self.trim_leading_noun(i, end)
            if end - start >= 2:
                runs.append((start, end, self.person_evidence(start, end)))
                next_start = end
        return runs

    def opens_sentence(self, i: int) -> bool:
        """The first word of a sentence, line or headline (``Spa – Starker Auftakt …``)."""
        if i == 0 or self.sent_starts[i]:
            return True
        before = self.shapes[i - 1]
        return before.text in ("–", "-", ":") or (before.is_space and "\n" in before.text)

    def surname_only_people(self, runs: list[tuple[int, int, str | None]], name_like_positions: list[int],
                            people: list[dict], mentions: list[dict]) -> None:
        """People the text names by one word only (``„…“, sagte Okafor.``,
        ``Brunner (911 GT3 R #92): „…“``, ``Teamkollege Castellano``). A single
        capitalised word is a name only in such a slot; its other occurrences
        are then found by ``motorsport_names`` like any surname."""
        texts, name_like, sent_starts, blocked = self.texts, self.name_like, self.sent_starts, self.blocked
        lex, title_kinds, speaker_slot_words = self.lex, self.title_kinds, self.words.speaker_slot_words
        in_runs = {i for start, end, _ in runs for i in range(start, end)}
        known_words = {word for person in people for word in person["name"].split()}
        by_name = {person["name"]: person for person in people if " " not in person["name"]}
        last = len(texts) - 1
        for i in name_like_positions:
            if i < last and name_like[i + 1]:
                continue  # the next word continues it: not a one-word name
            before = texts[i - 1] if i > 0 else None
            title_kind = title_kinds[before] if i > 0 else None
            if not (title_kind or i == 0 or sent_starts[i] or before in speaker_slot_words or "\n" in before):
                continue  # no slot for a one-word name: none after a title, a speech verb or at a line's start
            text = texts[i]
            if i in blocked or i in in_runs or text in known_words:
                continue
            bracket_after = i < last and texts[i + 1] == "("
            # "sein Bruder Charles (21)": a relative introduced like a driver, even by given name
            introduced_relative = title_kind == "relation" and bracket_after
            if (text in lex.given_names and not introduced_relative) or not plausible_surname(text, lex):
                continue
            if title_kind == "relation" and not introduced_relative:
                continue  # "Ehefrau Liisa": family, not a driver named by one word
            title = before if title_kind else None
            if not (title or _speaker_after_quote(texts, i, lex) or _speaker_before_quote(self.view, i, lex)):
                continue
            record = by_name.get(text)
            if record is None:
                record = by_name[text] = _new_person(len(people), text)
                people.append(record)
            self.describe(i, i + 1, record)
            mentions.append({"person": record["id"], "start_char": self.view.starts[i], "end_char": self.view.ends[i],
                             "kind": "name", "text": text})
        mentions.sort(key=lambda mention: mention["start_char"])

    def name_end(self, start: int) -> int:
        texts, name_like, sent_starts, blocked = self.texts, self.name_like, self.sent_starts, self.blocked
        given_names, title_kinds = self.lex.given_names, self.title_kinds
        words = self.words
        name_suffixes, particles, second_particles = words.name_suffixes, words.particles, words.second_particles
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
            if name_like[end] and (not title_kinds[text] or self.surname_like_title(end)):
                end += 1
            elif texts[end - 1] in given_names and self.capitals_surname(text):
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

    def surname_like_title(self, index: int) -> bool:
        """``Jonas Wachmeister``: right after a given name, a word that is a title only
        by its ending (``-meister``) is a surname."""
        texts, lex = self.texts, self.lex
        text = texts[index]
        return texts[index - 1] in lex.given_names and text not in lex.title_nouns and "-" not in text

    def capitals_surname(self, text: str) -> bool:
        lex = self.lex
        return (len(text) >= 3 and text.isalpha() and text.isupper() and text not in lex.makers
                and text not in lex.country_by_code and text not in lex.team_suffixes)

    def trim_leading_noun(self, start: int, end: int) -> int:
        """``Bruder Emil Lindqvist``, ``am Ende Yannek Quibb``: capitalised nouns
        before a given name (or before a name the base model tagged) are not
        part of the name."""
        texts, given, base_person_starts = self.texts, self.lex.given_names, self.base_person_starts
        if texts[start] in given or start in base_person_starts:
            return start
        for index in range(start + 1, end - 1):
            if texts[index - 1] in QUOTE_MARKS:
                continue  # a nickname: "Aarne 'Aki' Rautio"
            if texts[index] in given or index in base_person_starts:
                return index
        return start

    def person_evidence(self, start: int, end: int) -> str | None:
        """What makes doc[start:end] a person's name (``given``, ``initial``,
        ``title``, ``bracket``, ``base``, ``bare``), or None."""
        texts = self.texts
        if end - start < 2:
            return None  # single words are surname mentions, resolved later
        lex = self.lex
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
            if self.title_kinds[before] or before in lex.demonym_by_noun or before in lex.speech_verbs:
                lowers = self.view.lowers
                if any(lowers[i].endswith(lex.noun_endings) for i in range(start, end)):
                    return None
                return "title"
        if end < len(texts) and (texts[end] == "(" or (texts[end] == "aus" and end + 1 < len(texts) and self.shapes[end + 1].capitalised)):
            return "bracket"
        if start in self.base_person_starts:  # the statistical model's PER, checked like a bare pair
            return "base" if plausible_name_words(texts[start:end], lex) else None
        return "bare" if self.is_bare_name_pair(start, end) else None

    def is_bare_name_pair(self, start: int, end: int) -> bool:
        """Two capitalised words with no article, in a name's position:
        ``Hinter Oda Strand kam …``, ``… fuhr Vito Cerrone im …``. German nouns
        come with articles; bare capitalised pairs are mostly names. Words with
        common-noun endings and known non-name words are excluded."""
        texts, shapes = self.texts, self.shapes
        if end - start != 2:
            return False
        if not plausible_name_words([texts[start], texts[start + 1]], self.lex):
            return False
        before = shapes[start - 1] if start > 0 else None
        after = shapes[end] if end < len(texts) else None
        words = self.words
        before_ok = before is None or self.sent_starts[start] or before.text in NAME_OPENER_MARKS or before.text in words.name_openers or (
            before.is_lower and before.is_alpha and before.text not in words.articles and before.text not in words.place_prepositions)
        after_ok = after is None or after.text in (",", ".", "(", "und", ":", "/") or (after.is_lower and after.is_alpha)
        return before_ok and after_ok

    def describe(self, start: int, end: int, record: dict) -> None:
        """Title, nationality, role and kind from the words around the name ``start:end``."""
        texts, lex = self.texts, self.lex
        academic_titles = self.words.academic_titles
        before_index = start - 1
        while before_index > 0 and texts[before_index] in academic_titles:
            before_index -= 1  # "Motorsportchef Dr. X"
        if before_index >= 0:
            before = texts[before_index]
            kind = self.title_kinds[before]
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
        if end == len(texts) or texts[end] not in ROLE_MARKS:
            return  # every role stands behind a mark right after the name (see the three below)
        role = self.apposition_role(end) or self.role_before(start, end) or self.bracket_role(end)
        if role:
            record["kind"] = "person"
            record["role"] = record["role"] or role

    def is_person_head(self, word: str) -> bool:
        """A word that heads a role: a role head (``Leiter``) or a person title (``Teamchef``)."""
        return word in self.lex.role_heads or self.title_kinds[word] == "person"

    def apposition_role(self, name_end: int) -> str | None:
        """``X, Leiter Motorsport der Porsche AG,`` → ``Leiter Motorsport der Porsche AG``."""
        texts = self.texts
        comma = name_end
        if comma + 1 >= len(texts) or texts[comma] != ",":
            return None
        start = comma + 1
        if texts[start] in self.words.definite_articles:  # "X, der Teamchef von Y,"
            start += 1
        end = start
        while end < len(texts) and end - start < DEFAULT_ROLE_MAX_TOKENS and texts[end] not in CLAUSE_END:
            end += 1
        # The head may follow a modifier: "BMW Motorsport Direktor"; look at the first few words.
        if not any(self.is_person_head(t) for t in texts[start:min(end, start + 4)]):
            return None
        return self.view.text_of(start, end)

    def bracket_role(self, name_end: int) -> str | None:
        """``Katrin Albers (Teamchefin): „…“`` → ``Teamchefin``."""
        texts = self.texts
        start = name_end + 1
        if start >= len(texts) or texts[name_end] != "(" or not self.is_person_head(texts[start]):
            return None  # the head is tested first: most brackets hold a place or a car, found without a search
        end = bracket_close(texts, name_end)
        if end is None or end == start:
            return None
        return self.view.text_of(start, end)

    def role_before(self, name_start: int, name_end: int) -> str | None:
        """``Der Leiter der Mercedes-Motorsportabteilung, Gerd Hallstein, sagte``."""
        texts = self.texts
        comma = name_start - 1
        if comma < 2 or texts[comma] != "," or name_end >= len(texts) or texts[name_end] not in (",", ":"):
            return None
        start = comma
        while start > 0 and comma - start < DEFAULT_ROLE_MAX_TOKENS and texts[start - 1] not in CLAUSE_END:
            start -= 1
        head = next((i for i in range(start, comma) if self.is_person_head(texts[i])), None)
        if head is None:
            return None
        return self.view.text_of(head, comma)


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
                gap_start, gap_end = (other[1], start) if other[0] < start else (end, other[0])
                if gap_end - gap_start == 1 and texts[gap_start] in joiners:  # one joining word between them
                    joined[index] = (start, end, "list")
                    changed = True
                    break
    return joined


def plausible_name_words(words: list[str], lex: Lexicons, genitive_shape_ok: bool = False) -> bool:
    """Words that can form a name without further evidence: no common-noun
    endings, no known non-name words, no genitive given name first (unless the
    slot rules one out: ``Tate`` in a crew ``Brook/Tate``)."""
    for w in words:  # a loop, not any(…): a generator costs more than the one or two words here
        if (w.lower().endswith(lex.noun_endings) or w in lex.not_name_words or w in lex.country_by_name or w in lex.makers
                or w in lex.team_suffixes or (w.endswith("s") and w[:-1] in lex.country_by_name)):
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
    if QUOTE_MARKS.isdisjoint(texts):  # nearly every name: no word-by-word walk
        return " ".join(texts)
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
