"""In-document name propagation: surnames, given names, crews, descriptions.

After ``motorsport_persons`` found the full names, this component finds the
shorter mentions that refer to them:
- surname alone (``Hofbauer verbesserte sich``), also genitive (``Jentzschs``);
- given name alone when only one person has it (``Moritz hat uns …``);
- crews written ``A/B`` (``Kessler/Vidal``), creating a surname-only driver
  when one half was never named in full;
- descriptions that refer back (``Der Schweizer``, ``der 24-Jährige``,
  ``Der BMW-Werksfahrer``): resolved to the person whose nationality, age or
  title fits, else to the most recently mentioned driver. The description then
  adds what it says (age, nationality) to that person.

Two people with one surname: a surname goes to the one named most recently.
"""

from __future__ import annotations

import bisect

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import extensions  # noqa: F401
from ..rules import DEFAULT_LANG, Lexicons
from ..schema import GROUP_MENTIONS_KEY, HOMETOWNS_KEY, THINGS_KEY, check_span_keys
from .configured import ConfiguredPipe
from .hometowns import crew_places, origin_after, set_hometown
from .persons import ARTICLES, ARTICLES_LOWER, PLACE_PREPOSITIONS, _blocked_tokens, _new_person, plausible_surname
from .doc_view import doc_view
from .shapes import is_name_like, place_fits

DEFAULT_THINGS_KEY = THINGS_KEY
DEFAULT_HOMETOWNS_KEY = HOMETOWNS_KEY
DEFAULT_GROUPS_KEY = GROUP_MENTIONS_KEY
AGE_SUFFIXES = ("-Jährige", "-Jähriger", "-Jährigen", "-jährige", "-jähriger", "-jährigen")
SURNAME_MIN_LENGTH = 3
PREPOSITIONS = frozenset({"mit", "von", "vor", "hinter", "für", "gegen", "an", "auf", "bei", "nach", "zu", "aus", "in",
                          "über", "unter", "neben", "zwischen", "ohne", "um", "durch", "seit", "als", "wie", "und", "oder"})
SURNAME_LIST_JOINERS = frozenset({",", "und", "sowie"})
GROUP_ARTICLES = frozenset({"das", "die", "dem", "den"})
GROUP_NOUNS = frozenset({"duo", "trio", "quartett", "gespann", "beiden", "brüder", "geschwister", "crew"})


@Language.factory(
    "motorsport_names",
    assigns=["doc._.people", "doc._.mentions", "doc.spans"],
    requires=["doc._.people", "doc._.mentions", "doc.spans"],
    default_config={"things_key": DEFAULT_THINGS_KEY, "hometowns_key": DEFAULT_HOMETOWNS_KEY,
                    "groups_key": DEFAULT_GROUPS_KEY, "lang": DEFAULT_LANG, "rules_dir": None},
)
def make_names(nlp: Language, name: str, things_key: str, hometowns_key: str, groups_key: str, lang: str,
               rules_dir: str | None) -> "NamePropagator":
    check_span_keys(nlp, adding=("motorsport_names", name, {"things_key": things_key, "hometowns_key": hometowns_key,
                                                            "groups_key": groups_key}))
    return NamePropagator(nlp, name, things_key=things_key, hometowns_key=hometowns_key, groups_key=groups_key,
                          lang=lang, rules_dir=rules_dir)


class NamePropagator(ConfiguredPipe):
    def __init__(self, nlp: Language, name: str = "motorsport_names", *, things_key: str = DEFAULT_THINGS_KEY,
                 hometowns_key: str = DEFAULT_HOMETOWNS_KEY, groups_key: str = DEFAULT_GROUPS_KEY,
                 lang: str = DEFAULT_LANG, rules_dir: str | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"things_key": things_key, "hometowns_key": hometowns_key, "groups_key": groups_key,
                    "lang": lang, "rules_dir": rules_dir}

    def __call__(self, doc: Doc) -> Doc:
        people = doc._.people or []
        mentions = list(doc._.mentions or [])
        taken = _blocked_tokens(doc, self.cfg["things_key"])
        view = doc_view(doc)
        tokens = view.tokens
        char_to_token = view.token_at_char
        for mention in mentions:
            start = char_to_token.get(mention["start_char"])
            if start is not None:
                span = doc.char_span(mention["start_char"], mention["end_char"])
                taken.update(range(span.start, span.end))
        recent = NameMentionIndex(mentions)  # crews and surnames below add no full-name mentions
        self._crews(doc, people, mentions, taken, recent)
        thing_starts = {span.start: span for span in doc.spans.get(self.cfg["things_key"], [])}
        hometown_spans = list(doc.spans.get(self.cfg["hometowns_key"], []))
        surnames = _index_names(people, lambda name: name.split()[-1])
        self._surname_lists(doc, people, taken, surnames)
        given = _index_names(people, lambda name: name.split()[0])
        for token in tokens:
            if token.i in taken or not is_name_like(token):
                continue
            text = token.text
            person_id, kind = None, None
            if text in surnames or (text.endswith("s") and text[:-1] in surnames):
                candidates = surnames.get(text) or surnames[text[:-1]]
                person_id, kind = recent.most_recent(candidates, token.idx), "surname"
            elif text in given and len(given[text]) == 1 and not _next_is_name(doc, token.i):
                person_id, kind = given[text][0], "given"
            if person_id is not None:
                mentions.append({"person": person_id, "start_char": token.idx, "end_char": token.idx + len(text),
                                 "kind": kind, "text": text})
                taken.add(token.i)
                # "Steinhoff stammt aus Pforzheim"
                self._origin(doc, token.i + 1, people[person_id], thing_starts, hometown_spans)
        mentions.sort(key=lambda m: m["start_char"])
        doc.spans[self.cfg["hometowns_key"]] = hometown_spans
        self._descriptions(doc, people, mentions, taken)
        mentions.sort(key=lambda m: m["start_char"])
        self._described_origins(doc, people, mentions, taken)
        # Collective references and subject pronouns feed linking, not attribution.
        doc.spans[self.cfg["groups_key"]] = self._groups(doc, mentions, people)
        doc._.people = people
        doc._.mentions = mentions
        return doc

    def _crews(self, doc: Doc, people: list[dict], mentions: list[dict], taken: set[int],
               recent: "NameMentionIndex") -> None:
        """``A/B`` or ``A/B/C`` where one member is a known surname, or all are
        plausible surnames: all are drivers. A bracket right after the crew gives
        each member a place by position (``A/B/C (GB/F/E)``)."""
        tokens = doc_view(doc).tokens
        surnames = _index_names(people, lambda name: name.split()[-1])
        thing_starts = {span.start: span for span in doc.spans.get(self.cfg["things_key"], [])}
        hometown_spans = list(doc.spans.get(self.cfg["hometowns_key"], []))
        index = 1
        while index < len(tokens) - 1:
            if tokens[index].text != "/":
                index += 1
                continue
            members, slash = [index - 1], index
            while slash + 1 < len(tokens) and tokens[slash].text == "/" and is_name_like(tokens[slash + 1]):
                members.append(slash + 1)
                slash += 2
            index = max(slash, index + 1)
            if (len(members) < 2 or not is_name_like(tokens[members[0]]) or any(m in taken for m in members)
                    or len({tokens[m].text for m in members}) < len(members)):
                continue
            if not any(tokens[m].text in surnames for m in members) and not self._unknown_crew(tokens, members):
                continue
            crew = []
            for side in (tokens[m] for m in members):
                ids = surnames.get(side.text)
                if ids:
                    person_id = recent.most_recent(ids, side.idx)
                else:
                    record = _new_person(len(people), side.text)
                    people.append(record)
                    person_id = record["id"]
                    if len(side.text) >= SURNAME_MIN_LENGTH:  # as _index_names would list it
                        surnames.setdefault(side.text, []).append(person_id)
                mentions.append({"person": person_id, "start_char": side.idx, "end_char": side.idx + len(side.text),
                                 "kind": "crew", "text": side.text})
                taken.add(side.i)
                crew.append(people[person_id])
            after = members[-1] + 1
            if after < len(tokens) and tokens[after].text == "(":
                places = crew_places(doc, after, len(crew), thing_starts, self.lexicons)
                for number, (person, place) in enumerate(zip(crew, places or ())):
                    if person["kind"] == "driver":
                        set_hometown(person, place, hometown_spans, span_owner=len(places) > 1 or number == 0)
        doc.spans[self.cfg["hometowns_key"]] = hometown_spans

    def _surname_lists(self, doc: Doc, people: list[dict], taken: set[int], surnames: dict[str, list[int]]) -> None:
        """``Brandl, Kessler, Ortmann und Vidal`` with one known surname, or
        ``die Österreicher Pichlmair, Zangerl und Hofstätter`` after a nationality or
        driver title: the other single words of the list are surnames of drivers
        too. They become surname-only drivers, found like any surname below."""
        tokens = doc_view(doc).tokens
        mention_tokens = {token.i for token in tokens if token.i in taken and token.text in surnames}
        lex = self.lexicons

        def single(k: int) -> bool:
            return is_name_like(tokens[k]) and (k + 1 == len(tokens) or not is_name_like(tokens[k + 1]))

        index = 0
        while index < len(tokens):
            if not single(index):
                index += 1
                continue
            items, joiner = [index], index + 1
            while joiner + 1 < len(tokens) and tokens[joiner].text in SURNAME_LIST_JOINERS and single(joiner + 1):
                items.append(joiner + 1)
                joiner += 2
                if tokens[joiner - 2].text != ",":
                    break  # "… und X" ends the list
            index = joiner if len(items) > 1 else index + 1
            if len(items) < 2 or tokens[items[-1] - 1].text == ",":
                continue
            before = tokens[items[0] - 1].text if items[0] else ""
            opener = before in lex.demonym_by_noun or lex.title_kind(before) == "driver"
            known = [k for k in items if any(people[pid]["kind"] == "driver" for pid in surnames.get(tokens[k].text, ()))]
            if not (known or opener):
                continue
            if tokens[items[0] - 1].lower_ in ARTICLES_LOWER:
                items = items[1:]  # "zum Vergessen, X und Y": a noun, then the list
            unknown = [k for k in items if tokens[k].text not in surnames]
            if len(items) < 2 or any(k in taken and k not in mention_tokens for k in items) or not all(
                    plausible_surname(tokens[k].text, lex, genitive_shape_ok=True)
                    and tokens[k].lower_ not in lex.lowercase_words for k in unknown):
                continue
            for k in unknown:
                record = _new_person(len(people), tokens[k].text)
                people.append(record)
                surnames.setdefault(tokens[k].text, []).append(record["id"])

    def _unknown_crew(self, tokens: list, members: list[int]) -> bool:
        """``Platz drei ging an Kvasnicka/Maly``: surnames nobody named in full.
        Not places in brackets or after ``aus`` (``(Neustadt/Weinstraße)``)."""
        before = tokens[members[0] - 1].text if members[0] >= 1 else ""
        after = tokens[members[-1] + 1].text if members[-1] + 1 < len(tokens) else ""
        if before == "(" or before in PLACE_PREPOSITIONS or after.startswith(")"):
            return False
        return all(plausible_surname(tokens[m].text, self.lexicons, genitive_shape_ok=True) for m in members)

    def _descriptions(self, doc: Doc, people: list[dict], mentions: list[dict], taken: set[int]) -> None:
        """``Der Schweizer``, ``der 22-jährige Schwede``, ``Der BMW-Werksfahrer``."""
        starts = [m["start_char"] for m in mentions]
        # Where each person is mentioned (indices into the sorted mentions), to find
        # the latest fitting one by bisect; descriptions appended below lie past them.
        mention_indices: dict[int, list[int]] = {}
        for number, mention in enumerate(mentions):
            mention_indices.setdefault(mention["person"], []).append(number)
        thing_starts = {span.start: span for span in doc.spans.get(self.cfg["things_key"], [])}
        hometown_spans = list(doc.spans.get(self.cfg["hometowns_key"], []))
        tokens = doc_view(doc).tokens
        for token in tokens:
            if token.i in taken or token.text not in ARTICLES:
                continue
            noun_index, age = self._description_noun(doc, token.i)
            if noun_index is None:
                continue
            noun = tokens[noun_index]
            if noun_index + 1 < len(tokens) and is_name_like(tokens[noun_index + 1]):
                continue  # a title before a name, not a description
            if token.lower_ == "die" and not noun.text.endswith("in") and not noun.text.endswith(AGE_SUFFIXES):
                continue  # "Die Fahrer", "die Mechaniker": plural, not one person
            if not self._in_reference_position(doc, token.i):
                continue
            fits = self._fitting(noun.text, people)
            if fits is None:
                continue
            if age is not None:
                fits = [pid for pid in fits if people[pid]["age"] in (None, age)]
            n_earlier = bisect.bisect_left(starts, token.idx)
            if not n_earlier:
                continue
            gender = self._gender_of(noun.text, token.lower_)
            person_id = _pick(fits, mentions, n_earlier, mention_indices, people, lambda person: self._contradicts(noun.text, age, person),
                              # Only "f" tells much: most drivers are men, and "m" is rarely known.
                              lambda person: gender == "f" and person["gender"] == "f")
            if person_id is None:
                continue
            # A guess (nobody fitted) teaches the record nothing, unless the description
            # opens a sentence right after the person ("… Meyer. Der 24-Jährige …").
            if fits or token.is_sent_start:
                self._learn(noun.text, people[person_id])
                if age is not None and people[person_id]["age"] is None:
                    people[person_id]["age"] = age
            mentions.append({"person": person_id, "start_char": token.idx, "end_char": noun.idx + len(noun.text),
                             "kind": "description", "text": doc[token.i:noun_index + 1].text})
            taken.update(range(token.i, noun_index + 1))
            # "Der Nachwuchsfahrer aus Knittelfeld": the description carries the hometown.
            self._origin(doc, noun_index + 1, people[person_id], thing_starts, hometown_spans)
        doc.spans[self.cfg["hometowns_key"]] = hometown_spans

    def _described_origins(self, doc: Doc, people: list[dict], mentions: list[dict], taken: set[int]) -> None:
        """``… Meyer. Das Rallyetalent aus Wunstorf …``, ``Der Karosseriebauer aus
        Aalen``: a description with ``aus`` opening the sentence after a driver's
        gives that driver's hometown, whatever the noun."""
        view = doc_view(doc)
        tokens, index = view.tokens, view.index
        starts = [m["start_char"] for m in mentions]
        thing_starts = {span.start: span for span in doc.spans.get(self.cfg["things_key"], [])}
        hometown_spans = list(doc.spans.get(self.cfg["hometowns_key"], []))
        for token in tokens:
            if not token.is_sent_start or token.i in taken or token.lower_ not in ("der", "die", "das"):
                continue
            noun_index, _ = self._description_noun(doc, token.i)
            if noun_index is None or noun_index + 1 >= len(tokens) or tokens[noun_index + 1].text != "aus":
                continue
            here = index.sentence_of(token.i)
            for number in range(bisect.bisect_left(starts, token.idx) - 1, -1, -1):
                mention = mentions[number]
                person = people[mention["person"]]
                mention_token = view.token_at_char.get(mention["start_char"])
                if mention_token is None or here - index.sentence_of(mention_token) > 1:
                    break  # only the sentence before
                if person["kind"] == "driver":
                    self._origin(doc, noun_index + 1, person, thing_starts, hometown_spans)
                    break
        doc.spans[self.cfg["hometowns_key"]] = hometown_spans

    def _origin(self, doc: Doc, end: int, person: dict, thing_starts: dict, hometown_spans: list) -> None:
        if person["kind"] == "driver":
            place = origin_after(doc, end, thing_starts, self.lexicons)
            if place is not None:
                set_hometown(person, place, hometown_spans, lexicons=self.lexicons)

    def _gender_of(self, word: str, article: str = "") -> str | None:
        """What a description says of gender: ``die Kroatin``, ``Titelverteidigerin``, ``die 29-Jährige``."""
        lex = self.lexicons
        if word in lex.demonym_by_noun:
            return lex.demonym_by_noun[word][1]
        if word.endswith(AGE_SUFFIXES):
            return "f" if article == "die" else None  # "der" may be a feminine dative
        return _title_gender(word, lex)

    def _contradicts(self, word: str, age: int | None, person: dict) -> bool:
        """The record says something else: another age, country or gender."""
        lex = self.lexicons
        gender = self._gender_of(word)
        if gender and person["gender"] and gender != person["gender"]:
            return True
        if word.endswith(AGE_SUFFIXES) and word.split("-")[0].isdigit():
            age = int(word.split("-")[0])
        if age is not None and person["age"] is not None and person["age"] != age:
            return True
        demonym = lex.demonym_by_noun.get(word)
        if demonym and not demonym[0].region:
            known = {person["nationality"], lex.country_of(person["hometown"])} - {None}
            return bool(known) and demonym[0].country not in known
        return False

    def _description_noun(self, doc: Doc, article: int) -> tuple[int | None, int | None]:
        """The head noun after an article, skipping up to two adjectives; also
        the age of a ``22-jährige`` adjective."""
        tokens = doc_view(doc).tokens
        age = None
        index = article + 1
        while index < len(tokens) and index - article <= 3:
            text = tokens[index].text
            if text[:1].isupper() or (text.endswith(AGE_SUFFIXES) and "-J" in text):  # "Der 16-Jährige"
                return index, age
            if text.endswith(AGE_SUFFIXES) and text.split("-")[0].isdigit():
                age = int(text.split("-")[0])
            elif not (tokens[index].is_alpha and text.endswith(("e", "en", "er"))):
                return None, None
            index += 1
        return None, None

    def _groups(self, doc: Doc, mentions: list[dict], people: list[dict]) -> list[Span]:
        """``Das Duo``, ``die beiden``: one span per driver of the latest list
        (two or more drivers in one sentence before it). ``kb_id`` is the person."""
        groups: list[Span] = []
        by_sentence: dict[int, list[int]] = {}
        first_mention_in: dict[int, int] = {}  # sentence → start char of its first mention
        view = doc_view(doc)
        tokens, index, token_at = view.tokens, view.index, view.token_at_char
        char_sent = {idx: index.sentence_of(i) for idx, i in token_at.items()}
        for mention in mentions:
            sent_index = char_sent.get(mention["start_char"])
            if sent_index is None:
                continue
            first_mention_in[sent_index] = min(first_mention_in.get(sent_index, mention["start_char"]), mention["start_char"])
            if people[mention["person"]]["kind"] == "driver":
                members = by_sentence.setdefault(sent_index, [])
                if mention["person"] not in members:
                    members.append(mention["person"])
        # Sentences holding a list of drivers, in order: bisect, not a scan per group word.
        list_sentences = sorted(index for index, members in by_sentence.items() if len(members) >= 2)
        for token in tokens[:-1]:
            if token.text == "Beide" and token.is_sent_start and not is_name_like(tokens[token.i + 1]):
                width = 1  # "Beide fuhren den Maserati …"
            elif token.lower_ in GROUP_ARTICLES and tokens[token.i + 1].lower_ in GROUP_NOUNS:
                width = 2
                if token.i + 2 < len(tokens) and is_name_like(tokens[token.i + 2]):
                    continue  # "die beiden Fahrer X und Y" names them
            else:
                continue
            here = char_sent.get(token.idx)
            if here is None:
                continue
            latest = _latest_list_sentence(list_sentences, first_mention_in, here, token.idx)
            if latest is None:
                continue
            for person_id in by_sentence[latest]:
                groups.append(Span(doc, token.i, token.i + width, label="GROUP", kb_id=str(person_id)))
        return groups

    def _in_reference_position(self, doc: Doc, article: int) -> bool:
        """A description refers back when it opens a sentence (``Der Schweizer
        steuerte …``) or follows a verb (``ärgerte sich der Italiener``); ``die
        Fahrer`` inside a clause is usually generic."""
        tokens = doc_view(doc).tokens
        if tokens[article].is_sent_start:
            return True
        before = tokens[article - 1]
        if before.text in ("sich", ",") or before.text in self.lexicons.speech_verbs:
            return True
        # Inverted subject after a finite verb: "benötigte der 38-Jährige"; after a
        # preposition the noun phrase is an object ("mit dem Franzosen").
        return before.is_lower and before.is_alpha and before.text not in PREPOSITIONS

    def _fitting(self, word: str, people: list[dict]) -> list[int] | None:
        """Ids of people a description word fits; [] = fits nobody known but is a
        description; None = not a description word."""
        lex = self.lexicons
        if word.endswith(AGE_SUFFIXES):
            age = word.split("-")[0]
            if not age.isdigit():
                return None
            return [p["id"] for p in people if p["age"] == int(age)]
        if word in lex.demonym_by_noun:
            demonym = lex.demonym_by_noun[word][0]
            if demonym.region:  # "der Tiroler": from Tirol, or from a town in it
                return [p["id"] for p in people
                        if p["hometown"] == demonym.region or demonym.region in lex.regions_of(p["hometown"])]
            return [p["id"] for p in people if demonym.country in (p["nationality"], lex.country_of(p["hometown"]))]
        if lex.title_kind(word) == "driver" or word in lex.title_nouns:
            return [p["id"] for p in people if word in p["titles"] or p["role"] == word]
        for person in people:  # "der Gütersloher" for a driver from Gütersloh
            hometown = person["hometown"]
            if hometown and place_fits(word, hometown):
                return [person["id"]]
        return None

    def _learn(self, word: str, person: dict) -> None:
        lex = self.lexicons
        if word.endswith(AGE_SUFFIXES) and person["age"] is None:
            person["age"] = int(word.split("-")[0])
        elif word in lex.demonym_by_noun:
            demonym, gender = lex.demonym_by_noun[word]
            if not demonym.region and person["nationality"] is None:
                person["nationality"] = demonym.country
            person["gender"] = person["gender"] or gender


def _title_gender(word: str, lex: Lexicons) -> str | None:
    """``Titelverteidigerin`` → f; ``Titelverteidiger`` → m; else unknown."""
    if lex.title_kind(word) is None:
        return None
    if word.endswith("in") and lex.title_kind(word[:-2]) is not None:
        return "f"
    return "m" if lex.title_kind(word + "in") is not None else None


def _latest_list_sentence(list_sentences: list[int], first_mention_in: dict[int, int], here: int,
                          position: int) -> int | None:
    """The last sentence up to ``here`` with a list of drivers, counting ``here``
    only when one of its mentions comes before ``position``."""
    at = bisect.bisect_right(list_sentences, here) - 1
    if at >= 0 and list_sentences[at] == here and first_mention_in[here] >= position:
        at -= 1
    return list_sentences[at] if at >= 0 else None


def _index_names(people: list[dict], part) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for person in people:
        words = person["name"].split()
        if len(words) < 2 and part(person["name"]) != person["name"]:
            continue
        key = part(person["name"])
        if len(key) >= SURNAME_MIN_LENGTH:
            index.setdefault(key, []).append(person["id"])
    return index


class NameMentionIndex:
    """Start chars of each person's full-name mentions, sorted, so "who was named
    last before here" is a bisect per candidate instead of a scan of all mentions."""

    def __init__(self, mentions: list[dict]) -> None:
        self._starts: dict[int, list[int]] = {}
        for mention in mentions:
            if mention["kind"] == "name":
                self._starts.setdefault(mention["person"], []).append(mention["start_char"])
        for starts in self._starts.values():
            starts.sort()

    def most_recent(self, candidates: list[int], position: int) -> int:
        """Of several people sharing a name part, the one mentioned last before
        ``position`` (the first candidate when none was)."""
        if len(candidates) == 1:
            return candidates[0]
        best, best_pos = candidates[0], -1
        for person_id in candidates:
            starts = self._starts.get(person_id, ())
            at = bisect.bisect_left(starts, position) - 1
            if at >= 0 and starts[at] > best_pos:
                best, best_pos = person_id, starts[at]
        return best


def _next_is_name(doc: Doc, index: int) -> bool:
    tokens = doc_view(doc).tokens
    return index + 1 < len(tokens) and is_name_like(tokens[index + 1])


def _pick(fits: list[int], mentions: list[dict], n_earlier: int, mention_indices: dict[int, list[int]],
          people: list[dict], contradicts, agrees) -> int | None:
    """Of the first ``n_earlier`` mentions, the most recent fitting person; with no
    fit, the most recent driver the description agrees with (``die Kroatin``: a
    woman), else the most recent driver whose record does not contradict (a
    reader's default for "der 24-Jährige")."""
    latest, latest_index = None, -1
    for person_id in set(fits):
        indices = mention_indices.get(person_id, ())
        at = bisect.bisect_left(indices, n_earlier) - 1
        if at >= 0 and indices[at] > latest_index:
            latest, latest_index = person_id, indices[at]
    if latest is not None:
        return latest
    if fits:
        return fits[-1]
    recent = [mentions[number]["person"] for number in range(n_earlier - 1, max(n_earlier - 7, -1), -1)
              if people[mentions[number]["person"]]["kind"] == "driver"]
    for person_id in recent:
        if agrees(people[person_id]):
            return person_id
    for person_id in recent:
        if not contradicts(people[person_id]):
            return person_id
    return None
