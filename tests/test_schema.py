"""The doc contract: span keys, factory metadata and record types agree with what components do."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import spacy

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline.api import DEFAULT_COMPONENTS
from pipeline.schema import (
    DRIVER_KEYS,
    HOMETOWNS_KEY,
    MENTION_KEYS,
    PERSON_KEYS,
    QUOTE_KEYS,
    SPAN_KEY_SETTINGS,
    SPAN_KEYS,
    SpanKeyMismatch,
)

TEXT = (
    "Lena Marquardt (Kerpen) gewann im Porsche 911 GT3 R von Kessler Racing vor Tomas Reiber (Bingen). "
    "„Das war ein perfekter Tag“, sagte Marquardt.\n\n"
    "Reiber fuhr für Halder Motorsport einen Audi R8 LMS."
)


def _build(keys: dict[str, dict[str, str]] | None = None):
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    for name in DEFAULT_COMPONENTS:
        nlp.add_pipe(name, config=(keys or {}).get(name, {}))
    return nlp


def _written(doc) -> dict[str, object]:
    """A comparable picture of everything a component may write."""
    picture: dict[str, object] = {"doc.ents": [(e.start, e.end, e.label_) for e in doc.ents]}
    for key, group in doc.spans.items():
        picture[f"doc.spans[{key}]"] = [(s.start, s.end, s.label_) for s in group]
    for name in ("people", "mentions", "drivers", "quotes"):
        picture[f"doc._.{name}"] = repr(doc.get_extension(name) and getattr(doc._, name))
    return picture


def test_analyze_pipes_finds_no_problem():
    analysis = _build().analyze_pipes()
    assert all(not problems for problems in analysis["problems"].values()), analysis["problems"]


def test_each_component_writes_only_what_its_factory_assigns():
    nlp = _build()
    doc = nlp.make_doc(TEXT)
    for name, component in nlp.pipeline:
        before = _written(doc)
        doc = component(doc)
        after = _written(doc)
        changed = {where for where in after if before.get(where) != after[where]}
        declared = set(nlp.get_pipe_meta(name).assigns)
        undeclared = {where for where in changed
                      if where not in declared and not (where.startswith("doc.spans[") and "doc.spans" in declared)}
        assert not undeclared, f"{name} writes {undeclared} but its factory assigns only {declared}"
    assert doc._.drivers and doc._.quotes  # the check above saw real writes


def test_span_groups_are_written_under_the_schema_keys():
    doc = _build()(TEXT)
    assert set(doc.spans) == set(SPAN_KEYS)
    assert [span.text for span in doc.spans[HOMETOWNS_KEY]] == ["Kerpen", "Bingen"]


def test_records_have_exactly_the_schema_keys():
    doc = _build()(TEXT)
    assert all(tuple(person) == PERSON_KEYS for person in doc._.people)
    assert all(tuple(mention) == MENTION_KEYS for mention in doc._.mentions)
    assert all(tuple(driver) == DRIVER_KEYS for driver in doc._.drivers)
    assert all(set(quote) == set(QUOTE_KEYS) for quote in doc._.quotes)


def test_a_group_renamed_everywhere_keeps_every_hometown():
    renamed = {factory: {setting: f"my_{default}" for setting, default in settings.items()}
               for factory, settings in SPAN_KEY_SETTINGS.items()}
    doc = _build(renamed)(TEXT)
    assert {f"my_{key}" for key in SPAN_KEYS} == set(doc.spans)
    assert [ent.text for ent in doc.ents if ent.label_ == "HOMETOWN"] == ["Kerpen", "Bingen"]
    assert {driver["driver"]: driver["hometown"] for driver in doc._.drivers} == {
        "Lena Marquardt": "Kerpen", "Tomas Reiber": "Bingen"}


def test_a_group_renamed_for_its_writer_only_is_refused():
    with pytest.raises(SpanKeyMismatch, match=r"'hometowns'.*motorsport_hometowns.spans_key = 'orte'"):
        _build({"motorsport_hometowns": {"spans_key": "orte"}})


def test_a_saved_pipeline_with_an_inconsistent_config_is_refused(tmp_path):
    _build().to_disk(tmp_path / "nlp")
    config = spacy.util.load_config(tmp_path / "nlp" / "config.cfg")
    config["components"]["motorsport_linking"]["hometowns_key"] = "orte"
    config.to_disk(tmp_path / "nlp" / "config.cfg")
    with pytest.raises(SpanKeyMismatch, match="motorsport_linking.hometowns_key = 'orte'"):
        spacy.load(tmp_path / "nlp")


def test_no_component_spells_out_a_span_key():
    """Keys live in pipeline.schema; a literal elsewhere is how a renamed group went missing."""
    components = Path(pipeline.components.__file__).parent
    found = []
    for path in sorted(components.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in SPAN_KEYS and id(node) not in docstrings:
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
    assert not found
