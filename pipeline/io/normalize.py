"""Decode raw bytes and normalise text; pipeline offsets refer to normalised text."""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

DEFAULT_BINARY_CONTROL_RATIO = 0.10  # share of C0 control bytes that marks data as binary
# Western text is mostly ASCII; above this share of high bytes, ask the detector instead.
DEFAULT_CP1252_MAX_HIGH_BYTE_RATIO = 0.30
DEFAULT_DETECTION_MIN_BYTES = 64  # below this, detection is guesswork: take cp1252 if it fits

# Control bytes that never occur in text (tab, LF, FF, CR and ESC do).
_BINARY_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_HIGH_BYTES = bytes(range(0x80, 0x100))
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)  # checked before UTF-16: FF FE prefix
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_NO_BREAK_SPACES = re.compile("[\u00a0\u202f\u2007]")
# Soft hyphen, zero-width space/non-joiner/joiner, word joiner, zero-width no-break space (BOM).
_INVISIBLES = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


class UndecodableInput(Exception):
    """Bytes that are not text; `kind` is "binary" or "undecodable"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def decode_bytes(data: bytes) -> str:
    """Decode text bytes: UTF-8, UTF-16/32 with BOM, else detected (cp1252 archives)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith(_UTF32_BOMS):
        return _decode_with_bom(data, "utf-32")
    elif data.startswith(_UTF16_BOMS):
        return _decode_with_bom(data, "utf-16")
    if _looks_binary(data):
        raise UndecodableInput("binary", "binary data (NUL or control bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_detected(data)


def normalize_text(text: str) -> str:
    """Canonical text: NFC, LF line ends, plain spaces, no soft hyphens or zero-width chars."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLES.sub("", text)
    text = _NO_BREAK_SPACES.sub(" ", text)
    # NFC last, so combining marks next to removed invisibles still compose.
    return unicodedata.normalize("NFC", text)


def _decode_with_bom(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)  # the codec consumes the BOM
    except UnicodeDecodeError as error:
        raise UndecodableInput("undecodable", f"invalid {encoding.upper()} data: {error.reason}") from None


def _looks_binary(data: bytes) -> bool:
    if not data:
        return False
    if b"\x00" in data:
        return True
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROL_BYTES))
    return controls / len(sample) > DEFAULT_BINARY_CONTROL_RATIO


def _decode_detected(data: bytes) -> str:
    # Detectors misread short German text (e.g. as cp1250 or cp1006), and old archives
    # are nearly always Windows-1252 / Latin-1, so try that first when the bytes fit.
    high_bytes = len(data) - len(data.translate(None, _HIGH_BYTES))
    if len(data) < DEFAULT_DETECTION_MIN_BYTES or high_bytes / len(data) <= DEFAULT_CP1252_MAX_HIGH_BYTE_RATIO:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise UndecodableInput("undecodable", "no plausible text encoding found")
    return str(best)
