"""Speaker attribution: who said each quote in ``doc._.quotes``.

Reads ``doc._.people`` and ``doc._.mentions`` (written by the entity layer) and
fills the speaker keys of every quote dict. Passes, most precise first:

1. ``after_cue``: the cue right after the closing mark, ``„…“, sagte X`` /
   ``freute sich X`` / ``so Teamchef X`` / ``fügte X hinzu``. Position counts
   more than the lexicon: a lowercase word after ``„…“,`` followed by a name,
   pronoun or description is a cue even when the verb is not listed.
2. ``before_cue``: ``X sagte: „…“``, ``X: „…“``, the cue inserted between two
   halves of a quote, and the subject of a sentence that carries a partial
   quote (``X sprach von einer „…“``).
3. ``continuation``: a quote without a cue continues the previous quote (same
   or previous paragraph, nobody else named in between) or takes the cue of
   the quote right after it (``„A.“ „B“, sagte X``).
4. ``pronoun``: ``sagte er/sie`` → the most recent fitting person.
5. ``description``: ``der Franzose``, ``die Finnin``, ``der 27-Jährige``,
   ``der Gütersloher``, ``der Titelverteidiger``, ``Baumann senior`` → the
   person whose nationality, hometown, age or titles fit; ``sein
   Teamkollege`` → the other driver of the team of the person before.
6. ``context`` (optional, on by default): a quote with no cue right after a
   sentence whose subject is the only person named there → that person, with
   low confidence. Otherwise ``unresolved``.

A dependency parse, when the base model has one, adds evidence: the ``sb``
subject of the verb in a cue clause wins over the first name in it. Without a
parser (the offline base) everything is positional.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from spacy.language import Language
from spacy.tokens import Doc

from ..extensions import doc_value  # (the module registers doc._.people/mentions/quotes)
from ..rules import DEFAULT_LANG, Lexicons, load_lexicons
from ..schema import QUOTES_EXTENSION, check_span_keys
from .configured import ConfiguredPipe
from .descriptions import is_feminine_noun
from .doc_view import doc_view
from .shapes import SentenceBounds, paragraph_index, place_fits
from .quotes import (
    DEFAULT_SCARE_SPANS_KEY,
    Outside,
    after_cue_word,
    outer_span,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_CUE_WORDS = 6  # words between a cue verb and its speaker (``sagte Halvorsen im Ziel``)
DEFAULT_RESOLVE_CONTEXT = True

CONFIDENCE = {
    "after_cue": 0.95, "after_cue_positional": 0.85, "before_cue_colon": 0.9, "before_cue": 0.8,
    "pronoun": 0.8, "pronoun_weak": 0.6, "description": 0.8, "description_weak": 0.5,
    "continuation": 0.75, "continuation_paragraph": 0.65, "continuation_forward": 0.7, "context": 0.4,
    "heading": 0.6,
}

# Every confidence is one of these values: each is rounded once, not once per quote (``round`` to digits is slow).
ROUNDED_CONFIDENCE = {value: round(value, 2) for value in CONFIDENCE.values()}

# The speaker keys of a quote before attribution (or when it finds nobody).
UNRESOLVED = {"speaker": None, "speaker_role": None, "speaker_kind": "unknown", "cue": None, "method": "unresolved",
              "confidence": 0.0}


@dataclass(frozen=True)
class AttributionWords:
    """Closed word classes of the cue grammar, from the lexicons (``attribution_words.tsv``,
    ``description_words.tsv``, ``teammate_nouns.txt``).

    ``particle``: separable particles that close a cue clause (``fügte er hinzu``);
    ``non_subject_before``: a mention right after one of these is an object;
    ``genitive_article``: ``des``/``der`` before a name inside a noun phrase;
    ``indefinite_article``: ``sagte ein strahlender X``;
    ``next_sentence_opener``: ``„…“ Das sagte X.``;
    ``participle_block_opener`` … ``participle_ending``: ``der von der Stiftung geförderte X``;
    ``teammate_possessive`` + ``teammate_noun``: ``sein Teamkollege``;
    ``phrase_adverb``/``phrase_stop``: lowercase words that may stand inside a
    description (``der heute 52-Jährige``) and those that end one;
    ``rival_before``: a name after these (``gegen X``) is a rival, not the one described;
    ``title_abbreviation``: ``Dr.``, whose dot ends no sentence;
    ``cue_preposition``: ``so``/``laut`` in place of a verb (``„…“, so X``);
    ``indefinite_subject``: ``sagte man``, ``ein Sprecher``: nobody known;
    ``apposition_article``: ``Der Leiter der X-Abteilung, Gerd Hallstein,``;
    ``topic_preposition``: ``sprach von einer „…“``;
    ``subject_article``: ``der``/``die`` opening a description that can be a speaker;
    ``pronoun_gender``: ``er`` → m, ``sie`` → f; ``seniority``: ``senior`` → older, ``jun.`` → younger.
    """

    apposition_article: frozenset[str] = frozenset()
    cue_preposition: frozenset[str] = frozenset()
    genitive_article: frozenset[str] = frozenset()
    indefinite_article: frozenset[str] = frozenset()
    indefinite_subject: frozenset[str] = frozenset()
    next_sentence_opener: frozenset[str] = frozenset()
    non_subject_before: frozenset[str] = frozenset()
    particle: frozenset[str] = frozenset()
    participle_block_opener: frozenset[str] = frozenset()
    participle_ending: tuple[str, ...] = ()
    phrase_adverb: frozenset[str] = frozenset()
    phrase_stop: frozenset[str] = frozenset()
    rival_before: frozenset[str] = frozenset()
    teammate_noun: frozenset[str] = frozenset()
    teammate_possessive: frozenset[str] = frozenset()
    title_abbreviation: frozenset[str] = frozenset()
    topic_preposition: frozenset[str] = frozenset()
    subject_article: frozenset[str] = frozenset()
    pronoun_gender: dict[str, str] = field(default_factory=dict)
    seniority: dict[str, str] = field(default_factory=dict)
    seniority_abbreviations: frozenset[str] = frozenset()  # ``sen``, ``jun``: the word without its dot

    @classmethod
    def from_lexicons(cls, lex: Lexicons) -> "AttributionWords":
        classes = lex.attribution_words
        described = lex.description_words

        def get(name: str) -> frozenset[str]:
            return classes.get(name, frozenset())

        seniority = {**{word: "older" for word in described.get("seniority_older", ())},
                     **{word: "younger" for word in described.get("seniority_younger", ())}}
        return cls(
            apposition_article=get("apposition_article"), cue_preposition=get("cue_preposition"),
            genitive_article=get("genitive_article"), indefinite_article=get("indefinite_article"),
            indefinite_subject=get("indefinite_subject"), topic_preposition=get("topic_preposition"),
            next_sentence_opener=get("next_sentence_opener"), non_subject_before=get("non_subject_before"),
            particle=get("particle"), participle_block_opener=get("participle_block_opener"),
            participle_ending=tuple(sorted(get("participle_ending"))), phrase_adverb=get("phrase_adverb"),
            phrase_stop=get("phrase_stop"), rival_before=get("rival_before"), teammate_noun=lex.teammate_nouns,
            teammate_possessive=get("teammate_possessive"), title_abbreviation=get("title_abbreviation"),
            subject_article=described.get("subject_article", frozenset()),
            pronoun_gender={**{word: "m" for word in described.get("pronoun_masculine", ())},
                            **{word: "f" for word in described.get("pronoun_feminine", ())}},
            seniority=seniority,
            seniority_abbreviations=frozenset(word.rstrip(".") for word in seniority if word.endswith(".")),
        )


AGE_RE = re.compile(r"(\d{1,2})-[Jj]ährige[nr]?$")
AGE_YEARS_RE = re.compile(r"\b(\d{1,2}) Jahren? alte[nrs]?\b")  # ``der 37 Jahre alte Schwede``
ADJECTIVE_RE = re.compile(r"^[a-zäöüß][a-zäöüß\-]*(?:e|en|er|es|em)$")  # inflected: ``frühere``, ``strahlender``
MAX_PHRASE_WORDS = 10
DESCRIPTION_MEMO_LIMIT = 10_000  # distinct description texts kept read (memory stays flat)
MAX_HEADING_WORDS = 14  # a speaker line above a quote: name, team, car
FALLBACK_LOOKBACK = 400  # mentions read back for a description that fits nobody
SMALL_GROUP = 8  # fitting people compared directly; larger groups are found by reading back
GENERIC_TITLE_LENGTH = 7  # ``Pilot``, ``Fahrer``, ``Sieger``: title suffixes that are words of their own
PRONOUN_LOOKBACK = 60  # mentions read back for ``er``/``sie`` (the window is three paragraphs anyway)
AGE_WORD_RE = re.compile(r"(\d{1,2})-[Jj]ährige")
# A word: letters, digits, hyphens, apostrophes and inner dots; a dot that ends it is the
# full stop, not part of the word (``sen.`` reads ``sen``).
_WORD_RE = re.compile(r"\w(?:[\w\-’'.]*[\w\-’'])?")
WORD_RUN_RE = re.compile(r"\w+")
# Marks between two words that end a cue clause; with the comma, a clause part; with brackets, a noun phrase.
CLAUSE_STOP_RE = re.compile(r"[.;:!?]")
CLAUSE_BREAK_RE = re.compile(r"[.,;:!?]")
PHRASE_STOP_RE = re.compile(r"[.,;:!?()]")
OPENER_GAP_RE = re.compile(r"[ \t.!?]*")  # what may stand between a quote and ``Das sagte X``
NOUN_FORM_ENDINGS = ("", "e", "en", "n", "in", "innen", "s")  # Franzose/Franzosen/Französin, Däne/Dänen
# From this length on, a text's words are indexed once for noun look-ups; below it a
# regex scan per noun is cheaper than the index (both find the same words, tested).
WORD_INDEX_MIN_CHARS = 20_000
# ``(27`` and the words after the digits of ``27-Jährige``/``27 Jahre`` (see ``_age_matches``).
AGE_IN_BRACKETS_RE = re.compile(r"\((\d+)(?!\w)")
AGE_SUFFIXES = ("-Jährige", "-jährige", " Jahre")
WORD_CHAR_RE = re.compile(r"\w")
SENTENCE_MARK_RE = re.compile(r"[.!?…]")  # every sentence that ends at no anchor ends right after one
NOUN_ENDING_RE_TEXT = r"(?:e|en|n|in|innen|s)?\b"  # after a noun's stem, up to the end of the word


@dataclass
class Slot:
    """Who a cue points at: a mention, a pronoun or a description."""

    kind: str  # "mention" | "pronoun" | "description" | "teammate"
    start: int
    end: int
    text: str
    person: int | None = None
    mention_kind: str | None = None


@dataclass
class Cue:
    """A cue found next to a quote, before its speaker is resolved."""

    method: str  # "after_cue" | "before_cue"
    slot: Slot | None  # None: a speech verb whose speaker is nobody known
    text: str
    confidence: float
    before: int  # resolve pronouns/descriptions with what was said before this offset


@dataclass
class Result:
    person: int | None
    method: str
    cue: str | None
    confidence: float
    slot: Slot | None = None
    tail: int = 0  # where the quote and its trailing cue sentence end


class _Doc:
    """Per-document indexes: paragraphs, quote spans, sentences, mentions."""

    def __init__(self, doc: Doc, quotes: list[dict], people: list[dict], mentions: list[dict], scare_key: str,
                 abbreviations: frozenset[str] | None = None) -> None:
        self.doc = doc
        view = doc_view(doc)
        self.text = text = view.text
        self.people = people
        # The document's paragraphs as every component reads them (shapes.paragraph_spans, via the view).
        self.paragraphs = view.paragraphs
        self.p_starts = [start for start, _ in self.paragraphs]
        self.outer = [outer_span(text, q) for q in quotes]
        scare = [(span.start_char - 1, span.end_char + 1) for span in view.spans(scare_key)]
        self.outside = Outside([*self.outer, *scare])
        self._quotes = quotes
        self._abbreviations = abbreviations
        self._sentences: SentenceBounds | None = None
        self._sentence_ends: dict[int, int] = {}
        valid = []
        known_people = range(len(people))
        inside = self.outside.inside
        for mention in mentions:
            person = mention.get("person")
            start = mention.get("start_char")
            if not isinstance(person, int) or person not in known_people or not isinstance(start, int):
                continue
            if inside(start):
                continue  # names inside quotes are not speakers
            valid.append(mention)
        valid.sort(key=itemgetter("start_char"))
        # The entity layer's own dicts, each copied when it is first relabelled (``set_person``):
        # doc._.mentions stays as it was.
        self.mentions = valid
        self._copied: set[int] = set()  # indexes of the mentions copied so far
        self.linked = [m["person"] for m in valid]  # the person the entity layer linked each mention to
        self.m_starts = [m["start_char"] for m in valid]
        self._descriptions: list[dict] | None = None
        # Speakers found through pronouns/descriptions count as later mentions;
        # kept sorted by position.
        self.virtual: list[tuple[int, int]] = []
        self._genders: dict[int, str | None] = {}
        self._genders_frozen = False  # see ``freeze_genders``
        self._frozen_lex: Lexicons | None = None
        # Per-person positions of real (``by_person``) and virtual mentions, so "when
        # was X last named" is a bisect, not a scan.
        self._by_person: dict[int, list[int]] | None = None
        self.v_by_person: dict[int, list[int]] = {}
        # Memos for description resolution, one entry per distinct description
        # text or pattern, so that long documents do not redo them per mention.
        self.fits: dict[tuple, list[tuple[int, bool]]] = {}
        # The fit of a linked person to a description mention, asked when it is checked and
        # again when a quote cites it; it reads frozen genders only (``freeze_genders``).
        self.circular_fits: dict[tuple, tuple[int, bool]] = {}
        self._hits: dict[str, list[int]] = {}
        self._noun_hits: dict[str, list[int]] = {}
        self._age_hits: dict[str, list[int]] | None = None
        self._word_starts: dict[str, list[int]] | None = None
        self._people_index: PeopleIndex | None = None
        self._sentence_sets: dict[int, set[int]] | None = None
        self._parsed: bool | None = None
        self.hometown_nouns: dict[str, bool] = {}

    @property
    def sentences(self) -> SentenceBounds:
        """The text's sentences, quotes kept whole (built when a quote first asks)."""
        if self._sentences is None:
            quote_ends = []
            for q, (_, end) in zip(self._quotes, self.outer):
                if q.get("close_mark"):
                    inner = (q.get("quote") or "").rstrip()
                    quote_ends.append((end, q["start_char"], bool(inner) and inner[-1] in ".!?…"))
            self._sentences = SentenceBounds(self.text, self.paragraphs, self.outside, quote_ends,
                                             abbreviations=self._abbreviations)
        return self._sentences

    @property
    def descriptions(self) -> list[dict]:
        """The description mentions whose words tell a gender: those a look-up by
        offset finds (the first mention at its offset); relabelling moves them."""
        if self._descriptions is None:
            valid = self.mentions
            self._descriptions = [mention for index, mention in enumerate(valid)
                                  if mention.get("kind") == "description" and mention.get("text")
                                  and (not index or valid[index - 1]["start_char"] != mention["start_char"])]
        return self._descriptions

    @property
    def by_person(self) -> dict[int, list[int]]:
        """person → the sorted offsets of the mentions labelled with them now (built when first
        asked, and again after a relabelling)."""
        if self._by_person is None:
            self._by_person = {}
            for mention in self.mentions:
                self._by_person.setdefault(mention["person"], []).append(mention["start_char"])
        return self._by_person

    @property
    def parsed(self) -> bool:
        """The base model parsed the document (O(n): asked once, and only when a cue clause needs it)."""
        if self._parsed is None:
            self._parsed = self.doc.has_annotation("DEP")
        return self._parsed

    def gender(self, person: int, lex: Lexicons | None) -> str | None:
        """The record's gender, else what the text shows: a feminine title or role
        (``Werksfahrerin``, ``Leiterin …``) or a description (``die Finnin``)."""
        if person in self._genders:
            return self._genders[person]
        record = self.people[person]
        found = record.get("gender")
        if not found:
            nouns = [*(record.get("titles") or []), *((record.get("role") or "").split()[:1])]
            nouns += [(m.get("text") or "").split()[-1] for m in self.descriptions if m["person"] == person]
            for noun in nouns:
                demonym = lex.demonym_by_noun.get(noun) if lex else None
                if demonym is not None:
                    found = demonym[1]
                    break
                if is_feminine_noun(noun, lex or load_lexicons()):
                    found = "f"
                    break
        self._genders[person] = found
        return found

    def add_virtual(self, pos: int, person: int) -> None:
        insort(self.virtual, (pos, person))
        insort(self.v_by_person.setdefault(person, []), pos)

    def freeze_genders(self, lex: Lexicons | None) -> None:
        """From now on every gender reads as it does now, when everyone is scored
        against a description, though relabelling a description changes what the
        genders of its two persons read: each gender is still read when first
        asked, and a relabelling first reads the two it changes."""
        self._genders_frozen, self._frozen_lex = True, lex

    def thaw_genders(self) -> None:
        """Relabelled descriptions count from now on: genders are read again."""
        self._genders.clear()
        self._genders_frozen = False

    def set_person(self, index: int, person: int) -> None:
        """Relabel mention ``index`` (a copy of it, the first time), keeping the per-person index."""
        mention = self.mentions[index]
        old = mention["person"]
        if old == person:
            return
        if self._genders_frozen:
            self.gender(old, self._frozen_lex)
            self.gender(person, self._frozen_lex)
        if index not in self._copied:
            self._copied.add(index)
            mention = self.mentions[index] = {**mention}
            self._descriptions = None  # it lists the dicts: read again from the copies
        mention["person"] = person
        self._by_person = self._sentence_sets = None

    def last_named(self, person: int, pos: int) -> int:
        """Where ``person`` was last named (or resolved) before ``pos``; -1 if never."""
        last = -1
        for positions in (self.by_person.get(person), self.v_by_person.get(person)):
            if positions:
                index = bisect_left(positions, pos) - 1
                if index >= 0:
                    last = max(last, positions[index])
        return last

    def hits(self, pattern: str) -> list[int]:
        """Start offsets of every match of ``pattern`` in the text (memoised)."""
        if pattern not in self._hits:
            self._hits[pattern] = [match.start() for match in re.finditer(pattern, self.text)]
        return self._hits[pattern]

    def noun_hits(self, stem: str) -> list[int]:
        """Start offsets of the matches of ``\\b{stem}(?:e|en|n|in|innen|s)?\\b`` for a
        ``stem`` of word characters only (memoised).

        The regex engine tries a pattern that opens with ``\\b`` at every position but
        jumps to the letters of one that opens with them, so the word start is checked
        after: a match that starts inside a word is not one, and since the match is all
        word characters, no match that starts at a word can begin inside it either."""
        if stem not in self._noun_hits:
            text = self.text
            self._noun_hits[stem] = [match.start() for match in _noun_forms(stem).finditer(text)
                                     if not (match.start() and WORD_CHAR_RE.match(text, match.start() - 1))]
        return self._noun_hits[stem]

    def age_hits(self, age: int) -> list[int]:
        """Start offsets of ``(27``, ``27-Jährige``, ``27 Jahre``: every age from one
        pass over the text (a pass per age made long documents quadratic)."""
        if self._age_hits is None:
            self._age_hits = {}
            for start, digits in _age_matches(self.text):
                self._age_hits.setdefault(digits, []).append(start)
        return self._age_hits.get(str(age), [])

    def word_hits(self, forms: Iterable[str]) -> list[int]:
        """Start offsets of the whole words (``\\w+`` runs) written as one of ``forms``,
        from one index of the text's words."""
        if self._word_starts is None:
            self._word_starts = {}
            for match in WORD_RUN_RE.finditer(self.text):
                self._word_starts.setdefault(match.group(), []).append(match.start())
        return sorted(start for form in set(forms) for start in self._word_starts.get(form, ()))

    @staticmethod
    def any_outside(found: list[int], start: int, end: int) -> bool:
        """Some offset of ``found`` (sorted) lies outside [start, end)."""
        inside = bisect_left(found, end) - bisect_left(found, start)
        return len(found) > inside

    def hit_outside(self, pattern: str, start: int, end: int) -> bool:
        """A match of ``pattern`` that starts outside [start, end)."""
        return self.any_outside(self.hits(pattern), start, end)

    def people_index(self, lex: Lexicons | None) -> "PeopleIndex":
        if self._people_index is None:
            self._people_index = PeopleIndex(self.people, lex)
        return self._people_index

    def sentence_sets(self) -> dict[int, set[int]]:
        """person → indexes of the sentences (of the doc view) that name them."""
        if self._sentence_sets is None:
            view = doc_view(self.doc)
            sets: dict[int, set[int]] = {}
            for mention in self.mentions:
                token = view.token_starting_at(mention["start_char"])
                if token is not None:
                    sets.setdefault(mention["person"], set()).add(view.index.sentence_of(token))
            self._sentence_sets = sets
        return self._sentence_sets

    def virtual_between(self, start: int, end: int) -> list[tuple[int, int]]:
        return self.virtual[bisect_left(self.virtual, (start, -1)):bisect_left(self.virtual, (end, -1))]

    def relabel(self, start: int, person: int) -> None:
        """Point the (local copy of the) mention at ``start`` to ``person``."""
        index = bisect_left(self.m_starts, start)
        if index < len(self.mentions) and self.mentions[index]["start_char"] == start:
            self.set_person(index, person)

    def sentence_end_after(self, index: int, limit: int) -> int:
        """The end of the sentence at the last character of quote ``index``, capped at
        ``limit``, as the cue after the quote and the quote's tail read it.

        A sentence ends at the next anchor of ``SentenceBounds`` (a paragraph, a quote that
        closes its sentence) or right after a sentence mark: with neither before ``limit``
        (``„…“, sagte X.`` at the end of its paragraph), the full stops are not read."""
        last = self.outer[index][1] - 1
        anchors = self.sentences.anchors
        next_anchor = bisect_right(anchors, last)
        if (next_anchor == len(anchors) or anchors[next_anchor] >= limit) \
                and not SENTENCE_MARK_RE.search(self.text, last + 1, limit - 1):
            return limit  # a mark at ``limit - 1`` or later ends no sentence before ``limit``
        found = self._sentence_ends.get(index)
        if found is None:
            found = self._sentence_ends[index] = self.sentences.bounds(last, len(self.text))[1]
        return min(found, limit)

    def paragraph_end_after(self, index: int) -> int:
        """The end of the paragraph at the last character of quote ``index``."""
        return self.paragraphs[self.paragraph_of(self.outer[index][1] - 1)][1]

    def paragraph_of(self, pos: int) -> int:
        return paragraph_index(self.p_starts, pos)

    def mention_at(self, start: int, end: int) -> dict | None:
        """The first mention that starts in [start, end)."""
        index = bisect_left(self.m_starts, start)
        if index < len(self.mentions) and self.mentions[index]["start_char"] < end:
            return self.mentions[index]
        return None

    def _index_covering(self, pos: int) -> int | None:
        index = bisect_right(self.m_starts, pos) - 1
        if index >= 0 and self.mentions[index]["start_char"] <= pos < self.mentions[index]["end_char"]:
            return index
        return None

    def linked_covering(self, pos: int) -> int | None:
        """The person the entity layer linked ``mention_covering(pos)`` to (None: no mention)."""
        index = self._index_covering(pos)
        return None if index is None else self.linked[index]

    def mention_covering(self, pos: int) -> dict | None:
        index = self._index_covering(pos)
        return None if index is None else self.mentions[index]

    def covering_each(self, words: list[tuple[int, int, str]]) -> list[dict | None]:
        """``mention_covering`` of each word's start (``words`` in text order), in one pass."""
        if not words:
            return []
        mentions, starts, count = self.mentions, self.m_starts, len(self.m_starts)
        index = bisect_right(starts, words[0][0]) - 1  # the last mention that starts at or before the word
        found = []
        for start, _, _ in words:
            while index + 1 < count and starts[index + 1] <= start:
                index += 1
            mention = mentions[index] if index >= 0 else None
            found.append(mention if mention is not None and start < mention["end_char"] else None)
        return found

    def mentions_between(self, start: int, end: int) -> list[dict]:
        return self.mentions[bisect_left(self.m_starts, start):bisect_left(self.m_starts, end)]

    def recent_people(self, pos: int, limit: int = 400) -> Iterable[tuple[int, int]]:
        """(position, person) of mentions before ``pos``, most recent first,
        merging real mentions with speakers resolved from pronouns/descriptions."""
        index = bisect_left(self.m_starts, pos) - 1
        v_index = bisect_left(self.virtual, (pos, -1)) - 1
        count = 0
        while (index >= 0 or v_index >= 0) and count < limit:
            real_pos = self.mentions[index]["start_char"] if index >= 0 else -1
            if v_index >= 0 and self.virtual[v_index][0] > real_pos:
                yield self.virtual[v_index]
                v_index -= 1
            else:
                yield real_pos, self.mentions[index]["person"]
                index -= 1
            count += 1

    def words(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """(start, end, word) of the words in [start, end) outside quotes, each part
        read on its own (a word cut by a quote or the window ends there)."""
        found = []
        text = self.text
        quoted = self.outside.spans
        last = bisect_left(self.outside.starts, end) - 1  # the last quote that opens before the window ends
        # Most windows meet no quote (the quotes are sorted and disjoint: when the last one
        # that opens before the window's end closes before its start, so do all before it).
        segments = [(start, end)] if last < 0 or quoted[last][1] <= start else self.outside.segments(start, end)
        for seg_start, seg_end in segments:
            # pos/endpos: the same matches as on the slice (the pattern has no anchors), without copying it
            found += [(match.start(), match.end(), match.group()) for match in _WORD_RE.finditer(text, seg_start, seg_end)]
        return found


class Attributor:
    """The passes; one instance per component, stateless across documents."""

    def __init__(self, lexicons: Lexicons | None, *, max_cue_words: int = DEFAULT_MAX_CUE_WORDS,
                 resolve_context: bool = DEFAULT_RESOLVE_CONTEXT, scare_key: str = DEFAULT_SCARE_SPANS_KEY,
                 words: AttributionWords | None = None) -> None:
        self.lex = lexicons
        # Without lexicons (positional rules only) the grammar words are still the packaged ones.
        self.words = words if words is not None else AttributionWords.from_lexicons(lexicons or load_lexicons())
        self.max_cue_words = max_cue_words
        self.resolve_context = resolve_context
        self.scare_key = scare_key
        self.speech_forms = frozenset(f.lower() for f in lexicons.speech_verbs) if lexicons else frozenset()
        # The quote grammar's word classes of this component's own rules (saved with it), as quotes reads them.
        quote_words = (lexicons or load_lexicons()).quote_words
        self.reporting_forms = quote_words["reporting_form"]
        self.verb_forms = self.speech_forms | self.reporting_forms  # a speech verb or a reporting form
        self.opener_initials = frozenset(word[:1] for word in self.words.next_sentence_opener)
        self.non_verbs = quote_words["non_verb"]
        self.abbreviations = quote_words["abbreviation"]
        # A description's reading depends on its text alone, and a few (``der Franzose``,
        # ``der 27-Jährige``) recur in every text: read each once, bounded for endless archives.
        self._descriptions: dict[str, dict | None] = {}

    # ------------------------------------------------------------------ api
    def __call__(self, doc: Doc) -> None:
        quotes = doc_value(doc, QUOTES_EXTENSION) or []
        for quote in quotes:
            quote.update(UNRESOLVED)
        if not quotes:
            return
        people = doc_value(doc, "people") or []
        if not people:
            return
        mentions = doc_value(doc, "mentions") or []
        state = _Doc(doc, quotes, people, mentions, self.scare_key, self.abbreviations)
        self._check_descriptions(state)
        cues = [self._pick_cue(state, quotes, index) for index in range(len(quotes))]
        results: list[Result | None] = [None] * len(quotes)
        early: dict[int, Result] = {}  # next quotes' cues resolved ahead for ``„A.“ „B“, sagte X``
        for index, quote in enumerate(quotes):
            previous = None
            if index and results[index - 1] is not None and results[index - 1].person is not None:
                previous = (results[index - 1].tail, results[index - 1].person)
            cue = cues[index]
            if index in early:
                result = early.pop(index)
            elif cue is not None:
                result = self._resolve_cue(state, cue, previous)
            else:
                # Only a quote without any cue borrows a speaker: a cue that names
                # someone unknown (``sagte ein Sprecher``) stays unresolved.
                result = self._continuation(state, quotes, results, index, cues, early)
                if result is None and self.resolve_context:
                    result = self._context(state, quotes, index)
            if result is not None and result.method == "description" and result.confidence < CONFIDENCE["description"]:
                result = self._named_next(state, quotes, index, cues, early, result)
            if result is not None:
                result.tail = self._tail(state, quotes, index, cue)
            results[index] = result
            if result is not None and result.person is not None:
                self._fill(state, quote, result)
            elif result is not None:
                quote["cue"] = result.cue

    def _pick_cue(self, st: _Doc, quotes: list[dict], index: int) -> Cue | None:
        """The cue after the quote, else the one before it; but a name before a
        colon beats a pronoun or description after the quote (``X fand lobende
        Worte: „…“, so der Direktor``)."""
        after = self._after_cue(st, quotes, index)
        if after is not None and after.slot is not None and after.slot.kind in ("pronoun", "description"):
            if not _colon_before(st.text, st.outer[index][0]):
                return after  # the cue before the quote has no colon: it cannot win
            before = self._before_cue(st, quotes, index)
            if before is not None and before.slot is not None and before.slot.kind == "mention" \
                    and before.confidence == CONFIDENCE["before_cue_colon"] and not self._quote_between(st, before, index):
                return before
        return after or self._before_cue(st, quotes, index)

    @staticmethod
    def _quote_between(st: _Doc, cue: Cue, index: int) -> bool:
        return index > 0 and st.outer[index - 1][1] > cue.slot.start

    def _named_next(self, st: _Doc, quotes: list[dict], index: int, cues: list, early: dict,
                    result: Result) -> Result:
        """A description that fits nobody is a guess; when the next quote in the
        same paragraph names its speaker and nobody else is named between, the
        two quotes are one statement (``„A“, blickte der 52-Jährige zurück. „B“,
        so Kessler weiter.``)."""
        nxt = index + 1
        if nxt >= len(quotes) or cues[nxt] is None or cues[nxt].method != "after_cue":
            return result
        slot = cues[nxt].slot
        if slot is None or slot.kind != "mention" or slot.mention_kind == "description":
            return result
        if st.paragraph_of(st.outer[index][0]) != st.paragraph_of(st.outer[nxt][0]):
            return result
        own = result.slot
        between = [m for m in st.mentions_between(st.outer[index][1], st.outer[nxt][0])
                   if own is None or not (own.start <= m["start_char"] < own.end)]
        if between:
            return result
        return Result(slot.person, result.method, result.cue, result.confidence, result.slot)

    def _resolve_cue(self, st: _Doc, cue: Cue, previous: tuple[int, int] | None) -> Result:
        if cue.slot is None:
            return Result(None, "unresolved", cue.text, 0.0)
        result = self._resolve_slot(st, cue.slot, cue.method, cue.text, cue.confidence, cue.before, previous)
        if result.person is not None and cue.slot.kind == "pronoun":
            st.add_virtual(cue.slot.start, result.person)
        return result

    @staticmethod
    def _tail(st: _Doc, quotes: list[dict], index: int, cue: Cue | None) -> int:
        """The end of a quote plus its trailing cue sentence: names there (the
        speaker, an apposition) do not interrupt a continuation."""
        end = st.outer[index][1]
        if cue is None or cue.method != "after_cue" or cue.slot is None:
            return end
        limit = st.paragraph_end_after(index)
        if index + 1 < len(quotes):
            limit = min(limit, st.outer[index + 1][0])
        return max(end, st.sentence_end_after(index, limit))

    def _check_descriptions(self, st: _Doc) -> None:
        """Re-resolve the entity layer's origin and age descriptions (``der
        Finne``, ``der 23-Jährige``) where the person records fit one person
        clearly; recency and continuation then follow the better reading."""
        relabelled = False
        for index, mention in enumerate(st.mentions):
            if mention.get("kind") != "description" or not mention.get("text"):
                continue
            desc = self._parse_description(mention["text"])
            if not desc or not ("country" in desc or "age" in desc):
                continue
            _, ranked = self._fits(st, mention["text"], desc)
            linked = st.linked[index]
            if all(person_id == linked for _, person_id in ranked):
                continue  # nobody else fits: the link stands, whatever its own fit (not read, then)
            slot = Slot("description", mention["start_char"], mention["end_char"], mention["text"],
                        mention["person"], "description")
            person, strong = self._resolve_description(st, slot, mention["start_char"], circular=linked,
                                                       strong_only=True)
            if strong and person is not None and person != mention["person"]:
                st.set_person(index, person)
                relabelled = True
        if relabelled:
            # Genders and fits read so far saw the old labels; without a relabelling they stay true.
            st.thaw_genders()
            st.fits.clear()
            st.circular_fits.clear()

    # --------------------------------------------------------------- pass 1
    def _after_cue(self, st: _Doc, quotes: list[dict], index: int) -> Cue | None:
        quote = quotes[index]
        if not quote.get("close_mark"):
            return None
        text = st.text
        o_end = st.outer[index][1]
        if o_end >= len(text):
            return None
        limit = min(st.paragraph_end_after(index), o_end + 300)
        if index + 1 < len(quotes):
            limit = min(limit, st.outer[index + 1][0])
        # The sentence's end caps the window too, but the text's sentences are read only
        # once a word follows the quote: a sentence never ends inside a word (it ends at a
        # full stop before a space, a paragraph or a quote), so the end cannot change which
        # word is found, only drop one that lies in the next sentence.
        cue = after_cue_word(text, o_end, limit, require_comma=False, non_verbs=self.non_verbs)
        if cue is not None:
            limit = st.sentence_end_after(index, limit)
            if cue[0] >= limit:
                cue = None
        if cue is None:
            return self._next_sentence_cue(st, quotes, index)
        has_comma = "," in text[o_end:cue[0]]
        word = cue[2]
        known = word in self.verb_forms or word in self.words.cue_preposition
        if not has_comma and not known:
            return None
        after = st.words(cue[1], limit)
        slot = self._slot_after(st, cue[1], limit, after)
        if slot is None:
            return Cue("after_cue", None, word, 0.0, st.outer[index][0]) if known else None
        cue_text = self._cue_text(st, word, cue[1], slot, limit, after)
        base = CONFIDENCE["after_cue"] if known else CONFIDENCE["after_cue_positional"]
        return Cue("after_cue", slot, cue_text, base, st.outer[index][0])

    def _next_sentence_cue(self, st: _Doc, quotes: list[dict], index: int) -> Cue | None:
        """``„…“ Das sagte Teamchef X nach dem Rennen.``: the sentence after the
        quote opens with ``Das``/``Dies``/``So`` and a speech verb."""
        text = st.text
        o_end = st.outer[index][1]
        # Only spaces and sentence marks may stand between the quote and the opener (checked
        # on the words below): its first letter, read off the text, rules most quotes out at once.
        first = OPENER_GAP_RE.match(text, o_end).end()
        if text[first:first + 1] not in self.opener_initials:
            return None
        limit = min(st.paragraph_end_after(index), o_end + 300)
        if index + 1 < len(quotes):
            limit = min(limit, st.outer[index + 1][0])
        words = st.words(o_end, min(limit, o_end + 60))
        if len(words) < 3 or words[0][2] not in self.words.next_sentence_opener or text[o_end:words[0][0]].strip(" \t.!?"):
            return None
        verb = words[1][2].lower()
        if verb not in self.verb_forms:
            return None
        _, sent_end = st.sentences.bounds(words[1][0], len(text))
        slot = self._slot_after(st, words[1][1], min(limit, sent_end))
        if slot is None:
            return None
        return Cue("after_cue", slot, f"{words[0][2]} {words[1][2]}", CONFIDENCE["after_cue_positional"],
                   st.outer[index][0])

    def _slot_after(self, st: _Doc, pos: int, limit: int, words: list | None = None) -> Slot | None:
        """The speaker after a cue verb: first mention, pronoun or description
        (``words``: those of [pos, limit), when the caller has them)."""
        if words is None:
            words = st.words(pos, limit)
        seen = 0
        for index, (start, end, word) in enumerate(words):
            gap = st.text[pos:start] if index == 0 else st.text[words[index - 1][1]:start]
            if index and words[index - 1][2] in self.words.title_abbreviation:
                gap = gap.replace(".", "", 1)  # ``Dr. Kessler``: the abbreviation's dot ends nothing
            if gap != " " and (CLAUSE_STOP_RE.search(gap) or (seen and "," in gap)):  # (most gaps: one space)
                return None
            mention = st.mention_covering(start) or st.mention_at(start, end)
            if mention is not None:
                return self._mention_slot(st, mention, words, index)
            lowered = word.lower()
            if lowered in self.words.pronoun_gender:
                return Slot("pronoun", start, end, word)
            teammate = _teammate_slot(words, index, self.words) if lowered in self.words.teammate_possessive else None
            if teammate is not None:
                return teammate
            if lowered in self.words.subject_article and index + 1 < len(words):
                slot = self._description_slot(st, words, index + 1)
                if slot is not None:
                    return slot
            if lowered in self.words.indefinite_article and index + 1 < len(words):
                # ``sagte ein strahlender Kessler``; ``sagte ein Sprecher`` names nobody known
                mention, _ = self._phrase(st, words, index + 1)
                if mention is None:
                    return None
                return self._mention_slot(st, mention, words, next(i for i, w in enumerate(words)
                                                                  if w[0] >= mention["start_char"]))
            if word[:1].isupper() and index + 2 < len(words) and words[index + 1][2] == "und" \
                    and self._is_title(words[index + 2][2]):
                pass  # ``sagte Rennstallbesitzer und Teamchef X``
            elif word[:1].isupper() and not self._is_title(word) and word not in self.words.title_abbreviation:
                # ``so Sportdirektor X``: a title noun right before a name is fine;
                # any other noun phrase is not a speaker (``sagte ein Sprecher``)
                nxt = words[index + 1] if index + 1 < len(words) else None
                if nxt is None or st.text[end:nxt[0]].strip() or st.mention_covering(nxt[0]) is None:
                    return None
            seen += 1
            if seen > self.max_cue_words or lowered in self.words.indefinite_subject:
                return None
        return None

    def _mention_slot(self, st: _Doc, mention: dict, words: list, index: int) -> Slot:
        slot = Slot("mention", mention["start_char"], mention["end_char"], mention.get("text") or "",
                    mention["person"], mention.get("kind"))
        # ``Baumann senior``: the entity layer picked one Baumann; the word says which.
        for start, _, word in words[index:index + 6]:
            if start >= mention["end_char"]:
                if word.lower() in self.words.seniority or word.lower().rstrip(".") in self.words.seniority_abbreviations:
                    better = self._by_seniority(st, mention, word.lower())
                    if better is not None:
                        slot.person = better
                    slot.kind = "description"
                    slot.text = f"{slot.text} {word}"
                break
        return slot

    def _description_slot(self, st: _Doc, words: list, index: int) -> Slot | None:
        """``der Franzose``, ``der 23-Jährige``, ``die junge Finnin``, ``der Gütersloher``,
        ``der 37 Jahre alte Schwede``; a name inside the phrase wins (``der Belgier
        Tom Verbeke``, ``der 21-jährige Schweizer Keller``, ``der vom Verband
        geförderte Keller``)."""
        article_start = words[index - 1][0]
        mention, noun_end = self._phrase(st, words, index)
        if mention is not None:
            return Slot("mention", mention["start_char"], mention["end_char"], mention.get("text") or "",
                        mention["person"], mention.get("kind"))
        if noun_end is None:
            return None
        return Slot("description", article_start, noun_end, st.text[article_start:noun_end])

    def _phrase(self, st: _Doc, words: list, index: int) -> tuple[dict | None, int | None]:
        """Read the noun phrase that starts at ``words[index]`` (right after its
        article): the mention it names, if any, and the end of its last noun.

        Adjectives, numbers, ``Jahre alte``, a few adverbs and a leading
        ``von … geförderte`` block may stand before the noun; after it, only
        an adjective or participle right before another noun or the name."""
        text = st.text
        noun_end = None
        in_block = index < len(words) and words[index][2].lower() in self.words.participle_block_opener
        for k in range(index, min(index + MAX_PHRASE_WORDS, len(words))):
            start, end, word = words[k]
            if PHRASE_STOP_RE.search(text, words[k - 1][1], start):
                break
            mention = st.mention_covering(start)
            if mention is not None:
                prev = words[k - 1][2].lower()
                if k > index and (prev in self.words.non_subject_before or prev in self.words.genitive_article):
                    break  # ``der Teamchef von Kessler``: Kessler is not the one described
                return mention, noun_end
            lowered = word.lower()
            if in_block:
                if word.islower() and lowered.endswith(self.words.participle_ending):
                    in_block = False  # ``von der Stiftung geförderte``: the block ends with its participle
                continue
            if word[:1].isupper() or AGE_RE.search(word):
                noun_end = end
                continue
            if word[:1].isdigit() or lowered in self.words.phrase_adverb:
                continue
            if lowered in self.words.phrase_stop or lowered in self.words.genitive_article \
                    or lowered in self.speech_forms or not ADJECTIVE_RE.match(word):
                break
            if noun_end is not None:
                nxt = words[k + 1][2] if k + 1 < len(words) else ""
                if not nxt[:1].isupper():
                    break
        return None, noun_end

    def _cue_text(self, st: _Doc, word: str, verb_end: int, slot: Slot, limit: int, after_verb: list) -> str:
        """The cue as cited: the verb, ``sich`` after it, a particle that closes its
        clause (``fügte er hinzu``); ``after_verb``: the words of [verb_end, limit)."""
        if word in self.words.cue_preposition:
            return word
        text = st.text
        cue = word
        reflexive_end = min(limit, verb_end + 20)
        if "sich" in text[verb_end:reflexive_end]:  # ``freute sich X``; the words are read only when they can hold it
            after = st.words(verb_end, reflexive_end)
            if after and after[0][2] == "sich" and after[0][0] <= slot.start:
                cue = f"{word} sich"
        # a separable particle at the end of the clause: ``fügte er hinzu``
        if slot.end >= verb_end and not any(start < slot.end < end for start, end, _ in after_verb):
            # the words after the slot are those read after the verb: no word there is cut by the slot's end
            clause = [w for w in after_verb if w[0] >= slot.end]
        else:
            clause = st.words(slot.end, limit)
        last = None
        for start, end, w in clause:
            gap = text[last[1] if last else slot.end:start]
            if gap != " " and CLAUSE_BREAK_RE.search(gap):  # (most gaps: one space)
                break
            last = (start, end, w)
        if last is not None:
            particle = last[2]
            if particle == "Protokoll" and st.text[slot.end:last[0]].rstrip().endswith(" zu"):
                return f"{cue} … zu Protokoll"
            allowed = self._particles_of(word)
            if particle in (self.words.particle if allowed is None else allowed):
                return f"{cue} … {particle}"
        return cue

    def _particles_of(self, form: str) -> set[str] | None:
        """The particles the lexicon lists for a verb form; None when the form is unknown."""
        if not self.lex or form not in self.lex.speech_verbs:
            return None
        return {verb.particle.split()[-1] for verb in self.lex.speech_verbs[form] if verb.particle}

    # --------------------------------------------------------------- pass 2
    def _before_cue(self, st: _Doc, quotes: list[dict], index: int) -> Cue | None:
        text = st.text
        o_start = st.outer[index][0]
        sent_start, _ = st.sentences.bounds(o_start, len(text))
        clause_start = max(sent_start, st.paragraphs[st.paragraph_of(o_start)][0], o_start - 400)
        after_quote = False
        if index > 0 and st.outer[index - 1][1] > clause_start:
            clause_start = st.outer[index - 1][1]
            after_quote = True
        lead = text[clause_start:o_start].rstrip()
        if not lead.strip(" ,"):
            return None
        colon = lead.endswith(":")
        words = st.words(clause_start, o_start)
        if not words:
            return None
        inserted = after_quote and lead.lstrip().startswith(",")  # „…“, sagte X, „…“
        # ``X holte den „ersten von drei Siegen.“``: a quote that goes on with the
        # sentence around it is the subject's words, like a partial quote
        embedded = (quotes[index].get("quote") or " ")[:1].islower() and not lead.endswith((".", "!", "?"))
        lowers = [word.lower() for _, _, word in words]
        if not (colon or quotes[index].get("is_partial") or inserted or embedded
                or not self.verb_forms.isdisjoint(lowers)):  # a speech verb
            return None
        slot = self._subject(st, words, lowers, clause_start, o_start)
        if slot is None:
            return None
        cue = self._before_cue_text(st, words, lowers, slot, colon)
        base = CONFIDENCE["before_cue_colon"] if colon else CONFIDENCE["before_cue"]
        return Cue("before_cue", slot, cue, base, slot.start)

    def _subject(self, st: _Doc, words: list, lowers: list[str], start: int, end: int) -> Slot | None:
        """The speaker of a cue clause: the parser's subject when there is one,
        else the first name, pronoun or description that is not an object
        (``lowers``: the words lowercased)."""
        candidates: list[Slot] = []
        genitives: list[Slot] = []
        last_mention = -1
        covering = st.covering_each(words)
        for index, (w_start, w_end, word) in enumerate(words):
            prev = lowers[index - 1] if index else ""
            mention = covering[index]
            if mention is not None:
                if mention["start_char"] == last_mention:
                    continue  # a later word of the same name
                last_mention = mention["start_char"]
                if prev in self.words.non_subject_before or self._possessive(st, mention, words, index):
                    continue
                candidates.append(Slot("mention", mention["start_char"], mention["end_char"], mention.get("text") or "",
                                       mention["person"], mention.get("kind")))
                continue
            lowered = lowers[index]
            # (``_teammate_slot`` opens with this test: most words are ruled out without the call)
            teammate = _teammate_slot(words, index, self.words) if lowered in self.words.teammate_possessive else None
            if teammate is not None and prev not in self.words.non_subject_before:
                candidates.append(teammate)
            elif lowered in self.words.pronoun_gender and prev not in self.words.non_subject_before:
                candidates.append(Slot("pronoun", w_start, w_end, word))
            elif (lowered in self.words.subject_article or lowered in self.words.genitive_article) and index + 1 < len(words) \
                    and prev not in self.words.non_subject_before:
                slot = self._description_candidate(st, words, index)
                if slot is not None:
                    # ``Das Fazit des Spaniers fiel gemischt aus:``: a genitive
                    # description only when nobody else is a candidate
                    (candidates if lowered in self.words.subject_article else genitives).append(slot)
        candidates = candidates or genitives
        if not candidates:
            return None
        if len(candidates) > 1:  # the parse can only pick among several (asking costs a pass over the doc)
            parsed = self._parser_subjects(st, start, end)
            for slot in candidates:
                if any(s < slot.end and slot.start < e for s, e in parsed):
                    return slot
        return candidates[0]

    def _description_candidate(self, st: _Doc, words: list, index: int) -> Slot | None:
        """A description that starts with the article at ``words[index]`` (``der
        37 Jahre alte Schwede``, ``Der Kölner BMW-Fahrer``), if no name follows it."""
        mention, noun_end = self._phrase(st, words, index + 1)
        if mention is not None or noun_end is None:
            return None
        noun_index = next(i for i in range(index + 1, len(words)) if words[i][1] == noun_end)
        noun = words[noun_index][2]
        if not (self._is_description_noun(noun) or _names_a_hometown(st, noun)) or self._named_after(st, words, noun_index):
            return None
        start = words[index][0]
        return Slot("description", start, noun_end, st.text[start:noun_end])

    def _named_after(self, st: _Doc, words: list, noun_index: int) -> bool:
        """``Der Däne Nyholm``, ``Der Leiter der X-Abteilung, Gerd Hallstein,``: a
        name in apposition to the description noun is the better subject."""
        for index in range(noun_index + 1, min(noun_index + 6, len(words))):
            start, _, word = words[index]
            if st.mention_covering(start) is not None:
                return True
            if not (word in self.words.apposition_article or word[:1].isupper()):
                return False
        return False

    def _parser_subjects(self, st: _Doc, start: int, end: int) -> list[tuple[int, int]]:
        doc = st.doc
        if not st.parsed:
            return []
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return []
        found = []
        for token in span:
            if token.dep_ in ("sb", "nsubj", "nsubj:pass"):
                found.append((token.left_edge.idx, token.right_edge.idx + len(token.right_edge.text)))
        return found

    @staticmethod
    def _possessive(st: _Doc, mention: dict, words: list, index: int) -> bool:
        """``Jentzschs Teamkollege X``: a genitive name before a noun is not the subject."""
        text = st.text
        end = mention["end_char"]
        word_end = end
        while word_end < len(text) and word_end - end < 2 and (text[word_end].isalnum() or text[word_end] in "’'"):
            word_end += 1
        tail = text[end:word_end]
        if tail not in ("s", "’", "'"):
            if tail:
                return False
            # the mention's last word holds the genitive, unless the record's name is written so
            last = (text[mention["start_char"]:end].split() or [""])[-1]
            if not last.endswith(("s", "’", "'")) or last in (st.people[mention["person"]].get("name") or "").split():
                return False
        following = next((w for w in words[index:] if w[0] >= word_end), None)
        return following is not None and following[2][:1].isupper() and st.mention_covering(following[0]) is None \
            and text[word_end:following[0]].strip() == ""

    def _before_cue_text(self, st: _Doc, words: list, lowers: list[str], slot: Slot, colon: bool) -> str:
        rest = [w for w in words if w[0] >= slot.end]
        if colon:
            if not rest:
                return ":"
            if len(rest) <= 4:
                return " ".join(w for _, _, w in rest) + ":"
            verbs = [w for _, _, w in rest if w.lower() in self.verb_forms]
            return (verbs[0] if verbs else rest[0][2]) + ":"
        # the speech verb nearest the speaker, before or after it
        verbs = [(abs(words[position][0] - slot.start), position) for position, lowered in enumerate(lowers)
                 if lowered in self.verb_forms]
        if verbs:
            position = min(verbs)[1]
            word = words[position][2]
            preposition = next((w for _, _, w in words[position + 1:position + 4] if w in self.words.topic_preposition), None)
            if word.lower().startswith("sprach") and preposition:
                return f"{word} {preposition}"
            return word
        lower = [w for _, _, w in rest if w.islower()]
        return lower[0] if lower else ""

    # --------------------------------------------------------------- pass 3
    def _continuation(self, st: _Doc, quotes: list[dict], results: list, index: int, cues: list,
                      early: dict) -> Result | None:
        own = st.paragraph_of(st.outer[index][0])
        prev = index - 1
        if prev >= 0 and results[prev] is not None and results[prev].person is not None:
            person, tail = results[prev].person, results[prev].tail
            prev_end_par = st.paragraph_of(max(st.outer[prev][1] - 1, 0))
            quiet = self._nobody_between(st, tail, st.outer[index][0], person, objects_ok=True)
            if prev_end_par == own and quiet:
                return Result(person, "continuation", None, CONFIDENCE["continuation"])
            forward = self._forward(st, quotes, index, cues, early)
            if forward:
                return forward
            if prev_end_par == own - 1 and quiet:
                return Result(person, "continuation", None, CONFIDENCE["continuation_paragraph"])
            return None
        return self._forward(st, quotes, index, cues, early)

    def _forward(self, st: _Doc, quotes: list[dict], index: int, cues: list, early: dict) -> Result | None:
        """``„A.“ „B“, sagte X``: A takes the cue of B when nothing stands between."""
        nxt = index + 1
        if nxt >= len(quotes) or cues[nxt] is None or cues[nxt].method != "after_cue" or cues[nxt].slot is None:
            return None
        if cues[nxt].slot.kind == "pronoun":
            return None  # a pronoun needs what came before; that is this quote's question too
        gap = st.text[st.outer[index][1]:st.outer[nxt][0]]
        if gap.strip() or ("\n" in gap and not self._quote_heading(st, quotes, index)):
            return None
        if nxt not in early:
            early[nxt] = self._resolve_cue(st, cues[nxt], None)
        if early[nxt].person is None:
            return None
        return Result(early[nxt].person, "continuation", None, CONFIDENCE["continuation_forward"])

    @staticmethod
    def _quote_heading(st: _Doc, quotes: list[dict], index: int) -> bool:
        """A short quote that is a paragraph of its own, with no full stop: a
        heading that cites the speaker of the paragraph below."""
        p_start, p_end = st.paragraphs[st.paragraph_of(st.outer[index][0])]
        o_start, o_end = st.outer[index]
        inner = (quotes[index].get("quote") or "").rstrip()
        return (not st.text[p_start:o_start].strip() and not st.text[o_end:p_end].strip() and bool(inner)
                and inner[-1] not in ".!?…" and len(inner.split()) <= MAX_HEADING_WORDS)

    def _nobody_between(self, st: _Doc, start: int, end: int, person: int, objects_ok: bool = False) -> bool:
        """Nobody but ``person`` named between. ``objects_ok``: when ``person``
        is named there again as the subject, names after a preposition
        (``Seit 2015 fährt X für Penske.``) are objects and do not count."""
        mentions = st.mentions_between(start, end)
        others = [m for m in mentions if m["person"] != person]
        if objects_ok and others and any(m["person"] == person and m.get("kind") != "description"
                                         and not self._after_preposition(st, m) for m in mentions):
            others = [m for m in others if not self._after_preposition(st, m)]
        virtual = [p for _, p in st.virtual_between(start, end) if p != person]
        return not others and not virtual

    def _after_preposition(self, st: _Doc, mention: dict, words: frozenset[str] | None = None) -> bool:
        """The mention follows one of ``words`` (default: any non-subject word)."""
        start = mention["start_char"]
        before = st.words(max(0, start - 30), start)
        words = self.words.non_subject_before if words is None else words
        return bool(before) and before[-1][2].lower() in words and not st.text[before[-1][1]:start].strip()

    # --------------------------------------------------------------- pass 6
    def _context(self, st: _Doc, quotes: list[dict], index: int) -> Result | None:
        """No cue at all. In order: the subject of the sentence right before
        (a name that opens it, or the only person it names; a pronoun that opens
        it, resolved); the only person named in the paragraph before the quote;
        a short heading line right before the quote's paragraph that opens with
        a name (``Kai Roth, Team X, Porsche 911``)."""
        text = st.text
        o_start = st.outer[index][0]
        paragraph = st.paragraph_of(o_start)
        paragraph_start = st.paragraphs[paragraph][0]
        sent_start, _ = st.sentences.bounds(o_start, len(text))
        sent_start = max(sent_start, paragraph_start)  # a line without a full stop ends with its paragraph
        if text[sent_start:o_start].strip():
            return None
        if sent_start == paragraph_start:
            return self._heading(st, quotes, index, paragraph)
        prev_start, _ = st.sentences.bounds(sent_start - 1, len(text))
        prev_start = max(prev_start, paragraph_start)
        if index > 0 and st.outer[index - 1][1] > prev_start:
            return None
        words = st.words(prev_start, sent_start)
        slot = self._subject(st, words, [word.lower() for _, _, word in words], prev_start, sent_start)
        mentions = st.mentions_between(prev_start, sent_start)
        people = {m["person"] for m in mentions}
        if slot is not None and slot.kind == "mention":
            opens = bool(words) and slot.start <= words[min(2, len(words) - 1)][0]
            if len(people) == 1 or opens:
                return Result(slot.person, "context", None, CONFIDENCE["context"], slot)
            return None
        if slot is not None and slot.kind == "pronoun" and words and slot.start == words[0][0]:
            person, _ = self._resolve_pronoun(st, slot, slot.start)
            if person is not None:
                return Result(person, "context", None, CONFIDENCE["context"], slot)
            return None
        if people:
            return None
        if index > 0 and st.outer[index - 1][1] > paragraph_start:
            return None
        before = {m["person"] for m in st.mentions_between(paragraph_start, sent_start)}
        if len(before) == 1:
            return Result(before.pop(), "context", None, CONFIDENCE["context"])
        return None

    def _heading(self, st: _Doc, quotes: list[dict], index: int, paragraph: int) -> Result | None:
        """``Kai Roth, Team X, Porsche 911`` as its own short paragraph right
        before a paragraph that opens with the quote."""
        if paragraph == 0 or (index > 0 and st.outer[index - 1][1] > st.paragraphs[paragraph - 1][0]):
            return None
        h_start, h_end = st.paragraphs[paragraph - 1]
        line = st.text[h_start:h_end].strip()
        if not line or line[-1] in ".!?" or len(line.split()) > MAX_HEADING_WORDS:
            return None
        first = st.mention_covering(h_start + (len(st.text[h_start:h_end]) - len(st.text[h_start:h_end].lstrip())))
        if first is None:
            return None
        slot = Slot("mention", first["start_char"], first["end_char"], first.get("text") or "", first["person"],
                    first.get("kind"))
        return Result(first["person"], "context", None, CONFIDENCE["heading"], slot)

    # ---------------------------------------------------------- resolution
    def _resolve_slot(self, st: _Doc, slot: Slot, method: str, cue: str, base: float, before: int,
                      previous: tuple[int, int] | None = None) -> Result:
        if slot.kind == "mention" and slot.mention_kind == "description":
            # ``der Franzose`` as resolved by the entity layer: checked against the
            # records, the layer's choice is the last resort
            linked = st.linked_covering(slot.start)
            linked = slot.person if linked is None else linked
            person, strong = self._resolve_description(st, slot, before, circular=linked)
            if person is None:
                person, strong = slot.person, False
            confidence = CONFIDENCE["description"] if strong else CONFIDENCE["description_weak"]
            if person is not None:
                st.relabel(slot.start, person)
            return Result(person, "description", cue, confidence, slot)
        if slot.kind == "mention":
            return Result(slot.person, method, cue, base, slot)
        if slot.kind == "description" and slot.person is not None:  # ``Baumann senior``
            return Result(slot.person, "description", cue, CONFIDENCE["description"], slot)
        if slot.kind == "teammate":
            person = self._resolve_teammate(st, slot, before, previous)
            if person is not None:
                st.add_virtual(slot.start, person)
            return Result(person, "description" if person is not None else "unresolved", cue,
                          CONFIDENCE["description"] if person is not None else 0.0, slot)
        if slot.kind == "pronoun":
            person, strong = self._resolve_pronoun(st, slot, before, previous)
            confidence = CONFIDENCE["pronoun"] if strong else CONFIDENCE["pronoun_weak"]
            return Result(person, "pronoun" if person is not None else "unresolved", cue,
                          confidence if person is not None else 0.0, slot)
        person, strong = self._resolve_description(st, slot, before)
        confidence = CONFIDENCE["description"] if strong else CONFIDENCE["description_weak"]
        if person is not None:
            st.add_virtual(slot.start, person)
        return Result(person, "description" if person is not None else "unresolved", cue,
                      confidence if person is not None else 0.0, slot)

    def _resolve_teammate(self, st: _Doc, slot: Slot, before: int, previous: tuple[int, int] | None) -> int | None:
        """``Sein Teamkollege``: the possessor is the speaker just before (or the
        person named last); the teammate is a driver named in one sentence with
        the possessor, else the most recent other driver with the possessor's
        team, else with the possessor's car."""
        pos = min(before, slot.start)
        recent = [person for _, person in st.recent_people(pos)]
        owner = previous[1] if previous is not None else (recent[0] if recent else None)
        if owner is None:
            return None
        record = st.people[owner]
        drivers = [p for p in dict.fromkeys(recent) if p != owner and st.people[p].get("kind") == "driver"]
        # A crew partner first: a driver named in one sentence with the owner
        # ("Tim Reiser und Ole Brandtberg fuhren …"), not of another known team.
        sentences = st.sentence_sets()
        owner_sentences = sentences.get(owner, set())
        for person in drivers:
            team = st.people[person].get("team")
            if record.get("team") and team and team != record["team"]:
                continue
            if not owner_sentences.isdisjoint(sentences.get(person, ())):
                return person
        for key in ("team", "car"):
            value = record.get(key)
            mates = [p for p in drivers if value and st.people[p].get(key) == value]
            if mates:
                return mates[0]
        return None

    def _resolve_pronoun(self, st: _Doc, slot: Slot, before: int, previous: tuple[int, int] | None = None
                         ) -> tuple[int | None, bool]:
        """``er``/``sie``: the speaker of the quote just before when nobody else
        was named since; else the nearest person not known to be of the other
        gender (strong when the gender is known and the mention is recent)."""
        gender = self.words.pronoun_gender.get(slot.text.lower())
        pos = min(before, slot.start)
        if previous is not None:
            prev_end, prev_person = previous
            known = st.gender(prev_person, self.lex)
            # "sie" after a speaker of unknown gender: a known woman nearby is the better reading
            if (known == gender or (known is None and not (gender == "f" and self._woman_nearby(st, pos)))) \
                    and self._nobody_between(st, prev_end, pos, prev_person):
                return prev_person, known == gender
        # "er": the most recent person not known to be a woman (names rarely tell
        # "m"). "sie": a known woman in this or the two paragraphs before wins over
        # nearer people of unknown gender, since women are the ones marked "f".
        window_start = st.paragraphs[max(st.paragraph_of(pos) - 2, 0)][0]
        first_open = None
        for mention_pos, person in st.recent_people(pos, limit=PRONOUN_LOOKBACK):
            known = st.gender(person, self.lex)
            if known == gender and (gender == "m" or mention_pos >= window_start):
                return person, True
            if known is None and first_open is None:
                if gender == "m":
                    return person, False
                first_open = person
            if mention_pos < window_start and first_open is not None:
                break
        return first_open, False

    def _woman_nearby(self, st: _Doc, pos: int) -> bool:
        """A person known to be a woman named in this or the two paragraphs before."""
        window_start = st.paragraphs[max(st.paragraph_of(pos) - 2, 0)][0]
        for mention_pos, person in st.recent_people(pos, limit=PRONOUN_LOOKBACK):
            if mention_pos < window_start:
                return False
            if st.gender(person, self.lex) == "f":
                return True
        return False

    def _resolve_description(self, st: _Doc, slot: Slot, before: int, circular: int | None = None,
                             strong_only: bool = False) -> tuple[int | None, bool]:
        """The person a description fits. ``circular``: the person the entity
        layer linked this very description to; its age or nationality may have
        been taken from the description itself, so they are no evidence here.
        ``strong_only``: the caller takes only a person the records fit, so the
        weak guess (which changes nothing) is not made."""
        desc = self._parse_description(slot.text)
        if desc is None:
            return None, False
        pos = min(before, slot.start)
        fits, ranked = self._fits(st, slot.text, desc)
        own = self._circular_fit(st, circular, desc, slot) if circular is not None else None
        top = _best_group(ranked, circular, own)
        if top:
            return self._most_recent(st, top, pos), True
        if strong_only:
            return None, False
        # No record fits: the most recent person of the described kind (``so der
        # Motorsport-Direktor``: a team boss or official, ``der Franzose``: a driver);
        # ``die 22-Jährige``: a known woman before the nearest driver.
        wanted = "person" if desc.get("person_title") else "driver"
        paragraph_start = st.paragraphs[st.paragraph_of(pos)][0]
        first = None  # the most recent fitting person (for ``die``: of any gender)
        first_object = None  # a rival (``gegen X``, ``hinter X``): only if nobody else
        seen: set[int] = set()
        for mention_pos, person_id in st.recent_people(pos, limit=FALLBACK_LOOKBACK):
            if person_id in seen:
                continue
            seen.add(person_id)
            contradicts = own[1] if person_id == circular and own is not None else fits[person_id][1]
            if contradicts:
                continue
            kind = st.people[person_id].get("kind")
            if kind != wanted and not (wanted == "driver" and not desc.get("title_kind") and mention_pos >= paragraph_start):
                continue  # ``der Franzose`` after ``Teamchef X`` in the same paragraph: X
            mention = st.mention_covering(mention_pos)
            if mention is not None and mention["start_char"] == mention_pos \
                    and self._after_preposition(st, mention, self.words.rival_before):
                first_object = person_id if first_object is None else first_object
                continue
            if desc.get("gender") != "f" or st.gender(person_id, self.lex) == "f":
                return person_id, False
            if first is None:
                first = person_id
        return (first if first is not None else first_object), False

    def _fits(self, st: _Doc, text: str, desc: dict) -> tuple[_LazyFits, list[tuple[int, int]]]:
        """(score, contradicts) of each person for a description (computed when
        asked), and the fitting people as (score, person) best first; memoised per
        document, since a long text repeats a few descriptions many times. Only
        the people the index names can score above 0."""
        if text not in st.fits:
            def fit(person_id: int) -> tuple[int, bool]:
                return self._fit(st.people[person_id], desc, st.gender(person_id, self.lex))

            # The genders of everyone as they are now, as when every person was scored at once:
            # relabelled descriptions may change what a gender reads later.
            st.freeze_genders(self.lex)
            fits = _LazyFits(fit)
            scored = ((p, fits[p]) for p in st.people_index(self.lex).candidates(desc))
            ranked = sorted(((score, p) for p, (score, contradicts) in scored if score > 0 and not contradicts),
                            key=itemgetter(0), reverse=True)  # stable: equal scores keep the order of ids
            st.fits[text] = (fits, ranked)
        return st.fits[text]

    @staticmethod
    def _most_recent(st: _Doc, group: list[int], pos: int) -> int:
        """The member of ``group`` named last before ``pos`` (ties: the highest id)."""
        if len(group) == 1:  # the usual case: nothing to compare
            return group[0]
        if len(group) > SMALL_GROUP:
            members = set(group)
            for _, person_id in st.recent_people(pos, limit=FALLBACK_LOOKBACK):
                if person_id in members:
                    return person_id
        return max(group, key=lambda p: (st.last_named(p, pos), p))

    def _circular_fit(self, st: _Doc, person_id: int, desc: dict, slot: Slot) -> tuple[int, bool]:
        """The fit of the person the entity layer linked this very description to:
        an age or nationality it read off the description proves nothing, so only
        what the text says elsewhere counts."""
        key = (person_id, slot.text, slot.start, slot.end)  # the text decides ``desc``
        if key in st.circular_fits:
            return st.circular_fits[key]
        record = st.people[person_id]
        gender = st.gender(person_id, self.lex)
        if "age" in desc and record.get("age") == desc["age"] and not _age_elsewhere(st, desc["age"], slot):
            record = {**record, "age": None}
        if ("country" in desc and record.get("nationality") == desc["country"]
                and not _noun_elsewhere(st, desc.get("noun", ""), slot)):
            record = {**record, "nationality": None}
        fit = st.circular_fits[key] = self._fit(record, desc, gender)
        return fit

    def _parse_description(self, text: str) -> dict | None:
        """What a description says (gender, age, noun, country, title kind); shared, not to be changed."""
        try:
            return self._descriptions[text]
        except KeyError:
            if len(self._descriptions) > DESCRIPTION_MEMO_LIMIT:
                self._descriptions.clear()
            desc = self._descriptions[text] = self._read_description(text)
            return desc

    def _read_description(self, text: str) -> dict | None:
        words = text.split()
        if not words:
            return None
        desc: dict = {"gender": "f" if words[0].lower() == "die" else "m" if words[0].lower() == "der" else None}
        noun = words[-1]
        for word in words[1:]:  # ``der 27-Jährige``, ``der 22-jährige Schwede``
            match = AGE_WORD_RE.match(word)
            if match:
                desc["age"] = int(match.group(1))
        years = AGE_YEARS_RE.search(text)
        if years:
            desc["age"] = int(years.group(1))
        if noun[:1].isupper() and not AGE_WORD_RE.match(noun):
            desc["noun"] = noun
            if self.lex:
                demonym = self.lex.demonym_by_noun.get(noun)
                if demonym is not None:
                    desc["country"] = demonym[0].country
                    desc["region"] = demonym[0].region
                    desc["gender"] = demonym[1]
                kind = self.lex.title_kind(noun)
                if kind:
                    desc["title_kind"] = kind
                    desc["person_title"] = kind == "person"
        return desc

    def _fit(self, person: dict, desc: dict, gender: str | None) -> tuple[int, bool]:
        """(score, contradicts) of ``person`` for ``desc``; ``gender``: the person's as ``_Doc.gender`` reads it."""
        score = 0
        if desc.get("gender") and gender and gender != desc["gender"] and ("country" in desc or "age" in desc):
            return 0, True
        if "age" in desc:
            age = person.get("age")
            if age is not None:
                if age != desc["age"]:
                    return 0, True
                score += 3
        noun = desc.get("noun")
        if not noun:
            return score, False
        hometown = person.get("hometown")
        home_country = self._country_of(hometown)
        nationality = person.get("nationality")
        if "country" in desc:
            country = desc["country"]
            if desc.get("region"):
                if hometown and (hometown == desc["region"] or place_fits(noun, hometown)
                                 or (self.lex and desc["region"] in self.lex.regions_of(hometown))):
                    score += 3
                elif nationality == country or home_country == country:
                    score += 1
                elif (nationality and nationality != country) or (home_country and home_country != country):
                    return 0, True
                return score, False
            if nationality == country or home_country == country:
                score += 2
            elif (nationality and nationality != country) or (home_country and home_country != country):
                return 0, True
            return score, False
        if hometown and place_fits(noun, hometown):
            return score + 3, False
        title_score = self._title_fit(person, noun)
        if title_score:
            return score + title_score, False
        kind = desc.get("title_kind")
        if kind and person.get("kind") and kind != person.get("kind"):
            return 0, True
        return score, False

    def _country_of(self, hometown: str | None) -> str | None:
        if not hometown:
            return None
        if self.lex:
            return self.lex.country_of(hometown)
        return None

    def _title_fit(self, person: dict, noun: str) -> int:
        lowered = noun.lower()
        # ``der Pilot`` names no compound title: a ``Förderpilot`` is not evidence
        generic = len(lowered) <= GENERIC_TITLE_LENGTH and bool(self.lex) and lowered in self.lex.title_suffixes
        for title in [*(person.get("titles") or []), person.get("role") or ""]:
            t = title.lower()
            if not t:
                continue
            head = t.split()[0]
            if lowered == t or lowered == head:
                return 2
            if len(head) > 3 and (lowered.endswith(head) or (head.endswith(lowered) and not generic)):
                return 2
        return 0

    def _is_title(self, word: str) -> bool:
        return bool(self.lex and self.lex.title_kind(word))

    def _is_description_noun(self, noun: str) -> bool:
        if AGE_RE.search(noun):
            return True
        if not self.lex:
            return False
        return noun in self.lex.demonym_by_noun or bool(self.lex.title_kind(noun))

    def _by_seniority(self, st: _Doc, mention: dict, word: str) -> int | None:
        surname = (st.people[mention["person"]].get("name") or "").split()[-1:]
        if not surname:
            return None
        family = [i for i, p in enumerate(st.people) if (p.get("name") or "").split()[-1:] == surname]
        if len(family) < 2:
            return None
        aged = [(p_age, i) for i in family if (p_age := st.people[i].get("age")) is not None]
        want = self.words.seniority.get(word, self.words.seniority.get(word + ".", "older"))
        if len(aged) == len(family):
            aged.sort()
            return aged[-1][1] if want == "older" else aged[0][1]
        for i in family:
            titles = " ".join(st.people[i].get("titles") or []).lower()
            if want == "older" and ("vater" in titles or "senior" in titles):
                return i
            if want == "younger" and ("sohn" in titles or "junior" in titles):
                return i
        return None

    # ------------------------------------------------------------- output
    def _fill(self, st: _Doc, quote: dict, result: Result) -> None:
        person = st.people[result.person]
        quote["speaker"] = person.get("name")
        quote["speaker_kind"] = person.get("kind") or "unknown"
        quote["speaker_role"] = person.get("role") or self._apposition(st, result.slot)
        quote["cue"] = result.cue
        quote["method"] = result.method
        rounded = ROUNDED_CONFIDENCE.get(result.confidence)
        quote["confidence"] = round(result.confidence, 2) if rounded is None else rounded

    def _apposition(self, st: _Doc, slot: Slot | None) -> str | None:
        """``sagte Arne Wolff, Leiter Motorsport.`` → ``Leiter Motorsport``."""
        if slot is None or slot.kind != "mention":
            return None
        text = st.text
        pos = slot.end
        while pos < len(text) and text[pos] == " ":
            pos += 1
        if pos >= len(text) or text[pos] != ",":
            return None
        _, sent_end = st.sentences.bounds(pos, len(text))
        words = st.words(pos + 1, min(sent_end, pos + 200))
        if not words or not words[0][2][:1].isupper() or st.mention_covering(words[0][0]):
            return None
        head = words[0][2]
        if self.lex and not (head in self.lex.role_heads or self.lex.title_kind(head)):
            return None
        end = words[0][1]
        for index, (start, w_end, word) in enumerate(words[1:13], start=1):
            gap = text[words[index - 1][1]:start]
            if CLAUSE_STOP_RE.search(gap) or ("," in gap and word[:1].islower()):
                break
            end = w_end
        return text[words[0][0]:end].strip(" ,") or None


def _colon_before(text: str, end: int) -> bool:
    """The last character before ``end`` that is not a space is a colon (``X sagte: „…“``)."""
    pos = end - 1
    while pos >= 0 and text[pos].isspace():
        pos -= 1
    return pos >= 0 and text[pos] == ":"


def _names_a_hometown(st: _Doc, noun: str) -> bool:
    """``Der Gütersloher erklärte:``: the noun fits the hometown of someone in the text."""
    if noun not in st.hometown_nouns:
        st.hometown_nouns[noun] = noun.endswith(("er", "erin")) and any(
            place_fits(noun, person["hometown"]) for person in st.people if person.get("hometown"))
    return st.hometown_nouns[noun]


def _best_group(ranked: list[tuple[int, int]], circular: int | None, own: tuple[int, bool] | None) -> list[int]:
    """The people with the best fitting score, with ``circular``'s score replaced by ``own``."""
    best = own[0] if own is not None and not own[1] and own[0] > 0 else 0
    for score, person_id in ranked:
        if person_id != circular:
            best = max(best, score)
            break
    if best <= 0:
        return []
    group = []
    for score, person_id in ranked:
        if score < best:
            break
        if person_id != circular:
            group.append(person_id)
    if own is not None and best == own[0] and not own[1]:
        group.append(circular)
    return group


def _age_elsewhere(st: _Doc, age: int, slot: Slot) -> bool:
    """``(27)``, ``(27, Rosenheim)``, ``27-Jährige``, ``27 Jahre`` outside ``slot``."""
    return st.any_outside(st.age_hits(age), slot.start, slot.end)


def _noun_elsewhere(st: _Doc, noun: str, slot: Slot) -> bool:
    if not noun:
        return False
    stem = noun[:-1] if noun.endswith("e") else noun  # Franzose/Franzosen, Däne/Dänen
    if not WORD_RUN_RE.fullmatch(stem):
        return st.hit_outside(rf"\b{re.escape(stem)}{NOUN_ENDING_RE_TEXT}", slot.start, slot.end)
    if len(st.text) > WORD_INDEX_MIN_CHARS:
        # A long text: the noun's forms from one index of its words, not one scan per noun.
        return st.any_outside(st.word_hits(stem + ending for ending in NOUN_FORM_ENDINGS), slot.start, slot.end)
    return st.any_outside(st.noun_hits(stem), slot.start, slot.end)


def _age_matches(text: str) -> list[tuple[int, str]]:
    """(start, digits) of each match of ``\\((\\d+)\\b|\\b(\\d+)-[Jj]ährige|\\b(\\d+) Jahre``
    in ``text``, in order. That regex opens with ``\\b`` and is tried at every
    position; here ``(27`` is found by its bracket, and ``27-Jährige``/``27 Jahre``
    by the word after the digits, read back to where the digits start. Each match
    holds one whole run of digits; where a ``(`` stands before the run, the
    bracket match is the one the regex takes."""
    found = [(match.start(), match.group(1)) for match in AGE_IN_BRACKETS_RE.finditer(text)]
    for suffix in AGE_SUFFIXES:
        digits_end = text.find(suffix)
        while digits_end != -1:
            start = digits_end
            while start and text[start - 1].isdecimal():  # ``str.isdecimal`` is exactly what ``\d`` matches
                start -= 1
            if start < digits_end and not (start and (text[start - 1] == "(" or WORD_CHAR_RE.match(text, start - 1))):
                found.append((start, text[start:digits_end]))
            digits_end = text.find(suffix, digits_end + 1)
    return sorted(found)


@lru_cache(maxsize=1024)
def _noun_forms(stem: str) -> re.Pattern:
    """``{stem}(?:e|en|n|in|innen|s)?\\b``, compiled once per stem (escaping the stem and
    finding the pattern in ``re``'s cache cost some µs per look-up)."""
    return re.compile(re.escape(stem) + NOUN_ENDING_RE_TEXT)


class PeopleIndex:
    """The people a description can fit at all, by what their records hold, so that
    a description is scored against these instead of every person of a long text."""

    def __init__(self, people: list[dict], lex: Lexicons | None) -> None:
        self.by_age: dict[object, list[int]] = {}
        self.by_country: dict[object, list[int]] = {}
        self.with_hometown: list[int] = []
        self.with_title: list[int] = []
        for person_id, person in enumerate(people):
            age = person.get("age")
            if age is not None:
                self.by_age.setdefault(age, []).append(person_id)
            hometown = person.get("hometown")
            nationality = person.get("nationality")
            if nationality is not None:
                self.by_country.setdefault(nationality, []).append(person_id)
            home_country = lex.country_of(hometown) if lex and hometown else None
            if home_country is not None and home_country != nationality:
                self.by_country.setdefault(home_country, []).append(person_id)
            if hometown:
                self.with_hometown.append(person_id)
            if any(person.get("titles") or ()) or person.get("role"):
                self.with_title.append(person_id)

    def candidates(self, desc: dict) -> list[int]:
        """Every person ``Attributor._fit`` can give a score above 0 for ``desc``, by id."""
        found: set[int] = set()
        if "age" in desc:
            found.update(self.by_age.get(desc["age"], ()))
        if desc.get("noun"):
            if "country" in desc:
                found.update(self.by_country.get(desc["country"], ()))
                if desc.get("region"):
                    found.update(self.with_hometown)
            else:
                found.update(self.with_hometown)
                found.update(self.with_title)
        return sorted(found)


class _LazyFits:
    """(score, contradicts) of each person for one description, computed on first ask."""

    __slots__ = ("_compute", "_memo")

    def __init__(self, compute) -> None:
        self._compute = compute
        self._memo: dict[int, tuple[int, bool]] = {}

    def __getitem__(self, person_id: int) -> tuple[int, bool]:
        found = self._memo.get(person_id)
        if found is None:
            found = self._memo[person_id] = self._compute(person_id)
        return found


@Language.factory(
    "motorsport_attribution",
    assigns=["doc._.quotes"],
    requires=["doc._.quotes", "doc._.people", "doc._.mentions", "doc.spans"],
    default_config={
        "lang": DEFAULT_LANG,
        "rules_dir": None,
        "scare_spans_key": DEFAULT_SCARE_SPANS_KEY,
        "max_cue_words": DEFAULT_MAX_CUE_WORDS,
        "resolve_context": DEFAULT_RESOLVE_CONTEXT,
    },
)
def make_attribution(nlp: Language, name: str, lang: str, rules_dir: str | None, scare_spans_key: str,
                     max_cue_words: int, resolve_context: bool) -> "SpeakerAttribution":
    check_span_keys(nlp, adding=("motorsport_attribution", name, {"scare_spans_key": scare_spans_key}))
    return SpeakerAttribution(nlp, name, lang=lang, rules_dir=rules_dir, scare_spans_key=scare_spans_key,
                              max_cue_words=max_cue_words, resolve_context=resolve_context)


class SpeakerAttribution(ConfiguredPipe):
    """Fills the speaker keys of ``doc._.quotes``; see the module docstring."""

    def __init__(self, nlp: Language, name: str = "motorsport_attribution", *, lang: str = DEFAULT_LANG,
                 rules_dir: str | None = None, scare_spans_key: str = DEFAULT_SCARE_SPANS_KEY,
                 max_cue_words: int = DEFAULT_MAX_CUE_WORDS, resolve_context: bool = DEFAULT_RESOLVE_CONTEXT) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"lang": lang, "rules_dir": rules_dir, "scare_spans_key": scare_spans_key,
                    "max_cue_words": max_cue_words, "resolve_context": resolve_context}
        self._attributor: Attributor | None = None

    @property
    def attributor(self) -> Attributor:
        # Rebuilt when the config or the lexicons change (tests swap lexicons in).
        if self._attributor is None or self._attributor.lex is not self.lexicons:
            self._attributor = Attributor(self.lexicons, max_cue_words=self.cfg["max_cue_words"],
                                          resolve_context=self.cfg["resolve_context"],
                                          scare_key=self.cfg["scare_spans_key"],
                                          words=AttributionWords.from_lexicons(self.lexicons))
        return self._attributor

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            self.attributor(doc)
            return doc
        except Exception as error:  # noqa: BLE001  (spaCy's error-handler protocol)
            error_handler(self.name, self, [doc], error)

    def _config_changed(self) -> None:
        super()._config_changed()
        self._attributor = None


def _teammate_slot(words: list, index: int, lexicon: AttributionWords) -> Slot | None:
    """``sein Teamkollege``, ``ihre Beifahrerin`` at ``words[index]``."""
    if index + 1 >= len(words) or words[index][2].lower() not in lexicon.teammate_possessive:
        return None
    if words[index + 1][2] not in lexicon.teammate_noun:
        return None
    return Slot("teammate", words[index][0], words[index + 1][1], f"{words[index][2]} {words[index + 1][2]}")
