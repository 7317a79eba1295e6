"""ColumnSentencizer: spaCy's Sentencizer boundaries, decided from token columns."""

import pytest
import spacy
from spacy.pipeline.sentencizer import Sentencizer

from pipeline.base import SENTENCE_END_CHARS, offline_base
from pipeline.components.doc_view import doc_view
from pipeline.components.sentencizer import ColumnSentencizer

TEXTS = [
    "",
    ".",
    "...!?",
    "Mika Vogt gewann. Dann kam der Regen!",
    "Er sagte: „Das war knapp.“ Danach fuhr Lena Sommer (Team Adler) auf Rang 3.",
    "„Super!“, rief sie. (Das Auto lief gut.) Weiter ging es am 3. Mai im Porsche 911 GT3.",
    "Rennbericht\n\nDer Lauf in Spa\nBeide Fahrer punkteten... und wie! Ende",
    "Platz 1: A. Huber / B. Kranz (D/A), Audi R8 LMS, 87 Runden.\n2. C. Ott, 86 Runden",
    "?! Am Anfang Satzzeichen. „Zitat.“ ) Klammer zu. - Strich.",
    "Ohne Satzende am Schluss",
    "\n\n\nLeere Zeilen vorne.\n \nund Leerzeichen",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("de")


def _starts(nlp, sentencizer, text):
    doc = sentencizer(nlp.make_doc(text))
    return [token.is_sent_start for token in doc]


@pytest.mark.parametrize("punct_chars", [None, SENTENCE_END_CHARS])
@pytest.mark.parametrize("text", TEXTS)
def test_same_boundaries_as_spacy_sentencizer(nlp, text, punct_chars):
    spacy_rule = Sentencizer(punct_chars=punct_chars)
    column_rule = ColumnSentencizer(punct_chars=punct_chars)
    assert _starts(nlp, column_rule, text) == _starts(nlp, spacy_rule, text)


def test_boundaries_are_the_rule(nlp):
    doc = ColumnSentencizer()(nlp.make_doc("Er gewann. „Toll!“ Sie war Zweite"))
    # punctuation after an end (the opening „) stays with the sentence before, as in spaCy
    assert [sent.text for sent in doc.sents] == ["Er gewann. „", "Toll!“", "Sie war Zweite"]


def test_keeps_existing_boundaries_unless_overwrite(nlp):
    doc = nlp.make_doc("Er gewann heute das Rennen")
    doc[2].is_sent_start = True
    assert ColumnSentencizer()(doc)[2].is_sent_start is True
    assert ColumnSentencizer(overwrite=True)(doc)[2].is_sent_start is False


def test_the_shared_token_table_sees_the_new_boundaries(nlp):
    doc = nlp.make_doc("Erst das. Dann das.")
    assert doc_view(doc).sent_starts == [True] + [False] * 5  # read before the sentencizer ran
    ColumnSentencizer()(doc)
    assert doc_view(doc).sent_starts == [True, False, False, True, False, False]


def test_punct_chars_from_disk_are_used(nlp, tmp_path):
    ColumnSentencizer(punct_chars=[";"]).to_disk(tmp_path / "sentencizer")
    loaded = ColumnSentencizer().from_disk(tmp_path / "sentencizer")
    doc = loaded(nlp.make_doc("Erst das; dann das. Ende"))
    assert [sent.text for sent in doc.sents] == ["Erst das;", "dann das. Ende"]


def test_no_punct_chars_after_from_bytes_gives_one_sentence(nlp):
    empty = ColumnSentencizer().from_bytes(ColumnSentencizer(punct_chars=[" "]).to_bytes())
    empty.punct_chars = set()  # what from_bytes keeps of a saved empty list
    doc = empty(nlp.make_doc("Erst das. Dann das."))
    assert len(list(doc.sents)) == 1


def test_offline_base_uses_it_and_a_saved_pipeline_loads_it(tmp_path):
    nlp = offline_base(lemmatizer=False)
    assert isinstance(nlp.get_pipe("sentencizer"), ColumnSentencizer)
    nlp.to_disk(tmp_path / "base")
    loaded = spacy.load(tmp_path / "base")
    assert isinstance(loaded.get_pipe("sentencizer"), ColumnSentencizer)
    assert [sent.text for sent in loaded("Erst das.\nDann das").sents] == ["Erst das.\n", "Dann das"]
