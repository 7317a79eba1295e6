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
``span._.canonical`` set. Compound team references carry the label TEAM and a
canonical pointing at the full team name of the document when there is one.
"""

from __future__ import annotations

from typing import Iterable

import srsly
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span, Token
from spacy.util import ensure_path, filter_spans

from .. import extensions  # noqa: F401  (registers the extensions)
from ..rules import DEFAULT_LANG, Lexicons, load_lexicons
from .doc_view import doc_view
from .shapes import has_digit, is_all_caps, is_capitalised, is_stop_word

DEFAULT_SPANS_KEY = "motorsport_things"
DEFAULT_MAX_NAME_TOKENS = 6
THING_LABELS = ("TEAM", "CAR", "MANUFACTURER", "SERIES", "CIRCUIT", "RACE_CLASS")
# Nouns after which a capitalised run names a team: "des Teams X", "Kundenteam X".
TEAM_CUE_NOUNS = frozenset({"Teams", "Kundenteam", "Kundenteams", "Rennstall", "Rennstalls", "Privatteam", "Mannschaft"})
# Words that end a series name: "ADAC GT Masters", "Porsche Carrera Cup".
SERIES_SUFFIXES = frozenset({"Cup", "Series", "Masters", "Trophy", "Challenge", "Championship", "Supercup", "Trofeo"})
CIRCUIT_SUFFIXES = frozenset({"Raceway", "Speedway", "Motorpark", "Racetrack", "Circuit"})
CLASS_CUES = frozenset({"Klasse", "Kategorie", "Wertung"})
# span.id_ says where a thing came from (like SpanRuler's pattern ids).
GAZETTEER_ID = "gazetteer"  # a known name from the rule files
COMPOUND_ID = "compound"  # a team-maker compound such as "Manthey-Porsche"
PRIORITY = {"TEAM": 0, "CAR": 1, "SERIES": 2, "CIRCUIT": 3, "RACE_CLASS": 4, "MANUFACTURER": 5}


@Language.factory(
    "motorsport_rulers",
    assigns=["doc.spans"],
    default_config={"spans_key": DEFAULT_SPANS_KEY, "lang": DEFAULT_LANG, "rules_dir": None},
)
def make_rulers(nlp: Language, name: str, spans_key: str, lang: str, rules_dir: str | None) -> "MotorsportRulers":
    return MotorsportRulers(nlp, name, spans_key=spans_key, lang=lang, rules_dir=rules_dir)


class MotorsportRulers(Pipe):
    def __init__(self, nlp: Language, name: str = "motorsport_rulers", *, spans_key: str = DEFAULT_SPANS_KEY,
                 lang: str = DEFAULT_LANG, rules_dir: str | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.lang = lang
        self.rules_dir = rules_dir
        self.lexicons: Lexicons = load_lexicons(lang, rules_dir)
        self.phrase_matcher = PhraseMatcher(nlp.vocab)
        self.patterns: list[dict] = []
        self.add_patterns(default_patterns(self.lexicons))

    # -- patterns ---------------------------------------------------------
    def add_patterns(self, patterns: Iterable[dict]) -> None:
        """Add ``{"label", "pattern", "canonical"}`` phrase patterns."""
        by_key: dict[str, list[Doc]] = {}
        for pattern in patterns:
            self.patterns.append(pattern)
            key = f"{pattern['label']}\t{pattern['canonical']}"
            by_key.setdefault(key, []).append(self.nlp.make_doc(pattern["pattern"]))
        for key, docs in by_key.items():
            self.phrase_matcher.add(key, docs)

    def initialize(self, get_examples=None, *, nlp: Language | None = None, patterns: Iterable[dict] | None = None) -> None:
        if patterns is not None:
            self.phrase_matcher = PhraseMatcher(self.nlp.vocab)
            self.patterns = []
            self.add_patterns(patterns)

    # -- processing -------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        _split_final_periods(doc)
        tokens = doc_view(doc).tokens
        candidates = self._gazetteer_spans(doc, tokens)
        candidates += self._team_shape_spans(doc, tokens)
        candidates += self._series_circuit_class_spans(doc, tokens)
        candidates += self._team_after_car(doc, tokens, candidates)
        # On equal length, a known name beats a shape match, then the label priority decides.
        candidates.sort(key=lambda span: (span.id_ != GAZETTEER_ID, PRIORITY[span.label_]))
        chosen = filter_spans(candidates)
        chosen = [span for span in chosen if not self._is_false_team(span)]
        _resolve_compound_teams(chosen)
        _canonicalise_cars(chosen)
        doc.spans[self.spans_key] = sorted(chosen, key=lambda span: span.start)
        return doc

    def _gazetteer_spans(self, doc: Doc, tokens: list[Token]) -> list[Span]:
        spans = []
        for match_id, start, end in self.phrase_matcher(doc):
            label, canonical = self.nlp.vocab.strings[match_id].split("\t", 1)
            span = Span(doc, start, end, label=label, span_id=GAZETTEER_ID)
            span._.canonical = canonical
            spans.append(span)
            if label == "MANUFACTURER":
                spans.extend(self._model_after_maker(doc, tokens, start, end, canonical))
            if label == "CAR":
                extended = self._extend_model(tokens, end)
                if extended > end:
                    longer = Span(doc, start, extended, label="CAR")
                    longer._.canonical = None
                    spans.append(longer)
        return spans

    def _is_model_token(self, text: str) -> bool:
        if text in self.lexicons.model_words:
            return True
        if has_digit(text):
            # lap times, gaps and counts in results lines are no model codes: "1:45.234", "+0,317", "24,5"
            return not (":" in text or "," in text or text.startswith(("+", "-")))
        if text in self.lexicons.team_suffixes or text in self.lexicons.team_prefixes:
            return False
        if len(text) >= 3 and text[1] == "-" and text[0].isupper():  # "I-Type", "e-tron"
            return True
        return is_all_caps(text) and len(text) <= 5

    def _extend_model(self, tokens: list[Token], start: int) -> int:
        end = start
        while end < len(tokens) and end - start < DEFAULT_MAX_NAME_TOKENS and self._is_model_token(tokens[end].text):
            if tokens[end].text in self.lexicons.makers and tokens[end].text not in self.lexicons.model_words:
                break
            end += 1
        return end

    def _model_after_maker(self, doc: Doc, tokens: list[Token], start: int, end: int, maker: str) -> list[Span]:
        """``Porsche 963``, ``Toyota GR Yaris Rally1``: a maker plus model-code tokens."""
        while end < len(tokens) and tokens[end].text in self.lexicons.makers:  # "BMW Sauber F1.08"
            end += 1
        model_end = self._extend_model(tokens, end)
        if model_end == end:
            return []
        model_tokens = [token.text for token in tokens[end:model_end]]
        # The number after "Startnummer"-like words, years and counts are not models.
        # Words shared with team names ("Sport") do not make a model on their own: "Audi Sport".
        if not any(has_digit(t) or (t in self.lexicons.model_words and t not in self.lexicons.team_suffixes) for t in model_tokens):
            return []
        if len(model_tokens) == 1 and model_tokens[0].isdigit() and len(model_tokens[0]) == 4 and model_tokens[0].startswith(("19", "20")):
            return []
        span = Span(doc, start, model_end, label="CAR")
        span._.canonical = None
        return [span]

    def _team_shape_spans(self, doc: Doc, tokens: list[Token]) -> list[Span]:
        lex = self.lexicons
        spans = []
        for token in tokens:
            text = token.text
            prefix_end = token.i + 1
            if text in lex.team_prefixes:
                prefix_end = _extend_right(tokens, token.i + 1, lambda t: _is_team_word(t, lex))
            if prefix_end > token.i + 1:  # "Team Rosberg", "Hertz Team Jota"
                start = _extend_left(tokens, token.i, lambda t: _is_team_word(t, lex) and t.text not in lex.team_suffixes)
                spans.append(_thing(doc, start, prefix_end, "TEAM"))
            elif text in lex.team_suffixes:  # "Haupt Racing Team", "BMW Sauber F1 Team"
                start = _extend_left(tokens, token.i, lambda t: _is_team_word(t, lex))
                left = tokens[start:token.i]
                if len(left) == 0 or all(t.text in lex.makers or (is_all_caps(t.text) and len(t.text) <= 2 and not has_digit(t.text)) for t in left):
                    continue  # "Racing" alone, "Porsche Motorsport", "BMW M Motorsport" (a maker's department)
                if left[0].text in lex.makers and len(left) > 1 and has_digit(left[1].text):
                    continue  # a car model with a suffix-like word: "BMW M2 CS Racing"
                end = _extend_right(tokens, token.i + 1, lambda t: t.text in lex.team_suffixes or (is_all_caps(t.text) and 2 <= len(t.text) <= 4))
                spans.append(_thing(doc, start, end, "TEAM"))
            elif text in TEAM_CUE_NOUNS:
                end = _extend_right(tokens, token.i + 1, lambda t: _is_team_word(t, lex))
                if end > token.i + 1 and not all(t.text in lex.makers for t in tokens[token.i + 1:end]):
                    spans.append(_thing(doc, token.i + 1, end, "TEAM"))
            elif "-" in text and is_capitalised(token):
                compound = _compound_team(text, lex)
                if compound:
                    span = Span(doc, token.i, token.i + 1, label="TEAM", span_id=COMPOUND_ID)
                    span._.canonical = compound
                    spans.append(span)
        return spans

    def _team_after_car(self, doc: Doc, tokens: list[Token], candidates: list[Span]) -> list[Span]:
        """``im Mercedes-AMG GT3 Evo von Raceworks Hamburg``: after a car model,
        ``von`` plus capitalised words is the team running it, even with no
        suffix. Not a person (a known given name, or a bracket after the words)."""
        lex = self.lexicons
        known_starts = {span.start for span in candidates if span.label_ == "TEAM"}
        spans = []
        for car in (span for span in candidates if span.label_ == "CAR"):
            start = car.end + 1
            if start >= len(tokens) or tokens[car.end].text != "von" or start in known_starts:
                continue
            end = _extend_right(tokens, start, lambda t: _is_team_word(t, lex), limit=4)
            words = [t.text for t in tokens[start:end]]
            if not words or words[0] in lex.given_names or all(word in lex.makers for word in words):
                continue
            if end < len(tokens) and tokens[end].text == "(":
                continue  # "von Lena Hofbauer (Rosenheim)": a driver
            spans.append(_thing(doc, start, end, "TEAM"))
        return spans

    def _series_circuit_class_spans(self, doc: Doc, tokens: list[Token]) -> list[Span]:
        lex = self.lexicons
        spans = []
        for token in tokens:
            text, i = token.text, token.i
            lowered = text.lower()
            if text in SERIES_SUFFIXES and i > 0:
                start = _extend_left(tokens, i, lambda t: is_capitalised(t) and not is_stop_word(t))
                if start < i:
                    spans.append(_thing(doc, start, i + 1, "SERIES"))
            elif lowered.endswith("meisterschaft") and len(text) > len("meisterschaft") and is_capitalised(token):
                spans.append(_thing(doc, i, i + 1, "SERIES"))
            elif text in ("Formel", "Formula") and i + 1 < len(tokens) and (tokens[i + 1].text.isdigit() or tokens[i + 1].text == "E"):
                spans.append(_thing(doc, i, i + 2, "SERIES"))
            elif lowered.endswith("ring") and len(text) > 6 and is_capitalised(token) and not is_stop_word(token):
                spans.append(_thing(doc, i, i + 1, "CIRCUIT"))
            elif text in CIRCUIT_SUFFIXES and i > 0:
                start = _extend_left(tokens, i, lambda t: is_capitalised(t) and not is_stop_word(t))
                if start < i:
                    spans.append(_thing(doc, start, i + 1, "CIRCUIT"))
            elif lowered.endswith("-klasse") and len(text) > len("-klasse"):
                spans.append(_thing(doc, i, i + 1, "RACE_CLASS"))
            elif text in CLASS_CUES and i + 1 < len(tokens) and (tokens[i + 1].text in lex.race_classes or (is_all_caps(tokens[i + 1].text) and has_digit(tokens[i + 1].text))):
                spans.append(_thing(doc, i, i + 2, "RACE_CLASS"))
        return spans

    def _is_false_team(self, span: Span) -> bool:
        return span.label_ == "TEAM" and span.text in self.lexicons.makers

    # -- serialization (JSONL patterns + small cfg, like SpanRuler) -------
    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", {"spans_key": self.spans_key, "lang": self.lang, "rules_dir": self.rules_dir})
        srsly.write_jsonl(path / "patterns.jsonl", self.patterns)

    def from_disk(self, path, *, exclude=tuple()) -> "MotorsportRulers":
        path = ensure_path(path)
        cfg = srsly.read_json(path / "cfg")
        self.spans_key = cfg.get("spans_key", self.spans_key)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab)
        self.patterns = []
        self.add_patterns(srsly.read_jsonl(path / "patterns.jsonl"))
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"spans_key": self.spans_key, "patterns": self.patterns})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "MotorsportRulers":
        msg = srsly.msgpack_loads(data)
        self.spans_key = msg["spans_key"]
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab)
        self.patterns = []
        self.add_patterns(msg["patterns"])
        return self


def _split_final_periods(doc: Doc) -> None:
    """German tokenization keeps a sentence-final period on model codes
    ("M4 GT3.", "Rally5."): split it off so the model ends before the period.
    Ordinals and dates ("3.", "2023.") have no letter and stay whole."""
    to_split = [
        token for token in doc_view(doc).tokens
        if len(token.text) >= 3 and token.text.endswith(".") and token.text[-2].isalnum()
        and has_digit(token.text) and any(ch.isalpha() for ch in token.text)
        and token.text.count(".") == 1
    ]
    if not to_split:
        return
    with doc.retokenize() as retokenizer:
        for token in to_split:
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
        forms = [car.model] if _model_stands_alone(car.model) else []
        add("CAR", full, *forms)
    for race_class in lex.race_classes:
        if has_digit(race_class) or " " in race_class or "-" in race_class:
            add("RACE_CLASS", race_class)
    return patterns


def _model_stands_alone(model: str) -> bool:
    """``911 GT3 R`` or ``R18`` name a car without the maker; ``GT3`` or ``Cup`` do not."""
    tokens = model.split()
    return has_digit(model) and (len(tokens) >= 2 or any(ch.isalpha() for ch in model)) and model not in {"GT3", "GT4", "GT2", "GT1"}


def _thing(doc: Doc, start: int, end: int, label: str) -> Span:
    span = Span(doc, start, end, label=label, span_id="shape")
    span._.canonical = None
    return span


def _is_team_word(token, lex: Lexicons) -> bool:
    text = token.text
    if not text or token.is_punct or token.is_space:
        return False
    if text in TEAM_CUE_NOUNS:
        return False
    if text[0].isupper() or is_all_caps(text) or (text[0].isdigit() and any(c.isalpha() for c in text)):
        if is_stop_word(token) and text not in lex.team_suffixes and not is_all_caps(text):
            return False
        return lex.title_kind(text) is None
    return False


def _extend_left(tokens: list[Token], index: int, accept, limit: int = DEFAULT_MAX_NAME_TOKENS) -> int:
    start = index
    while start > 0 and index - start < limit and accept(tokens[start - 1]) and not tokens[start - 1].is_sent_end:
        start -= 1
    return start


def _extend_right(tokens: list[Token], index: int, accept, limit: int = DEFAULT_MAX_NAME_TOKENS) -> int:
    end = index
    while end < len(tokens) and end - index < limit and accept(tokens[end]) and not (end > index and tokens[end].is_sent_start):
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


def _resolve_compound_teams(spans: list[Span]) -> None:
    """Point a compound reference at the document's full team name holding its words."""
    full_teams = [span for span in spans if span.label_ == "TEAM" and span.id_ != COMPOUND_ID]
    for span in spans:
        if span.id_ != COMPOUND_ID:
            continue
        words = span._.canonical.split()
        for team in full_teams:
            team_name = team._.canonical or team.text
            if all(word in team_name.replace("-", " ").split() for word in words):
                span._.canonical = team_name
                break


def _canonicalise_cars(spans: list[Span]) -> None:
    """Within a document, a shorter car form takes the fullest form that contains it."""
    cars = [span for span in spans if span.label_ == "CAR"]
    names = {span._.canonical or span.text for span in cars}
    fullest = {}
    for name in names:  # unique names only: long documents repeat the same cars
        fullest[name] = max((other for other in names if _contains_words(other, name)), key=len)
    for span in cars:
        span._.canonical = fullest[span._.canonical or span.text]


def _contains_words(longer: str, shorter: str) -> bool:
    long_words, short_words = longer.split(), shorter.split()
    size = len(short_words)
    return any(long_words[i:i + size] == short_words for i in range(len(long_words) - size + 1))
