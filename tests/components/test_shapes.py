import bisect

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


class SentencesByFullScan:
    """The reference for ``SentenceBounds``: every sentence start of the text, read at once."""

    def __init__(self, text, paragraphs, quotes, quote_ends=(), *, abbreviations=frozenset()):
        from pipeline.components.shapes import _SENT_RE, _is_abbreviation, _quote_closed_sentences

        starts = {0}
        for p_start, _ in paragraphs:
            if not quotes.inside(p_start):
                starts.add(p_start)
        for seg_start, seg_end in quotes.segments(0, len(text)):
            for match in _SENT_RE.finditer(text, seg_start, seg_end):
                dot = match.start()
                if not (text[dot] == "." and _is_abbreviation(text, dot, seg_start, abbreviations)):
                    starts.add(match.end())
        starts.update(_quote_closed_sentences(text, quote_ends))
        self.starts = sorted(starts)

    def bounds(self, pos, limit):
        index = bisect.bisect_right(self.starts, pos) - 1
        start = self.starts[index] if index >= 0 else 0
        end = self.starts[index + 1] if index + 1 < len(self.starts) else limit
        return start, min(end, limit)


def test_sentences_keep_quotes_whole_and_skip_abbreviations():
    from pipeline.components.quotes import Outside, find_candidates
    from pipeline.components.shapes import SentenceBounds, paragraph_spans

    text = "Dr. Ole Sand sagte: „Es lief gut. Wir sind zufrieden.“ Danach fuhr er heim.\n\nNeuer Absatz."
    quotes = find_candidates(text)
    outside = Outside([(q.open_pos, q.outer_end) for q in quotes])
    sentences = SentenceBounds(text, paragraph_spans(text), outside, [(quotes[0].outer_end, quotes[0].start, True)])
    starts = sorted({sentences.bounds(pos, len(text))[0] for pos in range(len(text))})
    quote_end = text.index("“") + 1
    # Not after "Dr.", not inside the quote; after the quote's own full stop, the sentence end, the paragraph
    assert starts == [0, quote_end, text.index("heim.") + 5, text.index("Neuer")]
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


def test_sentence_bounds_read_in_blocks_are_those_of_a_full_scan():
    import random

    from pipeline.components.quotes import Outside
    from pipeline.components.shapes import SentenceBounds, paragraph_spans

    pieces = ["Er", "sagte", "z.", "B.", "14.", "Juni", "„", "“", "Gut.", "!", "?", "…", ")", "]", "\n\n", "\n",
              " ", " ", "a.", "Dr.", ",", ":", "abcdefghijklmnopq.", "(", "Ja.)", "So."]
    abbreviations = frozenset({"z", "dr"})
    rng = random.Random(11)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "\t"]) for _ in range(rng.randint(0, 40)))
        spans = []
        for _ in range(rng.randint(0, 4)):
            start = rng.randint(-1, len(text))
            spans.append((start, rng.randint(start, start + 20)))
        quotes = Outside(spans)
        quote_ends = [(rng.randint(0, len(text)), 0, rng.random() < 0.7) for _ in range(rng.randint(0, 3))]
        paragraphs = paragraph_spans(text)
        expected = SentencesByFullScan(text, paragraphs, quotes, quote_ends, abbreviations=abbreviations)
        found = SentenceBounds(text, paragraphs, quotes, quote_ends, abbreviations=abbreviations)
        positions = list(range(-1, len(text) + 2))
        rng.shuffle(positions)  # blocks are read in any order
        for pos in positions:
            for limit in (len(text), pos + 3):
                assert found.bounds(pos, limit) == expected.bounds(pos, limit), (text, spans, quote_ends, pos)


def test_word_shapes_of_letter_words_answer_as_the_general_helpers():
    import random

    from pipeline.components.shapes import (
        WordShape,
        _name_like_inside,
        has_digit,
        is_capitalised_text,
        never_name_words,
    )

    never_name = never_name_words("de")
    letters = ["a", "Z", "ä", "Ö", "ß", "ǅ", "中", "ª", "A", "B", "e"]
    generator = random.Random(11)
    words = ["".join(generator.choices(letters, k=generator.randint(1, 6))) for _ in range(5_000)]
    words += sorted(never_name) + ["Hofbauer", "BMW", "A", "Auch", "ALMS", "Ǆemal", "STRAßE", "J.", "O'Neill", "GT3"]
    for word in words:
        shape = WordShape(word, False, False, word.isalpha(), word.islower(), never_name=never_name)
        assert (shape.capitalised, shape.has_digit, shape.name_like_inside) == \
               (is_capitalised_text(word), has_digit(word), _name_like_inside(word, never_name)), word


def _is_abbreviation_by_loop(text, dot, floor, abbreviations):
    """The character-by-character reading ``_is_abbreviation`` replaced (the reference)."""
    pos = dot
    while pos > floor and text[pos - 1].isalnum():
        pos -= 1
        if dot - pos > 12:
            return False
    word = text[pos:dot]
    if not word:
        return False
    if word.isdigit():
        return True
    return word.lower() in abbreviations or (len(word) == 1 and word.isalpha())


def test_abbreviations_are_read_as_by_the_character_loop():
    import random

    from pipeline.components.shapes import _is_abbreviation

    abbreviations = frozenset({"bzw", "ca", "dr", "z", "nr"})
    pieces = ["a", "B", "ä", "7", "٣", "_", " ", "-", "Dr", "bzw", "ca", "14", "Nr", "\n", "x" * 12, "²"]
    generator = random.Random(13)
    texts = ["7" * length + "." for length in range(16)]  # numbers around the longest word read
    texts += ["".join(generator.choices(pieces, k=generator.randint(0, 8))) + "." for _ in range(30_000)]
    for text in texts:
        dot = len(text) - 1
        floor = generator.randint(0, dot)
        assert _is_abbreviation(text, dot, floor, abbreviations) == \
               _is_abbreviation_by_loop(text, dot, floor, abbreviations), (text, floor)


def test_text_index_numbers_sentences_and_paragraphs_as_a_count_per_token_does():
    import random

    import spacy
    from spacy.tokens import Doc

    from pipeline.components.doc_view import doc_view
    from pipeline.components.shapes import TextIndex, paragraph_spans

    vocab = spacy.blank("de").vocab
    rng = random.Random(11)
    for _ in range(200):  # unset, false and true sentence starts, the first token's too; blank lines
        n_tokens = rng.randint(1, 25)
        words = [rng.choice(["Er", "fuhr", ".", "Team", "\n\n", "\n"]) for _ in range(n_tokens)]
        flags = [rng.choice([None, False, True]) for _ in range(n_tokens)]
        doc = Doc(vocab, words=words, spaces=[rng.random() < 0.5 for _ in words], sent_starts=flags)
        # The reference: the first token opens sentence 0, every later true flag the next one.
        number, expected_of, expected_start = -1, [], []
        for i, flag in enumerate(flags):
            if i == 0 or flag:
                number += 1
                opened = i
            expected_of.append(number)
            expected_start.append(opened)
        paragraph_starts = [start for start, _ in paragraph_spans(doc.text)]
        chars = range(-1, len(doc.text) + 2)
        for index in (doc_view(doc).index, TextIndex(doc)):  # from the view's column, and from the doc
            assert [index.sentence_of(i) for i in range(n_tokens)] == expected_of
            assert [index.sentence_start(i) for i in range(n_tokens)] == expected_start
            assert [index.paragraph_of(c) for c in chars] == [
                max(0, bisect.bisect_right(paragraph_starts, c) - 1) for c in chars]
