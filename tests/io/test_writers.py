import csv
import io
import itertools
import os
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.io.writers import (
    CSV_DIALECTS,
    CsvFileWriter,
    FORMULA_PREFIXES,
    atomic_path,
    atomic_write_text,
    neutralize_formula,
    neutralize_frame,
    read_csv,
    restore_formula,
    sheet_name,
    write_csv,
    write_parquet,
    write_tables,
    write_xlsx,
)

PAYLOADS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
SAFE_TEXT = ["Müller", "Nürburgring", "„Zitat“ vom Teamchef", "Öztürk; Dürr", "", "Reifenwahl: weich"]
TEXT_COLUMNS = ("fahrer", "strecke", "zitat")


def results_frame() -> pd.DataFrame:
    rows = len(PAYLOADS) + len(SAFE_TEXT)
    return pd.DataFrame(
        {
            "fahrer": PAYLOADS + SAFE_TEXT,
            "strecke": SAFE_TEXT + PAYLOADS,
            "zitat": PAYLOADS[::-1] + SAFE_TEXT[::-1],
            "punkte": [25, -3, 0, 18, -1, 12] * (rows // 6),
            "abstand": [0.0, -1.25, 3.5, 12.75, -0.5, 2.0] * (rows // 6),
        }
    )


def expected_cell(value: str) -> str:
    return "'" + value if value.startswith((*FORMULA_PREFIXES, "'")) else value


def listing(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralize_formula_prefixes_dangerous_text(payload: str) -> None:
    assert neutralize_formula(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Müller", "", " =1+1", "1:23,456", "Zitat'", -5, 1.5, None])
def test_neutralize_formula_leaves_other_values(value: object) -> None:
    assert neutralize_formula(value) == value


@pytest.mark.parametrize("value", [*PAYLOADS, *SAFE_TEXT, "'", "''", "'=bereits", "'Ring'", "x'", "=", "@"])
def test_the_escape_is_reversible(value: str) -> None:
    escaped = neutralize_formula(value)

    assert restore_formula(escaped) == value
    assert not escaped.startswith(FORMULA_PREFIXES)
    if value.startswith("'"):
        assert escaped == "'" + value  # an apostrophe of the text itself is escaped too


def test_neutralize_frame_copies_and_keeps_numbers() -> None:
    frame = results_frame()
    frame["kategorie"] = pd.Categorical(["=A1", "GT3"] * 6)
    frame = frame.rename(columns={"zitat": "=zitat"})

    neutral = neutralize_frame(frame)

    assert frame["fahrer"].iloc[0] == PAYLOADS[0]  # original untouched
    assert list(neutral["fahrer"]) == [expected_cell(v) for v in frame["fahrer"]]
    assert list(neutral["kategorie"])[:2] == ["'=A1", "GT3"]
    assert "'=zitat" in neutral.columns
    pd.testing.assert_series_equal(neutral["punkte"], frame["punkte"])
    pd.testing.assert_series_equal(neutral["abstand"], frame["abstand"])


@pytest.mark.parametrize("dtype", ["str", object])
def test_text_columns_are_neutralised_cell_for_cell_like_neutralize_formula(dtype) -> None:
    # str columns take a column-wise path (Arrow's RE2): it must agree with the one-cell function
    pieces = ["=", "+", "-", "@", "\t", "\r", "'", "a", "ß", " ", "\n", "\x00", "\x01", "\x1f", "\x7f",
              "\x85", "\x9f", "\xa0", "😀", "„", "\x0b", "\x0c"]
    texts = ["".join(combination) for combination in itertools.product(pieces, repeat=2)]
    column = pd.Series([*texts, None], dtype=dtype)
    neutral = neutralize_frame(pd.DataFrame({"text": column}))["text"]
    assert list(neutral[:-1]) == [neutralize_formula(text) for text in texts]
    assert pd.isna(neutral.iloc[-1])


def assert_no_formula_cells(text_rows: list[list[str]], text_positions: list[int]) -> None:
    for row in text_rows:
        for position in text_positions:
            assert not row[position].startswith(FORMULA_PREFIXES), row


@pytest.mark.parametrize("dialect", sorted(CSV_DIALECTS))
def test_csv_neutralises_and_reads_back(tmp_path: Path, dialect: str) -> None:
    frame = results_frame()
    path = write_csv(frame, tmp_path / "ergebnisse.csv", dialect=dialect)

    layout = CSV_DIALECTS[dialect]
    raw = path.read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode(layout.encoding), newline=""), delimiter=layout.sep))
    assert rows[0] == ["fahrer", "strecke", "zitat", "punkte", "abstand"]
    assert_no_formula_cells(rows[1:], [0, 1, 2])

    back = read_csv(path, dialect=dialect)
    for column in TEXT_COLUMNS:
        assert list(back[column]) == list(frame[column])  # the escape is removed again
    assert back["punkte"].dtype == "int64"
    assert list(back["punkte"]) == list(frame["punkte"])
    assert list(back["abstand"]) == list(frame["abstand"])
    assert "Nürburgring" in set(back["fahrer"]) and "„Zitat“ vom Teamchef" in set(back["zitat"])
    assert "" in set(back["fahrer"])  # empty text stays "", not NaN


def test_excel_de_layout(tmp_path: Path) -> None:
    path = write_csv(results_frame(), tmp_path / "excel.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].startswith(b"fahrer;strecke;zitat;punkte;abstand\r\n")
    assert re.search(rb"(?<!\r)\n", raw) is None  # every line ends in CRLF
    assert b";-1,25\r\n" in raw  # German decimal comma
    assert "Nürburgring".encode() in raw


def test_rfc4180_layout_and_plain_pandas_interop(tmp_path: Path) -> None:
    frame = results_frame()
    path = write_csv(frame, tmp_path / "rfc.csv", dialect="rfc4180")
    raw = path.read_bytes()
    assert raw.startswith(b"fahrer,strecke,zitat,punkte,abstand\r\n")
    assert re.search(rb"(?<!\r)\n", raw) is None
    back = pd.read_csv(path, keep_default_na=False)
    assert list(back["strecke"])[:2] == ["Müller", "Nürburgring"]


def test_unknown_dialect_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown CSV dialect 'excel-fr'.*excel-de"):
        write_csv(results_frame(), tmp_path / "x.csv", dialect="excel-fr")
    assert listing(tmp_path) == []


def test_xlsx_is_formatted_and_has_no_formulas(tmp_path: Path) -> None:
    frame = results_frame()
    frame.loc[0, "strecke"] = "Zeile\x0bmit Steuerzeichen"  # illegal in XLSX: replaced, no crash
    tables = {"ergebnisse": frame, "fahrer": frame[["fahrer"]].head(3), "leer": pd.DataFrame({"a": []})}

    path = write_xlsx(tables, tmp_path / "tabellen.xlsx")

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["ergebnisse", "fahrer", "leer"]
    sheet = workbook["ergebnisse"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:E{len(frame) + 1}"
    assert all(cell.font.bold for cell in sheet[1])
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDE"]
    assert all(4 <= width <= 60 for width in widths)
    assert workbook["fahrer"].auto_filter.ref == "A1:A4"
    assert workbook["leer"].freeze_panes == "A2"

    cells = [cell for ws in workbook for row in ws.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    # Formula-like text is stored as written, marked with Excel's quotePrefix: no visible apostrophe.
    assert [row[0] for row in values] == [v or None for v in frame["fahrer"]]
    first_column = [cell for (cell,) in sheet.iter_rows(min_row=2, max_col=1)]
    assert [cell.quotePrefix for cell in first_column] == [v.startswith(FORMULA_PREFIXES) for v in frame["fahrer"]]
    assert all(cell.alignment.wrap_text for cell in first_column)
    assert not sheet.cell(row=2, column=4).alignment.wrap_text  # numbers are not wrapped
    assert values[0][1] == "Zeile\ufffdmit Steuerzeichen"
    assert [row[3] for row in values] == list(frame["punkte"])
    assert "„Zitat“ vom Teamchef" in {row[2] for row in values}


def test_xlsx_reads_back_the_original_text(tmp_path: Path) -> None:
    frame = results_frame().rename(columns={"zitat": "=zitat"})
    frame["kategorie"] = pd.Categorical(["=A1", "'GT3"] * 6)

    back = pd.read_excel(write_xlsx({"ergebnisse": frame}, tmp_path / "t.xlsx"), keep_default_na=False)

    assert list(back.columns) == list(frame.columns)
    for column in ("fahrer", "strecke", "=zitat", "kategorie"):
        assert list(back[column]) == list(frame[column].astype(str))


def test_xlsx_opens_on_the_drivers_sheet_with_one_selected_tab(tmp_path: Path) -> None:
    tables = {"documents": pd.DataFrame({"text": ["lang"]}), "drivers": pd.DataFrame({"driver": ["Ada Lund"]}),
              "quotes": pd.DataFrame({"quote": ["x"]})}

    workbook = openpyxl.load_workbook(write_xlsx(tables, tmp_path / "t.xlsx"))

    assert workbook.sheetnames == ["documents", "drivers", "quotes"]  # order kept
    assert workbook.active.title == "drivers"
    assert [sheet.sheet_view.tabSelected for sheet in workbook.worksheets] == [False, True, False]
    without = openpyxl.load_workbook(write_xlsx({"quotes": tables["quotes"]}, tmp_path / "q.xlsx"))
    assert without.active.title == "quotes"


def test_xlsx_without_tables_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no tables"):
        write_xlsx({}, tmp_path / "leer.xlsx")
    assert listing(tmp_path) == []


def test_raw_openpyxl_would_write_formulas(tmp_path: Path) -> None:
    # Guards the test above: unneutralised text does become a formula cell.
    path = tmp_path / "roh.xlsx"
    pd.DataFrame({"a": ["=1+1"]}).to_excel(path, index=False)
    assert openpyxl.load_workbook(path).active["A2"].data_type == "f"


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    long_name = "Ergebnisse_der_Langstreckenmeisterschaft_2019"
    first = sheet_name(long_name, taken)
    second = sheet_name(long_name, taken)
    assert len(first) == 31 and len(second) <= 31 and first != second
    assert sheet_name("Lauf 3/4: [Nachtrag]?", taken) == "Lauf 3_4_ _Nachtrag__"
    assert sheet_name("LEER", {"leer"}) == "LEER~2"


def test_parquet_round_trip_keeps_dtypes(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "fahrer": ["Müller", "=Dürr", "Öztürk"],
            "runden": pd.Series([52, 51, 0], dtype="int64"),
            "platz": pd.Series([1, None, 3], dtype="Int64"),
            "abstand": [0.0, -1.25, 3.5],
            "ausfall": [False, False, True],
            "klasse": pd.Categorical(["GT3", "GT4", "GT3"]),
            "zeit": pd.to_datetime(["2024-07-14 14:00", "2024-07-14 14:01", "2024-07-14 14:02"]),
        }
    )
    path = write_parquet(frame, tmp_path / "ergebnisse.parquet")

    back = pd.read_parquet(path)

    pd.testing.assert_frame_equal(back, frame)
    assert back.loc[1, "fahrer"] == "=Dürr"  # exact values: Parquet is not neutralised


def test_parquet_uses_given_schema(tmp_path: Path) -> None:
    frame = pd.DataFrame({"fahrer": ["Müller"], "runden": [52]})
    schema = pa.schema([("fahrer", pa.string()), ("runden", pa.int32())])
    path = write_parquet(frame, tmp_path / "s.parquet", schema=schema)
    assert pq.read_schema(path).field("runden").type == pa.int32()


class Exploding:
    def __str__(self) -> str:
        raise RuntimeError("Abbruch mitten im Schreiben")


def test_atomic_path_leaves_nothing_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "ergebnis.txt"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp:
            assert temp.parent == tmp_path and temp.name.startswith(".ergebnis.txt.tmp-")
            temp.write_text("halb geschrieben")
            raise RuntimeError("Abbruch")
    assert listing(tmp_path) == []


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = atomic_write_text(tmp_path / "ergebnisse.csv", "alter Stand\r\n")
    broken = pd.DataFrame({"fahrer": ["Müller", Exploding()]})

    with pytest.raises(RuntimeError):
        write_csv(broken, target)
    with pytest.raises(RuntimeError):
        write_xlsx({"kaputt": broken}, tmp_path / "tabellen.xlsx")

    assert target.read_bytes() == b"alter Stand\r\n"
    assert listing(tmp_path) == ["ergebnisse.csv"]


def test_atomic_file_mode_follows_umask(tmp_path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    path = atomic_write_text(tmp_path / "a.txt", "Müller")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_tables_all_formats(tmp_path: Path) -> None:
    tables = {"ergebnisse": results_frame(), "fahrer": pd.DataFrame({"name": ["Müller", "@Dürr"]})}
    out = tmp_path / "ausgabe" / "lauf3"

    written = write_tables(tables, out, formats=("csv", "xlsx", "parquet", "csv"), csv_dialect="rfc4180")

    assert [path.name for path in written] == [
        "ergebnisse.csv",
        "fahrer.csv",
        "tables.xlsx",
        "ergebnisse.parquet",
        "fahrer.parquet",
    ]
    assert listing(out) == sorted(path.name for path in written)
    assert not (out / "fahrer.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_csv(out / "fahrer.csv", dialect="rfc4180")["name"].tolist() == ["Müller", "@Dürr"]
    assert openpyxl.load_workbook(out / "tables.xlsx").sheetnames == ["ergebnisse", "fahrer"]


def test_write_tables_default_is_excel_de_csv(tmp_path: Path) -> None:
    written = write_tables({"fahrer": pd.DataFrame({"name": ["Müller"]})}, tmp_path)
    assert written == [tmp_path / "fahrer.csv"]
    assert written[0].read_bytes().startswith(b"\xef\xbb\xbfname\r\n")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"formats": ("csv", "json")}, "unknown output format 'json'; choose from: csv, xlsx, parquet"),
        ({"formats": ()}, "no output format"),
        ({"csv_dialect": "excel"}, "unknown CSV dialect 'excel'"),
    ],
)
def test_write_tables_rejects_unknown_options(tmp_path: Path, options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        write_tables({"fahrer": pd.DataFrame({"name": ["Müller"]})}, tmp_path / "aus", **options)
    assert not (tmp_path / "aus").exists()


@pytest.mark.parametrize("name", ["../ausbruch", "a/b", "", ".versteckt", "lauf\n"])
def test_write_tables_rejects_path_like_table_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not usable as a file name"):
        write_tables({name: pd.DataFrame({"a": [1]})}, tmp_path / "aus")
    assert not (tmp_path / "aus").exists()


@pytest.mark.parametrize("payload", ["\x01=HYPERLINK(\"http://x\")", "\x00\x1f@SUM(A1)", "\x7f+1+1", "\x85-2+3"])
def test_control_characters_before_a_formula_are_replaced(payload: str) -> None:
    cell = neutralize_formula(payload)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", cell)
    assert len(cell) == len(payload)  # one for one: offsets into a text cell stay right
    assert cell.startswith("\ufffd")


def test_a_formula_behind_a_control_character_is_no_formula_in_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame({"zitat": ["\x01=HYPERLINK(\"http://x\",\"Klick\")", "\x02=1+1"]})
    workbook = openpyxl.load_workbook(write_xlsx({"zitate": frame}, tmp_path / "t.xlsx"))
    cells = [cell for row in workbook["zitate"].iter_rows(min_row=2) for cell in row]
    assert [cell.data_type for cell in cells] == ["s", "s"]
    assert [cell.value for cell in cells] == ["\ufffd=HYPERLINK(\"http://x\",\"Klick\")", "\ufffd=1+1"]


# --------------------------------------------------------------------------- rows straight to CSV

ROW_DTYPES = {"text": "string", "count": "Int64", "share": "float64", "note": "string"}
ROW_TEXT_PIECES = ["=", "+", "-", "@", "\t", "\r", "\n", "'", '"', ";", ",", "a", "ß", " ", "\x00", "\x01",
                   "\x7f", "\x9f", "„", "😀", "1.5"]
ROW_FLOATS = [0.0, -0.0, 0.5, -1.25, 1 / 3, 1e-05, 1e16, 123456789.125, 2.0 ** 60, float("inf"), float("nan"), 7]


def rows_written(tmp_path: Path, name: str, dialect: str, chunks: list[list[dict]]) -> bytes:
    path = tmp_path / f"{name}.csv"
    with CsvFileWriter(path, dialect=dialect) as writer:
        for rows in chunks:
            assert writer.write_rows(rows, ROW_DTYPES)
    return path.read_bytes()


def frames_written(tmp_path: Path, name: str, dialect: str, chunks: list[list[dict]]) -> bytes:
    path = tmp_path / f"{name}.csv"
    with CsvFileWriter(path, dialect=dialect) as writer:
        for rows in chunks:
            writer.write(pd.DataFrame(rows, columns=list(ROW_DTYPES)).astype(ROW_DTYPES))
    return path.read_bytes()


@pytest.mark.parametrize("dialect", sorted(CSV_DIALECTS))
def test_rows_are_written_as_their_dataframe_would_be(tmp_path: Path, dialect: str) -> None:
    import random

    chance = random.Random(11)
    texts = ["".join(pair) for pair in itertools.product(ROW_TEXT_PIECES, repeat=2)]
    rows = [{"text": text, "count": chance.choice([None, 0, -3, 10 ** 12]),
             "share": chance.choice([None, *ROW_FLOATS]), "note": chance.choice([None, "", "=1", "ok"])}
            for text in texts]
    rows += [{"text": None}, {"count": 5, "share": 0.25}, {}]  # missing keys are missing values
    chunks = [rows[:100], [], rows[100:]]
    assert rows_written(tmp_path, "rows", dialect, chunks) == frames_written(tmp_path, "frames", dialect, chunks)


@pytest.mark.parametrize("chunks", [[], [[]], [[], []]])
def test_an_empty_table_written_from_rows_still_has_its_header(tmp_path: Path, chunks: list) -> None:
    written = rows_written(tmp_path, "rows", "excel-de", chunks or [[]])
    assert written == frames_written(tmp_path, "frames", "excel-de", chunks or [[]])
    assert written == "\ufefftext;count;share;note\r\n".encode()


@pytest.mark.parametrize("odd_cell", [{"count": True}, {"count": 2.0}, {"text": 5}, {"share": "0.5"}])
def test_rows_with_other_cells_are_left_to_the_dataframe(tmp_path: Path, odd_cell: dict) -> None:
    with CsvFileWriter(tmp_path / "odd.csv") as writer:
        assert not writer.write_rows([{"text": "a", "count": 1, "share": 0.5, "note": "b"}, odd_cell], ROW_DTYPES)
    assert (tmp_path / "odd.csv").read_bytes() == b""  # nothing was written
