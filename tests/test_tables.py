"""Table schemas, row order, the cross-document drivers_summary, and docs/tables.md kept in step."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from helpers import REPO
from pipeline.api import AnalysisResult, analyze
from pipeline.tables import (
    DOCUMENT_TABLES,
    SCHEMAS,
    TABLE_NAMES,
    arrow_schema,
    build_frames,
    drivers_summary,
    entity_rows,
    to_frame,
)

DOCS = REPO / "docs" / "tables.md"

# One driver (Quastenberg) in two documents with two teams and two cars.
THREE_RELEASES = [
    "Marlene Quastenberg (Zwickau) gewann im Porsche 911 GT3 R des Teams Vogtland Racing das erste Rennen "
    "am Lausitzring. „Das Auto war perfekt“, sagte Quastenberg.",
    "Ludger Wimmelbach (Görlitz) wurde im Audi R8 LMS evo II von Oberlausitz Motorsport Zweiter. "
    "„Ich bin zufrieden“, sagte Wimmelbach.",
    "Marlene Quastenberg (Zwickau) startete diesmal im Mercedes-AMG GT3 für Elbtal Racing und siegte erneut. "
    "„Der Wechsel hat sich gelohnt“, sagte Quastenberg. „Wir bleiben dran“, fügte sie hinzu.",
]


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_empty_table_has_the_schema_columns_and_dtypes(name: str) -> None:
    frame = to_frame(name, [])

    assert list(frame.columns) == list(SCHEMAS[name])
    assert {column: str(dtype) for column, dtype in frame.dtypes.items()} == SCHEMAS[name]


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_arrow_schema_maps_every_column_to_its_arrow_type(name: str) -> None:
    expected = {"string": pa.string(), "Int64": pa.int64(), "float64": pa.float64()}

    schema = arrow_schema(name)

    assert schema.names == list(SCHEMAS[name])
    assert [schema.field(column).type for column in schema.names] == [expected[d] for d in SCHEMAS[name].values()]


def test_arrow_schema_converts_an_empty_and_a_full_frame_alike() -> None:
    empty = pa.Table.from_pandas(to_frame("quotes", []), schema=arrow_schema("quotes"), preserve_index=False)
    full = pa.Table.from_pandas(
        to_frame("quotes", [{"doc_id": "a", "quote_id": 1, "quote": "Gut", "confidence": 0.5, "start_char": 3}]),
        schema=arrow_schema("quotes"), preserve_index=False,
    )

    assert empty.schema.types == full.schema.types == arrow_schema("quotes").types


def test_build_frames_keeps_documents_in_input_order_and_entities_by_offset() -> None:
    ids = ["doc-10", "doc-2", "doc-1"]  # sorted as strings this would be doc-1, doc-10, doc-2
    rows = {
        "documents": [{"doc_id": doc_id, "text": "x"} for doc_id in ids],
        "entities": [
            {"doc_id": "doc-10", "text": "B", "label": "TEAM", "start_char": 20, "end_char": 21},
            {"doc_id": "doc-10", "text": "A", "label": "DRIVER", "start_char": 5, "end_char": 6},
            {"doc_id": "doc-2", "text": "C", "label": "CAR", "start_char": None, "end_char": None},
            {"doc_id": "doc-2", "text": "D", "label": "CAR", "start_char": 0, "end_char": 1},
            {"doc_id": "doc-1", "text": "E", "label": "CAR", "start_char": 9, "end_char": 10},
        ],
    }

    frames = build_frames(rows)

    assert list(frames["documents"]["doc_id"]) == ids
    assert list(frames["entities"]["text"]) == ["A", "B", "D", "C", "E"]  # missing offsets last in their doc
    assert list(frames) == list(TABLE_NAMES)


def test_drivers_summary_joins_teams_cars_hometowns_and_counts_documents_and_quotes() -> None:
    drivers = to_frame("drivers", [
        {"doc_id": "a", "driver": "Ida Wendeborn", "team": "Harz Racing", "car": "BMW M4 GT3", "hometown": "Goslar",
         "n_quotes": 2},
        {"doc_id": "b", "driver": "Ida Wendeborn", "team": "Brocken Motorsport", "car": "BMW M4 GT3",
         "hometown": None, "n_quotes": None},
        {"doc_id": "b", "driver": "Kai Österle", "team": None, "car": None, "hometown": "Wernigerode", "n_quotes": 3},
        {"doc_id": "c", "driver": "Anton Zwirner", "team": "Harz Racing", "car": "", "hometown": None, "n_quotes": 0},
    ])

    summary = drivers_summary(drivers)

    assert list(summary["driver"]) == ["Ida Wendeborn", "Kai Österle", "Anton Zwirner"]  # documents, quotes, name
    wendeborn = summary.iloc[0]
    assert (wendeborn["n_documents"], wendeborn["n_quotes"]) == (2, 2)
    assert wendeborn["teams"] == "Brocken Motorsport; Harz Racing"
    assert wendeborn["cars"] == "BMW M4 GT3"
    assert wendeborn["hometowns"] == "Goslar"
    assert summary.iloc[2]["cars"] == ""  # an empty car is no car
    assert {column: str(dtype) for column, dtype in summary.dtypes.items()} == SCHEMAS["drivers_summary"]


def test_drivers_summary_counts_documents_of_rows_in_any_order() -> None:
    rows = [{"doc_id": doc_id, "driver": driver, "n_quotes": 1}
            for doc_id, driver in [("a", "Ida Wendeborn"), ("b", "Ida Wendeborn"), ("a", "Kai Österle"),
                                   ("a", "Ida Wendeborn"), (None, "Kai Österle"), ("b", None)]]

    summary = drivers_summary(to_frame("drivers", rows)).set_index("driver")

    assert summary.loc["Ida Wendeborn", "n_documents"] == 2  # "a" twice, apart: still one document
    assert summary.loc["Ida Wendeborn", "n_quotes"] == 3
    assert summary.loc["Kai Österle", "n_documents"] == 1  # a row without doc_id counts no document
    assert list(summary.index) == ["Ida Wendeborn", "Kai Österle"]  # a row without driver names nobody


def reference_summary(rows: list[dict]) -> list[tuple]:
    """The summary as the table's documentation defines it, computed the plain way."""
    drivers: dict[str, dict] = {}
    for row in rows:
        if row.get("driver") is None:
            continue
        state = drivers.setdefault(row["driver"], {"docs": set(), "quotes": 0, "team": set(), "car": set(),
                                                   "hometown": set()})
        if row.get("doc_id") is not None:
            state["docs"].add(row["doc_id"])
        state["quotes"] += row.get("n_quotes") or 0
        for name in ("team", "car", "hometown"):
            if row.get(name):
                state[name].add(row[name])
    table = [(driver, len(s["docs"]), s["quotes"], "; ".join(sorted(s["team"])), "; ".join(sorted(s["car"])),
              "; ".join(sorted(s["hometown"]))) for driver, s in drivers.items()]
    return sorted(table, key=lambda row: (-row[1], -row[2], row[0]))


def test_drivers_summary_builder_streams_the_table_in_order_and_in_chunks(tmp_path) -> None:
    import random

    from pipeline.tables import DriversSummary

    rng = random.Random(3)
    names = ["Ida Wendeborn", "Kai Österle", "Ole Ærø", "Zoë Quast", "Émile Brandt", "ida wendeborn", "A" * 40]
    rows = [{"doc_id": f"d{rng.randint(0, 30)}", "driver": rng.choice(names + [None]), "n_quotes": rng.choice([0, 1, 2, None]),
             "team": rng.choice([None, "", "Harz Racing", "Team; mit Semikolon", "„Quoted“ Racing"]),
             "car": rng.choice([None, "BMW M4 GT3", "Audi R8 LMS"]), "hometown": rng.choice([None, "Goslar", "Köln"])}
            for _ in range(400)]
    summary = DriversSummary(tmp_path / "summary.sqlite")  # state on disk, not in memory
    for row in rows:
        summary.add(row)

    chunks = list(summary.iter_frames(rows=3))
    summary.close()

    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    whole = pd.concat(chunks, ignore_index=True)
    assert [tuple(values) for values in whole.astype(object).values.tolist()] == reference_summary(rows)
    assert {column: str(dtype) for column, dtype in whole.dtypes.items()} == SCHEMAS["drivers_summary"]


def test_an_empty_drivers_summary_is_one_empty_frame() -> None:
    from pipeline.tables import DriversSummary

    chunks = list(DriversSummary().iter_frames())
    assert len(chunks) == 1 and chunks[0].empty and list(chunks[0].columns) == list(SCHEMAS["drivers_summary"])


def test_drivers_summary_of_a_three_document_batch(offline_nlp) -> None:
    result = analyze(THREE_RELEASES, nlp=offline_nlp)

    summary = result.drivers_summary.set_index("driver")

    assert list(result.drivers_summary["driver"]) == ["Marlene Quastenberg", "Ludger Wimmelbach"]
    quastenberg = summary.loc["Marlene Quastenberg"]
    assert quastenberg["n_documents"] == 2
    assert quastenberg["n_quotes"] == 3
    assert quastenberg["teams"] == "Elbtal Racing; Vogtland Racing"
    assert quastenberg["cars"] == "Mercedes-AMG GT3; Porsche 911 GT3 R"
    assert quastenberg["hometowns"] == "Zwickau"
    wimmelbach = summary.loc["Ludger Wimmelbach"]
    assert (wimmelbach["n_documents"], wimmelbach["n_quotes"], wimmelbach["teams"]) == (1, 1, "Oberlausitz Motorsport")
    # Per document, the driver keeps the team of that document.
    per_doc = result.drivers.set_index(["doc_id", "driver"])["team"]
    assert per_doc[("doc-1", "Marlene Quastenberg")] == "Vogtland Racing"
    assert per_doc[("doc-3", "Marlene Quastenberg")] == "Elbtal Racing"


# --------------------------------------------------------------------------- docs/tables.md


def documented_columns(markdown: str) -> dict[str, list[tuple[str, str]]]:
    """(column, type) rows of the table under each "## `name`" heading."""
    sections = re.split(r"^## ", markdown, flags=re.MULTILINE)
    documented = {}
    for section in sections:
        heading = re.match(r"`(\w+)`\n", section)
        if not heading or heading.group(1) not in SCHEMAS:
            continue
        rows = re.findall(r"^\| `(\w+)` \| (\w+) \| .+ \|$", section, flags=re.MULTILINE)
        documented[heading.group(1)] = rows
    return documented


def test_docs_list_every_column_of_every_table_with_its_type() -> None:
    documented = documented_columns(DOCS.read_text(encoding="utf-8"))

    assert set(documented) == set(SCHEMAS)
    for name, schema in SCHEMAS.items():
        assert documented[name] == list(schema.items()), f"docs/tables.md: table {name}"


def test_docs_list_every_run_json_key(tmp_path: Path) -> None:
    from pipeline.batch import run_batch

    release = tmp_path / "in" / "bericht.txt"
    release.parent.mkdir()
    release.write_text(THREE_RELEASES[0], encoding="utf-8")
    run_batch([release], tmp_path / "out")
    keys = set(json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8")))
    section = DOCS.read_text(encoding="utf-8").split("## `run.json`")[1].split("\n## ")[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))

    assert keys - documented == set(), "run.json keys missing in docs/tables.md"
    assert documented - keys == {"dask"}  # only written by the dask engine


@pytest.mark.parametrize("dialect", ["excel-de", "rfc4180"])
def test_the_documented_pandas_calls_read_the_csv_back(tmp_path: Path, offline_nlp, dialect: str) -> None:
    result = analyze(THREE_RELEASES, nlp=offline_nlp)
    result.to_csv(tmp_path, dialect=dialect)
    options = {"excel-de": dict(sep=";", decimal=",", encoding="utf-8-sig"), "rfc4180": {}}[dialect]

    for name in TABLE_NAMES:
        back = pd.read_csv(tmp_path / f"{name}.csv", dtype=SCHEMAS[name], **options)
        # CSV cannot tell "" from missing: both read back as <NA>.
        expected = result.tables[name].replace("", pd.NA).astype(SCHEMAS[name])
        pd.testing.assert_frame_equal(back, expected, check_exact=False)
    assert "Görlitz" in set(pd.read_csv(tmp_path / "drivers.csv", dtype=SCHEMAS["drivers"], **options)["hometown"])


def test_document_tables_are_the_per_document_part_of_table_names() -> None:
    assert TABLE_NAMES[: len(DOCUMENT_TABLES)] == DOCUMENT_TABLES
    assert AnalysisResult(tables={}).tables.keys() == set(TABLE_NAMES)


def test_error_rows_have_one_shape_with_a_bounded_message() -> None:
    from pipeline.tables import DEFAULT_ERROR_MESSAGE_CHARS, error_row

    row = error_row("pm-1", "archiv.jsonl", stage="process", kind="RuntimeError", message="x" * 2000)

    assert list(row) == list(SCHEMAS["errors"])
    assert len(row["message"]) == DEFAULT_ERROR_MESSAGE_CHARS
    with pytest.raises(ValueError, match="stage"):
        error_row("pm-1", "archiv.jsonl", stage="tokenize", kind="x", message="y")


def entity_rows_of_spans(doc, doc_id: str) -> list[dict]:
    """The entities rows through ``span.text`` and ``span._`` (which entity_rows avoids)."""
    return [{"doc_id": doc_id, "text": ent.text, "label": ent.label_, "start_char": ent.start_char,
             "end_char": ent.end_char, "canonical": ent._.canonical or ent.text} for ent in doc.ents]


def test_entity_rows_are_the_rows_of_the_doc_ents_spans(offline_nlp) -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted((REPO / "data" / "samples").glob("*.txt"))]
    texts += THREE_RELEASES
    canonical_differs = 0
    for number, doc in enumerate(offline_nlp.pipe(texts)):
        rows = entity_rows(doc, str(number))
        assert rows and rows == entity_rows_of_spans(doc, str(number))
        canonical_differs += sum(row["canonical"] != row["text"] for row in rows)
    assert canonical_differs  # the canonical is read, not only the text
