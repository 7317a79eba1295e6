"""Motorsport things: TEAM, CAR, MANUFACTURER, SERIES, CIRCUIT, RACE_CLASS.

Two sources, like spaCy's SpanRuler:
- phrase patterns from the gazetteers in ``models/rules/<lang>/`` (known teams,
  car models, makers, series, circuits, classes);
- shape rules for names no list holds: team suffixes (``X Racing``), a leading
  ``Team``, cue nouns (``des Teams X``), ``von X`` after a car model
  (``im Audi R8 LMS von Raceworks Hamburg``), car model codes after a maker
  (``Porsche 963``), team-maker compounds (``Manthey-Porsche``),
  ``-Klasse``/``Klasse X``, ``…ring`` and ``… Raceway``.

Output: non-overlapping spans in ``doc.spans["motorsport_things"]`` with
``span.canonical`` set. Compound team references carry the label TEAM and a
canonical pointing at the full team name of the document when there is one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from functools import partial
from itertools import compress
from operator import attrgetter
from typing import Iterable

import srsly
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc, Span
from spacy.util import SimpleFrozenList, ensure_path

from ..extensions import canonical_key  # importing registers the extensions
from ..rules import DEFAULT_LANG, Lexicons, load_lexicons
from ..schema import THINGS_KEY, check_span_keys
from .configured import ConfiguredPipe
from .doc_view import DocView, doc_view
from .shapes import (
    WordShape,
    bracket_close,
    has_digit,
    is_all_caps,
    is_capitalised_text,
)

DEFAULT_SPANS_KEY = THINGS_KEY
DEFAULT_MAX_NAME_TOKENS = 6
THING_LABELS = ("TEAM", "CAR", "MANUFACTURER", "SERIES", "CIRCUIT", "RACE_CLASS")
# The words of the shape rules are rule data (thing_words.tsv): team_compound_head ("NRT-Team",
# "Kesselberg-Teams"), origin_team_determiner ("das Andernacher Team": an origin, not a name),
# series_suffix ("ADAC GT Masters"), circuit_suffix ("… Raceway"), class_cue ("Klasse X"),
# series_opener ("Formel 4").
BRACKET_TEAM_TOKENS = 8
MAX_FORMS_PER_WORD = 8
MAX_PERIOD_SPLITS = 100
# What a word must end with to open a series, circuit or class shape (or be: the thing_words).
SHAPE_ENDINGS = ("meisterschaft", "ring", "-klasse")
# Bits of _word_kind: the word can open a team/car shape, a series/circuit/class shape;
# it is a model code with a sentence-final period ("GT3.", see _split_final_periods);
# it starts a phrase pattern (a gazetteer form, see _Gazetteer).
TEAM_SHAPE = 1
SERIES_SHAPE = 2
FINAL_PERIOD = 4
FORM_START = 8
FORM_END = None  # the trie key of the names a gazetteer form ends (no token's text is None)
KIND_MEMO_LIMIT = 200_000
# span.id_ says where a thing came from (like SpanRuler's pattern ids).
GAZETTEER_ID = "gazetteer"  # a known name from the rule files
COMPOUND_ID = "compound"  # a team-maker compound such as "Manthey-Porsche"
MEMBER_ID = "member"  # a team-driver compound such as "Carlin-Pilot"
PRIORITY = {"TEAM": 0, "CAR": 1, "SERIES": 2, "CIRCUIT": 3, "RACE_CLASS": 4, "MANUFACTURER": 5}


@Language.factory(
    "motorsport_rulers",
    assigns=["doc.spans"],
    default_config={"spans_key": DEFAULT_SPANS_KEY, "lang": DEFAULT_LANG, "rules_dir": None},
)
def make_rulers(nlp: Language, name: str, spans_key: str, lang: str, rules_dir: str | None) -> "MotorsportRulers":
    check_span_keys(nlp, adding=("motorsport_rulers", name, {"spans_key": spans_key}))
    return MotorsportRulers(nlp, name, spans_key=spans_key, lang=lang, rules_dir=rules_dir)


class _WordMemo(dict):
    """word → what ``decide(word)`` says, decided when first looked up (``memo[word]``,
    also as ``map(memo.__getitem__, words)`` at C speed for the words seen before).
    Cleared when full, so memory stays flat on endless archives."""

    __slots__ = ("decide",)

    def __init__(self, decide: Callable[[str], object]) -> None:
        super().__init__()
        self.decide = decide

    def __missing__(self, word: str):
        if len(self) > KIND_MEMO_LIMIT:
            self.clear()
        value = self[word] = self.decide(word)
        return value


class _RuleWords:
    """What the shape rules ask of one set of lexicons, built once per set."""

    __slots__ = ("lexicons", "not_team_heads", "thing_words", "listed_kinds", "kinds", "model_tokens", "team_word_answers")

    def __init__(self, lex: Lexicons, word_kind: Callable[[_RuleWords, str], int],
                 form_first_words: frozenset[str]) -> None:
        self.lexicons = lex
        # Names that before "-Team"/"-Pilot" are no team: series, classes, places, origins.
        self.not_team_heads = frozenset(
            {alias for thing in lex.series for alias in (thing.name, *thing.aliases)}
            | lex.race_classes | lex.generic_team_words | set(lex.country_by_name) | set(lex.country_by_code)
            | set(lex.demonym_by_noun) | set(lex.place_by_name)
            | {alias for thing in lex.circuits for alias in (thing.name, *thing.aliases)}
            | {demonym.region for demonym in lex.regions if demonym.region}
        )
        # The packaged classes for lexicons built without them.
        self.thing_words = lex.thing_words or load_lexicons().thing_words
        # What a word must be to open a series, circuit or class shape.
        shape_keywords = frozenset().union(*(self.thing_words[kind] for kind in (
            "series_suffix", "circuit_suffix", "class_cue", "series_opener")))
        # The words that open a team shape by themselves.
        team_openers = lex.team_prefixes | lex.team_suffixes | lex.team_cues
        # The _word_kind bits that these words, and the first words of the gazetteer's forms, have
        # by being listed: one look-up for the three lists when a word is first seen.
        self.listed_kinds: dict[str, int] = {}
        for listed, bit in ((team_openers, TEAM_SHAPE), (shape_keywords, SERIES_SHAPE), (form_first_words, FORM_START)):
            for word in listed:
                self.listed_kinds[word] = self.listed_kinds.get(word, 0) | bit
        self.kinds = _WordMemo(partial(word_kind, self))  # word → its _word_kind bits
        # word → whether it can be part of a car model code (asked of the words after every maker)
        self.model_tokens = _WordMemo(partial(_is_model_token, lex=lex))
        # word shape → whether it can be part of a team name (inside a sentence, at its start)
        self.team_word_answers = _WordMemo(partial(_team_word_answers, lex=lex))

    def team_word_test(self, view: DocView) -> Callable[[int], bool]:
        """Whether token ``i`` of ``view`` can be part of a team name (``_team_word_answers``
        for its place in the sentence), as a function of ``i`` with the columns bound."""
        answers, shapes, sent_starts = self.team_word_answers, view.shapes, view.sent_starts

        def is_team_word(i: int) -> bool:
            inside, at_start = answers[shapes[i]]
            return at_start if i == 0 or sent_starts[i] else inside

        return is_team_word

    def model_end(self, texts: list[str], start: int) -> int:
        """Where the model-code tokens from ``start`` on end."""
        is_model_token, lex = self.model_tokens, self.lexicons
        end, stop = start, min(len(texts), start + DEFAULT_MAX_NAME_TOKENS)
        while end < stop and is_model_token[texts[end]]:
            text = texts[end]
            if text in lex.makers and text not in lex.model_words:
                # a maker's badge inside a model goes on: "SLS AMG GT3"
                inside = end > start and is_all_caps(text) and end + 1 < len(texts) and has_digit(texts[end + 1])
                if not inside:
                    break
            end += 1
        return end


class MotorsportRulers(ConfiguredPipe):
    """Saved like the other components (``cfg`` plus a ``rules/`` copy of the rule
    files, see ``configured.py``) and, like SpanRuler, with its phrase patterns
    in ``patterns.jsonl``."""

    def __init__(self, nlp: Language, name: str = "motorsport_rulers", *, spans_key: str = DEFAULT_SPANS_KEY,
                 lang: str = DEFAULT_LANG, rules_dir: str | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.cfg = {"spans_key": spans_key, "lang": lang, "rules_dir": rules_dir}
        self._rule_words: _RuleWords | None = None
        self.phrase_matcher = PhraseMatcher(nlp.vocab)
        self.patterns: list[dict] = []
        self._forms: dict[tuple[str, ...], dict[str, None]] = {}  # a form's words → the keys written so
        self._gazetteer: _Gazetteer | None = None
        self.add_patterns(default_patterns(self.lexicons))
        self._ids: _SpanIds | None = None

    @property
    def spans_key(self) -> str:
        return self.cfg["spans_key"]

    @property
    def words(self) -> _RuleWords:
        """The shape rules' words of the current lexicons (rebuilt when they are swapped or reloaded)."""
        lex = self.lexicons
        if self._rule_words is None or self._rule_words.lexicons is not lex:
            self._rule_words = _RuleWords(lex, self._word_kind, self.gazetteer.first_words)
        return self._rule_words

    @property
    def not_team_heads(self) -> frozenset[str]:
        return self.words.not_team_heads

    @property
    def thing_words(self) -> dict[str, frozenset[str]]:
        return self.words.thing_words

    # -- patterns ---------------------------------------------------------
    def add_patterns(self, patterns: Iterable[dict]) -> None:
        """Add ``{"label", "pattern", "canonical"}`` phrase patterns."""
        by_key: dict[str, list[Doc]] = {}
        for pattern in patterns:
            self.patterns.append(pattern)
            key = f"{pattern['label']}\t{pattern['canonical']}"
            form = self.nlp.make_doc(pattern["pattern"])
            by_key.setdefault(key, []).append(form)
            if len(form):  # the matcher skips empty patterns
                self._forms.setdefault(tuple(token.text for token in form), {})[key] = None
        for key, docs in by_key.items():
            self.phrase_matcher.add(key, docs)
        self._gazetteer = None  # rebuilt on first use
        self._rule_words = None  # the word kinds mark the words that start a form

    @property
    def gazetteer(self) -> _Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = _Gazetteer(self._forms, self.phrase_matcher)
        return self._gazetteer

    def initialize(self, get_examples=None, *, nlp: Language | None = None, patterns: Iterable[dict] | None = None) -> None:
        if patterns is not None:
            self._set_patterns(patterns)

    # -- processing -------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        view = doc_view(doc)
        marked = self._marked_words(view.texts)
        to_split = marked.having(FINAL_PERIOD)
        if to_split:
            _split_final_periods(doc, to_split)
            view = doc_view(doc)  # the token table of the final tokens
            marked = self._marked_words(view.texts)
        things = _Things(view)
        words = self.words  # the rule words of the current lexicons, asked once per document
        lex = words.lexicons
        candidates = self._gazetteer_spans(things, words, view.texts, marked.having(FORM_START))
        candidates += self._team_shape_spans(things, words, view, marked.having(TEAM_SHAPE))
        candidates += _series_circuit_class_spans(things, words, view, marked.having(SERIES_SHAPE))
        candidates += _team_after_car(things, words, view, candidates)
        chosen = [span for span in _longest_first(candidates) if span.label_ != "TEAM" or not _is_false_team(span.text, lex)]
        chosen = _with_short_team_forms(things, view.texts, chosen, lex)
        chosen = self._with_bracket_teams(things, words, view, chosen)
        _teams_as_written(chosen)
        _resolve_compound_teams(chosen)
        _canonicalise_cars(chosen, lex.makers)
        # chosen is in text order; the readers of the group get these Span objects
        view.set_spans(self.spans_key, _as_spans(doc, things, chosen, self._span_ids(doc.vocab.strings)))
        return doc

    def _span_ids(self, strings: StringStore) -> _SpanIds:
        """The kept ids of the things' texts in ``strings`` (new ones for another store)."""
        if self._ids is None or self._ids.strings is not strings:
            self._ids = _SpanIds(strings)
        return self._ids

    def _gazetteer_spans(self, things: _Things, words: _RuleWords, texts: list[str], form_starts: list[int]) -> list[_Thing]:
        """The known names at the tokens ``form_starts`` (the words that start a form)."""
        spans = []
        for label, canonical, start, end in self.gazetteer.matches(texts, form_starts):
            # kb_id keeps the list's name, so forms of one team can be joined per document
            spans.append(_Thing(things, start, end, label, GAZETTEER_ID, canonical, canonical=canonical))
            if label == "MANUFACTURER":
                spans.extend(self._model_after_maker(things, words, texts, start, end, canonical))
            if label == "CAR":
                extended = words.model_end(texts, end)
                if extended > end:
                    spans.append(_Thing(things, start, extended, "CAR"))
        return spans

    @staticmethod
    def _model_after_maker(things: _Things, words: _RuleWords, texts: list[str], start: int, end: int,
                           maker: str) -> list[_Thing]:
        """``Porsche 963``, ``Toyota GR Yaris Rally1``: a maker plus model-code tokens;
        ``Dallara Mercedes``: a chassis plus its engine."""
        lex = words.lexicons
        maker_end = end
        while end < len(texts) and texts[end] in lex.makers:  # "BMW Sauber F1.08"
            end += 1
        model_end = words.model_end(texts, end)
        if model_end == end:
            if end > maker_end and maker in lex.chassis_makers:
                return [_thing(things, start, end, "CAR")]
            return []
        model_tokens = texts[end:model_end]
        # The number after "Startnummer"-like words, years and counts are not models.
        # Words shared with team names ("Sport") do not make a model on their own: "Audi Sport".
        if not any(has_digit(t) or (t in lex.model_words and t not in lex.team_suffixes) for t in model_tokens):
            return []
        if len(model_tokens) == 1 and model_tokens[0].isdigit() and (
                len(model_tokens[0]) < 3 or len(model_tokens[0]) == 4 and model_tokens[0].startswith(("19", "20"))):
            return []  # "verlor der Toyota 15 Minuten", "Audi 2012"
        return [_Thing(things, start, model_end, "CAR")]

    def _marked_words(self, texts: list[str]) -> _MarkedWords:
        """The ``_word_kind`` of every token, and the few tokens that have a bit."""
        return _MarkedWords(list(map(self.words.kinds.__getitem__, texts)))

    def _word_kind(self, words: _RuleWords, text: str) -> int:
        """Which shape rules the word can open (``TEAM_SHAPE``, ``SERIES_SHAPE`` bits) and
        whether its final period is split off (``FINAL_PERIOD``); decided once per word
        (for the rule words ``words`` of the current lexicons)."""
        kind = words.listed_kinds.get(text, 0)
        # The words a branch of _team_shape_spans takes besides the listed ones ("KESSLER SPORT":
        # the suffix look-up first, which most words fail without the call of is_all_caps).
        if (("-" in text and is_capitalised_text(text) and self._compound_may_name(text))
                or (len(text) > 3 and text.title() in words.lexicons.team_suffixes and is_all_caps(text))):
            kind |= TEAM_SHAPE
        if text.lower().endswith(SHAPE_ENDINGS):
            kind |= SERIES_SHAPE
        if text.endswith(".") and _has_final_period(text):  # most words end otherwise: no call
            kind |= FINAL_PERIOD
        return kind

    def _team_shape_spans(self, things: _Things, words: _RuleWords, view: DocView, openers: list[int]) -> list[_Thing]:
        """Team and car shapes at the tokens ``openers`` (the ones ``_word_kind`` marks)."""
        if not openers:
            return []
        lex = words.lexicons
        # Only a few tokens are looked at here: their shapes, not whole columns.
        texts, shapes = view.texts, view.shapes
        team_prefixes, team_suffixes, team_cues, makers = lex.team_prefixes, lex.team_suffixes, lex.team_cues, lex.makers
        origin_determiners = words.thing_words["origin_team_determiner"]
        team_word = words.team_word_test(view)

        def team_word_no_suffix(j: int) -> bool:
            return team_word(j) and texts[j] not in team_suffixes

        def suffix_or_acronym(j: int) -> bool:
            return texts[j] in team_suffixes or (shapes[j].all_caps and 2 <= len(texts[j]) <= 4)

        spans = []
        for i in openers:
            text = texts[i]
            prefix_end = i + 1
            if text in team_prefixes:
                prefix_end = _extend_right(view, i + 1, team_word)
            if prefix_end > i + 1:  # "Team Rosberg", "Hertz Team Jota"
                start = _extend_left(view, i, team_word_no_suffix)
                spans.append(_thing(things, start, prefix_end, "TEAM"))
            elif text in team_suffixes or (shapes[i].all_caps and len(text) > 3 and text.title() in team_suffixes):
                # "Haupt Racing Team", "BMW Sauber F1 Team", "KESSLER SPORT"
                start = _extend_left(view, i, team_word)
                left = texts[start:i]
                end = _extend_right(view, i + 1, suffix_or_acronym)
                if len(left) == 0 or all(t in makers for t in left) or (end == i + 1 and all(
                        t in makers or (is_all_caps(t) and len(t) <= 2 and not has_digit(t)) for t in left)):
                    continue  # "Racing" alone, "Porsche Motorsport", "BMW M Motorsport" (a maker's department)
                if (text == "Team" and len(left) == 1 and left[0].endswith("er") and start > 0
                        and shapes[start - 1].lower in origin_determiners):
                    continue  # "das Andernacher Team": the team's hometown, said of a team named elsewhere
                if left[0] in makers and len(left) > 1 and has_digit(left[1]):
                    continue  # a car model with a suffix-like word: "BMW M2 CS Racing"
                spans.append(_thing(things, start, end, "TEAM"))
            elif text in team_cues:
                end = _extend_right(view, i + 1, team_word)
                if end > i + 1 and not all(t in makers for t in texts[i + 1:end]):
                    spans.append(_thing(things, i + 1, end, "TEAM"))
            elif "-" in text and shapes[i].capitalised:
                compound = _compound_team(text, lex)
                maker_pair = _maker_pair(text, lex)
                if self._maker_model_compound(text):  # "Kessler-Buggy", "Audi-R8"
                    spans.append(_thing(things, i, words.model_end(texts, i + 1), "CAR"))
                elif maker_pair:
                    model_end = words.model_end(texts, i + 1)
                    if model_end > i + 1:  # "AMG-Kessler SLS-GT3": a car
                        spans.append(_thing(things, i, model_end, "CAR", canonical=None))
                    else:  # "Williams-BMW", "Abt-Audi" in DTM and F1 copy: the team
                        spans.append(_thing(things, _bracket_sponsors(view, i, words), i + 1, "TEAM"))
                elif compound:
                    start = _bracket_sponsors(view, i, words)
                    if start < i:  # "(Vodafone Kessler-Audi)": the team as the bracket writes it
                        spans.append(_thing(things, start, i + 1, "TEAM"))
                    else:
                        spans.append(_Thing(things, i, i + 1, "TEAM", COMPOUND_ID, canonical=compound))
                else:
                    spans.extend(self._team_word_compound(things, view, i))
        return spans

    def _team_word_compound(self, things: _Things, view: DocView, i: int) -> list[_Thing]:
        """``NRT-Team``, ``Carlin-Pilot``, ``Red Bull Racing-Pilotin``: a team before
        ``-Team`` or before a driver noun. Makers, series, classes, places and kinds
        (``Porsche-Team``, ``DTM-Pilot``, ``Werks-Team``) name no team."""
        lex = self.lexicons
        text = view.texts[i]
        head, _, last = text.rpartition("-")
        if last in self.thing_words["team_compound_head"] and (self._names_team(head) or _maker_pair(head, lex)):
            # "Kessler-Mannschaft" points at "Kessler Motorsport" when the document names it
            name = head if last == "Mannschaft" else text[:-1] if last == "Teams" else text
            return [_Thing(things, i, i + 1, "TEAM", COMPOUND_ID, canonical=name)]
        if last not in lex.team_member_nouns:
            return []
        if self._names_team(head):
            return [_member(things, i, i + 1, head)]
        if head in lex.team_suffixes:  # "Red Bull Racing-Pilot"
            team_word = self.words.team_word_test(view)
            start = _extend_left(view, i, lambda j: team_word(j) and view.texts[j] not in lex.team_suffixes)
            words = view.texts[start:i]
            if words and not all(word in lex.makers for word in words):
                return [_member(things, start, i + 1, " ".join([*words, head]))]
        return []

    def _compound_may_name(self, text: str) -> bool:
        """Whether a branch of ``_team_shape_spans`` can take the compound ``text``:
        most (``Pole-Position``, ``Mercedes-AMG``) are no team or car."""
        lex = self.lexicons
        last = text.rpartition("-")[2]
        return (self._maker_model_compound(text) or _maker_pair(text, lex) or bool(_compound_team(text, lex))
                or last in self.thing_words["team_compound_head"] or last in lex.team_member_nouns)

    def _maker_model_compound(self, text: str) -> bool:
        maker, _, model = text.partition("-")
        lex = self.lexicons
        return maker in lex.makers and text not in lex.makers and bool(model) and (
            (model in lex.model_words and model not in lex.team_suffixes)
            or (has_digit(model) and model[:1].isalpha() and model[:1].isupper() and "-" not in model))

    def _names_team(self, head: str) -> bool:
        """Whether ``head`` (before ``-Team``/``-Pilot``) names a team: one part at
        least is a name (``Kessel-Champion``, ``NRT``), none is a number, and the
        whole is no maker, series, class, place, title or common noun."""
        lex = self.lexicons
        parts = head.split("-")
        if not head or any(not part[:1].isupper() or has_digit(part) for part in parts):
            return False
        if head.replace("-", " ") in self.not_team_heads or head in lex.given_names:
            return False  # "Le-Mans-Pilot"
        if len(parts) == 1 and lex.title_kind(head) is not None:
            return False  # "Weltmeister-Team"
        lowered = parts[-1].lower().removesuffix("s")
        if any(lowered.endswith(ending) for ending in lex.noun_endings):
            return False  # a common noun: "Traditions-Team", "Meisterschafts-Pilot"
        # "NRT-Team": an acronym that also ends team names is a name here
        return any(part not in self.not_team_heads and part not in lex.makers
                   and (part not in lex.team_suffixes or is_all_caps(part)) for part in parts)

    def _with_bracket_teams(self, things: _Things, words: _RuleWords, view: DocView, chosen: list[_Thing]) -> list[_Thing]:
        """Results and grid copy that gives each driver's team in a bracket,
        ``A (Kessler Racing), B (Brandt), C (Ostwind)``: once a document's brackets
        after names hold teams and none holds a known place, the other short
        capitalised brackets there are teams too."""
        shapes = view.shapes
        brackets = [i for i in view.positions("(") if i > 0 and shapes[i - 1].capitalised]
        if not brackets:
            return chosen
        lex = words.lexicons
        thing_at = _thing_covering(chosen)
        texts = view.texts
        team_brackets, others, acronym_teams, has_place = 0, [], [], False
        for i in brackets:
            if thing_at(i - 1) is not None:
                continue
            close = bracket_close(texts, i, BRACKET_TEAM_TOKENS)
            if close is None or close == i + 1:
                continue
            inner = texts[i + 1:close]
            last_start = close - len(_last_part(inner))  # the first token after the last "," or "/"
            thing = thing_at(last_start) if last_start < close else None
            if thing is not None and thing.label_ == "TEAM" and thing.start == last_start and thing.end == close:
                team_brackets += 1
            elif thing is not None or last_start != i + 1:
                continue
            elif _is_place(inner, lex):
                has_place = True  # brackets here hold hometowns
            elif _acronym_team(inner, words) and not any(thing_at(j) is not None for j in range(i + 1, close)):
                acronym_teams.append((i + 1, close))
            else:
                others.append((i + 1, close))
        # Only where brackets hold teams and no place are the others looked at (most documents have none).
        unknown = [(start, end) for start, end in others if _names_like_a_team(view, start, end, lex)] \
            if team_brackets and not has_place else []
        found = [_thing(things, start, end, "TEAM") for start, end in unknown + acronym_teams]
        return sorted(chosen + found, key=lambda span: span.start) if found else chosen

    # -- serialization: cfg and rules/ (ConfiguredPipe) plus patterns.jsonl, like SpanRuler --
    def to_disk(self, path, *, exclude=SimpleFrozenList()) -> None:
        super().to_disk(path, exclude=exclude)
        srsly.write_jsonl(ensure_path(path) / "patterns.jsonl", self.patterns)

    def from_disk(self, path, *, exclude=SimpleFrozenList()) -> "MotorsportRulers":
        super().from_disk(path, exclude=exclude)  # cfg; the saved rules when they differ from the configured ones
        self._set_patterns(srsly.read_jsonl(ensure_path(path) / "patterns.jsonl"))
        return self

    def to_bytes(self, *, exclude=SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps({"cfg": self.cfg, "patterns": self.patterns})

    def from_bytes(self, data: bytes, *, exclude=SimpleFrozenList()) -> "MotorsportRulers":
        msg = srsly.msgpack_loads(data)
        self.cfg.update(msg.get("cfg") or {"spans_key": msg["spans_key"]})  # also bytes from before the cfg
        self._config_changed()
        self._set_patterns(msg["patterns"])
        return self

    def _set_patterns(self, patterns: Iterable[dict]) -> None:
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab)
        self.patterns = []
        self._forms = {}
        self.add_patterns(patterns)


def _team_after_car(things: _Things, words: _RuleWords, view: DocView, candidates: list[_Thing]) -> list[_Thing]:
    """``im Mercedes-AMG GT3 Evo von Raceworks Hamburg``: after a car model,
    ``von`` plus capitalised words is the team running it, even with no
    suffix. Not a person (a known given name, or a bracket after the words)."""
    lex = words.lexicons
    texts = view.texts
    cars_before_von = [span for span in candidates
                       if span.label_ == "CAR" and span.end + 1 < len(texts) and texts[span.end] == "von"]
    if not cars_before_von:  # most documents: no team to look for
        return []
    known_starts = {span.start for span in candidates if span.label_ == "TEAM"}
    team_word = words.team_word_test(view)
    spans = []
    for car in cars_before_von:
        start = car.end + 1
        if start in known_starts:
            continue
        end = _extend_right(view, start, team_word, limit=4)
        names = texts[start:end]
        if not names or any(word in lex.given_names for word in names) or all(word in lex.makers for word in names):
            continue  # "von Lena Hofbauer", "von Porsche"
        if any(part in lex.makers for part in names[0].split("-")[:-1]):
            continue  # "von Ex-Porsche-Star Hofbauer": a title before a name
        if end < len(texts) and texts[end] == "(":
            continue  # "von Lena Hofbauer (Rosenheim)": a driver
        spans.append(_thing(things, start, end, "TEAM"))
    return spans


def _series_circuit_class_spans(things: _Things, words: _RuleWords, view: DocView, openers: list[int]) -> list[_Thing]:
    """Series, circuit and class shapes at the tokens ``openers`` (the ones ``_word_kind`` marks)."""
    lex = words.lexicons
    texts, shapes = view.texts, view.shapes
    thing_words = words.thing_words
    series_suffixes, circuit_suffixes = thing_words["series_suffix"], thing_words["circuit_suffix"]
    class_cues, series_openers = thing_words["class_cue"], thing_words["series_opener"]

    def name_word(j: int) -> bool:
        return shapes[j].capitalised and not view.is_stop_word(j)

    spans = []
    for i in openers:
        text, lowered = texts[i], shapes[i].lower
        if text in series_suffixes and i > 0:
            start = _extend_left(view, i, name_word)
            if start < i:
                spans.append(_thing(things, start, i + 1, "SERIES"))
        elif lowered.endswith("meisterschaft") and len(text) > len("meisterschaft") and shapes[i].capitalised:
            spans.append(_thing(things, i, i + 1, "SERIES"))
        elif text in series_openers and i + 1 < len(texts) and (texts[i + 1].isdigit() or texts[i + 1] == "E"):
            spans.append(_thing(things, i, i + 2, "SERIES"))
        elif lowered.endswith("ring") and len(text) > 6 and name_word(i):
            spans.append(_thing(things, i, i + 1, "CIRCUIT"))
        elif text in circuit_suffixes and i > 0:
            start = _extend_left(view, i, name_word)
            if start < i:
                spans.append(_thing(things, start, i + 1, "CIRCUIT"))
        elif lowered.endswith("-klasse") and len(text) > len("-klasse"):
            spans.append(_thing(things, i, i + 1, "RACE_CLASS"))
        elif text in class_cues and i + 1 < len(texts) and (texts[i + 1] in lex.race_classes or (shapes[i + 1].all_caps and shapes[i + 1].has_digit)):
            spans.append(_thing(things, i, i + 2, "RACE_CLASS"))
    return spans


def _is_false_team(text: str, lex: Lexicons) -> bool:
    """A team-shaped text that is a maker alone (``Porsche``) or a foundation (``Kessler Stiftung Sport``)."""
    return text in lex.makers or not lex.not_team_words.isdisjoint(text.replace("-", " ").split())


def _acronym_team(inner: list[str], words: _RuleWords) -> bool:
    """``(KSM Formule 3)`` after a name: a team that starts with its acronym.
    Country codes, series and classes in brackets are not teams."""
    first = inner[0]
    if len(inner) < 2 or not (is_all_caps(first) and first.isalpha() and 3 <= len(first) <= 5):
        return False
    if first in words.not_team_heads or first in words.lexicons.makers:
        return False
    return all(is_capitalised_text(t) or t.isdigit() for t in inner[1:])


def _has_final_period(text: str) -> bool:
    """German tokenization keeps a sentence-final period on model codes
    ("M4 GT3.", "Rally5."). Ordinals and dates ("3.", "2023.") have no letter and stay whole."""
    return (len(text) >= 3 and text.endswith(".") and text[-2].isalnum() and has_digit(text)
            and any(ch.isalpha() for ch in text) and text.count(".") == 1)


def _is_model_token(text: str, lex: Lexicons) -> bool:
    if text in lex.model_words:
        return True
    if has_digit(text):
        # lap times, gaps and counts in results lines are no model codes: "1:45.234", "+0,317", "24,5"
        return not (":" in text or "," in text or text.startswith(("+", "-")))
    if text in lex.team_suffixes or text in lex.team_prefixes:
        return False
    if len(text) >= 3 and text[1] == "-" and text[0].isupper():  # "I-Type", "e-tron"
        return True
    return is_all_caps(text) and len(text) <= 5


def _split_final_periods(doc: Doc, to_split: list[int]) -> None:
    """Split the period off the tokens ``to_split`` (``_has_final_period``) so the model ends before it."""
    # Each split shifts the whole document: hostile text full of such codes would
    # take quadratic time, so only the first ones are split.
    with doc.retokenize() as retokenizer:
        for token in [doc[i] for i in to_split[:MAX_PERIOD_SPLITS]]:
            # heads: the code heads itself, the period attaches to the code
            retokenizer.split(token, [token.text[:-1], "."], heads=[(token, 0), (token, 0)])


def default_patterns(lex: Lexicons) -> list[dict]:
    """Phrase patterns for every gazetteer entry, as ``{"label", "pattern", "canonical"}``."""
    patterns: list[dict] = []

    def add(label: str, canonical: str, *forms: str) -> None:
        for form in {canonical, *forms}:
            patterns.append({"label": label, "pattern": form, "canonical": canonical})

    for team in lex.teams:
        add("TEAM", team.name, *team.aliases)
    for thing_list, label in ((lex.series, "SERIES"), (lex.circuits, "CIRCUIT")):
        for thing in thing_list:
            add(label, thing.name, *thing.aliases)
    for maker in lex.makers:
        add("MANUFACTURER", maker)
    for car in lex.car_models:
        full = f"{car.maker} {car.model}"
        forms = [car.model] if _model_stands_alone(car.model, lex) else []
        add("CAR", full, *forms)
    for race_class in lex.race_classes:
        if has_digit(race_class) or " " in race_class or "-" in race_class:
            add("RACE_CLASS", race_class)
    return patterns


def _model_stands_alone(model: str, lex: Lexicons) -> bool:
    """``911 GT3 R``, ``R18`` or ``Fabia WRC`` name a car without the maker; ``GT3``,
    ``Cup`` or ``Fabia`` alone do not."""
    tokens = model.split()
    if len(tokens) >= 2 and tokens[0] in lex.model_words and tokens[0] not in lex.team_suffixes:
        return True
    return has_digit(model) and (len(tokens) >= 2 or any(ch.isalpha() for ch in model)) and model not in {"GT3", "GT4", "GT2", "GT1"}


class _Gazetteer:
    """The phrase patterns as a trie of token texts, matched from the tokens whose
    word starts a form: ``_word_kind`` marks those in the look-up it makes per token
    anyway, where PhraseMatcher's own scan of every token was a seventh of this
    component. Finds what the matcher finds, in its order: by start, shorter forms
    first, and the names of one form as the matcher lists them (asked of it once)."""

    __slots__ = ("first_words", "trie")

    def __init__(self, forms: dict[tuple[str, ...], dict[str, None]], matcher: PhraseMatcher) -> None:
        self.trie: dict = {}
        for words, keys in forms.items():
            node = self.trie
            for word in words:
                node = node.setdefault(word, {})
            ordered = keys if len(keys) == 1 else _in_matcher_order(matcher, words)
            node[FORM_END] = tuple(tuple(key.split("\t", 1)) for key in ordered)  # (label, canonical)
        self.first_words = frozenset(self.trie)

    def matches(self, texts: list[str], starts: list[int]) -> list[tuple[str, str, int, int]]:
        """(label, canonical, start, end) of the forms at ``starts`` (tokens whose word starts one)."""
        trie, length, found = self.trie, len(texts), []
        add = found.append
        for start in starts:
            node, end = trie[texts[start]], start + 1
            while True:
                for label, canonical in node.get(FORM_END, ()):
                    add((label, canonical, start, end))
                if end == length:
                    break
                node = node.get(texts[end])
                if node is None:
                    break
                end += 1
        return found


def _in_matcher_order(matcher: PhraseMatcher, words: tuple[str, ...]) -> list[str]:
    """The keys of the patterns written ``words``, in the order the matcher lists them."""
    strings = matcher.vocab.strings
    return [strings[match_id] for match_id, start, end in matcher(Doc(matcher.vocab, words=list(words)))
            if start == 0 and end == len(words)]


class _Thing:
    """A candidate thing of ``things``, read like a Span (``start``, ``end``, ``label_``,
    ``id_``, ``kb_id_``, ``text``); only the chosen ones become Spans (``_as_spans``).
    Making one writes its ``canonical`` (see ``_Things``)."""

    __slots__ = ("start", "end", "label_", "id_", "kb_id_", "_things")

    def __init__(self, things: _Things, start: int, end: int, label: str, span_id: str = "", kb_id: str = "", *,
                 canonical: str | None = None) -> None:
        self.start, self.end, self.label_, self.id_, self.kb_id_ = start, end, label, span_id, kb_id
        self._things = things
        things.canonicals[(start, end)] = canonical

    @property
    def text(self) -> str:
        """``view.text_of``, sliced here from the columns ``things`` took (one call, not four)."""
        things = self._things
        return things.text[things.starts[self.start]:things.ends[self.end - 1]] if self.end > self.start else ""

    @property
    def words(self) -> list[str]:
        return self._things.texts[self.start:self.end]

    @property
    def canonical(self) -> str | None:
        return self._things.canonicals[(self.start, self.end)]

    @canonical.setter
    def canonical(self, value: str | None) -> None:
        self._things.canonicals[(self.start, self.end)] = value


class _Things:
    """The candidate things of one document. Their canonicals are kept by
    offsets, as spaCy keeps ``span.canonical``: candidates over the same
    tokens share one, and the last one written wins."""

    __slots__ = ("canonicals", "text", "texts", "starts", "ends")

    def __init__(self, view: DocView) -> None:
        self.canonicals: dict[tuple[int, int], str | None] = {}
        # the columns the things' texts are read from (the later components read them too)
        self.text, self.texts, self.starts, self.ends = view.text, view.texts, view.starts, view.ends


class _MarkedWords:
    """The ``_word_kind`` bits of a document's tokens. Most tokens have none, so the
    rules visit only the few that have the bit they look for."""

    __slots__ = ("kinds", "marked")

    def __init__(self, kinds: list[int]) -> None:
        self.kinds = kinds  # per token
        self.marked = list(compress(range(len(kinds)), kinds))  # the tokens with a bit, in text order

    def having(self, bit: int) -> list[int]:
        """The tokens with ``bit``, in text order."""
        kinds = self.kinds
        return [i for i in self.marked if kinds[i] & bit]


def _longest_first(candidates: list[_Thing]) -> list[_Thing]:
    """``spacy.util.filter_spans`` with its ties decided: of overlapping candidates
    the longest wins, then the leftmost, then a known name over a shape match, then
    the label priority. One sort does what sorting by priority before
    ``filter_spans`` did (both sorts are stable). In text order."""
    chosen, taken = [], set()
    for span in sorted(candidates, key=lambda span: (span.start - span.end, span.start, span.id_ != GAZETTEER_ID,
                                                     PRIORITY[span.label_])):
        if span.start not in taken and span.end - 1 not in taken:
            chosen.append(span)
            taken.update(range(span.start, span.end))
    chosen.sort(key=attrgetter("start"))
    return chosen


def _as_spans(doc: Doc, things: _Things, chosen: list[_Thing], ids: _SpanIds) -> list[Span]:
    """The chosen things as Spans, with ``span._.canonical`` written where spaCy
    keeps it (``span._`` would build Token objects for the offsets)."""
    user_data, canonicals, starts, ends = doc.user_data, things.canonicals, things.starts, things.ends
    ids_of = ids.of
    spans = []
    for thing in chosen:
        start, end = thing.start, thing.end
        user_data[canonical_key(starts[start], ends[end - 1])] = canonicals[start, end]
        label, span_id, kb_id = ids_of(thing)
        spans.append(Span(doc, start, end, label=label, span_id=span_id, kb_id=kb_id))
    return spans


class _SpanIds(dict):
    """(label, source, list name) of a thing → their ids in one StringStore, as
    ``Span`` takes them. ``Span(label="TEAM")`` adds the text to the store for every
    span (hashing it each time); the labels, sources and list names of things are
    few, so their ids are kept. Ids the store no longer holds (it was reset by
    loading) are added again; "" is id 0, as spaCy writes no id (and 0 is in every store)."""

    __slots__ = ("strings",)

    def __init__(self, strings: StringStore) -> None:
        super().__init__()
        self.strings = strings

    def of(self, thing: _Thing) -> tuple[int, int, int]:
        texts = (thing.label_, thing.id_, thing.kb_id_)
        ids = self.get(texts)
        strings = self.strings
        if ids is None or not (ids[0] in strings and ids[1] in strings and ids[2] in strings):
            if len(self) > KIND_MEMO_LIMIT:  # bounded like the word memos (lists of things are finite anyway)
                self.clear()
            ids = self[texts] = tuple(strings.add(text) if text else 0 for text in texts)
        return ids


def _thing(things: _Things, start: int, end: int, label: str, canonical: str | None = None) -> _Thing:
    return _Thing(things, start, end, label, "shape", canonical=canonical)


def _member(things: _Things, start: int, end: int, team: str) -> _Thing:
    """``Carlin-Pilot``: the team of the driver named right after it."""
    return _Thing(things, start, end, "TEAM", MEMBER_ID, canonical=team)


def _maker_pair(text: str, lex: Lexicons) -> bool:
    """``Williams-BMW``: two different makers, not one maker's own name (``Mercedes-AMG``)."""
    parts = text.split("-")
    return (len(parts) == 2 and parts[0] != parts[1] and text not in lex.makers
            and all(part in lex.makers for part in parts))


def _bracket_sponsors(view: DocView, index: int, words: _RuleWords) -> int:
    """Where a team compound starts when sponsor words fill the bracket before
    it: ``(Vodafone Kessler-Audi)`` starts at ``Vodafone``."""
    texts = view.texts
    team_word = words.team_word_test(view)
    start = _extend_left(view, index, lambda j: team_word(j) and not view.shapes[j].has_digit, limit=3)
    if start < index and start > 0 and texts[start - 1] == "(" and index + 1 < len(texts) \
            and texts[index + 1].startswith(")"):
        return start
    return index


def _thing_covering(chosen: list[_Thing]) -> Callable[[int], _Thing | None]:
    """The chosen thing that covers a token, or None, as a function of the token: a
    bisection, as the chosen things are in text order, not empty and never overlap
    (a table of every covered token cost more than the few brackets that ask)."""
    starts = [span.start for span in chosen]

    def thing_at(i: int) -> _Thing | None:
        k = bisect_right(starts, i) - 1
        return chosen[k] if k >= 0 and i < chosen[k].end else None

    return thing_at


def _last_part(inner: list[str]) -> list[str]:
    """The words after the last comma or slash of a bracket: ``(18, Trier, Kessler Racing)``."""
    for position in range(len(inner) - 1, -1, -1):
        if inner[position] in (",", "/"):
            return inner[position + 1:]
    return inner


def _names_like_a_team(view: DocView, start: int, end: int, lex: Lexicons) -> bool:
    """Bracket words that could be a team: capitalised or acronyms, no digit, no stop word first, no maker."""
    shapes = view.shapes
    return (all((shapes[j].capitalised or shapes[j].all_caps) and not shapes[j].has_digit for j in range(start, end))
            and not view.is_stop_word(start) and not any(t in lex.makers for t in view.texts[start:end]))


def _is_place(inner: list[str], lex: Lexicons) -> bool:
    text = " ".join(inner)
    return text in lex.country_by_name or text in lex.country_by_code or text in lex.place_by_name


def _with_short_team_forms(things: _Things, texts: list[str], chosen: list[_Thing], lex: Lexicons) -> list[_Thing]:
    """``Team Kessler Sport XE`` named once, ``mit Kessler Sport XE`` later: the
    name without its leading ``Team`` is the same team (two words or more, so a
    surname alone stays a name)."""
    forms: dict[tuple[str, ...], str] = {}
    for span in chosen:
        if span.label_ == "TEAM" and span.end - span.start >= 3 and texts[span.start] in lex.team_prefixes:
            forms[tuple(texts[span.start + 1:span.end])] = span.canonical or span.text
    if not forms:
        return chosen
    taken = {i for span in chosen for i in range(span.start, span.end)}
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for form, canonical in sorted(forms.items(), key=lambda item: -len(item[0])):
        if len(by_first.setdefault(form[0], [])) < MAX_FORMS_PER_WORD:  # bounded on hostile lists of teams
            by_first[form[0]].append((form, canonical))
    added = []
    # Only the words that start a form are visited (a dictionary lookup per word at C speed).
    for start in compress(range(len(texts)), map(by_first.__contains__, texts)):
        if start in taken:
            continue
        for form, canonical in by_first[texts[start]]:
            end = start + len(form)
            if end <= len(texts) and tuple(texts[start:end]) == form \
                    and not any(i in taken for i in range(start, end)):
                added.append(_thing(things, start, end, "TEAM", canonical=canonical))
                taken.update(range(start, end))
                break
    return sorted(chosen + added, key=lambda span: span.start)


def _team_word_answers(shape: WordShape, lex: Lexicons) -> tuple[bool, bool]:
    """Whether the word can be part of a team name inside a sentence and at its start:
    capitalised, an acronym or a code, no title; a stop word only as a team suffix or
    in capitals (mid-sentence, a capitalised stop word is a name: ``shapes.is_stop_word``)."""
    text = shape.text
    if not text or shape.is_punct or shape.is_space or text in lex.team_cues:
        return False, False
    if not (text[0].isupper() or shape.all_caps or (text[0].isdigit() and any(c.isalpha() for c in text))):
        return False, False
    if lex.title_kind(text) is not None:
        return False, False
    stop_word_counts = text not in lex.team_suffixes and not shape.all_caps
    return not (stop_word_counts and shape.stop_inside), not (stop_word_counts and shape.stop_at_start)


def _extend_left(view: DocView, index: int, accept, limit: int = DEFAULT_MAX_NAME_TOKENS) -> int:
    """Where a run of tokens that ``accept`` (by index) ends left of ``index``, within the sentence."""
    start, sent_starts, length = index, view.sent_starts, view.length
    # the token before ``start`` ends a sentence when ``start`` opens the next one
    while start > 0 and index - start < limit and start < length and not sent_starts[start] and accept(start - 1):
        start -= 1
    return start


def _extend_right(view: DocView, index: int, accept, limit: int = DEFAULT_MAX_NAME_TOKENS) -> int:
    """Where a run of tokens that ``accept`` (by index) from ``index`` on ends, within the sentence."""
    end, sent_starts, length = index, view.sent_starts, view.length
    while end < length and end - index < limit and not (end > index and sent_starts[end]) and accept(end):
        end += 1
    return end


def _compound_team(text: str, lex: Lexicons) -> str | None:
    """``Manthey-Porsche`` → ``Manthey``; ``Porsche-Junior`` and ``Mercedes-AMG`` → None."""
    head, _, last = text.rpartition("-")
    if not head or last not in lex.makers:
        return None
    parts = head.split("-")
    if any(part in lex.makers or not part[:1].isupper() for part in parts):
        return None
    return " ".join(parts)


def _teams_as_written(spans: list[_Thing]) -> None:
    """A known team carries the fullest form the document writes
    (``Kessler Sport Team Nord``), not the list's name for it (``Kessler Racing``)."""
    known_teams = [span for span in spans if span.id_ == GAZETTEER_ID and span.label_ == "TEAM"]
    fullest: dict[str, str] = {}
    for span in known_teams:
        text = span.text
        if len(text) > len(fullest.get(span.kb_id_, "")):
            fullest[span.kb_id_] = text
    for span in known_teams:
        span.canonical = fullest[span.kb_id_]


def _resolve_compound_teams(spans: list[_Thing]) -> None:
    """Point a compound reference at the document's full team name holding its words."""
    compounds = [span for span in spans if span.id_ == COMPOUND_ID]
    if not compounds:
        return
    full_teams = [span for span in spans if span.label_ == "TEAM" and span.id_ != COMPOUND_ID]
    for span in compounds:
        words = span.canonical.removesuffix("-Team").replace("-", " ").split()
        for team in full_teams:
            team_name = team.canonical or team.text
            if all(word in team_name.replace("-", " ").split() for word in words):
                span.canonical = team_name
                break


def _canonicalise_cars(spans: list[_Thing], makers: frozenset[str]) -> None:
    """Within a document, a shorter car form takes the fullest form that contains
    it, as the text writes it (``Kessler SLS AMG GT3`` stays so, though the list
    says ``Kessler-Benz``); a form the text writes only short takes the list's name."""
    cars = [span for span in spans if span.label_ == "CAR"]  # spans are in text order
    if not cars:
        return
    texts = [span.text for span in cars]
    # Unique texts in text order, not as sets (long documents repeat the same cars).
    written = _fullest_forms(list(dict.fromkeys(texts)))
    names = []
    for span, text in zip(cars, texts):
        if written[text] != text or span.id_ != GAZETTEER_ID or span.words[0] in makers:
            span.canonical = written[text]
        names.append(span.canonical or text)
    fullest = _fullest_forms(list(dict.fromkeys(names)))
    for span, name in zip(cars, names):
        span.canonical = fullest[name]


def _fullest_forms(forms: list[str]) -> dict[str, str]:
    """Per form, the longest of ``forms`` holding its words in a row; of two of one length,
    ``max`` keeps the first written, so the choice never depends on string hashing."""
    # With one space around and between the words, " GT3 R " in " Porsche 911 GT3 R " is
    # exactly "the words in a row" (words hold no space; a car starts with a word).
    if len(forms) == 1:
        return {forms[0]: forms[0]}
    padded = [f" {' '.join(form.split())} " for form in forms]
    every_form = "\n".join(padded)  # one search finds the forms no other form holds (most of them)
    return {form: form if every_form.count(words) == 1 else
            max((other for other, padded_other in zip(forms, padded) if words in padded_other), key=len)
            for form, words in zip(forms, padded)}
