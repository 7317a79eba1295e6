"""Batch runs as a plain function: processing failures, long documents, the
journal, resume, streamed tables and the output folder rules."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pandas as pd
import pytest
from spacy.language import Language

from pipeline.api import load_pipeline
from pipeline.batch import OutputExists, UsageError, check_out_dir, run_batch
from pipeline.engine import (
    TextPart,
    WorkItem,
    iter_zones,
    merge_part_rows,
    process_items,
    run_local,
    split_text,
)
from pipeline.components.quotes import paragraph_spans
from pipeline.io.writers import write_csv
from pipeline.journal import (
    JournalWriter,
    ResumeMismatch,
    export_tables,
    iter_entries,
    scan_journal,
)
from pipeline.tables import SCHEMAS, drivers_summary, to_frame

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TABLES = ("documents", "entities", "drivers", "people", "quotes", "errors", "drivers_summary")

PARAGRAPHS = [
    "Hockenheim, 14. April 2024 – Lena Hofbauer (Rosenheim) hat den ersten Lauf der ADAC Formel 4 gewonnen. "
    "Die 17-Jährige setzte sich im Tatuus F4-T421 von Falkenstein Motorsport vor Jonas Brenninger durch.",
    "„Das war ein perfektes Wochenende für uns“, sagte Teamchef Markus Oberhalt nach der Zieldurchfahrt.",
    "Brenninger übernahm in der zwölften Runde die Führung, als Piet van Dalen an die Box musste. "
    "„Ich habe alles gegeben“, erklärte Brenninger.",
    "Wittstock kämpfte sich von Startplatz drei nach vorn. Der nächste Lauf findet am 4. August auf dem "
    "Sachsenring statt.",
]
PRESS_RELEASE = "\n\n".join(PARAGRAPHS)


@pytest.fixture()
def nlp(offline_nlp) -> Language:
    return offline_nlp  # conftest's session-wide full pipeline


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def read_tables(out_dir: Path) -> dict[str, bytes]:
    return {name: (out_dir / f"{name}.csv").read_bytes() for name in TABLES}


def items_for(texts: list[str]) -> list[WorkItem]:
    return [WorkItem(seq, f"k{seq}", f"doc-{seq}", "test", text=text) for seq, text in enumerate(texts)]


# --------------------------------------------------------------------------- long documents


def test_split_text_keeps_a_short_text_whole() -> None:
    assert split_text(PRESS_RELEASE, 10_000) == [(0, len(PRESS_RELEASE), 0)]


def test_split_text_cuts_after_blank_lines_below_the_limit() -> None:
    text = "\n\n".join(PARAGRAPHS * 20)
    limit = 1200
    parts = split_text(text, limit)
    assert len(parts) > 1
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    for (start, end, _), (next_start, _, _) in zip(parts, parts[1:]):
        assert end == next_start  # contiguous: nothing lost, nothing twice
        assert text[end - 2:end] == "\n\n"  # cut after a blank line
    assert all(end - start <= limit for start, end, _ in parts)


def test_split_text_paragraph_shift_matches_the_full_text_numbering() -> None:
    text = "\n\n  \n".join(PARAGRAPHS * 10)  # blank lines with spaces count as blank
    paragraphs = paragraph_spans(text)
    for start, end, shift in split_text(text, 900):
        first_paragraph = next(index for index, (p_start, p_end) in enumerate(paragraphs) if p_end > start)
        assert shift == first_paragraph


def test_split_text_falls_back_to_lines_spaces_and_hard_cuts() -> None:
    one_paragraph = "\n".join(["Zeile mit Text"] * 100)
    assert all(one_paragraph[end - 1] == "\n" for _, end, _ in split_text(one_paragraph, 100)[:-1])
    one_line = " ".join(["Wort"] * 100)
    assert all(one_line[end - 1] == " " for _, end, _ in split_text(one_line, 50)[:-1])
    no_spaces = "x" * 1000
    parts = split_text(no_spaces, 300)
    assert [end - start for start, end, _ in parts] == [300, 300, 300, 100]


def test_merge_part_rows_shifts_offsets_and_merges_drivers() -> None:
    first = TextPart(0, 1, 2, 0, 0, "a" * 100)
    second = TextPart(0, 2, 2, 100, 3, "b" * 50)
    rows_1 = {
        "documents": [{"doc_id": "d", "source": "s", "n_chars": 100, "n_tokens": 10, "n_drivers": 1,
                       "n_people": 1, "n_quotes": 1, "base_model": "m", "text": "a" * 100}],
        "entities": [{"doc_id": "d", "text": "Hofbauer", "label": "DRIVER", "start_char": 5, "end_char": 13,
                      "canonical": "Lena Hofbauer"}],
        "drivers": [{"doc_id": "d", "driver": "Lena Hofbauer", "hometown": None, "team": "Falkenstein",
                     "car": "", "n_quotes": 1}],
        "people": [{"doc_id": "d", "name": "Lena Hofbauer", "kind": "driver", "role": None}],
        "quotes": [{"doc_id": "d", "quote_id": 1, "start_char": 20, "end_char": 30, "paragraph": 1}],
    }
    rows_2 = {
        "documents": [{**rows_1["documents"][0], "n_chars": 50, "n_tokens": 5, "text": "b" * 50}],
        "entities": [{**rows_1["entities"][0], "start_char": 1, "end_char": 9}],
        "drivers": [{"doc_id": "d", "driver": "Lena Hofbauer", "hometown": "Rosenheim", "team": "Andere",
                     "car": "Tatuus", "n_quotes": 2}],
        "people": [{"doc_id": "d", "name": "Markus Oberhalt", "kind": "person", "role": "Teamchef"}],
        "quotes": [{"doc_id": "d", "quote_id": 1, "start_char": 2, "end_char": 8, "paragraph": 0}],
    }
    merged = merge_part_rows([(first, rows_1), (second, rows_2)], "a" * 100 + "b" * 50)
    assert [(row["start_char"], row["end_char"]) for row in merged["entities"]] == [(5, 13), (101, 109)]
    assert [(row["quote_id"], row["start_char"], row["paragraph"]) for row in merged["quotes"]] == [
        (1, 20, 1), (2, 102, 3)]
    assert merged["drivers"] == [{"doc_id": "d", "driver": "Lena Hofbauer", "hometown": "Rosenheim",
                                  "team": "Falkenstein", "car": "Tatuus", "n_quotes": 3}]
    assert [row["name"] for row in merged["people"]] == ["Lena Hofbauer", "Markus Oberhalt"]
    document = merged["documents"][0]
    assert (document["n_chars"], document["n_tokens"], document["n_drivers"], document["n_people"],
            document["n_quotes"], document["text"]) == (150, 15, 1, 1, 2, "a" * 100 + "b" * 50)


def test_document_longer_than_max_length_is_split_with_offsets_on_the_full_text(nlp: Language, tmp_path) -> None:
    text = "\n\n".join(PARAGRAPHS * 12)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "lang.txt").write_text(text, encoding="utf-8")
    old_max_length = nlp.max_length
    nlp.max_length = 2000  # the same code path as a multi-MB text against the default limit
    try:
        run_batch([tmp_path / "in"], tmp_path / "out", nlp=nlp, progress=False)
    finally:
        nlp.max_length = old_max_length
    from pipeline.io.writers import read_csv

    documents = read_csv(tmp_path / "out" / "documents.csv")
    assert documents["text"].tolist() == [text]
    assert documents["n_chars"].tolist() == [len(text)]
    entities = read_csv(tmp_path / "out" / "entities.csv")
    assert len(entities) >= 12 * 4
    assert entities["start_char"].max() > 2 * 2000  # entities from the later parts, too
    for row in entities.itertuples():
        assert text[row.start_char:row.end_char] == row.text
    quotes = read_csv(tmp_path / "out" / "quotes.csv")
    assert quotes["quote_id"].tolist() == list(range(1, len(quotes) + 1))
    for row in quotes.itertuples():
        assert row.quote in text[row.start_char - 1:row.end_char + 1]
        assert row.paragraph == next(i for i, (s, e) in enumerate(paragraph_spans(text)) if s <= row.start_char < e)
    drivers = read_csv(tmp_path / "out" / "drivers.csv")
    assert drivers["driver"].is_unique
    assert "Lena Hofbauer" in set(drivers["driver"])


@pytest.mark.slow
def test_multi_megabyte_document_is_processed_in_parts(nlp: Language, tmp_path) -> None:
    text = "\n\n".join(PARAGRAPHS * 5000)  # about 2.7 MB, nlp.max_length is 1,000,000: 3 parts
    assert len(text) > 2 * nlp.max_length
    entries = list(process_items(nlp, items_for([text])))
    rows = entries[0]["rows"]
    assert rows["documents"][0]["n_chars"] == len(text)
    assert len(rows["entities"]) > 5000 * 4
    assert all(text[row["start_char"]:row["end_char"]] == row["text"] for row in rows["entities"])


# --------------------------------------------------------------------------- processing failures

CALLS: dict[str, int] = {}


@Language.component("test_batch_explode")
def explode(doc):
    """Fails on every document that contains the word EXPLODE."""
    if "EXPLODE" in doc.text:
        raise RuntimeError("Testfehler: Komponente explodiert")
    return doc


@Language.component("test_batch_flaky")
def flaky(doc):
    """Fails the first time it sees a FLAKY document, then works."""
    if "FLAKY" in doc.text:
        CALLS[doc.text] = CALLS.get(doc.text, 0) + 1
        if CALLS[doc.text] == 1:
            raise RuntimeError("nur beim ersten Mal")
    return doc


class StreamBreaker:
    """A component with its own pipe() and no error handling: a failure ends nlp.pipe."""

    def __call__(self, doc):
        if "BREAK" in doc.text:
            raise ValueError("Strom unterbrochen")
        return doc

    def pipe(self, docs, batch_size=None):
        for doc in docs:
            yield self(doc)


@Language.factory("test_batch_stream_breaker")
def make_stream_breaker(nlp, name):
    return StreamBreaker()


@pytest.fixture(scope="module")
def faulty_nlp() -> Language:
    """The full pipeline plus the three faulty components above (each reacts to its own marker)."""
    nlp = load_pipeline()
    for component in ("test_batch_explode", "test_batch_flaky", "test_batch_stream_breaker"):
        nlp.add_pipe(component, after="motorsport_rulers")
    return nlp


def texts_with_markers(marker: str, positions: set[int], count: int = 12) -> list[str]:
    return [PARAGRAPHS[i % 4] + (f" {marker}" if i in positions else f" Dokument {i}.") for i in range(count)]


@pytest.mark.parametrize("n_process", [1, 2])
def test_a_failing_document_becomes_an_error_row_and_the_rest_goes_through(faulty_nlp, n_process: int) -> None:
    nlp = faulty_nlp
    texts = texts_with_markers("EXPLODE", {3, 7})
    entries = list(run_local(nlp, items_for(texts), batch_size=4, n_process=n_process))
    assert [entry["seq"] for entry in entries] == list(range(12))
    failed = [entry for entry in entries if "errors" in entry["rows"]]
    assert [entry["doc_id"] for entry in failed] == ["doc-3", "doc-7"]
    error = failed[0]["rows"]["errors"][0]
    assert (error["stage"], error["error_kind"]) == ("process", "RuntimeError")
    assert "explodiert" in error["message"]
    assert all("documents" in entry["rows"] for entry in entries if entry not in failed)
    assert nlp.default_error_handler.__name__ == "raise_error"  # the caller's handler is restored


def test_a_document_that_fails_only_once_is_retried_alone_and_kept(faulty_nlp) -> None:
    nlp = faulty_nlp
    texts = texts_with_markers("FLAKY", {2})
    entries = list(process_items(nlp, items_for(texts), batch_size=4))
    assert all("documents" in entry["rows"] for entry in entries)
    assert CALLS[texts[2]] == 2


def test_a_component_that_breaks_the_stream_loses_only_its_document(faulty_nlp) -> None:
    nlp = faulty_nlp
    texts = texts_with_markers("BREAK", {5})
    entries = list(process_items(nlp, items_for(texts), batch_size=4))
    assert [entry["seq"] for entry in entries] == list(range(12))
    assert [entry["doc_id"] for entry in entries if "errors" in entry["rows"]] == ["doc-5"]
    assert entries[5]["rows"]["errors"][0]["error_kind"] == "ValueError"


def test_processing_failures_are_in_errors_csv_of_a_run(faulty_nlp, tmp_path) -> None:
    nlp = faulty_nlp
    records = [{"id": f"pm-{i}", "text": text} for i, text in enumerate(texts_with_markers("EXPLODE", {4}))]
    write_jsonl(tmp_path / "in" / "archiv.jsonl", records)
    summary = run_batch([tmp_path / "in"], tmp_path / "out", nlp=nlp, progress=False)
    assert (summary.documents, summary.errors) == (11, 1)
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", sep=";", encoding="utf-8-sig")
    assert errors[["doc_id", "stage", "error_kind"]].values.tolist() == [["archiv/pm-4", "process", "RuntimeError"]]


# --------------------------------------------------------------------------- memory


def unique_words(seed: int) -> str:
    rng = random.Random(seed)
    return " ".join("".join(rng.choice("bcdfghklmnprstvwz") for _ in range(9)).title() for _ in range(300))


def test_each_zone_frees_the_strings_it_added(nlp: Language) -> None:
    list(process_items(nlp, items_for([unique_words(0)]), memory_zone=True))  # warm-up: lazily loaded tables
    before = len(nlp.vocab.strings)
    entries = list(process_items(nlp, items_for([unique_words(seed) for seed in range(1, 20)]), memory_zone=True))
    assert len(entries) == 19
    assert len(nlp.vocab.strings) == before


def test_the_first_documents_warm_the_vocabulary_then_zones_free_the_rest(monkeypatch) -> None:
    from pipeline import engine

    monkeypatch.setattr(engine, "DEFAULT_WARM_DOCS", 3)
    nlp = load_pipeline(components=())  # a pipeline of its own: no documents seen yet
    sizes = [len(nlp.vocab.strings)]
    for seed in range(0, 12, 2):  # two documents per call
        list(process_items(nlp, items_for([unique_words(seed), unique_words(seed + 1)])))
        sizes.append(len(nlp.vocab.strings))
    # The strings of the first 4 documents (two calls, up to the 3 warm-up documents) stay for
    # good; every later call runs in a memory zone and leaves the strings as they were.
    assert sizes[0] < sizes[1] < sizes[2] == sizes[3] == sizes[4] == sizes[5] == sizes[6]


def test_zones_are_bounded_by_documents_and_characters() -> None:
    items = items_for(["x" * 10] * 25)
    assert [len(zone) for zone in iter_zones(items, max_docs=10)] == [10, 10, 5]
    assert [len(zone) for zone in iter_zones(items, max_docs=100, max_chars=50)] == [5] * 5


def test_auto_n_process_uses_worker_processes_only_for_large_runs(nlp: Language, monkeypatch) -> None:
    from pipeline import engine

    pools = []
    monkeypatch.setattr(engine, "run_process_pool", lambda nlp, items, **options: pools.append(options) or iter(()))
    monkeypatch.setattr(engine, "usable_cores", lambda: 2)
    monkeypatch.setattr(engine.os, "getloadavg", lambda: (1.0, 1.0, 1.0))  # only this run busy
    release = "Kurzer Text. " * 400  # 5,200 characters
    small = items_for([release] * (engine.DEFAULT_PARALLEL_MIN_DOCS - 1))
    assert len(list(run_local(nlp, small))) == len(small) and pools == []
    short_texts = items_for(["Kurzer Text."] * (engine.DEFAULT_PARALLEL_MIN_DOCS * 3))  # many, but little text
    assert len(list(run_local(nlp, short_texts))) == len(short_texts) and pools == []
    list(run_local(nlp, items_for([release] * engine.DEFAULT_PARALLEL_MIN_DOCS)))
    assert pools == [{"processes": 2, "batch_size": 64}]


@pytest.mark.parametrize("load, cores, expected", [
    ((1.0, 0, 0), 2, 2),    # idle but for this run
    ((1.2, 0, 0), 2, 2),    # a little other work: still 3/4 of the second core free
    ((2.0, 0, 0), 2, 1),    # one other busy process: one core left
    ((5.0, 0, 0), 2, 1),    # a loaded machine (2 processes ran 1.2x slower than 1)
    ((3.0, 0, 0), 8, 6),
    ((0.2, 0, 0), 1, 1),
])
def test_auto_n_process_counts_only_free_cores(monkeypatch, load, cores, expected) -> None:
    from pipeline import engine

    monkeypatch.setattr(engine, "usable_cores", lambda: cores)
    monkeypatch.setattr(engine.os, "getloadavg", lambda: load)
    assert engine.auto_processes(engine.DEFAULT_PARALLEL_MIN_DOCS, engine.DEFAULT_PARALLEL_MIN_CHARS) == expected
    assert engine.auto_processes(engine.DEFAULT_PARALLEL_MIN_DOCS - 1, 10 ** 9) == 1


def test_worker_processes_give_the_same_entries_in_input_order(nlp: Language) -> None:
    texts = [PARAGRAPHS[i % 4] + f" Lauf {i}." for i in range(250)]
    one = list(run_local(nlp, items_for(texts), n_process=1))
    two = list(run_local(nlp, items_for(texts), n_process=2))
    assert [entry["seq"] for entry in two] == list(range(250))
    assert two == one


@Language.component("test_batch_kill_worker")
def kill_worker(doc):
    """Kills the worker process on a KILLWORKER document (never the test process)."""
    if "KILLWORKER" in doc.text and os.getpid() != TEST_PID:
        os._exit(1)
    return doc


TEST_PID = os.getpid()


def test_a_document_that_kills_its_worker_becomes_an_error_row(nlp: Language) -> None:
    killer = load_pipeline()
    killer.add_pipe("test_batch_kill_worker")
    texts = texts_with_markers("KILLWORKER", {150}, count=300)
    entries = list(run_local(killer, items_for(texts), n_process=2))
    assert [entry["seq"] for entry in entries] == list(range(300))
    failed = [entry for entry in entries if "errors" in entry["rows"]]
    assert [(entry["doc_id"], entry["rows"]["errors"][0]["error_kind"]) for entry in failed] == [
        ("doc-150", "WorkerDied")]


# --------------------------------------------------------------------------- journal and tables


def test_journal_drops_a_torn_last_line_and_appends_after_the_good_ones(tmp_path) -> None:
    path = tmp_path / "journal.jsonl"
    with JournalWriter(path, header={"fingerprint": "f"}) as journal:
        for seq in range(3):
            journal.append({"seq": seq, "key": f"{seq:032x}", "doc_id": str(seq), "words": 1, "rows": {}})
    with open(path, "ab") as handle:
        handle.write(b'{"seq": 3, "key": "000')  # kill -9 in the middle of a write
    state = scan_journal(path)
    assert state.entries == 3 and state.key_at(2) == f"{2:032x}"
    with JournalWriter(path, header={"fingerprint": "f"}, state=state) as journal:
        journal.append({"seq": 3, "key": f"{3:032x}", "doc_id": "3", "words": 1, "rows": {}})
    assert [entry["seq"] for entry in iter_entries(path)] == [0, 1, 2, 3]


def random_rows(count: int) -> dict[str, list[dict]]:
    rng = random.Random(7)
    drivers = ["Lena Hofbauer", "Jonas Brenninger", "Mara Quast", "=Formel", "Piet van Dalen"]
    rows: dict[str, list[dict]] = {name: [] for name in ("documents", "drivers", "quotes")}
    for number in range(count):
        doc_id = f"doc-{number}"
        rows["documents"].append({"doc_id": doc_id, "source": "s;x", "n_chars": rng.randint(0, 9),
                                  "n_tokens": None, "n_drivers": 1, "n_people": 0, "n_quotes": 1,
                                  "base_model": "m", "text": rng.choice(["„Zitat“\nzweite Zeile", "+49 Punkte", ""])})
        for driver in rng.sample(drivers, 2):
            rows["drivers"].append({"doc_id": doc_id, "driver": driver, "hometown": rng.choice([None, "Görlitz", ""]),
                                    "team": rng.choice([None, "Börde Racing"]), "car": None, "nationality": None,
                                    "age": rng.choice([None, 17]), "titles": rng.choice([None, ["Meister"]]),
                                    "n_quotes": rng.choice([0, 2])})
        rows["quotes"].append({"doc_id": doc_id, "quote_id": 1, "quote": "-minus", "confidence": rng.random(),
                               "start_char": 3, "end_char": None, "paragraph": 0})
    return rows


@pytest.mark.parametrize("dialect", ["excel-de", "rfc4180"])
def test_streamed_tables_equal_the_dataframe_writers(tmp_path, dialect: str) -> None:
    rows = random_rows(40)
    journal = tmp_path / "journal.jsonl"
    with JournalWriter(journal, header={}) as writer:
        for seq in range(40):
            per_doc = {name: [row for row in rows[name] if row["doc_id"] == f"doc-{seq}"] for name in rows}
            writer.append({"seq": seq, "key": f"{seq:032x}", "doc_id": f"doc-{seq}", "words": 3, "rows": per_doc})
    streamed, reference = tmp_path / "streamed", tmp_path / "reference"
    streamed.mkdir(), reference.mkdir()
    counts = export_tables(journal, streamed, formats=("csv", "parquet"), csv_dialect=dialect, write_rows=7)
    assert (counts.documents, counts.words, counts.rows["drivers"]) == (40, 120, 80)
    for name in ("documents", "drivers", "quotes", "entities", "errors"):
        frame = to_frame(name, json.loads(json.dumps(rows.get(name, []))))
        write_csv(frame, reference / f"{name}.csv", dialect=dialect)
        assert (streamed / f"{name}.csv").read_bytes() == (reference / f"{name}.csv").read_bytes(), name
        pd.testing.assert_frame_equal(pd.read_parquet(streamed / f"{name}.parquet"), frame)
    expected_summary = drivers_summary(to_frame("drivers", json.loads(json.dumps(rows["drivers"]))))
    write_csv(expected_summary, reference / "drivers_summary.csv", dialect=dialect)
    assert (streamed / "drivers_summary.csv").read_bytes() == (reference / "drivers_summary.csv").read_bytes()


def test_parquet_and_xlsx_outputs_hold_the_csv_rows(nlp: Language, tmp_path) -> None:
    run_batch([SAMPLES], tmp_path / "out", nlp=nlp, formats=("csv", "parquet", "xlsx"), progress=False)
    from pipeline.io.writers import read_csv

    workbook = pd.read_excel(tmp_path / "out" / "tables.xlsx", sheet_name=None)
    assert list(workbook) == list(TABLES)
    for name in TABLES:
        from_csv = read_csv(tmp_path / "out" / f"{name}.csv")
        from_parquet = pd.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert len(from_csv) == len(from_parquet) == len(workbook[name]), name
        assert list(from_parquet.columns) == list(SCHEMAS[name])


# --------------------------------------------------------------------------- runs, resume, output folder


def test_run_writes_tables_in_input_order_and_run_json_last(nlp: Language, tmp_path) -> None:
    write_jsonl(tmp_path / "in" / "b.jsonl", [{"id": "z", "text": PARAGRAPHS[0]}, {"id": "a", "text": PARAGRAPHS[2]}])
    (tmp_path / "in" / "a.txt").write_text("", encoding="utf-8")
    summary = run_batch([tmp_path / "in"], tmp_path / "out", nlp=nlp, progress=False)
    out = tmp_path / "out"
    documents = pd.read_csv(out / "documents.csv", sep=";", encoding="utf-8-sig")
    assert documents["doc_id"].tolist() == ["b/z", "b/a"]  # input order, not sorted by id
    errors = pd.read_csv(out / "errors.csv", sep=";", encoding="utf-8-sig")
    assert errors[["doc_id", "error_kind"]].values.tolist() == [["a", "empty"]]
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "complete" and info["engine"] == "local"
    assert info["counts"]["documents"] == summary.documents == 2
    assert info["base_model"]["name"] and info["versions"]["spacy"]
    assert not (out / ".work").exists()
    assert max(path.stat().st_mtime_ns for path in out.iterdir()) == (out / "run.json").stat().st_mtime_ns


def test_resume_after_an_interruption_gives_the_clean_tables(nlp: Language, tmp_path, monkeypatch) -> None:
    records = [{"id": f"pm-{i}", "text": PARAGRAPHS[i % 4] + f" Lauf {i}."} for i in range(30)]
    records[11] = {"id": "ohne-text"}
    write_jsonl(tmp_path / "in" / "archiv.jsonl", records)
    run_batch([tmp_path / "in"], tmp_path / "clean", nlp=nlp, progress=False)

    class Interrupted(Exception):
        pass

    from pipeline import engine

    original = engine.process_items
    seen = {"entries": 0}

    def interrupted_process_items(*args, **kwargs):
        for entry in original(*args, **kwargs):
            seen["entries"] += 1
            if seen["entries"] > 17:
                raise Interrupted
            yield entry

    monkeypatch.setattr(engine, "process_items", interrupted_process_items)
    with pytest.raises(Interrupted):
        run_batch([tmp_path / "in"], tmp_path / "out", nlp=nlp, batch_size=5, progress=False)
    monkeypatch.undo()
    assert not (tmp_path / "out" / "run.json").exists()
    assert not (tmp_path / "out" / "documents.csv").exists()
    assert scan_journal(tmp_path / "out" / ".work" / "journal.jsonl").entries == 17  # committed on close
    summary = run_batch([tmp_path / "in"], tmp_path / "out", nlp=nlp, resume=True, progress=False)
    assert (summary.reused, summary.processed, summary.documents, summary.errors) == (17, 13, 29, 1)
    assert read_tables(tmp_path / "out") == read_tables(tmp_path / "clean")


def test_resume_refuses_changed_inputs_or_pipeline(nlp: Language, tmp_path) -> None:
    write_jsonl(tmp_path / "in" / "a.jsonl", [{"id": str(i), "text": PARAGRAPHS[i % 4]} for i in range(6)])
    out = tmp_path / "out"
    journal = out / ".work" / "journal.jsonl"
    run_batch([tmp_path / "in"], out, nlp=nlp, progress=False)
    # Leave a journal behind as an interrupted run would.
    from pipeline.engine import iter_work_items, nlp_fingerprint

    fingerprint = nlp_fingerprint(nlp)
    settings = {"fingerprint": fingerprint, "inputs": [str(tmp_path / "in")], "id_field": "id", "text_field": "text"}
    with JournalWriter(journal, header=settings) as writer:
        for item in list(iter_work_items([tmp_path / "in"], fingerprint))[:3]:
            writer.append({"seq": item.seq, "key": item.key, "doc_id": item.doc_id, "words": 0, "rows": {}})
    write_jsonl(tmp_path / "in" / "a.jsonl", [{"id": str(i), "text": PARAGRAPHS[(i + 1) % 4]} for i in range(6)])
    with pytest.raises(ResumeMismatch, match="inputs changed"):
        run_batch([tmp_path / "in"], out, nlp=nlp, resume=True, progress=False)
    with pytest.raises(ResumeMismatch, match="text_field"):
        run_batch([tmp_path / "in"], out, nlp=nlp, resume=True, text_field="body", progress=False)
    base_only = load_pipeline(components=())
    with pytest.raises(ResumeMismatch, match="fingerprint"):
        run_batch([tmp_path / "in"], out, nlp=base_only, resume=True, progress=False)


def test_resume_of_a_complete_run_does_nothing(nlp: Language, tmp_path) -> None:
    run_batch([SAMPLES], tmp_path / "out", nlp=nlp, progress=False)
    before = read_tables(tmp_path / "out")
    summary = run_batch([SAMPLES], tmp_path / "out", nlp=nlp, resume=True, progress=False)
    assert summary.status == "already-complete" and summary.documents == 9
    assert read_tables(tmp_path / "out") == before


def test_output_folder_rules(tmp_path) -> None:
    out = tmp_path / "out"
    assert check_out_dir(out) == "fresh"
    out.mkdir()
    assert check_out_dir(out) == "fresh"
    (out / "notizen.txt").write_text("vom Nutzer", encoding="utf-8")
    with pytest.raises(OutputExists, match="--force"):
        check_out_dir(out)
    with pytest.raises(OutputExists, match="nothing to resume"):
        check_out_dir(out, resume=True)
    with pytest.raises(UsageError):
        check_out_dir(out, force=True, resume=True)
    (tmp_path / "datei").write_text("x", encoding="utf-8")
    with pytest.raises(OutputExists, match="not a folder"):
        check_out_dir(tmp_path / "datei", force=True)


def test_output_folder_inside_an_input_folder_is_refused(tmp_path) -> None:
    (tmp_path / "in").mkdir()
    with pytest.raises(UsageError, match="inside the input folder"):
        run_batch([tmp_path / "in"], tmp_path / "in" / "out", progress=False)
    assert not (tmp_path / "in" / "out").exists()


def test_force_clears_previous_outputs_but_not_other_files(nlp: Language, tmp_path) -> None:
    out = tmp_path / "out"
    run_batch([SAMPLES], out, nlp=nlp, formats=("csv", "parquet"), progress=False)
    (out / "notizen.txt").write_text("vom Nutzer", encoding="utf-8")
    (out / ".entities.csv.tmp-1a2b3c4d").write_text("Rest eines Abbruchs", encoding="utf-8")
    write_jsonl(tmp_path / "in" / "one.jsonl", [{"id": "x", "text": PARAGRAPHS[0]}])
    run_batch([tmp_path / "in"], out, nlp=nlp, force=True, progress=False)
    assert sorted(path.name for path in out.iterdir()) == sorted(
        ["notizen.txt", "run.json", *(f"{name}.csv" for name in TABLES)])
    assert pd.read_csv(out / "documents.csv", sep=";", encoding="utf-8-sig")["doc_id"].tolist() == ["one/x"]


def test_a_failed_final_write_leaves_no_run_json_and_a_resumable_journal(nlp: Language, tmp_path,
                                                                          monkeypatch) -> None:
    out = tmp_path / "out"
    run_batch([SAMPLES], out, nlp=nlp, progress=False)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pipeline.journal.export_tables", disk_full)
    with pytest.raises(OSError):
        run_batch([SAMPLES], out, nlp=nlp, force=True, progress=False)
    assert not (out / "run.json").exists()  # the previous run's is gone, none written
    assert (out / ".work" / "journal.jsonl").exists()
    monkeypatch.undo()
    summary = run_batch([SAMPLES], out, nlp=nlp, resume=True, progress=False)
    assert (summary.reused, summary.processed, summary.documents) == (9, 0, 9)
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "complete"


def test_lone_surrogates_in_json_input_do_not_stop_the_run(nlp: Language, tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "kaputt.jsonl").write_text('{"id": "s", "text": "Lena Hofbauer \\ud800 gewinnt in Hockenheim."}\n',
                                         encoding="utf-8")
    summary = run_batch([folder], tmp_path / "out", nlp=nlp, formats=("csv", "parquet"), progress=False)
    assert (summary.documents, summary.errors) == (1, 0)
    text = pd.read_parquet(tmp_path / "out" / "documents.parquet")["text"][0]
    assert text == "Lena Hofbauer \ufffd gewinnt in Hockenheim."


def test_a_statistical_base_model_runs_and_keeps_its_error_handlers(standin_model, tmp_path) -> None:
    nlp = load_pipeline(str(standin_model))
    assert "ner" in nlp.pipe_names
    summary = run_batch([SAMPLES], tmp_path / "out", nlp=nlp, progress=False)
    assert (summary.documents, summary.errors) == (9, 0)
    info = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert info["base_model"]["kind"] == "statistical"
    assert nlp.default_error_handler.__name__ == "raise_error"


LEMMATIZER_CALLS: list[int] = []


@Language.component("test_batch_counting_lemmatizer")
def _counting_lemmatizer(doc):
    LEMMATIZER_CALLS.append(len(doc))
    return doc


def test_runs_skip_the_lemmatizer_that_no_table_needs() -> None:
    from pipeline.api import analyze

    nlp = load_pipeline()
    if "lemmatizer" not in nlp.pipe_names:
        pytest.skip("no lemmatizer in this base")
    nlp.replace_pipe("lemmatizer", "test_batch_counting_lemmatizer")
    LEMMATIZER_CALLS.clear()
    items = [WorkItem(n, str(n), f"d{n}", "test", text=PARAGRAPHS[n]) for n in range(2)]
    entries = list(process_items(nlp, items))
    assert len(entries) == 2 and not LEMMATIZER_CALLS
    analyze([PARAGRAPHS[0]], nlp=nlp)
    assert LEMMATIZER_CALLS  # analyze() keeps every component


def test_runs_do_not_load_the_lemmatizer(tmp_path: Path, monkeypatch) -> None:
    import json

    from spacy.pipeline import Lemmatizer

    from pipeline.batch import run_batch

    loads = []
    monkeypatch.setattr(Lemmatizer, "initialize", lambda self, *args, **kwargs: loads.append(self))
    release = tmp_path / "in" / "bericht.txt"
    release.parent.mkdir()
    release.write_text(PARAGRAPHS[0], encoding="utf-8")

    run_batch([release], tmp_path / "out", progress=False)

    assert loads == []  # the lookup table is never read
    info = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert "lemmatizer" not in info["pipeline"] and info["counts"]["documents"] == 1


def test_documents_read_with_a_note_are_counted_and_logged(tmp_path: Path, caplog) -> None:
    from pipeline.engine import ReadReport, iter_work_items

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gemischt.txt").write_bytes("„Schnell“, sagte Jonas Brenninger.\n".encode()
                                          + "„Zu spät“, ärgerte sich Lea Wittstock.".encode("cp1252"))
    (folder / "sauber.txt").write_text("Lea Wittstock gewinnt in Görlitz.", encoding="utf-8")
    (folder / "bericht.rtf").write_bytes(b"{\\rtf1}")
    report = ReadReport()

    with caplog.at_level("WARNING"):
        items = list(iter_work_items([folder], "fp", report=report))

    assert [item.text for item in items][0] == "„Schnell“, sagte Jonas Brenninger.\n„Zu spät“, ärgerte sich Lea Wittstock."
    assert report.notes == 1 and dict(report.skipped) == {".rtf": 1}
    assert [record.getMessage() for record in caplog.records] == [
        "gemischt: mixed encodings: 1 of 2 lines are not UTF-8 and were read as cp1252 (line 2)"]
