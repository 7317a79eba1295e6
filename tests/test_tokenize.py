"""Hostile whitespace-free runs are cut before spaCy's (quadratic) tokenizer sees them; words
of plain letters skip the affix patterns, with the same tokens."""

import itertools
import random
import re
from pathlib import Path

import spacy
from spacy.lang.char_classes import CURRENCY, UNITS

from pipeline.tokenize import (
    DEFAULT_MAX_RUN,
    LONG_RUN,
    PLAIN_WORD,
    has_german_affixes,
    has_long_run,
    keep_plain_words_whole,
    make_doc,
    needs_safe_tokenizer,
    pipe_input,
)

DATA = Path(__file__).resolve().parents[1] / "data"
PLAIN_LETTERS = [chr(code) for code in range(0x250) if PLAIN_WORD.match(chr(code))]


def test_normal_text_is_tokenized_exactly_as_spacy_does():
    nlp = spacy.blank("de")
    text = "Lena Hofbauer (Rosenheim) fuhr im Porsche 911 GT3 R.\n\n„Super“, sagte sie."
    assert not needs_safe_tokenizer(text)
    assert [t.text for t in make_doc(nlp, text)] == [t.text for t in nlp.make_doc(text)]
    assert pipe_input(nlp, text) == text


def test_long_runs_are_cut_and_the_text_is_kept():
    nlp = spacy.blank("de")
    run = "(" * 30_000
    text = f"Lena Hofbauer {run} fuhr.\n\n" + "»" * (DEFAULT_MAX_RUN + 5) + " Ende."
    doc = make_doc(nlp, text)
    assert doc.text == text
    assert max(len(token.text) for token in doc) <= 100
    assert [t.text for t in doc[:2]] == ["Lena", "Hofbauer"]
    assert doc[-2].text == "Ende" and doc[-1].text == "."


def test_the_quick_long_run_check_agrees_with_the_pattern_on_unicode_whitespace():
    half = "x" * (DEFAULT_MAX_RUN // 2 + 1)
    for space in (" ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\x1c"):
        apart, together = half + space + half, half + "\u200b" + half  # U+200B is no whitespace
        for text in (apart, together, "x" * (DEFAULT_MAX_RUN - 1), "x" * DEFAULT_MAX_RUN, ""):
            assert has_long_run(text) == (LONG_RUN.search(text) is not None), (space, len(text))
    assert has_long_run(together) and not has_long_run(apart)


def test_the_quick_long_run_check_agrees_with_the_pattern_on_random_texts():
    generator = random.Random(3)
    pieces = ["a", " ", "\n", "\u00a0", "\u3000", "\t"]
    for _ in range(20_000):
        max_run = generator.choice([1, 2, 3, 5, 10, DEFAULT_MAX_RUN])
        text = "".join(generator.choice([*pieces, "b" * generator.randint(1, 2 * max_run)])
                       for _ in range(generator.randint(0, 30)))
        expected = re.search(r"\S{%d,}" % max_run, text) is not None
        assert has_long_run(text, max_run) == expected, (text, max_run)


def test_load_pipeline_installs_the_safe_tokenizer_for_every_call():
    from pipeline.api import load_pipeline
    from pipeline.tokenize import SafeTokenizer

    nlp = load_pipeline(components=())
    assert isinstance(nlp.tokenizer, SafeTokenizer)
    text = "Lena Hofbauer " + "(" * 30_000 + " fuhr.\n\nDann " + "»" * (DEFAULT_MAX_RUN + 5) + " Ende."
    for doc in (nlp(text), next(nlp.pipe([text])), nlp.make_doc(text)):
        assert doc.text == text
        assert max(len(token.text) for token in doc) <= 100
    plain = "Lena Hofbauer (Rosenheim) fuhr im Porsche 911 GT3 R.\n\n„Super“, sagte sie."
    assert [t.text for t in nlp.make_doc(plain)] == [t.text for t in spacy.blank("de").make_doc(plain)]


def test_a_saved_pipeline_loads_with_spacy_load_and_keeps_the_safe_tokenizer(tmp_path):
    from pipeline.api import load_pipeline
    from pipeline.tokenize import SAFE_TOKENIZER, SafeTokenizer

    nlp = load_pipeline(components=())
    nlp.tokenizer.add_special_case("GT3-R", [{"ORTH": "GT3-R"}])  # the wrapped tokenizer's rules are saved
    nlp.to_disk(tmp_path / "saved")
    loaded = spacy.load(tmp_path / "saved")

    assert loaded.config["nlp"]["tokenizer"]["@tokenizers"] == SAFE_TOKENIZER
    assert isinstance(loaded.tokenizer, SafeTokenizer)
    assert loaded.tokenizer.token_match.__self__.pattern == PLAIN_WORD.pattern
    assert [t.text for t in loaded("im GT3-R")] == ["im", "GT3-R"]
    assert len(loaded("x" * 5_000)) == 50


def test_the_doc_view_takes_the_text_the_tokenizer_was_given():
    from pipeline.components.doc_view import doc_view
    from pipeline.tokenize import SafeTokenizer

    nlp = spacy.blank("de")
    text = "Max  Muster (Rosenheim):\n\n„Ein  gutes Rennen.“ "
    doc = SafeTokenizer(nlp.tokenizer)(text)
    view = doc_view(doc)
    assert view.text is text  # handed over, not joined from the tokens
    assert view.text == doc.text


def _is_split_by_affixes(tokenizer, word: str) -> bool:
    return bool(tokenizer.prefix_search(word) or tokenizer.suffix_search(word)
                or any(True for _ in tokenizer.infix_finditer(word)))


def test_plain_words_are_the_letters_of_latin_1_and_latin_extended_a():
    assert len(PLAIN_LETTERS) == 52 + 62 + 128
    assert {"ä", "ß", "Ö", "é", "ñ", "ø", "Ł", "ş", "ı", "ſ"} <= set(PLAIN_LETTERS)
    assert not set("×÷ªºµ-'.0") & set(PLAIN_LETTERS)  # ª, º and µ are letters, but outside the ranges
    assert PLAIN_WORD.match("Hofbauer") and PLAIN_WORD.match("Müller")
    for word in ("Hofbauer,", "GT3", "Porsche-Pilot", "O'Neill", "z.B.", "", "Ünal "):
        assert not PLAIN_WORD.match(word), word


def test_german_affix_patterns_never_split_a_plain_word():
    """Why ``PLAIN_WORD`` may skip them: every letter, every pair of letters (the patterns look
    at most two characters back), longer random words and units or currencies after letters."""
    tokenizer = spacy.blank("de").tokenizer
    assert has_german_affixes(tokenizer)
    words = PLAIN_LETTERS + ["".join(pair) for pair in itertools.product(PLAIN_LETTERS, repeat=2)]
    generator = random.Random(7)
    words += ["".join(generator.choices(PLAIN_LETTERS, k=generator.randint(3, 14))) for _ in range(5_000)]
    letter_suffixes = [unit for unit in re.split(r"[|]", UNITS + "|" + CURRENCY) if unit.isalpha()]
    assert "km" in letter_suffixes
    words += [prefix + suffix for prefix in ("a", "Rennen", "E") for suffix in letter_suffixes]
    split = [word for word in words if PLAIN_WORD.match(word) and _is_split_by_affixes(tokenizer, word)]
    assert split == []


def test_keeping_plain_words_whole_gives_the_same_tokens():
    tokenizer = spacy.blank("de").tokenizer
    faster = spacy.blank("de").tokenizer
    assert keep_plain_words_whole(faster)
    assert faster.token_match.__self__ is PLAIN_WORD
    texts = [path.read_text(encoding="utf-8", errors="replace")
             for path in sorted(DATA.rglob("*")) if path.suffix in (".txt", ".md", ".json", ".jsonl", ".html")]
    assert len(texts) >= 5
    texts.append("Lena Hofbauer (Rosenheim) fuhr 3km, 2m/s, 5€ & z.B. „Super“!?, sagte sie: O'Neill--Ünal "
                 "Müller-Lüdenscheidt 24h-Rennen C++ #1 ;-) Łukasz Żyła www.hofbauer-racing.de ĀĀ.")
    for text in texts:
        assert [t.text for t in faster(text)] == [t.text for t in tokenizer(text)]


def test_other_affix_patterns_or_an_own_token_match_are_left_alone():
    nlp = spacy.blank("de")
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(list(nlp.Defaults.suffixes) + ["er$"]).search
    assert not has_german_affixes(nlp.tokenizer)
    assert not keep_plain_words_whole(nlp.tokenizer)
    assert nlp.tokenizer.token_match is None
    assert [t.text for t in nlp("Hofbauer")] == ["Hofbau", "er"]  # the custom rule still applies

    own = re.compile(r"GT\d\Z").match
    nlp = spacy.blank("de")
    nlp.tokenizer.token_match = own
    assert not keep_plain_words_whole(nlp.tokenizer)
    assert nlp.tokenizer.token_match is own
    assert not keep_plain_words_whole(spacy.blank("en").tokenizer)
