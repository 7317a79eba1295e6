"""Derive ``models/rules/de/lowercase_words.txt`` from spaCy's German word probabilities.

    python models/rules/tools/build_lowercase_words.py

Source: ``de_lexeme_prob`` of the ``spacy-lookups-data`` package (MIT licence),
already a dependency of the pipeline; the derived list is small enough to ship
and load fast, while the source table takes seconds to load. Kept: words that
German text writes mostly in lower case (adjectives, adverbs, verbs, function
words such as ``starker``, ``zumindest``, ``ans``), at least ``MIN_LOG_PROB``
frequent and ``MARGIN`` more likely lower-cased than capitalised, and not listed
as given names. Capitalised, such a word opens a sentence or headline
(``Starker Auftakt für …``); it does not start a person's name.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import spacy_lookups_data
from spacy.lang.de.stop_words import STOP_WORDS

MIN_LOG_PROB = -15.0
MARGIN = 1.0
# Shorter words are often foreign tokens of the web corpus ("oda", "aan") that
# are given names elsewhere; German function words come from spaCy's stop words.
MIN_LENGTH = 4
RULES = Path(__file__).resolve().parents[1] / "de"
HEADER = ("# lowercase_words: words German writes in lower case (from spacy-lookups-data de_lexeme_prob, "
          "by models/rules/tools/build_lowercase_words.py); capitalised they open a sentence, not a name")


def main() -> None:
    source = Path(os.path.dirname(spacy_lookups_data.__file__)) / "data" / "de_lexeme_prob.json.gz"
    prob = json.loads(gzip.decompress(source.read_bytes()))
    given = {line.strip() for line in (RULES / "given_names.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")}
    words = sorted(
        word for word, log_prob in prob.items()
        if word.isalpha() and word.islower() and (len(word) >= MIN_LENGTH or word in STOP_WORDS) and log_prob >= MIN_LOG_PROB
        and log_prob > prob.get(word.capitalize(), float("-inf")) + MARGIN and word.capitalize() not in given
    )
    (RULES / "lowercase_words.txt").write_text(HEADER + "\n" + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words")


if __name__ == "__main__":
    main()
