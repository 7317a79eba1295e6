"""Drivers and officials on spacy.blank("de"), one test per shape in DOMAIN.md.

All sentences are written for these tests; the names are invented.
"""

from helpers import driver


def names(doc, label=None):
    return {e._.canonical for e in doc.ents if label is None or e.label_ == label}


def test_title_noun_before_unknown_name(blank_nlp):
    # "Quirin" and "Xaver" may be missing from the given-name list: the title carries the name.
    doc = blank_nlp("Werksfahrer Quirin Mahlstedt und Porsche-Junior Xaver Trautwein teilen sich ein Auto.")
    assert {"Quirin Mahlstedt", "Xaver Trautwein"} <= names(doc, "DRIVER")


def test_official_with_role_is_a_person_not_a_driver(blank_nlp):
    doc = blank_nlp(
        "Teamchef Arnold Kiesewetter war zufrieden. Auch Renate Ulbrich, Leiterin Motorsport bei Vandermolen, lobte das Team."
    )
    people = {p["name"]: p for p in doc._.people}
    assert people["Arnold Kiesewetter"]["kind"] == "person"
    assert people["Arnold Kiesewetter"]["role"] == "Teamchef"
    assert people["Renate Ulbrich"]["role"].startswith("Leiterin Motorsport")
    assert not doc._.drivers
