from pipeline.components.shapes import place_fits


def test_place_nouns_fit_their_towns():
    assert place_fits("Gütersloher", "Gütersloh")
    assert place_fits("Genferin", "Genf")
    assert place_fits("Münchner", "München")
    assert place_fits("Ingolstädter", "Ingolstadt")
    assert place_fits("Bremer", "Bremen")
    assert place_fits("Rosenheimer", "Rosenheim (Bayern)")
    assert place_fits("Freiburger", "Freiburg im Breisgau")


def test_other_nouns_do_not_fit():
    assert not place_fits("Gütersloher", "Rosenheim")
    assert not place_fits("Fahrer", "Rosenheim")
    assert not place_fits("Erer", "Er")  # a stem under three letters says nothing
    assert not place_fits("Schweizer", "Zürich")


def test_sentences_keep_quotes_whole_and_skip_abbreviations():
    from pipeline.components.quotes import Outside, find_candidates
    from pipeline.components.shapes import Sentences, paragraph_spans

    text = "Dr. Ole Sand sagte: „Es lief gut. Wir sind zufrieden.“ Danach fuhr er heim.\n\nNeuer Absatz."
    quotes = find_candidates(text)
    outside = Outside([(q.open_pos, q.outer_end) for q in quotes])
    sentences = Sentences(text, paragraph_spans(text), outside, [(quotes[0].outer_end, quotes[0].start, True)])
    quote_end = text.index("“") + 1
    # Not after "Dr.", not inside the quote; after the quote's own full stop, the sentence end, the paragraph
    assert sentences.starts == [0, quote_end, text.index("heim.") + 5, text.index("Neuer")]
    assert sentences.bounds(text.index("Wir"), len(text)) == (0, quote_end)


def test_never_name_words_are_rule_data():
    import spacy

    from pipeline.components.shapes import is_name_like, never_name_words, word_shapes

    nlp = spacy.blank("de")
    doc = nlp("Gestern Kesselhaus")
    orths = [token.orth for token in doc]
    edited = frozenset({"Kesselhaus"})
    assert "Montag" in never_name_words("de") and "Kesselhaus" not in never_name_words("de")
    assert word_shapes(orths, nlp.vocab, "de")[1].name_like_inside
    assert not word_shapes(orths, nlp.vocab, "de", never_name=edited)[1].name_like_inside
    assert is_name_like(doc[1]) and not is_name_like(doc[1], edited)
