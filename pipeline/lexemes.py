"""spaCy's lexeme attributes, computed faster for the same values.

Each new word of a run becomes a spaCy lexeme, and spaCy computes some twenty
attributes for it (``shape``, ``like_url``, ``is_quote`` ...) with small
Python functions: on a cold vocabulary that is about a twentieth of a whole
run. ``use_fast_lexeme_attributes`` swaps most of them, in one vocabulary's
``lex_attr_getters`` only, for equivalents that give the same value for every
string: ``str`` methods, set lookups, and shortcuts for plain words (a third
less time per new word). A language's own functions (German's stop words and
norms) and ``word_shape`` (no faster equivalent worth its code) stay.
tests/test_lexemes.py compares each one with spaCy's on many strings.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Callable

from spacy.lang import lex_attrs as spacy_attributes
from spacy.vocab import Vocab


def like_url(text: str) -> bool:
    # A URL holds a "." or a "://"; letters and digits alone never are one.
    return False if text.isalnum() else spacy_attributes.like_url(text)


def like_num(text: str) -> bool:
    # A number holds a digit; letters alone never are one.
    return False if text.isalpha() else spacy_attributes.like_num(text)


def like_email(text: str) -> bool:
    return "@" in text and spacy_attributes.like_email(text)


def is_punct(text: str) -> bool:
    # Letters and digits are never punctuation (Unicode category P).
    return False if text.isalnum() else spacy_attributes.is_punct(text)


def is_currency(text: str) -> bool:
    # Letters and digits are never currency signs (Unicode category Sc).
    return False if text.isalnum() else spacy_attributes.is_currency(text)


def _member_test(function: Callable[[str], bool]) -> Callable[[str], bool] | None:
    """``text in (...)`` of spaCy's ``is_quote`` and kin, as one set lookup; None when
    ``function`` is not such a test of one tuple of strings."""
    tuples = [value for value in function.__code__.co_consts if isinstance(value, tuple)]
    if len(tuples) != 1 or not all(isinstance(member, str) for member in tuples[0]):
        return None
    return frozenset(tuples[0]).__contains__


def _faster_functions() -> dict[Callable, Callable]:
    faster = {
        spacy_attributes.lower: str.lower,
        spacy_attributes.prefix: itemgetter(0),
        spacy_attributes.suffix: itemgetter(slice(-3, None)),
        spacy_attributes.is_alpha: str.isalpha,
        spacy_attributes.is_digit: str.isdigit,
        spacy_attributes.is_lower: str.islower,
        spacy_attributes.is_space: str.isspace,
        spacy_attributes.is_title: str.istitle,
        spacy_attributes.is_upper: str.isupper,
        spacy_attributes.is_ascii: str.isascii,
        spacy_attributes.like_url: like_url,
        spacy_attributes.like_num: like_num,
        spacy_attributes.like_email: like_email,
        spacy_attributes.is_punct: is_punct,
        spacy_attributes.is_currency: is_currency,
    }
    for function in (spacy_attributes.is_bracket, spacy_attributes.is_quote, spacy_attributes.is_left_punct,
                     spacy_attributes.is_right_punct):
        test = _member_test(function)
        if test is not None:
            faster[function] = test
    return faster


def use_fast_lexeme_attributes(vocab: Vocab) -> int:
    """Swap spaCy's default attribute functions in ``vocab.lex_attr_getters`` for the faster
    equivalents (the dict is the vocabulary's own); how many were swapped."""
    faster = _faster_functions()
    getters = vocab.lex_attr_getters
    swapped = {attribute: faster[function] for attribute, function in getters.items() if function in faster}
    getters.update(swapped)
    return len(swapped)
