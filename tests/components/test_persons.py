"""Drivers and officials on spacy.blank("de"), one test per shape in DOMAIN.md.

All sentences are written for these tests; the names are invented.
"""

from helpers import driver


def names(doc, label=None):
    return {e._.canonical for e in doc.ents if label is None or e.label_ == label}


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


def test_title_noun_before_unknown_name(blank_nlp):
    # "Quirin" and "Xaver" may be missing from the given-name list: the title carries the name.
    doc = blank_nlp("Werksfahrer Quirin Mahlstedt und Porsche-Junior Xaver Trautwein teilen sich ein Auto.")
    assert {"Quirin Mahlstedt", "Xaver Trautwein"} <= names(doc, "DRIVER")


def test_nationality_noun_and_later_description(blank_nlp):
    doc = blank_nlp("Der Belgier Maxime Dewaele gewann. Der Belgier führt nun die Wertung an.")
    assert driver(doc, "Maxime Dewaele")["nationality"] == "Belgien"
    descriptions = [m for m in doc._.mentions if m["kind"] == "description"]
    assert descriptions and doc._.people[descriptions[0]["person"]]["name"] == "Maxime Dewaele"


def test_crew_with_slash(blank_nlp):
    doc = blank_nlp("Anton Reisacher und Lio Kastner fuhren stark. Reisacher/Kastner gehen von Platz drei ins Rennen.")
    crew = [m for m in doc._.mentions if m["kind"] == "crew"]
    assert {doc._.people[m["person"]]["name"] for m in crew} == {"Anton Reisacher", "Lio Kastner"}


def test_surname_only_resolves_to_full_name(blank_nlp):
    doc = blank_nlp("Marlene Hufnagel (Passau) war schnell. Hufnagel verbesserte sich um zwei Zehntel.")
    surname = [e for e in doc.ents if e.text == "Hufnagel"]
    assert surname and surname[0]._.canonical == "Marlene Hufnagel"
    assert [row["driver"] for row in doc._.drivers] == ["Marlene Hufnagel"]


def test_official_with_role_is_a_person_not_a_driver(blank_nlp):
    doc = blank_nlp(
        "Teamchef Arnold Kiesewetter war zufrieden. Auch Renate Ulbrich, Leiterin Motorsport bei Vandermolen, lobte das Team."
    )
    people = {p["name"]: p for p in doc._.people}
    assert people["Arnold Kiesewetter"]["kind"] == "person"
    assert people["Arnold Kiesewetter"]["role"] == "Teamchef"
    assert people["Renate Ulbrich"]["role"].startswith("Leiterin Motorsport")
    assert not doc._.drivers


def test_two_people_with_one_surname(blank_nlp):
    doc = blank_nlp(
        "Teamchef Bernd Lohmüller sah seinen Sohn Kilian Lohmüller (Ulm) auf Rang zwei. "
        "Lohmüller fuhr im Porsche 911 GT3 R von Lohmüller Racing."
    )
    surname = [e for e in doc.ents if e.text == "Lohmüller" and e.label_ in ("DRIVER", "PERSON")]
    assert surname and surname[0]._.canonical == "Kilian Lohmüller"
