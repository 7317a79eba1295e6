"""Tokenization that stays linear on hostile text.

spaCy's tokenizer strips prefixes and suffixes from each whitespace-free chunk
and re-scans the rest every time, so a chunk of 30,000 brackets takes minutes
(quadratic). Real words are short: a chunk longer than ``DEFAULT_MAX_RUN``
characters is cut into pieces of ``DEFAULT_PIECE`` before spaCy sees it. Every
other part of the text is tokenized exactly as usual, and the doc's text is the
input, so offsets stay right.

``SafeTokenizer`` wraps the base's tokenizer; ``load_pipeline`` installs it as
``nlp.tokenizer`` (``install_safe_tokenizer``), so every ``nlp(text)`` and
``nlp.pipe`` is safe. It is registered as ``@tokenizers =
"motorsport_nlp.SafeTokenizer.v1"`` (also through the ``spacy_tokenizers``
entry point), with the wrapped tokenizer as its ``tokenizer`` block, so a saved
pipeline loads with ``spacy.load`` and keeps it.

``keep_plain_words_whole`` lets spaCy's tokenizer skip its affix patterns on
words of plain letters, which those patterns never split: the same tokens, for
about 30% less tokenizer work on new words.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from spacy.lang.de import German
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

from .components.doc_view import doc_view

DEFAULT_MAX_RUN = 300
DEFAULT_PIECE = 100
SAFE_TOKENIZER = "motorsport_nlp.SafeTokenizer.v1"
# One possessive-free quantifier on a single class: matched in linear time.
LONG_RUN = re.compile(r"\S{%d,}" % DEFAULT_MAX_RUN)
# A word of these letters only: Latin-1's and Latin Extended-A's (German, and the
# names of most European drivers). German's prefix, suffix and infix patterns
# never split such a word (tests/test_tokenize.py checks it), so spaCy's
# tokenizer may keep it whole as its ``token_match`` without running them. One
# character class: linear time on any text.
PLAIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ]+\Z")
# Attributes of the wrapper itself; every other one is the wrapped tokenizer's
# (rules, prefix_search, add_special_case, explain, memory_zone ...).
_OWN_ATTRIBUTES = frozenset({"tokenizer", "max_run", "piece", "_long_run"})


class SafeTokenizer:
    """A spaCy tokenizer that cuts whitespace-free runs of ``max_run`` or more
    characters into pieces of ``piece`` before the wrapped ``tokenizer`` sees them."""

    def __init__(self, tokenizer: Any, *, max_run: int = DEFAULT_MAX_RUN, piece: int = DEFAULT_PIECE) -> None:
        if not 0 < piece <= max_run:
            raise ValueError(f"piece must be between 1 and max_run ({max_run}), not {piece}")
        self.tokenizer = tokenizer
        self.max_run = max_run
        self.piece = piece
        self._long_run = LONG_RUN if max_run == DEFAULT_MAX_RUN else re.compile(r"\S{%d,}" % max_run)

    def __call__(self, text: str) -> Doc:
        if not has_long_run(text, self.max_run):
            doc = self.tokenizer(text)
            doc_view(doc).know_text(text)  # the view the components share: none of them joins the text again
            return doc
        words: list[str] = []
        spaces: list[bool] = []
        position = 0
        for match in self._long_run.finditer(text):
            self._add_tokens(text[position:match.start()], words, spaces)
            run = match.group()
            for start in range(0, len(run), self.piece):
                words.append(run[start:start + self.piece])
                spaces.append(False)
            position = match.end()
        self._add_tokens(text[position:], words, spaces)
        doc = Doc(self.tokenizer.vocab, words=words, spaces=spaces)
        if doc.text != text:  # never lose the text; fall back to the slow but exact path
            return self.tokenizer(text)
        return doc

    def _add_tokens(self, segment: str, words: list[str], spaces: list[bool]) -> None:
        if not segment:
            return
        # A single leading space belongs to the previous token as its whitespace.
        if segment[0] == " " and words and not spaces[-1]:
            spaces[-1] = True
            segment = segment[1:]
            if not segment:
                return
        for token in self.tokenizer(segment):
            words.append(token.text)
            spaces.append(bool(token.whitespace_))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # Saved and loaded as the wrapped tokenizer: its rules are the data; ours live in the config.
    def to_disk(self, path, **kwargs) -> None:
        self.tokenizer.to_disk(path, **kwargs)

    def from_disk(self, path, **kwargs) -> SafeTokenizer:
        self.tokenizer.from_disk(path, **kwargs)
        return self

    def to_bytes(self, **kwargs) -> bytes:
        return self.tokenizer.to_bytes(**kwargs)

    def from_bytes(self, data: bytes, **kwargs) -> SafeTokenizer:
        self.tokenizer.from_bytes(data, **kwargs)
        return self

    def __getattr__(self, name: str) -> Any:
        if name in _OWN_ATTRIBUTES:  # not set yet (e.g. while unpickling): never recurse
            raise AttributeError(name)
        return getattr(self.tokenizer, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN_ATTRIBUTES:
            object.__setattr__(self, name, value)
        else:  # e.g. nlp.tokenizer.token_match = ...: the wrapped tokenizer's setting
            setattr(self.tokenizer, name, value)


@registry.tokenizers(SAFE_TOKENIZER)
def create_safe_tokenizer(
    tokenizer: Callable[[Language], Any] | None = None,
    max_run: int = DEFAULT_MAX_RUN,
    piece: int = DEFAULT_PIECE,
) -> Callable[[Language], SafeTokenizer]:
    """``tokenizer`` (default: spaCy's ``spacy.Tokenizer.v1``) made safe on whitespace-free runs."""
    create_inner = tokenizer or registry.tokenizers.get("spacy.Tokenizer.v1")()

    def create(nlp: Language) -> SafeTokenizer:
        return SafeTokenizer(create_inner(nlp), max_run=max_run, piece=piece)

    return create


def install_safe_tokenizer(nlp: Language, *, max_run: int = DEFAULT_MAX_RUN, piece: int = DEFAULT_PIECE) -> None:
    """Make ``nlp.tokenizer`` a ``SafeTokenizer`` around the current one, in the config too (for ``spacy.load``)."""
    if isinstance(nlp.tokenizer, SafeTokenizer):
        return
    nlp.tokenizer = SafeTokenizer(nlp.tokenizer, max_run=max_run, piece=piece)
    inner = copy.deepcopy(dict(nlp.config["nlp"].get("tokenizer") or {"@tokenizers": "spacy.Tokenizer.v1"}))
    nlp.config["nlp"]["tokenizer"] = {"@tokenizers": SAFE_TOKENIZER, "tokenizer": inner, "max_run": max_run,
                                      "piece": piece}


def keep_plain_words_whole(tokenizer: Any) -> bool:
    """Give ``tokenizer`` ``PLAIN_WORD`` as its ``token_match`` when its affix patterns are
    German's defaults and it has no ``token_match`` yet (the tokens stay the same); whether it did.

    Any other affix patterns might split such words, so those tokenizers are left as they are.
    The setting is saved with the tokenizer, so ``spacy.load`` restores it."""
    if tokenizer.token_match is not None or not has_german_affixes(tokenizer):
        return False
    tokenizer.token_match = PLAIN_WORD.match
    return True


def has_german_affixes(tokenizer: Any) -> bool:
    """Whether ``tokenizer`` splits prefixes, suffixes and infixes with German's default patterns."""
    defaults = German.Defaults
    # Compiling the defaults again is cheap: ``re`` caches the patterns the tokenizer compiled.
    expected = (compile_prefix_regex(defaults.prefixes), compile_suffix_regex(defaults.suffixes),
                compile_infix_regex(defaults.infixes))
    actual = (tokenizer.prefix_search, tokenizer.suffix_search, tokenizer.infix_finditer)
    return all(getattr(getattr(found, "__self__", None), "pattern", None) == pattern.pattern
               for found, pattern in zip(actual, expected))


def has_long_run(text: str, max_run: int = DEFAULT_MAX_RUN) -> bool:
    """Whether ``text`` holds ``max_run`` or more characters without whitespace.

    Such a run holds a whole window of ``max_run // 2`` characters that starts at a
    multiple of that length, so only windows without a space need the exact check.
    Real text has a space in every window: one ``str.find`` per window answers, about
    20 times faster than splitting the text into words."""
    window = max(max_run // 2, 1)
    find = text.find
    for start in range(0, len(text) - window + 1, window):
        if find(" ", start, start + window) < 0:
            return _longest_word(text) >= max_run
    return False


def _longest_word(text: str) -> int:
    # ``str.split`` and ``LONG_RUN``'s ``\S`` both use ``str.isspace``'s whitespace.
    return max(map(len, text.split()), default=0)


def needs_safe_tokenizer(text: str) -> bool:
    return has_long_run(text)


def pipe_input(nlp: Language, text: str) -> str | Doc:
    """What to hand to ``nlp.pipe``: the text itself when ``nlp.tokenizer`` is safe or the
    text holds no long run, else a pre-tokenized doc (a pipeline not made by ``load_pipeline``)."""
    if isinstance(nlp.tokenizer, SafeTokenizer) or not needs_safe_tokenizer(text):
        return text
    return make_doc(nlp, text)


def make_doc(nlp: Language, text: str) -> Doc:
    """``nlp.make_doc(text)``, with whitespace-free runs cut into pieces, whatever ``nlp.tokenizer`` is."""
    if isinstance(nlp.tokenizer, SafeTokenizer) or not needs_safe_tokenizer(text):
        return nlp.make_doc(text)
    return SafeTokenizer(nlp.tokenizer)(text)
