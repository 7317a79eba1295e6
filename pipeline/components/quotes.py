"""Direct quotes: find the quoted passages and tell speech from scare quotes.

Writes ``doc._.quotes`` (one dict per speech quote, see ``QUOTE_KEYS``) and two
span groups: ``doc.spans["quotes"]`` (speech) and ``doc.spans["scare_quotes"]``
(titles, nicknames, corner and event names in marks; kept for display only).

How marks are paired (one linear pass per paragraph, no regex backtracking):
- „…“ / „…” / ,,…'' (German), “…” (English), »…« and «…» (guillemets), and
  ASCII "…" paired by position within a paragraph;
- single marks (‚…‘, '…', ›…‹) inside a quote belong to the outer quote, and
  apostrophes (``d’Endurance``, ``geht's``) are never marks;
- a quote left open at the end of a paragraph continues into the next paragraph
  when that one starts with an opening mark of the same style (German
  typography for multi-paragraph speech) and a closing mark follows there;
  otherwise it ends with its paragraph. Stray closing marks are ignored.

Speech or not is decided from general signals, not word lists of quotes:
sentence punctuation or first-person words inside, a ``, <verb>`` cue after the
closing mark, a colon before it, a reporting verb or reported-speech
subjunctive in the same sentence, against naming cues (``sogenannte``,
``Kurve``, ``Prüfung``, ``als … bekannt``, a hyphenated compound).

The text helpers at module level (paragraphs, sentence bounds outside quotes,
word windows) are shared with ``attribution.py``.
"""

from __future__ import annotations

import logging
import re
from itertools import chain, islice
from operator import itemgetter, le
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import set_doc_value  # importing it registers doc._.quotes
from ..rules import DEFAULT_LANG, load_lexicons
from ..schema import QUOTES_EXTENSION, QUOTES_KEY, SCARE_QUOTES_KEY, check_span_keys
from .configured import ConfiguredPipe
from .doc_view import DocView, doc_view
# The one definition of paragraphs and of sentences with quotes kept whole (shapes.py).
from .shapes import SentenceBounds, paragraph_spans

logger = logging.getLogger(__name__)

DEFAULT_SPANS_KEY = QUOTES_KEY
DEFAULT_SCARE_SPANS_KEY = SCARE_QUOTES_KEY
DEFAULT_LONG_QUOTE_WORDS = 8  # this long without a naming cue: a title is rare, speech is not
DEFAULT_MAX_QUOTE_PARAGRAPHS = 5  # a longer chain of unclosed paragraphs is broken copy, not one statement
DEFAULT_CONTEXT_CHARS = 200  # how far around a quote its sentence is read (bounds the work per quote)
SPEECH_LABEL = "QUOTE"
SCARE_LABEL = "SCARE_QUOTE"

ATTRIBUTION_DEFAULTS = {
    "speaker": None, "speaker_role": None, "speaker_kind": "unknown", "cue": None, "method": "unresolved",
    "confidence": 0.0,
}

# Opening mark → closing marks. ",," and "''" are typewriter stand-ins for „ and “.
DOUBLE_CLOSERS = {
    "„": ("“", "”", '"', "''"),
    ",,": ("“", "”", '"', "''"),
    "“": ("”", "“"),
    "”": ("”",),
    "»": ("«",),
    "«": ("»",),
    '"': ('"',),
}
ASCII_MIXED_CLOSERS = ('"', "“", "”")
SINGLE_CLOSERS = {"‚": ("‘", "’"), "›": ("‹",), "‹": ("›",)}
# Marks whose opener and closer look alike only close when they sit against a word.
# Every alternative starts with a literal, so the regex engine skips ahead to
# the next mark character instead of trying each position (``''?`` is ``''``
# where it can be, else ``'``, as the alternatives ``''|'`` were).
_MARK_RE = re.compile(r"„|“|”|»|«|\"|‚|‘|’|‹|›|''?|,,")
# Opening marks that count as "the same style" for a multi-paragraph quote.
_STYLE = {"„": "low", ",,": "low", "“": "high", "”": "high", "»": "guil_r", "«": "guil_l", '"': "ascii", "'": "ascii_single"}

SENTENCE_END = frozenset(".!?…")
_INNER_SENTENCE_RE = re.compile(r"[.!?](?= (.))")  # the group: the character after the space
SHORT_PHRASE_WORDS = 6
WORD_COUNT_PREFIX = 100  # characters of a quote read first to count its words
_INFLECTED_RE = re.compile(r"^[a-zäöüß][a-zäöüß\-]*(?:e|en|er|es|em)$")  # ``fliegende``, ``grünen``
_WORD_RE = re.compile(r"\w[\w\-’']*")
_WORD_CHAR_RE = re.compile(r"[\w\-’']")  # a character _WORD_RE can continue a word with
_WORD_TEXT = itemgetter(2)  # the word of a (start, end, word) triple
MAX_WORD_BACKSCAN = 200  # beyond this a window's first word is found by a scan of the whole text
# The word classes of the grammar below are rule data (``quote_words.tsv``,
# ``Lexicons.quote_words``): ``abbreviation`` (a full stop after one ends no
# sentence), ``first_person`` (makes a quote someone's own words),
# ``reporting_form`` (reporting verbs that also take a noun phrase: ``sprach
# von``), ``subjunctive_form`` (Konjunktiv I: reported speech),
# ``naming_before``/``naming_suffix``/``naming_after`` (naming cues around a
# quote: ``sogenannte``, ``-kurve``, ``als … bekannt``), ``naming_verb`` and
# ``definite_article`` (``man nennt ihn den „Neunelfer“``), ``determiner_start``
# (beginnings of determiners, never an adjective of a nickname) and
# ``non_verb`` (lower-case words after ``„…“,`` that are no speech verb).


@lru_cache(maxsize=32)
def _sorted_tuple(words: frozenset[str]) -> tuple[str, ...]:
    """The words in order, as ``str.startswith``/``endswith`` take them (built once per word set)."""
    return tuple(sorted(words))


def default_quote_words() -> dict[str, frozenset[str]]:
    """The packaged word classes, for callers without lexicons of their own."""
    return load_lexicons().quote_words


# --------------------------------------------------------------------------- #
# Text helpers (shared with attribution)
# --------------------------------------------------------------------------- #


def words_in(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words in ``text[start:end]``."""
    return [(m.start() + start, m.end() + start, m.group()) for m in _WORD_RE.finditer(text[start:end])]


def _merge_overlapping(ordered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with each run of overlapping ones joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in ordered:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class Outside:
    """Answers "is this offset inside a quote?" and cuts ranges into the parts
    outside quotes, in O(log n) per question over sorted, disjoint spans."""

    def __init__(self, spans: Iterable[tuple[int, int]], text: str | None = None) -> None:
        ordered = sorted(spans)
        starts, ends = list(map(itemgetter(0), ordered)), list(map(itemgetter(1), ordered))
        if all(map(le, ends, islice(starts, 1, None))):
            # Disjoint already, the usual case (quotes do not nest): nothing to merge,
            # and no Python step per span.
            self.spans = list(zip(starts, ends))
        else:
            self.spans = _merge_overlapping(ordered)
            starts = [start for start, _ in self.spans]
        self.starts = starts
        # With the text, window queries give the words a scan of the whole text
        # gives (a word cut by the window's start is not one of them), read from
        # the window alone; the whole text is scanned only for a window that
        # starts inside a very long run of word characters.
        self._text = text
        self._words: list[tuple[int, int, str]] | None = None
        self._word_starts: list[int] = []

    def _all_words(self) -> list[tuple[int, int, str]]:
        """Every word of the text outside the spans, once."""
        if self._words is None:
            merged, words, index = self.spans, [], 0
            for match in _WORD_RE.finditer(self._text):
                start = match.start()
                while index < len(merged) and merged[index][1] <= start:
                    index += 1
                if index < len(merged) and merged[index][0] <= start:
                    continue
                words.append((start, match.end(), match.group()))
            self._words = words
            self._word_starts = [w[0] for w in words]
        return self._words

    def _window_words(self, start: int, end: int) -> list[tuple[int, int, str]]:
        text = self._text
        # Scan from the start of the run of word characters that holds ``start``:
        # from there the matches are the whole-text scan's matches.
        pos, floor = start, max(start - MAX_WORD_BACKSCAN, 0)
        while pos > floor and _WORD_CHAR_RE.match(text, pos - 1):
            pos -= 1
        if pos == floor and floor > 0 and _WORD_CHAR_RE.match(text, pos - 1):
            return self._words_by_scan(start, end)
        matches = _WORD_RE.finditer(text, pos, end)  # endpos cuts the last word at the window's end
        spans, at = self.spans, max(bisect_right(self.starts, start) - 1, 0)
        if at < len(spans) and spans[at][1] <= start:
            at += 1  # the last span that starts before the window ends before it too
        if at == len(spans) or spans[at][0] >= end:
            # No span meets the window: every word that starts in it is outside. Only the
            # first match can start before the window (it runs on over ``start``): the
            # word cut by the window's start, not one of its words.
            found = [(match.start(), match.end(), match.group()) for match in matches]
            if pos < start and found and found[0][0] < start:
                del found[0]
            return found
        found = []
        for match in matches:
            word_start = match.start()
            if word_start < start:
                continue
            # The words come in order: step along the spans instead of a bisect per word.
            while at < len(spans) and spans[at][1] <= word_start:
                at += 1
            if at == len(spans) or spans[at][0] > word_start:
                found.append((word_start, match.end(), match.group()))
        return found

    def _words_by_scan(self, start: int, end: int) -> list[tuple[int, int, str]]:
        words = self._all_words()
        found = words[bisect_left(self._word_starts, start):bisect_left(self._word_starts, end)]
        if found and found[-1][1] > end:  # a word cut by the window's end
            found[-1] = (found[-1][0], end, self._text[found[-1][0]:end])
        return found

    def covering(self, pos: int) -> tuple[int, int] | None:
        index = bisect_right(self.starts, pos) - 1
        if index >= 0 and self.spans[index][0] <= pos < self.spans[index][1]:
            return self.spans[index]
        return None

    def span_before(self, pos: int) -> tuple[int, int] | None:
        """The last span that starts before ``pos``."""
        index = bisect_left(self.starts, pos) - 1
        return self.spans[index] if index >= 0 else None

    def inside(self, pos: int) -> bool:
        index = bisect_right(self.starts, pos) - 1  # spans are disjoint: only this one can hold pos
        return index >= 0 and pos < self.spans[index][1]

    def segments(self, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of [start, end) that are outside every span."""
        parts: list[tuple[int, int]] = []
        pos = start
        for span_start, span_end in islice(self.spans, max(bisect_right(self.starts, start) - 1, 0), None):
            if span_start >= end:
                break
            if span_end > pos:  # the spans are sorted and disjoint: past ``pos``, each ends a gap
                if span_start > pos:
                    parts.append((pos, span_start))
                pos = span_end
        if pos < end:
            parts.append((pos, end))
        return parts

    def words(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        if text is self._text:
            return self._window_words(start, end)
        found: list[tuple[int, int, str]] = []
        for seg_start, seg_end in self.segments(start, end):
            found.extend(words_in(text, seg_start, seg_end))
        return found




# --------------------------------------------------------------------------- #
# Mark scanning
# --------------------------------------------------------------------------- #


@dataclass
class Candidate:
    """A quoted passage before it is classified."""

    open_pos: int
    open_mark: str
    start: int  # inner text, whitespace stripped
    end: int
    close_pos: int | None  # None: unclosed
    close_mark: str
    paragraph: int
    single: bool = False  # top-level ‚…‘ / ›…‹
    at_paragraph_start: bool = False
    open_at_end: bool = False  # unclosed when its paragraph ended
    speech: bool = False
    partial: bool = False

    @property
    def outer_end(self) -> int:
        return self.close_pos + len(self.close_mark) if self.close_pos is not None else self.end


def _closes_with_double(text: str, start: int, p_end: int) -> bool:
    """After an opening ``'``: the next mark that closes is a double one
    (``'Wir sind da"``), with no ``'`` closing first."""
    for match in _MARK_RE.finditer(text, start, p_end):
        pos, mark = match.start(), match.group()
        prev = text[pos - 1]
        nxt = text[pos + len(mark)] if pos + len(mark) < p_end else None
        if mark == "'":
            if prev.isalpha() and nxt is not None and nxt.isalpha():
                continue  # an apostrophe inside a word
            return False
        if mark in ('"', "“", "”"):
            return _can_close(prev, nxt)
        return False
    return False


def _can_open(prev: str | None, nxt: str | None) -> bool:
    """A mark opens when a word follows it and none sticks to its left."""
    if nxt is None or nxt.isspace():
        return False
    return prev is None or not (prev.isalnum() or prev in ".,;!?…%")


def _can_close(prev: str | None, nxt: str | None) -> bool:
    if prev is None or prev.isspace():
        return False
    return nxt is None or not nxt.isalnum()


def _is_inch(prev: str | None, nxt: str | None) -> bool:
    # 17"-Felgen, 3"x: a unit sign, not a mark
    return prev is not None and prev.isdigit() and nxt is not None and (nxt.isalnum() or nxt == "-")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _scan_paragraph(text: str, p_start: int, p_end: int, p_index: int,
                    marks: Iterable[tuple[int, str]]) -> list[Candidate]:
    """The quotes of one paragraph, from its ``marks`` ((offset, mark), in order)."""
    found: list[Candidate] = []
    # Web copy mixes „…" ; an ASCII " closes „ only where no curly closer follows.
    last_curly = max(text.rfind("“", p_start, p_end), text.rfind("”", p_start, p_end))
    # ... and the other way round: "…“ closes with a curly mark when no ASCII one follows.
    last_ascii = text.rfind('"', p_start, p_end)
    first_char = p_start
    cur: tuple[int, str, tuple[str, ...], bool] | None = None  # (pos, mark, closers, single)
    nested_ascii = False  # inside an ASCII quote: a nested ASCII pair is open

    def record(open_pos: int, mark: str, close_pos: int | None, close_mark: str, end: int, single: bool,
               open_at_end: bool = False) -> None:
        start, stop = _trim(text, open_pos + len(mark), end)
        if stop <= start:
            return
        found.append(Candidate(open_pos, mark, start, stop, close_pos, close_mark, p_index, single,
                               at_paragraph_start=open_pos == first_char, open_at_end=open_at_end))

    for pos, mark in marks:
        prev = text[pos - 1] if pos > p_start else None
        after = pos + len(mark)
        nxt = text[after] if after < p_end else None
        if cur is None:
            nested_ascii = False
            if mark in ("„", ",,"):
                if nxt is not None and not nxt.isspace():
                    cur = (pos, mark, DOUBLE_CLOSERS[mark], False)
            elif mark == '"':
                if not _is_inch(prev, nxt) and nxt is not None:
                    cur = (pos, mark, DOUBLE_CLOSERS[mark], False)
            elif mark in DOUBLE_CLOSERS:
                if _can_open(prev, nxt):
                    cur = (pos, mark, DOUBLE_CLOSERS[mark], False)
            elif mark in SINGLE_CLOSERS:
                if _can_open(prev, nxt):
                    cur = (pos, mark, SINGLE_CLOSERS[mark], True)
            elif mark == "'" and _can_open(prev, nxt) and _closes_with_double(text, after, p_end):
                cur = (pos, mark, ASCII_MIXED_CLOSERS, False)  # typed '…" : one quote, mismatched marks
            # anything else outside a quote: a stray closer or an apostrophe
            continue
        open_pos, open_mark, closers, single = cur
        if open_mark == '"' and mark == '"' and (nested_ascii or (nxt is not None and nxt.isalnum() and _can_open(prev, nxt)
                                                                and not _can_close(prev, nxt))):
            # ``"Wir sind also "best of the rest". Mehr …"``: a nested ASCII pair
            # (a space before the opener) belongs to the outer quote
            nested_ascii = not nested_ascii
            continue
        if open_mark == '"' and mark in ("“", "”") and pos > last_ascii and _can_close(prev, nxt):
            record(open_pos, open_mark, pos, mark, pos, single)
            cur = None
            continue
        if mark in closers:
            if mark == '"' and open_mark != '"' and pos < last_curly:
                continue
            if mark == '"' and _is_inch(prev, nxt):
                continue
            if mark in ("“", "”") and open_mark in ("“", "”") and not _can_close(prev, nxt):
                if mark == open_mark and _can_open(prev, nxt):
                    pass  # a new opener of the same kind: handled below as a reopen
                else:
                    continue
            elif single and prev is not None and prev.isalpha() and nxt is not None and nxt.isalpha():
                continue  # apostrophe inside a word
            else:
                record(open_pos, open_mark, pos, mark, pos, single)
                cur = None
                continue
        if single:
            # A single-mark "quote" that meets a double opener was an apostrophe or
            # a typo: drop it and read the mark afresh.
            if mark in DOUBLE_CLOSERS and mark != '"' and _can_open(prev, nxt) or mark in ("„", ",,"):
                cur = (pos, mark, DOUBLE_CLOSERS[mark], False)
            continue
        if _STYLE.get(mark) == _STYLE.get(open_mark) and mark != '"' and _can_open(prev, nxt):
            # The same opener again inside an open quote: the first one was never
            # closed. End it at its last sentence end (the narrative that
            # introduces the next quote is not part of it) and start anew.
            stop = pos
            for back in range(pos - 1, open_pos + len(open_mark), -1):
                if text[back] in SENTENCE_END:
                    stop = back + 1
                    break
            record(open_pos, open_mark, None, "", stop, single)
            cur = (pos, mark, DOUBLE_CLOSERS[mark], False)
        # other marks inside a quote (nested singles, other styles) belong to it
    if cur is not None and not cur[3]:
        record(cur[0], cur[1], None, "", p_end, False, open_at_end=True)
    return found


def _merge_paragraphs(per_paragraph: list[list[Candidate]],
                      max_paragraphs: int = DEFAULT_MAX_QUOTE_PARAGRAPHS) -> list[Candidate]:
    """Join a quote left open at a paragraph's end with the quote that opens the
    next paragraph, when the chain closes within ``max_paragraphs``; the cap
    keeps the work linear and a run of broken paragraphs from becoming one quote."""
    if not any(quotes and quotes[-1].open_at_end for quotes in per_paragraph):
        return list(chain.from_iterable(per_paragraph))  # no quote left open: nothing to join
    result: list[Candidate] = []
    index = 0
    count = len(per_paragraph)
    skip_first = [False] * count
    while index < count:
        quotes = per_paragraph[index]
        for position, quote in enumerate(quotes):
            if position == 0 and skip_first[index]:
                continue
            result.append(quote)
        last = quotes[-1] if quotes else None
        if last is not None and last.open_at_end and not last.single and not (len(quotes) == 1 and skip_first[index]):
            chain_end = None
            j = index + 1
            while j < count and j - index < max_paragraphs:
                nxt = per_paragraph[j]
                if not nxt or not nxt[0].at_paragraph_start or _STYLE.get(nxt[0].open_mark) != _STYLE.get(last.open_mark):
                    break
                if not nxt[0].open_at_end:
                    chain_end = j
                    break
                if len(nxt) != 1:
                    break
                j += 1
            if chain_end is not None:
                closing = per_paragraph[chain_end][0]
                last.end = closing.end
                last.close_pos = closing.close_pos
                last.close_mark = closing.close_mark
                last.open_at_end = False
                for k in range(index + 1, chain_end):
                    per_paragraph[k] = []
                skip_first[chain_end] = True
                index = index + 1
                continue
        index += 1
    return result


def find_candidates(text: str, paragraphs: Sequence[tuple[int, int]] | None = None,
                    max_paragraphs: int = DEFAULT_MAX_QUOTE_PARAGRAPHS) -> list[Candidate]:
    """Every quoted passage in ``text`` (speech or not), in text order."""
    paragraphs = paragraph_spans(text) if paragraphs is None else paragraphs
    # One scan of the whole text: paragraphs are apart by whitespace only, so no mark
    # spans two, and the marks inside a paragraph are the ones a scan of it alone finds.
    marks = [(match.start(), match.group()) for match in _MARK_RE.finditer(text)]
    mark_starts = list(map(itemgetter(0), marks))
    per_paragraph = []
    for i, (start, end) in enumerate(paragraphs):
        first, stop = bisect_left(mark_starts, start), bisect_left(mark_starts, end)
        per_paragraph.append(_scan_paragraph(text, start, end, i, marks[first:stop]) if first < stop else [])
    return _merge_paragraphs(per_paragraph, max_paragraphs)


# --------------------------------------------------------------------------- #
# Speech or name
# --------------------------------------------------------------------------- #


def _ends_sentence(inner: str) -> bool:
    inner = inner.rstrip(" )")
    return bool(inner) and inner[-1] in SENTENCE_END


def _has_inner_sentence(inner: str) -> bool:
    """A sentence mark, a space and an upper-case letter inside the quote."""
    return any(match.group(1).isupper() for match in _INNER_SENTENCE_RE.finditer(inner))


def after_cue_word(text: str, outer_end: int, limit: int, *, require_comma: bool = True,
                   non_verbs: frozenset[str] | None = None) -> tuple[int, int, str] | None:
    """The lowercase word right after ``„…“,`` (``sagte``, ``so``, ``freute``),
    or None when something else follows the closing mark (or a ``non_verbs``
    word: the packaged ``non_verb`` class when not given). Without the comma a
    lowercase word is usually the rest of a narrative sentence (``„X“ lagen``),
    so ``require_comma=False`` is for callers that check the verb otherwise."""
    pos = outer_end
    while pos < limit and text[pos] in " \t":
        pos += 1
    if pos < limit and text[pos] == ",":
        pos += 1
        while pos < limit and text[pos] in " \t\n":
            pos += 1
    elif require_comma:
        return None
    match = _WORD_RE.match(text, pos, min(limit, pos + 40))
    if not match:
        return None
    word = match.group()
    if not word[0].islower():
        return None
    if word != "so" and word in (default_quote_words()["non_verb"] if non_verbs is None else non_verbs):
        return None
    return match.start(), match.end(), word


class QuoteClassifier:
    """Decides speech vs. name for each candidate; sets ``speech`` and ``partial``."""

    def __init__(self, speech_forms: frozenset[str], long_quote_words: int = DEFAULT_LONG_QUOTE_WORDS,
                 context_chars: int = DEFAULT_CONTEXT_CHARS, *, words: dict[str, frozenset[str]] | None = None) -> None:
        words = default_quote_words() if words is None else words
        self.words = words
        self.reporting_forms = words["reporting_form"]
        self.naming_suffixes = _sorted_tuple(words["naming_suffix"])  # for str.endswith
        self.determiner_starts = _sorted_tuple(words["determiner_start"])  # for str.startswith
        # Reporting forms count as speech verbs whatever the speech verb list holds
        # (both sets are asked: their union would be rebuilt for every document).
        self.speech_forms = speech_forms
        self.long_quote_words = long_quote_words
        self.context_chars = context_chars

    def classify(self, text: str, candidates: list[Candidate], paragraphs: Sequence[tuple[int, int]]) -> None:
        if not candidates:
            return  # nothing to decide: the text's sentences are not read
        outer_ends = [c.outer_end for c in candidates]
        outside = Outside(zip([c.open_pos for c in candidates], outer_ends), text)
        inners = [text[c.start:c.end] for c in candidates]
        ends_sentence = list(map(_ends_sentence, inners))
        # Only a closed quote that ends with its own full stop can close its sentence too;
        # only the sentences around the quotes are asked: their full stops are read where asked.
        closing = [(outer_end, c.start, True) for c, outer_end, ends in zip(candidates, outer_ends, ends_sentence)
                   if ends and c.close_pos is not None]
        sentences = SentenceBounds(text, paragraphs, outside, closing, abbreviations=self.words["abbreviation"])
        for candidate, inner, ends in zip(candidates, inners, ends_sentence):
            self._classify_one(text, candidate, inner, ends, paragraphs, outside, sentences)

    def _classify_one(self, text: str, c: Candidate, inner: str, ends_sentence: bool,
                      paragraphs: Sequence[tuple[int, int]], outside: Outside, sentences: SentenceBounds) -> None:
        if ends_sentence:
            # Speech, and never partial (a piece of a narrative sentence ends no sentence):
            # whatever comes before it, its sentence is not read.
            c.speech, c.partial = True, False
            return
        p_start, p_end = paragraphs[c.paragraph]
        # Partial: the quote is a piece of a narrative sentence, not the sentence itself.
        if self._strong(text, c, inner):
            c.speech = True  # the words around it are not read
            c.partial = not self._opens_sentence(text, c.open_pos, p_start, outside, sentences)
            return
        sent_start = self._sentence_start(text, c.open_pos, p_start, sentences)
        lead = text[sent_start:c.open_pos].rstrip()
        colon_before = lead.endswith(":")
        c.partial = not self._starts_sentence(lead, sent_start, c.open_pos, outside)
        last_paragraph_end = p_end
        if c.close_pos is not None:
            index = c.paragraph + 1
            while index < len(paragraphs) and paragraphs[index][0] <= c.close_pos:
                last_paragraph_end = paragraphs[index][1]
                index += 1
        outer_end = c.outer_end
        _, sent_end = sentences.bounds(max(outer_end - 1, c.open_pos), len(text))
        sent_end = min(sent_end, last_paragraph_end, outer_end + self.context_chars)
        before = outside.words(text, sent_start, c.open_pos)
        after = outside.words(text, outer_end, sent_end) if c.close_pos is not None else []
        cue_after = c.close_pos is not None and after_cue_word(text, outer_end, sent_end,
                                                               non_verbs=self.words["non_verb"]) is not None
        before_lower = list(map(str.lower, map(_WORD_TEXT, before)))
        # reporting verbs only: the speech lexicon also holds ``fuhr`` (``fuhr … fort``)
        reported = not self.reporting_forms.isdisjoint(before_lower)
        if self._named(text, c, before, after, reported) or self._named_by_verb(text, c, before):
            c.speech = False
            return
        if colon_before or cue_after:
            c.speech = True
            return
        if "," in inner and any(w[:1].islower() for w in inner.split(",", 1)[1].split()):
            c.speech = True  # a clause or an apposition inside: phrased, not a name
            return
        words = inner.split()
        if 2 <= len(words) <= SHORT_PHRASE_WORDS and words[0][:1].islower() and words[-1][:1].islower():
            c.speech = True  # ``dass er „nicht unzufrieden“ ist``: a phrase, names end in a noun
            return
        lowered = [*before_lower, *map(str.lower, map(_WORD_TEXT, after))]
        c.speech = not (self.speech_forms.isdisjoint(lowered) and self.reporting_forms.isdisjoint(lowered)
                        and self.words["subjunctive_form"].isdisjoint(lowered))

    def _strong(self, text: str, c: Candidate, inner: str) -> bool:
        """Speech whatever surrounds it (besides a quote that ends a sentence):
        sentences or first-person words inside, or too long for a name."""
        if _has_inner_sentence(inner):
            return True
        end = min(c.end, c.start + 600)
        # Most speech is long, and its first characters already hold enough words to
        # tell: the words of a prefix are words of the whole (a cut last one still
        # starts one), so the whole is read only when the prefix holds too few.
        inner_words = _WORD_RE.findall(text, c.start, min(end, c.start + WORD_COUNT_PREFIX))
        if len(inner_words) < self.long_quote_words and c.start + WORD_COUNT_PREFIX < end:
            inner_words = _WORD_RE.findall(text, c.start, end)
        return (len(inner_words) >= self.long_quote_words
                # a lost closing mark happens to speech; names are short
                or (c.close_pos is None and len(inner_words) >= 4)
                or not self.words["first_person"].isdisjoint(map(str.lower, inner_words)))

    def _sentence_start(self, text: str, open_pos: int, p_start: int, sentences: SentenceBounds) -> int:
        """Where the sentence of the quote opening at ``open_pos`` starts, read at most
        ``context_chars`` back and never before the quote's paragraph."""
        sent_start, _ = sentences.bounds(open_pos, len(text))
        return max(sent_start, p_start, open_pos - self.context_chars)

    def _starts_sentence(self, lead: str, sent_start: int, open_pos: int, outside: Outside) -> bool:
        """The quote starts its sentence: nothing before it, a colon, or an earlier quote
        it resumes; ``lead``: the sentence's text before the quote, stripped."""
        return not lead or lead.endswith(":") or self._follows_quote(lead, sent_start, open_pos, outside)

    def _opens_sentence(self, text: str, open_pos: int, p_start: int, outside: Outside,
                        sentences: SentenceBounds) -> bool:
        """``_starts_sentence`` for a quote whose sentence is not read otherwise."""
        floor = max(p_start, open_pos - self.context_chars)
        lead_end = open_pos
        while lead_end > floor and text[lead_end - 1].isspace():
            lead_end -= 1
        # Only spaces before it within reach, or a colon: the lead is empty or ends with
        # the colon wherever the sentence starts, so the full stops before it are not read.
        if lead_end == floor or text[lead_end - 1] == ":":
            return True
        sent_start = self._sentence_start(text, open_pos, p_start, sentences)
        return self._starts_sentence(text[sent_start:open_pos].rstrip(), sent_start, open_pos, outside)

    @staticmethod
    def _follows_quote(lead: str, sent_start: int, open_pos: int, outside: Outside) -> bool:
        """The quote resumes a quote of the same sentence after an inserted cue
        (``„…“, sagte X, „…“``); ``lead``: the sentence's text before the quote, stripped."""
        if not lead.endswith(","):
            return False
        previous = outside.span_before(open_pos)
        return previous is not None and previous[1] > max(sent_start, open_pos - 80)

    def _named_by_verb(self, text: str, c: Candidate, before: list) -> bool:
        if not before or before[-1][2].lower() not in self.words["definite_article"] or text[before[-1][1]:c.open_pos].strip():
            return False
        return any(w.lower() in self.words["naming_verb"] for _, _, w in before)

    def _named(self, text: str, c: Candidate, before: list, after: list, reported: bool = False) -> bool:
        words = self.words
        definite_articles, naming_after = words["definite_article"], words["naming_after"]
        # Hyphenated compound right after the closing mark: „Böhmerwald“-Prüfung
        if c.close_pos is not None and c.outer_end < len(text) and text[c.outer_end] == "-":
            return True
        near: list[str] = []
        if before:
            gap = text[before[-1][1]:c.open_pos]
            # the naming word must touch the mark: punctuation between breaks the link
            if len(gap) <= 3 and not any(ch in gap for ch in ".,;:!?"):
                near = [w for _, _, w in before[-2:]]
        for word in near:
            lowered = word.lower()
            if lowered in words["naming_before"] or lowered.endswith(self.naming_suffixes):
                return True
        if after and after[0][0] - c.outer_end <= 2:
            if after[0][2].lower() in naming_after:
                return True
        # ``der berüchtigten „Externsteine-Runde“``: a short capitalised name after a
        # definite article (and adjectives) names a place or thing, whatever follows.
        inner = text[c.start:c.end].split()
        if before and 0 < len(inner) <= 3 and all(w[:1].isupper() for w in inner) and not text[before[-1][1]:c.open_pos].strip():
            article_at = len(before) - 1
            while article_at > 0 and before[article_at][2][:1].islower() and before[article_at][2].endswith(("e", "en")) \
                    and before[article_at][2].lower() not in definite_articles:
                article_at -= 1
            if before[article_at][2].lower() in definite_articles and len(before) - article_at <= 3:
                return True
        # ``der „fliegende Finne“``: adjectives and a noun right after a definite
        # article are a nickname, not words someone said (but ``lobte die
        # „fantastische Teamarbeit“`` reports them)
        if before and not reported and 2 <= len(inner) <= 3 and inner[-1][:1].isupper() \
                and all(_INFLECTED_RE.match(w) and not w.startswith(self.determiner_starts) for w in inner[:-1]) \
                and before[-1][2].lower() in definite_articles and not text[before[-1][1]:c.open_pos].strip() \
                and not (len(before) > 1 and "," in text[before[-2][1]:before[-1][0]]):  # ``, die``: a relative clause
            return True
        # ``als „X“ bekannt``: the naming word may come a word later
        if len(after) > 1 and before and before[-1][2].lower() == "als":
            if after[0][2].lower() in naming_after or after[1][2].lower() in naming_after:
                return True
        return False


# --------------------------------------------------------------------------- #
# Component
# --------------------------------------------------------------------------- #


@Language.factory(
    "motorsport_quotes",
    assigns=["doc._.quotes", "doc.spans"],
    default_config={
        "lang": DEFAULT_LANG,
        "rules_dir": None,
        "spans_key": DEFAULT_SPANS_KEY,
        "scare_spans_key": DEFAULT_SCARE_SPANS_KEY,
        "long_quote_words": DEFAULT_LONG_QUOTE_WORDS,
        "max_quote_paragraphs": DEFAULT_MAX_QUOTE_PARAGRAPHS,
    },
)
def make_quotes(nlp: Language, name: str, lang: str, rules_dir: str | None, spans_key: str, scare_spans_key: str,
                long_quote_words: int, max_quote_paragraphs: int) -> "QuoteDetector":
    check_span_keys(nlp, adding=("motorsport_quotes", name, {"spans_key": spans_key, "scare_spans_key": scare_spans_key}))
    return QuoteDetector(nlp, name, lang=lang, rules_dir=rules_dir, spans_key=spans_key,
                         scare_spans_key=scare_spans_key, long_quote_words=long_quote_words,
                         max_quote_paragraphs=max_quote_paragraphs)


class QuoteDetector(ConfiguredPipe):
    """Finds direct quotes; see the module docstring."""

    def __init__(self, nlp: Language, name: str = "motorsport_quotes", *, lang: str = DEFAULT_LANG,
                 rules_dir: str | None = None, spans_key: str = DEFAULT_SPANS_KEY,
                 scare_spans_key: str = DEFAULT_SCARE_SPANS_KEY,
                 long_quote_words: int = DEFAULT_LONG_QUOTE_WORDS,
                 max_quote_paragraphs: int = DEFAULT_MAX_QUOTE_PARAGRAPHS) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"lang": lang, "rules_dir": rules_dir, "spans_key": spans_key,
                    "scare_spans_key": scare_spans_key, "long_quote_words": long_quote_words,
                    "max_quote_paragraphs": max_quote_paragraphs}

    def _speech_forms(self) -> frozenset[str]:
        lex = self.lexicons
        return lex.speech_forms_lower if lex else frozenset()

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            view = doc_view(doc)
            lex = self.lexicons
            quotes, speech, scare = detect_quotes(view.text, self._speech_forms(), self.cfg["long_quote_words"],
                                                  self.cfg["max_quote_paragraphs"], paragraphs=view.paragraphs,
                                                  words=lex.quote_words if lex and lex.quote_words else None)
            set_doc_value(doc, QUOTES_EXTENSION, quotes)
            view.set_spans(self.cfg["spans_key"], _spans(view, speech, SPEECH_LABEL))
            view.set_spans(self.cfg["scare_spans_key"], _spans(view, scare, SCARE_LABEL))
            return doc
        except Exception as error:  # noqa: BLE001  (spaCy's error-handler protocol)
            error_handler(self.name, self, [doc], error)


def detect_quotes(text: str, speech_forms: frozenset[str] = frozenset(),
                  long_quote_words: int = DEFAULT_LONG_QUOTE_WORDS,
                  max_quote_paragraphs: int = DEFAULT_MAX_QUOTE_PARAGRAPHS, *,
                  paragraphs: Sequence[tuple[int, int]] | None = None,
                  words: dict[str, frozenset[str]] | None = None,
                  ) -> tuple[list[dict], list[Candidate], list[Candidate]]:
    """Quote dicts for ``doc._.quotes`` plus the speech and scare candidates
    (``paragraphs``: ``paragraph_spans(text)``, when the caller has them;
    ``words``: the quote word classes, the packaged ones when not given)."""
    paragraphs = paragraph_spans(text) if paragraphs is None else paragraphs
    candidates = find_candidates(text, paragraphs, max_quote_paragraphs)
    QuoteClassifier(speech_forms, long_quote_words, words=words).classify(text, candidates, paragraphs)
    speech = [c for c in candidates if c.speech]
    scare = [c for c in candidates if not c.speech]
    quotes = []
    for number, c in enumerate(speech, start=1):
        quotes.append({
            "quote_id": number, "quote": text[c.start:c.end], "start_char": c.start, "end_char": c.end,
            "open_mark": c.open_mark, "close_mark": c.close_mark, "paragraph": c.paragraph, "is_partial": c.partial,
            **ATTRIBUTION_DEFAULTS,
        })
    return quotes, speech, scare


def _spans(view: DocView, candidates: Sequence[Candidate], label: str) -> list[Span]:
    spans = []
    doc = view.doc
    for c in candidates:
        tokens = view.token_range(c.start, c.end)
        if tokens is not None:
            # On token boundaries "contract" keeps exactly these tokens: no search needed.
            spans.append(Span(doc, *tokens, label=label))
            continue
        span = doc.char_span(c.start, c.end, label=label, alignment_mode="contract")
        if span is None or not len(span):
            span = doc.char_span(c.start, c.end, label=label, alignment_mode="expand")
        if span is not None and len(span):
            spans.append(span)
    return spans


def outer_span(text: str, quote: dict) -> tuple[int, int]:
    """Offsets of a quote dict including its marks (the dict holds the inside)."""
    start = quote["start_char"]
    mark = quote.get("open_mark") or ""
    pos = start
    while pos > 0 and text[pos - 1].isspace() and start - pos < 8:
        pos -= 1
    if mark and text[max(pos - len(mark), 0):pos] == mark:
        pos -= len(mark)
    end = quote["end_char"]
    close = quote.get("close_mark") or ""
    if close:
        probe = end
        while probe < len(text) and text[probe].isspace() and probe - end < 8:
            probe += 1
        if text[probe:probe + len(close)] == close:
            end = probe + len(close)
    return pos, end
