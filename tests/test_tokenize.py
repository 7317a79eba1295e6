"""Hostile whitespace-free runs are cut before spaCy's (quadratic) tokenizer sees them."""

import spacy

from pipeline.tokenize import DEFAULT_MAX_RUN, make_doc, needs_safe_tokenizer, pipe_input


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
