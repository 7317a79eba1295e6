"""Teams, cars and supporting labels on spacy.blank("de"); names are invented
unless they are real makers, so the shape rules (not the lists) must find them."""

import spacy


def things(doc, label):
    return {e._.canonical or e.text for e in doc.ents if e.label_ == label}


def test_team_suffixes(blank_nlp):
    doc = blank_nlp("Das Auto von Kaltenbach Motorsport lag vor Ostwind Racing und Brückner Engineering.")
    assert {"Kaltenbach Motorsport", "Ostwind Racing", "Brückner Engineering"} <= things(doc, "TEAM")


def test_leading_team_and_cue_nouns(blank_nlp):
    doc = blank_nlp("Team Hallgarten siegte vor dem Kundenteam Voss Autosport und dem Wagen des Teams Lindqvist.")
    teams = things(doc, "TEAM")
    assert "Team Hallgarten" in teams
    assert "Lindqvist" in teams
    assert any("Voss" in team for team in teams)


def test_sponsor_words_stay_in_the_team_name(blank_nlp):
    doc = blank_nlp("Er fährt für Hagenbeck Logistik Sturmvogel Racing Team.")
    assert "Hagenbeck Logistik Sturmvogel Racing Team" in things(doc, "TEAM")


def test_manufacturer_alone_is_not_a_team(blank_nlp):
    doc = blank_nlp("Porsche und Audi schickten je drei Autos, Porsche Motorsport koordiniert den Einsatz.")
    assert not things(doc, "TEAM")
    assert {"Porsche", "Audi"} <= {e.text for e in doc.ents if e.label_ == "MANUFACTURER"}


def test_car_models_with_and_without_maker(blank_nlp):
    doc = blank_nlp("Im Porsche 911 GT3 R lag er vor einem BMW M4 GT3. Den 911 GT3 R hatte das Team neu aufgebaut.")
    cars = [e for e in doc.ents if e.label_ == "CAR"]
    assert {e.text for e in cars} == {"Porsche 911 GT3 R", "BMW M4 GT3", "911 GT3 R"}
    assert {e._.canonical for e in cars} == {"Porsche 911 GT3 R", "BMW M4 GT3"}


def test_unknown_model_code_after_a_maker(blank_nlp):
    doc = blank_nlp("Neu im Feld ist der Toyota GR86 Cup Evo2 neben dem Peugeot 9X8 Hybrid.")
    cars = things(doc, "CAR")
    assert any(car.startswith("Toyota GR86") for car in cars)
    assert any(car.startswith("Peugeot 9X8") for car in cars)


def test_team_maker_compound_points_to_the_full_team(blank_nlp):
    doc = blank_nlp("Greifenstein Motorsport setzt zwei Autos ein. Im zweiten Greifenstein-Porsche fuhr ein Gast.")
    compound = [e for e in doc.ents if e.text == "Greifenstein-Porsche"]
    assert compound and compound[0].label_ == "TEAM"
    assert compound[0]._.canonical == "Greifenstein Motorsport"


def test_series_circuits_classes(blank_nlp):
    doc = blank_nlp("Der Lauf zur Westfalen GT Challenge auf dem Bergheimring wurde in der GT4-Klasse und der Klasse LMP2 gewertet.")
    assert things(doc, "SERIES") and things(doc, "CIRCUIT")
    assert {"GT4-Klasse", "Klasse LMP2"} <= {e.text for e in doc.ents if e.label_ == "RACE_CLASS"}


def test_save_and_load_round_trip(blank_nlp, tmp_path):
    text = "Lotte Grabowski (Essen) fuhr den Audi R8 LMS von Falkenried Racing."
    blank_nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    before, after = blank_nlp(text), loaded(text)
    assert [(e.text, e.label_, e._.canonical) for e in before.ents] == [(e.text, e.label_, e._.canonical) for e in after.ents]
    assert after._.drivers == before._.drivers


def test_von_after_a_car_model_names_its_team(blank_nlp):
    doc = blank_nlp("Den Sieg holte Kai Brenner im Mercedes-AMG GT3 Evo von Raceworks Hamburg.")
    assert "Raceworks Hamburg" in things(doc, "TEAM")


def test_von_a_driver_after_a_car_model_is_no_team(blank_nlp):
    doc = blank_nlp("Auf Rang zwei kam der Porsche 911 GT3 R von Ole Sandvik (Bergen) ins Ziel.")
    assert not things(doc, "TEAM")


def test_lap_times_and_gaps_are_not_part_of_a_car_model(blank_nlp):
    doc = blank_nlp("Pos. 1 #23 Lukas Brenner (D) Porsche 911 GT3 R 1:45.234\nPos. 2 #7 Ilka Witt (A) BMW M4 GT3 +0,087")
    assert things(doc, "CAR") == {"Porsche 911 GT3 R", "BMW M4 GT3"}


def test_team_compounds_with_team_and_driver_nouns(blank_nlp):
    doc = blank_nlp(
        "Es gewann der Wagen vom belgischen KVT-Team vor dem Tannberg-Champion-Team. "
        "Dritter wurde Ostwind-Pilot Ole Sand vor Blue Fox Racing-Pilotin Mira Holm."
    )
    teams = things(doc, "TEAM")
    assert {"KVT-Team", "Tannberg-Champion-Team", "Ostwind", "Blue Fox Racing"} <= teams


def test_makers_series_and_kinds_before_team_nouns_are_no_team(blank_nlp):
    doc = blank_nlp(
        "Das Porsche-Team holte mit DTM-Pilot Kai Brand, Werks-Pilot Ole Sand und "
        "Gentleman-Fahrer Arne Wolff den Sieg vor dem Nachwuchs-Team."
    )
    assert not things(doc, "TEAM")


def test_cue_nouns_from_the_rule_file(blank_nlp):
    doc = blank_nlp("Für das neue Werksteam Kessler North America war es der erste Sieg.")
    assert "Kessler North America" in things(doc, "TEAM")


def test_capitalised_team_before_a_maker(blank_nlp):
    doc = blank_nlp("Jan Olsen und Tim Frei gewinnen im HALLER SPORT KRX Audi das Finale.")
    assert "HALLER SPORT KRX" in things(doc, "TEAM")


def test_team_of_an_origin_adjective_is_no_new_team(blank_nlp):
    doc = blank_nlp("Für Kessler Racing lief es gut. Das Bamberger Team holte zwei Pokale.")
    assert things(doc, "TEAM") == {"Kessler Racing"}


def test_foundations_are_no_teams(blank_nlp):
    doc = blank_nlp("Der von der Hanse Stiftung Sport geförderte Jan Olsen siegte.")
    assert not things(doc, "TEAM")


def test_team_named_again_without_its_leading_team(blank_nlp):
    doc = blank_nlp("Es war der erste Sieg für das Team HALVOR KRAFT XE. Sie fuhr ihr erstes Rennen mit HALVOR KRAFT XE.")
    teams = [e for e in doc.ents if e.label_ == "TEAM"]
    assert [e.text for e in teams] == ["Team HALVOR KRAFT XE", "HALVOR KRAFT XE"]
    assert {e._.canonical for e in teams} == {"Team HALVOR KRAFT XE"}


def test_brackets_of_teams_in_a_grid_report(blank_nlp):
    doc = blank_nlp(
        "Lena Hofbauer (Brandt Racing) gewann vor Kai Ostler (Hupfer) und Jan Falk (Mayen Sport). "
        "Ole Frei (KB) wurde Vierter."
    )
    assert {"Brandt Racing", "Hupfer", "Mayen Sport", "KB"} <= things(doc, "TEAM")


def test_brackets_with_places_stay_hometowns(blank_nlp):
    doc = blank_nlp("Lena Hofbauer (Brandt Racing) gewann vor Kai Ostler (Hupfer) und Jan Falk (Frankreich).")
    assert "Hupfer" not in things(doc, "TEAM")


def test_a_title_after_von_is_no_team(blank_nlp):
    doc = blank_nlp("Vorne lag der Toyota GT1 von Ex-Porsche-Star Thierry Vandamme und Kai Ostler.")
    assert not things(doc, "TEAM")


def test_two_makers_joined_name_a_team_and_with_a_model_a_car(blank_nlp):
    doc = blank_nlp("Den Titel holte Williams-BMW. Auf Rang drei landete ein AMG-Mercedes SLS-GT3 der Privatiers.")
    assert "Williams-BMW" in things(doc, "TEAM")
    assert "AMG-Mercedes SLS-GT3" in {e.text for e in doc.ents if e.label_ == "CAR"}


def test_sponsor_words_in_a_bracket_belong_to_the_team(blank_nlp):
    doc = blank_nlp("Tim Alber (Expresso Kessel-Audi), 1. Platz, vor Marc Fass (Hopfen AMG-Mercedes).")
    assert {"Expresso Kessel-Audi", "Hopfen AMG-Mercedes"} <= things(doc, "TEAM")


def test_chassis_and_engine_make_a_car(blank_nlp):
    doc = blank_nlp("Beide fuhren einen Dallara Mercedes, der Dritte einen Tatuus Abarth.")
    cars = {e.text for e in doc.ents if e.label_ == "CAR"}
    assert "Dallara Mercedes" in cars


def test_models_without_their_maker(blank_nlp):
    doc = blank_nlp("2005 war es ein Fabia WRC, nun steuerte er den GT3-Cup S und später den C14.")
    cars = {e.text for e in doc.ents if e.label_ == "CAR"}
    assert {"Fabia WRC", "GT3-Cup S", "C14"} <= cars


def test_a_short_number_after_a_maker_is_a_count(blank_nlp):
    doc = blank_nlp("Dann verlor der Toyota 15 Minuten in der Box.")
    assert not [e for e in doc.ents if e.label_ == "CAR"]


def test_known_team_keeps_the_form_the_text_writes(blank_nlp):
    doc = blank_nlp("Kai Brand fuhr für Arrow McLaren SP. Arrow McLaren hatte zwei Autos gemeldet.")
    teams = [e for e in doc.ents if e.label_ == "TEAM"]
    assert teams[0]._.canonical == "Arrow McLaren SP"


def test_team_mannschaft_compound_points_at_the_full_team(blank_nlp):
    doc = blank_nlp("Für das Team Kesselberg Motorsport war es ein Erfolg. Die Kesselberg-Mannschaft jubelte.")
    compound = next(e for e in doc.ents if e.text == "Kesselberg-Mannschaft")
    assert compound._.canonical == "Team Kesselberg Motorsport"


def test_maker_badge_inside_a_model_and_the_model_as_written(blank_nlp):
    doc = blank_nlp("Dahinter landete der Mercedes SLS AMG GT3 von Hankook Team Nord.")
    cars = [e for e in doc.ents if e.label_ == "CAR"]
    assert [(e.text, e._.canonical) for e in cars] == [("Mercedes SLS AMG GT3", "Mercedes SLS AMG GT3")]


def test_maker_and_model_word_joined_make_a_car(blank_nlp):
    doc = blank_nlp("Er siegte im Mini-Buggy des Teams.")
    assert "Mini-Buggy" in {e.text for e in doc.ents if e.label_ == "CAR"}


def test_bracket_team_that_starts_with_an_acronym(blank_nlp):
    doc = blank_nlp("Vorne kämpften Jan Green und Alex Pramer (KSM Formule 3) um den Sieg, Tim Olsen (GER) wurde Dritter.")
    teams = things(doc, "TEAM")
    assert "KSM Formule 3" in teams
    assert "GER" not in teams


def test_team_of_two_makers(blank_nlp):
    doc = blank_nlp("Für das Williams-BMW-Team war es der erste Sieg, die Crew stand an der Boxenmauer.")
    assert things(doc, "TEAM") == {"Williams-BMW-Team"}


def test_common_nouns_titles_and_circuits_before_team_nouns_are_no_team(blank_nlp):
    doc = blank_nlp(
        "Das Traditions-Team schickte den Le-Mans-Piloten Kai Brand, das Weltmeister-Team den Vorjahres-Piloten "
        "Ole Sand und das Super-Team den Meisterschafts-Piloten Jan Falk."
    )
    assert not things(doc, "TEAM")


def test_a_name_among_kind_words_makes_the_compound_a_team(blank_nlp):
    doc = blank_nlp("Er fuhr den vom KVT-Champion-Team eingesetzten Wagen.")
    assert "KVT-Champion-Team" in things(doc, "TEAM")


def test_many_codes_before_periods_stay_linear_and_the_first_cars_end_before_the_period(blank_nlp):
    text = "Er fuhr einen BMW M4 GT3. " + " ".join(f"Dann kam Beta{i}." for i in range(400))
    doc = blank_nlp(text)
    assert "BMW M4 GT3" in {e.text for e in doc.ents if e.label_ == "CAR"}
    assert len(doc) >= 400 * 3


def test_a_short_car_form_takes_the_first_written_of_two_equally_long_full_forms():
    """Of "GT4" and "GT3" (same length), the first written wins, whatever PYTHONHASHSEED says."""
    import os
    import subprocess
    import sys

    script = (
        "import spacy, pipeline.components\n"
        "nlp = spacy.blank('de'); nlp.add_pipe('sentencizer'); nlp.add_pipe('motorsport_rulers')\n"
        "doc = nlp('Lena Marquardt fuhr den Audi R8 LMS GT4, Tomas Reiber den Audi R8 LMS GT3. "
        "Der Audi R8 LMS lief gut.')\n"
        "print([span._.canonical for span in doc.spans['motorsport_things'] if span.text == 'Audi R8 LMS'][0])\n"
    )
    chosen = set()
    for seed in range(8):
        environment = {**os.environ, "PYTHONHASHSEED": str(seed)}
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment,
                                check=True)
        chosen.add(result.stdout.strip())
    assert chosen == {"Audi R8 LMS GT4"}


def test_shape_words_come_from_the_rule_files(tmp_path):
    """A series suffix added to an edited copy of thing_words.tsv opens a series shape."""
    from helpers import rules_copy_with
    from pipeline.schema import THINGS_KEY

    root = rules_copy_with(tmp_path, "thing_words.tsv", "series_suffix\tPokal")
    text = "Sie gewann den Kesselberger Pokal vor allen anderen."

    def series(rules_dir):
        nlp = spacy.blank("de")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("motorsport_rulers", config={"rules_dir": rules_dir})
        return [span.text for span in nlp(text).spans[THINGS_KEY] if span.label_ == "SERIES"]

    assert series(None) == []
    assert series(str(root)) == ["Kesselberger Pokal"]


def _series(nlp, text: str) -> list[str]:
    from pipeline.schema import THINGS_KEY

    return [span.text for span in nlp(text).spans[THINGS_KEY] if span.label_ == "SERIES"]


def test_edited_saved_rules_are_the_ones_a_loaded_rulers_uses(tmp_path):
    """Rulers saves its rule files beside cfg and patterns.jsonl, like the other components."""
    from pipeline.components.configured import SAVED_RULES_DIR
    from pipeline.rules import rules_root

    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("motorsport_rulers")
    nlp.to_disk(tmp_path / "saved")
    saved = tmp_path / "saved" / "motorsport_rulers"
    assert (saved / "patterns.jsonl").is_file() and (saved / "cfg").is_file()
    packaged = sorted(path.name for path in rules_root("de").iterdir() if path.is_file())
    assert sorted(path.name for path in (saved / SAVED_RULES_DIR).iterdir()) == packaged
    assert spacy.load(tmp_path / "saved").get_pipe("motorsport_rulers").rules_source == rules_root("de")

    words = saved / SAVED_RULES_DIR / "thing_words.tsv"
    words.write_text(words.read_text(encoding="utf-8") + "series_suffix\tPokal\n", encoding="utf-8")
    loaded = spacy.load(tmp_path / "saved")
    text = "Sie gewann den Kesselberger Pokal vor allen anderen."
    assert _series(nlp, text) == []
    assert _series(loaded, text) == ["Kesselberger Pokal"]
    # The saved copy, not the installed rule files, travels with a re-save.
    loaded.to_disk(tmp_path / "again")
    again = tmp_path / "again" / "motorsport_rulers" / SAVED_RULES_DIR / "thing_words.tsv"
    assert "series_suffix\tPokal" in again.read_text(encoding="utf-8")
    assert _series(spacy.load(tmp_path / "again"), text) == ["Kesselberger Pokal"]


def test_rulers_round_trip_through_bytes():
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    rulers = nlp.add_pipe("motorsport_rulers", config={"spans_key": "dinge"})
    rulers.add_patterns([{"label": "CIRCUIT", "pattern": "Quellwerker Bergstrecke", "canonical": "Bergstrecke Quellwerk"}])
    other = spacy.blank("de")
    other.add_pipe("sentencizer")
    copy = other.add_pipe("motorsport_rulers")
    copy.from_bytes(rulers.to_bytes())
    doc = other("Er siegte auf der Quellwerker Bergstrecke.")
    assert copy.spans_key == "dinge"
    assert [(span.text, span._.canonical) for span in doc.spans["dinge"]] == [("Quellwerker Bergstrecke", "Bergstrecke Quellwerk")]


def test_longest_first_is_filter_spans_after_the_priority_sort():
    """``_longest_first`` decides overlaps as sorting by (known name, label priority)
    and then ``spacy.util.filter_spans`` did, ties included."""
    import random
    from types import SimpleNamespace

    from spacy.util import filter_spans

    from pipeline.components.rulers import GAZETTEER_ID, PRIORITY, _longest_first

    rng = random.Random(11)
    for _ in range(2000):
        candidates = []
        for _ in range(rng.randint(0, 10)):
            start = rng.randint(0, 20)
            candidates.append(SimpleNamespace(start=start, end=start + rng.randint(1, 4), label_=rng.choice(list(PRIORITY)),
                                              id_=rng.choice([GAZETTEER_ID, "shape", "compound"])))
        expected = filter_spans(sorted(candidates, key=lambda span: (span.id_ != GAZETTEER_ID, PRIORITY[span.label_])))
        assert [id(span) for span in _longest_first(candidates)] == [id(span) for span in expected]


def test_fullest_car_forms_hold_the_words_in_a_row():
    from pipeline.components.rulers import _fullest_forms

    forms = ["GT3", "Audi R8 GT3", "Ford GT GT3", "Porsche  911", "Porsche 911 GT3 R", "R"]
    assert _fullest_forms(forms) == {
        "GT3": "Porsche 911 GT3 R",
        "Audi R8 GT3": "Audi R8 GT3",
        "Ford GT GT3": "Ford GT GT3",
        "Porsche  911": "Porsche 911 GT3 R",  # words, not spaces, are compared
        "Porsche 911 GT3 R": "Porsche 911 GT3 R",
        "R": "Porsche 911 GT3 R",  # a whole word only: not the "R" inside "R8"
    }
    # of two equally long forms holding it, the first written
    assert _fullest_forms(["Audi R8 GT3", "Ford GT GT3", "GT3"])["GT3"] == "Audi R8 GT3"
    assert _fullest_forms(["Ford GT GT3", "Audi R8 GT3", "GT3"])["GT3"] == "Ford GT GT3"


def test_the_gazetteer_finds_what_the_phrase_matcher_finds(blank_nlp):
    """The trie of forms replaced PhraseMatcher's scan: same matches, same order, on
    random runs of every packaged form between ordinary words."""
    import random

    from spacy.tokens import Doc

    ruler = blank_nlp.get_pipe("motorsport_rulers")
    blank_nlp("Ein Text, damit die Formen geladen sind.")
    forms = sorted(ruler._forms)
    strings = blank_nlp.vocab.strings
    fillers = ["Der", "fuhr", "mit", "dem", ",", "und", ".", "(", ")", "GT3", "Team"]
    rng = random.Random(11)
    matched = 0
    for _ in range(60):
        words = []
        while len(words) < 80:
            words += list(rng.choice(forms)) if rng.random() < 0.6 else [rng.choice(fillers)]
        doc = Doc(blank_nlp.vocab, words=words)
        expected = [(*strings[match_id].split("\t", 1), start, end) for match_id, start, end in ruler.phrase_matcher(doc)]
        form_starts = [i for i, word in enumerate(words) if word in ruler.gazetteer.first_words]
        assert [list(found) for found in ruler.gazetteer.matches(words, form_starts)] == [list(m) for m in expected]
        matched += len(expected)
    assert len(forms) > 100 and matched > 1000  # the comparison covered real matches
