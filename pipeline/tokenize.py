"""Tokenization that stays linear on hostile text.

spaCy's tokenizer strips prefixes and suffixes from each whitespace-free chunk
and re-scans the rest every time, so a chunk of 30,000 brackets takes minutes
(quadratic). Real words are short: a chunk longer than ``DEFAULT_MAX_RUN``
characters is cut into pieces before spaCy sees it. Every other part of the
text is tokenized exactly as usual, and the doc's text is the input, so
offsets stay right.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_MAX_RUN = 300
DEFAULT_PIECE = 100
# One possessive-free quantifier on a single class: matched in linear time.
LONG_RUN = re.compile(r"\S{%d,}" % DEFAULT_MAX_RUN)


def needs_safe_tokenizer(text: str) -> bool:
    return LONG_RUN.search(text) is not None


def pipe_input(nlp: Language, text: str) -> str | Doc:
    """What to hand to ``nlp.pipe``: the text itself, or a pre-tokenized doc
    when the text holds a run the tokenizer would choke on."""
    return make_doc(nlp, text) if needs_safe_tokenizer(text) else text


def make_doc(nlp: Language, text: str) -> Doc:
    """``nlp.make_doc(text)``, with whitespace-free runs cut into pieces."""
    if not needs_safe_tokenizer(text):
        return nlp.make_doc(text)
    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for match in LONG_RUN.finditer(text):
        _add_tokens(nlp, text[position:match.start()], words, spaces)
        run = match.group()
        for start in range(0, len(run), DEFAULT_PIECE):
            words.append(run[start:start + DEFAULT_PIECE])
            spaces.append(False)
        position = match.end()
    _add_tokens(nlp, text[position:], words, spaces)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    if doc.text != text:  # never lose the text; fall back to the slow but exact path
        return nlp.make_doc(text)
    return doc


def _add_tokens(nlp: Language, segment: str, words: list[str], spaces: list[bool]) -> None:
    if not segment:
        return
    # A single leading space belongs to the previous token as its whitespace.
    if segment[0] == " " and words and not spaces[-1]:
        spaces[-1] = True
        segment = segment[1:]
        if not segment:
            return
    for token in nlp.make_doc(segment):
        words.append(token.text)
        spaces.append(bool(token.whitespace_))
