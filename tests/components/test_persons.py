"""Drivers and officials on spacy.blank("de"), one test per shape in DOMAIN.md.

All sentences are written for these tests; the names are invented.
"""



def names(doc, label=None):
    return {e._.canonical for e in doc.ents if label is None or e.label_ == label}


def test_title_noun_before_unknown_name(blank_nlp):
    # "Quirin" and "Xaver" may be missing from the given-name list: the title carries the name.
    doc = blank_nlp("Werksfahrer Quirin Mahlstedt und Porsche-Junior Xaver Trautwein teilen sich ein Auto.")
    assert {"Quirin Mahlstedt", "Xaver Trautwein"} <= names(doc, "DRIVER")


def test_official_with_role_is_a_person_not_a_driver(blank_nlp):
    doc = blank_nlp(
        "Teamchef Arnold Kiesewetter war zufrieden. Auch Renate Ulbrich, Leiterin Motorsport bei Vandermolen, lobte das Team."
    )
    people = {p["name"]: p for p in doc._.people}
    assert people["Arnold Kiesewetter"]["kind"] == "person"
    assert people["Arnold Kiesewetter"]["role"] == "Teamchef"
    assert people["Renate Ulbrich"]["role"].startswith("Leiterin Motorsport")
    assert not doc._.drivers


def test_driver_named_only_by_surname_after_a_quote(blank_nlp):
    doc = blank_nlp("Hauke Tiedemann siegte. „Das war ein harter Kampf“, sagte Okonkwo. Okonkwo wurde Zweiter.")
    assert "Okonkwo" in names(doc, "DRIVER")
    assert doc._.quotes[0]["speaker"] == "Okonkwo"


def test_driver_named_only_by_surname_before_a_colon_quote(blank_nlp):
    doc = blank_nlp(
        "Doppelsieg in Spa.\n\n"
        "Vandersteen (911 GT3 R #92): „Die Strategie ging voll auf.“\n\n"
        "Kalinowski meinte: „Am Ende fehlte nicht viel.“"
    )
    assert {"Vandersteen", "Kalinowski"} <= names(doc, "DRIVER")
    assert [q["speaker"] for q in doc._.quotes] == ["Vandersteen", "Kalinowski"]


def test_surname_after_a_title_noun_is_a_driver(blank_nlp):
    doc = blank_nlp("Den zweiten Platz holte sein Teamkollege Castellani. Castellani war zufrieden.")
    assert "Castellani" in names(doc, "DRIVER")


def test_single_words_in_other_slots_are_not_people(blank_nlp):
    doc = blank_nlp(
        "Fazit: „Ein gutes Wochenende für alle.“\n\n"
        "„Wir kommen wieder“, sagte Porsche. Rosenheim jubelte. „Stark“, so Sonntag."
    )
    assert not doc._.people


def test_a_surname_of_a_full_name_stays_that_persons(blank_nlp):
    doc = blank_nlp("Lena Hofbauer gewann. „Perfekt“, sagte Hofbauer.")
    assert [p["name"] for p in doc._.people] == ["Lena Hofbauer"]
    assert doc._.quotes[0]["speaker"] == "Lena Hofbauer"


def test_an_adjective_and_noun_opening_a_headline_are_no_name(blank_nlp):
    doc = blank_nlp("Erfolgreiches Wochenende für Bergmann Racing in Zolder\n\nOle Brandtberg wurde Neunter.")
    assert [p["name"] for p in doc._.people] == ["Ole Brandtberg"]


def test_a_role_in_brackets_makes_a_person(blank_nlp):
    doc = blank_nlp(
        "Jonas Wehrlein (Fahrer #7): „Der Start war gut.“\n\nKatrin Albersmeyer (Teamchefin): „Wichtige Punkte.“"
    )
    people = {p["name"]: p for p in doc._.people}
    assert (people["Katrin Albersmeyer"]["kind"], people["Katrin Albersmeyer"]["role"]) == ("person", "Teamchefin")
    assert people["Jonas Wehrlein"]["kind"] == "driver"


def test_a_surname_in_capitals_after_a_given_name(blank_nlp):
    doc = blank_nlp("Pos. 3 #12 Henrik OBERHALT (CH) Audi R8 LMS evo II. Dahinter kam Lena BMW-Fahrerin.")
    assert "Henrik OBERHALT" in names(doc, "DRIVER")


def test_names_with_initials(blank_nlp):
    doc = blank_nlp("Dritter wurde J. P. Oliveira vor M. Schumacher. „Gut“, sagte Oliveira. Platz A. blieb frei.")
    assert {"J. P. Oliveira", "M. Schumacher"} == names(doc, "DRIVER")
    assert doc._.quotes[0]["speaker"] == "J. P. Oliveira"


def test_adjective_noun_openings_are_no_names(blank_nlp):
    for text in ("Volle Attacke bis zur Zielflagge, sagte der Teamchef.", "Rote Flagge in Runde 12.",
                 "Trockene Bedingungen erwarteten die Fahrer am Sonntag."):
        assert not blank_nlp(text)._.people, text


def test_a_given_name_after_von_opens_a_new_name(blank_nlp):
    doc = blank_nlp("Starke Leistung von Lena Hofbauer beim Großen Preis von Österreich.")
    assert [p["name"] for p in doc._.people] == ["Lena Hofbauer"]


def test_names_that_extend_each_other_merge_into_the_longest(blank_nlp):
    # A chain "A B" < "A B C" < "A B C D" once left a mention on a merged record (KeyError → E109).
    doc = blank_nlp("Lena Brandt Ovar gewann. Lena Brandt fuhr. Lena Brandt Ovar Quell siegte.")
    assert [person["name"] for person in doc._.people] == ["Lena Brandt Ovar Quell"]
    assert {mention["person"] for mention in doc._.mentions} == {0}


def test_a_random_run_of_capitalised_words_does_not_fail(blank_nlp):
    words = ["Lena", "Brandt", "Ovar", "Quell", "Tom", "Hagen", "Werksfahrer", "Rosenheim", "Teamchef", "Jonas"]
    text = " ".join(words[(number * 7 + number // 3) % len(words)] for number in range(3_000))
    doc = blank_nlp(text)
    assert all(0 <= mention["person"] < len(doc._.people) for mention in doc._.mentions)


def _drivers(doc) -> set[str]:
    return {row["driver"] for row in doc._.drivers}


def test_given_names_written_without_accents(blank_nlp):
    doc = blank_nlp("Am Ende jubelte Stephane Morvanec vor dem Rest des Feldes.")
    assert "Stephane Morvanec" in _drivers(doc)


def test_surname_ending_like_a_title_after_a_given_name(blank_nlp):
    doc = blank_nlp("Die Werksfahrer Jonas Quellmeister und Tim Kuhlbrandt lagen vorn.")
    assert _drivers(doc) == {"Jonas Quellmeister", "Tim Kuhlbrandt"}


def test_sentence_openers_written_in_lower_case_start_no_name(blank_nlp):
    doc = blank_nlp("Starker Auftakt für Jonas Veltmann\n\nZumindest Testfahrten wurden Jonas Veltmann versprochen. "
                    "Engste Verfolger sind jetzt Lea Brandis und Tim Hoyer.")
    assert _drivers(doc) == {"Jonas Veltmann", "Lea Brandis", "Tim Hoyer"}


def test_multi_word_towns_are_not_names(blank_nlp):
    doc = blank_nlp("Das Team von Jonas Veltmann gewann in Buenos Aires (Argentinien) das Finale.")
    assert _drivers(doc) == {"Jonas Veltmann"}


def test_two_surnames_or_a_genitive_are_not_a_new_name(blank_nlp):
    doc = blank_nlp("Dirk Amselberg und Uwe Lerchner fuhren vorn. Dann setzte Lerchner Amselberg unter Druck, "
                    "und Kai Frohn fuhr an Amselbergs Seite ins Ziel.")
    assert _drivers(doc) == {"Dirk Amselberg", "Uwe Lerchner", "Kai Frohn"}


def test_ordinal_nouns_and_family_words_make_no_driver(blank_nlp):
    doc = blank_nlp("Kai Frohn wurde dank der Strafe gegen die Ferrari-Fahrer Fünfter. Ehefrau Ulla jubelte an der Box.")
    assert _drivers(doc) == {"Kai Frohn"}


def test_capitalised_particle_surname_is_the_full_name(blank_nlp):
    doc = blank_nlp("Lucas di Brasco gewann vor Tom Ulmer. Di Brasco führt nun. Ten Hoorne, Lars ten Hoorne (NL), wurde Dritter.")
    assert _drivers(doc) == {"Lucas di Brasco", "Tom Ulmer", "Lars ten Hoorne"}


def test_official_with_academic_title_is_a_person(blank_nlp):
    doc = blank_nlp("„Ein starkes Rennen“, sagte Audi-Motorsportchef Dr. Wolfram Ulmtaler über Tim Hagel.")
    assert _drivers(doc) == {"Tim Hagel"}
    assert [p["kind"] for p in doc._.people if p["name"] == "Wolfram Ulmtaler"] == ["person"]


def test_junior_and_senior_stay_apart(blank_nlp):
    doc = blank_nlp("Es siegte Horst Felbach jr. vor Horst Felbach sen. und Tom Ulmer.")
    assert _drivers(doc) == {"Horst Felbach jr.", "Horst Felbach sen.", "Tom Ulmer"}


def test_nickname_between_given_name_and_surname(blank_nlp):
    doc = blank_nlp("Sein Teamkollege Aarne 'Aki' Rautio fuhr stark. Aki Rautio wurde Zweiter.")
    assert _drivers(doc) == {"Aarne Rautio"}


def test_a_relative_introduced_with_a_bracket_is_a_driver(blank_nlp):
    doc = blank_nlp("Es gewann Arno Leclaire (18, Monaco), dessen Bruder Carlo (21) in der Formel 1 fährt. Ehefrau Ulla jubelte.")
    assert _drivers(doc) == {"Arno Leclaire", "Carlo"}


def test_double_initials_as_a_given_name(blank_nlp):
    doc = blank_nlp("Es siegten Marc Werland (Ermingen) und JJ Lahtinen (Finnland).")
    assert _drivers(doc) == {"Marc Werland", "JJ Lahtinen"}


def test_name_particles_come_from_the_rule_files(tmp_path):
    """A particle added to an edited copy of name_words.tsv joins a given name and a surname."""
    import spacy

    from helpers import rules_copy_with
    from pipeline.api import DEFAULT_COMPONENTS

    root = rules_copy_with(tmp_path, "name_words.tsv", "name_particle\tvel")
    text = "Am Ende gewann Lena vel Quastorf das Rennen."

    def people(rules_dir):
        nlp = spacy.blank("de")
        nlp.add_pipe("sentencizer")
        for name in DEFAULT_COMPONENTS:
            nlp.add_pipe(name, config={"rules_dir": rules_dir} if name == "motorsport_persons" else {})
        return [person["name"] for person in nlp(text)._.people]

    assert "Lena vel Quastorf" not in people(None)
    assert "Lena vel Quastorf" in people(str(root))
