"""Quote detection: marks, paragraphs, speech vs. scare quotes, robustness."""

from __future__ import annotations

import spacy

from pipeline.components.quotes import (
    ATTRIBUTION_DEFAULTS,
    Outside,
    QuoteDetector,
    detect_quotes,
    find_candidates,
    paragraph_spans,
)

from pipeline.schema import QUOTE_KEYS

from .conftest import annotate


def texts(doc) -> list[str]:
    return [q["quote"] for q in doc._.quotes]


def scare(doc) -> list[str]:
    return [span.text for span in doc.spans["scare_quotes"]]


# ----------------------------------------------------------------- marks


def test_german_quote_dict_has_every_key(quote_nlp):
    text = "Vorweg ein Satz.\n\n„Das war knapp“, sagte Lena Hofer."
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Das war knapp"]
    quote = doc._.quotes[0]
    assert set(quote) == set(QUOTE_KEYS)
    assert quote["quote_id"] == 1
    assert text[quote["start_char"]:quote["end_char"]] == "Das war knapp"
    assert (quote["open_mark"], quote["close_mark"]) == ("„", "“")
    assert quote["paragraph"] == 1
    assert quote["is_partial"] is False
    # nobody set doc._.people: the attribution keys keep their defaults
    assert {key: quote[key] for key in ATTRIBUTION_DEFAULTS} == ATTRIBUTION_DEFAULTS


def test_every_mark_style(quote_nlp):
    text = (
        "„Erstens war es gut.” Dann kam mehr. “Zweitens auch.” Weiter im Text. »Drittens sowieso.« "
        "Und noch: «Viertens ist klar.» Zuletzt \"fünftens ganz sicher.\" Und ,,sechstens stimmt es.''"
    )
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Erstens war es gut.", "Zweitens auch.", "Drittens sowieso.", "Viertens ist klar.",
                          "fünftens ganz sicher.", "sechstens stimmt es."]
    assert [q["open_mark"] for q in doc._.quotes] == ["„", "“", "»", "«", '"', ",,"]
    assert [q["close_mark"] for q in doc._.quotes] == ["”", "”", "«", "»", '"', "''"]
    assert [q["quote_id"] for q in doc._.quotes] == [1, 2, 3, 4, 5, 6]


def test_ascii_quotes_pair_by_position_within_a_paragraph(quote_nlp):
    text = ('"Wir waren schnell", sagte Ole Brandt. "Morgen wird es schwerer", meinte er.\n\n'
            '"Ein offener Satz ohne Ende\n\nNeuer Absatz, dann "neue Rede mit Satzende.", sagte Mira Lenz.')
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Wir waren schnell", "Morgen wird es schwerer", "Ein offener Satz ohne Ende",
                          "neue Rede mit Satzende."]
    assert doc._.quotes[2]["close_mark"] == ""


def test_mixed_web_copy_closes_german_quote_with_ascii_mark(quote_nlp):
    doc = annotate(quote_nlp, 'Er sagte: „Das hat Spaß gemacht." Dann fuhr er heim.')
    assert texts(doc) == ["Das hat Spaß gemacht."]


def test_nested_single_quotes_belong_to_the_outer_quote(quote_nlp):
    text = ("„Die Einfahrt ins ‚Motodrom‘ ist eng“, sagte Nils Graf. "
            "\"Im 'Bus Stop' war Schluss\", sagte er. »Die Jungs nennen sich ›Boxenteufel‹ und das stimmt.«")
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Die Einfahrt ins ‚Motodrom‘ ist eng", "Im 'Bus Stop' war Schluss",
                          "Die Jungs nennen sich ›Boxenteufel‹ und das stimmt."]
    assert scare(doc) == []


def test_apostrophes_are_not_marks(quote_nlp):
    text = ("Das Rennen heißt offiziell »Grand Prix d’Endurance«. „Jetzt geht's los, und zwar richtig’s schnell“, "
            "sagte Kai Roth. Paul’s Auto war schnell.")
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Jetzt geht's los, und zwar richtig’s schnell"]
    assert scare(doc) == ["Grand Prix d’Endurance"]


def test_quote_spanning_several_sentences_is_one_quote(quote_nlp):
    doc = annotate(quote_nlp, "„Der Start war gut. Danach lief es. Am Ende hat es gereicht!“, freute sich Lena Hofer.")
    assert texts(doc) == ["Der Start war gut. Danach lief es. Am Ende hat es gereicht!"]


def test_multi_paragraph_quote_continues_after_reopening_mark(quote_nlp):
    text = ("Teamchef Arne Wolff zog Bilanz: „Wir sind zufrieden. Das Auto lief ohne Probleme.\n\n"
            "„Jetzt wartet das nächste Rennen auf uns.“\n\nDanach ging es heim.")
    doc = annotate(quote_nlp, text)
    assert len(doc._.quotes) == 1
    quote = doc._.quotes[0]
    assert quote["quote"].startswith("Wir sind zufrieden.")
    assert quote["quote"].endswith("auf uns.")
    assert quote["close_mark"] == "“" and quote["paragraph"] == 0


def test_unclosed_quote_ends_with_its_paragraph(quote_nlp):
    text = ("„Das war ein harter Tag, sagte Kai Roth.\n\nDer nächste Absatz beginnt ohne Zeichen. "
            "„Hier ist neue Rede.“, sagte Ole Brandt.")
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Das war ein harter Tag, sagte Kai Roth.", "Hier ist neue Rede."]
    assert doc._.quotes[0]["close_mark"] == ""
    assert doc._.quotes[1]["paragraph"] == 1


def test_unclosed_chain_of_paragraphs_never_swallows_the_document(quote_nlp):
    text = "„Erster offener Absatz ohne Ende.\n\n„Zweiter offener Absatz.\n\n„Dritter, ebenfalls offen."
    doc = annotate(quote_nlp, text)
    # no closing mark anywhere: each paragraph keeps its own quote
    assert texts(doc) == ["Erster offener Absatz ohne Ende.", "Zweiter offener Absatz.", "Dritter, ebenfalls offen."]
    assert [q["paragraph"] for q in doc._.quotes] == [0, 1, 2]


def test_same_opener_again_ends_the_unclosed_quote(quote_nlp):
    text = "„Das Auto war perfekt. Ole Brandt ergänzte: „Die Reifen hielten bis zum Schluss.“"
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Das Auto war perfekt.", "Die Reifen hielten bis zum Schluss."]


def test_stray_closing_marks_are_ignored(quote_nlp):
    text = "Ein Satz“ mit Fehlern« im Text. „Das hier ist Rede.“, sagte Kai Roth. Noch ein “ Rest."
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Das hier ist Rede."]


def test_quotes_at_the_very_start_and_end(quote_nlp):
    text = "„Anfang der Meldung.“ Kai Roth fuhr vor. Er sagte: „Ende der Meldung"
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Anfang der Meldung.", "Ende der Meldung"]
    assert doc._.quotes[0]["start_char"] == 1
    assert doc._.quotes[1]["end_char"] == len(text)


def test_empty_and_quote_free_documents(quote_nlp):
    for text in ("", "   ", "Kein Zitat weit und breit.", "„“ und »« und \"\""):
        doc = annotate(quote_nlp, text)
        assert doc._.quotes == []
        assert list(doc.spans["quotes"]) == []


# ------------------------------------------------------- speech vs. names


def test_scare_quotes_are_not_speech(quote_nlp):
    text = (
        "Nach vier Stunden in der „Grünen Hölle“ lag das Team vorn. Auf der Wertungsprüfung „Waldmühle“ "
        "rutschte er ab. Der als „Blitz“ bekannte Neunelfer blieb draußen. In der „Kapellen“-Kurve war es eng. "
        "Der Lauf gilt als „Kronjuwel“ des Kalenders. Beim „Tag der offenen Box“ zeigt das Team die Autos. "
        "Auf dem sogenannten \"Südbogen\" fehlte ihm Speed. Man nennt ihn den „Neunelfer“."
    )
    doc = annotate(quote_nlp, text)
    assert doc._.quotes == []
    names = scare(doc)
    # „Kapellen“-Kurve is one token: its span grows to the token, the text inside stays exact
    assert names[3].startswith("Kapellen")
    assert names[:3] + names[4:] == ["Grünen Hölle", "Waldmühle", "Blitz", "Kronjuwel", "Tag der offenen Box",
                                     "Südbogen", "Neunelfer"]
    assert all(span.label_ == "SCARE_QUOTE" for span in doc.spans["scare_quotes"])


def test_a_named_thing_before_a_cue_like_clause_is_not_speech(quote_nlp):
    # "drehte sich X" after the mark looks like an inverted cue; the article before
    # a short capitalised quote says it is a name.
    doc = annotate(quote_nlp, "Auf der gefürchteten „Steinbruch-Runde“, drehte sich Lasse Vik und verlor Zeit.")
    assert doc._.quotes == []
    assert scare(doc) == ["Steinbruch-Runde"]


def test_partial_quotes_are_speech(quote_nlp):
    text = (
        "Kai Roth sprach von einer „perfekten Runde“. Über seinen Start sagte er, dieser sei "
        "„wahrscheinlich der beste meiner Karriere“ gewesen. Ole Brandt nannte es „ein Geschenk“. "
        "Mira Lenz lobte die Crew, die „keinen einzigen Fehler“ gemacht habe."
    )
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["perfekten Runde", "wahrscheinlich der beste meiner Karriere", "ein Geschenk",
                          "keinen einzigen Fehler"]
    assert all(q["is_partial"] for q in doc._.quotes)
    assert scare(doc) == []


def test_speech_signals_without_punctuation(quote_nlp):
    text = ("Kai Roth war zufrieden: „Alles gut“ Dann fuhr er heim. „Sieg“, jubelte Ole Brandt. "
            "Mira Lenz sprach von „Glück, das wir hatten“.")
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Alles gut", "Sieg", "Glück, das wir hatten"]
    assert [q["is_partial"] for q in doc._.quotes] == [False, False, True]


def test_quote_interrupted_by_its_cue_is_not_partial(quote_nlp):
    doc = annotate(quote_nlp, "„Uns fehlte der Speed“, analysierte Kai Roth, „in den Kurven waren wir gut.“")
    assert texts(doc) == ["Uns fehlte der Speed", "in den Kurven waren wir gut."]
    assert [q["is_partial"] for q in doc._.quotes] == [False, False]


def test_long_quote_is_partial_only_inside_a_narrative_sentence(quote_nlp):
    # Long quotes are speech whatever surrounds them; only their sentence start is read.
    text = (
        "„Das Auto lief von der ersten bis zur letzten Runde wie ein Uhrwerk“, sagte Ole Brandt. "
        "Kai Roth sagte: „Wir haben heute alles richtig gemacht und sind sehr froh darüber“, und ging. "
        "Es regnete. „Wir wussten vorher nicht, wie sich die Reifen verhalten würden“, sagte Mira Lenz.\n\n"
        "Kai Roth meinte, das Team habe „alle Daten der letzten drei Rennen ganz genau ausgewertet“ und sei bereit. "
        "Die Daten habe Dr. „Lena Hofer mit ihrem Team in nur zwei langen Nächten ausgewertet“, hieß es."
    )
    doc = annotate(quote_nlp, text)
    assert len(doc._.quotes) == 5
    assert [q["is_partial"] for q in doc._.quotes] == [False, False, False, True, True]


def test_spans_match_quote_dicts(quote_nlp):
    text = "„Das war knapp“, sagte Lena Hofer. Die „Grüne Hölle“ ist schwer."
    doc = annotate(quote_nlp, text)
    assert [span.text for span in doc.spans["quotes"]] == ["Das war knapp"]
    assert doc.spans["quotes"][0].label_ == "QUOTE"
    assert scare(doc) == ["Grüne Hölle"]


# ------------------------------------------------------------ robustness


def test_thirty_thousand_unclosed_marks_run_in_bounded_time(quote_nlp):
    # One paragraph of 30,000 unclosed marks, then paragraphs that each open one.
    text = "„Wort " * 30_000 + "\n\n" + "\n\n".join("„Offen" for _ in range(2_000)) + "\n\n„Schluss.“, sagte er."
    quotes, speech, scare_candidates = detect_quotes(text)
    paragraphs = paragraph_spans(text)
    assert len(paragraphs) == 2_002
    ends = [end for _, end in paragraphs]
    for candidate in speech + scare_candidates:
        start, _ = paragraphs[candidate.paragraph]
        assert start <= candidate.start < candidate.end
        # a quote may run on into following paragraphs, but only a few
        assert candidate.end <= ends[min(candidate.paragraph + 4, len(ends) - 1)]
    assert quotes[-1]["quote"].endswith("Schluss.")
    first_paragraph = [c for c in speech + scare_candidates if c.paragraph == 0]
    assert len(first_paragraph) == 30_000 and all(c.end <= ends[0] for c in first_paragraph)


def test_thirty_thousand_marks_through_the_pipeline(quote_nlp):
    text = "Kai Roth sagte: " + "»Ja " * 30_000 + "\n\n„Gut.“"
    doc = annotate(quote_nlp, text)
    assert doc._.quotes[-1]["quote"] == "Gut."
    assert len(doc.spans["quotes"]) + len(doc.spans["scare_quotes"]) == 30_001


def test_candidates_keep_marks_inside_other_styles():
    text = "„Er rief »Los!« und fuhr weg“, sagte Kai Roth."
    candidates = find_candidates(text)
    assert [text[c.start:c.end] for c in candidates] == ["Er rief »Los!« und fuhr weg"]


def test_paragraph_spans_handle_whitespace_lines():
    text = "  Eins.\n \t\nZwei\nnoch zwei.\n\n\n\nDrei.  "
    assert [text[s:e] for s, e in paragraph_spans(text)] == ["Eins.", "Zwei\nnoch zwei.", "Drei."]


# --------------------------------------------------------- serialization


def test_config_round_trip_through_bytes(quote_nlp):
    nlp = spacy.blank("de")
    pipe = nlp.add_pipe("motorsport_quotes", config={"long_quote_words": 12, "scare_spans_key": "names"})
    assert isinstance(pipe, QuoteDetector)
    other = spacy.blank("de").add_pipe("motorsport_quotes")
    other.from_bytes(pipe.to_bytes())
    assert other.cfg["long_quote_words"] == 12 and other.cfg["scare_spans_key"] == "names"


def test_ascii_opener_closed_by_a_curly_mark(quote_nlp):
    text = 'Kai Roth siegte.\n\n"Die Serie ist hart umkämpft. Ich bin froh“, sagte ein strahlender Roth.'
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Die Serie ist hart umkämpft. Ich bin froh"]
    assert doc._.quotes[0]["close_mark"] == "“"


def test_ascii_pairs_still_win_over_a_later_curly_mark(quote_nlp):
    text = 'Er sagte: "Das war gut", und später: „Noch besser“.'
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Das war gut", "Noch besser"]


def test_single_opener_closed_by_a_double_mark(quote_nlp):
    text = "Kai Roth siegte.\n\n'Ich bin sehr froh über den Sieg\", sagte Roth. Das war's."
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Ich bin sehr froh über den Sieg"]


def test_nested_ascii_pair_stays_inside_the_outer_quote(quote_nlp):
    text = ('Arne Wolff: "Wir sind Dritter und Fünfter, also "best of the rest". Die anderen waren wieder '
            'dominant. Mehr war nicht möglich."\n\nKai Roth: "Das war ein Schritt nach vorne."')
    doc = annotate(quote_nlp, text)
    assert [t[:20] for t in texts(doc)] == ["Wir sind Dritter und", "Das war ein Schritt "]
    assert texts(doc)[0].endswith("Mehr war nicht möglich.")


def test_adjective_nickname_after_an_article_is_not_speech(quote_nlp):
    text = "Nach einem Jahr voller Pech fuhr der „fliegende Finne“ wieder allen davon."
    doc = annotate(quote_nlp, text)
    assert texts(doc) == []
    assert scare(doc) == ["fliegende Finne"]


def test_reported_adjective_phrase_and_lowercase_phrase_are_speech(quote_nlp):
    text = ("„Heute lief alles“, freute sich Kai Roth und lobte die „großartige Teamarbeit“. "
            "Kein Wunder, dass Roth „nicht unzufrieden“ ist.")
    doc = annotate(quote_nlp, text)
    assert texts(doc) == ["Heute lief alles", "großartige Teamarbeit", "nicht unzufrieden"]


def test_window_words_are_the_words_of_a_whole_text_scan():
    # A window may start inside a word (that word is not in it), end inside one
    # (cut there), and hold quotes (their words are not in it); a window inside a
    # very long word falls back to the whole-text scan and answers the same.
    text = "Er sagte, das sei „ganz klar“ ein Rock'n'Roll-Sieg gewesen. " + "x" * 450 + " Ende gut."
    outside = Outside([(text.index("„"), text.index("“") + 1)], text)
    for start in range(len(text) + 1):
        for end in (start, start + 7, start + 40, len(text)):
            end = min(end, len(text))
            assert outside.words(text, start, end) == outside._words_by_scan(start, end)
    assert [w for _, _, w in outside.words(text, 3, 40)] == ["sagte", "das", "sei", "ein", "Rock'n"]


def test_outside_joins_overlapping_spans_only():
    # Given in any order; spans that touch stay apart, overlapping and nested ones are one.
    outside = Outside([(30, 40), (0, 5), (5, 9), (32, 35), (38, 50), (60, 61)])
    assert outside.spans == [(0, 5), (5, 9), (30, 50), (60, 61)]
    assert outside.starts == [0, 5, 30, 60]
    assert Outside([(7, 9), (1, 3)]).spans == [(1, 3), (7, 9)]
    assert outside.segments(3, 70) == [(9, 30), (50, 60), (61, 70)]
    assert outside.segments(31, 45) == []
    assert outside.inside(49) and not outside.inside(50)


def test_quote_grammar_words_are_rule_data():
    from pipeline.rules import load_lexicons

    packaged = load_lexicons().quote_words
    text = "Im Ziel sprach Ole Sand von „Glück“."
    quotes, _, scare = detect_quotes(text, words=packaged)
    assert [q["quote"] for q in quotes] == ["Glück"]  # "sprach" reports speech
    without = {**packaged, "reporting_form": packaged["reporting_form"] - {"sprach"}}
    quotes, _, scare = detect_quotes(text, words=without)
    assert quotes == [] and [text[c.start:c.end] for c in scare] == ["Glück"]


def test_importing_the_components_loads_no_rule_files():
    import subprocess
    import sys

    code = ("import pipeline.components; from pipeline.rules import load_lexicons; "
            "assert load_lexicons.cache_info().currsize == 0")
    subprocess.run([sys.executable, "-c", code], check=True)
