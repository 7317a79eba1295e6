"""Speaker attribution: every cue shape, resolution of pronouns and
descriptions, continuation, and the component's plumbing."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.components.attribution import Attributor, SpeakerAttribution

from .conftest import annotate, build_nlp, person


def speakers(doc) -> list:
    return [q["speaker"] for q in doc._.quotes]


def methods(doc) -> list:
    return [q["method"] for q in doc._.quotes]


def cues(doc) -> list:
    return [q["cue"] for q in doc._.quotes]


# ------------------------------------------------------------ after_cue


def test_verb_then_name(quote_nlp):
    text = "„Das war knapp“, sagte Lena Hofer. „Die Reifen waren am Ende“, erklärte Jonas Keller im Ziel."
    doc = annotate(quote_nlp, text, [person("Lena Hofer", gender="f"), person("Jonas Keller")])
    assert speakers(doc) == ["Lena Hofer", "Jonas Keller"]
    assert methods(doc) == ["after_cue", "after_cue"]
    assert cues(doc) == ["sagte", "erklärte"]
    assert all(q["confidence"] >= 0.9 for q in doc._.quotes)
    assert [q["speaker_kind"] for q in doc._.quotes] == ["driver", "driver"]


def test_reflexive_and_particle_cues(quote_nlp):
    text = ("Lena Hofer und Jonas Keller fuhren aufs Podium. „Ein toller Tag“, freute sich Hofer. "
            "„Mehr war nicht drin“, ärgerte sich Keller. „Ich bin froh“, fügte Hofer hinzu. "
            "„Wir kommen wieder“, gab Keller zu Protokoll. „Platz zwei ist gut“, zeigte sich Hofer zufrieden. "
            "„Das war mein Fehler“, räumte Keller ein.")
    doc = annotate(quote_nlp, text, [person("Lena Hofer"), person("Jonas Keller")])
    assert speakers(doc) == ["Lena Hofer", "Jonas Keller"] * 3
    assert cues(doc) == ["freute sich", "ärgerte sich", "fügte … hinzu", "gab … zu Protokoll", "zeigte sich",
                         "räumte … ein"]
    assert set(methods(doc)) == {"after_cue"}


def test_so_and_title_before_the_name(quote_nlp):
    text = ("„Ein perfektes Wochenende“, so Teamchef Arne Wolff. "
            "„Wir bleiben dran“, so Sportdirektor Paul Brenner.")
    people = [person("Arne Wolff", kind="person", role="Teamchef"), person("Paul Brenner", kind="person")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Arne Wolff", "Paul Brenner"]
    assert cues(doc) == ["so", "so"]
    assert [q["speaker_role"] for q in doc._.quotes] == ["Teamchef", None]
    assert [q["speaker_kind"] for q in doc._.quotes] == ["person", "person"]


def test_unknown_verb_in_cue_position_still_counts(quote_nlp):
    text = "„Das ist ein Traum“, frohlockte Jonas Keller. „Schade“, grummelte er."
    doc = annotate(quote_nlp, text, [person("Jonas Keller", gender="m")])
    assert speakers(doc) == ["Jonas Keller", "Jonas Keller"]
    assert methods(doc) == ["after_cue", "pronoun"]
    assert doc._.quotes[0]["confidence"] < 0.9  # positional only: a bit less sure


def test_role_from_apposition_when_the_record_has_none(quote_nlp):
    text = "„Wir sind stolz auf das Team“, sagte Arne Wolff, Leiter Motorsport der Firma, nach dem Rennen."
    doc = annotate(quote_nlp, text, [person("Arne Wolff", kind="person")])
    assert speakers(doc) == ["Arne Wolff"]
    assert doc._.quotes[0]["speaker_role"] == "Leiter Motorsport der Firma"


def test_relative_clause_is_not_a_role(quote_nlp):
    text = "„Wir haben alles gegeben“, sagte Jonas Keller, der das Auto als Startfahrer übernahm."
    doc = annotate(quote_nlp, text, [person("Jonas Keller")])
    assert doc._.quotes[0]["speaker_role"] is None


# ----------------------------------------------------------- before_cue


def test_colon_introductions(quote_nlp):
    text = (
        "Lena Hofer meinte: „Das Auto war stark.“ Teamchef Arne Wolff zog Bilanz: „Ein guter Tag für uns.“ "
        "Jonas Keller: „Morgen greifen wir an.“ Marc Vidal (911 RSR #911): „Wir sind bereit.“\n\n"
        "Auch Ole Sand kann den Start kaum erwarten: »Die Atmosphäre ist einzigartig.«"
    )
    people = [person("Lena Hofer"), person("Arne Wolff", kind="person", role="Teamchef"), person("Jonas Keller"),
              person("Marc Vidal"), person("Ole Sand")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Lena Hofer", "Arne Wolff", "Jonas Keller", "Marc Vidal", "Ole Sand"]
    assert set(methods(doc)) == {"before_cue"}
    assert cues(doc)[:2] == ["meinte:", "zog Bilanz:"]


def test_subject_of_a_sentence_with_a_partial_quote(quote_nlp):
    text = ("Jonas Keller fuhr vor Lena Hofer ins Ziel. Kellers Teamkollege Marc Vidal kam als Zwölfter an und "
            "sprach anschließend von einem „Wochenende zum Vergessen“. Hofer lobte Keller, der „keinen Fehler“ "
            "gemacht habe.")
    doc = annotate(quote_nlp, text, [person("Jonas Keller"), person("Lena Hofer"), person("Marc Vidal")])
    assert speakers(doc) == ["Marc Vidal", "Lena Hofer"]
    assert methods(doc) == ["before_cue", "before_cue"]
    assert cues(doc)[0] == "sprach von"
    assert all(q["is_partial"] for q in doc._.quotes)


def test_object_names_are_not_the_subject(quote_nlp):
    text = "Über Jonas Keller sagte Lena Hofer, er sei „der schnellste Mann im Feld“ gewesen."
    doc = annotate(quote_nlp, text, [person("Jonas Keller"), person("Lena Hofer")])
    assert speakers(doc) == ["Lena Hofer"]


def test_cue_between_two_halves_of_a_quote(quote_nlp):
    text = "„Uns fehlte der Speed“, analysierte Jonas Keller, „in den Kurven waren wir dagegen gleich schnell.“"
    doc = annotate(quote_nlp, text, [person("Jonas Keller")])
    assert speakers(doc) == ["Jonas Keller", "Jonas Keller"]


def test_names_inside_quotes_are_not_speakers(quote_nlp):
    text = "Lena Hofer sagte: „Jonas Keller hat mir den Sieg geschenkt.“ „Danke an Jonas.“"
    doc = annotate(quote_nlp, text, [person("Lena Hofer"), person("Jonas Keller")])
    assert speakers(doc) == ["Lena Hofer", "Lena Hofer"]
    assert methods(doc) == ["before_cue", "continuation"]


# --------------------------------------------------------- continuation


def test_continuation_in_same_and_next_paragraph(quote_nlp):
    text = ("„Das Auto lag perfekt“, sagte Lena Hofer. „Im letzten Sektor lief alles.“\n\n"
            "„Darauf bin ich stolz.“\n\nJonas Keller wurde Dritter. „Mehr ging nicht.“")
    doc = annotate(quote_nlp, text, [person("Lena Hofer"), person("Jonas Keller")])
    assert speakers(doc)[:3] == ["Lena Hofer"] * 3
    assert methods(doc)[:3] == ["after_cue", "continuation", "continuation"]
    assert doc._.quotes[2]["confidence"] < doc._.quotes[1]["confidence"]
    # another person was named before the last quote: not a continuation of Hofer
    assert doc._.quotes[3]["speaker"] != "Lena Hofer"


def test_no_continuation_across_another_name_without_context(lexicons):
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("motorsport_quotes")
    nlp.add_pipe("motorsport_attribution", config={"resolve_context": False})
    nlp.get_pipe("motorsport_quotes").lexicons = lexicons
    nlp.get_pipe("motorsport_attribution").lexicons = lexicons
    text = "„Das Auto lag perfekt“, sagte Lena Hofer. Jonas Keller wurde Dritter. „Mehr ging nicht.“"
    doc = annotate(nlp, text, [person("Lena Hofer"), person("Jonas Keller")])
    assert speakers(doc) == ["Lena Hofer", None]
    assert methods(doc) == ["after_cue", "unresolved"]


def test_context_pass_takes_the_subject_of_the_sentence_before(quote_nlp):
    text = "„Das Auto lag perfekt“, sagte Lena Hofer. Jonas Keller wurde Dritter. „Mehr ging nicht.“"
    doc = annotate(quote_nlp, text, [person("Lena Hofer"), person("Jonas Keller")])
    assert speakers(doc) == ["Lena Hofer", "Jonas Keller"]
    assert methods(doc) == ["after_cue", "context"]
    assert doc._.quotes[1]["confidence"] < 0.5


def test_quote_without_cue_takes_the_cue_of_the_next_quote(quote_nlp):
    text = "Jonas Keller stand vor Lena Hofer.\n\n„Das war knapp.“ „Wirklich sehr knapp“, sagte Hofer."
    doc = annotate(quote_nlp, text, [person("Jonas Keller"), person("Lena Hofer")])
    assert speakers(doc) == ["Lena Hofer", "Lena Hofer"]
    assert methods(doc) == ["continuation", "after_cue"]


def test_continuation_beats_the_next_quotes_cue(quote_nlp):
    text = ("„Spa ist die schönste Strecke“, sagte Marc Vidal. „Als es zu nieseln begann, blieben wir ruhig.“ "
            "„Die Reifen waren am Ende“, ergänzte der Belgier.")
    people = [person("Marc Vidal", hometown="F"), person("Tom Verbeke", nationality="Belgien")]
    doc = annotate(quote_nlp, "Tom Verbeke fuhr mit. " + text, people)
    assert speakers(doc) == ["Marc Vidal", "Marc Vidal", "Tom Verbeke"]
    assert methods(doc) == ["after_cue", "continuation", "description"]


def test_two_speakers_taking_turns(quote_nlp):
    text = ("„Ich war schneller“, sagte Lena Hofer. „Nein, ich“, konterte Jonas Keller. "
            "„Beweise es“, sagte Hofer. „Gern“, sagte Keller. „Gut.“")
    doc = annotate(quote_nlp, text, [person("Lena Hofer"), person("Jonas Keller")])
    assert speakers(doc) == ["Lena Hofer", "Jonas Keller", "Lena Hofer", "Jonas Keller", "Jonas Keller"]


# -------------------------------------------------------------- pronoun


def test_pronoun_prefers_matching_gender(quote_nlp):
    text = ("Lena Hofer gewann vor Jonas Keller. „Ich kann es kaum glauben“, sagte sie. "
            "„Sie war heute besser“, meinte er.")
    doc = annotate(quote_nlp, text, [person("Lena Hofer", gender="f"), person("Jonas Keller", gender="m")])
    assert speakers(doc) == ["Lena Hofer", "Jonas Keller"]
    assert methods(doc) == ["pronoun", "pronoun"]
    assert cues(doc) == ["sagte", "meinte"]


def test_pronoun_gender_from_a_feminine_title(quote_nlp):
    text = ("Die Werksfahrerin Mira Lenz siegte vor Paul Brenner. Brenner wurde Zweiter. "
            "„Ich bin überglücklich“, sagte sie.")
    people = [person("Mira Lenz", titles=["Werksfahrerin"]), person("Paul Brenner")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Mira Lenz"]


def test_pronoun_without_gender_takes_the_most_recent_person(quote_nlp):
    text = "Jonas Keller fuhr ein starkes Rennen. „Das hat Spaß gemacht“, sagte er."
    doc = annotate(quote_nlp, text, [person("Lena Hofer"), person("Jonas Keller")])
    assert speakers(doc) == ["Jonas Keller"]
    assert doc._.quotes[0]["confidence"] < 0.8


def test_pronoun_in_a_clause_before_a_partial_quote(quote_nlp):
    text = "Ole Sand wurde Dritter. Über seinen Start sagte er, dieser sei „der beste meiner Karriere“ gewesen."
    doc = annotate(quote_nlp, text, [person("Ole Sand", gender="m")])
    assert speakers(doc) == ["Ole Sand"]
    assert methods(doc) == ["pronoun"]


# ---------------------------------------------------------- description


def test_nationality_and_hometown_country(quote_nlp):
    text = ("Der Franzose Marc Vidal siegte vor Sanna Kivi (FIN) und Tom Verbeke (Belgien). "
            "„Ein perfektes Rennen“, ergänzte der Franzose. „Ich war zu vorsichtig“, meinte die Finnin. "
            "„Nächstes Mal“, sagte der Belgier.")
    people = [person("Marc Vidal", nationality="Frankreich"), person("Sanna Kivi", hometown="FIN", gender="f"),
              person("Tom Verbeke", hometown="Belgien")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Marc Vidal", "Sanna Kivi", "Tom Verbeke"]
    assert methods(doc) == ["description"] * 3
    assert all(q["confidence"] >= 0.8 for q in doc._.quotes)


def test_age_title_and_place_demonyms(quote_nlp):
    text = ("Ole Sand (27) aus Gütersloh gewann vor Titelverteidiger Kai Roth und Nils Graf (Innsbruck). "
            "„Das war ein Traum“, sagte der 27-Jährige. „Ich bin zufrieden“, sagte der Titelverteidiger. "
            "„Auch gut“, fügte der Gütersloher hinzu. „Schön“, jubelte der Innsbrucker.")
    people = [person("Ole Sand", age=27, hometown="Gütersloh"), person("Kai Roth", titles=["Titelverteidiger"]),
              person("Nils Graf", hometown="Innsbruck")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Ole Sand", "Kai Roth", "Ole Sand", "Nils Graf"]
    assert methods(doc) == ["description"] * 4
    assert cues(doc)[2] == "fügte … hinzu"


def test_region_demonym_and_compound_title(quote_nlp):
    text = ("Porsche-Werksfahrer Kai Roth gewann vor Nils Graf (Tirol). „Starke Leistung“, sagte der Tiroler. "
            "„Danke“, sagte der Porsche-Werksfahrer.")
    people = [person("Kai Roth", titles=["Porsche-Werksfahrer"]), person("Nils Graf", hometown="Tirol")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Nils Graf", "Kai Roth"]


def test_description_without_a_fit_falls_back_to_recent_driver(quote_nlp):
    text = "Ole Sand (27) siegte. Für Nils Graf war es das erste Podium. „Ein Traum“, sagte der 23-Jährige."
    doc = annotate(quote_nlp, text, [person("Ole Sand", age=27), person("Nils Graf")])
    assert speakers(doc) == ["Nils Graf"]
    assert methods(doc) == ["description"]
    assert doc._.quotes[0]["confidence"] <= 0.5


def test_contradicting_description_is_not_forced(quote_nlp):
    text = "Ole Sand (Frankreich) siegte. „Ein Traum“, sagte der Finne."
    doc = annotate(quote_nlp, text, [person("Ole Sand", hometown="Frankreich")])
    assert speakers(doc) == [None]
    assert methods(doc) == ["unresolved"]


def test_description_mention_from_the_entity_layer(quote_nlp):
    text = "Tom Verbeke fuhr vor. „Es lief gut“, sagte der Routinier."
    mentions = [("Tom Verbeke", 0, "name"), ("der Routinier", 0, "description")]
    doc = annotate(quote_nlp, text, [person("Tom Verbeke")], mentions)
    assert speakers(doc) == ["Tom Verbeke"]
    assert methods(doc) == ["description"]


def test_same_surname_senior_and_mentions_resolved_upstream(quote_nlp):
    text = ("Livo Brand (20) siegte vor seinem Vater Urs Brand (52). «Zwei Siege», sagte Livo Brand. "
            "«Ich habe ihm nichts geschenkt», meinte Brand senior. «Er fährt sauber», sagte Brand.")
    people = [person("Livo Brand", age=20), person("Urs Brand", age=52)]
    # the entity layer resolved the last bare "Brand" to the son
    mentions = [("Livo Brand", 0, "name"), ("Urs Brand", 1, "name"), ("Livo Brand", 0, "name", 1),
                ("Brand", 0, "surname", 3), ("Brand", 0, "surname", 4)]
    doc = annotate(quote_nlp, text, people, mentions)
    assert speakers(doc) == ["Livo Brand", "Urs Brand", "Livo Brand"]
    assert methods(doc) == ["after_cue", "description", "after_cue"]


# ------------------------------------------------------------- robustness


def test_missing_entity_layer_leaves_quotes_unresolved(quote_nlp):
    text = "„Das war knapp“, sagte Lena Hofer. „Noch was“, sagte er."
    for people, mentions in ((None, None), ([], [])):
        doc = quote_nlp.make_doc(text)
        doc._.people, doc._.mentions = people, mentions
        for _, proc in quote_nlp.pipeline:
            doc = proc(doc)
        assert speakers(doc) == [None, None]
        assert methods(doc) == ["unresolved", "unresolved"]
        assert [q["speaker_kind"] for q in doc._.quotes] == ["unknown", "unknown"]


def test_cue_without_a_known_person_stays_unresolved(quote_nlp):
    text = "Lena Hofer wurde Dritte. „Wir prüfen den Vorfall“, sagte ein Sprecher der Rennleitung."
    doc = annotate(quote_nlp, text, [person("Lena Hofer")])
    assert speakers(doc) == [None]
    assert cues(doc) == ["sagte"]


def test_broken_mentions_are_skipped(quote_nlp):
    doc = quote_nlp.make_doc("„Das war knapp“, sagte Lena Hofer.")
    doc._.people = [{"id": 0, "name": "Lena Hofer"}]
    doc._.mentions = [{"person": 7, "start_char": 22, "end_char": 32}, {"person": 0, "start_char": 22, "end_char": 32,
                                                                         "kind": "name", "text": "Lena Hofer"}]
    for _, proc in quote_nlp.pipeline:
        doc = proc(doc)
    assert speakers(doc) == ["Lena Hofer"]
    assert doc._.quotes[0]["speaker_kind"] == "unknown"  # the record has no kind


def test_works_without_rule_files(tmp_path):
    nlp = build_nlp(None)  # no lexicons at all: positional rules only
    text = "„Das war knapp“, sagte Lena Hofer. Jonas Keller meinte: „Gut gefahren.“ „Danke“, sagte sie."
    doc = annotate(nlp, text, [person("Lena Hofer", gender="f"), person("Jonas Keller", gender="m")])
    assert speakers(doc) == ["Lena Hofer", "Jonas Keller", "Lena Hofer"]


def test_many_quotes_with_people_stay_fast(quote_nlp):
    text = "Lena Hofer sagte: " + " ".join("„Ja“, sagte sie." for _ in range(5_000)) + "\n\n" + "»Nein " * 5_000
    doc = annotate(quote_nlp, text, [person("Lena Hofer", gender="f")])
    assert len(doc._.quotes) >= 5_000
    assert all(s == "Lena Hofer" for s in speakers(doc)[:5_000])


def test_parser_subject_is_extra_evidence(lexicons):
    words = ["Über", "Keller", "sprach", "Hofer", "von", "einer", "„", "perfekten", "Runde", "“", "."]
    heads = [1, 2, 2, 2, 2, 8, 8, 4, 4, 8, 2]
    deps = ["mo", "mo", "ROOT", "sb", "mo", "nk", "punct", "nk", "nk", "punct", "punct"]
    spaces = [True, True, True, True, True, True, False, True, False, False, False]
    nlp = build_nlp(lexicons)
    doc = Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps)
    text = doc.text
    doc._.people = [{**person("Jonas Keller"), "id": 0}, {**person("Lena Hofer"), "id": 1}]
    doc._.mentions = [
        {"person": 0, "start_char": text.index("Keller"), "end_char": text.index("Keller") + 6, "kind": "surname",
         "text": "Keller"},
        {"person": 1, "start_char": text.index("Hofer"), "end_char": text.index("Hofer") + 5, "kind": "surname",
         "text": "Hofer"},
    ]
    nlp.get_pipe("motorsport_quotes")(doc)
    nlp.get_pipe("motorsport_attribution")(doc)
    assert doc.has_annotation("DEP")
    assert speakers(doc) == ["Lena Hofer"]


# ---------------------------------------------------------- serialization


def test_pipeline_round_trip_through_spacy_load(tmp_path, lexicons):
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("motorsport_quotes", config={"long_quote_words": 9})
    nlp.add_pipe("motorsport_attribution", config={"max_cue_words": 5})
    nlp.to_disk(tmp_path / "model")
    assert (tmp_path / "model" / "motorsport_quotes" / "cfg").is_file()
    loaded = spacy.load(tmp_path / "model")
    assert loaded.pipe_names == ["sentencizer", "motorsport_quotes", "motorsport_attribution"]
    assert loaded.get_pipe("motorsport_quotes").cfg["long_quote_words"] == 9
    attribution = loaded.get_pipe("motorsport_attribution")
    assert isinstance(attribution, SpeakerAttribution) and attribution.cfg["max_cue_words"] == 5
    loaded.get_pipe("motorsport_quotes").lexicons = lexicons
    attribution.lexicons = lexicons
    doc = annotate(loaded, "„Das war knapp“, sagte Lena Hofer.", [person("Lena Hofer")])
    assert speakers(doc) == ["Lena Hofer"]
    other = spacy.blank("de").add_pipe("motorsport_attribution")
    other.from_bytes(attribution.to_bytes())
    assert other.cfg == attribution.cfg


def test_attributor_can_run_on_its_own(quote_nlp, lexicons):
    doc = annotate(quote_nlp, "„Gut“, sagte Lena Hofer.", [person("Lena Hofer")])
    doc._.quotes[0]["speaker"] = "falsch"
    Attributor(lexicons)(doc)
    assert speakers(doc) == ["Lena Hofer"]


# ------------------------------------------- checking the entity layer's links


def test_description_linked_to_the_wrong_person_is_rechecked(quote_nlp):
    # The entity layer linked "der Finne" to Roth and copied the nationality onto him.
    text = ("Kai Roth (Bremen) siegte vor Aki Laine (FIN). „Ein guter Tag“, sagte Roth. "
            "„Ich war zu langsam“, meinte der Finne. „Nächstes Mal“, sagte er.")
    people = [person("Kai Roth", hometown="Bremen", nationality="Finnland"), person("Aki Laine", hometown="FIN")]
    mentions = [("Kai Roth", 0, "name"), ("Aki Laine", 1, "name"), ("Roth", 0, "surname", 1),
                ("der Finne", 0, "description")]
    doc = annotate(quote_nlp, text, people, mentions)
    assert speakers(doc) == ["Kai Roth", "Aki Laine", "Aki Laine"]
    assert methods(doc) == ["after_cue", "description", "pronoun"]
    # the relabelling is the component's own reading: the entity layer's mentions stay as they were
    assert [m["person"] for m in doc._.mentions] == [0, 1, 0, 0]


def test_nationality_stated_elsewhere_is_still_evidence(quote_nlp):
    text = "Der Franzose Marc Vidal fuhr vor Ole Sand. Sand wurde Zweiter. „Sehr gut“, ergänzte der Franzose."
    people = [person("Marc Vidal", nationality="Frankreich"), person("Ole Sand")]
    mentions = [("Marc Vidal", 0, "name"), ("Ole Sand", 1, "name"), ("Sand", 1, "surname", 1),
                ("der Franzose", 0, "description")]
    doc = annotate(quote_nlp, text, people, mentions)
    assert speakers(doc) == ["Marc Vidal"]
    assert doc._.quotes[0]["confidence"] >= 0.8


def test_age_read_off_the_description_itself_is_no_evidence(quote_nlp):
    # "(19)" in the text; the entity layer linked "der 20-Jährige" to Graf and overwrote his age.
    text = "Nils Graf (19) wurde Dritter. Ole Sand gewann. „Die Reifen hielten“, sagte der 20-Jährige."
    people = [person("Nils Graf", age=20), person("Ole Sand")]
    mentions = [("Nils Graf", 0, "name"), ("Ole Sand", 1, "name"), ("der 20-Jährige", 0, "description")]
    doc = annotate(quote_nlp, text, people, mentions)
    assert speakers(doc) == ["Ole Sand"]


def test_names_in_the_cue_sentence_do_not_stop_a_continuation(quote_nlp):
    # a bogus "person" inside the speaker's apposition must not break the chain
    text = ("„Wir sind gut vorbereitet“, sagte Mira Lenz, Leiterin Kundensport Europa der Firma. "
            "„Jetzt zählt nur das Rennen.“")
    people = [person("Mira Lenz", kind="person", role="Leiterin Kundensport Europa der Firma"),
              person("Kundensport Europa", kind="person")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Mira Lenz", "Mira Lenz"]
    assert methods(doc) == ["after_cue", "continuation"]


def test_pronoun_right_after_a_quote_means_its_speaker(quote_nlp):
    text = ("Kai Roth fuhr vorn. Direktor Paul Brenner warnte: „Die Konkurrenz ist stark.“ "
            "Zugleich betonte er, das Team habe „einen großen Schritt“ gemacht.")
    people = [person("Kai Roth", gender="m"), person("Paul Brenner", kind="person")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Paul Brenner", "Paul Brenner"]
    assert methods(doc) == ["before_cue", "pronoun"]
    assert cues(doc)[1] == "betonte"


def test_er_takes_the_nearest_person_even_of_unknown_gender(quote_nlp):
    # Given names rarely say "male": a known man further back must not beat the
    # person just named.
    text = ("Der Belgier Joris Maes gewann.\n\nSiebe Hoogland ärgerte sich über eine Strafe. "
            "„Das hat uns den Sieg gekostet“, sagte er.")
    people = [person("Joris Maes", gender="m"), person("Siebe Hoogland")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Siebe Hoogland"]


def test_pronoun_finds_the_gender_match_a_paragraph_back(quote_nlp):
    text = ("Mira Lenz ist Meisterin. Paul Brenner wurde Zweiter.\n\nDritter wurde Nils Graf.\n\n"
            "„Ich kann es nicht glauben“, sagte sie.")
    people = [person("Mira Lenz", gender="f"), person("Paul Brenner", gender="m"), person("Nils Graf")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Mira Lenz"]


def test_sein_teamkollege_is_the_other_driver_of_the_team(quote_nlp):
    text = ("Jonas Keller und Lena Hofer siegten, Max Ortner wurde Dritter. "
            "Keller sagte: „Alles hat gepasst.“ Sein Teamkollege ergänzte: „Ein super Gefühl.“")
    people = [person("Jonas Keller", team="Hallig Racing"), person("Lena Hofer", gender="f", team="Hallig Racing"),
              person("Max Ortner", team="Brenner Motorsport")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Jonas Keller", "Lena Hofer"]
    assert methods(doc)[1] == "description"


def test_a_teammate_nobody_shares_a_team_with_stays_unresolved(quote_nlp):
    text = "Jonas Keller siegte. Keller sagte: „Alles hat gepasst.“ Sein Teamkollege ergänzte: „Schade.“"
    doc = annotate(quote_nlp, text, [person("Jonas Keller", team="Hallig Racing")])
    assert doc._.quotes[1]["speaker"] != "Jonas Keller"


def test_sie_after_a_speaker_of_unknown_gender_is_the_woman_named_nearby(quote_nlp):
    text = ("Ingrid Maurer fuhr auf Rang vier. Im Duell mit Bastien Rocher behielt sie die Oberhand. "
            "Rocher sprach von einem „fairen Duell“. „Das war mein bestes Rennen“, sagte sie.")
    doc = annotate(quote_nlp, text, [person("Ingrid Maurer", gender="f"), person("Bastien Rocher")])
    assert speakers(doc) == ["Bastien Rocher", "Ingrid Maurer"]


def test_die_22_jaehrige_is_a_known_woman_before_the_nearest_driver(quote_nlp):
    text = "Paula Werner und Tobias Kehl führen die Wertung an. „Das war hart“, sagte die 22-Jährige."
    doc = annotate(quote_nlp, text, [person("Paula Werner", gender="f"), person("Tobias Kehl")])
    assert speakers(doc) == ["Paula Werner"]


def test_sein_teamkollege_prefers_the_driver_named_with_the_speaker(quote_nlp):
    text = ("Jonas Keller fuhr auf Rang fünf. Im Schwesterauto kamen Tim Reiser und Ole Brandt auf Rang neun. "
            "„Platz neun ist okay“, meinte Reiser. Sein Teamkollege sah es ähnlich: „Mehr war nicht drin.“")
    people = [person("Jonas Keller", team="Hallig Racing"), person("Tim Reiser", team="Hallig Racing"),
              person("Ole Brandt", team="Hallig Racing")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Tim Reiser", "Ole Brandt"]


# ------------------------------------------------- real-text cue shapes


def test_description_with_a_name_after_it_is_the_name(quote_nlp):
    text = ("Das Duo Nils Graf und Ole Sand startet am Sonntag. "
            "„Die Strecke liegt uns“, erklärt der 21-jährige Schweizer Graf. "
            "„Wir wollen aufs Podium“, sagt der vom Verband geförderte Sand.")
    doc = annotate(quote_nlp, text, [person("Nils Graf"), person("Ole Sand")])
    assert speakers(doc) == ["Nils Graf", "Ole Sand"]
    assert methods(doc) == ["after_cue", "after_cue"]


def test_adjective_between_indefinite_article_and_name(quote_nlp):
    text = ("Kai Roth gewann vor Tom Verbeke. „Ich kam nicht vorbei“, sagte ein enttäuschter Tom Verbeke. "
            "„Das war hart“, meinte ein strahlender Roth.")
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Tom Verbeke")])
    assert speakers(doc) == ["Tom Verbeke", "Kai Roth"]


def test_sagte_ein_sprecher_still_names_nobody(quote_nlp):
    text = "Kai Roth gewann. „Wir prüfen das“, sagte ein neuer Sprecher."
    doc = annotate(quote_nlp, text, [person("Kai Roth")])
    assert speakers(doc) == [None]


def test_years_old_description_and_its_second_verb(quote_nlp):
    text = ("Marc Vidal (Frankreich) siegte mit Beifahrer Kai Roth vor Nils Graf. "
            "„Ich bin glücklich“, erklärte der 41 Jahre alte Franzose im Ziel und lobte seinen Beifahrer Kai Roth: "
            "„Wir haben keine Fehler gemacht.“")
    people = [person("Marc Vidal", hometown="Frankreich"), person("Kai Roth"), person("Nils Graf")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Marc Vidal", "Marc Vidal"]


def test_age_description_with_an_adverb(quote_nlp):
    text = "Ole Sand (27) siegte vor Kai Roth (31). „Ich war früh dran“, blickte der heute 31-Jährige zurück."
    doc = annotate(quote_nlp, text, [person("Ole Sand", age=27), person("Kai Roth", age=31)])
    assert speakers(doc) == ["Kai Roth"]
    assert doc._.quotes[0]["confidence"] >= 0.8


def test_unfitting_description_defers_to_the_name_of_the_next_quote(quote_nlp):
    text = ("Kai Roth fuhr lange hinter Ole Sand her und berührte ihn.\n\n"
            "„Ich steckte fest“, blickte der heute 50-Jährige zurück. „Er hat sich gewehrt“, so Roth weiter.")
    mentions = [("Kai Roth", 0, "name"), ("Ole Sand", 1, "name"), ("der heute 50-Jährige", 1, "description"),
                ("Roth", 0, "surname", 1)]
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Ole Sand")], mentions)
    assert speakers(doc) == ["Kai Roth", "Kai Roth"]


def test_description_of_an_official_falls_back_to_the_recent_official(quote_nlp):
    text = ("Kai Roth siegte. Arne Wolff lobte das Team. "
            "„Ein perfektes Wochenende“, so der neue Rennleiter.")
    people = [person("Kai Roth"), person("Arne Wolff", kind="person")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Arne Wolff"]


def test_name_before_a_colon_beats_a_description_after_the_quote(quote_nlp):
    text = ("Kai Roth siegte vor Nils Graf. Arne Wolff fand lobende Worte für seinen Piloten: "
            "„Kai hat den Unterschied gemacht“, so der Rennleiter.")
    people = [person("Kai Roth"), person("Nils Graf"), person("Arne Wolff")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Arne Wolff"]
    assert methods(doc) == ["before_cue"]


def test_title_abbreviation_between_verb_and_name(quote_nlp):
    text = "Kai Roth siegte. „Wir sind zufrieden“, erklärte Rennleiter Dr. Arne Wolff."
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Arne Wolff", kind="person")])
    assert speakers(doc) == ["Arne Wolff"]


def test_attribution_words_load_with_the_lexicons_and_are_checked(tmp_path):
    from helpers import rules_copy_with
    from pipeline.components.attribution import AttributionWords
    from pipeline.rules import RuleFileError, load_lexicons, load_lexicons_from

    words = AttributionWords.from_lexicons(load_lexicons())
    assert "hinzu" in words.particle and "Teamkollege" in words.teammate_noun
    assert words.pronoun_gender == {"er": "m", "sie": "f"} and words.seniority["jun."] == "younger"
    broken = rules_copy_with(tmp_path, "attribution_words.tsv", "verb\tsagte")
    with pytest.raises(RuleFileError, match="unknown class"):
        load_lexicons_from(broken)


def test_speaker_named_in_the_sentence_after_the_quote(quote_nlp):
    text = ("„Mit dem Auftakt bin ich sehr zufrieden.“ Das sagte Rennleiter und Teamchef Arne Wolff nach dem "
            "ersten Lauf der Saison.")
    doc = annotate(quote_nlp, text, [person("Arne Wolff", kind="person")])
    assert speakers(doc) == ["Arne Wolff"]
    assert methods(doc) == ["after_cue"]


def test_quote_that_goes_on_with_the_sentence_is_the_subjects(quote_nlp):
    text = ("Zufrieden war dagegen Kai Roth. Der Werksfahrer holte in seiner Klasse den „ersten von drei Siegen, "
            "die wir noch brauchen.“ Danach ging es heim.")
    doc = annotate(quote_nlp, text, [person("Kai Roth", titles=["Werksfahrer"])])
    assert speakers(doc) == ["Kai Roth"]


def test_context_subject_that_opens_the_sentence_before(quote_nlp):
    text = ("Arne Wolff sorgt sich nicht, dass Kai Roth noch lange warten muss. „Ich bin sicher, dass er bald "
            "gewinnt.“")
    doc = annotate(quote_nlp, text, [person("Arne Wolff", kind="person"), person("Kai Roth")])
    assert speakers(doc) == ["Arne Wolff"]
    assert methods(doc) == ["context"]


def test_context_pronoun_that_opens_the_sentence_before(quote_nlp):
    text = "Die Ideallinie hat auch Ole Sand gefunden. Er genoss den Sieg sichtlich. „Endlich hat es geklappt.“"
    doc = annotate(quote_nlp, text, [person("Ole Sand", gender="m")])
    assert speakers(doc) == ["Ole Sand"]
    assert methods(doc) == ["context"]


def test_context_the_only_person_of_the_paragraph(quote_nlp):
    text = ("Kai Roth siegte.\n\nEine starke Vorstellung zeigte Nils Graf. Schon im Training lief es gut. "
            "Der Sieg war sein erster. „Es ist ein großartiges Gefühl.“")
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Nils Graf")])
    assert speakers(doc) == ["Nils Graf"]
    assert methods(doc) == ["context"]


def test_context_needs_a_single_person(quote_nlp):
    text = "Kai Roth und Nils Graf fuhren mit. Der Tag war lang. „Es ist ein großartiges Gefühl.“"
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Nils Graf")])
    assert speakers(doc) == [None]


def test_speaker_line_above_the_quote_paragraph(quote_nlp):
    text = ("Kai Roth führte bis ins Ziel.\n\nKai Roth, Team Roth, Dallara F3\n\n„Ich hatte einen guten Start. "
            "Danach habe ich abgewartet.“\n\nNils Graf, Team Graf, Dallara F3\n\n„Ich bin zufrieden.“")
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Nils Graf")])
    assert speakers(doc) == ["Kai Roth", "Nils Graf"]
    assert methods(doc) == ["context", "context"]


def test_heading_quote_takes_the_speaker_of_the_paragraph_below(quote_nlp):
    text = ("Kai Roth gewann zum siebten Mal.\n\n„Habe mir einen Traum erfüllt“\n\n"
            "„Ich kann es kaum glauben“, sagte Roth im Ziel.")
    doc = annotate(quote_nlp, text, [person("Kai Roth")])
    assert speakers(doc) == ["Kai Roth", "Kai Roth"]
    assert methods(doc) == ["continuation", "after_cue"]


def test_continuation_past_a_name_after_a_preposition(quote_nlp):
    text = ("„Ein Traum wird wahr“, sagt Kai Roth. „Ich bin erfüllt von Freude.“ Seit 2019 fährt Roth für "
            "Arne Wolff und hatte schon Chancen. „Heute hatte ich das beste Auto.“\n\n„Wir wollten angreifen.“")
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Arne Wolff", kind="person")])
    assert speakers(doc) == ["Kai Roth"] * 4


def test_a_subject_between_still_stops_a_continuation(quote_nlp):
    text = "„Ein Traum“, sagt Kai Roth. Arne Wolff lobte Roth für die Fahrt. „Heute war alles perfekt.“"
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Arne Wolff", kind="person")])
    assert speakers(doc) == ["Kai Roth", "Arne Wolff"]
    assert methods(doc) == ["after_cue", "context"]


# ------------------------------------------------------- long documents

_SYLLABLES = ["Bar", "Kel", "Mor", "Tan", "Vel", "Dor", "Lin", "Rus", "Fen", "Gal", "Hol", "Pra", "Sil", "Wen"]
_COUNTRIES = [("Frankreich", "Franzose"), ("Finnland", "Finne"), ("Belgien", "Belgier"), ("Italien", "Italiener")]


def _release_block(i: int) -> tuple[str, list[dict]]:
    """One invented release paragraph: names unique to the block, every pass used."""
    first = _SYLLABLES[i % 14] + _SYLLABLES[(i // 14) % 14].lower() + "er"
    second = _SYLLABLES[(i + 5) % 14] + _SYLLABLES[(i // 14 + 3) % 14].lower() + "mann"
    boss = _SYLLABLES[(i + 9) % 14] + _SYLLABLES[(i // 14 + 7) % 14].lower() + "berg"
    country, noun = _COUNTRIES[i % 4]
    age = 20 + i % 15
    text = (f"Kai {first} ({country}) siegte vor Ole {second} ({age}). "
            f"„Das war knapp“, sagte der {noun}. „Ich bin zufrieden“, meinte der {age}-Jährige. "
            f"Ole {second} ärgerte sich trotzdem. „Schade“, sagte er. „Wir kommen wieder.“ "
            f"Arne {boss} meinte: „Ein gutes Wochenende.“ „Danke an alle“, so {boss}.\n\n")
    people = [person(f"Kai {first}", hometown=country), person(f"Ole {second}", age=age),
              person(f"Arne {boss}", kind="person")]
    return text, people


def test_long_document_gives_each_release_its_own_speakers(quote_nlp):
    """A 12,000-word document of 300 releases: every quote gets the speaker it
    gets when its release stands alone (indexes, caps and memos change nothing)."""
    blocks = [_release_block(i) for i in range(300)]
    alone = []
    for text, people in blocks[:12]:
        doc = annotate(quote_nlp, text, people)
        alone.append([(q["speaker"], q["method"]) for q in doc._.quotes])
    long_text = "".join(text for text, _ in blocks)
    long_people = [record for _, people in blocks for record in people]
    assert len(long_text.split()) > 12_000
    doc = annotate(quote_nlp, long_text, long_people)
    per_block = [[(q["speaker"], q["method"]) for q in doc._.quotes][i * 6:(i + 1) * 6] for i in range(300)]
    assert len(doc._.quotes) == 6 * 300
    assert per_block[:12] == alone
    for i, found in enumerate(per_block):
        _, people = blocks[i]
        kai, ole, arne = (p["name"] for p in people)
        assert [speaker for speaker, _ in found] == [kai, ole, ole, ole, arne, arne]


# ---------------------------------------- descriptions that fit nobody


def test_generic_title_is_no_evidence_for_a_compound_title(quote_nlp):
    text = ("Tim Ober (Rennsport Ober) siegte vor Nachwuchsfahrer Nils Graf. Seinen Sieg feierte Ober ausgelassen. "
            "„Ich bin der Sieger“, sagt der Fahrer des Teams Rennsport Ober.")
    people = [person("Tim Ober", team="Rennsport Ober"), person("Nils Graf", titles=["Nachwuchsfahrer"])]
    mentions = [("Tim Ober", 0, "name"), ("Nils Graf", 1, "name"), ("Ober", 0, "surname", 2),
                ("der Fahrer", 1, "description")]
    doc = annotate(quote_nlp, text, people, mentions)
    assert speakers(doc) == ["Tim Ober"]


def test_rival_after_gegen_is_not_the_one_described(quote_nlp):
    text = ("Das erlebte Kai Roth am eigenen Leib. Im Duell gegen Ole Sand verlor er Zeit. "
            "„Wir wurden gewarnt“, so der Porsche-Pilot.")
    mentions = [("Kai Roth", 0, "name"), ("Ole Sand", 1, "name"), ("der Porsche-Pilot", 1, "description")]
    doc = annotate(quote_nlp, text, [person("Kai Roth"), person("Ole Sand")], mentions)
    assert speakers(doc) == ["Kai Roth"]
    assert methods(doc) == ["description"]


def test_nationality_after_a_team_boss_in_the_same_paragraph(quote_nlp):
    text = ("Ole Sand wurde Siebter.\n\nZufrieden ist auch Teamchef Arne Wolff. "
            "„Dieser Sieg ist etwas Besonderes“, so der Franzose.")
    mentions = [("Ole Sand", 0, "name"), ("Arne Wolff", 1, "name"), ("der Franzose", 0, "description")]
    doc = annotate(quote_nlp, text, [person("Ole Sand"), person("Arne Wolff", kind="person")], mentions)
    assert speakers(doc) == ["Arne Wolff"]


def test_hometown_noun_before_a_colon(quote_nlp):
    text = ("Ole Sand (Gütersloh) siegte vor Kai Roth und Lena Hofer (Genf). Der Gütersloher erklärte: "
            "„Ein Traum wird wahr.“ Die Genferin meinte: „Ich bin zufrieden.“")
    people = [person("Ole Sand", hometown="Gütersloh"), person("Kai Roth"), person("Lena Hofer", hometown="Genf")]
    doc = annotate(quote_nlp, text, people)
    assert speakers(doc) == ["Ole Sand", "Lena Hofer"]
    assert methods(doc) == ["description", "description"]


def test_relative_clause_colon_frame(quote_nlp):
    text = "Ole Sand siegte vor Kai Roth. Sand, der danach meinte: „Ein Traum wird wahr.“"
    doc = annotate(quote_nlp, text, [person("Ole Sand"), person("Kai Roth")])
    assert speakers(doc) == ["Ole Sand"]
    assert methods(doc) == ["before_cue"]


# ------------------------------------------------ long documents stay near-linear


def _state(quote_nlp, text, people):
    from pipeline.components.attribution import _Doc

    doc = annotate(quote_nlp, text, people)
    return _Doc(doc, doc._.quotes, doc._.people, doc._.mentions, "scare_quotes")


def test_one_pass_word_and_age_indexes_find_what_the_regexes_find(quote_nlp):
    import re

    text = ("Kai Roth (27, Bremen) und der Franzose Luc Morel (270) siegten. Die Französin und zwei Franzosen "
            "jubelten; der 27-Jährige, 27 Jahre alt, ein (027) Franzosenfan und (27x) auch Morel (27).")
    st = _state(quote_nlp, text, [person("Kai Roth"), person("Luc Morel")])
    for age in (27, 270, 7, 2):
        pattern = rf"\({age}\b|\b{age}-[Jj]ährige|\b{age} Jahre"
        assert st.age_hits(age) == [m.start() for m in re.finditer(pattern, text)], age
    for stem in ("Franzos", "Morel", "Roth", "Jahr"):
        pattern = rf"\b{re.escape(stem)}(?:e|en|n|in|innen|s)?\b"
        forms = (stem + ending for ending in ("", "e", "en", "n", "in", "innen", "s"))
        assert st.word_hits(forms) == [m.start() for m in re.finditer(pattern, text)], stem
        assert st.noun_hits(stem) == [m.start() for m in re.finditer(pattern, text)], stem


def test_digit_runs_and_stem_search_find_what_the_regexes_find(quote_nlp):
    import random
    import re

    from pipeline.components.attribution import _age_matches

    st = _state(quote_nlp, "Kai Roth siegte.", [person("Kai Roth")])
    pieces = ["(", "27", "2", " Jahre", "-jährige", "-Jährige", "x", "_", "²", "٣", " ", ")", "-", "Jahr", ".",
              "Franzos", "e", "en", "in", "innen", "s", "’"]
    age_pattern = re.compile(r"\((\d+)\b|\b(\d+)-[Jj]ährige|\b(\d+) Jahre")
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = [(m.start(), m.group(1) or m.group(2) or m.group(3)) for m in age_pattern.finditer(text)]
        assert list(_age_matches(text)) == expected, text
        st.text, st._noun_hits = text, {}
        for stem in ("Franzos", "Jahr", "s", "2"):
            pattern = rf"\b{re.escape(stem)}(?:e|en|n|in|innen|s)?\b"
            assert st.noun_hits(stem) == [m.start() for m in re.finditer(pattern, text)], (text, stem)


def test_people_index_names_everyone_a_description_can_fit(quote_nlp, lexicons):
    from pipeline.components.attribution import PeopleIndex

    people = [person("Kai Roth", hometown="Bremen", age=27), person("Luc Morel", nationality="Frankreich"),
              person("Aki Laine", hometown="FIN"), person("Ida Krall", hometown="Innsbruck", gender="f"),
              person("Arne Wolff", kind="person", role="Teamchef"), person("Tom Verbeke"),
              person("Jan Ort", titles=["Werksfahrer"], age=31)]
    records = [{**p, "id": i} for i, p in enumerate(people)]
    attributor = Attributor(lexicons)
    index = PeopleIndex(records, lexicons)
    for text in ("der Franzose", "der Finne", "die Tirolerin", "der 27-Jährige", "der 22-jährige Belgier",
                 "der Teamchef", "der Werksfahrer", "der Bremer", "die Finnin", "der 31-Jährige"):
        desc = attributor._parse_description(text)
        scored = [i for i, record in enumerate(records) if attributor._fit(record, desc, record.get("gender"))[0] > 0]
        assert set(scored) <= set(index.candidates(desc)), text
        assert index.candidates(desc) == sorted(index.candidates(desc))
    assert 5 not in index.candidates(attributor._parse_description("der Franzose"))  # a record that says nothing


def test_covering_each_is_mention_covering_of_every_word(quote_nlp):
    text = "Kai Roth und Luc Morel fuhren vor Kai Roth, dann sagte Teamchef Arne Wolff etwas zu Morel."
    st = _state(quote_nlp, text, [person("Kai Roth"), person("Luc Morel"), person("Arne Wolff", kind="person")])
    assert st.mentions
    words = st.words(0, len(text))
    for first in range(len(words)):
        for last in range(first, len(words) + 1):
            window = words[first:last]
            assert st.covering_each(window) == [st.mention_covering(start) for start, _, _ in window]


def test_words_of_a_window_are_those_of_its_parts_outside_quotes(quote_nlp):
    import re

    text = "Roth sagte: „Wir sind zufrieden.“ Dann fuhr er „schnell“ weiter, so Dr. Kessler sen. am Ende."
    st = _state(quote_nlp, text, [person("Kai Roth")])
    assert len(st.outside.spans) == 2
    for start in range(len(text) + 1):
        for end in range(start - 1, len(text) + 2):
            expected = []
            for seg_start, seg_end in st.outside.segments(start, end):
                for match in re.finditer(r"\w[\w\-’'.]*", text[seg_start:seg_end]):
                    word = match.group().rstrip(".")
                    expected.append((seg_start + match.start(), seg_start + match.start() + len(word), word))
            assert st.words(start, end) == expected, (start, end)
