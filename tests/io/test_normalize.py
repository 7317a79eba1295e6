import codecs

import pytest

from pipeline.io.normalize import (
    UndecodableInput,
    decode_bytes,
    decode_line,
    decode_noted,
    decode_unmarked,
    normalize_text,
    sniff_encoding,
)

PRESS_TEXT = (
    "„Wir waren heute einfach schneller“, sagte Jonas Brenninger nach dem Lauf in Hockenheim. Größe zählt nicht."
)


@pytest.mark.parametrize(
    "text",
    [
        PRESS_TEXT,
        "Grüße",  # very short: charset detectors alone misread this
        "Crème brûlée für Pérez – Endstand: 1. Platz, 25 Punkte",
    ],
)
def test_cp1252_archive_text_decodes(text: str) -> None:
    assert decode_bytes(text.encode("cp1252")) == text


def test_latin1_decodes() -> None:
    text = "Überholmanöver in der Schikane: Anaïs Dürr verliert Platz zwei an Piet van Dalen."
    assert decode_bytes(text.encode("latin-1")) == text


def test_utf8_plain_and_bom_stripped() -> None:
    assert decode_bytes(PRESS_TEXT.encode("utf-8")) == PRESS_TEXT
    decoded = decode_bytes(codecs.BOM_UTF8 + PRESS_TEXT.encode("utf-8"))
    assert decoded == PRESS_TEXT
    assert not decoded.startswith("\ufeff")


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_utf16_with_bom(bom: bytes, encoding: str) -> None:
    decoded = decode_bytes(bom + PRESS_TEXT.encode(encoding))
    assert decoded == PRESS_TEXT


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"Startaufstellung\x00\x00" + "Nürburgring".encode(),
        bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 20 + b"Text",  # control bytes without NUL
    ],
)
def test_binary_data_is_rejected(data: bytes) -> None:
    with pytest.raises(UndecodableInput) as caught:
        decode_bytes(data)
    assert caught.value.kind == "binary"
    assert "binary" in str(caught.value)


def test_broken_utf16_is_undecodable() -> None:
    with pytest.raises(UndecodableInput) as caught:
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")  # lone surrogate
    assert caught.value.kind == "undecodable"
    assert caught.value.message


def test_empty_bytes_decode_to_empty_text() -> None:
    assert decode_bytes(b"") == ""


def test_normalize_removes_invisible_and_unifies_spaces_and_lines() -> None:
    raw = "\ufeffRenn\u00adwagen\r\n24\u00a0Stunden\u202fvom\u2007Ring\rZiel\u200b\u200c\u200d\u2060erreicht"
    assert normalize_text(raw) == "Rennwagen\n24 Stunden vom Ring\nZielerreicht"


def test_normalize_composes_to_nfc() -> None:
    assert normalize_text("Mu\u0308ller") == "Müller"
    # A soft hyphen between base and mark must not block composition.
    assert normalize_text("Mu\u00ad\u0308ller") == "Müller"


def test_normalize_keeps_paragraphs_and_everything_else() -> None:
    text = "Erster Absatz.\n\n\nZweiter Absatz:\t„Zitat“ – 1:23,456 min 🏁"
    assert normalize_text(text) == text
    assert normalize_text("Absatz eins.\r\n\r\nAbsatz zwei.") == "Absatz eins.\n\nAbsatz zwei."


def test_normalize_is_idempotent() -> None:
    once = normalize_text("A\u00a0B\r\nMu\u0308ller\u00ad")
    assert normalize_text(once) == once


def test_normalize_replaces_each_lone_surrogate_keeping_offsets() -> None:
    text = "Lena \ud800 Hofbauer \udc00\ud800 (Zwickau) \ud83d\ude00 siegt."
    normalised = normalize_text(text)
    assert normalised == "Lena \ufffd Hofbauer \ufffd\ufffd (Zwickau) \ufffd\ufffd siegt."
    assert len(normalised) == len(text)
    assert normalised.encode("utf-8")
    assert normalize_text("Rennen 🏁 \U0001f600") == "Rennen 🏁 \U0001f600"  # real astral characters stay


def test_a_line_pasted_together_from_utf8_and_cp1252_keeps_both_parts() -> None:
    utf8 = "„Das war knapp“, sagte Jörg Brenninger über die Schikane – "
    cp1252 = "„Mehr war nicht drin“, ärgerte sich Lea Wittstock (Größe: 5 €)…"
    line = utf8.encode("utf-8") + cp1252.encode("cp1252")

    assert decode_line(line, "utf-8") == (utf8 + cp1252, True)
    decoded = decode_noted(line)  # a one-line file, or a JSON Lines record
    assert decoded.text == utf8 + cp1252
    assert decoded.note.startswith("mixed encodings: 1 of 1 lines are not UTF-8")


@pytest.mark.parametrize("text", ["Das war groß“ – Größe zählt", "Ä„ und Å° in cp1252: Größe"])
def test_cp1252_bytes_that_happen_to_form_other_utf8_pairs_stay_cp1252(text: str) -> None:
    # ß“ is DF 93 and Ä„ C4 84, valid UTF-8 pairs that German UTF-8 text does not use.
    assert decode_line(text.encode("cp1252"), "utf-8") == (text, True)
    assert decode_noted(text.encode("cp1252")).text == text


def test_decode_unmarked_keeps_a_bom_and_detects_per_call() -> None:
    assert decode_unmarked("Grüße".encode("cp1252")) == "Grüße"
    assert decode_unmarked(codecs.BOM_UTF8 + b"x") == "\ufeffx"  # only decode_bytes strips it
    with pytest.raises(UndecodableInput):
        decode_unmarked(b'{"text": "\x00"}')


@pytest.mark.parametrize(
    ("head", "complete", "encoding"),
    [
        (codecs.BOM_UTF8 + b"id;text\n", True, "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "id".encode("utf-16-le"), True, "utf-16"),
        (codecs.BOM_UTF32_LE + "id".encode("utf-32-le"), True, "utf-32"),
        ("id;text\n1;Grüße".encode(), True, "utf-8"),
        ("text Grüß".encode()[:-1], False, "utf-8"),  # a character cut by the end of the head
        ("id;text\n1;Grüße".encode("cp1252"), True, "cp1252"),
        ("id;text\n1;„Grüße“ ".encode() + "aus Göttingen".encode("cp1252"), True, "utf-8"),  # read by line
        ("id;text\n1;Grüße\n2;Gr".encode() + b"\xc3", False, "utf-8"),  # the cut last line is left out
        (b"", True, "utf-8"),
    ],
)
def test_sniff_encoding_chooses_as_decode_bytes_does(head: bytes, complete: bool, encoding: str) -> None:
    assert sniff_encoding(head, complete=complete) == encoding


def test_sniff_encoding_rejects_binary_data() -> None:
    with pytest.raises(UndecodableInput) as caught:
        sniff_encoding(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\n", complete=False)
    assert caught.value.kind == "binary"
