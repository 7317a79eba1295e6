"""Sentence boundaries of the offline base: spaCy's ``Sentencizer`` rule over token columns.

spaCy's ``Sentencizer.predict`` walks the document one ``Token`` object at a
time, which costs more than tokenizing it. ``ColumnSentencizer`` decides the
same boundaries from two ``doc.to_array`` columns (ORTH, IS_PUNCT) with numpy,
and inherits everything else (``set_annotations``, ``overwrite``,
serialisation, scoring) unchanged.

The rule: a sentence starts at the first token, and at every token that is
neither punctuation nor one of ``punct_chars`` when a ``punct_chars`` token
came since the previous such token. The tests compare it with spaCy's own
``Sentencizer`` on the same texts.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy
from spacy.attrs import IS_PUNCT, ORTH
from spacy.language import Language
from spacy.pipeline.sentencizer import Sentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc

FACTORY_NAME = "motorsport_sentencizer"


@Language.factory(
    FACTORY_NAME,
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={"punct_chars": None, "overwrite": False, "scorer": {"@scorers": "spacy.senter_scorer.v1"}},
    default_score_weights={"sents_f": 1.0, "sents_p": 0.0, "sents_r": 0.0},
)
def make_sentencizer(nlp: Language, name: str, punct_chars: list[str] | None, overwrite: bool,
                     scorer: Callable | None) -> "ColumnSentencizer":
    return ColumnSentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)


class ColumnSentencizer(Sentencizer):
    """``spacy.pipeline.Sentencizer`` with a column-wise ``predict`` (same results)."""

    _ends_source: tuple[int, int] | None = None
    _ends_orths: numpy.ndarray | None = None

    def predict(self, docs: Iterable[Doc]) -> list[list[bool]]:
        """Per doc and token: the token starts a sentence."""
        return [self._sentence_starts(doc) for doc in docs]

    def _end_orths(self) -> numpy.ndarray:
        """The sorted ORTH hashes of ``punct_chars``; rebuilt when ``from_disk``/``from_bytes``
        replaced the set (or it changed size)."""
        source = (id(self.punct_chars), len(self.punct_chars))
        if source != self._ends_source:
            self._ends_orths = numpy.array(sorted(map(get_string_id, self.punct_chars)), dtype=numpy.uint64)
            self._ends_source = source
        return self._ends_orths

    def _sentence_starts(self, doc: Doc) -> list[bool]:
        if not len(doc):
            return []
        columns = doc.to_array([ORTH, IS_PUNCT])
        end_orths, orths = self._end_orths(), columns[:, 0]
        if len(end_orths):  # membership by binary search (numpy.isin sorts both sides each time)
            is_end = end_orths[numpy.searchsorted(end_orths, orths) % len(end_orths)] == orths
        else:
            is_end = numpy.zeros(len(doc), dtype=bool)
        ordinary = numpy.flatnonzero(~is_end & (columns[:, 1] == 0))
        # Ends seen up to each ordinary token; it opens a sentence when that
        # count grew since the ordinary token before it.
        ends_so_far = numpy.cumsum(is_end)[ordinary]
        grew = ends_so_far > numpy.concatenate(([0], ends_so_far[:-1]))
        starts = numpy.zeros(len(doc), dtype=bool)
        starts[ordinary[grew]] = True
        starts[0] = True
        return starts.tolist()  # spaCy's set_annotations reads a list fastest
