"""The quality gate: evaluate data/gold (always) and ../shared/devset (when present).

Floors are set from measured numbers and only ever raised (see README).
"""

import pytest

from helpers import GOLD
from pipeline.evaluate import contains_match, evaluate, normalise, quote_match

# Measured floors. Raise them as quality improves; never lower them to pass.
GOLD_FLOORS = {
    "drivers_f1": 0.0,
    "hometown": 0.0,
    "team": 0.0,
    "car": 0.0,
    "teams_f1": 0.0,
    "cars_f1": 0.0,
    "quotes_f1": 0.0,
    "attribution": 0.0,
}
DEVSET_FLOORS = dict(GOLD_FLOORS)


def _numbers(report):
    return {
        "drivers_f1": report.drivers.f1,
        "hometown": report.fields["hometown"].value,
        "team": report.fields["team"].value,
        "car": report.fields["car"].value,
        "teams_f1": report.teams.f1,
        "cars_f1": report.cars.f1,
        "quotes_f1": report.quotes.f1,
        "attribution": report.attribution.value,
    }


def _below(numbers, floors):
    return {name: round(numbers[name], 3) for name, floor in floors.items() if numbers[name] < floor}


def test_matching_rules():
    assert normalise("Jean-Éric  Vergne") == normalise("jean éric vergne")
    assert contains_match("Porsche 911 GT3 R", "911 GT3 R")
    assert not contains_match("Manthey Racing", "Rowe Racing")
    assert quote_match("Das war knapp, aber gut.", "Das war knapp")
    assert not quote_match("Das war nichts", "Das war knapp")


def test_gold_set_meets_floors(offline_nlp):
    report = evaluate(offline_nlp, GOLD)
    assert report.documents >= 15
    assert not _below(_numbers(report), GOLD_FLOORS), report.summary_lines()


def test_devset_meets_floors(offline_nlp, devset_dir):
    report = evaluate(offline_nlp, devset_dir)
    assert not _below(_numbers(report), DEVSET_FLOORS), report.summary_lines()
