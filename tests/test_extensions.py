"""pipeline.extensions: registration and the direct doc-value accessors."""

from __future__ import annotations

import pytest
import spacy

from pipeline.extensions import DOC_EXTENSIONS, doc_value, register_extensions, set_doc_value


@pytest.fixture()
def doc():
    return spacy.blank("de")("Max Muster gewann in Spa.")


def test_registering_twice_changes_nothing():
    register_extensions()
    register_extensions()
    for name, default in DOC_EXTENSIONS.items():
        assert spacy.tokens.Doc.get_extension(name)[0] == default


@pytest.mark.parametrize("name", sorted(DOC_EXTENSIONS))
def test_doc_value_reads_what_doc_underscore_reads(doc, name):
    assert doc_value(doc, name) == getattr(doc._, name)  # the default, never set
    set_doc_value(doc, name, [{"id": 0}])
    assert getattr(doc._, name) == [{"id": 0}]
    setattr(doc._, name, [{"id": 1}])
    assert doc_value(doc, name) == [{"id": 1}]


def test_a_value_set_on_one_doc_is_not_seen_on_another(doc):
    set_doc_value(doc, "people", [{"id": 0}])
    other = spacy.blank("de")("Noch ein Text.")
    assert doc_value(other, "people") == DOC_EXTENSIONS["people"]


def test_setting_an_unregistered_name_is_refused_like_doc_underscore(doc):
    with pytest.raises(AttributeError):
        set_doc_value(doc, "no_such_extension", 1)
    with pytest.raises(AttributeError):
        doc._.no_such_extension = 1
