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
import operator
from collections.abc import Collection
from itertools import compress, islice

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import doc_value, set_doc_value  # importing them registers the extensions
from ..rules import DEFAULT_LANG
from ..schema import GROUP_MENTIONS_KEY, HOMETOWNS_KEY, THINGS_KEY, check_span_keys
from .configured import ConfiguredPipe
from .descriptions import (PeopleByDescription, age_of, contradicts, description_gender, description_words,
                           fitting_people, learn)
from .hometowns import crew_places, origin_after, set_hometown
from .persons import name_words, _new_person, plausible_surname, tokens_of
from .doc_view import doc_view

DEFAULT_THINGS_KEY = THINGS_KEY
DEFAULT_HOMETOWNS_KEY = HOMETOWNS_KEY
DEFAULT_GROUPS_KEY = GROUP_MENTIONS_KEY
SURNAME_MIN_LENGTH = 3
# Up to this many people a description scans their records: cheaper than building
# the PeopleByDescription index, which pays off only for long documents.
SCAN_PEOPLE_LIMIT = 24


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
        people = doc_value(doc, "people") or []
        mentions = list(doc_value(doc, "mentions") or [])
        # The token table (plain lists) serves every step: no Token objects per word.
        view = doc_view(doc)
        # The things' Span objects, shared with the other components: their tokens are
        # taken, and the steps below look them up by start.
        things = view.spans(self.cfg["things_key"])
        taken = tokens_of(things)
        texts, starts, name_like = view.texts, view.starts, view.name_like
        for mention in mentions:
            start = view.token_starting_at(mention["start_char"])
            if start is not None:
                last = view.token_ending_at(mention["end_char"])
                if last is None:  # not on a token boundary: spaCy's own alignment (strict) decides
                    span = doc.char_span(mention["start_char"], mention["end_char"])
                    taken.update(range(span.start, span.end))
                else:
                    taken.update(range(start, last + 1))
        # Read once, written back once: the steps below add hometowns as they go.
        thing_starts = {span.start: span for span in things}
        hometowns_key = self.cfg["hometowns_key"]
        hometowns_read = view.spans(hometowns_key)
        hometown_spans = list(hometowns_read)  # a copy: the shared list is never changed
        recent = NameMentionIndex(mentions)  # crews and surnames below add no full-name mentions
        # The surnames are kept in step by the crews and lists below as they add surname-only
        # drivers; the given names take those drivers' one word afterwards.
        n_people = len(people)
        surnames, given = _index_names(people)
        self._crews(doc, people, mentions, taken, recent, surnames, thing_starts, hometown_spans)
        self._surname_lists(doc, people, taken, surnames)
        if len(people) > n_people:
            for key, ids in _index_names(people[n_people:])[1].items():
                given.setdefault(key, []).extend(ids)
        n_tokens = len(texts)
        # Only words written as a surname (also genitive) or a given name can be one:
        # a set lookup per word at C speed, then the rules below for those few.
        name_forms = {*surnames, *(surname + "s" for surname in surnames), *given}
        for i in list(compress(range(n_tokens), map(name_forms.__contains__, texts))):
            if i in taken or not name_like[i]:
                continue
            text = texts[i]
            person_id, kind = None, None
            if text in surnames or (text.endswith("s") and text[:-1] in surnames):
                candidates = surnames.get(text) or surnames[text[:-1]]
                person_id, kind = recent.most_recent(candidates, starts[i]), "surname"
            elif text in given and len(given[text]) == 1 and not (i + 1 < n_tokens and name_like[i + 1]):
                person_id, kind = given[text][0], "given"
            if person_id is not None:
                mentions.append({"person": person_id, "start_char": starts[i], "end_char": starts[i] + len(text),
                                 "kind": kind, "text": text})
                taken.add(i)
                # "Steinhoff stammt aus Pforzheim"
                self._origin(doc, i + 1, people[person_id], thing_starts, hometown_spans)
        by_start = operator.itemgetter("start_char")
        mentions.sort(key=by_start)
        self._descriptions(doc, people, mentions, taken, thing_starts, hometown_spans)
        mentions.sort(key=by_start)
        self._described_origins(doc, people, mentions, taken, thing_starts, hometown_spans)
        if len(hometown_spans) > len(hometowns_read) or hometowns_key not in doc.spans:  # the steps only append
            doc.spans[hometowns_key] = hometown_spans
        # Collective references and subject pronouns feed linking, not attribution.
        doc.spans[self.cfg["groups_key"]] = self._groups(doc, mentions, people)
        set_doc_value(doc, "people", people)
        set_doc_value(doc, "mentions", mentions)
        return doc

    def _crews(self, doc: Doc, people: list[dict], mentions: list[dict], taken: set[int],
               recent: "NameMentionIndex", surnames: dict[str, list[int]], thing_starts: dict,
               hometown_spans: list) -> None:
        """``A/B`` or ``A/B/C`` where one member is a known surname, or all are
        plausible surnames: all are drivers. A bracket right after the crew gives
        each member a place by position (``A/B/C (GB/F/E)``)."""
        view = doc_view(doc)
        if "/" not in view.text:  # no slash token without a slash (a search at memchr speed)
            return
        slashes = view.positions("/")
        texts, starts, name_like = view.texts, view.starts, view.name_like
        n_tokens = len(texts)
        index = 1
        for slash_at in slashes:
            if slash_at < index or slash_at >= n_tokens - 1:
                continue
            index = slash_at
            members, slash = [index - 1], index
            while slash + 1 < n_tokens and texts[slash] == "/" and name_like[slash + 1]:
                members.append(slash + 1)
                slash += 2
            index = max(slash, index + 1)
            if (len(members) < 2 or not name_like[members[0]] or any(m in taken for m in members)
                    or len({texts[m] for m in members}) < len(members)):
                continue
            if not any(texts[m] in surnames for m in members) and not self._unknown_crew(texts, members):
                continue
            crew = []
            for m in members:
                side = texts[m]
                ids = surnames.get(side)
                if ids:
                    person_id = recent.most_recent(ids, starts[m])
                else:
                    record = _new_person(len(people), side)
                    people.append(record)
                    person_id = record["id"]
                    if len(side) >= SURNAME_MIN_LENGTH:  # as _index_names would list it
                        surnames.setdefault(side, []).append(person_id)
                mentions.append({"person": person_id, "start_char": starts[m], "end_char": starts[m] + len(side),
                                 "kind": "crew", "text": side})
                taken.add(m)
                crew.append(people[person_id])
            after = members[-1] + 1
            if after < n_tokens and texts[after] == "(":
                places = crew_places(doc, after, len(crew), thing_starts, self.lexicons)
                for number, (person, place) in enumerate(zip(crew, places or ())):
                    if person["kind"] == "driver":
                        set_hometown(person, place, hometown_spans, span_owner=len(places) > 1 or number == 0)

    def _surname_lists(self, doc: Doc, people: list[dict], taken: set[int], surnames: dict[str, list[int]]) -> None:
        """``Brandl, Kessler, Ortmann und Vidal`` with one known surname, or
        ``die Österreicher Pichlmair, Zangerl und Hofstätter`` after a nationality or
        driver title: the other single words of the list are surnames of drivers
        too. They become surname-only drivers, found like any surname below."""
        view = doc_view(doc)
        texts, name_like = view.texts, view.name_like
        n_tokens = len(texts)
        lex = self.lexicons
        joiners = lex.link_words.get("list_joiner", frozenset())

        def single(k: int) -> bool:
            """A name-like word that the next word does not continue."""
            return name_like[k] and not (k + 1 < n_tokens and name_like[k + 1])

        # A list can start only at a single word with a joiner and a single word after
        # it: found from the joiners (one pass at C speed), not from every word.
        joiner_at = compress(range(1, n_tokens - 1), map(joiners.__contains__, islice(texts, 1, n_tokens - 1)))
        list_starts = [joiner - 1 for joiner in joiner_at
                       if name_like[joiner - 1] and name_like[joiner + 1] and single(joiner - 1) and single(joiner + 1)]
        if not list_starts:
            return
        lowers = view.lowers
        # A taken word may stand in a list only when it is written as a surname known before
        # this step (the loop below adds more): each item is tested against these names,
        # instead of collecting every taken token that is one.
        known_surnames = set(surnames)
        index = 0
        for k in list_starts:
            if k < index:
                continue
            index = k
            items, joiner = [index], index + 1
            while joiner + 1 < n_tokens and texts[joiner] in joiners and single(joiner + 1):
                items.append(joiner + 1)
                joiner += 2
                if texts[joiner - 2] != ",":
                    break  # "… und X" ends the list
            index = joiner if len(items) > 1 else index + 1
            if len(items) < 2 or texts[items[-1] - 1] == ",":
                continue
            before = texts[items[0] - 1] if items[0] else ""
            opener = before in lex.demonym_by_noun or lex.title_kind(before) == "driver"
            known = [k for k in items if any(people[pid]["kind"] == "driver" for pid in surnames.get(texts[k], ()))]
            if not (known or opener):
                continue
            if lowers[items[0] - 1] in name_words(lex)["article"]:
                items = items[1:]  # "zum Vergessen, X und Y": a noun, then the list
            unknown = [k for k in items if texts[k] not in surnames]
            if len(items) < 2 or any(k in taken and texts[k] not in known_surnames for k in items) or not all(
                    plausible_surname(texts[k], lex, genitive_shape_ok=True)
                    and lowers[k] not in lex.lowercase_words for k in unknown):
                continue
            for k in unknown:
                record = _new_person(len(people), texts[k])
                people.append(record)
                surnames.setdefault(texts[k], []).append(record["id"])

    def _unknown_crew(self, texts: list[str], members: list[int]) -> bool:
        """``Platz drei ging an Kvasnicka/Maly``: surnames nobody named in full.
        Not places in brackets or after ``aus`` (``(Neustadt/Weinstraße)``)."""
        before = texts[members[0] - 1] if members[0] >= 1 else ""
        after = texts[members[-1] + 1] if members[-1] + 1 < len(texts) else ""
        if before == "(" or before in name_words(self.lexicons)["place_preposition"] or after.startswith(")"):
            return False
        return all(plausible_surname(texts[m], self.lexicons, genitive_shape_ok=True) for m in members)

    def _descriptions(self, doc: Doc, people: list[dict], mentions: list[dict], taken: set[int],
                      thing_starts: dict, hometown_spans: list) -> None:
        """``Der Schweizer``, ``der 22-jährige Schwede``, ``Der BMW-Werksfahrer``."""
        if not mentions:
            return  # a description refers back to someone named before it
        starts_of_mentions = [m["start_char"] for m in mentions]
        n_named = len(mentions)  # the mentions before the descriptions below are appended
        # Where each person is mentioned (indices into the sorted mentions), to find
        # the latest fitting one by bisect: built when a description first fits someone.
        mention_indices: dict[int, list[int]] = {}
        view = doc_view(doc)
        texts, lowers, starts, ends, name_like = view.texts, view.lowers, view.starts, view.ends, view.name_like
        shapes, sent_starts = view.shapes, view.sent_starts
        lex = self.lexicons
        words = description_words(lex)
        age_suffixes = words.age_suffixes  # is_age_word, without its look-up per word
        # Who each description word fits. A few records are scanned (fitting_people) per
        # description; many are indexed (a scan of every record per description made long
        # documents quadratic), built when a description first needs it, kept in step below.
        by_description: PeopleByDescription | None = None
        scan_people = len(people) <= SCAN_PEOPLE_LIMIT
        n_tokens = len(texts)
        for i in list(compress(range(n_tokens), map(name_words(lex)["definite_article"].__contains__, texts))):
            if i in taken:
                continue
            n_earlier = bisect.bisect_left(starts_of_mentions, starts[i])
            if not n_earlier:
                continue  # nobody named before: nothing to refer back to
            if i + 1 < n_tokens and texts[i + 1][:1].isupper():
                noun_index, age = i + 1, None  # the common case, as _description_noun finds it
            else:
                noun_index, age = _description_noun(texts, shapes, i, lex)
            if noun_index is None:
                continue
            noun = texts[noun_index]
            if noun_index + 1 < n_tokens and name_like[noun_index + 1]:
                continue  # a title before a name, not a description
            if lowers[i] == "die" and not noun.endswith("in") and not noun.endswith(age_suffixes):
                continue  # "Die Fahrer", "die Mechaniker": plural, not one person
            # A description refers back when it opens a sentence ("Der Schweizer steuerte …")
            # or follows a verb; "die Fahrer" inside a clause is usually generic.
            if not (sent_starts[i] or _after_verb(texts[i - 1], shapes[i - 1], lex.speech_verbs, words.object_before)):
                continue
            if scan_people:
                fits = fitting_people(noun, people, lex)
            else:
                if by_description is None:
                    by_description = PeopleByDescription(people, lex)
                fits = by_description.fitting(noun)
            if fits is None:
                continue
            if age is not None:
                fits = [pid for pid in fits if people[pid]["age"] in (None, age)]
            if fits and not mention_indices:
                for number, mention in enumerate(islice(mentions, n_named)):
                    mention_indices.setdefault(mention["person"], []).append(number)
            gender = description_gender(noun, lex, lowers[i])
            person_id = _pick(fits, mentions, n_earlier, mention_indices, people,
                              lambda person: contradicts(noun, age, person, lex),
                              # Only "f" tells much: most drivers are men, and "m" is rarely known.
                              lambda person: gender == "f" and person["gender"] == "f")
            if person_id is None:
                continue
            person = people[person_id]
            # A guess (nobody fitted) teaches the record nothing, unless the description
            # opens a sentence right after the person ("… Meyer. Der 24-Jährige …").
            if fits or sent_starts[i]:
                learn(noun, person, lex)
                if age is not None and person["age"] is None:
                    person["age"] = age
            mentions.append({"person": person_id, "start_char": starts[i], "end_char": ends[noun_index],
                             "kind": "description", "text": view.text_of(i, noun_index + 1)})
            taken.update(range(i, noun_index + 1))
            # "Der Nachwuchsfahrer aus Knittelfeld": the description carries the hometown.
            self._origin(doc, noun_index + 1, person, thing_starts, hometown_spans)
            if by_description is not None:
                by_description.changed(person)  # when it learnt an age, a country, a hometown

    def _described_origins(self, doc: Doc, people: list[dict], mentions: list[dict], taken: set[int],
                           thing_starts: dict, hometown_spans: list) -> None:
        """``… Meyer. Das Rallyetalent aus Wunstorf …``, ``Der Karosseriebauer aus
        Aalen``: a description with ``aus`` opening the sentence after a driver's
        gives that driver's hometown, whatever the noun."""
        if not mentions:
            return  # nobody to give a hometown to
        view = doc_view(doc)
        if "aus" not in view.text:  # no "aus" token without the letters (a search at memchr speed)
            return
        texts, lowers, sent_starts = view.texts, view.lowers, view.sent_starts
        origin_articles = self.lexicons.description_words.get("origin_article", frozenset())  # "Das Rallyetalent aus …"
        # The noun comes one to three words after its article (_description_noun) and right
        # before "aus": the articles are looked for before the few "aus", not at every sentence.
        articles = sorted({i for aus in view.positions("aus") for i in range(max(aus - 4, 0), aus - 1)})
        starts_of_mentions = None
        for i in articles:
            if not sent_starts[i] or i in taken or lowers[i] not in origin_articles:
                continue
            noun_index, _ = _description_noun(texts, view.shapes, i, self.lexicons)
            if noun_index is None or noun_index + 1 >= len(texts) or texts[noun_index + 1] != "aus":
                continue
            if starts_of_mentions is None:
                starts_of_mentions = [m["start_char"] for m in mentions]
            index = view.index  # built here, for the few descriptions with "aus", not for every document
            here = index.sentence_of(i)
            for number in range(bisect.bisect_left(starts_of_mentions, view.starts[i]) - 1, -1, -1):
                mention = mentions[number]
                person = people[mention["person"]]
                mention_token = view.token_starting_at(mention["start_char"])
                if mention_token is None or here - index.sentence_of(mention_token) > 1:
                    break  # only the sentence before
                if person["kind"] == "driver":
                    self._origin(doc, noun_index + 1, person, thing_starts, hometown_spans)
                    break

    def _origin(self, doc: Doc, end: int, person: dict, thing_starts: dict, hometown_spans: list) -> None:
        if person["kind"] == "driver":
            place = origin_after(doc, end, thing_starts, self.lexicons)
            if place is not None:
                set_hometown(person, place, hometown_spans, lexicons=self.lexicons)

    def _groups(self, doc: Doc, mentions: list[dict], people: list[dict]) -> list[Span]:
        """``Das Duo``, ``die beiden``: one span per driver of the latest list
        (two or more drivers in one sentence before it). ``kb_id`` is the person."""
        groups: list[Span] = []
        if not mentions:
            return groups  # no list of drivers for a group word to refer to
        view = doc_view(doc)
        texts, lowers, name_like = view.texts, view.lowers, view.name_like
        words = self.lexicons.link_words
        group_articles, group_nouns = words.get("group_article", frozenset()), words.get("group_reference", frozenset())
        n_tokens = len(texts)
        # Where a cue can be: ``Beide``, or a group article before a group noun. Most documents
        # have no group noun (one set test over the words, at C speed), and then neither the
        # nouns are looked for nor the mentions read; else found from the rare nouns, not
        # from every article.
        noun_cues = () if group_nouns.isdisjoint(lowers) else (
            i - 1 for i in compress(range(1, n_tokens), map(group_nouns.__contains__, islice(lowers, 1, None)))
            if lowers[i - 1] in group_articles)
        cues = sorted({*noun_cues,
                       *(i for i in (view.positions("Beide") if "Beide" in view.text else ()) if i < n_tokens - 1)})
        if not cues:
            return groups
        by_sentence: dict[int, list[int]] = {}
        first_mention_in: dict[int, int] = {}  # sentence → start char of its first mention
        index = view.index
        last_cue_sentence = index.sentence_of(cues[-1])
        for mention in mentions:
            token = view.token_starting_at(mention["start_char"])
            if token is None:
                continue
            sent_index = index.sentence_of(token)
            if sent_index > last_cue_sentence:
                break  # the mentions are in text order; no cue reads a later sentence
            first_mention_in[sent_index] = min(first_mention_in.get(sent_index, mention["start_char"]), mention["start_char"])
            if people[mention["person"]]["kind"] == "driver":
                members = by_sentence.setdefault(sent_index, [])
                if mention["person"] not in members:
                    members.append(mention["person"])
        # Sentences holding a list of drivers, in order: bisect, not a scan per group word.
        list_sentences = sorted(index for index, members in by_sentence.items() if len(members) >= 2)
        if not list_sentences:
            return groups
        for i in cues:
            if texts[i] == "Beide" and view.sent_starts[i] and not name_like[i + 1]:
                width = 1  # "Beide fuhren den Maserati …"
            elif lowers[i] in group_articles and lowers[i + 1] in group_nouns:
                width = 2
                if i + 2 < n_tokens and name_like[i + 2]:
                    continue  # "die beiden Fahrer X und Y" names them
            else:
                continue
            here = index.sentence_of(i)
            latest = _latest_list_sentence(list_sentences, first_mention_in, here, view.starts[i])
            if latest is None:
                continue
            for person_id in by_sentence[latest]:
                groups.append(Span(doc, i, i + width, label="GROUP", kb_id=str(person_id)))
        return groups


def _description_noun(texts: list[str], shapes: list, article: int, lex) -> tuple[int | None, int | None]:
    """The head noun after an article, skipping up to two adjectives; also
    the age of a ``22-jährige`` adjective."""
    age_suffixes = description_words(lex).age_suffixes  # is_age_word, without its look-up per word
    age = None
    index = article + 1
    while index < len(texts) and index - article <= 3:
        text = texts[index]
        if text[:1].isupper() or ("-J" in text and text.endswith(age_suffixes)):  # "Der 16-Jährige"
            return index, age
        word_age = age_of(text, lex) if text.endswith(age_suffixes) else None  # only such a word has an age
        if word_age is not None:
            age = word_age
        elif not (shapes[index].is_alpha and text.endswith(("e", "en", "er"))):
            return None, None
        index += 1
    return None, None


def _after_verb(before: str, shape, speech_verbs: Collection[str], object_before: Collection[str]) -> bool:
    """Whether a description after the word ``before`` (of ``shape``) is the subject
    after a verb: ``ärgerte sich der Italiener``, ``sagte der Schweizer``,
    ``benötigte der 38-Jährige``; after a preposition (``object_before``) the noun
    phrase is an object (``mit dem Franzosen``). At the document start ``before``
    is the last token, as Token lookups did."""
    if before in ("sich", ",") or before in speech_verbs:
        return True
    return shape.is_lower and shape.is_alpha and before not in object_before


def _latest_list_sentence(list_sentences: list[int], first_mention_in: dict[int, int], here: int,
                          position: int) -> int | None:
    """The last sentence up to ``here`` with a list of drivers, counting ``here``
    only when one of its mentions comes before ``position``."""
    at = bisect.bisect_right(list_sentences, here) - 1
    if at >= 0 and list_sentences[at] == here and first_mention_in[here] >= position:
        at -= 1
    return list_sentences[at] if at >= 0 else None


def _index_names(people: list[dict]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Person ids by surname and by given name (the last and the first word of their
    names), in one pass over the records; a one-word name is in both."""
    surnames: dict[str, list[int]] = {}
    given: dict[str, list[int]] = {}
    for person in people:
        name = person["name"]
        words = name.split()
        if len(words) < 2 and words[0] != name:
            continue  # one word with spaces around it
        if len(words[-1]) >= SURNAME_MIN_LENGTH:
            surnames.setdefault(words[-1], []).append(person["id"])
        if len(words[0]) >= SURNAME_MIN_LENGTH:
            given.setdefault(words[0], []).append(person["id"])
    return surnames, given


class NameMentionIndex:
    """Start chars of each person's full-name mentions, sorted, so "who was named
    last before here" is a bisect per candidate instead of a scan of all mentions.

    Built when two people first share a name part (most documents have none).
    Mentions appended meanwhile change nothing: they are never full-name ones."""

    def __init__(self, mentions: list[dict]) -> None:
        self._mentions = mentions
        self._starts: dict[int, list[int]] | None = None

    def _build(self) -> dict[int, list[int]]:
        starts_by_person: dict[int, list[int]] = {}
        for mention in self._mentions:
            if mention["kind"] == "name":
                starts_by_person.setdefault(mention["person"], []).append(mention["start_char"])
        for starts in starts_by_person.values():
            starts.sort()
        return starts_by_person

    def most_recent(self, candidates: list[int], position: int) -> int:
        """Of several people sharing a name part, the one mentioned last before
        ``position`` (the first candidate when none was)."""
        if len(candidates) == 1:
            return candidates[0]
        if self._starts is None:
            self._starts = self._build()
        best, best_pos = candidates[0], -1
        for person_id in candidates:
            starts = self._starts.get(person_id, ())
            at = bisect.bisect_left(starts, position) - 1
            if at >= 0 and starts[at] > best_pos:
                best, best_pos = person_id, starts[at]
        return best


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
