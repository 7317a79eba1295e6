"""Word and PDF input: text and paragraphs, and hostile files that become failures."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest

from pipeline import analyze
from pipeline.io.office import DEFAULT_MAX_UNPACKED_BYTES, docx_text, office_document, pdf_text, reflow
from pipeline.io.readers import ReadFailure, SourceDocument, iter_documents

PARAGRAPHS = [
    "Sieg für Hedda Karlsrud",
    "Hedda Karlsrud (Norwegen) gewann im Audi R8 LMS des Teams Fjordlicht Racing.",
    "„Das war mein bestes Rennen“, sagte Karlsrud.",
]


def make_docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with one text line per entry (Helvetica, WinAnsi: umlauts and „“ included)."""

    def literal(text: str) -> bytes:
        raw = text.encode("cp1252")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    content = b"BT /F1 11 Tf 14 TL 50 780 Td " + b" ".join(literal(line) + b" Tj T*" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_docx_paragraphs_become_blank_line_separated_text() -> None:
    data = make_docx([PARAGRAPHS[0], "", "  ", *PARAGRAPHS[1:]])

    assert docx_text(data) == "\n\n".join(PARAGRAPHS)


def test_pdf_lines_are_reflowed_into_paragraphs() -> None:
    lines = ["Hedda Karlsrud (Norwegen) gewann im Audi R8 LMS des Teams Fjordlicht",
             "Racing vor Bruno Vasselin und dem Titelverteidiger aus dem Renn-",
             "wagen von Loire-",
             "Motorsport auf dem Nürburgring.",
             "„Das war mein bestes Rennen“, sagte Karlsrud."]

    text = pdf_text(make_pdf(lines))

    assert text.split("\n\n") == [
        "Hedda Karlsrud (Norwegen) gewann im Audi R8 LMS des Teams Fjordlicht Racing vor Bruno Vasselin und "
        "dem Titelverteidiger aus dem Rennwagen von Loire-Motorsport auf dem Nürburgring.",
        "„Das war mein bestes Rennen“, sagte Karlsrud.",
    ]


def test_reflow_keeps_blank_lines_and_long_sentence_lines_together() -> None:
    page = ("Eine lange Zeile, die mit einem Punkt endet und fast so breit ist wie alle.\n"
            "Weiter im selben Absatz bis zum Ende der Zeile, breit genug für den Satz.\n\n"
            "Neuer Absatz -\nmit Gedankenstrich.")

    assert reflow(page) == [
        "Eine lange Zeile, die mit einem Punkt endet und fast so breit ist wie alle. "
        "Weiter im selben Absatz bis zum Ende der Zeile, breit genug für den Satz.",
        "Neuer Absatz - mit Gedankenstrich.",
    ]


def test_word_and_pdf_files_in_a_folder_are_read_and_analysed(tmp_path: Path, offline_nlp) -> None:
    (tmp_path / "bericht.docx").write_bytes(make_docx(PARAGRAPHS))
    (tmp_path / "vorschau.pdf").write_bytes(make_pdf(PARAGRAPHS))

    documents = list(iter_documents([tmp_path]))

    assert [(d.doc_id, type(d)) for d in documents] == [("bericht", SourceDocument), ("vorschau", SourceDocument)]
    assert documents[0].text == "\n\n".join(PARAGRAPHS)
    result = analyze([tmp_path], nlp=offline_nlp)
    assert set(result.drivers["driver"]) == {"Hedda Karlsrud"}
    assert set(result.drivers["team"]) == {"Fjordlicht Racing"}
    assert set(result.quotes["speaker"]) == {"Hedda Karlsrud"}


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (DEFAULT_MAX_UNPACKED_BYTES + 1))
    return buffer.getvalue()


def _encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(PARAGRAPHS))))
    writer.encrypt("geheim", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("suffix", "make", "kind"), [
    (".docx", _zip_bomb, "too_large"),
    (".docx", lambda: b"PK\x03\x04 kaputt", "unreadable"),
    (".docx", lambda: b"kein Word", "unreadable"),
    (".docx", lambda: _zip_with("word/document.xml", b"<w:document"), "unreadable"),
    (".docx", lambda: make_docx(["", " "]), "empty"),
    (".pdf", lambda: b"%PDF-1.4\n kaputt", "unreadable"),
    (".pdf", lambda: b"", "unreadable"),
    (".pdf", _encrypted_pdf, "encrypted"),
    (".pdf", lambda: make_pdf([]), "empty"),
])
def test_broken_and_hostile_files_are_failures_with_a_reason(suffix: str, make, kind: str) -> None:
    result = office_document(make(), suffix, "pm", "pm" + suffix)

    assert isinstance(result, ReadFailure)
    assert (result.doc_id, result.stage, result.kind) == ("pm", "read", kind)
    assert result.message


def _zip_with(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()
