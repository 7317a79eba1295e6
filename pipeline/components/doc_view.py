"""What several components need of one document, computed once and shared.

Each ``Token`` that spaCy hands out (``for token in doc``, ``doc[i]``) is a new
Python object costing about a microsecond, and ``doc.text`` joins every token
again. The seven components used to pay for both on their own, some 25 passes
per document, which made token creation the largest single cost of a run.
``doc_view(doc)`` builds the token list, the text and the lookups once; the
components read them instead.

The view of the last document is kept per thread (Dask workers may run
threads). It is rebuilt when another document comes, or when this one was
retokenized (its length changed), so a stale view is never used.
"""

from __future__ import annotations

import threading

from spacy.tokens import Doc, Token

from .shapes import TextIndex

_last_view = threading.local()


class DocView:
    """Tokens, text and lookups of one document; valid while its tokenization is unchanged."""

    __slots__ = ("doc", "tokens", "text", "_index", "_token_at_char")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.tokens: list[Token] = list(doc)
        self.text: str = "".join([token.text_with_ws for token in self.tokens])  # doc.text, without new Tokens
        self._index: TextIndex | None = None
        self._token_at_char: dict[int, int] | None = None

    @property
    def index(self) -> TextIndex:
        """Sentence and paragraph lookups; built on first use, since sentence starts
        are final only after the base model's components ran."""
        if self._index is None:
            self._index = TextIndex(self.doc, text=self.text)
        return self._index

    @property
    def token_at_char(self) -> dict[int, int]:
        """Token index by the character offset where the token starts."""
        if self._token_at_char is None:
            self._token_at_char = {token.idx: token.i for token in self.tokens}
        return self._token_at_char

    def is_current_for(self, doc: Doc) -> bool:
        return self.doc is doc and len(self.tokens) == len(doc)


def doc_view(doc: Doc) -> DocView:
    view = getattr(_last_view, "view", None)
    if view is None or not view.is_current_for(doc):
        view = DocView(doc)
        _last_view.view = view
    return view
