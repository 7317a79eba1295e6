"""Hometowns (and ages, bracket teams) from brackets and ``aus`` after a mention.

Shapes handled after a person mention:
- ``(Rosenheim)``, ``(Spanien)``, ``(B)``, ``(Neustadt/Weinstraße)``, ``(Bad Tölz)``;
- ``(21, Innsbruck)``: age and place; ``(24)``: age only;
- ``(alle USA)``/``(beide Österreich)``: one place for every name of the list before it;
- ``aus Köln``, ``aus der Schweiz``, ``aus dem Vorarlberger Feldkirch``, also after a
  description (``Der Nachwuchsfahrer aus Knittelfeld``).
Brackets that are not hometowns are skipped: start numbers ``(#24)``, gaps
``(+0,317 s)``, acronyms ``(ALMS)``, teams and cars (which go to the driver as
link evidence in ``doc.spans["bracket_links"]``).

Writes ``doc.spans["hometowns"]`` (label HOMETOWN, ``_.canonical`` = the place)
and fills ``hometown``/``age`` of the records in ``doc._.people``.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import extensions  # noqa: F401
from ..rules import DEFAULT_LANG, Lexicons
from .configured import ConfiguredPipe
from .doc_view import doc_view
from .shapes import bracket_end, has_digit, is_all_caps, is_capitalised, is_stop_word

DEFAULT_THINGS_KEY = "motorsport_things"
DEFAULT_SPANS_KEY = "hometowns"
DEFAULT_MAX_BRACKET_TOKENS = 10
SHARED_WORDS = frozenset({"alle", "beide", "jeweils"})
PLACE_JOINERS = frozenset({"/", "-", "am", "an", "der", "im", "ob", "bei", "in", "vor", "de", "sur"})
LIST_JOINERS = frozenset({",", "und", "sowie", "&", "/"})
AUS_ARTICLES = frozenset({"der", "dem", "den"})
# Inside running text only these join a place: "Frankfurt am Main", "Halle/Saale".
AUS_PLACE_JOINERS = frozenset({"/", "-", "am"})
# "Steinhoff stammt aus Pforzheim", "Rainer kommt aus dem Vorarlberger Feldkirch"
ORIGIN_VERBS = frozenset({"stammt", "stammte", "kommt", "kam", "stammen", "kommen"})
AGE_RANGE = range(12, 90)


@Language.factory(
    "motorsport_hometowns",
    assigns=["doc._.people", "doc.spans"],
    requires=["doc._.people", "doc._.mentions"],
    default_config={"things_key": DEFAULT_THINGS_KEY, "spans_key": DEFAULT_SPANS_KEY, "lang": DEFAULT_LANG, "rules_dir": None},
)
def make_hometowns(nlp: Language, name: str, things_key: str, spans_key: str, lang: str,
                   rules_dir: str | None) -> "HometownFinder":
    return HometownFinder(nlp, name, things_key=things_key, spans_key=spans_key, lang=lang, rules_dir=rules_dir)


class HometownFinder(ConfiguredPipe):
    def __init__(self, nlp: Language, name: str = "motorsport_hometowns", *, things_key: str = DEFAULT_THINGS_KEY,
                 spans_key: str = DEFAULT_SPANS_KEY, lang: str = DEFAULT_LANG, rules_dir: str | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"things_key": things_key, "spans_key": spans_key, "lang": lang, "rules_dir": rules_dir}

    def __call__(self, doc: Doc) -> Doc:
        tokens = doc_view(doc).tokens
        people = doc._.people or []
        mentions = doc._.mentions or []
        things = {(s.start, s.end): s for s in doc.spans.get(self.cfg["things_key"], [])}
        thing_starts = {start: span for (start, _), span in things.items()}
        hometowns: list[Span] = []
        links: list[Span] = []
        end_token_at = {token.idx + len(token.text): token.i + 1 for token in tokens}
        mention_ends = {}
        for mention in mentions:
            end = end_token_at.get(mention["end_char"])
            if end is not None:
                mention_ends[end] = mention
        for end, mention in sorted(mention_ends.items()):
            person = people[mention["person"]]
            if end < len(tokens) and tokens[end].text == "(":
                self._bracket(doc, end, mention, person, people, mention_ends, thing_starts, hometowns, links)
            elif person["kind"] == "driver":
                place = origin_after(doc, end, thing_starts, self.lexicons)
                if place is not None:
                    set_hometown(person, place, hometowns)
        doc.spans[self.cfg["spans_key"]] = hometowns
        doc.spans["bracket_links"] = links
        doc._.people = people
        return doc

    def _bracket(self, doc, open_index, mention, person, people, mention_ends, thing_starts, hometowns, links) -> None:
        tokens = doc_view(doc).tokens
        close = bracket_end(tokens, open_index, DEFAULT_MAX_BRACKET_TOKENS)
        if close is None or close == open_index + 1:
            return
        inner = doc[open_index + 1:close]
        first = inner[0]
        thing = thing_starts.get(inner.start)
        if thing is not None and thing.label_ in ("TEAM", "CAR") and thing.end <= close:
            # "(Prosport Racing, Aston Martin Vantage AMR GT4)": every team and car
            # inside, for the name and, after a crew "A/B (…)", for its partner too.
            inside = [thing_starts[i] for i in range(open_index + 1, close)
                      if i in thing_starts and thing_starts[i].end <= close and thing_starts[i].label_ in ("TEAM", "CAR")]
            for member in (mention, *_crew_partner(doc, mention, mention_ends)):
                for found in inside:
                    # kb_id carries the person: span extensions are keyed by offsets and
                    # would overwrite the thing's own canonical.
                    links.append(Span(doc, found.start, found.end, label=found.label_, kb_id=str(member["person"])))
            return
        if first.text.isdigit():
            age = int(first.text)
            if age in AGE_RANGE and person["age"] is None:
                person["age"] = age
            if len(inner) > 2 and inner[1].text == ",":
                place = place_span(doc, inner.start + 2, close, thing_starts, self.lexicons)
                if place is not None:
                    set_hometown(person, place, hometowns)
            return
        if first.text.lower() in SHARED_WORDS and len(inner) > 1:
            place = place_span(doc, inner.start + 1, close, thing_starts, self.lexicons)
            if place is not None:
                for member in _list_before(doc, open_index, mention_ends):
                    set_hometown(people[member["person"]], place, hometowns, span_owner=member is mention)
            return
        place = place_span(doc, inner.start, close, thing_starts, self.lexicons)
        if place is not None:
            set_hometown(person, place, hometowns)


def set_hometown(person: dict, place: Span, hometowns: list[Span], span_owner: bool = True) -> None:
    """Record ``place`` as the person's hometown (first one wins) and as a HOMETOWN span."""
    if person["hometown"] is None:
        person["hometown"] = place.text
    if span_owner and not _already_listed(hometowns, place.start):
        span = Span(place.doc, place.start, place.end, label="HOMETOWN")
        span._.canonical = place.text
        hometowns.append(span)


def _already_listed(hometowns: list[Span], start: int) -> bool:
    """Spans arrive in text order, so only the tail needs a look (a full scan per
    call was quadratic on long lists of names with brackets)."""
    for span in reversed(hometowns):
        if span.start == start:
            return True
        if span.start < start:
            return False
    return False


def place_span(doc: Doc, start: int, end: int, thing_starts: dict, lex: Lexicons) -> Span | None:
    """The tokens doc[start:end] as a place, a country or a country code."""
    words = doc_view(doc).tokens[start:end]
    if not words or any(has_digit(t.text) or t.text in ("#", "+", "%") for t in words):
        return None
    if len(words) == 1 and is_all_caps(words[0].text):
        return doc[start:end] if words[0].text in lex.country_by_code else None  # (ALMS) is a series
    if start in thing_starts and thing_starts[start].label_ != "CIRCUIT":
        return None
    if not is_capitalised(words[0]) or is_stop_word(words[0]) and words[0].text not in lex.country_by_name:
        return None
    if not all(is_capitalised(t) or t.text in PLACE_JOINERS for t in words) or words[-1].text in PLACE_JOINERS:
        return None
    if any(t.text in lex.team_suffixes or t.text in lex.team_prefixes for t in words):
        return None
    return doc[start:end]


def origin_after(doc: Doc, end: int, thing_starts: dict, lex: Lexicons) -> Span | None:
    """The place of ``aus X`` or ``stammt/kommt aus X`` right after token ``end``."""
    tokens = doc_view(doc).tokens
    if end < len(tokens) and tokens[end].text == "aus":
        return aus_place_span(doc, end + 1, thing_starts, lex)
    if end + 1 < len(tokens) and tokens[end].text in ORIGIN_VERBS and tokens[end + 1].text == "aus":
        return aus_place_span(doc, end + 2, thing_starts, lex)
    return None


def aus_place_span(doc: Doc, start: int, thing_starts: dict, lex: Lexicons) -> Span | None:
    """``aus Köln``, ``aus der Schweiz``, ``aus dem Vorarlberger Feldkirch``."""
    tokens = doc_view(doc).tokens
    index = start
    if index < len(tokens) and tokens[index].text in AUS_ARTICLES:
        index += 1
    # An adjective of origin before the place: "dem Vorarlberger Feldkirch", "dem hessischen Friedberg".
    if index + 1 < len(tokens) and is_capitalised(tokens[index + 1]) and (
        tokens[index].is_lower and tokens[index].is_alpha
        or (tokens[index].text.endswith("er") and tokens[index].text not in lex.country_by_name
            and tokens[index + 1].text not in ("/", "-"))
    ):
        index += 1
    end = index
    while end < len(tokens) and end - index < 5 and (
        is_capitalised(tokens[end]) or (tokens[end].text in AUS_PLACE_JOINERS and end + 1 < len(tokens)
                                     and is_capitalised(tokens[end + 1]) and end > index)
    ):
        end += 1
    if end == index:
        return None
    return place_span(doc, index, end, thing_starts, lex)


def _crew_partner(doc: Doc, mention: dict, mention_ends: dict) -> list[dict]:
    """The left half of a crew ``A/B`` whose right half is ``mention``."""
    start = doc_view(doc).token_at_char.get(mention["start_char"])
    if start is None or start < 2 or doc_view(doc).tokens[start - 1].text != "/":
        return []
    partner = mention_ends.get(start - 1)
    return [partner] if partner is not None and partner["person"] != mention["person"] else []


def _list_before(doc: Doc, open_index: int, mention_ends: dict) -> list[dict]:
    """The mentions of a list ending right before ``open_index``: ``A, B und C (alle USA)``."""
    view = doc_view(doc)
    tokens = view.tokens
    members = []
    end = open_index
    while end in mention_ends:
        mention = mention_ends[end]
        members.append(mention)
        start = view.token_at_char.get(mention["start_char"])
        if start is None:
            break
        # Skip "der Brite" or a title before the name, then a list joiner.
        index = start - 1
        while index >= 0 and tokens[index].text not in LIST_JOINERS and start - index <= 3 and not tokens[index].is_punct:
            index -= 1
        if index < 0 or tokens[index].text not in LIST_JOINERS:
            break
        end = index
    return members
