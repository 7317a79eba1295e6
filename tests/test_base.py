"""Base model resolution, and the statistical path with a tiny NER trained here."""

import importlib.util
import random

import pytest
import spacy
from spacy.training import Example

from pipeline import base
from pipeline.api import load_pipeline
from pipeline.base import ModelNotFound, resolve_base

# Sentences written for this test. "Yannek", "Quibb" and "Zorvath" are in no
# rule list; after "am Ende" no name shape applies, so only the statistical
# model's PER label can make "Yannek Quibb" a person there.
PROBE = "Schnellster war am Ende Yannek Quibb."
TRAIN = [
    ("Yannek Quibb fuhr im Training stark.", [(0, 12, "PER")]),
    ("Schnellster war am Ende Yannek Quibb.", [(24, 36, "PER")]),
    ("Ossian Zorvath lag in Monza vorne.", [(0, 14, "PER"), (22, 27, "LOC")]),
    ("In Monza gewann Yannek Quibb.", [(3, 8, "LOC"), (16, 28, "PER")]),
    ("Ossian Zorvath fuhr für Brambauer.", [(0, 14, "PER"), (24, 33, "ORG")]),
    ("Das Rennen in Monza war lang.", [(14, 19, "LOC")]),
    ("Brambauer baute das Auto.", [(0, 9, "ORG")]),
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    random.seed(0)
    nlp = spacy.blank("de")
    ner = nlp.add_pipe("ner")
    for _, spans in TRAIN:
        for *_, label in spans:
            ner.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": spans}) for text, spans in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.1)
    path = tmp_path_factory.mktemp("tiny") / "tiny_ner"
    nlp.to_disk(path)
    return path


def test_offline_base_when_no_model_is_installed(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(base.importlib.util, "find_spec",
                        lambda name, *a: None if name == base.DEFAULT_STATISTICAL_MODEL else real_find_spec(name, *a))
    nlp, info = resolve_base(None)
    assert info.kind == "offline" and info.name == base.OFFLINE_BASE_NAME
    assert "sentencizer" in nlp.pipe_names
    assert nlp("Die Fahrer fuhren.")[1].lemma_  # lookup lemmas from spacy-lookups-data


def test_missing_model_is_a_clear_error():
    with pytest.raises(ModelNotFound, match="spacy download"):
        resolve_base("de_no_such_model_xyz")


def test_statistical_path_loads_through_the_same_loader(tiny_model):
    nlp = load_pipeline(str(tiny_model))
    info = nlp.meta["motorsport"]["base"]
    assert info["kind"] == "statistical" and info["has_ner"]
    assert "sentencizer" in nlp.pipe_names  # added because the model has no parser
    doc = nlp(PROBE)
    assert [row["driver"] for row in doc._.drivers] == ["Yannek Quibb"]
    assert doc.spans["base_ents"]  # the model's own entities are kept as evidence


def test_offline_base_does_not_invent_that_name():
    doc = load_pipeline()(PROBE)
    assert not doc._.drivers


def test_offline_base_without_lemmatizer_does_not_load_lemmas() -> None:
    from pipeline.base import offline_base

    assert "lemmatizer" in offline_base().pipe_names
    assert offline_base(lemmatizer=False).pipe_names == ["sentencizer"]
