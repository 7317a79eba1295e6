"""The text units every component shares, each defined once: word shapes
(``WordShape``, the token tests), brackets, list joiners, paragraphs
(``paragraph_spans``), token sentences (``TextIndex``, from the base model's
sentence starts) and sentences with their quotes kept whole
(``SentenceBounds``, for quote detection and attribution). ``DocView`` serves
them per document. No state beyond caches, no spaCy objects kept."""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from functools import lru_cache, partial
from typing import Callable, Iterable, Sequence

import numpy
from spacy.attrs import SENT_START

from spacy.lang.de.stop_words import STOP_WORDS
from spacy.tokens import Token

from ..rules import DEFAULT_LANG, Lexicons, load_lexicons, rules_root

LIST_JOINER_MARKS = frozenset({",", "&", "/"})
# How far a bracket after a name is read: "(21, Innsbruck)", "(911 GT3 R #92)".
DEFAULT_MAX_BRACKET_TOKENS = 12
# Quote and bracket characters that end a name or a phrase.
QUOTE_MARKS = frozenset("„“”\"»«‚‘'›‹")
# Name particles ("van der") and the capitalised words that open sentences but never
# names ("Auch", "Montag", "Runde") are rule data (name_words.tsv): never_name_words(lang).


# Distinct words whose shapes are kept per process; cleared when full, so memory
# stays flat on endless archives.
WORD_SHAPE_CACHE_LIMIT = 200_000


class WordShape:
    """What the components ask of one distinct word, computed once per process.

    The flags are the answers of the functions below (and of spaCy's lexeme
    flags ``is_punct``/``is_space``/``is_alpha``/``is_lower``), so a doc's token
    table (``doc_view``) needs one cache lookup per token instead of a Token
    object and several helper calls. ``*_at_start`` answers hold for a token
    that opens a sentence (or the document), ``*_inside`` for any other.
    """

    __slots__ = ("text", "lower", "is_punct", "is_space", "is_alpha", "is_lower", "capitalised", "all_caps",
                 "has_digit", "stop_at_start", "stop_inside", "name_like_at_start", "name_like_inside")

    def __init__(self, text: str, is_punct: bool, is_space: bool, is_alpha: bool, is_lower: bool, *,
                 never_name: frozenset[str]) -> None:
        self.text = text
        self.lower = text.lower()
        self.is_punct = is_punct
        self.is_space = is_space
        self.is_alpha = is_alpha
        self.is_lower = is_lower
        self.all_caps = is_all_caps(text)
        never, stop = text in never_name, self.lower in STOP_WORDS
        if text.isalpha():  # most words: the helpers' answers for letters only, without their loops
            self.capitalised = text[0].isupper()
            self.has_digit = False
            self.name_like_inside = self.capitalised and not never and not (self.all_caps and len(text) > 1)
        else:
            self.capitalised = is_capitalised_text(text)
            self.has_digit = has_digit(text)
            self.name_like_inside = _name_like_inside(text, never_name)
        self.stop_at_start = never or stop
        self.stop_inside = never or (stop and not text[:1].isupper())
        self.name_like_at_start = self.name_like_inside and not stop


# (language, never_name words) → orth → shape
_word_shapes: dict[tuple[str, frozenset[str]], dict[int, WordShape]] = {}


@lru_cache(maxsize=16)
def never_name_words(lang: str = "") -> frozenset[str]:
    """The packaged ``never_name`` words of ``lang`` (German's for a language without rules)."""
    lang = lang if lang and rules_root(lang).is_dir() else DEFAULT_LANG
    return load_lexicons(lang).name_words["never_name"]


def word_shapes(orths: list[int], vocab, lang: str = "", never_name: frozenset[str] | None = None) -> list[WordShape]:
    """The shapes of the words with hashes ``orths`` (the tokens' ``ORTH``), cached per language
    and ``never_name`` words (the packaged ones of the language when not given)."""
    if never_name is None:
        never_name = never_name_words(lang)
    cache = _word_shapes.setdefault((lang, never_name), {})
    found = list(map(cache.get, orths))  # one dict lookup per token; misses are rare
    if None in found:
        # Only the distinct new words are visited in Python: on a cold cache nearly
        # every document has a few, and a walk over all its tokens cost more than they do.
        missing = set(itertools.compress(orths, map(operator.is_, found, itertools.repeat(None))))
        if len(cache) + len(missing) > WORD_SHAPE_CACHE_LIMIT:
            cache.clear()
            missing = set(orths)
        for orth in missing:
            lexeme = vocab[orth]
            cache[orth] = WordShape(lexeme.orth_, lexeme.is_punct, lexeme.is_space, lexeme.is_alpha, lexeme.is_lower,
                                    never_name=never_name)
        found = list(map(cache.__getitem__, orths))
    return found


def is_capitalised_text(text: str) -> bool:
    return bool(text) and text[0].isupper() and any(ch.isalpha() for ch in text)


def is_capitalised(token: Token) -> bool:
    return is_capitalised_text(token.text)


def is_all_caps(text: str) -> bool:
    if text.isalpha():  # the common case, without a loop in Python for most words
        return text.isupper() and all(ch.isupper() for ch in text)
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def is_initial(text: str) -> bool:
    """``J.``: one capital letter and a period."""
    return len(text) == 2 and text[1] == "." and text[0].isalpha() and text[0].isupper()


def bracket_end(tokens: list[Token], open_index: int, limit: int = DEFAULT_MAX_BRACKET_TOKENS) -> int | None:
    """``bracket_close`` over Token objects."""
    for close in range(open_index + 1, min(len(tokens), open_index + limit + 2)):
        if tokens[close].text.startswith(")"):
            return close if tokens[close].text in (")", "):") else None
    return None


def bracket_close(texts: list[str], open_index: int, limit: int = DEFAULT_MAX_BRACKET_TOKENS) -> int | None:
    """The index of the token closing the bracket opened at ``open_index``, at
    most ``limit`` tokens on, or None (``texts``: the doc view's token texts).
    The tokenizer writes a closing bracket before a colon as one token, ``"):"``
    (``X (Rosenheim): „…“``)."""
    for close in range(open_index + 1, min(len(texts), open_index + limit + 2)):
        if texts[close].startswith(")"):
            return close if texts[close] in (")", "):") else None
    return None


def has_digit(text: str) -> bool:
    return not text.isalpha() and any(ch.isdigit() for ch in text)


def is_stop_word(token: Token, never_name: frozenset[str] | None = None) -> bool:
    """Function words; mid-sentence a capitalised stop word ("Anders") is a name
    or noun, since German capitalises only those there. ``never_name``: the
    packaged words of the token's language when not given."""
    if token.text in (never_name_words(token.lang_) if never_name is None else never_name):
        return True
    return token.lower_ in STOP_WORDS and (token.is_sent_start or not token.text[:1].isupper() or token.i == 0)


def is_name_like(token: Token, never_name: frozenset[str] | None = None) -> bool:
    """A token that can be part of a person's name: ``Jentzsch``, ``O'Neill``, ``Jean-Luc``.
    ``never_name``: the packaged words of the token's language when not given."""
    never_name = never_name_words(token.lang_) if never_name is None else never_name
    return _name_like_text(token.text, token.is_sent_start or token.i == 0, never_name)


@lru_cache(maxsize=65536)  # called for every token by several components
def _name_like_text(text: str, sentence_start: bool, never_name: frozenset[str]) -> bool:
    # A stop word opening a sentence is the function word ("Anders fuhr …").
    return _name_like_inside(text, never_name) and not (sentence_start and text.lower() in STOP_WORDS)


def _name_like_inside(text: str, never_name: frozenset[str]) -> bool:
    """``is_name_like`` for a word that does not open a sentence."""
    if not text or not text[0].isupper() or not any(ch.isalpha() for ch in text) or has_digit(text):
        return False
    if text in never_name:
        return False
    if is_initial(text):
        return True  # "J." in "J. P. Oliveira"
    if is_all_caps(text) and len(text) > 1:
        return False  # acronyms (ALMS, BMW) are not names
    return text.isalpha() or (all(ch.isalpha() or ch in "-'’." for ch in text) and not text.endswith("-"))


def place_fits(noun: str, hometown: str) -> bool:
    """Whether ``noun`` names someone from ``hometown``: ``Gütersloher`` ↔
    ``Gütersloh``, ``Genferin`` ↔ ``Genf``, ``Münchner`` ↔ ``München``,
    ``Ingolstädter`` ↔ ``Ingolstadt``, ``Bremer`` ↔ ``Bremen``."""
    stem = noun[:-4] if noun.endswith("erin") else noun[:-2] if noun.endswith("er") else None
    if not stem or len(stem) < 3:
        return False
    place = hometown.split("/")[0].split(" (")[0].strip()
    if not place:
        return False
    forms = {place, place.split()[0], place.split()[-1], place.split("-")[0]}
    if place.endswith("en"):
        forms.update({place[:-2], place[:-1], place[:-2] + "n"})
    if place.endswith("e"):
        forms.add(place[:-1])
    forms.update([_umlauted(form) for form in forms])
    return stem in forms


def _umlauted(word: str) -> str:
    """The last a/o/u as ä/ö/ü: ``Ingolstadt`` → ``Ingolstädt``."""
    for index in range(len(word) - 1, -1, -1):
        if word[index] in "aou":
            return word[:index] + "äöü"["aou".index(word[index])] + word[index + 1:]
    return word


def list_joiners(lex: Lexicons) -> frozenset[str]:
    """What joins the names of a list (``A, B und C``, ``A/B``, ``A & B``): the
    marks ``,``, ``&``, ``/`` and the ``list_joiner`` words of ``link_words.tsv``
    (the packaged ones for lexicons built without them)."""
    return LIST_JOINER_MARKS | (lex.link_words.get("list_joiner") or load_lexicons().link_words["list_joiner"])


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph; paragraphs are separated by blank lines
    (empty or whitespace only). Starts and ends exclude the paragraph's
    surrounding whitespace. One linear pass over the lines.

    The one definition of a paragraph: quotes, attribution and (through
    ``DocView.paragraphs``/``TextIndex``) linking and names all use it.
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    pos = 0
    length = len(text)
    while pos <= length:
        newline = text.find("\n", pos)
        line_end = length if newline < 0 else newline
        line = text[pos:line_end]
        if line.strip():
            if start is None:
                start = pos + (len(line) - len(line.lstrip()))
            end = pos + len(line.rstrip())
        elif start is not None:
            spans.append((start, end))
            start = None
        if newline < 0:
            break
        pos = newline + 1
    if start is not None:
        spans.append((start, end))
    return spans


def paragraph_index(starts: list[int], char: int) -> int:
    """The paragraph holding offset ``char`` (between two, the one before; 0
    before the first), from the paragraphs' ``starts``."""
    return max(bisect.bisect_right(starts, char) - 1, 0)


# The letters and digits that end a text (``[^\W_]``: exactly ``str.isalnum``'s characters).
_ALNUM_TAIL = re.compile(r"[^\W_]*\Z")
_LONGEST_ABBREVIATION = 12


def _is_abbreviation(text: str, dot: int, floor: int, abbreviations: frozenset[str]) -> bool:
    """A full stop after a number (``14. Juni``) or a known abbreviation."""
    # The word before the dot, read back at most one character past the longest abbreviation.
    word = _ALNUM_TAIL.search(text, max(floor, dot - _LONGEST_ABBREVIATION - 1), dot).group()
    if not word or len(word) > _LONGEST_ABBREVIATION:
        return False
    if word.isdigit():
        return True
    return word.lower() in abbreviations or (len(word) == 1 and word.isalpha())


class SentenceBounds:
    """Sentence bounds in a text, computed outside quotes so that the full stops
    inside „…“ never split the sentence that carries the quote. The character-level
    sentences of quote detection and attribution; the token sentences of the base
    model are ``DocView.index``/``sent_starts``.

    A sentence starts at offset 0, at a paragraph start outside quotes, after a
    quote that closes its sentence, and after a full stop (``_SENT_RE``) outside
    quotes that follows no abbreviation or number. ``quotes`` answers ``inside(pos)``
    and ``segments(start, end)`` (``quotes.Outside``); ``abbreviations``: the
    ``abbreviation`` class of ``quote_words.tsv`` (the packaged one when not given).

    Quote detection and attribution ask about the sentences around quotes only, so
    the full stops are read one block at a time, when a question first falls into the
    block. The starts that need no reading are the anchors; the full stops between two
    anchors form a block. A stop's match opens at most one character before the stop's
    end, so a block's stops are found by scanning from one character before its anchor,
    each outside segment with its own bounds. (tests/components/test_shapes.py
    compares it with a scan of the whole text.)"""

    def __init__(self, text: str, paragraphs: Sequence[tuple[int, int]], quotes,
                 quote_ends: Iterable[tuple[int, int, bool]] = (), *,
                 abbreviations: frozenset[str] | None = None) -> None:
        self.text = text
        self.abbreviations = load_lexicons().quote_words["abbreviation"] if abbreviations is None else abbreviations
        anchors = {0}
        length = len(text)
        for p_start, _ in paragraphs:
            if not quotes.inside(p_start):
                anchors.add(p_start)
        anchors.update(_quote_closed_sentences(text, quote_ends))
        self.anchors = sorted(anchors)
        self.segments = quotes.segments(0, length)
        self._segment_ends = [end for _, end in self.segments]
        self._blocks: dict[int, list[int]] = {}

    def bounds(self, pos: int, limit: int) -> tuple[int, int]:
        """(start, end) of the sentence holding ``pos``, end capped at ``limit``."""
        anchors = self.anchors
        block = bisect.bisect_right(anchors, pos) - 1
        if block < 0:  # before the text: the empty sentence before offset 0
            return 0, min(anchors[0], limit)
        stops = self._stops(block)
        index = bisect.bisect_right(stops, pos)
        start = stops[index - 1] if index else anchors[block]
        if index < len(stops):
            end = stops[index]
        else:
            end = anchors[block + 1] if block + 1 < len(anchors) else limit
        return start, min(end, limit)

    def _stops(self, block: int) -> list[int]:
        """The sentence starts after full stops in (anchor ``block``, the next anchor], in order."""
        found = self._blocks.get(block)
        if found is not None:
            return found
        text, anchors = self.text, self.anchors
        low = anchors[block]
        high = anchors[block + 1] if block + 1 < len(anchors) else len(text)
        found = self._blocks[block] = []
        segment = bisect.bisect_right(self._segment_ends, low - 1)  # the first segment that ends after ``low - 1``
        while segment < len(self.segments) and self.segments[segment][0] < high:
            seg_start, seg_end = self.segments[segment]
            for match in _SENT_RE.finditer(text, max(seg_start, low - 1), seg_end):
                dot = match.start()
                if match.end() > high:
                    break  # this stop and all after it lie beyond the block
                if match.end() > low and not (text[dot] == "." and _is_abbreviation(text, dot, seg_start,
                                                                                        self.abbreviations)):
                    found.append(match.end())
            segment += 1
        return found


def _quote_closed_sentences(text: str, quote_ends: Iterable[tuple[int, int, bool]]) -> list[int]:
    """Where a quote that ends with its own full stop closes the sentence too: after it,
    unless a comma cue follows (``„Gut.“, sagte er``)."""
    closed, length = [], len(text)
    for outer_end, _, ends_sentence in quote_ends:
        if not ends_sentence:
            continue
        pos = outer_end
        while pos < length and text[pos] in " \t":
            pos += 1
        if pos < length and text[pos] not in ",;:" and not text[pos].islower():
            closed.append(outer_end)
    return closed


# A sentence-final mark followed by whitespace (or brackets/quotes then whitespace).
_SENT_RE = re.compile(r"[.!?…][)\]]?(?=\s)")


class TextIndex:
    """Sentence and paragraph lookups in O(log n), built once per doc, so components
    stay near-linear on long documents.

    ``sentence_of(token)`` is one C call, a bisection over the sentence starts: a number
    per token, built first, cost more than the few dozen look-ups a document makes."""

    def __init__(self, doc, *, text: str | None = None, sent_starts: list[bool] | None = None,
                 paragraphs: list[tuple[int, int]] | None = None) -> None:
        # The first token opens a sentence whatever its flag says, so a token's sentence
        # is the number of later sentence starts at or before it.
        if sent_starts is not None:  # the doc view's column
            later_starts = list(itertools.compress(range(1, len(sent_starts)), itertools.islice(sent_starts, 1, None)))
        elif doc.has_annotation("SENT_START") and len(doc):
            later_starts = (numpy.flatnonzero(doc.to_array([SENT_START])[1:] == 1) + 1).tolist()
        else:
            later_starts = []
        self._sentence_starts = [0, *later_starts]
        self.sentence_of: Callable[[int], int] = partial(bisect.bisect_right, later_starts)
        self.paragraphs = paragraph_spans(doc.text if text is None else text) if paragraphs is None else paragraphs
        self._paragraph_starts = [start for start, _ in self.paragraphs]

    def sentence_start(self, token_index: int) -> int:
        """Index of the first token of the token's sentence."""
        return self._sentence_starts[self.sentence_of(token_index)]

    def paragraph_of(self, char: int) -> int:
        return paragraph_index(self._paragraph_starts, char)
