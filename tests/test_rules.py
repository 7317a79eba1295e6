"""The rule files load, with checked headers; derived lookups answer."""

import shutil

import pytest

from pipeline.rules import RuleFileError, rules_root, load_lexicons, load_lexicons_from


def test_towns_give_country_and_regions():
    lex = load_lexicons()
    assert lex.country_of("Innsbruck") == "Österreich"
    assert lex.regions_of("Innsbruck") == ("Tirol",)
    assert "Bayern" in lex.regions_of("Rosenheim")
    assert lex.country_of("Halle/Saale") == "Deutschland"  # the part before the slash
    assert lex.country_of("Atlantis") is None and lex.regions_of("Atlantis") == ()
    assert lex.country_of("FIN") == "Finnland"  # codes still work


def test_unmarked_female_names_are_listed_and_male_lookalikes_are_not():
    lex = load_lexicons()
    assert "Ingrid" in lex.female_names_unmarked
    assert not lex.female_names_unmarked & lex.male_names_like_female


def _copy_rules(tmp_path):
    target = tmp_path / "de"
    shutil.copytree(rules_root("de"), target)
    return target


def test_a_wrong_header_fails_loudly(tmp_path):
    root = _copy_rules(tmp_path)
    path = root / "places.tsv"
    path.write_text(path.read_text(encoding="utf-8").replace("place\tregions\tcountry", "place\tregion\tcountry"),
                    encoding="utf-8")
    with pytest.raises(RuleFileError, match="places.tsv"):
        load_lexicons_from(root)


def test_a_town_in_an_unknown_country_fails_loudly(tmp_path):
    root = _copy_rules(tmp_path)
    with (root / "places.tsv").open("a", encoding="utf-8") as handle:
        handle.write("Atlantis\tMeer\tAtlantika\n")
    with pytest.raises(RuleFileError, match="Atlantika"):
        load_lexicons_from(root)


def test_title_suffixes_longest_wins_and_unseen_compounds_get_a_kind():
    from pipeline.rules import load_lexicons

    lex = load_lexicons()
    assert lex.title_kind("Bürgermeister") == "person"  # "bürgermeister" (person) beats "meister" (driver)
    assert lex.title_kind("Bezirksbürgermeisterin") == lex._title_kind("Bezirksbürgermeisterin") == "person"
    assert lex.title_kind("Porsche-Werksfahrer") == "driver"
    assert lex.title_kind("Meister") == lex.title_nouns.get("Meister")  # a suffix alone is no compound
    assert lex.title_kind("Rosenheim") is None


@pytest.mark.parametrize("name", ["name_words.tsv", "thing_words.tsv"])
def test_an_unknown_word_class_fails_loudly(tmp_path, name):
    root = _copy_rules(tmp_path)
    with (root / name).open("a", encoding="utf-8") as handle:
        handle.write("nickname\tKessel\n")
    with pytest.raises(RuleFileError, match=f"{name}: unknown class 'nickname'"):
        load_lexicons_from(root)


def test_the_word_classes_of_names_and_things_load():
    lex = load_lexicons()
    assert "Montag" in lex.name_words["never_name"] and "van" in lex.name_words["name_particle"]
    assert "der" in lex.name_words["name_particle_second"] and "aus" in lex.name_words["place_preposition"]
    assert "Cup" in lex.thing_words["series_suffix"] and "Raceway" in lex.thing_words["circuit_suffix"]
