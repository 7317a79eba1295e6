"""Formula injection, end to end: payloads in the input text → analyze → CSV (both dialects) and XLSX.

Read back with pandas and openpyxl, no cell may start with a formula character
unescaped, no workbook cell may be a formula, and umlauts must survive. The
entity rules only let payloads reach some columns (quotes, document text, ids,
sources); every other text column is covered with hand-made rows.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import analyze
from pipeline.api import AnalysisResult
from pipeline.io.writers import FORMULA_PREFIXES
from pipeline.tables import SCHEMAS, TABLE_NAMES

DIALECT_READ_OPTIONS = {
    "excel-de": dict(sep=";", decimal=",", encoding="utf-8-sig"),
    "rfc4180": dict(sep=",", decimal=".", encoding="utf-8"),
}
QUOTE_PAYLOADS = [
    '=HYPERLINK("http://angriff.example/?q=Brühl","Jetzt klicken")',
    "@SUM(1) ist unser Motto für das Wochenende in Görlitz",
    "+1 war heute das Maximum für uns",
    "-1+2 Punkte fehlen noch zur Führung",
]
ID_PAYLOAD = "=1+1 Öffnen"
TAB_TEXT = "\tMarlene Quastenberg (Zwickau) gewann für Vogtland Racing. „Schön“, sagte Quastenberg."
RELEASE = (
    "@SUM(1) Rennbericht vom Lausitzring\n\n"
    "Marlene Quastenberg (Zwickau) gewann im Porsche 911 GT3 R des Teams Vogtland Racing das erste Rennen. "
    f"„{QUOTE_PAYLOADS[0]}“, sagte Quastenberg nach der Zieldurchfahrt.\n\n"
    f"„{QUOTE_PAYLOADS[2]}“, meinte Teamkollege Ludger Wimmelbach aus Görlitz.\n\n"
    f"„{QUOTE_PAYLOADS[3]}“, sagte Quastenberg.\n\n"
    f"„{QUOTE_PAYLOADS[1]}“, erklärte Teamchef Ottokar Brühling.\n"
)
# For the columns the text cannot reach: every prefix, each with an umlaut to keep.
ROW_PAYLOADS = ["=Brühl()", "+Öl", "-Äquator", "@Übersee", "\tTabulator-Müller", "\rWagenrücklauf-Groß"]


def dangerous(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def written_files(result: AnalysisResult, folder: Path) -> dict[str, Path]:
    result.to_csv(folder / "excel-de", dialect="excel-de")
    result.to_csv(folder / "rfc4180", dialect="rfc4180")
    return {"excel-de": folder / "excel-de", "rfc4180": folder / "rfc4180",
            "xlsx": result.to_excel(folder / "tables.xlsx")}


def read_csv_tables(folder: Path, dialect: str) -> dict[str, pd.DataFrame]:
    # dtype=str: every cell exactly as written, nothing converted.
    return {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False,
                              **DIALECT_READ_OPTIONS[dialect])
            for name in TABLE_NAMES}


def read_xlsx_cells(path: Path) -> dict[str, list[list[openpyxl.cell.Cell]]]:
    workbook = openpyxl.load_workbook(path)  # formulas stay formulas (data_only=False)
    return {name: [list(row) for row in workbook[name].iter_rows()] for name in workbook.sheetnames}


def assert_nothing_runs(files: dict[str, Path]) -> None:
    """No text cell starts with a formula character; numeric cells are plain numbers; no formula cells."""
    for dialect in DIALECT_READ_OPTIONS:
        decimal = DIALECT_READ_OPTIONS[dialect]["decimal"]
        for name, frame in read_csv_tables(files[dialect], dialect).items():
            assert list(frame.columns) == list(SCHEMAS[name])
            for column, dtype in SCHEMAS[name].items():
                if dtype == "string":
                    assert not any(dangerous(value) for value in frame[column]), f"{dialect} {name}.{column}"
                else:  # "-1" is a number to a spreadsheet, not a formula
                    numbers = frame[column].str.replace(decimal, ".", regex=False)
                    assert all(value == "" or _is_number(value) for value in numbers), f"{dialect} {name}.{column}"
    for name, rows in read_xlsx_cells(files["xlsx"]).items():
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", f"formula cell {name}!{cell.coordinate}: {cell.value!r}"
                # Formula-like text is kept as written, as text with Excel's quotePrefix (shown, never run).
                assert not dangerous(cell.value) or (cell.quotePrefix and cell.data_type == "s"), \
                    f"{name}!{cell.coordinate}: {cell.value!r}"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- from the input text


@pytest.fixture(scope="module")
def text_result(offline_nlp) -> AnalysisResult:
    frame = pd.DataFrame({"id": [ID_PAYLOAD, "tab"], "text": [RELEASE, TAB_TEXT]})
    return analyze(frame, nlp=offline_nlp, id_column="id")


def test_the_payloads_reach_the_tables_unescaped(text_result: AnalysisResult) -> None:
    # Otherwise the test below would prove nothing.
    assert list(text_result.quotes["quote"])[:4] == [QUOTE_PAYLOADS[0], QUOTE_PAYLOADS[2], QUOTE_PAYLOADS[3],
                                                     QUOTE_PAYLOADS[1]]
    assert text_result.documents["text"].iloc[0].startswith("@SUM(1)")
    assert text_result.documents["text"].iloc[1].startswith("\t")
    assert set(text_result.drivers["doc_id"]) == {ID_PAYLOAD, "tab"}
    # Every table with document rows carries the payload id.
    for name in ("documents", "entities", "drivers", "people", "quotes"):
        assert ID_PAYLOAD in set(text_result.tables[name]["doc_id"]), name


def test_payloads_from_the_text_are_neutralised_in_csv_and_xlsx(text_result: AnalysisResult, tmp_path: Path) -> None:
    files = written_files(text_result, tmp_path)

    assert_nothing_runs(files)
    for dialect in DIALECT_READ_OPTIONS:
        tables = read_csv_tables(files[dialect], dialect)
        assert list(tables["quotes"]["quote"])[:4] == ["'" + QUOTE_PAYLOADS[i] for i in (0, 2, 3, 1)]
        assert tables["documents"]["doc_id"].tolist() == ["'" + ID_PAYLOAD, "tab"]
        assert tables["documents"]["text"].iloc[0] == "'" + RELEASE
        assert tables["documents"]["text"].iloc[1] == "'" + TAB_TEXT
        assert set(tables["quotes"]["speaker"]) >= {"Marlene Quastenberg", "Ottokar Brühling"}
        assert "Görlitz" in set(tables["drivers"]["hometown"])
    sheets = read_xlsx_cells(files["xlsx"])
    quote_column = list(SCHEMAS["quotes"]).index("quote")
    assert [row[quote_column].value for row in sheets["quotes"][1:5]] == [QUOTE_PAYLOADS[i] for i in (0, 2, 3, 1)]
    assert sheets["drivers"][1][0].value == ID_PAYLOAD


def test_payload_in_a_file_path_lands_neutralised_in_source(tmp_path: Path, offline_nlp, monkeypatch) -> None:
    folder = tmp_path / "=ordner"
    folder.mkdir()
    (folder / "-2+3.txt").write_text(TAB_TEXT.strip(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # relative path: source starts with "="

    result = analyze([Path("=ordner")], nlp=offline_nlp)
    files = written_files(result, tmp_path / "out")

    assert result.documents["source"].iloc[0].startswith("=ordner")
    assert result.documents["doc_id"].iloc[0] == "-2+3"
    assert_nothing_runs(files)
    documents = read_csv_tables(files["rfc4180"], "rfc4180")["documents"]
    assert documents["doc_id"].iloc[0] == "'-2+3"


# --------------------------------------------------------------------------- every text column


def payload_rows() -> dict[str, list[dict]]:
    """Two rows per table; every text column holds a payload, every number a negative value."""
    rows: dict[str, list[dict]] = {}
    counter = 0
    for name, schema in SCHEMAS.items():
        if name == "drivers_summary":
            continue  # built from the drivers rows below
        table = []
        for number in range(2):
            row = {}
            for column, dtype in schema.items():
                if dtype == "string":
                    row[column] = ROW_PAYLOADS[counter % len(ROW_PAYLOADS)]
                    counter += 1
                else:
                    row[column] = -(number + 1) if dtype == "Int64" else -0.5
            table.append(row)
        rows[name] = table
    return rows


@pytest.fixture(scope="module")
def payload_result() -> AnalysisResult:
    result = AnalysisResult.from_rows(payload_rows())
    # The summary joins teams, cars and hometowns: make sure its cells start with a payload too.
    assert all(dangerous(value) for value in result.drivers_summary[["driver", "teams", "cars", "hometowns"]]
               .to_numpy().ravel())
    return result


def text_columns(name: str) -> list[str]:
    return [column for column, dtype in SCHEMAS[name].items() if dtype == "string"]


def test_every_text_column_of_every_table_is_neutralised(payload_result: AnalysisResult, tmp_path: Path) -> None:
    files = written_files(payload_result, tmp_path)

    assert_nothing_runs(files)
    sheets = read_xlsx_cells(files["xlsx"])
    for name in TABLE_NAMES:
        original = payload_result.tables[name]
        for dialect in DIALECT_READ_OPTIONS:
            frame = read_csv_tables(files[dialect], dialect)[name]
            for column in text_columns(name):
                expected = ["'" + value if dangerous(value) else value for value in original[column]]
                assert frame[column].tolist() == expected, f"{dialect} {name}.{column}"
        header = [cell.value for cell in sheets[name][0]]
        for column in text_columns(name):
            position = header.index(column)
            cells = [row[position].value for row in sheets[name][1:]]
            assert cells == list(original[column]), f"xlsx {name}.{column}"


def test_negative_numbers_stay_numbers(payload_result: AnalysisResult, tmp_path: Path) -> None:
    files = written_files(payload_result, tmp_path)

    quotes = pd.read_csv(files["excel-de"] / "quotes.csv", **DIALECT_READ_OPTIONS["excel-de"])
    assert quotes["confidence"].tolist() == [-0.5, -0.5]
    assert quotes["quote_id"].tolist() == [-1, -2]
    sheet = openpyxl.load_workbook(files["xlsx"])["quotes"]
    confidence = list(SCHEMAS["quotes"]).index("confidence") + 1
    assert [sheet.cell(row=row, column=confidence).value for row in (2, 3)] == [-0.5, -0.5]
    assert sheet.cell(row=2, column=confidence).data_type == "n"


def test_parquet_and_dataframes_keep_the_exact_text(payload_result: AnalysisResult, tmp_path: Path) -> None:
    payload_result.to_parquet(tmp_path)

    back = pd.read_parquet(tmp_path / "people.parquet")
    assert back["role"].tolist() == payload_result.people["role"].tolist()
    assert all(dangerous(value) for value in back["role"])


# --------------------------------------------------------------------------- control characters before a formula

# openpyxl drops control characters it cannot store, so "\x01=…" used to become a live
# formula in XLSX; in CSV a spreadsheet may skip the control character and run the rest.
CONTROL_PAYLOAD = '\x01=HYPERLINK("http://angriff.example","Klick")'
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def runs_after_controls(value: object) -> bool:
    """A cell that still holds a control character, or starts a formula once they are gone.

    ("=" and "@" only: "-1" in a CSV is a number.)"""
    if not isinstance(value, str):
        return False
    return bool(_CONTROL_CHARACTERS.search(value)) or _CONTROL_CHARACTERS.sub("", value).startswith(("=", "@"))


def all_written_cells(folder: Path) -> list[object]:
    cells: list[object] = []
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            sample = handle.read()
        delimiter = ";" if sample.split("\r\n", 1)[0].count(";") else ","
        cells += [cell for row in csv.reader(io.StringIO(sample), delimiter=delimiter) for cell in row]
    for path in sorted(folder.glob("*.xlsx")):
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"formula cell {sheet.title}!{cell.coordinate}: {cell.value!r}"
                    # Formula-like text with Excel's quotePrefix is shown as written, never run.
                    shown_as_text = cell.quotePrefix and cell.data_type == "s"
                    cells.append("'" + cell.value if shown_as_text else cell.value)
    return cells


def control_rows() -> dict[str, list[dict]]:
    rows = payload_rows()
    rows["people"][0]["role"] = CONTROL_PAYLOAD
    rows["quotes"][0]["quote"] = CONTROL_PAYLOAD
    rows["quotes"][0]["speaker_role"] = "\x1b" + CONTROL_PAYLOAD
    rows["documents"][0]["source"] = CONTROL_PAYLOAD + ".txt"
    rows["documents"][0]["text"] = CONTROL_PAYLOAD + "\nweiter"
    return rows


@pytest.mark.parametrize("dialect", list(DIALECT_READ_OPTIONS))
def test_control_character_before_a_formula_is_neutralised_by_every_writer(tmp_path: Path, dialect: str) -> None:
    result = AnalysisResult.from_rows(control_rows())
    result.to_csv(tmp_path / "csv", dialect=dialect)
    result.to_excel(tmp_path / "csv" / "tables.xlsx")
    result.write(tmp_path / "write", formats="csv,xlsx,parquet", csv_dialect=dialect)

    for folder in (tmp_path / "csv", tmp_path / "write"):
        cells = all_written_cells(folder)
        assert any("HYPERLINK" in str(cell) for cell in cells)  # the payload got there
        assert not [cell for cell in cells if runs_after_controls(cell)]
    # Parquet is for code: it keeps the raw text.
    assert pd.read_parquet(tmp_path / "write" / "quotes.parquet")["quote"].iloc[0] == CONTROL_PAYLOAD


def test_control_character_payloads_in_text_and_file_name_through_a_batch_run(tmp_path: Path, offline_nlp) -> None:
    from pipeline.batch import run_batch

    folder = tmp_path / "eingang"
    folder.mkdir()
    (folder / "\x01=HYPERLINK(1).txt").write_text(
        "Marlene Quastenberg (Zwickau) gewann für Vogtland Racing.\n\n"
        f"„{CONTROL_PAYLOAD} war unser Motto“, sagte Quastenberg.", encoding="utf-8")

    run_batch([folder], tmp_path / "out", nlp=offline_nlp, formats=("csv", "xlsx"), progress=False)

    cells = all_written_cells(tmp_path / "out")
    assert any(str(cell).startswith("\ufffd=HYPERLINK(1)") for cell in cells)  # the doc id from the file name
    assert not [cell for cell in cells if runs_after_controls(cell)]
