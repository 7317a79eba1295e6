"""Sentence boundaries of the offline base: spaCy's ``Sentencizer`` rule over the token table.

spaCy's ``Sentencizer.predict`` walks the document one ``Token`` object at a
time, which costs more than tokenizing it. ``ColumnSentencizer`` decides the
same boundaries from the shared token table (``doc_view``: texts and word
shapes, which the motorsport components read next anyway), visiting in Python
only the tokens after a sentence-ending character. Everything else
(``set_annotations``, ``overwrite``, serialisation, scoring) is spaCy's.

The rule: a sentence starts at the first token, and at the first token after a
``punct_chars`` token that is neither punctuation nor one of ``punct_chars``.
The tests compare it with spaCy's own ``Sentencizer`` on the same texts.
"""

from __future__ import annotations

from itertools import compress
from typing import Callable, Iterable

from spacy.language import Language
from spacy.pipeline.sentencizer import Sentencizer
from spacy.tokens import Doc

from .doc_view import doc_view

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
    """``spacy.pipeline.Sentencizer`` with a ``predict`` over the token table (same results)."""

    def predict(self, docs: Iterable[Doc]) -> list[list[bool]]:
        """Per doc and token: the token starts a sentence."""
        return [self._sentence_starts(doc) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc] | Doc, batch_tag_ids) -> None:
        super().set_annotations(docs, batch_tag_ids)
        for doc in [docs] if isinstance(docs, Doc) else docs:
            doc_view(doc).sentences_changed()  # the view was built before these boundaries

    def _sentence_starts(self, doc: Doc) -> list[bool]:
        view = doc_view(doc)
        texts, shapes, length = view.texts, view.shapes, view.length
        if not length:
            return []
        ends = self.punct_chars
        starts = [False] * length
        starts[0] = True
        after = 0  # the first token not scanned yet
        for end in compress(range(length), map(ends.__contains__, texts)):
            if end < after:
                continue  # "?!": the scan from the first end passed this one
            after = end + 1
            while after < length and (shapes[after].is_punct or texts[after] in ends):
                after += 1  # punctuation after the end stays in its sentence: ".“", ".)"
            if after < length:
                starts[after] = True
        return starts
