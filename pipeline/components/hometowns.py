"""Hometowns (and ages, bracket teams) from brackets and ``aus`` after a mention.

Shapes handled after a person mention:
- ``(Rosenheim)``, ``(Spanien)``, ``(B)``, ``(Neustadt/Weinstraße)``, ``(Bad Tölz)``;
- ``(21, Innsbruck)``, ``(35/Starnberg)``: age and place; ``(24)``: age only;
- ``(18, Trier, Team X)``, ``(Türkei/Team X)``, ``(D/Team X)``: the place of a bracket
  that also names a team;
- ``A/B/C (GB/F/E)``: a crew's places by position, ``A/B (GB)`` one for all;
- an unlisted word alone in a bracket (``(Zentec)``) is a place only when it is
  shaped like one (``-dorf``, ``-ingen``) or the document's other brackets hold
  listed places (``towns.txt``): brackets of team names are not hometowns;
- ``(alle USA)``/``(beide Österreich)``: one place for every name of the list before it;
- ``aus Köln``, ``aus der Schweiz``, ``aus dem Vorarlberger Feldkirch``, also after a
  description (``Der Nachwuchsfahrer aus Knittelfeld``).
Brackets that are not hometowns are skipped: start numbers ``(#24)``, gaps
``(+0,317 s)``, acronyms ``(ALMS)``, teams and cars (which go to the driver as
link evidence in ``doc.spans["bracket_links"]``, setting ``links_key``).

Writes ``doc.spans["hometowns"]`` (label HOMETOWN, ``_.canonical`` = the place)
and fills ``hometown``/``age`` of the records in ``doc._.people``.
"""

from __future__ import annotations

from functools import cached_property

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import (  # importing registers the extensions
    canonical_key,
    doc_value,
    set_doc_value,
)
from ..rules import DEFAULT_LANG, Lexicons, load_lexicons
from ..schema import BRACKET_LINKS_KEY, HOMETOWNS_KEY, THINGS_KEY, check_span_keys
from .configured import ConfiguredPipe
from .doc_view import doc_view
from .shapes import bracket_close, has_digit, is_all_caps, list_joiners

DEFAULT_THINGS_KEY = THINGS_KEY
DEFAULT_SPANS_KEY = HOMETOWNS_KEY
DEFAULT_LINKS_KEY = BRACKET_LINKS_KEY
DEFAULT_MAX_BRACKET_TOKENS = 10
# Marks that join the parts of a place ("Halle/Saale", "Berglen-Steinach") and of a
# list of names ("A, B & C"). The words that do are rule data (place_words.tsv:
# place_joiner, aus_place_joiner; link_words.tsv: list_joiner), as are the other
# word classes here: shared_word ("(alle USA)"), aus_article ("aus der Schweiz"),
# origin_verb ("stammt aus"), origin_participle ("der in Aalen lebende X") and
# place_prefix ("Bad Kötzting", "St. Gallen").
PLACE_JOINER_MARKS = frozenset({"/", "-"})
AGE_RANGE = range(12, 90)


def place_words(lex: Lexicons) -> dict[str, frozenset[str]]:
    """The hometown word classes of ``lex`` (the packaged ones for lexicons built without them)."""
    return lex.place_words or load_lexicons().place_words


@Language.factory(
    "motorsport_hometowns",
    assigns=["doc._.people", "doc.spans"],
    requires=["doc._.people", "doc._.mentions", "doc.spans"],
    default_config={"things_key": DEFAULT_THINGS_KEY, "spans_key": DEFAULT_SPANS_KEY, "links_key": DEFAULT_LINKS_KEY,
                    "lang": DEFAULT_LANG, "rules_dir": None},
)
def make_hometowns(nlp: Language, name: str, things_key: str, spans_key: str, links_key: str, lang: str,
                   rules_dir: str | None) -> "HometownFinder":
    check_span_keys(nlp, adding=("motorsport_hometowns", name, {"things_key": things_key, "spans_key": spans_key, "links_key": links_key}))
    return HometownFinder(nlp, name, things_key=things_key, spans_key=spans_key, links_key=links_key, lang=lang,
                          rules_dir=rules_dir)


class HometownFinder(ConfiguredPipe):
    def __init__(self, nlp: Language, name: str = "motorsport_hometowns", *, things_key: str = DEFAULT_THINGS_KEY,
                 spans_key: str = DEFAULT_SPANS_KEY, links_key: str = DEFAULT_LINKS_KEY, lang: str = DEFAULT_LANG,
                 rules_dir: str | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"things_key": things_key, "spans_key": spans_key, "links_key": links_key, "lang": lang,
                    "rules_dir": rules_dir}

    def __call__(self, doc: Doc) -> Doc:
        people = doc_value(doc, "people") or []
        hometowns: list[Span] = []
        links: list[Span] = []
        view = doc_view(doc)
        mention_ends = {}  # token index after the mention → mention
        for mention in doc_value(doc, "mentions") or []:
            last = view.token_ending_at(mention["end_char"])
            if last is not None:
                mention_ends[last + 1] = mention
        if mention_ends:  # a document without person mentions has nothing to read
            self._read_mentions(doc, people, mention_ends, hometowns, links)
        # the readers of the groups (view.spans) get these Span objects
        view.set_spans(self.cfg["spans_key"], hometowns)
        view.set_spans(self.cfg["links_key"], links)
        set_doc_value(doc, "people", people)
        return doc

    def _read_mentions(self, doc: Doc, people: list[dict], mention_ends: dict, hometowns: list[Span],
                       links: list[Span]) -> None:
        """The brackets, ``aus X`` and ``der in X lebende`` around each mention."""
        view = doc_view(doc)
        texts = view.texts
        things = {(s.start, s.end): s for s in view.spans(self.cfg["things_key"])}
        thing_starts = {start: span for (start, _), span in things.items()}
        evidence = _BracketEvidence(self, doc, mention_ends, things, thing_starts)
        for end, mention in sorted(mention_ends.items()):
            person = people[mention["person"]]
            if end < len(texts) and texts[end] == "(":
                self._bracket(doc, end, mention, person, people, mention_ends, thing_starts, hometowns, links, evidence)
                close = bracket_close(texts, end, DEFAULT_MAX_BRACKET_TOKENS)
                if close is not None and person["kind"] == "driver" and person["hometown"] is None:
                    place = origin_after(doc, close + 1, thing_starts, self.lexicons)  # "X (22) aus Aalen"
                    if place is not None:
                        set_hometown(person, place, hometowns, lexicons=self.lexicons)
            elif person["kind"] == "driver":
                place = origin_after(doc, end, thing_starts, self.lexicons)
                if place is not None:
                    set_hometown(person, place, hometowns, lexicons=self.lexicons)
            if person["kind"] == "driver" and person["hometown"] is None:
                place = origin_before(doc, mention, thing_starts, self.lexicons)
                if place is not None:
                    set_hometown(person, place, hometowns, lexicons=self.lexicons)

    def _bracket(self, doc, open_index, mention, person, people, mention_ends, thing_starts, hometowns, links,
                 evidence: _BracketEvidence) -> None:
        """Read a bracket after a name piece by piece: ``(18, Trier, Team X)``,
        ``(Türkei/Team X)``, ``(35/Starnberg)``, ``(alle USA)``; after a crew
        ``A/B/C (X/Y/Z)`` the places go to the members by position."""
        texts = doc_view(doc).texts
        close = bracket_close(texts, open_index, DEFAULT_MAX_BRACKET_TOKENS)
        if close is None or close == open_index + 1:
            return
        lex = self.lexicons
        first = texts[open_index + 1]
        if first.lower() in place_words(lex)["shared_word"] and close > open_index + 2:
            place = place_span(doc, open_index + 2, close, thing_starts, lex)
            if place is not None:
                for member in _list_before(doc, open_index, mention_ends, lex):
                    set_hometown(people[member["person"]], place, hometowns, span_owner=member is mention)
            return
        pieces = _pieces(texts, open_index + 1, close)
        crew = _crew_before(doc, mention, mention_ends)
        things = [thing_starts[start] for start, _, _ in pieces
                  if start in thing_starts and thing_starts[start].label_ in ("TEAM", "CAR") and thing_starts[start].end <= close]
        for member in crew:
            for found in things:
                # kb_id carries the person: span extensions are keyed by offsets and
                # would overwrite the thing's own canonical.
                links.append(Span(doc, found.start, found.end, label=found.label_, kb_id=str(member["person"])))
        if len(crew) > 1:
            places = crew_places(doc, open_index, len(crew), thing_starts, lex)
            if places is not None:
                for member, place in zip(crew, places):
                    set_hometown(people[member["person"]], place, hometowns, span_owner=member is mention or len(places) > 1)
                return
        after_age = False
        index = 0
        while index < len(pieces):
            start, end, _ = pieces[index]
            text = texts[start]
            if end - start == 1 and text.isdigit():
                if index == 0 and int(text) in AGE_RANGE and person["age"] is None:
                    person["age"] = int(text)
                after_age = index == 0
                index += 1
                continue
            if start in thing_starts and thing_starts[start].label_ in ("TEAM", "CAR"):
                index += 1
                continue
            # "(Frankfurt/Oder)", "(Neustadt/Weinstraße)": a place written with a slash
            while (index + 1 < len(pieces) and pieces[index + 1][2] == "/"
                   and self._slash_continues_place(doc, pieces[index + 1], thing_starts)):
                index += 1
                end = pieces[index][1]
            place = place_span(doc, start, end, thing_starts, lex)
            if place is not None and self._takes_place(place, after_age, evidence):
                set_hometown(person, place, hometowns)
                return
            index += 1

    def _takes_place(self, place: Span, after_age: bool, evidence: _BracketEvidence) -> bool:
        """Whether the bracket's ``place`` is the hometown: no word of a team the text
        names (a country may be), and after an age, listed, shaped like a town, or in a
        document whose brackets hold places (asked last: it reads every bracket)."""
        text = _span_text(place)
        if text in evidence.team_words and not _is_country(text, self.lexicons):
            return False
        return after_age or self._known_place(text) or self._place_shaped(text) or evidence.trusts_unknown_places

    def _trusts_unknown_places(self, doc: Doc, mention_ends: dict, thing_starts: dict) -> bool:
        """Whether brackets after names in this document hold places: then an
        unlisted word in one (``(Quastweiler)``) is a place too. A document whose
        brackets hold unlisted words only (``(Engel)``, ``(Zentec)``) names teams."""
        texts = doc_view(doc).texts
        known = unknown = 0
        for end in mention_ends:
            if end >= len(texts) or texts[end] != "(":
                continue
            close = bracket_close(texts, end, DEFAULT_MAX_BRACKET_TOKENS)
            if close is None:
                continue
            pieces = [piece for piece in _pieces(texts, end + 1, close) if not texts[piece[0]].isdigit()]
            if not pieces or pieces[0][0] in thing_starts:
                continue
            place = place_span(doc, pieces[0][0], pieces[0][1], thing_starts, self.lexicons)
            if place is None:
                continue
            text = _span_text(place)
            if self._known_place(text) or self._place_shaped(text):
                known += 1
            else:
                unknown += 1
        return known >= 2 and known > unknown

    def _slash_continues_place(self, doc: Doc, piece: tuple, thing_starts: dict) -> bool:
        """``Oder`` in ``Frankfurt/Oder``: a capitalised word that is no country,
        code, team or car, so it is part of the place before the slash."""
        start, end, _ = piece
        text = doc_view(doc).text_of(start, end)
        if start in thing_starts or text in self.lexicons.country_by_code or text in self.lexicons.country_by_name:
            return False
        return place_span(doc, start, end, thing_starts, self.lexicons) is not None

    def _known_place(self, text: str) -> bool:
        return is_known_place(text, self.lexicons)

    def _place_shaped(self, text: str) -> bool:
        """``Quellersdorf``, ``Neuhausen``: the ending of German place names."""
        last = text.replace("-", " ").split()[-1].lower()
        return len(last) > 5 and last.endswith(self.lexicons.place_endings)


class _BracketEvidence:
    """What the bracket rules ask of the whole document, each read on first use:
    the words of its team names once a bracket holds a place, whether its brackets
    hold places only for a place that no list or ending vouches for."""

    def __init__(self, finder: HometownFinder, doc: Doc, mention_ends: dict, things: dict, thing_starts: dict) -> None:
        self._finder, self._doc, self._mention_ends = finder, doc, mention_ends
        self._things, self._thing_starts = things, thing_starts

    @cached_property
    def trusts_unknown_places(self) -> bool:
        return self._finder._trusts_unknown_places(self._doc, self._mention_ends, self._thing_starts)

    @cached_property
    def team_words(self) -> frozenset[str]:
        """The words of the document's team names: "(Aurora)" where the text names
        "Aurora Racing" is the team, though a town has the name (span.text from the
        doc text: Span.text builds a Token per word)."""
        text = doc_view(self._doc).text
        return frozenset(word for span in self._things.values() if span.label_ == "TEAM"
                         for word in text[span.start_char:span.end_char].replace("-", " ").split())


def crew_places(doc: Doc, open_index: int, size: int, thing_starts: dict, lex: Lexicons) -> list[Span] | None:
    """The place of each member of a crew of ``size`` from the bracket after it:
    ``Kessler/Vidal (D/E)`` by position, ``Brook/Tate (GB)`` one for all. Only
    listed places count here, so ``(Kestrel/Zentec)`` gives nothing."""
    texts = doc_view(doc).texts
    close = bracket_close(texts, open_index, DEFAULT_MAX_BRACKET_TOKENS)
    if close is None or close == open_index + 1:
        return None
    pieces = _pieces(texts, open_index + 1, close)
    if any(separator == "," for _, _, separator in pieces) or len(pieces) not in (1, size):
        return None
    places = [place_span(doc, start, end, thing_starts, lex) for start, end, _ in pieces]
    if not all(place is not None and is_known_place(_span_text(place), lex) for place in places):
        return None
    return places if len(places) == size else places * size


def is_known_place(text: str, lex: Lexicons) -> bool:
    """A country, country code, region or listed town; also its first part
    (``Neustadt/Weinstraße``, ``Berglen-Steinach``, ``Frankfurt am Main``) or
    what follows ``Bad``/``St.`` (``Bad Kötzting``)."""
    if _listed_place(text, lex):
        return True
    words = text.replace("/", " ").split()
    if len(words) > 1 and words[0] in place_words(lex)["place_prefix"]:
        return _listed_place(" ".join(words[1:]), lex)
    for part in (words[0], text.split("-")[0], text.split("-")[-1]):
        if part != text and _listed_place(part, lex):
            return True
    return False


def _listed_place(text: str, lex: Lexicons) -> bool:
    return (text in lex.towns or text in lex.place_by_name or text in lex.country_by_name
            or text in lex.country_by_code or text in lex.region_names
            or (len(text) == 3 and text.upper() in lex.country_by_code))  # "(Ger)", "(Aut)"


def _pieces(texts: list[str], start: int, close: int) -> list[tuple[int, int, str | None]]:
    """The parts of a bracket between ``,`` and ``/``, each with the separator before it."""
    pieces: list[tuple[int, int, str | None]] = []
    piece_start, separator = start, None
    for index in range(start, close):
        if texts[index] in (",", "/"):
            if index > piece_start:
                pieces.append((piece_start, index, separator))
            separator, piece_start = texts[index], index + 1
    if close > piece_start:
        pieces.append((piece_start, close, separator))
    return pieces


def _crew_before(doc: Doc, mention: dict, mention_ends: dict) -> list[dict]:
    """The mentions of a crew ``A/B/C`` that ends with ``mention``, in text order."""
    view = doc_view(doc)
    members = [mention]
    while True:
        start = view.token_starting_at(members[0]["start_char"])
        if start is None or start < 2 or view.texts[start - 1] != "/":
            break
        partner = mention_ends.get(start - 1)
        if partner is None or any(partner["person"] == member["person"] for member in members):
            break
        members.insert(0, partner)
    return members


def set_hometown(person: dict, place: Span, hometowns: list[Span], span_owner: bool = True,
                 lexicons: Lexicons | None = None) -> None:
    """Record ``place`` as the person's hometown and as a HOMETOWN span. The first
    one wins, except that a town refines a country: ``X (D) … der Deutsche aus
    Bingen`` gives ``Bingen``."""
    text = _span_text(place)
    if person["hometown"] is None or (lexicons is not None and _is_country(person["hometown"], lexicons)
                                      and not _is_country(text, lexicons)):
        person["hometown"] = text
    if span_owner and not _already_listed(hometowns, place.start):
        hometowns.append(Span(place.doc, place.start, place.end, label="HOMETOWN"))
        # span._.canonical, written where spaCy keeps it (span._ builds an accessor object)
        place.doc.user_data[canonical_key(place.start_char, place.end_char)] = text


def _span_text(span: Span) -> str:
    """``span.text``, from the token table (Span.text builds a Token per word)."""
    return doc_view(span.doc).text_of(span.start, span.end)


def _is_country(text: str, lex: Lexicons) -> bool:
    return text in lex.country_by_name or text in lex.country_by_code


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
    view = doc_view(doc)
    words = view.texts[start:end]
    if not words or any(has_digit(t) or t in ("#", "+", "%") for t in words):
        return None
    if len(words) == 1 and is_all_caps(words[0]):
        return doc[start:end] if words[0] in lex.country_by_code else None  # (ALMS) is a series
    if start in thing_starts and thing_starts[start].label_ != "CIRCUIT":
        return None
    shapes = view.shapes
    if not shapes[start].capitalised or view.is_stop_word(start) and words[0] not in lex.country_by_name:
        return None
    joiners = place_words(lex)["place_joiner"]
    if (not all(shapes[i].capitalised or view.texts[i] in PLACE_JOINER_MARKS or view.texts[i] in joiners for i in range(start, end))
            or words[-1] in PLACE_JOINER_MARKS or words[-1] in joiners):
        return None
    if any(t in lex.team_suffixes or t in lex.team_prefixes for t in words):
        return None
    if any(part in lex.makers for t in words for part in t.split("-")):
        return None  # "(AMG-Mercedes)", "(Abt-Audi)": a team's car
    return doc[start:end]


def origin_after(doc: Doc, end: int, thing_starts: dict, lex: Lexicons) -> Span | None:
    """The place of ``aus X`` or ``stammt/kommt aus X`` right after token ``end``."""
    texts = doc_view(doc).texts
    if "aus" not in texts[end:end + 3]:
        return None  # each form below has its "aus" within three tokens: most mentions end here
    words = place_words(lex)
    if end < len(texts) and texts[end] == "aus":
        return aus_place_span(doc, end + 1, thing_starts, lex)
    if end + 1 < len(texts) and texts[end] in words["origin_verb"] and texts[end + 1] == "aus":
        return aus_place_span(doc, end + 2, thing_starts, lex)
    if (end + 3 < len(texts) and texts[end] == "," and texts[end + 1] in ("der", "die")
            and texts[end + 2] == "aus"):
        # "X, der aus Aalen stammt": a listed place, or one followed by an origin verb
        place = aus_place_span(doc, end + 3, thing_starts, lex)
        if place is None or (texts[end + 3] in words["aus_article"] and not _is_country(_span_text(place), lex)):
            return None  # "X, die aus der Box kam": an article before a town is no origin
        if is_known_place(_span_text(place), lex) or (place.end < len(texts) and texts[place.end] in words["origin_verb"]):
            return place
    return None


def origin_before(doc: Doc, mention: dict, thing_starts: dict, lex: Lexicons) -> Span | None:
    """``der in Aalen lebende Tim Ohl``, ``die aus Kiel stammende Werksfahrerin X``."""
    view = doc_view(doc)
    texts = view.texts
    start = view.token_starting_at(mention["start_char"])
    if start is None:
        return None
    participles = place_words(lex)["origin_participle"]
    if start < 3 or participles.isdisjoint(texts[start - 2:start]):
        return None  # the participle is one of the two tokens before the name: most mentions end here
    participle = start - 1
    if participle >= 0 and lex.title_kind(texts[participle]):
        participle -= 1  # a title between: "der in Aalen lebende Werksfahrer X"
    if participle < 2 or texts[participle] not in participles:
        return None
    end = participle
    begin = end - 1
    while begin > 0 and end - begin < 4 and texts[begin - 1] not in ("in", "aus"):
        begin -= 1
    if begin < 1 or texts[begin - 1] not in ("in", "aus"):
        return None
    return place_span(doc, begin, end, thing_starts, lex)


def aus_place_span(doc: Doc, start: int, thing_starts: dict, lex: Lexicons) -> Span | None:
    """``aus Köln``, ``aus der Schweiz``, ``aus dem Vorarlberger Feldkirch``."""
    view = doc_view(doc)
    texts, shapes = view.texts, view.shapes
    words = place_words(lex)
    index = start
    if index < len(texts) and texts[index] in words["aus_article"]:
        index += 1
    # An adjective of origin before the place: "dem Vorarlberger Feldkirch", "dem hessischen Friedberg".
    if index + 1 < len(texts) and shapes[index + 1].capitalised and (
        view.shapes[index].is_lower and view.shapes[index].is_alpha
        or (texts[index].endswith("er") and texts[index] not in lex.country_by_name
            and texts[index + 1] not in ("/", "-"))
    ):
        index += 1
    end = index
    while end < len(texts) and end - index < 5 and (
        shapes[end].capitalised or ((texts[end] in PLACE_JOINER_MARKS or texts[end] in words["aus_place_joiner"]) and end + 1 < len(texts)
                             and shapes[end + 1].capitalised and end > index)
    ):
        end += 1
    if end == index:
        return None
    return place_span(doc, index, end, thing_starts, lex)


def _list_before(doc: Doc, open_index: int, mention_ends: dict, lex: Lexicons) -> list[dict]:
    """The mentions of a list ending right before ``open_index``: ``A, B und C (alle USA)``."""
    view = doc_view(doc)
    texts, shapes = view.texts, view.shapes
    joiners = list_joiners(lex)
    members = []
    end = open_index
    while end in mention_ends:
        mention = mention_ends[end]
        members.append(mention)
        start = view.token_starting_at(mention["start_char"])
        if start is None:
            break
        # Skip "der Brite" or a title before the name, then a list joiner.
        index = start - 1
        while index >= 0 and texts[index] not in joiners and start - index <= 3 and not shapes[index].is_punct:
            index -= 1
        if index < 0 or texts[index] not in joiners:
            break
        end = index
    return members
