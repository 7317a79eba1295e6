import codecs
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from pipeline.io import readers
from pipeline.io.readers import ReadFailure, SourceDocument, iter_documents, sanitize_member_name

LAUF_3 = "Jonas Brenninger gewinnt den dritten Lauf in Oschersleben.\n\nLea Wittstock wird Zweite."
FINALE = "Saisonfinale am Sachsenring: Piet van Dalen holt den Titel."

PRESS_HTML = """<!DOCTYPE html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <title>Pressemitteilung: Doppelsieg am Nürburgring</title>
  <script>window.dataLayer = []; function tracke() { return "Tracking-Skript geladen"; }</script>
  <style>body { font-family: sans-serif; }</style>
</head>
<body>
  <header><div class="logo">Team Falkenstein Motorsport</div></header>
  <nav>
    <ul><li><a href="/">Startseite</a></li><li><a href="/team">Das Team</a></li>
    <li><a href="/kontakt">Kontakt</a></li></ul>
  </nav>
  <main>
    <article>
      <h1>Doppelsieg für Team Falkenstein am Nürburgring</h1>
      <p>Das Team Falkenstein Motorsport hat beim vierten Lauf der Tourenwagen-Serie am Nürburgring
      einen souveränen Doppelsieg gefeiert. Jonas Brenninger gewann das Hauptrennen vor seiner
      Teamkollegin Lea Wittstock, nachdem beide Fahrzeuge bereits das Qualifying dominiert hatten.</p>
      <p>„Das war ein perfektes Wochenende für uns“, sagte Teamchef Markus Oberhalt nach der
      Zieldurchfahrt. „Die Boxenstopps haben funktioniert, die Strategie ging auf und beide Fahrer
      sind fehlerfrei geblieben.“</p>
      <p>Brenninger übernahm in der zwölften Runde die Führung, als der bis dahin führende Piet van
      Dalen mit einem Reifenschaden an die Box musste. Wittstock kämpfte sich von Startplatz drei nach
      vorn und sicherte sich mit der schnellsten Rennrunde einen Zusatzpunkt.</p>
      <p>In der Meisterschaft liegt Brenninger nun mit 112 Punkten an der Spitze. Der nächste Lauf
      findet am 4. August auf dem Sachsenring statt.</p>
    </article>
  </main>
  <footer>
    <p>© 2024 Team Falkenstein Motorsport GmbH · Impressum · Datenschutz</p>
    <p>Folgen Sie uns in den sozialen Netzwerken.</p>
  </footer>
  <script>tracke();</script>
</body>
</html>
"""

NOT_IN_ARTICLE = ("Tracking-Skript", "dataLayer", "Startseite", "Kontakt", "Impressum", "Folgen Sie", "font-family")


def collect(inputs, **options) -> tuple[list[SourceDocument], list[ReadFailure]]:
    results = list(iter_documents(inputs, **options))
    documents = [result for result in results if isinstance(result, SourceDocument)]
    failures = [result for result in results if isinstance(result, ReadFailure)]
    assert len(documents) + len(failures) == len(results)
    return documents, failures


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def snapshot(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def test_folder_is_read_recursively_with_relative_ids(tmp_path: Path) -> None:
    archive = tmp_path / "archiv"
    write(archive / "2019" / "lauf3.txt", LAUF_3)
    write(archive / "2020" / "saison" / "finale.md", "# Finale\n\n" + FINALE)
    write(archive / "uebersicht.TXT", "Übersicht der Saison 2019.")
    write(archive / ".notiz.txt", "versteckt")
    write(archive / ".git" / "info.txt", "versteckt")
    write(archive / "bild.png", b"\x89PNG\r\n\x1a\n\x00\x00")

    documents, failures = collect([archive])

    assert failures == []
    assert [doc.doc_id for doc in documents] == ["2019/lauf3", "2020/saison/finale", "uebersicht"]
    assert documents[0].text == LAUF_3
    assert documents[0].source == str(archive / "2019" / "lauf3.txt")
    assert documents[1].text == "Finale\n\n" + FINALE  # heading mark dropped


def test_file_given_directly_uses_its_stem_and_is_normalised(tmp_path: Path) -> None:
    path = write(tmp_path / "bericht_lauf2.txt", "Renn\u00adwagen am\u00a0Start\r\nMu\u0308ller führt.".encode())

    documents, failures = collect([path])

    assert failures == []
    assert documents == [SourceDocument("bericht_lauf2", "Rennwagen am Start\nMüller führt.", str(path))]


def test_single_path_argument_is_not_split_into_characters(tmp_path: Path) -> None:
    path = write(tmp_path / "lauf.txt", LAUF_3)
    documents, _ = collect(str(path))
    assert [doc.doc_id for doc in documents] == ["lauf"]


def test_cp1252_file_is_decoded(tmp_path: Path) -> None:
    path = write(tmp_path / "alt.txt", "„Schöne Grüße“ aus der Boxengasse.".encode("cp1252"))
    documents, _ = collect([path])
    assert documents[0].text == "„Schöne Grüße“ aus der Boxengasse."


def test_html_keeps_article_and_drops_scripts_navigation_footer(tmp_path: Path) -> None:
    path = write(tmp_path / "pressemitteilung.html", PRESS_HTML)

    documents, failures = collect([path])

    assert failures == []
    text = documents[0].text
    assert documents[0].doc_id == "pressemitteilung"
    paragraphs = text.split("\n\n")
    assert "Doppelsieg für Team Falkenstein am Nürburgring" in paragraphs
    assert any(p.startswith("„Das war ein perfektes Wochenende für uns“") for p in paragraphs)
    assert any(p.endswith("auf dem Sachsenring statt.") for p in paragraphs)
    assert len(paragraphs) >= 5
    for unwanted in NOT_IN_ARTICLE:
        assert unwanted not in text


def test_html_fallback_when_trafilatura_finds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: None)
    path = write(tmp_path / "seite.htm", PRESS_HTML)

    documents, failures = collect([path])

    assert failures == []
    text = documents[0].text
    assert text.startswith("Das Team Falkenstein Motorsport hat beim vierten Lauf")
    assert "\n\n„Das war ein perfektes Wochenende für uns“" in text
    for unwanted in NOT_IN_ARTICLE:
        assert unwanted not in text


def test_html_fallback_handles_xhtml_declaration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: None)
    xhtml = PRESS_HTML.replace("<!DOCTYPE html>", '<?xml version="1.0" encoding="iso-8859-1"?>')
    path = write(tmp_path / "alt.html", xhtml.encode("cp1252"))

    documents, failures = collect([path])

    assert failures == []
    assert "Teamchef Markus Oberhalt" in documents[0].text and "Führung" in documents[0].text


def test_html_without_article_text_is_empty(tmp_path: Path) -> None:
    html = "<html><head><script>tracke()</script></head><body><div class='slider'></div></body></html>"
    path = write(tmp_path / "leer.html", html)

    documents, failures = collect([path])

    assert documents == []
    assert [(f.doc_id, f.kind) for f in failures] == [("leer", "empty")]


def test_jsonl_bad_lines_fail_and_the_others_go_through(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "r1", "text": LAUF_3}, ensure_ascii=False),
        '{"id": "r2", "text": "abgebrochen',
        json.dumps({"id": "r3", "titel": "Ohne Text"}),
        "",
        json.dumps({"text": "Ohne Kennung, aber mit Text."}),
        json.dumps({"id": 7, "text": FINALE}),
        json.dumps({"id": "r8", "text": "   \n "}),
        json.dumps({"id": "r9", "text": 42}),
        "[1, 2]",
    ]
    path = write(tmp_path / "meldungen.jsonl", "\r\n".join(lines) + "\r\n")

    documents, failures = collect([path])

    assert [(doc.doc_id, doc.source) for doc in documents] == [
        ("meldungen/r1", f"{path}:1"),
        ("meldungen/5", f"{path}:5"),
        ("meldungen/7", f"{path}:6"),
    ]
    assert documents[0].text == LAUF_3
    assert [(f.doc_id, f.source, f.kind) for f in failures] == [
        ("meldungen/2", f"{path}:2", "bad_json"),
        ("meldungen/r3", f"{path}:3", "missing_text"),
        ("meldungen/r8", f"{path}:7", "empty"),
        ("meldungen/r9", f"{path}:8", "missing_text"),
        ("meldungen/9", f"{path}:9", "bad_json"),
    ]
    assert all(f.message for f in failures)


def test_jsonl_custom_fields(tmp_path: Path) -> None:
    record = {"nr": "2021-04", "inhalt": FINALE, "text": "falsches Feld"}
    path = write(tmp_path / "export.jsonl", json.dumps(record, ensure_ascii=False) + "\n")

    documents, failures = collect([path], id_field="nr", text_field="inhalt")

    assert failures == []
    assert [(doc.doc_id, doc.text) for doc in documents] == [("export/2021-04", FINALE)]


def open_recorder(monkeypatch: pytest.MonkeyPatch) -> list:
    """The file handles the readers open, in order."""
    handles = []

    def recording_open(*args, **kwargs):
        handle = open(*args, **kwargs)
        handles.append(handle)
        return handle

    monkeypatch.setattr(readers, "open", recording_open, raising=False)
    return handles


def test_jsonl_file_is_read_as_it_is_consumed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "DEFAULT_STREAM_HEAD_BYTES", 4096)
    handles = open_recorder(monkeypatch)
    lines = [json.dumps({"id": f"r{number}", "text": f"{FINALE} ({number})"}) for number in range(5000)]
    path = write(tmp_path / "archiv.jsonl", "\n".join(lines) + "\n")
    size = path.stat().st_size

    results = iter_documents([path])
    first = next(results)

    assert first == SourceDocument("archiv/r0", f"{FINALE} (0)", f"{path}:1")
    assert handles[0].raw.tell() <= 4096 < size  # one buffer read, not the whole file
    assert sum(1 for _ in results) == 4999
    assert handles[0].closed


@pytest.mark.parametrize("container", ["file", "zip"])
def test_jsonl_memory_stays_flat_for_a_large_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, container: str) -> None:
    import tracemalloc

    monkeypatch.setattr(readers, "DEFAULT_STREAM_HEAD_BYTES", 64 * 1024)  # the buffers' share of memory
    line = json.dumps({"text": LAUF_3 * 40}, ensure_ascii=False) + "\n"
    content = (line * 2500).encode()  # about 9 MB
    path = write(tmp_path / "archiv.jsonl", content)
    if container == "zip":
        path = make_zip(tmp_path / "archiv.zip", {"archiv.jsonl": content})

    tracemalloc.start()
    try:
        count = sum(1 for result in iter_documents([path]) if isinstance(result, SourceDocument))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert count == 2500
    assert peak < len(content) / 4  # reading whole, it holds the bytes, the text and the lines


def test_jsonl_undecodable_line_fails_alone(tmp_path: Path) -> None:
    content = b"".join([
        codecs.BOM_UTF8 + json.dumps({"id": "r1", "text": LAUF_3}, ensure_ascii=False).encode() + b"\n",
        b'{"id": "r2", "text": "Null\x00Byte"}\n',  # a NUL byte is no text
        json.dumps({"id": "r3", "text": FINALE}).encode() + b"\n",
        json.dumps({"id": "r4", "text": "Grüße aus Zandvoort."}, ensure_ascii=False).encode("cp1252") + b"\n",
    ])
    path = write(tmp_path / "gemischt.jsonl", content)

    documents, failures = collect([path])

    assert [(doc.doc_id, doc.text) for doc in documents] == [
        ("gemischt/r1", LAUF_3),  # the BOM does not spoil the first line
        ("gemischt/r3", FINALE),
        ("gemischt/r4", "Grüße aus Zandvoort."),  # each line is decoded on its own
    ]
    assert [(f.doc_id, f.source, f.stage, f.kind) for f in failures] == [
        ("gemischt/2", f"{path}:2", "decode", "binary"),
    ]
    assert failures[0].message.startswith("line 2: ")


def test_jsonl_utf16_with_bom_and_a_broken_end(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "r1", "text": LAUF_3}, ensure_ascii=False),
             json.dumps({"id": "r2", "text": "Zeile\u2028mit Trenner"}, ensure_ascii=False)]
    content = ("\r\n".join(lines) + "\r\n").encode("utf-16")
    path = write(tmp_path / "powershell.jsonl", content + b"\x00\xd8")  # a lone surrogate at the end

    documents, failures = collect([path])

    assert [(doc.doc_id, doc.text) for doc in documents] == [
        ("powershell/r1", LAUF_3), ("powershell/r2", "Zeile\u2028mit Trenner")]
    assert [(f.doc_id, f.stage, f.kind) for f in failures] == [("powershell/3", "decode", "undecodable")]


def test_jsonl_binary_file_is_one_failure(tmp_path: Path) -> None:
    path = write(tmp_path / "bild.jsonl", bytes(range(32)) * 200)

    documents, failures = collect([path])

    assert documents == []
    assert [(f.doc_id, f.stage, f.kind) for f in failures] == [("bild", "decode", "binary")]


def test_jsonl_lone_surrogate_escape_becomes_a_replacement_character(tmp_path: Path) -> None:
    path = write(tmp_path / "kaputt.jsonl", '{"id": "s", "text": "Lena \\ud800 Hofbauer \\udc00\\ud800 siegt."}\n')

    documents, failures = collect([path])

    assert failures == []
    assert documents[0].text == "Lena \ufffd Hofbauer \ufffd\ufffd siegt."


def test_csv_semicolon_with_bom_and_custom_columns(tmp_path: Path) -> None:
    content = (
        "kennung;datum;meldung\r\n"
        "m1;2019-05-12;Brenninger siegt; Wittstock Zweite.\r\n"
        'm2;2019-06-02;"Regenrennen in Zandvoort;\r\nAbbruch nach 12 Runden."\r\n'
        "m3;2019-06-30;\r\n"
    )
    path = write(tmp_path / "tabelle.csv", codecs.BOM_UTF8 + content.encode("utf-8"))

    documents, failures = collect([path], id_field="kennung", text_field="meldung")

    assert [(doc.doc_id, doc.text) for doc in documents] == [
        ("tabelle/m1", "Brenninger siegt"),  # unquoted ';' splits the field, as in Excel
        ("tabelle/m2", "Regenrennen in Zandvoort;\nAbbruch nach 12 Runden."),
    ]
    assert documents[1].source == f"{path}:3"
    assert [(f.doc_id, f.kind) for f in failures] == [("tabelle/m3", "empty")]


def test_csv_comma_cp1252_without_id_column(tmp_path: Path) -> None:
    content = 'text,quelle\n"Müller, Dürr und Öztürk auf dem Podium.",Pressestelle\n„Zitat“ am Ende,Team\n'
    path = write(tmp_path / "alt.csv", content.encode("cp1252"))

    documents, failures = collect([path])

    assert failures == []
    assert [(doc.doc_id, doc.text) for doc in documents] == [
        ("alt/2", "Müller, Dürr und Öztürk auf dem Podium."),
        ("alt/3", "„Zitat“ am Ende"),
    ]


def test_csv_without_text_column_is_one_failure(tmp_path: Path) -> None:
    path = write(tmp_path / "falsch.csv", "id;inhalt\n1;Etwas Text\n")

    documents, failures = collect([path])

    assert documents == []
    assert [(f.doc_id, f.kind) for f in failures] == [("falsch", "missing_text")]
    assert "'text'" in failures[0].message and "inhalt" in failures[0].message


def test_csv_file_is_read_as_it_is_consumed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "DEFAULT_STREAM_HEAD_BYTES", 4096)
    handles = open_recorder(monkeypatch)
    rows = "".join(f'r{number};"{FINALE}\r\nZeile {number}."\r\n' for number in range(3000))
    path = write(tmp_path / "tabelle.csv", "id;text\r\n" + rows)

    results = iter_documents([path])
    first = next(results)

    assert first == SourceDocument("tabelle/r0", f"{FINALE}\nZeile 0.", f"{path}:2")
    assert handles[0].raw.tell() <= 4096 < path.stat().st_size
    assert sum(1 for _ in results) == 2999


def test_csv_encoding_is_decided_on_its_first_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "DEFAULT_STREAM_HEAD_BYTES", 256)
    rows = [f"{number};Grüße aus Runde {number}, „Zitat“." for number in range(40)]
    cp1252 = write(tmp_path / "alt.csv", "\n".join(["id;text", *rows]).encode("cp1252"))
    # ASCII first, then a late line that is not UTF-8: every row is kept, that line read as cp1252.
    mixed = write(tmp_path / "gemischt.csv", "\n".join(["id;text", *rows]).encode("ascii", "replace")
                  + "\nx;Grüße\n".encode("cp1252"))

    documents, failures = collect([cp1252, mixed])

    assert [doc.text for doc in documents[:40]] == [row.split(";", 1)[1] for row in rows]
    assert failures == []
    assert [doc.doc_id for doc in documents[40:]] == [f"gemischt/{number}" for number in range(40)] + ["gemischt/x"]
    assert documents[-1].text == "Grüße"
    assert documents[-1].note == "mixed encodings: line 42 is not UTF-8 and was read as cp1252"
    assert all(doc.note == "" for doc in documents[:-1])


def make_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_zip_members_are_read_in_place_with_sanitised_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "arbeit"
    work.mkdir()
    monkeypatch.chdir(work)  # a careless extract of "../evil.txt" would land in tmp_path
    path = make_zip(
        tmp_path / "paket.zip",
        {
            "../evil.txt": "Ausbruchsversuch aus dem Archiv.",
            "/abs.txt": "Absoluter Pfad im Archiv.",
            "C:\\rennen\\laufwerk.txt": "Laufwerksbuchstabe im Archiv.",
            "berichte/2019/lauf3.txt": LAUF_3,
            "berichte/seite.html": PRESS_HTML,
            "daten.jsonl": json.dumps({"id": "a", "text": FINALE}) + "\n{kaputt\n",
            ".versteckt.txt": "versteckt",
            "__MACOSX/._lauf3.txt": "Ressourcen",
            "bild.png": b"\x89PNG\r\n\x1a\n\x00",
            "innen.zip": b"PK\x05\x06" + b"\x00" * 18,
            "berichte/": b"",
        },
    )
    before = snapshot(tmp_path)

    documents, failures = collect([path])

    assert snapshot(tmp_path) == before
    assert [doc.doc_id for doc in documents] == [
        "paket/abs",
        "paket/berichte/2019/lauf3",
        "paket/berichte/seite",
        "paket/daten/a",
        "paket/evil",
        "paket/rennen/laufwerk",
    ]
    by_id = {doc.doc_id: doc for doc in documents}
    assert by_id["paket/evil"].source == f"{path}:../evil.txt"
    assert by_id["paket/berichte/2019/lauf3"].text == LAUF_3
    assert "Startseite" not in by_id["paket/berichte/seite"].text
    assert [(f.doc_id, f.kind) for f in failures] == [("paket/daten/2", "bad_json"), ("paket/innen", "unsupported")]


def test_zip_member_over_size_limit_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "DEFAULT_MAX_MEMBER_BYTES", 1000)
    path = make_zip(tmp_path / "bombe.zip", {"gross.txt": "Runde " * 10_000, "klein.txt": FINALE})

    documents, failures = collect([path])

    assert [doc.doc_id for doc in documents] == ["bombe/klein"]
    assert [(f.doc_id, f.kind) for f in failures] == [("bombe/gross", "too_large")]


def test_damaged_zip_jsonl_member_gives_one_error_and_no_records(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"id": f"r{number}", "text": f"{FINALE} ({number})"}) + "\n" for number in range(3000))
    path = make_zip(tmp_path / "paket.zip", {"daten.jsonl": lines, "gut.jsonl": lines.split("\n", 2)[2]})
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # in the middle of daten.jsonl's deflate stream
    path.write_bytes(bytes(data))

    documents, failures = collect([path])

    # The flipped byte may decompress to garbage that zipfile notices (by the CRC) only at the end.
    assert [(f.doc_id, f.kind) for f in failures] == [("paket/daten", "bad_zip")]
    assert [doc.doc_id for doc in documents] == [f"paket/gut/r{number}" for number in range(2, 3000)]


def test_broken_zip_is_a_failure(tmp_path: Path) -> None:
    path = write(tmp_path / "kaputt.zip", b"das ist kein Archiv")
    documents, failures = collect([path])
    assert documents == []
    assert [(f.doc_id, f.kind) for f in failures] == [("kaputt", "bad_zip")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../evil.txt", "evil.txt"),
        ("/abs.txt", "abs.txt"),
        ("C:\\x\\y.txt", "x/y.txt"),
        ("a/../../b.txt", "a/b.txt"),
        ("./ok/./datei.md", "ok/datei.md"),
        ("..", ""),
    ],
)
def test_sanitize_member_name(name: str, expected: str) -> None:
    assert sanitize_member_name(name) == expected


def test_stdin_bytes_and_text() -> None:
    documents, _ = collect(["-"], stdin=io.BytesIO("Grüße aus der Boxengasse.\r\n".encode("cp1252")))
    assert documents == [SourceDocument("stdin", "Grüße aus der Boxengasse.\n", "stdin")]

    documents, _ = collect(["-"], stdin=io.StringIO("Mu\u0308ller vorn."))
    assert [doc.text for doc in documents] == ["Müller vorn."]


def test_missing_or_closed_stdin_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers.sys, "stdin", None)
    assert [f.kind for f in collect(["-"])[1]] == ["missing_file"]
    closed = io.BytesIO(b"Text")
    closed.close()
    assert [f.kind for f in collect(["-"], stdin=closed)[1]] == ["unreadable"]


def test_empty_whitespace_binary_missing_and_unsupported_fail_without_stopping(tmp_path: Path) -> None:
    empty = write(tmp_path / "leer.txt", b"")
    blank = write(tmp_path / "blank.md", " \r\n\t\u00a0\n")
    binary = write(tmp_path / "bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "fehlt.txt"
    unsupported = write(tmp_path / "tabelle.xlsx", b"PK")
    good = write(tmp_path / "gut.txt", FINALE)

    documents, failures = collect([empty, blank, binary, missing, unsupported, good])

    assert [doc.doc_id for doc in documents] == ["gut"]
    assert [(f.doc_id, f.stage, f.kind) for f in failures] == [
        ("leer", "read", "empty"),
        ("blank", "read", "empty"),
        ("bild", "decode", "binary"),
        ("fehlt", "read", "missing_file"),
        ("tabelle", "read", "unsupported"),
    ]
    assert failures[3].source == str(missing)


def test_duplicate_ids_are_made_unique_in_input_order(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "lauf1.txt", "Erster Bericht.")
    second = write(tmp_path / "b" / "lauf1.md", "Zweiter Bericht.")
    third = write(tmp_path / "c" / "lauf1~2.txt", "Dritter Bericht.")

    results = collect([first, second, third, first])[0]

    assert [doc.doc_id for doc in results] == ["lauf1", "lauf1~2", "lauf1~2~2", "lauf1~3"]
    assert [doc.text for doc in results][:2] == ["Erster Bericht.", "Zweiter Bericht."]
    # Same inputs, same ids.
    assert [doc.doc_id for doc in collect([first, second, third, first])[0]] == [doc.doc_id for doc in results]


# --------------------------------------------------------------------------- inputs that used to stop or hang a run


def test_lone_surrogate_in_a_jsonl_id_is_one_failure(tmp_path: Path) -> None:
    path = write(tmp_path / "archiv.jsonl", '{"id": "pm-\\ud800", "text": "Erster Text."}\n'
                                            '{"id": "pm-2", "text": "Zweiter Text."}\n')

    documents, failures = collect([path])

    assert [doc.doc_id for doc in documents] == ["archiv/pm-2"]
    assert [(f.doc_id, f.kind) for f in failures] == [("archiv/pm-\ufffd", "bad_id")]
    (failures[0].doc_id + failures[0].source + failures[0].message).encode("utf-8")  # storable


def test_file_name_that_is_not_utf8_is_one_failure(tmp_path: Path) -> None:
    folder = tmp_path / "eingang"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"bericht-\xfc.txt"), "wb") as handle:
        handle.write(FINALE.encode())
    write(folder / "gut.txt", LAUF_3)

    documents, failures = collect([folder])

    assert [doc.doc_id for doc in documents] == ["gut"]
    assert [(f.doc_id, f.kind) for f in failures] == [("bericht-\ufffd", "bad_name")]
    failures[0].source.encode("utf-8")


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="needs a POSIX system")
def test_fifo_and_symlink_to_a_device_are_failures_not_hangs(tmp_path: Path) -> None:
    folder = tmp_path / "eingang"
    folder.mkdir()
    os.mkfifo(folder / "rohr.txt")
    os.mkfifo(folder / "rohr.jsonl")
    (folder / "null.txt").symlink_to("/dev/zero")
    (folder / "null.csv").symlink_to("/dev/zero")
    write(folder / "gut.txt", LAUF_3)

    documents, failures = collect([folder])  # a hang here is the bug: no writer ever opens the FIFOs

    assert [doc.doc_id for doc in documents] == ["gut"]
    assert sorted((f.doc_id, f.kind) for f in failures) == [
        ("null", "unsupported"), ("null", "unsupported"), ("rohr", "unsupported"), ("rohr", "unsupported")]
    assert all("not a regular file" in f.message for f in failures)


def test_plain_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "DEFAULT_MAX_FILE_BYTES", 1000)
    big = write(tmp_path / "riesig.txt", "Runde um Runde. " * 100)
    small = write(tmp_path / "klein.txt", LAUF_3)

    documents, failures = collect([big, small])

    assert [doc.doc_id for doc in documents] == ["klein"]
    assert [(f.doc_id, f.kind) for f in failures] == [("riesig", "too_large")]


def test_deeply_nested_folders_are_read_without_recursion(tmp_path: Path) -> None:
    root = tmp_path / "tief"
    relative = os.path.join(*(["d"] * 1500))
    folders = [str(root)]
    for _ in range(1500):  # os.makedirs (and shutil.rmtree) would recurse too deep themselves
        folders.append(os.path.join(folders[-1], "d"))
    try:
        for folder in folders:
            os.mkdir(folder)
        write(Path(folders[-1], "unten.txt"), FINALE)
        write(root / "oben.txt", LAUF_3)

        documents, failures = collect([root])
    finally:
        for name in ("unten.txt",):
            Path(folders[-1], name).unlink(missing_ok=True)
        (root / "oben.txt").unlink(missing_ok=True)
        for folder in reversed(folders):
            os.rmdir(folder)

    assert failures == []
    assert [doc.doc_id for doc in documents] == [relative.replace(os.sep, "/") + "/unten", "oben"]


def test_unsupported_files_in_folders_and_zips_are_counted(tmp_path: Path) -> None:
    from collections import Counter

    folder = tmp_path / "eingang"
    write(folder / "a.odt", b"PK")
    write(folder / "b.rtf", b"{\\rtf1}")
    write(folder / "unter" / "c.rtf", b"{\\rtf1}")
    write(folder / ".versteckt.rtf", b"{\\rtf1}")
    with zipfile.ZipFile(folder / "paket.zip", "w") as archive:
        archive.writestr("d.odt", "x")
        archive.writestr("e.txt", FINALE)
    skipped: Counter = Counter()

    documents, failures = collect([folder], skipped=skipped)

    assert [doc.doc_id for doc in documents] == ["paket/e"]
    assert skipped == Counter({".rtf": 2, ".odt": 2})


def test_mixed_utf8_and_cp1252_text_file_is_decoded_line_by_line(tmp_path: Path) -> None:
    utf8 = "„Das war knapp“, sagte Jonas Brenninger über die Schikane in Görlitz.\n\n"
    cp1252 = "„Mehr war nicht drin“, ärgerte sich Lea Wittstock.\n"
    path = write(tmp_path / "gemischt.txt", utf8.encode("utf-8") + cp1252.encode("cp1252"))

    documents, failures = collect([path])

    assert failures == []
    assert documents[0].text == utf8 + cp1252
    assert documents[0].note.startswith("mixed encodings: 1 of 4 lines are not UTF-8")


def test_a_line_mixing_utf8_and_cp1252_keeps_the_utf8_quote_marks(tmp_path: Path) -> None:
    utf8 = "„Das war knapp“, sagte Jonas Brenninger in Görlitz. "
    cp1252 = "Lea Wittstock ärgerte sich."
    text_file = write(tmp_path / "eine-zeile.txt", utf8.encode("utf-8") + cp1252.encode("cp1252"))
    csv_file = write(tmp_path / "zeilen.csv", b"id;text\n1;" + utf8.encode("utf-8") + cp1252.encode("cp1252") + b"\n")

    documents, failures = collect([text_file, csv_file])

    assert failures == []
    assert [doc.text for doc in documents] == [utf8 + cp1252] * 2
    assert all(doc.note.startswith("mixed encodings: ") for doc in documents)


def test_pure_cp1252_file_has_no_note(tmp_path: Path) -> None:
    path = write(tmp_path / "alt.txt", "„Mehr war nicht drin“, ärgerte sich Lea Wittstock.".encode("cp1252"))

    documents, _ = collect([path])

    assert documents[0].text == "„Mehr war nicht drin“, ärgerte sich Lea Wittstock." and documents[0].note == ""


def test_csv_field_over_the_limit_fails_alone_and_reading_goes_on(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "DEFAULT_MAX_CSV_FIELD_CHARS", 100)
    import csv as csv_module

    previous = csv_module.field_size_limit(100)
    try:
        path = write(tmp_path / "tabelle.csv", "id;text\n1;Kurz.\n2;" + "x" * 500 + "\n3;Danach.\n")
        documents, failures = collect([path])
    finally:
        csv_module.field_size_limit(previous)

    assert [doc.doc_id for doc in documents] == ["tabelle/1", "tabelle/3"]
    assert [(f.doc_id, f.source, f.kind) for f in failures] == [("tabelle", f"{path}:3", "bad_csv")]
    assert failures[0].message.startswith("row 3 (line 3): field larger than field limit")
    assert "reading goes on after line 3" in failures[0].message


def test_csv_field_over_the_limit_across_lines_says_the_rest_is_not_read(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "DEFAULT_MAX_CSV_FIELD_CHARS", 100)
    import csv as csv_module

    previous = csv_module.field_size_limit(100)
    try:
        path = write(tmp_path / "tabelle.csv", 'id;text\n1;Kurz.\n2;"' + "Zeile\n" * 40 + '"\n3;Danach.\n')
        documents, failures = collect([path])
    finally:
        csv_module.field_size_limit(previous)

    assert [doc.doc_id for doc in documents] == ["tabelle/1"]
    assert len(failures) == 1 and "are not read" in failures[0].message


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_an_over_long_line_is_not_held_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 suffix: str) -> None:
    monkeypatch.setattr(readers, "DEFAULT_MAX_LINE_BYTES", 1000)
    if suffix == ".jsonl":
        content = ('{"id": "a", "text": "Vorher."}\n{"id": "b", "text": "' + "x" * 5000 + '"}\n'
                   '{"id": "c", "text": "Nachher."}\n')
    else:
        content = "id;text\na;Vorher.\nb;" + "x" * 5000 + "\nc;Nachher.\n"
    path = write(tmp_path / f"archiv{suffix}", content)

    documents, failures = collect([path])

    assert [doc.doc_id for doc in documents][0] == "archiv/a"
    assert len(failures) == 1 and "longer than 1000 bytes" in failures[0].message
    if suffix == ".jsonl":  # one record per line: the next one is read
        assert [doc.doc_id for doc in documents] == ["archiv/a", "archiv/c"]
        assert (failures[0].doc_id, failures[0].kind) == ("archiv/2", "too_large")
