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
    assert view.token_starting_at(doc[4].idx) == 4
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


def test_token_table_matches_the_tokens():
    from pipeline.components import shapes

    doc = _blank_with_sentences()("Werksfahrer Ole Sand (Rosenheim) gewann. Die ALMS-Saison endet am 3. Mai!\n\nAuch er fuhr.")
    view = doc_view(doc)
    tokens = list(doc)
    assert view.texts == [t.text for t in tokens]
    assert view.starts == [t.idx for t in tokens]
    assert view.ends == [t.idx + len(t.text) for t in tokens]
    assert view.spaces == [bool(t.whitespace_) for t in tokens]
    assert view.sent_starts == [bool(t.is_sent_start) for t in tokens]
    assert [view.is_sent_end(i) for i in range(len(doc))] == [bool(t.is_sent_end) for t in tokens]
    assert view.lowers == [t.lower_ for t in tokens]
    assert [shape.is_punct for shape in view.shapes] == [t.is_punct for t in tokens]
    assert [shape.is_space for shape in view.shapes] == [t.is_space for t in tokens]
    assert view.capitalised == [shapes.is_capitalised(t) for t in tokens]
    assert view.all_caps == [shapes.is_all_caps(t.text) for t in tokens]
    assert view.stop_words == [shapes.is_stop_word(t) for t in tokens] == [view.is_stop_word(i) for i in range(len(doc))]
    assert view.name_like == [shapes.is_name_like(t) for t in tokens]
    assert view.token_ending_at(doc[2].idx + len("Sand")) == 2


def test_sentence_start_changes_what_is_a_stop_word_and_a_name():
    doc = _blank_with_sentences()("Anders fuhr schnell. Danach kam Anders.")
    view = doc_view(doc)
    assert view.stop_words[0] and not view.stop_words[-2]  # "Anders" opens the text: the adverb
    assert view.name_like[-2] and not view.name_like[0]


def test_token_table_without_sentence_starts():
    doc = spacy.blank("de")("Lena Hofbauer gewann.")
    view = doc_view(doc)
    assert view.sent_starts == [bool(t.is_sent_start) for t in doc] == [True, False, False, False]
    assert view.index.sentence_of(2) == 0 and view.index.sentence_start(2) == 0
    assert view.text == doc.text


def test_empty_doc_has_an_empty_table():
    view = doc_view(spacy.blank("de")(""))
    assert view.texts == [] and view.text == "" and view.sent_starts == []


def test_positions_of_a_word():
    view = doc_view(spacy.blank("de")("Ole Sand (Rosenheim) und Kai Brand (Aalen) fuhren (wieder)."))
    assert view.positions("(") == [i for i, text in enumerate(view.texts) if text == "("] == [2, 8, 12]
    assert view.positions("Monza") == []


def test_spans_of_a_group_are_shared_until_the_group_is_replaced_or_grows():
    doc = spacy.blank("de")("Lena Hofbauer fuhr für Manthey im Porsche 911 GT3 R.")
    view = doc_view(doc)
    assert view.spans("things") == []
    doc.spans["things"] = [doc[4:5]]
    first = view.spans("things")
    assert [(span.start, span.end) for span in first] == [(4, 5)]
    assert view.spans("things") is first  # read again: the same Span objects
    doc.spans["things"].append(doc[6:10])
    assert [(span.start, span.end) for span in view.spans("things")] == [(4, 5), (6, 10)]
    doc.spans["things"] = [doc[0:2]]
    assert [(span.start, span.end) for span in view.spans("things")] == [(0, 2)]


def test_a_writer_s_spans_are_served_to_the_readers_of_its_group():
    doc = spacy.blank("de")("Lena Hofbauer fuhr für Manthey.")
    view = doc_view(doc)
    written = [spacy.tokens.Span(doc, 4, 5, label="TEAM")]
    view.set_spans("things", written)
    assert view.spans("things") is written
    assert list(doc.spans["things"]) == written
    doc.spans["things"] = []  # replaced by someone else: read afresh
    assert view.spans("things") == []


def test_offsets_between_tokens_or_not_offsets_find_no_token():
    doc = spacy.blank("de")("Lena Hofbauer (Rosenheim) gewann.")
    view = doc_view(doc)
    by_start = {token.idx: token.i for token in doc}
    by_end = {token.idx + len(token): token.i for token in doc}
    for char in range(-1, len(doc.text) + 2):
        assert view.token_starting_at(char) == by_start.get(char)
        assert view.token_ending_at(char) == by_end.get(char)
    assert view.token_starting_at(None) is None
    assert view.token_ending_at("5") is None


def test_token_ranges_are_char_spans_on_token_boundaries():
    doc = spacy.blank("de")("Lena Hofbauer (Rosenheim) gewann.")
    view = doc_view(doc)
    for start_char in range(-1, len(doc.text) + 2):
        for end_char in range(-1, len(doc.text) + 2):
            span = doc.char_span(start_char, end_char) if 0 <= start_char < end_char <= len(doc.text) else None
            expected = (span.start, span.end) if span is not None else None
            assert view.token_range(start_char, end_char) == expected, (start_char, end_char)
    assert view.token_range(None, 4) is None


def test_text_of_tokens_is_the_span_text():
    doc = spacy.blank("de")("Lena  Hofbauer (Rosenheim):\n„Gut.“ ")
    view = doc_view(doc)
    for start in range(len(doc) + 1):
        for end in range(start, len(doc) + 1):
            assert view.text_of(start, end) == doc[start:end].text
