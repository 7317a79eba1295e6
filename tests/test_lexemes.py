"""The faster lexeme attribute functions give spaCy's values for every string."""

import pickle
import random
from pathlib import Path

import pytest
import spacy
from spacy.lang import lex_attrs as spacy_attributes

from pipeline.lexemes import _faster_functions, use_fast_lexeme_attributes

DATA = Path(__file__).resolve().parents[1] / "data"
SHAPED = ["http://x", "https://a.b", "www.", "www.ab", "hofbauer-racing.de", "a.de/", "x.com:80", ".de", "de.",
          "a@b.de", "lena@hofbauer.de", "@home", "1/2", "+3,5", "-1.000", "±2", "~4", "12/a", "3km", "''", "``",
          "„", "“", "«", "(", "):", "€", "US$", "$5", "£", "...", "--", "O'Neill", "Jean-Luc", "ß", "Ⅻ", "½",
          "٣", "²", "ǅ", "Ⓐ", " ", "\n", "\u00a0", "a b", "GT3", "911", "Rennen", "RENNEN", "Ästhetik"]


def _strings() -> list[str]:
    strings = [chr(code) for code in range(1, 0x10000) if not 0xD800 <= code <= 0xDFFF]
    strings += SHAPED
    pieces = ["a", "Z", "ä", "7", "٣", ".", "/", "@", ":", "-", "'", "„", "€", "(", " ", "Ⅻ", "ǅ", "http://", "www."]
    generator = random.Random(5)
    strings += ["".join(generator.choices(pieces, k=generator.randint(1, 8))) for _ in range(30_000)]
    nlp = spacy.blank("de")
    for path in sorted(DATA.rglob("*")):
        if path.suffix in (".txt", ".md", ".json", ".jsonl", ".html"):
            strings += [token.text for token in nlp.make_doc(path.read_text(encoding="utf-8", errors="replace"))]
    return sorted(set(strings))


STRINGS = _strings()


@pytest.mark.parametrize("spacy_function", list(_faster_functions()), ids=lambda function: function.__name__)
def test_each_faster_function_gives_spacys_value_for_every_string(spacy_function):
    faster = _faster_functions()[spacy_function]
    different = [text for text in STRINGS if faster(text) != spacy_function(text)]
    assert different == []


def test_spacys_simple_attribute_functions_all_have_faster_twins():
    names = {function.__name__ for function in _faster_functions()}
    assert names == {"lower", "prefix", "suffix", "is_alpha", "is_digit", "is_lower", "is_space", "is_title",
                     "is_upper", "is_ascii", "like_url", "like_num", "like_email", "is_punct", "is_currency",
                     "is_bracket", "is_quote", "is_left_punct", "is_right_punct"}


def test_one_vocabulary_is_changed_and_its_lexemes_are_the_same():
    plain, fast = spacy.blank("de"), spacy.blank("de")
    german_stop_words = plain.vocab.lex_attr_getters[spacy.attrs.IS_STOP]
    assert use_fast_lexeme_attributes(fast.vocab) == 19
    assert plain.vocab.lex_attr_getters[spacy.attrs.LOWER] is spacy_attributes.lower  # the defaults stay
    assert spacy.blank("de").vocab.lex_attr_getters[spacy.attrs.LIKE_URL] is spacy_attributes.like_url
    assert fast.vocab.lex_attr_getters[spacy.attrs.IS_STOP] is not None
    assert type(fast.vocab.lex_attr_getters[spacy.attrs.IS_STOP]) is type(german_stop_words)  # German's own kept
    flags = ["lower_", "norm_", "prefix_", "suffix_", "shape_", "is_alpha", "is_digit", "is_lower", "is_upper",
             "is_title", "is_space", "is_stop", "is_punct", "is_ascii", "is_bracket", "is_quote", "is_left_punct",
             "is_right_punct", "is_currency", "like_url", "like_num", "like_email", "lang_"]
    for text in SHAPED + ["Die", "Rennen", "www.hofbauer-racing.de", "lena@hofbauer.de"]:
        assert [getattr(fast.vocab[text], flag) for flag in flags] == \
               [getattr(plain.vocab[text], flag) for flag in flags], text


def test_load_pipeline_uses_them_and_the_vocabulary_still_pickles():
    from pipeline.api import load_pipeline

    nlp = load_pipeline(components=(), lemmatizer=False)
    assert nlp.vocab.lex_attr_getters[spacy.attrs.IS_ASCII] is str.isascii
    restored = pickle.loads(pickle.dumps(nlp.vocab.lex_attr_getters))
    assert restored[spacy.attrs.IS_QUOTE]("„") and not restored[spacy.attrs.IS_QUOTE]("a")
