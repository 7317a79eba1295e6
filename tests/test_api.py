"""The notebook API: what `analyze` accepts, what `AnalysisResult` holds and the files it writes."""

from __future__ import annotations

import logging
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from spacy.language import Language

from pipeline import analyze
from pipeline.api import AnalysisResult, InputError, load_pipeline
from pipeline.tables import SCHEMAS, TABLE_NAMES, arrow_schema, to_frame

RELEASE_A = ("Marlene Quastenberg (Zwickau) gewann im Porsche 911 GT3 R des Teams Vogtland Racing. "
             "„Das Auto war perfekt“, sagte Quastenberg.")
RELEASE_B = ("Ludger Wimmelbach (Görlitz) wurde im Audi R8 LMS evo II von Oberlausitz Motorsport Zweiter. "
             "„Ich bin zufrieden“, sagte Wimmelbach.")
FAILURE_MARKER = "Sprengsatz"  # texts with this word make the test component raise


@Language.component("test_api_explode")
def explode_on_marker(doc):
    if FAILURE_MARKER in doc.text:
        raise RuntimeError("component failed on purpose\nsecond line")
    return doc


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {column: str(dtype) for column, dtype in frame.dtypes.items()}


def assert_schema_tables(result: AnalysisResult) -> None:
    assert list(result.tables) == list(TABLE_NAMES)
    for name in TABLE_NAMES:
        assert dtypes(result.tables[name]) == SCHEMAS[name], name


# --------------------------------------------------------------------------- inputs


def test_strings_are_texts_with_numbered_ids(offline_nlp) -> None:
    result = analyze([RELEASE_A, RELEASE_B], nlp=offline_nlp)

    assert list(result.documents["doc_id"]) == ["doc-1", "doc-2"]
    assert set(result.documents["source"]) == {"text"}
    assert list(result.drivers["driver"]) == ["Marlene Quastenberg", "Ludger Wimmelbach"]
    assert result.drivers.set_index("driver").loc["Ludger Wimmelbach", "hometown"] == "Görlitz"
    assert_schema_tables(result)


def test_a_single_string_is_one_text_not_its_characters(offline_nlp) -> None:
    result = analyze(RELEASE_A, nlp=offline_nlp)

    assert len(result.documents) == 1
    assert result.documents["text"].iloc[0] == RELEASE_A


def test_a_string_naming_a_file_stays_a_text_and_warns(tmp_path: Path, offline_nlp) -> None:
    release = tmp_path / "bericht.txt"
    release.write_text(RELEASE_A, encoding="utf-8")

    with pytest.warns(UserWarning, match="pathlib.Path"):
        result = analyze([str(release)], nlp=offline_nlp)

    assert result.documents["text"].iloc[0] == str(release)
    assert result.drivers.empty


def test_paths_are_read_as_files_and_folders(tmp_path: Path, offline_nlp) -> None:
    folder = tmp_path / "pm"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "lausitz.txt").write_text(RELEASE_A, encoding="utf-8")
    (folder / "oberlausitz.md").write_text("# Bericht\n\n" + RELEASE_B, encoding="utf-8")
    single = tmp_path / "einzeln.txt"
    single.write_text(RELEASE_B, encoding="utf-8")

    result = analyze([folder, single], nlp=offline_nlp)

    assert list(result.documents["doc_id"]) == ["2024/lausitz", "oberlausitz", "einzeln"]
    assert result.documents["source"].iloc[2] == str(single)
    assert result.errors.empty


def test_a_mixed_list_of_texts_and_paths_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"mix of texts .*item 0.* paths .*item 1"):
        analyze([RELEASE_A, tmp_path / "bericht.txt"])


@pytest.mark.parametrize("item", [None, 42, b"Bytes-Text"])
def test_items_that_are_neither_text_nor_path_are_an_error(item) -> None:
    with pytest.raises(TypeError, match=r"item 1 is a"):
        analyze([RELEASE_A, item])


@pytest.mark.parametrize("empty", [[], pd.DataFrame({"text": []}), pd.DataFrame({"text": [], "id": []})],
                         ids=["list", "frame", "frame-with-id"])
def test_empty_input_gives_empty_tables_with_all_columns(offline_nlp, empty) -> None:
    result = analyze(empty, nlp=offline_nlp)

    assert all(frame.empty for frame in result.tables.values())
    assert_schema_tables(result)


def test_a_dataframe_gives_ids_from_its_id_column_and_errors_for_missing_texts(offline_nlp) -> None:
    frame = pd.DataFrame({
        "kennung": ["pm-7", "pm-8", "pm-7", "pm-9"],
        "inhalt": [RELEASE_A, None, RELEASE_B, "   "],
    })

    result = analyze(frame, nlp=offline_nlp, text_column="inhalt", id_column="kennung", errors="ignore")

    assert list(result.documents["doc_id"]) == ["pm-7", "pm-7~2"]
    assert set(result.documents["source"]) == {"dataframe"}
    errors = result.errors.set_index("doc_id")
    assert errors.loc["pm-8", "error_kind"] == "missing_text"
    assert errors.loc["pm-9", "error_kind"] == "empty"


def test_a_series_uses_its_index_as_ids(offline_nlp) -> None:
    texts = pd.Series([RELEASE_A, RELEASE_B], index=["lausitz", "oberlausitz"])

    result = analyze(texts, nlp=offline_nlp)

    assert list(result.documents["doc_id"]) == ["lausitz", "oberlausitz"]


def test_a_missing_text_column_names_the_columns(offline_nlp) -> None:
    with pytest.raises(ValueError, match=r"'text'.*\['inhalt'\]"):
        analyze(pd.DataFrame({"inhalt": [RELEASE_A]}), nlp=offline_nlp)


def test_nlp_and_model_together_are_an_error(offline_nlp) -> None:
    with pytest.raises(ValueError, match="not both"):
        analyze([RELEASE_A], nlp=offline_nlp, model="de_core_news_md")


def test_rows_follow_the_input_order_of_documents(offline_nlp) -> None:
    texts = [f"Fahrer{number} Quastenberg gewann. „Gut“, sagte er." for number in range(11)]

    result = analyze(texts, nlp=offline_nlp)

    expected = [f"doc-{number}" for number in range(1, 12)]  # doc-10 after doc-9, not after doc-1
    assert list(result.documents["doc_id"]) == expected
    assert list(dict.fromkeys(result.quotes["doc_id"])) == expected


# --------------------------------------------------------------------------- failures


def test_unreadable_inputs_are_error_rows_with_a_warning(tmp_path: Path, offline_nlp, caplog) -> None:
    release = tmp_path / "bericht.txt"
    release.write_text(RELEASE_A, encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="pipeline.api"):
        result = analyze([release, tmp_path / "fehlt.txt"], nlp=offline_nlp)

    assert list(result.documents["doc_id"]) == ["bericht"]
    assert result.errors[["doc_id", "stage", "error_kind"]].values.tolist() == [["fehlt", "read", "missing_file"]]
    assert "1 of 2 input(s) failed" in caplog.text


def test_errors_raise_stops_at_the_first_unreadable_input(tmp_path: Path, offline_nlp) -> None:
    with pytest.raises(InputError, match="no such file"):
        analyze([tmp_path / "fehlt.txt"], nlp=offline_nlp, errors="raise")


def test_errors_ignore_logs_nothing(tmp_path: Path, offline_nlp, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="pipeline.api"):
        result = analyze([tmp_path / "fehlt.txt"], nlp=offline_nlp, errors="ignore")

    assert len(result.errors) == 1
    assert caplog.text == ""


@pytest.fixture(scope="module")
def exploding_nlp() -> Language:
    nlp = load_pipeline()
    nlp.add_pipe("test_api_explode")
    return nlp


def test_a_failing_document_becomes_an_error_row_and_the_rest_go_through(exploding_nlp) -> None:
    texts = [RELEASE_A, f"Ein {FAILURE_MARKER} im Text.", RELEASE_B]

    result = analyze(texts, nlp=exploding_nlp, batch_size=8, errors="ignore")

    assert list(result.documents["doc_id"]) == ["doc-1", "doc-3"]
    error = result.errors.iloc[0]
    assert (error["doc_id"], error["stage"], error["error_kind"]) == ("doc-2", "process", "RuntimeError")
    assert error["message"] == "component failed on purpose"


def test_a_failing_document_with_errors_raise_raises(exploding_nlp) -> None:
    with pytest.raises(InputError, match="doc-2: RuntimeError"):
        analyze([RELEASE_A, FAILURE_MARKER], nlp=exploding_nlp, errors="raise")


def test_a_text_longer_than_max_length_is_split_as_runs_split_it(offline_nlp) -> None:
    from pipeline.engine import WorkItem, process_items

    long_text = "\n\n".join([RELEASE_A, RELEASE_B, "Weiter. " * 30, RELEASE_B])
    previous = offline_nlp.max_length
    offline_nlp.max_length = len(RELEASE_A) + 10  # every paragraph is a part of its own
    try:
        result = analyze([RELEASE_A, long_text], nlp=offline_nlp, keep_docs=True, errors="raise")
        entry = next(process_items(offline_nlp, [WorkItem(0, "", "doc-2", "text", text=long_text)]))
    finally:
        offline_nlp.max_length = previous

    assert list(result.documents["doc_id"]) == ["doc-1", "doc-2"] and result.errors.empty
    split = result.documents.iloc[1]
    assert (split["text"], split["n_chars"]) == (long_text, len(long_text))
    entities = result.entities[result.entities["doc_id"] == "doc-2"]
    assert {"Marlene Quastenberg", "Ludger Wimmelbach"} <= set(entities["text"])
    for _, entity in entities.iterrows():  # offsets on the whole text, not on its parts
        assert long_text[entity["start_char"]:entity["end_char"]] == entity["text"]
    quotes = result.quotes[result.quotes["doc_id"] == "doc-2"]
    assert list(quotes["quote_id"]) == [1, 2, 3] and list(quotes["paragraph"]) == [0, 1, 3]
    # The same rows as a run's engine writes for the document.
    pd.testing.assert_frame_equal(entities.reset_index(drop=True), to_frame("entities", entry["rows"]["entities"]))
    assert result.doc("doc-2").text == long_text


# --------------------------------------------------------------------------- the result


def test_repr_lists_every_table_with_its_row_count(offline_nlp) -> None:
    result = analyze([RELEASE_A, RELEASE_B], nlp=offline_nlp, keep_docs=True)

    text = repr(result)

    assert text.splitlines()[0] == "AnalysisResult(base_model='offline:blank-de', 2 docs kept)"
    for name in TABLE_NAMES:
        assert f"  {name} " in text
    assert "  documents              2 rows" in text
    assert f"  drivers_summary  {len(result.drivers_summary):>7} rows" in text


def test_show_renders_a_kept_document_by_position_or_id(offline_nlp) -> None:
    result = analyze([RELEASE_A, RELEASE_B], nlp=offline_nlp, keep_docs=True)

    by_position = result.show(1, jupyter=False)
    by_id = result.show("doc-2", jupyter=False)

    assert by_position == by_id
    assert "Wimmelbach" in by_position and "QUOTE: Ludger Wimmelbach" in by_position
    assert "Quastenberg" not in by_position
    with pytest.raises(IndexError, match="positions 0 to 1"):
        result.show(2)
    with pytest.raises(KeyError, match="doc-9"):
        result.show("doc-9")


def test_show_without_kept_docs_says_how_to_keep_them(offline_nlp) -> None:
    result = analyze([RELEASE_A], nlp=offline_nlp)

    with pytest.raises(ValueError, match="keep_docs=True"):
        result.show(0)


def test_from_rows_fills_in_missing_tables() -> None:
    result = AnalysisResult.from_rows({"drivers": [{"doc_id": "a", "driver": "Ida Wendeborn", "n_quotes": 1}]})

    assert_schema_tables(result)
    assert list(result.drivers_summary["driver"]) == ["Ida Wendeborn"]


# --------------------------------------------------------------------------- files


@pytest.fixture(scope="module")
def result(offline_nlp) -> AnalysisResult:
    return analyze([RELEASE_A, RELEASE_B], nlp=offline_nlp)


def test_to_csv_writes_every_table_in_both_dialects(tmp_path: Path, result: AnalysisResult) -> None:
    excel_files = result.to_csv(tmp_path / "de")
    plain_files = result.to_csv(tmp_path / "rfc", dialect="rfc4180")

    expected_names = sorted(f"{name}.csv" for name in TABLE_NAMES)
    assert sorted(path.name for path in excel_files) == sorted(path.name for path in plain_files) == expected_names
    excel = (tmp_path / "de" / "drivers.csv").read_bytes()
    plain = (tmp_path / "rfc" / "drivers.csv").read_bytes()
    assert excel.startswith(b"\xef\xbb\xbfdoc_id;driver;") and b"\r\n" in excel
    assert plain.startswith(b"doc_id,driver,") and b"\r\n" in plain
    assert "Görlitz" in excel.decode("utf-8-sig") and "Görlitz" in plain.decode("utf-8")
    assert [line.split(b",")[-1] for line in plain.splitlines()[1:]] == [b"1", b"1"]  # n_quotes


def test_to_excel_writes_a_sheet_per_table_with_frozen_header_filter_and_widths(
        tmp_path: Path, result: AnalysisResult) -> None:
    path = result.to_excel(tmp_path / "neu" / "tabellen.xlsx")

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == list(TABLE_NAMES)
    for name in TABLE_NAMES:
        sheet = workbook[name]
        assert [cell.value for cell in sheet[1]] == list(SCHEMAS[name])
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.font.bold for cell in sheet[1])
    drivers = workbook["drivers"]
    assert drivers.auto_filter.ref == "A1:I3"
    assert drivers["C3"].value == "Görlitz"
    assert drivers.column_dimensions["B"].width == len("Marlene Quastenberg") + 2
    assert workbook["documents"].column_dimensions["I"].width == 60  # long texts are capped


def test_to_parquet_keeps_the_schema_even_for_empty_tables(tmp_path: Path, result: AnalysisResult) -> None:
    assert result.errors.empty

    files = result.to_parquet(tmp_path)

    assert sorted(path.name for path in files) == sorted(f"{name}.parquet" for name in TABLE_NAMES)
    for name in TABLE_NAMES:
        path = tmp_path / f"{name}.parquet"
        assert pq.read_schema(path).types == arrow_schema(name).types, name
        back = pd.read_parquet(path)
        assert dtypes(back) == SCHEMAS[name], name
        pd.testing.assert_frame_equal(back, result.tables[name])


def test_write_takes_formats_in_any_combination(tmp_path: Path, result: AnalysisResult) -> None:
    written = result.write(tmp_path, formats="xlsx, parquet")

    assert {path.suffix for path in written} == {".xlsx", ".parquet"}
    assert (tmp_path / "tables.xlsx").exists() and not list(tmp_path.glob("*.csv"))
    with pytest.raises(ValueError, match="'pdf'"):
        result.write(tmp_path, formats=["csv", "pdf"])


def test_the_api_writes_the_same_files_as_motorsport_nlp_run(tmp_path: Path, offline_nlp) -> None:
    from pipeline.batch import run_batch

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a-lausitz.txt").write_text(RELEASE_A, encoding="utf-8")
    (inputs / "b-oberlausitz.txt").write_text(RELEASE_B, encoding="utf-8")
    (inputs / "c-leer.txt").write_text("  ", encoding="utf-8")  # an errors row
    formats = ("csv", "xlsx", "parquet")

    run_batch([inputs], tmp_path / "run", nlp=offline_nlp, formats=formats)
    analyze([inputs], nlp=offline_nlp, errors="ignore").write(tmp_path / "api", formats=formats)

    for name in TABLE_NAMES:
        run_csv = (tmp_path / "run" / f"{name}.csv").read_bytes()
        assert (tmp_path / "api" / f"{name}.csv").read_bytes() == run_csv, name
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "api" / f"{name}.parquet"),
                                      pd.read_parquet(tmp_path / "run" / f"{name}.parquet"))
    run_book = openpyxl.load_workbook(tmp_path / "run" / "tables.xlsx")
    api_book = openpyxl.load_workbook(tmp_path / "api" / "tables.xlsx")
    assert api_book.sheetnames == run_book.sheetnames
    for name in run_book.sheetnames:
        assert list(api_book[name].values) == list(run_book[name].values), name


def test_a_string_naming_an_existing_folder_warns(tmp_path: Path, offline_nlp) -> None:
    folder = tmp_path / "pressemitteilungen"
    folder.mkdir()
    (folder / "bericht.txt").write_text(RELEASE_A, encoding="utf-8")

    with pytest.warns(UserWarning, match=r"existing folder but is analysed as text.*pathlib\.Path"):
        result = analyze([str(folder)], nlp=offline_nlp)

    assert result.documents["text"].tolist() == [str(folder)]


def test_write_removes_files_of_formats_an_earlier_write_left(tmp_path: Path, result: AnalysisResult) -> None:
    result.write(tmp_path, formats="csv,xlsx,parquet")
    (tmp_path / "notizen.csv").write_text("fremd", encoding="utf-8")  # not ours: stays

    written = result.write(tmp_path, formats="csv")

    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [path.name for path in written] + ["notizen.csv"])
    assert not (tmp_path / "tables.xlsx").exists() and not list(tmp_path.glob("*.parquet"))


def test_to_parquet_and_to_csv_keep_each_other(tmp_path: Path, result: AnalysisResult) -> None:
    csv_files = result.to_csv(tmp_path)
    result.to_parquet(tmp_path)
    assert all(path.exists() for path in csv_files)


def test_unsupported_files_in_a_folder_are_named_in_a_warning(tmp_path: Path, offline_nlp, caplog) -> None:
    (tmp_path / "bericht.odt").write_bytes(b"PK")
    (tmp_path / "notizen.odt").write_bytes(b"PK")
    (tmp_path / "foto.jpg").write_bytes(b"\xff\xd8")

    with caplog.at_level("WARNING"):
        result = analyze([tmp_path], nlp=offline_nlp)

    assert result.documents.empty
    assert "skipped 3 file(s) of unsupported types (2 .odt, 1 .jpg)" in caplog.text
