"""Pathological texts through the full pipeline: each must finish (the
components are meant to be near-linear) and give sane rows.

No timing asserts: speed is the benchmarks' business. Each case takes a few
seconds at most here.
"""

from __future__ import annotations

import pytest

from pipeline.engine import WorkItem, process_items

REPEATS = 30_000

HOSTILE_TEXTS = {
    "unclosed_round_brackets": "Wort ( " * REPEATS,
    "stray_closing_brackets": "Wort ) " * REPEATS,
    "unclosed_low_quotes": "„Wort " * REPEATS,
    "unclosed_high_quotes": "“Wort " * REPEATS,
    "ascii_quote_marks": '"Wort ' * REPEATS,
    "unclosed_guillemets": "»Wort " * REPEATS,
    "unclosed_single_quotes": "‚Wort " * REPEATS,
    "one_word_repeated": "Rennen " * REPEATS,
    "one_surname_repeated": "Hofbauer " * REPEATS,
    "aus_without_town": "Hofbauer aus " * (REPEATS // 2),
    "colon_cues": "Hofbauer: " * REPEATS,
    "quotes_with_cues": "„Super“, sagte Hofbauer. " * (REPEATS // 4),
    "team_repeated": "Falkenstein Motorsport " * (REPEATS // 2),
    "car_repeated": "Porsche 911 GT3 R " * (REPEATS // 4),
    "tiny_paragraphs": "Lena Hofbauer gewinnt.\n\n" * (REPEATS // 3),
    "one_word_lines": "Hofbauer\n" * REPEATS,
    "capitalised_pairs": " ".join(f"Xaver{i % 97} Yost{i % 89}" for i in range(REPEATS // 2)),
    "dashes": "– " * REPEATS,
    "no_whitespace_at_all": "a" * 200_000,
    "control_characters": "Lena\u0007Hofbauer\u001b gewinnt\u000c im Regen. " * (REPEATS // 5),
    # Once quadratic in linking: thousands of teams and cars in one run-on "sentence".
    "crews_with_team_and_car_brackets": "Anna Berg/Tom Kurz (Hallig Racing, Audi R8 LMS) " * (REPEATS // 10),
    "teams_after_brackets": "Max Meier (F) von Hallig Racing und " * (REPEATS // 10),
    "unknown_crews": "Kvasnicka/Malinowsky " * (REPEATS // 3),
    "surname_speaker_cues": "„Gut“, sagte Okafor. " * (REPEATS // 10),
    "teammate_cues": "Sein Teamkollege ergänzte: „Gut.“ " * (REPEATS // 10),
    "sister_cars": "Das Schwesterauto teilen sich Anna Berg und Tom Kurz. " * (REPEATS // 10),
}

# Once quadratic: the same name thousands of times in one "sentence" (an
# unpunctuated results list) in linking, and whitespace-free punctuation in
# spaCy's tokenizer (now cut into pieces by pipeline.tokenize).
REPEATED_NAME_TEXTS = {
    "full_name_repeated": "Lena Hofbauer " * (REPEATS // 2),
    "name_with_hometown_repeated": "Lena Hofbauer (Rosenheim) " * (REPEATS // 3),
    "brackets_without_spaces": "(" * REPEATS,
    "deeply_nested_brackets": "(" * (REPEATS // 2) + "Hofbauer" + ")" * (REPEATS // 2),
}


def analyse(nlp, text: str) -> dict:
    entries = list(process_items(nlp, [WorkItem(0, "k", "feindlich", "test", text=text)]))
    assert len(entries) == 1
    rows = entries[0]["rows"]
    assert "errors" not in rows, rows.get("errors")
    return rows


def assert_sane(rows: dict, text: str) -> None:
    document = rows["documents"][0]
    assert document["n_chars"] == len(text) and document["text"] == text
    assert document["n_tokens"] > 0
    for entity in rows.get("entities", []):
        assert text[entity["start_char"]:entity["end_char"]] == entity["text"]
    for quote in rows.get("quotes", []):
        assert 0 <= quote["start_char"] < quote["end_char"] <= len(text)
        assert quote["quote"].strip() in text[quote["start_char"]:quote["end_char"]]
    drivers = [row["driver"] for row in rows.get("drivers", [])]
    assert len(drivers) == len(set(drivers))
    assert document["n_drivers"] == len(drivers)
    assert document["n_quotes"] == len(rows.get("quotes", []))


@pytest.mark.parametrize("name", list(HOSTILE_TEXTS))
def test_hostile_text_finishes_with_sane_rows(offline_nlp, name: str) -> None:
    text = HOSTILE_TEXTS[name]
    rows = analyse(offline_nlp, text)
    assert_sane(rows, text)


@pytest.mark.parametrize("name", list(REPEATED_NAME_TEXTS))
def test_repeated_names_and_runs_finish_with_sane_rows(offline_nlp, name: str) -> None:
    text = REPEATED_NAME_TEXTS[name]
    rows = analyse(offline_nlp, text)
    assert_sane(rows, text)
    if "name" in name:
        assert [row["driver"] for row in rows["drivers"]] == ["Lena Hofbauer"]


def test_unclosed_marks_make_no_quotes(offline_nlp) -> None:
    for name in ("unclosed_low_quotes", "unclosed_high_quotes", "unclosed_guillemets", "unclosed_single_quotes"):
        assert analyse(offline_nlp, HOSTILE_TEXTS[name]).get("quotes", []) == [], name


def test_many_real_quotes_are_all_found(offline_nlp) -> None:
    rows = analyse(offline_nlp, HOSTILE_TEXTS["quotes_with_cues"])
    assert len(rows["quotes"]) == REPEATS // 4
    assert {quote["quote"] for quote in rows["quotes"]} == {"Super"}


def test_a_hostile_document_does_not_disturb_its_neighbours(offline_nlp) -> None:
    normal = "Lena Hofbauer (Rosenheim) gewinnt im Porsche 911 GT3 R von Falkenstein Motorsport."
    items = [WorkItem(0, "a", "vorher", "test", text=normal),
             WorkItem(1, "b", "feindlich", "test", text=HOSTILE_TEXTS["unclosed_low_quotes"]),
             WorkItem(2, "c", "nachher", "test", text=normal)]
    entries = list(process_items(offline_nlp, items))
    assert [entry["doc_id"] for entry in entries] == ["vorher", "feindlich", "nachher"]
    before, after = ([{**row, "doc_id": None} for row in entry["rows"]["drivers"]] for entry in (entries[0], entries[2]))
    assert before == after and before[0]["driver"] == "Lena Hofbauer"
