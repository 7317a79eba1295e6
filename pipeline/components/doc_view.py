"""What several components need of one document, computed once and shared.

Each ``Token`` that spaCy hands out (``for token in doc``, ``doc[i]``) is a new
Python object, and each ``token.text`` looks the string up again; ``doc.text``
joins every token once more. The components used to pay for these in some 15
separate per-token passes, which made token access the largest single cost of
a run. ``doc_view(doc)`` is the one owner of a document's token attributes: a
token table of plain Python lists (texts, character offsets, whitespace,
sentence starts, shape flags), built from ``doc.to_array`` and a per-process
cache of each distinct word's shape, and the sentence and paragraph lookups.
Every column is computed lazily, on first use, so a component pays only for
what it reads. Token objects are still there (``view.tokens``) for code that
needs them, and are not built unless asked for.

The view of the last document is kept per thread (Dask workers may run
threads). It is rebuilt when another document comes, or when this one was
retokenized (its length changed), so a stale view is never used.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from itertools import compress
from operator import add, attrgetter

from spacy.attrs import IDX, ORTH, SENT_START, SPACY
from spacy.tokens import Doc, Span, Token

from .shapes import TextIndex, WordShape, paragraph_spans, word_shapes

_last_view = threading.local()
_WHITESPACE = ("", " ")  # by SPACY: a space follows the token or not


class DocView:
    """Tokens, text and lookups of one document; valid while its tokenization is unchanged.

    Token table (lists indexed by token position, built on first use):
    ``texts``, ``starts``/``ends`` (character offsets), ``spaces`` (a space
    follows), ``sent_starts`` (``token.is_sent_start`` is true), ``shapes``
    (one shared :class:`~.shapes.WordShape` per distinct word), and derived
    flags ``lowers``, ``capitalised``, ``all_caps``, ``digits``, ``stop_words``
    and ``name_like`` (these two as ``shapes.is_stop_word``/``is_name_like``
    decide them for the token at its position).
    """

    __slots__ = ("doc", "length", "_tokens", "_text", "_texts", "_starts", "_ends", "_spaces", "_sent_starts",
                 "_shapes", "_lowers", "_capitalised", "_all_caps", "_digits", "_stop_words", "_name_like",
                 "_index", "_paragraphs", "_groups")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.length = len(doc)
        for slot in self.__slots__[2:]:
            setattr(self, slot, None)
        self._groups = {}

    # -- the token table ---------------------------------------------------
    def _read_columns(self) -> None:
        """Orths and offsets in one ``to_array`` call (no Token objects)."""
        doc = self.doc
        if not self.length:
            self._shapes, self._starts = [], []
            return
        columns = doc.to_array([ORTH, IDX])
        self._shapes = word_shapes(columns[:, 0].tolist(), doc.vocab, doc.lang_)
        self._starts = columns[:, 1].tolist()

    @property
    def shapes(self) -> list[WordShape]:
        if self._shapes is None:
            self._read_columns()
        return self._shapes

    @property
    def texts(self) -> list[str]:
        if self._texts is None:
            self._texts = list(map(attrgetter("text"), self.shapes))
        return self._texts

    @property
    def spaces(self) -> list[bool]:
        # Read on its own: only joining the text needs it, and the tokenizer hands the text over.
        if self._spaces is None:
            self._spaces = (self.doc.to_array(SPACY) == 1).tolist() if self.length else []
        return self._spaces

    @property
    def starts(self) -> list[int]:
        """Character offset where each token starts (``token.idx``)."""
        if self._starts is None:
            self._read_columns()
        return self._starts

    @property
    def ends(self) -> list[int]:
        """Character offset where each token ends (``token.idx + len(token)``)."""
        if self._ends is None:
            self._ends = list(map(add, self.starts, map(len, self.texts)))
        return self._ends

    @property
    def sent_starts(self) -> list[bool]:
        """Whether each token starts a sentence (``bool(token.is_sent_start)``)."""
        if self._sent_starts is None:
            # 1 where token.is_sent_start is True (-1: False, 0: unknown)
            self._sent_starts = (self.doc.to_array(SENT_START) == 1).tolist() if self.length else []
        return self._sent_starts

    def is_stop_word(self, i: int) -> bool:
        """``shapes.is_stop_word`` for token ``i``, without building the ``stop_words`` column
        (for code that asks about a few tokens only)."""
        shape = self.shapes[i]
        return shape.stop_at_start if (i == 0 or self.sent_starts[i]) else shape.stop_inside

    def positions(self, text: str) -> list[int]:
        """Indexes of the tokens written ``text``: a search at C speed, for
        loops that look at one word (``(``) only."""
        found, texts, index = [], self.texts, -1
        try:
            while True:
                index = texts.index(text, index + 1)
                found.append(index)
        except ValueError:
            return found

    def _by_position(self, inside: str, at_start: str) -> list[bool]:
        """A shape flag per token: ``at_start`` for a token that opens a sentence or
        the document (``token.is_sent_start or token.i == 0``), else ``inside``."""
        shapes = self.shapes
        column = list(map(attrgetter(inside), shapes))
        opens = [True, *self.sent_starts[1:]] if self.length else []
        for i in compress(range(self.length), opens):
            column[i] = getattr(shapes[i], at_start)
        return column

    def is_sent_end(self, i: int) -> bool:
        """``token.is_sent_end``: the last token, or the next one starts a sentence."""
        return i + 1 == self.length or self.sent_starts[i + 1]

    @property
    def lowers(self) -> list[str]:
        if self._lowers is None:
            self._lowers = list(map(attrgetter("lower"), self.shapes))
        return self._lowers

    @property
    def capitalised(self) -> list[bool]:
        """``shapes.is_capitalised`` per token."""
        if self._capitalised is None:
            self._capitalised = list(map(attrgetter("capitalised"), self.shapes))
        return self._capitalised

    @property
    def all_caps(self) -> list[bool]:
        """``shapes.is_all_caps`` per token."""
        if self._all_caps is None:
            self._all_caps = list(map(attrgetter("all_caps"), self.shapes))
        return self._all_caps

    @property
    def digits(self) -> list[bool]:
        """``shapes.has_digit`` per token."""
        if self._digits is None:
            self._digits = list(map(attrgetter("has_digit"), self.shapes))
        return self._digits

    @property
    def stop_words(self) -> list[bool]:
        """``shapes.is_stop_word`` per token (it depends on the sentence start)."""
        if self._stop_words is None:
            self._stop_words = self._by_position("stop_inside", "stop_at_start")
        return self._stop_words

    @property
    def name_like(self) -> list[bool]:
        """``shapes.is_name_like`` per token (it depends on the sentence start)."""
        if self._name_like is None:
            self._name_like = self._by_position("name_like_inside", "name_like_at_start")
        return self._name_like

    # -- text, Token objects and lookups -------------------------------------
    def know_text(self, text: str) -> None:
        """Take ``doc.text`` from the tokenizer's input (spaCy keeps it exactly), so
        that no component joins it from the tokens."""
        self._text = text

    @property
    def text(self) -> str:
        """``doc.text``, joined from the token table."""
        if self._text is None:
            # texts and their whitespace interleaved by slice assignment: no string per token is built
            parts = [""] * (2 * self.length)
            parts[0::2] = self.texts
            parts[1::2] = map(_WHITESPACE.__getitem__, self.spaces)
            self._text = "".join(parts)
        return self._text

    def text_of(self, start: int, end: int) -> str:
        """``doc[start:end].text``, sliced from the text (``Span.text`` builds a Token per word)."""
        return self.text[self.starts[start]:self.ends[end - 1]] if end > start else ""

    @property
    def tokens(self) -> list[Token]:
        """The Token objects, for code that needs them (built on first use)."""
        if self._tokens is None:
            self._tokens = list(self.doc)
        return self._tokens

    @property
    def paragraphs(self) -> list[tuple[int, int]]:
        """(start, end) character offsets of each paragraph (``shapes.paragraph_spans``,
        the one definition every component uses)."""
        if self._paragraphs is None:
            self._paragraphs = paragraph_spans(self.text)
        return self._paragraphs

    @property
    def index(self) -> TextIndex:
        """Sentence and paragraph lookups (``sentence_of``, ``sentence_start``,
        ``paragraph_of``); built on first use, since sentence starts are final
        only after the base model's components ran."""
        if self._index is None:
            self._index = TextIndex(self.doc, text=self.text, sent_starts=self.sent_starts, paragraphs=self.paragraphs)
        return self._index

    def token_starting_at(self, char: int) -> int | None:
        """The token that starts at character offset ``char``, or None. A bisection:
        components ask about a few offsets per document, so no table of every token is built."""
        starts = self.starts
        try:
            index = bisect_right(starts, char) - 1
        except TypeError:  # not an offset (a hand-made mention): no token starts there
            return None
        return index if index >= 0 and starts[index] == char else None

    def token_ending_at(self, char: int) -> int | None:
        """The token that ends at character offset ``char``, or None (see ``token_starting_at``)."""
        ends = self.ends
        try:
            index = bisect_right(ends, char) - 1
        except TypeError:
            return None
        return index if index >= 0 and ends[index] == char else None

    def token_range(self, start_char: int, end_char: int) -> tuple[int, int] | None:
        """(first, end) of the tokens from the one starting at ``start_char`` to the one ending
        at ``end_char`` (``doc.char_span`` on token boundaries), or None when either offset is
        no token boundary. ``token_starting_at`` and ``token_ending_at`` in one call: components
        ask it for every mention or quote."""
        starts, ends = self.starts, self.ends
        try:
            first, last = bisect_right(starts, start_char) - 1, bisect_right(ends, end_char) - 1
        except TypeError:  # not offsets (a hand-made mention)
            return None
        if 0 <= first <= last and starts[first] == start_char and ends[last] == end_char:
            return first, last + 1
        return None

    def spans(self, key: str) -> list[Span]:
        """The spans of ``doc.spans[key]`` (none without that group), one list for
        every component that reads the group: iterating a ``SpanGroup`` builds a new
        ``Span`` object per span each time. Rebuilt when the group is replaced or
        changes length; components replace groups and never edit one in place, and
        readers never change the list."""
        group = self.doc.spans.get(key)
        if group is None:
            return []
        cached = self._groups.get(key)  # (group, its length, its spans)
        if cached is None or cached[0] is not group or cached[1] != len(group):
            cached = self._groups[key] = (group, len(group), list(group))
        return cached[2]

    def set_spans(self, key: str, spans: list[Span]) -> None:
        """``doc.spans[key] = spans``, and ``spans(key)`` then serves this list: the
        readers of a group get its writer's Span objects instead of building them
        again (equal ones: no component edits a span after writing it)."""
        self.doc.spans[key] = spans
        self._groups[key] = (self.doc.spans[key], len(spans), spans)

    def sentences_changed(self) -> None:
        """Forget what depends on sentence starts (a sentencizer has just set them)."""
        self._sent_starts = self._stop_words = self._name_like = self._index = None


def doc_view(doc: Doc) -> DocView:
    view = getattr(_last_view, "view", None)
    # Asked some 50 times per document: the test is written out, not a method call.
    if view is None or view.doc is not doc or view.length != len(doc):
        view = DocView(doc)
        _last_view.view = view
    return view
