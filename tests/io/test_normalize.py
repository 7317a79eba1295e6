import codecs

import pytest

from pipeline.io.normalize import UndecodableInput, decode_bytes, normalize_text

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
