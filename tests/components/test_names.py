"""Surnames, crews and descriptions (motorsport_names), on spacy.blank("de").

All sentences are written for these tests; the names are invented.
"""

from helpers import driver


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


def test_two_people_with_one_surname(blank_nlp):
    doc = blank_nlp(
        "Teamchef Bernd Lohmüller sah seinen Sohn Kilian Lohmüller (Ulm) auf Rang zwei. "
        "Lohmüller fuhr im Porsche 911 GT3 R von Lohmüller Racing."
    )
    surname = [e for e in doc.ents if e.text == "Lohmüller" and e.label_ in ("DRIVER", "PERSON")]
    assert surname and surname[0]._.canonical == "Kilian Lohmüller"


def test_genitive_surname_and_given_name_mentions(blank_nlp):
    doc = blank_nlp("Corvin Adelsberger (Fulda) siegte. Adelsbergers Vorsprung war groß. Corvin blieb ruhig.")
    mentions = {m["text"]: m["kind"] for m in doc._.mentions}
    assert mentions["Adelsbergers"] == "surname" and mentions["Corvin"] == "given"


def test_age_description_refers_to_the_last_driver_and_teaches_the_age(blank_nlp):
    doc = blank_nlp("Nele Brandhorst (Kiel) holte die Pole. Die 22-Jährige fuhr danach den Sieg ein.")
    assert driver(doc, "Nele Brandhorst")["age"] == 22


def test_origin_phrase_after_a_surname(blank_nlp):
    doc = blank_nlp("Im Auto sitzt Ruben Haltermann. Haltermann stammt aus Frankfurt am Main und fährt seit 2019.")
    assert driver(doc, "Ruben Haltermann")["hometown"] == "Frankfurt am Main"


def test_the_duo_links_the_latest_pair_to_their_car(blank_nlp):
    doc = blank_nlp(
        "Gewonnen haben Ilka Marwede und Beifahrerin Svenja Ortloff. "
        "Das Duo im Škoda Fabia RS Rally2 des Teams Wesertal Rallyesport lag vorn."
    )
    for name in ("Ilka Marwede", "Svenja Ortloff"):
        assert driver(doc, name)["car"] == "Škoda Fabia RS Rally2"
        assert driver(doc, name)["team"] == "Wesertal Rallyesport"


def test_crew_of_two_unknown_surnames(blank_nlp):
    doc = blank_nlp("Platz drei ging an Kvasnicka/Malinowsky im Hyundai i20 N Rally2.")
    assert {"Kvasnicka", "Malinowsky"} <= {row["driver"] for row in doc._.drivers}


def test_a_place_with_a_slash_is_no_crew(blank_nlp):
    doc = blank_nlp("Es gewann Max Brandtner (Neustadt/Weinstraße) vor Ole Sandvik aus Halle/Saale.")
    assert {row["driver"] for row in doc._.drivers} == {"Max Brandtner", "Ole Sandvik"}


def test_a_feminine_description_goes_to_the_woman_of_the_crew(blank_nlp):
    doc = blank_nlp(
        "Ivana Kovacevic und Beifahrer Tomás Herrera haben die Rallye gewonnen. "
        "Die Kroatin distanzierte im Škoda Fabia RS Rally2 die Konkurrenz."
    )
    description = next(m for m in doc._.mentions if m["kind"] == "description")
    assert doc._.people[description["person"]]["name"] == "Ivana Kovacevic"


def test_a_regional_description_fits_a_driver_from_a_town_of_that_region(blank_nlp):
    doc = blank_nlp(
        "Es gewann Elias Trojer (21, Innsbruck) vor Hugo Delamare (Frankreich). "
        "Der Tiroler führt nun die Meisterschaft an."
    )
    description = next(m for m in doc._.mentions if m["kind"] == "description")
    assert doc._.people[description["person"]]["name"] == "Elias Trojer"


def _long_document(paragraphs: int) -> tuple[str, list[tuple[str, str]]]:
    """Paragraphs that each name a new pair of drivers; every second pair shares
    the surname ``Quellmann``, so surnames must go to the one named last."""
    syllables = ["ber", "dal", "fen", "gor", "hal", "kem", "lor", "mun", "nes", "pol", "rud", "sol", "tam", "wen"]
    pairs, parts = [], []
    for number in range(paragraphs):
        first = "Quellmann" if number % 2 else "Ost" + syllables[number % 14] + syllables[number // 14 % 14] + "ow"
        second = "Vel" + syllables[number // 14 % 14] + syllables[number % 14] + "ert"
        given_first, given_second = ("Lena", "Tom") if number % 2 else ("Jonas", "Mira")
        pairs.append((f"{given_first} {first}", f"{given_second} {second}"))
        parts.append(f"{given_first} {first} und {given_second} {second} fuhren gemeinsam. Das Duo lag lange vorn. "
                     f"{first} übergab an {second}.")
    return "\n\n".join(parts), pairs


def test_long_document_links_every_surname_and_group_to_its_own_paragraph(blank_nlp):
    text, pairs = _long_document(240)
    doc = blank_nlp(text)
    people = doc._.people
    paragraph_starts = [0]
    for number in range(1, len(pairs)):
        paragraph_starts.append(text.index("\n\n", paragraph_starts[-1]) + 2)
    surnames = [m for m in doc._.mentions if m["kind"] == "surname"]
    assert len(surnames) == 2 * len(pairs)
    for mention in surnames:
        number = sum(1 for start in paragraph_starts if start <= mention["start_char"]) - 1
        assert people[mention["person"]]["name"] in pairs[number], mention
    groups = doc.spans["group_mentions"]
    assert len(groups) == 2 * len(pairs)
    for span in groups:
        number = sum(1 for start in paragraph_starts if start <= span.start_char) - 1
        assert people[int(span.kb_id_)]["name"] in pairs[number]


def test_a_list_with_one_known_surname_names_drivers(blank_nlp):
    doc = blank_nlp("Jonas Amselberg gewann. Das Schwesterauto mit Kolbeck, Rendler, Amselberg und Wirtz fiel aus.")
    assert {row["driver"] for row in doc._.drivers} == {"Jonas Amselberg", "Kolbeck", "Rendler", "Wirtz"}


def test_a_list_after_a_nationality_names_drivers(blank_nlp):
    doc = blank_nlp("Für die Österreicher war der Lauf zum Vergessen, Quastl, Wendlinger und Obrecht kamen nicht ins Ziel.")
    assert {row["driver"] for row in doc._.drivers} == set()
    doc = blank_nlp("Kein Glück hatten die Österreicher Quastl, Wendlinger und Obrecht.")
    assert {row["driver"] for row in doc._.drivers} == {"Quastl", "Wendlinger", "Obrecht"}


def test_crews_written_with_genitive_looking_surnames(blank_nlp):
    doc = blank_nlp("Ergebnis: 2. Wyatt/Tate/Brook (GB/GB/GB), Ferrari 488 GT3, 90 Runden")
    assert {row["driver"]: row["hometown"] for row in doc._.drivers} == {"Wyatt": "GB", "Tate": "GB", "Brook": "GB"}


def test_descriptions_resolve_alike_from_the_records_and_from_the_people_index(blank_nlp, monkeypatch):
    """A document with few people scans their records per description, one with many
    indexes them (PeopleByDescription): both must pick the same people."""
    from pipeline.components import names

    text = ("Es gewann Elias Trojer (21, Innsbruck) vor Hugo Delamare (Frankreich) und Nele Brandhorst (Kiel). "
            "Der Tiroler führt nun die Meisterschaft an. Der Franzose war zufrieden. "
            "Die Kielerin hatte Pech. Der 21-Jährige bleibt vorn.")

    def descriptions():
        doc = blank_nlp(text)
        return [(m["text"], doc._.people[m["person"]]["name"]) for m in doc._.mentions if m["kind"] == "description"]

    scanned = descriptions()
    monkeypatch.setattr(names, "SCAN_PEOPLE_LIMIT", 0)
    assert descriptions() == scanned
    assert scanned == [("Der Tiroler", "Elias Trojer"), ("Der Franzose", "Hugo Delamare"),
                       ("Die Kielerin", "Nele Brandhorst"), ("Der 21-Jährige", "Elias Trojer")]
