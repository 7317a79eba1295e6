"""The quality gate: evaluate data/gold (always), ../shared/devset and ../shared/realdev (when present).

Floors are set from measured numbers and only ever raised (see README).
"""


from helpers import GOLD
from pipeline.evaluate import contains_match, evaluate, normalise, quote_match

# Measured floors. Raise them as quality improves; never lower them to pass.
GOLD_FLOORS = {
    "drivers_f1": 0.98,  # 0.99 on the first 17 documents; g18/g19 (surname-only drivers) miss two
    "hometown": 0.99,
    "team": 0.96,
    "car": 0.97,
    "teams_f1": 0.96,
    "cars_f1": 0.97,
    "quotes_f1": 0.99,
    "attribution": 0.98,
    "team_unstated_empty": 0.80,
    "car_unstated_empty": 0.85,
}
DEVSET_FLOORS = {
    "drivers_f1": 0.99,
    "hometown": 0.99,
    "team": 0.96,
    "car": 0.88,
    "teams_f1": 0.98,
    "cars_f1": 0.96,
    "quotes_f1": 0.99,
    "attribution": 0.99,
    "team_unstated_empty": 0.99,
    "car_unstated_empty": 0.64,
}
# Real published releases: the floors are the targets of issue 10, all met when set
# (measured: see the closing note of that issue). Unstated fields must stay empty too.
REALDEV_FLOORS = {
    "drivers_f1": 0.95,
    "hometown": 0.90,
    "team": 0.85,
    "car": 0.85,
    "teams_f1": 0.90,
    "cars_f1": 0.92,
    "quotes_f1": 0.98,
    "attribution": 0.92,
    "team_unstated_empty": 0.93,
    "car_unstated_empty": 0.95,
}


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
        # A field the text does not state must stay empty, not be guessed.
        "team_unstated_empty": report.unstated["team"].value,
        "car_unstated_empty": report.unstated["car"].value,
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


def test_realdev_meets_floors(offline_nlp, realdev_dir):
    report = evaluate(offline_nlp, realdev_dir)
    assert report.documents >= 45
    assert not _below(_numbers(report), REALDEV_FLOORS), report.summary_lines()


def test_statistical_base_is_never_worse_on_the_devset(offline_nlp, devset_dir, standin_model):
    """The stand-in NER (F1 ~0.56, no parser) is extra evidence: every number
    must be at least the offline base's."""
    from pipeline.api import load_pipeline

    offline = _numbers(evaluate(offline_nlp, devset_dir))
    statistical = _numbers(evaluate(load_pipeline(str(standin_model)), devset_dir))
    worse = {name: (round(statistical[name], 3), round(offline[name], 3))
             for name in offline if statistical[name] < offline[name] - 1e-9}
    assert not worse, worse
