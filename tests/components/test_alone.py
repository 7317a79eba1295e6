"""Each component alone on ``spacy.blank("de")``, its inputs set by hand, plus a save/load round trip.

The other component tests run the whole chain; these show that each component
needs only what its factory ``requires`` (see ``pipeline.schema``), so it can
be reused, reordered or replaced on its own.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline.schema import HOMETOWNS_KEY, MENTION_KEYS, PERSON_KEYS, THINGS_KEY


def _alone(factory: str):
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(factory)
    return nlp


def _person(person_id: int, name: str, kind: str = "driver") -> dict:
    return {"id": person_id, "name": name, "kind": kind, "role": None, "titles": [], "nationality": None,
            "hometown": None, "age": None, "gender": None, "team": None, "car": None}


def _mention(doc, person_id: int, text: str, kind: str = "name", occurrence: int = 0) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(text, start + 1)
    return {"person": person_id, "start_char": start, "end_char": start + len(text), "kind": kind, "text": text}


def _thing(doc, text: str, label: str) -> Span:
    start = doc.text.index(text)
    span = doc.char_span(start, start + len(text), label=label)
    span._.canonical = text
    return span


def _round_trip(nlp, tmp_path):
    nlp.to_disk(tmp_path / "nlp")
    return spacy.load(tmp_path / "nlp")


def test_rulers_alone_find_teams_and_cars(tmp_path):
    nlp = _alone("motorsport_rulers")
    text = "Der Porsche 911 GT3 R von Kessler Racing gewann."
    for current in (nlp, _round_trip(nlp, tmp_path)):
        things = {(span.text, span.label_) for span in current(text).spans[THINGS_KEY]}
        assert ("Porsche 911 GT3 R", "CAR") in things
        assert ("Kessler Racing", "TEAM") in things


def test_persons_alone_find_drivers_and_officials(tmp_path):
    nlp = _alone("motorsport_persons")
    text = "Lena Marquardt gewann vor Tomas Reiber. Teamchef Arno Hilbig war zufrieden."
    for current in (nlp, _round_trip(nlp, tmp_path)):
        doc = current(text)
        assert {(p["name"], p["kind"]) for p in doc._.people} == {
            ("Lena Marquardt", "driver"), ("Tomas Reiber", "driver"), ("Arno Hilbig", "person")}
        assert all(tuple(person) == PERSON_KEYS for person in doc._.people)
        assert all(tuple(mention) == MENTION_KEYS for mention in doc._.mentions)


def _with_people(nlp, text: str, people: list[tuple[str, str]]):
    """A doc before ``nlp``'s last component, with the given people and one name mention each."""
    doc = nlp.make_doc(text)
    doc = nlp.get_pipe("sentencizer")(doc)
    doc._.people = [_person(i, name, kind) for i, (name, kind) in enumerate(people)]
    doc._.mentions = [_mention(doc, i, name) for i, (name, _) in enumerate(people)]
    return doc


def test_hometowns_alone_read_brackets_and_aus(tmp_path):
    nlp = _alone("motorsport_hometowns")
    text = "Lena Marquardt (Kerpen) siegte vor Tomas Reiber aus Bingen."
    for current in (nlp, _round_trip(nlp, tmp_path)):
        doc = current.get_pipe("motorsport_hometowns")(
            _with_people(current, text, [("Lena Marquardt", "driver"), ("Tomas Reiber", "driver")]))
        assert [person["hometown"] for person in doc._.people] == ["Kerpen", "Bingen"]
        assert [span.text for span in doc.spans[HOMETOWNS_KEY]] == ["Kerpen", "Bingen"]


def test_names_alone_link_surnames_to_people(tmp_path):
    nlp = _alone("motorsport_names")
    text = "Lena Marquardt gewann das Rennen. Später sagte Marquardt, der Wagen sei gut gewesen."
    for current in (nlp, _round_trip(nlp, tmp_path)):
        doc = current.get_pipe("motorsport_names")(_with_people(current, text, [("Lena Marquardt", "driver")]))
        surnames = [m for m in doc._.mentions if m["kind"] == "surname"]
        assert [(m["text"], m["person"]) for m in surnames] == [("Marquardt", 0)]


def test_linking_alone_ties_a_driver_to_the_team_and_car_of_her_sentence(tmp_path):
    nlp = _alone("motorsport_linking")
    text = "Lena Marquardt gewann im Porsche 911 GT3 R von Kessler Racing. Tomas Reiber schied aus."
    for current in (nlp, _round_trip(nlp, tmp_path)):
        doc = _with_people(current, text, [("Lena Marquardt", "driver"), ("Tomas Reiber", "driver")])
        doc.spans[THINGS_KEY] = [_thing(doc, "Porsche 911 GT3 R", "CAR"), _thing(doc, "Kessler Racing", "TEAM")]
        doc = current.get_pipe("motorsport_linking")(doc)
        assert {d["driver"]: (d["team"], d["car"]) for d in doc._.drivers} == {
            "Lena Marquardt": ("Kessler Racing", "Porsche 911 GT3 R"), "Tomas Reiber": (None, None)}
        assert {(ent.text, ent.label_) for ent in doc.ents} >= {("Lena Marquardt", "DRIVER"), ("Kessler Racing", "TEAM")}


@pytest.mark.parametrize("factory", ["motorsport_quotes", "motorsport_attribution"])
def test_quote_components_alone_survive_a_round_trip(factory, tmp_path):
    nlp = _alone("motorsport_quotes")  # attribution reads the quotes it finds
    if factory == "motorsport_attribution":
        nlp.add_pipe(factory)
    text = "„Das war ein perfekter Tag“, sagte Lena Marquardt."
    for current in (nlp, _round_trip(nlp, tmp_path)):
        doc = current.make_doc(text)
        for name, component in current.pipeline:
            if name == "motorsport_attribution":  # the people an entity layer would have found
                doc._.people = [_person(0, "Lena Marquardt")]
                doc._.mentions = [_mention(doc, 0, "Lena Marquardt")]
            doc = component(doc)
        assert [quote["quote"] for quote in doc._.quotes] == ["Das war ein perfekter Tag"]
        if factory == "motorsport_attribution":
            assert doc._.quotes[0]["speaker"] == "Lena Marquardt"
