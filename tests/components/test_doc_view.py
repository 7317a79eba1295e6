import spacy

from pipeline.components.doc_view import doc_view


def _blank_with_sentences():
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    return nlp


def test_view_matches_the_doc():
    doc = _blank_with_sentences()("Lena Hofbauer gewann. Sie fuhr den Porsche 911 GT3 R.")
    view = doc_view(doc)
    assert [t.text for t in view.tokens] == [t.text for t in doc]
    assert view.text == doc.text
    assert view.token_at_char[doc[4].idx] == 4
    assert view.index.sentence_of(5) == 1
    assert view.index.sentence_start(7) == 4


def test_view_is_shared_while_the_doc_is_unchanged():
    doc = _blank_with_sentences()("Lena Hofbauer gewann.")
    assert doc_view(doc) is doc_view(doc)


def test_another_doc_gets_its_own_view():
    nlp = _blank_with_sentences()
    first, second = nlp("Erster Text."), nlp("Zweiter, anderer Text.")
    assert doc_view(first).text == "Erster Text."
    assert doc_view(second).text == "Zweiter, anderer Text."
    assert doc_view(first).text == "Erster Text."


def test_retokenized_doc_is_not_served_a_stale_view():
    doc = spacy.blank("de")("Der BMW M4 GT3 fährt.")
    before = doc_view(doc)
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:4])
    after = doc_view(doc)
    assert after is not before
    assert [t.text for t in after.tokens] == ["Der", "BMW M4 GT3", "fährt", "."]
