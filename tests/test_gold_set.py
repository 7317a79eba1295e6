"""data/gold is the team's own gold set: 15+ releases whose names appear in no rule file."""

import json
from importlib import resources

from helpers import GOLD


def _rule_text() -> str:
    root = resources.files("pipeline.models") / "rules" / "de"
    # Given names are meant to be listed; a surname that is also a given name ("Lutz") gives no help.
    # towns.txt lists every German village: a surname that is also a town ("Brecht") is
    # looked up there only as a place, which never makes it a name.
    return "\n".join(entry.read_text(encoding="utf-8") for entry in root.iterdir()
                     if entry.name.endswith((".txt", ".tsv", ".jsonl")) and entry.name not in ("given_names.txt", "towns.txt"))


def _gold():
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(GOLD.glob("*.json"))]


def test_gold_set_size_and_format():
    documents = _gold()
    assert len(documents) >= 15
    for doc in documents:
        assert {"id", "text", "drivers", "people", "teams", "cars", "quotes"} <= set(doc)
        for quote in doc["quotes"]:
            assert quote["start"] in doc["text"]
        for driver in doc["drivers"]:
            assert driver["name"] in doc["text"]


def test_gold_names_appear_in_no_rule_file():
    """Surnames and team names must be found by shape, not looked up."""
    rules = _rule_text()
    leaked = []
    for doc in _gold():
        for person in doc["drivers"] + doc["people"]:
            surname = person["name"].split()[-1]
            if f"\n{surname}\n" in rules or f'"{surname}"' in rules or f"\t{surname}\n" in rules:
                leaked.append(person["name"])
        leaked += [team for team in doc["teams"] if f'"{team}"' in rules]
    assert not leaked, leaked
