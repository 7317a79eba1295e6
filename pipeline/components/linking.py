"""Driver linking and the final entity layer.

For each driver, the team and the car the text states for that driver, from
the strongest evidence available (a lower score wins):

0. a team or car in a bracket after the name, or a team right after that
   bracket: ``X (Prema Racing)``, ``X (F) von DS Penske``; such a thing is no
   other driver's by proximity;
1. a teammate phrase: ``Jentzschs Teamkollege X``, ``seine Teamkollegin X``,
   ``teilt sich das Cockpit mit X`` (the team of the other driver);
2. the same sentence: the nearest team/car to any mention of the driver, a
   little further when another driver stands in between;
3. the same paragraph, before the mention; 4. earlier in the document, for a
   team only in a paragraph about the team's other car (``Das Schwesterauto
   …``). A team or car whose own sentence names a driver is not passed on to
   drivers of other sentences: drivers named later are mostly rivals, and a driver
   field the text does not state stays empty.
A car that the document names in one sentence with the driver's team is
preferred over a weaker car candidate. Things inside quotes are not evidence.

Then it writes ``doc.ents`` (DRIVER, PERSON, HOMETOWN, TEAM, CAR,
MANUFACTURER, SERIES, CIRCUIT, RACE_CLASS) with ``span._.canonical``, keeps the
base model's own entities in ``doc.spans["base_ents"]``, and fills
``doc._.drivers``.
"""

from __future__ import annotations

import bisect
from array import array
from itertools import compress, repeat
from operator import attrgetter, itemgetter, le, lt, ne

import numpy
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from .. import extensions  # noqa: F401
from ..extensions import canonical_key, doc_value, set_doc_value
from ..schema import (BASE_ENTS_KEY, BRACKET_LINKS_KEY, GROUP_MENTIONS_KEY, HOMETOWNS_KEY, QUOTES_KEY, THINGS_KEY,
                      check_span_keys)
from ..rules import Lexicons
from .configured import ConfiguredPipe
from .rulers import MEMBER_ID
from .doc_view import doc_view
from .quotes import Outside
from .shapes import bracket_end

# The groups linking reads (and base_ents, the one it writes): see pipeline.schema.
DEFAULT_SPAN_KEYS = {"things_key": THINGS_KEY, "hometowns_key": HOMETOWNS_KEY, "links_key": BRACKET_LINKS_KEY,
                     "groups_key": GROUP_MENTIONS_KEY, "quotes_key": QUOTES_KEY, "base_ents_key": BASE_ENTS_KEY}
SCORE_BRACKET, SCORE_TEAMMATE, SCORE_PARAGRAPH, SCORE_DOCUMENT = 0, 0.5, 100, 1000
BETWEEN_PENALTY = 8
MAX_CREW_GAP = 8  # "der Porsche 911 GT1 #25 mit A, B und C": tokens between the thing and "mit"
MAX_LIST_GAP = 14  # tokens between two names of one list: "A (Prema Racing, Dallara F3), B"
MAX_LINK_TOKENS = 60  # bounds the work in run-on "sentences" of hostile input
BEFORE_PENALTY = 2
COMMA_PENALTY = 8
AFTER_COMMA_PENALTY = 6  # "A (F), Platz drei ging an den Mercedes …": a new clause
# Across a contrast word ("A im Porsche vor B") the thing is the rival's: no link at all.
CONTRAST_PENALTY = float("inf")
PERSON_LABELS = {"driver": "DRIVER", "person": "PERSON"}
IOB_INSIDE, IOB_OUTSIDE, IOB_BEGIN = 1, 2, 3  # spaCy's ENT_IOB codes (Token.iob_strings)
NOBODY: frozenset[int] = frozenset()  # the people of no list
CLAUSE_MARKS = frozenset({",", ";", ":"})  # a comma, semicolon or colon between name and thing may start a new clause
LINKED_LABELS = frozenset({"TEAM", "CAR", "MANUFACTURER"})  # the things a driver can be linked to
# canonical_key(start_char, end_char) is this head plus the two offsets (tested): the loops
# below add the offsets to it, one call per span less.
CANONICAL_KEY_HEAD = canonical_key(0, 0)[:-2]
MEMBER_HASH = get_string_id(MEMBER_ID)  # span.id of a "Carlin-Pilot" team (spaCy stores the string's hash)


@Language.factory(
    "motorsport_linking",
    assigns=["doc.ents", "doc.spans", "doc._.drivers", "doc._.people"],
    requires=["doc._.people", "doc._.mentions", "doc.spans"],
    default_config=dict(DEFAULT_SPAN_KEYS),
)
def make_linking(nlp: Language, name: str, things_key: str, hometowns_key: str, links_key: str, groups_key: str,
                 quotes_key: str, base_ents_key: str) -> "DriverLinker":
    keys = {"things_key": things_key, "hometowns_key": hometowns_key, "links_key": links_key, "groups_key": groups_key,
            "quotes_key": quotes_key, "base_ents_key": base_ents_key}
    check_span_keys(nlp, adding=("motorsport_linking", name, keys))
    return DriverLinker(nlp, name, **keys)


class LinkWords:
    """The word classes of ``link_words.tsv``:
    - teammate (``teammate_nouns.txt``): ``seine Teamkollegin X``; together: ``zusammen mit X``;
    - contrast (between driver and thing) and contrast_verb (right before the
      driver): the thing is a rival's (``vor``, ``überholte er den Ligier von X``);
    - team_after_bracket: ``B (F) von X`` ties the team to the name (cars are
      shared more often: ``A und B (F) im Porsche``);
    - shared_car: ``teilt sich das Cockpit mit X``; sister_car and ordinal:
      ``das Schwesterauto``, ``den zweiten Neunelfer`` (a paragraph about the team's other car);
    - shared_bracket: ``(beide Dallara Kessler)`` holds the car of the names before it;
    - maker_only: ``im Audi`` names a maker, not a model: the driver's model is unstated;
    - crew_after (crew_after_car for cars only), with crew_article words skipped:
      ``der Porsche vom Kessler Team mit den Fahrern A, B und C``, ``der Toyota von A, B und C``;
    - group_noun: ``das Audi-Duo A und B (Kessler Racing)``: the bracket is for the whole list;
    - list_joiner: ``A (F), B und C``: the words that join a list of names;
    - pronouns (``description_words.tsv``): ``er`` and ``sie``, a driver named before."""

    def __init__(self, lexicons: Lexicons) -> None:
        def get(kind: str) -> frozenset[str]:
            return lexicons.link_words.get(kind, frozenset())

        self.teammate = lexicons.teammate_nouns  # shared with attribution (teammate_nouns.txt)
        self.together = get("together")
        self.list_joiner = get("list_joiner")
        self.list_joiner_or_slash = self.list_joiner | {"/"}  # "A/B": a crew is one list too
        self.contrast_verb = get("contrast_verb")
        self.contrast = get("contrast") | self.contrast_verb
        self.team_after_bracket, self.shared_car = get("team_after_bracket"), get("shared_car")
        self.sister_car, self.ordinal = get("sister_car"), get("ordinal")
        self.shared_bracket, self.maker_only = get("shared_bracket"), get("maker_only")
        self.crew_after, self.crew_after_car = get("crew_after"), get("crew_after_car")
        self.crew_article, self.group_noun = get("crew_article"), get("group_noun")
        self.crew_cues = {"TEAM": self.crew_after, "CAR": self.crew_after | self.crew_after_car}
        self.any_crew_cue = self.crew_cues["CAR"]
        described = lexicons.description_words
        self.pronoun_masculine = described.get("pronoun_masculine", frozenset())
        self.pronoun_feminine = described.get("pronoun_feminine", frozenset())
        self.pronouns = self.pronoun_masculine | self.pronoun_feminine
        # Every cue word, lower-cased, for one pass over a document (see DocumentFacts).
        sister_forms = {f"schwester{word}" for word in self.sister_car} | {f"schwestern{word}" for word in self.sister_car}
        self.cue_lowers = frozenset(word.lower() for word in (
            *self.teammate, *self.shared_car, *self.together, *self.crew_after, *self.crew_after_car,
            *self.ordinal, *sister_forms, *self.pronoun_masculine, *self.pronoun_feminine))
        # What DocumentFacts finds by position too (contrast words, clause marks, slashes): a token
        # written as one has it as its lower case as well, so one pass over the lower case finds all.
        self.marked_lowers = self.cue_lowers | {word.lower() for word in self.contrast} | CLAUSE_MARKS | {"/"}


class Thing:
    """A team, car or other thing of the rulers, read once per document: each Span
    attribute and ``._.`` access is a lookup, and linking asks for them often."""

    __slots__ = ("start", "end", "start_char", "end_char", "label", "name", "is_member", "sentence")

    def __init__(self, span: Span, text: str, user_data: dict, sentence_of) -> None:
        self.start, self.end, self.start_char, self.end_char = span.start, span.end, span.start_char, span.end_char
        self.sentence = sentence_of(self.start)
        self.label = span.label_
        # The canonical name, else the text (sliced from the doc text: span.text makes a Token per word).
        self.name = (user_data.get(CANONICAL_KEY_HEAD + (self.start_char, self.end_char))
                     or text[self.start_char:self.end_char])
        # The id's hash, compared with MEMBER_ID's: ``span.id_`` would decode a string per thing.
        self.is_member = span.id == MEMBER_HASH


class TokenRange:
    """Where a person is mentioned: tokens ``start:end``, from character ``start_char``."""

    __slots__ = ("start", "end", "start_char")

    def __init__(self, start: int, end: int, start_char: int) -> None:
        self.start, self.end, self.start_char = start, end, start_char


class DriverMention:
    """A driver's mention (or evidence) with what both linking passes ask of it, read once:
    its sentence and list, the bracket after it and the drivers that bracket
    speaks for (``crew``), and where a team ``B (F) von X`` starts after that bracket."""

    __slots__ = ("close", "crew", "own_list", "person", "sentence", "span", "team_after")

    def __init__(self, person: int, span: TokenRange, sentence: int, own_list: int | None,
                 close: int | None, crew: list[int], team_after: int | None) -> None:
        self.person, self.span, self.sentence = person, span, sentence
        self.own_list, self.close, self.crew, self.team_after = own_list, close, crew, team_after


class DriverLinker(ConfiguredPipe):
    def __init__(self, nlp: Language, name: str = "motorsport_linking", *, things_key: str = THINGS_KEY,
                 hometowns_key: str = HOMETOWNS_KEY, links_key: str = BRACKET_LINKS_KEY,
                 groups_key: str = GROUP_MENTIONS_KEY, quotes_key: str = QUOTES_KEY,
                 base_ents_key: str = BASE_ENTS_KEY) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"things_key": things_key, "hometowns_key": hometowns_key, "links_key": links_key,
                    "groups_key": groups_key, "quotes_key": quotes_key, "base_ents_key": base_ents_key}
        self._words: tuple[Lexicons, LinkWords] | None = None

    @property
    def words(self) -> "LinkWords":
        if self._words is None or self._words[0] is not self.lexicons:  # tests swap lexicons in
            self._words = (self.lexicons, LinkWords(self.lexicons))
        return self._words[1]

    def __call__(self, doc: Doc) -> Doc:
        people = doc_value(doc, "people") or []
        view = doc_view(doc)
        text, user_data, sentence_of = view.text, doc.user_data, view.index.sentence_of
        every_thing = [Thing(span, text, user_data, sentence_of) for span in view.spans(self.cfg["things_key"])]
        mention_ranges = _token_ranges(doc, view, doc_value(doc, "mentions") or [])
        # Only a team, a car or a maker ("im Audi") can be linked: without one (or without
        # people) no driver gets a team or car, and the evidence need not be read at all.
        if people and any(thing.label in LINKED_LABELS for thing in every_thing):
            self._link_people(doc, view, people, every_thing, mention_ranges)
        doc.spans[self.cfg["base_ents_key"]] = list(doc.ents)
        _set_entities(doc, self._entities(doc, view, people, mention_ranges, every_thing))
        set_doc_value(doc, "people", people)
        set_doc_value(doc, "drivers", [_driver_row(p) for p in people if p["kind"] == "driver"])
        return doc

    def _link_people(self, doc: Doc, view, people: list[dict], every_thing: list[Thing], mention_ranges) -> None:
        """Sets each person's ``team`` and ``car`` from the things of the document."""
        lowers = view.lowers
        words = self.words
        quoted = Outside((span.start_char, span.end_char) for span in view.spans(self.cfg["quotes_key"]))
        # Things and mentions inside quotes are no evidence: "dem ganzen Team Rückenwind" is speech.
        things, narrative = every_thing, mention_ranges
        if quoted.spans:
            bounds = _quote_bounds(quoted)  # one bisection each instead of a call to quoted.inside
            things = [t for t in every_thing if not bisect.bisect_right(bounds, t.start_char) & 1]
            narrative = [pair for pair in mention_ranges if not bisect.bisect_right(bounds, pair[1].start_char) & 1]
        # Evidence-only mentions: "Das Duo" (every driver of the latest list) and subject pronouns.
        extra = [({"person": int(g.kb_id_), "kind": "group"}, TokenRange(g.start, g.end, g.start_char))
                 for g in view.spans(self.cfg["groups_key"])]
        # Cue words, contrast words and clause marks in one pass over the lower-case tokens;
        # each step checks its own words at these positions.
        marked = list(compress(range(len(lowers)), map(words.marked_lowers.__contains__, lowers)))
        cue_lowers = words.cue_lowers
        cue_positions = [i for i in marked if lowers[i] in cue_lowers]
        extra += _subject_pronouns(doc, view, cue_positions, people, narrative, quoted, words)
        evidence = sorted(narrative + extra, key=lambda pair: pair[1].start)
        facts = DocumentFacts(view, marked, cue_positions, every_thing, people, evidence, words,
                              self.lexicons, self.cfg["links_key"])
        weak_cars: dict[int, str] = {}
        # "im Audi": a maker where the model would stand; the driver's model is unstated.
        maker_only = [t for t in things if t.label == "MANUFACTURER" and t.start > 0
                      and lowers[t.start - 1] in words.maker_only]
        unstated_cars: set[int] = set()
        for label, key in (("TEAM", "team"), ("CAR", "car")):
            candidates = [t for t in things if t.label == label] + (maker_only if label == "CAR" else [])
            best = self._link(view, people, evidence, candidates, label, words, facts)
            for person_id, (score, thing) in best.items():
                if thing.label == "MANUFACTURER":
                    if score < SCORE_PARAGRAPH:
                        unstated_cars.add(person_id)
                elif label == "CAR" and score >= SCORE_PARAGRAPH:
                    weak_cars[person_id] = thing.name  # only a fallback, see below
                else:
                    people[person_id][key] = thing.name
        # Without things in quotes, the pairs are those of every thing (DocumentFacts has them).
        pairs = facts.team_car_pairs if len(things) == len(every_thing) else _team_car_pairs(things)
        self._team_from_car(people, things, pairs)
        self._car_from_team(people, pairs, unstated_cars)
        # A car named outside the driver's sentences is used only when the document
        # has one car model: otherwise it is as likely someone else's.
        car_names = {t.name for t in things if t.label == "CAR"}
        for person_id, car in weak_cars.items():
            if people[person_id]["car"] is None and len(car_names) == 1 and person_id not in unstated_cars:
                people[person_id]["car"] = car

    def _link(self, view, people, narrative, candidates: list[Thing], label: str, words: "LinkWords",
              facts: "DocumentFacts") -> dict[int, tuple[float, Thing]]:
        best: dict[int, tuple[float, Thing]] = {}
        if not candidates:
            return best  # every step below offers a candidate

        def offer(person_id: int, score: float, thing: Thing) -> None:
            if person_id not in best or score < best[person_id][0]:
                best[person_id] = (score, thing)

        index = view.index
        texts = view.texts
        n_tokens = len(texts)
        paragraph_of = index.paragraph_of
        by_start = {t.start: t for t in candidates}
        people_of_group, crews = facts.people_of_group, facts.crews
        owners: dict[int, set[int]] = {}  # thing start → the drivers a bracket ties it to
        for link_label, link_start, link_person in facts.bracket_links:
            if link_label == label and link_start in by_start:
                offer(link_person, SCORE_BRACKET, by_start[link_start])
                owners.setdefault(link_start, set()).add(link_person)
        for mention in facts.team_after_mentions if label == "TEAM" else ():  # "B (F) von X"; "A und B (beide I) von X"
            if mention.team_after not in by_start:
                continue
            group = people_of_group.get(mention.own_list, NOBODY) | {mention.person}
            for person_id in group:
                offer(person_id, SCORE_BRACKET, by_start[mention.team_after])
                owners.setdefault(mention.team_after, set()).add(person_id)
        ends_at = {t.end: t for t in candidates}
        for mention in facts.tying_mentions:
            span, close, crew = mention.span, mention.close, mention.crew
            tied = []
            member = ends_at.get(span.start)
            if member is not None and member.is_member:  # "Carlin-Pilot Ole Sand"
                tied.append(([mention.person], member))
            if close is not None:  # "(18, Trier, Kessler Racing)", "(beide Dallara Mercedes)"
                tied += [(crew, by_start[i]) for i in range(span.end + 1, close)
                         if i in by_start and by_start[i].end <= close]
            after = close + 1 if close is not None else span.end
            if after + 1 < n_tokens and texts[after] == "," and after + 1 in by_start and label == "CAR":
                tied.append((crew, by_start[after + 1]))  # results line: "A/B (GB/I), Ferrari F430 GT, 186"
            for people_ids, thing in tied:
                for tied_id in people_ids:
                    offer(tied_id, SCORE_BRACKET, thing)
                    owners.setdefault(thing.start, set()).add(tied_id)
        ordered = sorted(candidates, key=attrgetter("end"))
        ends = [t.end for t in ordered]
        for thing, crew in _crews_after_things(view, facts, ordered, ends, label, words):
            for tied_id in crew:  # no owner: "#26 mit D, E und F" may be a second car of the model
                offer(tied_id, SCORE_BRACKET, thing)
        drivers_by_sentence = facts.drivers_by_sentence
        things_by_sentence: dict[int, list[Thing]] = {}
        for thing in sorted(candidates, key=attrgetter("start")):  # sorted: searched with bisect below
            things_by_sentence.setdefault(thing.sentence, []).append(thing)
        starts_by_sentence = {sentence: [t.start for t in in_sentence]
                              for sentence, in_sentence in things_by_sentence.items()}
        maker_of_team, makers_of_paragraph = facts.maker_of_team, facts.makers_of_paragraph

        def _same_maker(team: Thing, paragraph: int) -> bool:
            maker = maker_of_team.get(team.name)
            return maker is None or paragraph not in makers_of_paragraph or maker in makers_of_paragraph[paragraph]

        sister_paragraphs = facts.sister_paragraphs if label == "TEAM" else set()
        ordered_sentences = [thing.sentence for thing in ordered]
        # A team or car whose own sentence names a driver is that driver's: no other sentence's.
        unowned = [thing_sentence not in drivers_by_sentence for thing_sentence in ordered_sentences]
        first_of_sentence: dict[int, int] = {}  # position in `ordered` of each sentence's first thing
        for position, thing_sentence in enumerate(ordered_sentences):
            first_of_sentence.setdefault(thing_sentence, position)
        # The things of the mention's own sentence, near it. Their scores stay below SCORE_PARAGRAPH
        # and those of things outside the sentence (below) do not: the offers of the two loops never
        # tie, so visiting the mentions sentence by sentence first changes no result.
        for sentence, in_sentence in things_by_sentence.items():
            mentions = facts.mentions_in(sentence)
            if not mentions:
                continue
            neighbours = facts.neighbours(sentence)
            starts = starts_by_sentence[sentence]
            for mention in mentions:
                person_id, span = mention.person, mention.span
                # only things within MAX_LINK_TOKENS: a bisect keeps run-on "sentences" linear
                nearby = bisect.bisect_left(starts, span.start - MAX_LINK_TOKENS)
                while nearby < len(in_sentence) and in_sentence[nearby].start <= span.start + MAX_LINK_TOKENS:
                    thing = in_sentence[nearby]
                    nearby += 1
                    if thing.start in owners and person_id not in owners[thing.start]:
                        continue  # tied to other drivers by a bracket
                    distance = _sentence_distance(view, facts, span, thing, neighbours, mention.own_list, words)
                    # offer(), written out: the loop's many offers pay for a call each
                    if distance != CONTRAST_PENALTY and (person_id not in best or distance < best[person_id][0]):
                        best[person_id] = (distance, thing)
        # Outside the sentence only the nearest earlier thing can win, and only an unowned one.
        for mention in facts.driver_mentions if any(unowned) else ():
            person_id, span, sentence = mention.person, mention.span, mention.sentence
            position = bisect.bisect_right(ends, span.start) - 1
            if position >= 0 and ordered_sentences[position] == sentence:
                position = first_of_sentence[sentence] - 1
            # Scores from here on are SCORE_PARAGRAPH or more: they cannot beat one below it.
            if position >= 0 and unowned[position] and not (person_id in best and best[person_id][0] < SCORE_PARAGRAPH):
                thing = ordered[position]
                paragraph = paragraph_of(span.start_char)
                same_paragraph = paragraph_of(thing.start_char) == paragraph
                base = SCORE_PARAGRAPH if same_paragraph else SCORE_DOCUMENT
                # A team from another paragraph is the driver's only in a paragraph about
                # the team's other car ("Das Schwesterauto teilen sich …"); elsewhere,
                # drivers named later are mostly rivals.
                if (label != "TEAM" or same_paragraph
                        or (paragraph in sister_paragraphs and _same_maker(thing, paragraph))):
                    offer(person_id, base + (span.start - thing.end) / 1000, thing)
        if label == "TEAM":
            pairs = _teammates(view, facts, people, narrative, words)
            # A crew "A/B" shares its team; a teammate phrase ties both ways.
            pairs += [(mate, other) for crew in crews.values() for mate in crew for other in crew if mate != other]
            for person_id, team_holder in pairs:
                if team_holder in best and best[team_holder][0] < SCORE_PARAGRAPH:
                    offer(person_id, SCORE_TEAMMATE, best[team_holder][1])
                elif person_id in best and best[person_id][0] < SCORE_PARAGRAPH:
                    offer(team_holder, SCORE_TEAMMATE, best[person_id][1])
        return best

    def _car_from_team(self, people: list[dict], pairs: list[tuple[str, str]], unstated: set[int]) -> None:
        """A driver whose car is unknown drives what the text gives to the team."""
        by_team = {team: car for car, team in pairs}
        for person_id, person in enumerate(people):
            if (person["kind"] == "driver" and person["car"] is None and person["team"] in by_team
                    and person_id not in unstated):
                person["car"] = by_team[person["team"]]

    def _team_from_car(self, people: list[dict], things: list[Thing], pairs: list[tuple[str, str]]) -> None:
        """In a document about one team, a driver whose car is the car the text
        gives to that team drives for it: ``Starker Auftakt von Kessler Racing: der
        Porsche 911 RSR fuhr …`` and later ``Lena Hofbauer (Porsche 911 RSR #77): …``.
        Only from a sentence that names one team and one car model."""
        teams = {t.name for t in things if t.label == "TEAM"}
        if len(teams) != 1:
            return
        cars = {car for car, _ in pairs}
        team = next(iter(teams))
        for person in people:
            if person["kind"] == "driver" and person["team"] is None and person["car"] in cars:
                person["team"] = team

    def _entities(self, doc: Doc, view, people, mention_ranges, things: list[Thing]) -> list[tuple[int, int, str]]:
        """(start, end, label) of the entities, in text order: people, hometowns, things; the longest
        wins where they overlap (``spacy.util.filter_spans``). Each entity's
        ``_.canonical`` is written in this order, so where a person and a thing
        share their characters the thing's reading comes last, as it always did."""
        user_data, text, ends = doc.user_data, view.text, view.ends
        entities: list[tuple[int, int, str]] = []
        for mention, span in mention_ranges:
            if mention["kind"] == "description":
                continue
            person = people[mention["person"]]
            user_data[CANONICAL_KEY_HEAD + (span.start_char, ends[span.end - 1])] = person["name"]
            entities.append((span.start, span.end, PERSON_LABELS[person["kind"]]))
        hometowns = [(span.start, span.end, span.start_char, span.end_char, span.label_)
                     for span in view.spans(self.cfg["hometowns_key"])]
        for start, end, start_char, end_char, label in [
                *hometowns, *((t.start, t.end, t.start_char, t.end_char, t.label) for t in things)]:
            key = CANONICAL_KEY_HEAD + (start_char, end_char)
            # Read now: a person entity above may have set the canonical of the same characters.
            user_data[key] = user_data.get(key) or text[start_char:end_char]
            entities.append((start, end, label))
        return _longest_first(entities)


def _set_entities(doc: Doc, entities: list[tuple[int, int, str]]) -> None:
    """``doc.ents = entities`` for non-overlapping (start, end, label), written as
    token columns: the setter builds a Span per entity and visits every token in
    Python. As the setter does, every other token becomes outside (O), and the
    entity tokens lose their knowledge base id (their ``ent_id`` stays)."""
    n_tokens = len(doc)
    strings = doc.vocab.strings
    label_ids = {label: strings.add(label) for label in {label for _, _, label in entities}}
    # Both columns (IOB codes, label ids) in one C array of uint64, each starting as "outside",
    # written only at the entities' tokens: by item at a start, by slices after it.
    columns = array("Q", [IOB_OUTSIDE]) * n_tokens + array("Q", bytes(8 * n_tokens))
    inside = array("Q", [IOB_INSIDE]) * n_tokens  # sliced for the tokens after an entity's start
    for start, end, label in entities:
        if start < end:  # an empty span sets nothing
            columns[start] = IOB_BEGIN
            columns[n_tokens + start] = label_ids[label]
            if end - start > 1:
                columns[start + 1:end] = inside[start + 1:end]
                columns[n_tokens + start + 1:n_tokens + end] = array("Q", [label_ids[label]]) * (end - start - 1)
    iob_and_types = numpy.frombuffer(columns, dtype=numpy.uint64).reshape(2, n_tokens)
    doc.from_array([ENT_IOB, ENT_TYPE], iob_and_types.T)
    if doc.has_annotation(ENT_KB_ID):  # only a model that links entities sets them
        kb_ids = doc.to_array(ENT_KB_ID)
        kb_ids[iob_and_types[0] != IOB_OUTSIDE] = 0
        doc.from_array([ENT_KB_ID], kb_ids)


def _longest_first(ranges: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``spacy.util.filter_spans`` on (start, end, label): of overlapping ranges the
    (first) longest stays; the result is in text order."""
    in_order = sorted(ranges, key=itemgetter(0))
    starts, ends = list(map(itemgetter(0), in_order)), list(map(itemgetter(1), in_order))
    # No range is empty and each ends where the next starts or before (the usual case): every
    # range stays. (The two checks pair the lists element-wise at C speed.)
    if all(map(lt, starts, ends)) and all(map(le, ends, starts[1:])):
        return in_order
    kept, seen = [], set()
    for entity in sorted(ranges, key=lambda r: (r[1] - r[0], -r[0]), reverse=True):
        start, end, _ = entity
        if start not in seen and end - 1 not in seen:
            kept.append(entity)
            seen.update(range(start, end))
    return sorted(kept, key=lambda r: r[0])


class DocumentFacts:
    """What both linking passes (teams, cars) read of the document, built once."""

    def __init__(self, view, marked: list[int], cue_positions: list[int], every_thing: list[Thing],
                 people: list[dict], evidence: list, words: LinkWords, lex: Lexicons, links_key: str) -> None:
        index = view.index
        self.cue_positions = cue_positions
        # Contrast words and clause marks by position (among the ``marked`` ones, see
        # LinkWords.marked_lowers): a distance asks "any between these two tokens?" by
        # bisect instead of reading the tokens between.
        texts, lowers, contrast = view.texts, view.lowers, words.contrast
        self.contrast_positions = [i for i in marked if lowers[i] in contrast or texts[i] in contrast]
        self.clause_positions = [i for i in marked if texts[i] in CLAUSE_MARKS]
        # Driver evidence in text order, also by sentence, for look-ups by bisect instead of scans.
        is_driver = [person["kind"] == "driver" for person in people]
        self.driver_pairs = [pair for pair in evidence if is_driver[pair[0]["person"]]]
        self.drivers = [s for _, s in self.driver_pairs]
        self.driver_pair_starts = [s.start for s in self.drivers]
        driver_sentences = list(map(index.sentence_of, self.driver_pair_starts))
        self._driver_pairs_by_sentence: dict[int, list] = {}
        self.drivers_by_sentence: dict[int, list[int]] = {}
        for pair, start, sentence in zip(self.driver_pairs, self.driver_pair_starts, driver_sentences):
            self._driver_pairs_by_sentence.setdefault(sentence, []).append(pair)
            self.drivers_by_sentence.setdefault(sentence, []).append(start)
        self.driver_at = {span.start: m["person"] for m, span in self.driver_pairs}
        self.list_of = _list_groups(view, self.drivers, words)
        self.people_of_group: dict[int, set[int]] = {}
        for mention, span in self.driver_pairs:  # every driver start has a list
            self.people_of_group.setdefault(self.list_of[span.start], set()).add(mention["person"])
        self.crews = _crews(texts, {i for i in marked if texts[i] == "/"}, self.driver_pairs)
        self.crew_lists = _crew_lists(view, cue_positions, self.driver_at, words, lex)
        self.first_of_list: dict[int | None, int] = {}  # list id → its first mention's token ("das Audi-Duo A und B")
        for _, other in evidence:  # in text order: the first one seen is the first of its list
            self.first_of_list.setdefault(self.list_of.get(other.start), other.start)
        self.bracket_links = [(link.label_, link.start, int(link.kb_id_)) for link in view.spans(links_key)]
        # "Das Schwesterauto …" of a paragraph about another maker is not this team's.
        self.team_car_pairs = _team_car_pairs(every_thing)
        self.sister_paragraphs = _sister_car_paragraphs(view, self.cue_positions, every_thing, words)
        self.maker_of_team: dict[str, str] = {}
        self.makers_of_paragraph: dict[int, set[str]] = {}
        if self.sister_paragraphs:  # read only for a paragraph about a team's other car
            self.maker_of_team = {team: car.split()[0] for car, team in self.team_car_pairs}
            for thing in every_thing:
                if thing.label in ("CAR", "MANUFACTURER"):
                    self.makers_of_paragraph.setdefault(index.paragraph_of(thing.start_char), set()).add(
                        thing.name.split()[0])
        self._neighbours: dict[int, DriverNeighbours] = {}
        self.driver_mentions = _driver_mentions(view, self, driver_sentences, words)
        self._mentions_by_sentence: dict[int, list[DriverMention]] = {}
        for mention in self.driver_mentions:
            self._mentions_by_sentence.setdefault(mention.sentence, []).append(mention)
        self.team_after_mentions = [m for m in self.driver_mentions if m.team_after is not None]
        # The mentions a bracket, a thing right before or a comma after may tie to a thing: few of them.
        thing_ends = {thing.end for thing in every_thing}
        self.tying_mentions = [m for m in self.driver_mentions if m.close is not None or m.span.start in thing_ends
                               or (m.span.end < len(texts) and texts[m.span.end] == ",")]

    def mentions_in(self, sentence: int) -> list[DriverMention]:
        """The DriverMentions of ``sentence``, in text order."""
        return self._mentions_by_sentence.get(sentence, [])

    def driver_pairs_in(self, sentence: int) -> list:
        """(mention, range) of the drivers named in ``sentence``, in text order."""
        return self._driver_pairs_by_sentence.get(sentence, [])

    def neighbours(self, sentence: int) -> DriverNeighbours:
        """The driver mentions of ``sentence``, built once for both linking passes."""
        if sentence not in self._neighbours:
            self._neighbours[sentence] = DriverNeighbours(self.drivers_by_sentence.get(sentence, []), self.list_of)
        return self._neighbours[sentence]


def _token_ranges(doc: Doc, view, mentions: list[dict]) -> list[tuple[dict, TokenRange]]:
    """(mention, its tokens) of the mentions that cover tokens (``char_span`` with
    ``expand``), from the token table when the mention lies on token boundaries, as it
    does but for hand-made input."""
    ranges = []
    for mention in mentions:
        start_char, end_char = mention["start_char"], mention["end_char"]
        tokens = view.token_range(start_char, end_char)
        if tokens is not None:
            ranges.append((mention, TokenRange(*tokens, start_char)))
        elif (span := doc.char_span(start_char, end_char, alignment_mode="expand")) is not None:
            ranges.append((mention, TokenRange(span.start, span.end, span.start_char)))
    return ranges


def _team_car_pairs(things: list[Thing]) -> list[tuple[str, str]]:
    """(car, team) of sentences that name one car model and one team; the first
    sentence for each team wins."""
    cars: dict[int, set[str]] = {}
    teams: dict[int, set[str]] = {}
    for thing in things:
        if thing.label in ("CAR", "TEAM"):
            target = cars if thing.label == "CAR" else teams
            target.setdefault(thing.sentence, set()).add(thing.name)
    pairs, seen = [], set()
    for sentence in sorted(set(cars) & set(teams)):
        if len(cars[sentence]) == 1 and len(teams[sentence]) == 1:
            team = next(iter(teams[sentence]))
            if team not in seen:
                seen.add(team)
                pairs.append((next(iter(cars[sentence])), team))
    return pairs


class DriverNeighbours:
    """The other driver mentions of one sentence, for "who stands in between"
    questions answered with bisect (a results list can name thousands)."""

    def __init__(self, positions: list[int], list_of: dict[int, int]) -> None:
        self.positions = positions  # sorted token starts
        self.list_of = list_of
        self.list_starts: dict[int, int] = {}
        for pos in positions:
            self.list_starts.setdefault(list_of.get(pos), pos)

    def between(self, low: int, high: int) -> list[int]:
        return self.positions[bisect.bisect_right(self.positions, low):bisect.bisect_left(self.positions, high)]

    def other_driver_between(self, low: int, high: int, own_list: int | None) -> bool:
        return any(map(ne, map(self.list_of.get, self.between(low, high)), repeat(own_list)))

    def list_commas(self, low: int, high: int, own_list: int | None) -> set[int]:
        """Commas (and a title before a name) that only separate members of the
        driver's own list: "mit A, B und C"."""
        members = [pos for pos in self.between(low, high + 2)
                   if self.list_of.get(pos) == own_list and pos != self.list_starts.get(own_list)]
        return {pos - 1 for pos in members} | {pos - 2 for pos in members}


def _sentence_distance(view, facts: "DocumentFacts", mention: TokenRange, thing: Thing, neighbours: DriverNeighbours,
                       own_list: int | None, words: "LinkWords") -> float:
    """Token distance, longer when the thing is probably someone else's.

    Things after the name belong to it more often than things before it
    (``X im Audi R8 LMS von Y``); a comma or another driver between them
    weakens the link, and a contrast word (``vor``/``hinter``/``gegen``) breaks
    it: in ``A im Porsche vor B`` the Porsche is A's.
    """
    after = thing.start >= mention.end
    low, high = (mention.end, thing.start) if after else (thing.end, mention.start)
    distance = float(high - low)
    contrasts = facts.contrast_positions
    at = bisect.bisect_left(contrasts, low)  # a contrast word in [low, high)?
    if at < len(contrasts) and contrasts[at] < high:
        return CONTRAST_PENALTY  # nothing else can make it finite
    if after and mention.start > 0 and view.lowers[mention.start - 1] in words.contrast_verb:
        return CONTRAST_PENALTY  # "überholte er den Ligier von X": the object is the rival's
    if neighbours.other_driver_between(low, high, own_list):
        distance += BETWEEN_PENALTY
    clause_marks = facts.clause_positions[bisect.bisect_left(facts.clause_positions, low):
                                          bisect.bisect_left(facts.clause_positions, high)]
    crosses_clause = False
    if clause_marks:  # the list's own commas only matter when there is a comma
        list_commas = neighbours.list_commas(low, high, own_list)
        crosses_clause = any(i not in list_commas for i in clause_marks)
    if after:
        distance += AFTER_COMMA_PENALTY * crosses_clause
    else:
        distance += BEFORE_PENALTY + COMMA_PENALTY * crosses_clause
    return distance


def _quote_bounds(quoted: Outside) -> list[int]:
    """The bounds of the quotes (sorted and merged by ``Outside``) in one sorted list: an
    offset is inside a quote (``quoted.inside``) exactly when an odd number of them lie at
    or before it, the quote's start and not its end."""
    return [bound for span in quoted.spans for bound in span]


def _driver_row(person: dict) -> dict:
    return {
        "driver": person["name"],
        "hometown": person["hometown"],
        "team": person["team"],
        "car": person["car"],
        "nationality": person["nationality"],
        "age": person["age"],
        "titles": ", ".join(person["titles"]),
    }


def _teammates(view, facts: DocumentFacts, people, narrative, words: "LinkWords") -> list[tuple[int, int]]:
    """(driver, teammate holding the team) for ``Xs Teamkollege Y``, ``seine
    Teamkollegin Y``, ``die Teamkollegen Y und Z`` and ``teilt sich das Cockpit mit Y``."""
    texts, lowers, index = view.texts, view.lowers, view.index
    pairs = []
    cues = [i for i in facts.cue_positions
            if texts[i] in words.teammate or texts[i] in words.shared_car or lowers[i] in words.together]
    if not cues:
        return pairs
    by_start = {span.start: (m, span) for m, span in narrative}
    by_end = {span.end: (m, span) for m, span in narrative}
    for i in cues:
        with_next = i + 2 in by_start and texts[i + 1] == "mit"
        if texts[i] in words.teammate and i + 1 in by_start:
            mates = _list_from(view, i + 1, by_start, words)
        elif texts[i] in words.shared_car and with_next:
            mates = _list_from(view, i + 2, by_start, words)  # "teilt sich das Cockpit mit X"
        elif lowers[i] in words.together and with_next:
            mates = _list_from(view, i + 2, by_start, words)  # "Zusammen mit X und Y jubelte Z"
            sentence = index.sentence_of(i)
            holder = next((m["person"] for m, _ in facts.driver_pairs_in(sentence) if m["person"] not in mates), None)
            if holder is not None:
                pairs.extend((mate, holder) for mate in mates if mate != holder)
            continue
        else:
            continue
        if i in by_end:  # "Jentzschs Teamkollege Frohwein"
            holder = by_end[i][0]["person"]
        else:
            holder = _teammate_holder(view, i, facts, set(mates), words)
        if holder is not None:
            pairs.extend((mate, holder) for mate in mates if mate != holder)
    return pairs


def _teammate_holder(view, noun: int, facts: DocumentFacts, mates: set[int], words: "LinkWords") -> int | None:
    """Whose teammate ``seine Teamkollegin`` means: the subject of the sentence
    (its first driver), not the object right before "und seine …"; with a
    pronoun subject ("überholte er X und seine Teamkollegin Y"), the last driver
    before the sentence. The mates themselves are no candidates."""
    sent_start = view.index.sentence_start(noun)
    pairs, starts = facts.driver_pairs, facts.driver_pair_starts
    first_in_sentence, first_after = bisect.bisect_left(starts, sent_start), bisect.bisect_left(starts, noun)
    in_sentence = [m["person"] for m, span in pairs[first_in_sentence:first_after]
                   if span.end <= noun and m["person"] not in mates]
    if in_sentence and not _pronoun_between(view, sent_start, noun, words):
        return in_sentence[0]
    for k in range(first_in_sentence - 1, -1, -1):  # the last driver before the sentence
        m, span = pairs[k]
        if span.end <= noun and m["person"] not in mates:
            return m["person"]
    return in_sentence[-1] if in_sentence else None


def _list_from(view, start: int, by_start: dict, words: "LinkWords") -> list[int]:
    """The people of a list starting at token ``start``: ``Y (FIN) und Z (EST)``."""
    texts = view.texts
    n_tokens = len(texts)
    people = []
    index = start
    while index in by_start:
        mention, span = by_start[index]
        people.append(mention["person"])
        index = span.end
        if index < n_tokens and texts[index] == "(":
            close = bracket_end(view.shapes, index)
            if close is None:
                break
            index = close + 1
        if index < n_tokens and texts[index] in words.list_joiner and index + 1 in by_start:
            index += 1
        else:
            break
    return people


def _crews(texts: list[str], slashes: set[int], driver_pairs: list) -> dict[int, list[int]]:
    """The drivers of a crew written with slashes, ``A/B/C``, keyed by the start
    of each member's mention (``slashes``: where the slashes are; ``driver_pairs``:
    the drivers' (mention, range))."""
    if not slashes:
        return {}
    driver_at = {span.start: (m["person"], span) for m, span in driver_pairs}
    crews: dict[int, list[int]] = {}
    seen: set[int] = set()
    for start in sorted(driver_at):
        if start in seen or driver_at[start][1].end not in slashes:
            continue  # a member of a crew found before, or no crew: no slash after the name
        members, position = [start], start
        while True:
            end = driver_at[position][1].end
            if end + 1 < len(texts) and texts[end] == "/" and end + 1 in driver_at:
                position = end + 1
                members.append(position)
            else:
                break
        seen.update(members)
        if len(members) > 1:
            crew = list(dict.fromkeys(driver_at[m][0] for m in members))
            for member in members:
                crews[member] = crew
    return crews


def _after_group_noun(texts: list[str], first_of_list: dict, list_of: dict[int, int], span: TokenRange,
                      words: "LinkWords") -> bool:
    """Whether the list ``span`` ends follows ``Duo``/``Trio`` (also ``Audi-Duo``)."""
    first = first_of_list.get(list_of.get(span.start), span.start)
    return first > 0 and texts[first - 1].rpartition("-")[2] in words.group_noun


def _crews_after_things(view, facts: DocumentFacts, ordered: list[Thing], ends: list[int], label: str,
                        words: LinkWords) -> list:
    """``der Lamborghini vom Kessler Racing Team mit den Fahrern A, B und C``:
    the drivers listed after ``mit`` (for a car also ``von``) drive the team and
    the car named just before it. ``ordered``: the candidates by their end, which are ``ends``."""
    lowers, index = view.lowers, view.index
    driver_at, list_of, people_of_group = facts.driver_at, facts.list_of, facts.people_of_group
    cue_words = words.crew_cues[label]
    found = []
    for i, first in facts.crew_lists:
        if lowers[i] not in cue_words:
            continue
        position = bisect.bisect_right(ends, i) - 1
        if position < 0:
            continue
        thing = ordered[position]
        if i - thing.end > MAX_CREW_GAP or thing.sentence != index.sentence_of(i):
            continue
        if any(start in driver_at for start in range(thing.end, i)):
            continue  # "A im Porsche mit B": A's car, B's only by sharing it
        crew = people_of_group.get(list_of.get(first), set()) | {driver_at[first]}
        found.append((thing, crew))
    return found


def _crew_lists(view, cue_positions: list[int], driver_at: dict[int, int], words: LinkWords,
                lex) -> list[tuple[int, int]]:
    """(cue, first driver) of each crew cue word (``mit``, for a car also ``von``) that a
    list of drivers follows, articles and driver titles skipped: ``mit den Fahrern A, B und C``."""
    texts, lowers = view.texts, view.lowers
    n_tokens = len(texts)
    found = []
    for i in [i for i in cue_positions if lowers[i] in words.any_crew_cue]:
        first = i + 1
        while (first < n_tokens and first - i <= 3 and first not in driver_at
               and (lowers[first] in words.crew_article or lex.title_kind(texts[first]) == "driver")):
            first += 1
        if first in driver_at:
            found.append((i, first))
    return found


def _pronoun_between(view, start: int, end: int, words: "LinkWords") -> bool:
    return not words.pronouns.isdisjoint(view.lowers[start:end])


def _subject_pronouns(doc: Doc, view, cue_positions: list[int], people, narrative, quoted,
                      words: "LinkWords") -> list[tuple[dict, TokenRange]]:
    """``setzte er sich im BMW M4 GT3 …``: ``er`` is the first driver named in
    the previous sentence (its likely subject). Only ``er``, and ``sie`` for a
    known woman, since plural ``sie`` is common."""
    index, lowers, starts = view.index, view.lowers, view.starts
    masculine, feminine = words.pronoun_masculine, words.pronoun_feminine
    positions = [i for i in cue_positions if lowers[i] in words.pronouns]
    if not positions or not doc.has_annotation("SENT_START"):
        return []
    pronouns = []
    first_driver: dict[int, int] = {}
    for mention, span in narrative:
        if people[mention["person"]]["kind"] == "driver":
            first_driver.setdefault(index.sentence_of(span.start), mention["person"])
    found_in: set[int] = set()  # sentences whose pronoun was found: one per sentence
    for i in positions:
        sent_number = index.sentence_of(i)
        subject = first_driver.get(sent_number - 1)
        if subject is None or sent_number in found_in:
            continue
        wanted = lowers[i] in masculine or (lowers[i] in feminine and people[subject]["gender"] == "f")
        if wanted and not quoted.inside(starts[i]):
            pronouns.append(({"person": subject, "kind": "pronoun"}, TokenRange(i, i + 1, starts[i])))
            found_in.add(sent_number)
    return pronouns


def _driver_mentions(view, facts: DocumentFacts, sentences: list[int], words: LinkWords) -> list[DriverMention]:
    """A DriverMention per driver pair of ``facts``, whose ``sentences`` are given."""
    texts, shapes, list_of = view.texts, view.shapes, facts.list_of
    n_tokens = len(texts)
    mentions = []
    for (m, span), sentence in zip(facts.driver_pairs, sentences):
        person, own_list = m["person"], list_of.get(span.start)
        crew, team_after = facts.crews.get(span.start, [person]), None  # the driver, or the crew "A/B"
        close = bracket_end(shapes, span.end) if span.end < n_tokens and texts[span.end] == "(" else None
        if close is not None:
            crew = _bracket_crew(view, facts, span, sentence, own_list, crew, words)
            team_after = _team_after_bracket(texts, close, words)
        mentions.append(DriverMention(person, span, sentence, own_list, close, crew, team_after))
    return mentions


def _team_after_bracket(texts: list[str], close: int | None, words: LinkWords) -> int | None:
    """Where a team (``von X``) starts right after the bracket closing at ``close``
    (the one after a name)."""
    if close is None or close + 2 >= len(texts) or texts[close] != ")":
        return None
    return close + 2 if texts[close + 1] in words.team_after_bracket else None


def _bracket_crew(view, facts: DocumentFacts, span: TokenRange, sentence: int, own_list: int | None,
                  crew: list[int], words: LinkWords) -> list[int]:
    """The drivers a bracket after the driver ``span`` speaks for: ``crew`` (the driver,
    or the crew ``A/B``); ``A vor B (beide Dallara Kessler)``: the drivers named before
    it in the sentence; ``das Audi-Duo A und B (Kessler Racing)``: the whole list."""
    lowers = view.lowers
    if lowers[span.end + 1] in words.shared_bracket:
        sentence_drivers = [m["person"] for m, other in facts.driver_pairs_in(sentence) if other.end <= span.end]
        shared = list(dict.fromkeys(reversed(sentence_drivers)))
        crew = shared[:2] if lowers[span.end + 1] == "beide" else shared
    group = facts.people_of_group.get(own_list, NOBODY)
    if len(group) > 1 and _after_group_noun(view.texts, facts.first_of_list, facts.list_of, span, words):
        crew = list(group)
    return crew


def _sister_car_paragraphs(view, cue_positions: list[int], every_thing: list[Thing], words: "LinkWords") -> set[int]:
    """Paragraphs that speak of a team's other car: ``das Schwesterauto``,
    ``den zweiten Neunelfer``, ``im dritten Porsche``."""
    texts, lowers, starts, index = view.texts, view.lowers, view.starts, view.index
    found: set[int] = set()
    cues = [i for i in cue_positions if texts[i].startswith("Schwester") or lowers[i] in words.ordinal]
    if not cues:
        return found
    car_starts = {thing.start for thing in every_thing if thing.label in ("CAR", "MANUFACTURER")}
    n_tokens = len(texts)
    for i in cues:
        text = texts[i]
        if text.startswith("Schwester") and text[len("Schwester"):].removeprefix("n") in words.sister_car:
            found.add(index.paragraph_of(starts[i]))  # "Schwesterauto", "Schwesternauto"
        elif lowers[i] in words.ordinal and i + 1 < n_tokens:
            following = i + 1
            if texts[following] in words.sister_car or following in car_starts:
                found.add(index.paragraph_of(starts[i]))
    return found


def _list_groups(view, spans: list[TokenRange], words: LinkWords) -> dict[int, int]:
    """Driver mentions (``spans``, in text order) that form one list (``A (X), B und C``)
    share a group id, so list members do not count as "another driver in between"."""
    texts = view.texts
    joiners = words.list_joiner_or_slash
    groups: dict[int, int] = {}
    group = 0
    previous = None
    for span in spans:
        # Names more than MAX_LIST_GAP tokens apart are in two lists: no call needed to know it.
        if previous is not None and (span.start - previous.end > MAX_LIST_GAP
                                     or not _joins_list(texts, previous.end, span.start, joiners)):
            group += 1
        groups[span.start] = group
        previous = span
    return groups


def _joins_list(texts: list[str], low: int, high: int, joiners: frozenset[str]) -> bool:
    """Whether the tokens ``low:high`` between two names join them in one list: list
    joiners, brackets (``A (X), B``) and, in a short gap, a title (``und Porsche-Junior B``)."""
    if high - low > MAX_LIST_GAP:
        return False
    depth = 0
    for text in texts[low:high]:
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and text not in joiners and not (text.istitle() and high - low <= 3):
            return False
    return True
