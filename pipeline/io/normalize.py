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
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_NO_BREAK_SPACES = re.compile("[\u00a0\u202f\u2007]")
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
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
    encoding = bom_encoding(data)
    if encoding == "utf-8-sig":
        data = data[len(codecs.BOM_UTF8):]
    elif encoding is not None:
        return _decode_with_bom(data, encoding)
    return decode_unmarked(data)


def decode_unmarked(data: bytes) -> str:
    """Decode bytes without a byte order mark (e.g. one line of a JSON Lines file) as decode_bytes does."""
    if _looks_binary(data):
        raise UndecodableInput("binary", "binary data (NUL or control bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _detect(data)[1]


def bom_encoding(head: bytes) -> str | None:
    """The codec a byte order mark at the start of `head` names ("utf-8-sig", "utf-16", "utf-32"), else None."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(_UTF32_BOMS):  # before UTF-16: FF FE starts both
        return "utf-32"
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    return None


def sniff_encoding(head: bytes, *, complete: bool) -> str:
    """The codec decode_bytes would use for data that starts with `head`.

    For streams, which are decoded with one codec chosen on their first bytes;
    `complete` says `head` is all the data, else its last (maybe cut) line is ignored.
    """
    encoding = bom_encoding(head)
    if encoding is not None:
        return encoding
    if not complete and b"\n" in head:
        head = head[:head.rindex(b"\n") + 1]
    if _looks_binary(head):
        raise UndecodableInput("binary", "binary data (NUL or control bytes), not text")
    try:
        # Incremental, so a character cut at the end of an incomplete head is no error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    return _detect(head)[0]


def looks_binary_start(head: bytes) -> bool:
    """Whether a line-based file starting with `head` is binary (or UTF-16 without a BOM).

    Judged by the share of control bytes only: a NUL in one line of a JSON Lines
    file spoils that line (decode_unmarked rejects it), not the whole file.
    """
    return _mostly_control_bytes(head)


def normalize_text(text: str) -> str:
    """Canonical text: NFC, LF line ends, plain spaces, no soft hyphens or zero-width chars.

    Lone surrogates (e.g. from a JSON "\\ud800" escape) become U+FFFD: no output format
    can store them. One replacement per surrogate, so it changes no offset.
    """
    text = _without_lone_surrogates(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLES.sub("", text)
    text = _NO_BREAK_SPACES.sub(" ", text)
    # NFC last, so combining marks next to removed invisibles still compose.
    return unicodedata.normalize("NFC", text)


def _without_lone_surrogates(text: str) -> str:
    # Encoding is several times faster than a regex scan, and most texts have no surrogate.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATES.sub("\ufffd", text)
    return text


def _decode_with_bom(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)  # the codec consumes the BOM
    except UnicodeDecodeError as error:
        raise UndecodableInput("undecodable", f"invalid {encoding.upper()} data: {error.reason}") from None


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data or _mostly_control_bytes(data)


def _mostly_control_bytes(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROL_BYTES))
    return controls / len(sample) > DEFAULT_BINARY_CONTROL_RATIO


def _detect(data: bytes) -> tuple[str, str]:
    """(codec, text) of bytes that are not UTF-8."""
    # Detectors misread short German text (e.g. as cp1250 or cp1006), and old archives
    # are nearly always Windows-1252 / Latin-1, so try that first when the bytes fit.
    high_bytes = len(data) - len(data.translate(None, _HIGH_BYTES))
    if len(data) < DEFAULT_DETECTION_MIN_BYTES or high_bytes / len(data) <= DEFAULT_CP1252_MAX_HIGH_BYTE_RATIO:
        try:
            return "cp1252", data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise UndecodableInput("undecodable", "no plausible text encoding found")
    return best.encoding, str(best)
