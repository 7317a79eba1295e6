"""Hostile whitespace-free runs are cut before spaCy's (quadratic) tokenizer sees them."""

import spacy

from pipeline.tokenize import DEFAULT_MAX_RUN, LONG_RUN, has_long_run, make_doc, needs_safe_tokenizer, pipe_input


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
