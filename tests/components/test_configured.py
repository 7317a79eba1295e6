"""Saving a pipeline saves the rules its components use (like SpanRuler's patterns.jsonl)."""

from __future__ import annotations

import spacy

from pipeline.components.configured import SAVED_RULES_DIR
from pipeline.rules import rules_root

# "Kurvenkünstler" is no title noun in the packaged rules: only an edited copy makes a name of what follows.
TEXT = "Kurvenkünstler Quilmar Ostendorf fuhr schnell."


def _people(doc) -> list[str]:
    return sorted(person["name"] for person in doc._.people)


def test_to_disk_writes_every_rule_file_beside_the_cfg(blank_nlp, tmp_path):
    blank_nlp.to_disk(tmp_path / "saved")
    saved = tmp_path / "saved" / "motorsport_persons" / SAVED_RULES_DIR
    packaged = sorted(path.name for path in rules_root("de").iterdir() if path.is_file())
    assert sorted(path.name for path in saved.iterdir()) == packaged
    assert (tmp_path / "saved" / "motorsport_persons" / "cfg").is_file()


def test_unchanged_saved_rules_share_the_packaged_lexicons(blank_nlp, tmp_path):
    blank_nlp.to_disk(tmp_path / "saved")
    loaded = spacy.load(tmp_path / "saved")
    assert loaded.get_pipe("motorsport_persons").rules_source == rules_root("de")
    assert _people(loaded(TEXT)) == _people(blank_nlp(TEXT))


def test_edited_saved_rules_are_the_ones_a_loaded_pipeline_uses(blank_nlp, tmp_path):
    blank_nlp.to_disk(tmp_path / "saved")
    for component in ("motorsport_persons", "motorsport_names"):
        titles = tmp_path / "saved" / component / SAVED_RULES_DIR / "title_nouns.tsv"
        titles.write_text(titles.read_text(encoding="utf-8") + "Kurvenkünstler\tdriver\n", encoding="utf-8")
    loaded = spacy.load(tmp_path / "saved")
    assert "Quilmar Ostendorf" not in _people(blank_nlp(TEXT))
    assert "Quilmar Ostendorf" in _people(loaded(TEXT))
    # The saved copy, not the installed rule files, travels with a re-save.
    loaded.to_disk(tmp_path / "again")
    again = (tmp_path / "again" / "motorsport_persons" / SAVED_RULES_DIR / "title_nouns.tsv").read_text(encoding="utf-8")
    assert "Kurvenkünstler" in again


def test_attribution_reads_the_quote_words_of_its_own_saved_rules(blank_nlp, tmp_path):
    """Attribution once read the packaged reporting forms whatever its rules said."""
    blank_nlp.to_disk(tmp_path / "saved")
    quote_words = tmp_path / "saved" / "motorsport_attribution" / SAVED_RULES_DIR / "quote_words.tsv"
    quote_words.write_text(quote_words.read_text(encoding="utf-8") + "reporting_form\tfunkte\n", encoding="utf-8")
    loaded = spacy.load(tmp_path / "saved")
    assert "funkte" not in blank_nlp.get_pipe("motorsport_attribution").attributor.reporting_forms
    assert "funkte" in loaded.get_pipe("motorsport_attribution").attributor.reporting_forms
