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
