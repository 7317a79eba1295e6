"""Driver → team and car, on spacy.blank("de"), with invented names."""

from helpers import driver


def test_same_sentence_team_and_car(blank_nlp):
    doc = blank_nlp("Den zweiten Platz holte Janne Virtala (FIN) im BMW M4 GT3 von Nordlicht Motorsport.")
    row = driver(doc, "Janne Virtala")
    assert (row["team"], row["car"]) == ("Nordlicht Motorsport", "BMW M4 GT3")


def test_two_drivers_two_teams_in_one_sentence(blank_nlp):
    doc = blank_nlp(
        "Henrike Saalfeld fuhr im Audi R8 LMS von Tannberg Racing, Levin Okafor im Ferrari 296 GT3 von Scuderia Lombarda."
    )
    assert driver(doc, "Henrike Saalfeld")["team"] == "Tannberg Racing"
    assert driver(doc, "Henrike Saalfeld")["car"] == "Audi R8 LMS"
    assert driver(doc, "Levin Okafor")["team"] == "Scuderia Lombarda"
    assert driver(doc, "Levin Okafor")["car"] == "Ferrari 296 GT3"


def test_team_in_brackets(blank_nlp):
    doc = blank_nlp("Es gewann Declan Moore (Harrow Racing) vor Tiago Ferraz (Equipa Lusitana Motorsport).")
    assert driver(doc, "Declan Moore")["team"] == "Harrow Racing"
    assert driver(doc, "Tiago Ferraz")["team"] == "Equipa Lusitana Motorsport"


def test_teammate_takes_the_team(blank_nlp):
    doc = blank_nlp(
        "Konrad Ebeling siegte im Porsche 911 GT3 R von Albtrauf Motorsport. "
        "Ebelings Teamkollege Ruben Lasker wurde Fünfter."
    )
    assert driver(doc, "Ruben Lasker")["team"] == "Albtrauf Motorsport"


def test_compound_gives_the_team_not_a_car(blank_nlp):
    doc = blank_nlp(
        "Wettersteiner Racing setzt zwei Autos ein. Im zweiten Wettersteiner-BMW sitzen Ida Krall und Mats Lehner."
    )
    row = driver(doc, "Ida Krall")
    assert row["team"] == "Wettersteiner Racing"


def test_field_left_empty_when_the_text_does_not_say(blank_nlp):
    doc = blank_nlp("Hinter Oda Strand kam Vito Cerrone ins Ziel.")
    assert driver(doc, "Oda Strand")["team"] is None
    assert driver(doc, "Oda Strand")["car"] is None


def test_drivers_named_later_do_not_inherit_another_drivers_team_or_car(blank_nlp):
    doc = blank_nlp(
        "Es gewann Lotta Fahrenkrog (Kiel) im Porsche 911 GT3 R von Hallig Racing. "
        "Dahinter folgten Pavel Hrubec und Ilse Marquardt.\n\n"
        "Im Ziel jubelte Fahrenkrog."
    )
    for name in ("Pavel Hrubec", "Ilse Marquardt"):
        assert (driver(doc, name)["team"], driver(doc, name)["car"]) == (None, None)
    assert driver(doc, "Lotta Fahrenkrog")["team"] == "Hallig Racing"


def test_a_paragraph_about_the_sister_car_takes_the_team_of_the_lead(blank_nlp):
    doc = blank_nlp(
        "Hallig Racing bringt zwei Porsche 911 GT3 R an den Start.\n\n"
        "Das Schwesterauto teilen sich Pavel Hrubec und Ilse Marquardt."
    )
    assert driver(doc, "Pavel Hrubec")["team"] == "Hallig Racing"
    assert driver(doc, "Ilse Marquardt")["team"] == "Hallig Racing"


def test_a_team_from_an_earlier_paragraph_is_not_a_later_drivers(blank_nlp):
    doc = blank_nlp(
        "Hallig Racing bringt zwei Porsche 911 GT3 R an den Start.\n\n"
        "Den Sieg holte Pavel Hrubec vor Ilse Marquardt."
    )
    assert driver(doc, "Pavel Hrubec")["team"] is None


def test_sharing_the_cockpit_makes_teammates(blank_nlp):
    doc = blank_nlp(
        "Lotta Fahrenkrog fuhr im Porsche 911 GT3 R von Hallig Racing auf Startplatz zwei. "
        "Im Rennen teilt sie sich das Cockpit mit Pavel Hrubec."
    )
    assert driver(doc, "Pavel Hrubec")["team"] == "Hallig Racing"


def test_a_team_right_after_a_drivers_bracket_is_that_drivers_alone(blank_nlp):
    doc = blank_nlp(
        "Ingrid Maurer (Wien) wurde Vierte. "
        "Im Finish lieferte sie sich ein Duell mit Bastien Rocher (F) von Penske Autosport."
    )
    assert driver(doc, "Bastien Rocher")["team"] == "Penske Autosport"
    assert driver(doc, "Ingrid Maurer")["team"] is None


def test_a_team_after_a_shared_bracket_belongs_to_the_whole_list(blank_nlp):
    doc = blank_nlp("Es siegten Enrico Valsetti und Filippo Marangoni (beide Italien) von Scuderia Colle Alta.")
    assert driver(doc, "Enrico Valsetti")["team"] == "Scuderia Colle Alta"
    assert driver(doc, "Filippo Marangoni")["team"] == "Scuderia Colle Alta"


def test_team_driver_compound_right_before_the_name(blank_nlp):
    doc = blank_nlp("Den Sieg holte Tim Olsen vor dem Ostwind-Piloten Jan Berg und Mira Holm von Kessler Racing.")
    assert driver(doc, "Jan Berg")["team"] == "Ostwind"


def test_team_inside_a_bracket_with_age_and_place(blank_nlp):
    doc = blank_nlp("Vorne liegen Kai Ostler (17, Trier, Brandt Racing) und Jan Falk (16, Frankreich, Ostwind Motorsport).")
    assert driver(doc, "Kai Ostler")["team"] == "Brandt Racing"
    assert driver(doc, "Jan Falk")["team"] == "Ostwind Motorsport"


def test_results_line_gives_each_crew_its_car(blank_nlp):
    doc = blank_nlp(
        "Ergebnis: 1. Olsen/Berg (D/A), Porsche 911 GT3 RSR, 187 Runden 2. Falk/Sand (GB/I), Ferrari F430 GT, 186"
    )
    assert driver(doc, "Berg")["car"] == "Porsche 911 GT3 RSR"
    assert driver(doc, "Falk")["car"] == "Ferrari F430 GT"
    assert driver(doc, "Sand")["car"] == "Ferrari F430 GT"


def test_crew_partner_shares_the_team(blank_nlp):
    doc = blank_nlp(
        "Auch der neu zum Brandt-Team gestoßene Kai Ostler jubelte. "
        "Ergebnis: 1. Ostler/Falk (A/D), Porsche 911 GT3 RSR, 187 Runden"
    )
    assert driver(doc, "Falk")["team"] == "Brandt-Team"


def test_teammate_phrase_gives_the_team_back_to_the_holder(blank_nlp):
    doc = blank_nlp(
        "Tim Olsen siegte. Der 37-Jährige feierte mit seinen Teamkollegen Kai Ostler (Trier) und Jan Falk (Finnland) "
        "im vom Brandt-Team eingesetzten Audi R8."
    )
    assert driver(doc, "Kai Ostler")["team"] == "Brandt-Team"


def test_overtaken_rival_keeps_his_car(blank_nlp):
    doc = blank_nlp("Jan Falk fuhr stark. In der letzten Runde überholte er den Ligier von Brandt Racing.")
    assert driver(doc, "Jan Falk")["team"] is None


def test_shared_bracket_gives_the_car_to_both(blank_nlp):
    doc = blank_nlp("Es gewann der Niederländer Joost Verhaag vor dem Schweden Olle Brandin (beide Dallara Mercedes).")
    assert driver(doc, "Joost Verhaag")["car"] == "Dallara Mercedes"
    assert driver(doc, "Olle Brandin")["car"] == "Dallara Mercedes"


def test_maker_alone_next_to_the_driver_leaves_the_model_unstated(blank_nlp):
    doc = blank_nlp(
        "Kai Ostler (Brandt Racing) siegte im Opel Astra TCR. "
        "Tom Lauten (Hupfer) im Audi und Jan Falk (Mayen Sport) im Opel folgten."
    )
    assert driver(doc, "Tom Lauten")["car"] is None
    assert driver(doc, "Kai Ostler")["car"] == "Opel Astra TCR"


def test_car_of_a_team_is_not_given_from_a_sentence_with_several_teams(blank_nlp):
    doc = blank_nlp(
        "Kai Ostler (Brandt Racing), der Sieger vom Samstag, wurde Vierter vor Tom Lauten (Hupfer), der im SEAT Leon TCR fuhr. "
        "Jan Falk (Brandt Racing) folgte auf Rang neun."
    )
    assert driver(doc, "Jan Falk")["car"] is None


def test_together_with_makes_teammates(blank_nlp):
    doc = blank_nlp(
        "Tim Olsen und Kai Ostler fuhren 2012 für das Kessler Sport Team. "
        "Zusammen mit Jan Falk und Mira Holm strahlte Olsen im Ziel."
    )
    assert driver(doc, "Jan Falk")["team"] == "Kessler Sport Team"


def test_one_team_document_gives_its_car_drivers_the_team(blank_nlp):
    doc = blank_nlp(
        "Spa – Starker Auftakt von Kessler Competition: Erstmals startete der Porsche 911 RSR von der Pole.\n\n"
        "Jan Falk (Porsche 911 RSR #77): „Das war gut.“\n\n"
        "Ergebnis: 1. Rossi/Bianchi (I/I), Ferrari 488 GTE, 91 Runden"
    )
    assert driver(doc, "Jan Falk")["team"] == "Kessler Competition"
    assert driver(doc, "Rossi")["team"] is None


def test_sister_car_of_another_maker_is_not_the_team_of_the_paragraph_before(blank_nlp):
    doc = blank_nlp(
        "Vierter wurde der BMW Z4 GT3 vom Kessler Racing Team.\n\n"
        "Für Mercedes fuhren Tim Olsen und Jan Falk auf Rang fünf, nachdem das Schwesterauto ausfiel."
    )
    assert driver(doc, "Jan Falk")["team"] is None


def test_drivers_listed_after_mit_drive_the_team_and_car_before_it(blank_nlp):
    doc = blank_nlp(
        "Es ging um ein Duell zwischen dem Lamborghini Huracan GT3 vom Kessler Racing Team mit den Fahrern "
        "Jan Ortlieb, Mirko Bort und Sven Haller und dem Audi vom dänischen NRT-Team mit Per Vinding und Lars Kragh."
    )
    assert (driver(doc, "Sven Haller")["team"], driver(doc, "Sven Haller")["car"]) == ("Kessler Racing Team", "Lamborghini Huracan GT3")
    assert (driver(doc, "Per Vinding")["team"], driver(doc, "Per Vinding")["car"]) == ("NRT-Team", None)


def test_second_car_of_a_model_keeps_the_model(blank_nlp):
    doc = blank_nlp(
        "Vorne lagen die beiden Porsche 911 GT1 #25 mit Jan Falk und Tim Olsen sowie #26 mit Kai Ostler und Ole Sand."
    )
    assert driver(doc, "Ole Sand")["car"] == "Porsche 911 GT1"


def test_a_duo_shares_the_bracket_after_it(blank_nlp):
    doc = blank_nlp("Dahinter lag das BMW-Duo Timo Gerlach und Ben Stroh (Falkenried Motorsport).")
    assert driver(doc, "Timo Gerlach")["team"] == "Falkenried Motorsport"


def test_co_driver_noun_from_the_shared_teammate_list_takes_the_team(blank_nlp):
    # "Beifahrerin" came only with attribution's teammate words; linking reads the same list now.
    doc = blank_nlp(
        "Konrad Ebeling siegte im Porsche 911 GT3 R von Albtrauf Motorsport. "
        "Ebelings Beifahrerin Ruth Lasker jubelte im Ziel."
    )
    assert driver(doc, "Ruth Lasker")["team"] == "Albtrauf Motorsport"


def test_linking_and_attribution_read_one_teammate_list():
    from pipeline.components.attribution import AttributionWords
    from pipeline.components.linking import LinkWords
    from pipeline.rules import load_lexicons

    lex = load_lexicons()
    assert {"Teamkollegin", "Beifahrer", "Markenkollege"} <= lex.teammate_nouns
    assert LinkWords(lex).teammate is lex.teammate_nouns
    assert AttributionWords.from_lexicons(lex).teammate_noun is lex.teammate_nouns


def test_canonical_key_is_where_span_extensions_keep_the_value(blank_nlp):
    # linking reads and writes span._.canonical through doc.user_data; spaCy must keep it there.
    from spacy.tokens import Span

    from pipeline.extensions import canonical_key

    doc = blank_nlp.make_doc("Konrad Ebeling siegte im Porsche 911 GT3 R.")
    span = Span(doc, 4, 8, label="CAR")
    doc.user_data[canonical_key(span.start_char, span.end_char)] = "Porsche 911 GT3 R"
    assert Span(doc, 4, 8, label="TEAM")._.canonical == "Porsche 911 GT3 R"
    span._.canonical = "911 GT3 R"
    assert doc.user_data[canonical_key(span.start_char, span.end_char)] == "911 GT3 R"


def test_linking_builds_the_canonical_key_as_canonical_key_does():
    from pipeline.components.linking import CANONICAL_KEY_HEAD
    from pipeline.extensions import canonical_key

    assert all(CANONICAL_KEY_HEAD + (start, end) == canonical_key(start, end) for start, end in ((0, 0), (3, 17)))


def test_entities_keep_the_longest_of_overlapping_things_and_names(blank_nlp):
    from pipeline.components.linking import _longest_first

    ranges = [(0, 2, "DRIVER"), (1, 4, "TEAM"), (5, 6, "CAR"), (5, 6, "MANUFACTURER"), (7, 9, "HOMETOWN"), (8, 9, "CAR")]
    assert _longest_first(ranges) == [(1, 4, "TEAM"), (5, 6, "CAR"), (7, 9, "HOMETOWN")]


def test_entities_are_those_of_filter_spans_with_or_without_overlaps(blank_nlp):
    import random

    from spacy.tokens import Span
    from spacy.util import filter_spans

    from pipeline.components.linking import _longest_first

    doc = blank_nlp.make_doc("ein Wort " * 15)
    rng = random.Random(11)
    for _ in range(300):
        ranges = []
        for _ in range(rng.randint(0, 8)):
            start = rng.randrange(len(doc))
            ranges.append((start, min(len(doc), start + rng.randint(1, 4)), rng.choice(["TEAM", "CAR", "DRIVER"])))
        expected = [(s.start, s.end, s.label_) for s in filter_spans([Span(doc, *r) for r in ranges])]
        assert _longest_first(ranges) == expected


def test_entities_written_as_columns_are_those_of_the_ents_setter(blank_nlp):
    from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE

    from pipeline.components.linking import _set_entities

    columns = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]
    for entities in ([], [(0, 2, "DRIVER"), (2, 3, "TEAM"), (5, 5, "CAR"), (6, 8, "CAR")]):
        by_setter, by_columns = (blank_nlp.make_doc("Ole Sand fuhr im Porsche 911 GT3 R") for _ in range(2))
        for doc in (by_setter, by_columns):  # earlier annotation: an entity with a knowledge base id
            doc.ents = [doc.char_span(0, 3, label="PER", kb_id="Q1")]
            doc[7].ent_kb_id_ = "Q2"
            doc[7].ent_id_ = "E7"
        by_setter.ents = [(label, start, end) for start, end, label in entities]
        _set_entities(by_columns, entities)
        assert (by_setter.to_array(columns) == by_columns.to_array(columns)).all()
        assert [(e.start, e.end, e.label_) for e in by_columns.ents] == [r for r in entities if r[0] < r[1]]


def test_sentence_scores_stay_below_the_paragraph_score():
    # _link offers the things of a mention's own sentence in a loop of their own before the
    # things outside it: that gives the old results only while the two kinds of score never tie.
    from pipeline.components import linking

    worst_in_sentence = (linking.MAX_LINK_TOKENS + linking.BETWEEN_PENALTY
                         + max(linking.BEFORE_PENALTY + linking.COMMA_PENALTY, linking.AFTER_COMMA_PENALTY))
    assert worst_in_sentence < linking.SCORE_PARAGRAPH


def test_linking_s_quote_test_holds_the_characters_of_its_quotes(blank_nlp):
    from spacy.tokens import Span

    from pipeline.components.quotes import Outside

    doc = blank_nlp.make_doc('Er sagte: " Gut " und " Schnell " .')
    quotes = [Span(doc, 3, 6), Span(doc, 7, 10)]
    quoted = Outside((q.start_char, q.end_char) for q in reversed(quotes))  # what linking builds
    inside = {c for q in quotes for c in range(q.start_char, q.end_char)}
    assert [quoted.inside(c) for c in range(len(doc.text) + 1)] == [c in inside for c in range(len(doc.text) + 1)]
    assert not Outside([]).spans


def test_quote_bounds_answer_as_the_quote_test_does():
    import bisect
    import random

    from pipeline.components.linking import _quote_bounds
    from pipeline.components.quotes import Outside

    rng = random.Random(7)
    for _ in range(300):  # overlapping, touching and empty quotes too
        spans = [(start, start + rng.randint(0, 6)) for start in (rng.randint(0, 30) for _ in range(rng.randint(0, 5)))]
        quoted = Outside(spans)
        bounds = _quote_bounds(quoted)
        assert [bisect.bisect_right(bounds, c) % 2 == 1 for c in range(-1, 40)] == [
            quoted.inside(c) for c in range(-1, 40)]


def test_a_document_without_teams_or_cars_keeps_its_people_and_gets_entities(blank_nlp):
    doc = blank_nlp("Hinter Oda Strand kam Vito Cerrone ins Ziel.")
    assert {(row["driver"], row["team"], row["car"]) for row in doc._.drivers} >= {("Oda Strand", None, None)}
    assert [e.label_ for e in doc.ents if e.text == "Oda Strand"] == ["DRIVER"]
    assert all(token.ent_iob_ for token in doc)  # every token is written: O outside the entities
