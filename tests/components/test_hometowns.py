"""Hometowns from brackets and "aus" (motorsport_hometowns), on spacy.blank("de").

All sentences are written for these tests; the names are invented.
"""

from helpers import driver


def test_name_with_place_in_brackets(blank_nlp):
    doc = blank_nlp("Greta Sommerfeld (Rosenheim) fuhr im Training die schnellste Runde.")
    assert driver(doc, "Greta Sommerfeld")["hometown"] == "Rosenheim"


def test_country_and_country_code_in_brackets(blank_nlp):
    doc = blank_nlp("Vorne lagen Pieter Claes (B) und Ilmari Koskela (FIN) vor ihrem Teamkollegen Pablo Ruiz (Spanien).")
    assert driver(doc, "Pieter Claes")["hometown"] == "B"
    assert driver(doc, "Ilmari Koskela")["hometown"] == "FIN"
    assert driver(doc, "Pablo Ruiz")["hometown"] == "Spanien"


def test_place_with_slash_or_two_words(blank_nlp):
    doc = blank_nlp("Hinter Lukas Wendeborn (Frankfurt/Oder) kam Jonas Prell (Bad Segeberg) ins Ziel.")
    assert driver(doc, "Lukas Wendeborn")["hometown"] == "Frankfurt/Oder"
    assert driver(doc, "Jonas Prell")["hometown"] == "Bad Segeberg"


def test_shared_bracket_for_a_list(blank_nlp):
    doc = blank_nlp("Im Cockpit wechseln sich Tyler Brooks, Dylan Harper und Mason Reyes (alle USA) ab.")
    for name in ("Tyler Brooks", "Dylan Harper", "Mason Reyes"):
        assert driver(doc, name)["hometown"] == "USA"


def test_aus_place_and_country(blank_nlp):
    doc = blank_nlp("Es siegten Mathis Garnier aus Frankreich und Paul Obermeier aus der Schweiz vor Till Aden aus Köln.")
    assert driver(doc, "Mathis Garnier")["hometown"] == "Frankreich"
    assert driver(doc, "Paul Obermeier")["hometown"] == "Schweiz"
    assert driver(doc, "Till Aden")["hometown"] == "Köln"


def test_brackets_that_are_not_hometowns(blank_nlp):
    doc = blank_nlp(
        "Ole Brandvik (24) fuhr in der American Le Mans Series (ALMS) den Wagen (#24). "
        "Sein Rückstand auf Finn Abelmann (+0,317 s) war gering."
    )
    assert driver(doc, "Ole Brandvik")["hometown"] is None
    assert driver(doc, "Ole Brandvik")["age"] == 24
    assert driver(doc, "Finn Abelmann")["hometown"] is None
    assert "HOMETOWN" not in {e.label_ for e in doc.ents}


def test_age_and_place_in_one_bracket(blank_nlp):
    doc = blank_nlp("Der jüngste Starter ist Elias Brunnthaler (19, Innsbruck).")
    row = driver(doc, "Elias Brunnthaler")
    assert (row["hometown"], row["age"]) == ("Innsbruck", 19)


def test_a_bracket_after_a_crew_gives_team_and_car_to_both(blank_nlp):
    doc = blank_nlp("1. Paulina Wernsdorf/Tobias Kehlmann (Prosport Racing, Aston Martin Vantage AMR GT4) 24 Runden")
    for name in ("Paulina Wernsdorf", "Tobias Kehlmann"):
        row = driver(doc, name)
        assert (row["team"], row["car"]) == ("Prosport Racing", "Aston Martin Vantage AMR GT4")


def test_a_bracket_closed_before_a_colon_still_gives_the_hometown(blank_nlp):
    # the tokenizer writes "):" as one token before a colon quote
    doc = blank_nlp("Max Brandtner (Rosenheim): „Das war gut.“")
    assert driver(doc, "Max Brandtner")["hometown"] == "Rosenheim"


def test_bracket_with_age_place_and_team(blank_nlp):
    doc = blank_nlp("Vorne lag Jannik Oberle (18, Wittlich, Kestrel Racing) vor Malte Rausch (17/Bensheim).")
    row = driver(doc, "Jannik Oberle")
    assert (row["hometown"], row["age"]) == ("Wittlich", 18)
    row = driver(doc, "Malte Rausch")
    assert (row["hometown"], row["age"]) == ("Bensheim", 17)


def test_bracket_with_country_or_code_and_team(blank_nlp):
    doc = blank_nlp("Es siegte Emre Kaplan (Türkei/Kestrel Racing) vor Daan Smit (NL/Team Oranjeweg) "
                    "und Jonas Albrecht (D/Team Falkenhorst Motorsport).")
    assert driver(doc, "Emre Kaplan")["hometown"] == "Türkei"
    assert driver(doc, "Daan Smit")["hometown"] == "NL"
    assert driver(doc, "Jonas Albrecht")["hometown"] == "D"


def test_crew_brackets_give_places_by_position(blank_nlp):
    doc = blank_nlp(
        "Lorenz Hagedorn und Mirko Caputo gewannen vor Ellis Wyatt und Luca Ferrante.\n\n"
        "Ergebnis: 1. Hagedorn/Caputo (A/I), Porsche 911 GT3 R, 187 Runden 2. Wyatt/Ferrante (GB/I), Ferrari 488 GT3, 186"
    )
    assert driver(doc, "Lorenz Hagedorn")["hometown"] == "A"
    assert driver(doc, "Mirko Caputo")["hometown"] == "I"
    assert driver(doc, "Ellis Wyatt")["hometown"] == "GB"
    assert driver(doc, "Luca Ferrante")["hometown"] == "I"


def test_crews_of_three_named_only_in_a_results_list(blank_nlp):
    doc = blank_nlp("Ergebnis: 1. Brambilla/Cortese/Vannucci (I/I/I), Ferrari 488 GT3, 91 Runden")
    rows = {row["driver"]: row["hometown"] for row in doc._.drivers}
    assert rows == {"Brambilla": "I", "Cortese": "I", "Vannucci": "I"}


def test_full_name_crew_with_places_by_position(blank_nlp):
    doc = blank_nlp("Dahinter kamen Jonas Wertheim/Pieter Dekker/Malte Kolbe (Aalen/Niederlande/Rheine) ins Ziel.")
    assert driver(doc, "Jonas Wertheim")["hometown"] == "Aalen"
    assert driver(doc, "Pieter Dekker")["hometown"] == "Niederlande"
    assert driver(doc, "Malte Kolbe")["hometown"] == "Rheine"
    assert {row["driver"] for row in doc._.drivers} == {"Jonas Wertheim", "Pieter Dekker", "Malte Kolbe"}


def test_team_names_in_brackets_are_not_hometowns(blank_nlp):
    doc = blank_nlp(
        "Sieger wurde Jonas Veltmann (Quastler) vor Tim Rohrbeck (Zentec) und Ole Hafner (AMG-Mercedes). "
        "Vierter wurde Max Dorn (Kargo)."
    )
    for name in ("Jonas Veltmann", "Tim Rohrbeck", "Ole Hafner", "Max Dorn"):
        assert driver(doc, name)["hometown"] is None, name


def test_known_and_place_shaped_towns_in_brackets(blank_nlp):
    doc = blank_nlp("Es gewann Jonas Veltmann (Wunstorf) vor Tim Rohrbeck (Quellersdorf).")
    assert driver(doc, "Jonas Veltmann")["hometown"] == "Wunstorf"
    assert driver(doc, "Tim Rohrbeck")["hometown"] == "Quellersdorf"


def test_a_town_later_refines_a_country_code(blank_nlp):
    doc = blank_nlp("Es gewann Jonas Albrecht (D/Team Falkenhorst Motorsport). Der Deutsche aus Wunstorf fuhr souverän.")
    assert driver(doc, "Jonas Albrecht")["hometown"] == "Wunstorf"


def test_description_with_aus_after_a_driver_gives_the_hometown(blank_nlp):
    doc = blank_nlp("Jonas Ulmer holte den Sieg. Das Rallyetalent aus Wunstorf war nicht zu schlagen.")
    assert driver(doc, "Jonas Ulmer")["hometown"] == "Wunstorf"
    doc = blank_nlp("Den Sieg holte Kai Brandtner. Der Karosseriebauer aus Aalen fuhr souverän.")
    assert driver(doc, "Kai Brandtner")["hometown"] == "Aalen"


def test_relative_clause_and_aus_after_a_bracket(blank_nlp):
    doc = blank_nlp("Tim Ohlsen, der aus Aalen stammt, gewann vor Jan Erbach (22) aus Kulmbach. "
                    "Lena Kuhl, die aus der Box kam, wurde Dritte.")
    assert driver(doc, "Tim Ohlsen")["hometown"] == "Aalen"
    assert driver(doc, "Jan Erbach")["hometown"] == "Kulmbach"
    assert driver(doc, "Lena Kuhl")["hometown"] is None


def test_a_team_word_in_brackets_is_no_town(blank_nlp):
    # "Aurora" is a town too, but this text names the team
    doc = blank_nlp("Für Aurora Racing fuhr Jonas Veltmann (Aurora) vor Tim Rohrbeck (Wunstorf) und Jan Erbach (Aalen).")
    assert driver(doc, "Jonas Veltmann")["hometown"] is None
    assert driver(doc, "Tim Rohrbeck")["hometown"] == "Wunstorf"


def test_three_letter_codes_in_any_case(blank_nlp):
    doc = blank_nlp("Es gewann Lena Kuhlmey (GER) vor Tim Ohlsen (Aut) und Jan Erbach (NED).")
    assert [driver(doc, name)["hometown"] for name in ("Lena Kuhlmey", "Tim Ohlsen", "Jan Erbach")] == ["GER", "Aut", "NED"]


def test_origin_participle_before_the_name(blank_nlp):
    doc = blank_nlp("Es gewann der in Aalen lebende Tim Ohlsen vor der aus Bad Kötzting stammenden Werksfahrerin Lena Kuhlmey. "
                    "Der in der Box wartende Jan Erbach jubelte.")
    assert driver(doc, "Tim Ohlsen")["hometown"] == "Aalen"
    assert driver(doc, "Lena Kuhlmey")["hometown"] == "Bad Kötzting"
    assert driver(doc, "Jan Erbach")["hometown"] is None
