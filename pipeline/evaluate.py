"""Evaluation against gold annotations (the devset JSON format).

Matching rules (also in the README):
- names are normalised: Unicode NFC, case-folded, hyphens and runs of
  whitespace become one space, so ``Jean-Éric  Vergne`` equals ``jean éric vergne``;
- a team or car matches when one normalised name contains the other;
- a quote matches when the detected quote text starts with the gold ``start``
  (normalised), or the gold start begins with the detected text when the
  detected quote is shorter;
- a gold field that is ``null`` is not scored.
Matching is one-to-one within a document, in text order.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from spacy.language import Language

DRIVER_FIELDS = ("hometown", "team", "car")


class GoldFormatError(ValueError):
    """A gold file does not follow the documented format."""


def normalise(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("-", " ").replace("’", "'").replace("/", " / ")
    return " ".join(text.split())


def contains_match(a: str | None, b: str | None) -> bool:
    a, b = normalise(a), normalise(b)
    return bool(a and b) and (a in b or b in a)


def quote_match(predicted: str, gold_start: str) -> bool:
    predicted, gold_start = normalise(predicted), normalise(gold_start)
    if not predicted or not gold_start:
        return False
    return predicted.startswith(gold_start) or (len(predicted) < len(gold_start) and gold_start.startswith(predicted))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def as_dict(self) -> dict:
        return {"accuracy": round(self.value, 4), "correct": self.correct, "total": self.total}


@dataclass
class Report:
    documents: int = 0
    drivers: Score = field(default_factory=Score)
    teams: Score = field(default_factory=Score)
    cars: Score = field(default_factory=Score)
    quotes: Score = field(default_factory=Score)
    fields: dict[str, Accuracy] = field(default_factory=lambda: {f: Accuracy() for f in DRIVER_FIELDS})
    # Fields the gold leaves null (the text does not state them): right when left empty.
    unstated: dict[str, Accuracy] = field(default_factory=lambda: {f: Accuracy() for f in DRIVER_FIELDS})
    attribution: Accuracy = field(default_factory=Accuracy)
    attribution_by_method: dict[str, Accuracy] = field(default_factory=lambda: defaultdict(Accuracy))
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "drivers": self.drivers.as_dict(),
            "teams": self.teams.as_dict(),
            "cars": self.cars.as_dict(),
            "quote_detection": self.quotes.as_dict(),
            "driver_fields": {name: acc.as_dict() for name, acc in self.fields.items()},
            "unstated_fields_left_empty": {name: acc.as_dict() for name, acc in self.unstated.items()},
            "attribution": self.attribution.as_dict(),
            "attribution_by_method": {m: a.as_dict() for m, a in sorted(self.attribution_by_method.items())},
            "errors": self.errors,
        }

    def summary_lines(self) -> list[str]:
        lines = [f"documents: {self.documents}"]
        for name, score in (("drivers", self.drivers), ("teams", self.teams), ("cars", self.cars), ("quotes", self.quotes)):
            lines.append(f"{name:<10} P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}"
                         f"  (tp {score.tp}, fp {score.fp}, fn {score.fn})")
        for name, acc in self.fields.items():
            lines.append(f"driver {name:<8} accuracy {acc.value:.3f}  ({acc.correct}/{acc.total})")
        for name, acc in self.unstated.items():
            lines.append(f"driver {name:<8} left empty when unstated {acc.value:.3f}  ({acc.correct}/{acc.total})")
        lines.append(f"attribution (right speaker / gold quotes) {self.attribution.value:.3f}"
                     f"  ({self.attribution.correct}/{self.attribution.total})")
        for method, acc in sorted(self.attribution_by_method.items()):
            lines.append(f"  {method:<13} {acc.value:.3f}  ({acc.correct}/{acc.total})")
        return lines


def load_gold(gold_dir: str | Path) -> list[dict]:
    """Every ``*.json`` gold document in ``gold_dir``, sorted by file name."""
    paths = sorted(Path(gold_dir).glob("*.json"))
    if not paths:
        raise GoldFormatError(f"no gold *.json files in {gold_dir}")
    documents = []
    for path in paths:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise GoldFormatError(f"{path.name}: {error}") from None
        missing = {"text", "drivers", "teams", "cars", "quotes"} - set(record)
        if missing:
            raise GoldFormatError(f"{path.name}: missing keys {sorted(missing)}")
        record.setdefault("id", path.stem)
        documents.append(record)
    return documents


def _match_lists(gold: list, predicted: list, same: Callable) -> tuple[list[tuple], list, list]:
    """One-to-one greedy matching in order: (pairs, unmatched gold, unmatched predicted)."""
    unused = list(predicted)
    pairs, missed = [], []
    for item in gold:
        partner = next((p for p in unused if same(item, p)), None)
        if partner is None:
            missed.append(item)
        else:
            unused.remove(partner)
            pairs.append((item, partner))
    return pairs, missed, unused


def _count(score: Score, pairs, missed, spurious) -> None:
    score.tp += len(pairs)
    score.fn += len(missed)
    score.fp += len(spurious)


def evaluate_document(gold: dict, doc, report: Report) -> None:
    doc_id = gold["id"]
    drivers = doc._.drivers or []
    err = report.errors.append

    pairs, missed, spurious = _match_lists(gold["drivers"], drivers, lambda g, p: normalise(g["name"]) == normalise(p["driver"]))
    _count(report.drivers, pairs, missed, spurious)
    err_rows = [{"doc_id": doc_id, "kind": "missed_driver", "gold": g["name"]} for g in missed]
    err_rows += [{"doc_id": doc_id, "kind": "spurious_driver", "predicted": p["driver"]} for p in spurious]
    for gold_driver, predicted in pairs:
        for name in DRIVER_FIELDS:
            expected = gold_driver.get(name)
            got = predicted.get(name)
            if expected is None:
                report.unstated[name].total += 1
                report.unstated[name].correct += got is None
                if got is not None:
                    err_rows.append({"doc_id": doc_id, "kind": f"unstated_{name}", "driver": gold_driver["name"],
                                     "predicted": got})
                continue
            ok = normalise(expected) == normalise(got) if name == "hometown" else contains_match(expected, got)
            report.fields[name].total += 1
            report.fields[name].correct += ok
            if not ok:
                err_rows.append({"doc_id": doc_id, "kind": f"wrong_{name}", "driver": gold_driver["name"],
                                 "gold": expected, "predicted": got})

    for label, key, score in (("TEAM", "teams", report.teams), ("CAR", "cars", report.cars)):
        predicted_names = _distinct(ent._.canonical or ent.text for ent in doc.ents if ent.label_ == label)
        pairs_t, missed_t, spurious_t = _match_lists(gold[key], predicted_names, contains_match)
        _count(score, pairs_t, missed_t, spurious_t)
        err_rows += [{"doc_id": doc_id, "kind": f"missed_{key[:-1]}", "gold": g} for g in missed_t]
        err_rows += [{"doc_id": doc_id, "kind": f"spurious_{key[:-1]}", "predicted": p} for p in spurious_t]

    quotes = doc._.quotes or []
    pairs_q, missed_q, spurious_q = _match_lists(gold["quotes"], quotes, lambda g, p: quote_match(p["quote"], g["start"]))
    _count(report.quotes, pairs_q, missed_q, spurious_q)
    err_rows += [{"doc_id": doc_id, "kind": "missed_quote", "gold": g["start"], "speaker": g["speaker"]} for g in missed_q]
    err_rows += [{"doc_id": doc_id, "kind": "spurious_quote", "predicted": p["quote"][:60]} for p in spurious_q]
    report.attribution.total += len(gold["quotes"])
    for gold_quote, predicted in pairs_q:
        ok = normalise(gold_quote["speaker"]) == normalise(predicted.get("speaker"))
        report.attribution.correct += ok
        method = predicted.get("method") or "unresolved"
        report.attribution_by_method[method].total += 1
        report.attribution_by_method[method].correct += ok
        if not ok:
            err_rows.append({"doc_id": doc_id, "kind": "wrong_speaker", "quote": gold_quote["start"],
                             "gold": gold_quote["speaker"], "predicted": predicted.get("speaker"), "method": method})
    for row in err_rows:
        err(row)


def _distinct(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(normalise(name), name)
    return list(seen.values())


def evaluate(nlp: Language, gold_dir: str | Path) -> Report:
    """Run ``nlp`` over every gold text and score it."""
    documents = load_gold(gold_dir)
    report = Report(documents=len(documents))
    texts = (record["text"] for record in documents)
    for record, doc in zip(documents, nlp.pipe(texts)):
        evaluate_document(record, doc, report)
    return report


def error_counts(report: Report) -> Counter:
    return Counter(row["kind"] for row in report.errors)


# --------------------------------------------------------------------------- failures, readable

# What each field of `evaluate --field` groups: driver fields with the matching entity list.
FAILURE_FIELDS: dict[str, tuple[str, ...]] = {
    "drivers": ("missed_driver", "spurious_driver"),
    "hometown": ("wrong_hometown", "unstated_hometown"),
    "team": ("wrong_team", "unstated_team", "missed_team", "spurious_team"),
    "car": ("wrong_car", "unstated_car", "missed_car", "spurious_car"),
    "quotes": ("missed_quote", "spurious_quote"),
    "speakers": ("wrong_speaker",),
}
DEFAULT_FAILURES_PER_FIELD = 10
_NO_VALUE = "—"


def failure_line(row: dict) -> str:
    """One error row as `kind  doc_id  what  gold → predicted`."""
    kind = row["kind"]
    subject = row.get("driver") or (f"„{row['quote']}“" if row.get("quote") else "")
    gold = row.get("gold")
    predicted = row.get("predicted")
    if kind.startswith("missed_"):
        detail = f"gold {gold!r}" + (f" (speaker {row['speaker']})" if row.get("speaker") else "")
    elif kind.startswith("spurious_"):
        detail = f"predicted {predicted!r}"
    elif kind.startswith("unstated_"):
        detail = f"gold unstated → predicted {predicted!r}"
    else:
        detail = f"gold {_shown(gold)} → predicted {_shown(predicted)}"
        if row.get("method"):
            detail += f" [{row['method']}]"
    return "  ".join(part for part in (f"{kind:<17}", str(row["doc_id"]), subject, detail) if part)


def _shown(value: object) -> str:
    return repr(value) if value is not None else _NO_VALUE


def failure_lines(report: Report, fields: Iterable[str] | None = None,
                  limit: int | None = DEFAULT_FAILURES_PER_FIELD) -> list[str]:
    """The report's errors grouped by field, `limit` rows per field (None: all)."""
    chosen = list(fields) if fields else list(FAILURE_FIELDS)
    unknown = [name for name in chosen if name not in FAILURE_FIELDS]
    if unknown:
        raise ValueError(f"unknown field {', '.join(unknown)}; choose from {', '.join(FAILURE_FIELDS)}")
    lines = []
    for name in chosen:
        kinds = FAILURE_FIELDS[name]
        rows = sorted((row for row in report.errors if row["kind"] in kinds), key=lambda row: kinds.index(row["kind"]))
        counts = Counter(row["kind"] for row in rows)
        summary = ", ".join(f"{counts[kind]} {kind}" for kind in kinds if counts[kind]) or "no failures"
        lines.append(f"{name}: {summary}")
        shown = rows if limit is None else rows[:limit]
        lines += ["  " + failure_line(row) for row in shown]
        if len(shown) < len(rows):
            lines.append(f"  … {len(rows) - len(shown)} more (--all shows every one, --field {name} only these)")
    return lines
