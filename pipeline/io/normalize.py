"""Decode raw bytes and normalise text; pipeline offsets refer to normalised text."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

DEFAULT_BINARY_CONTROL_RATIO = 0.10  # share of C0 control bytes that marks data as binary
# Western text is mostly ASCII; above this share of high bytes, ask the detector instead.
DEFAULT_CP1252_MAX_HIGH_BYTE_RATIO = 0.30
DEFAULT_NOTE_LINES = 5  # line numbers a mixed-encoding note lists
DEFAULT_DETECTION_MIN_BYTES = 64  # below this, detection is guesswork: take cp1252 if it fits

# Control bytes that never occur in text (tab, LF, FF, CR and ESC do).
_BINARY_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_HIGH_BYTES = bytes(range(0x80, 0x100))
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# UTF-8 of what German text carries beyond ASCII: Latin-1 letters and signs (C2 A0-BF,
# C3 80-BF: ä ö ü ß é ° «), the typographic marks „ “ ” ‚ ‘ ’ – — … • (E2 80 xx) and €.
# In cp1252 these bytes read "Â" or "Ã" before a sign, or "â€", which German text never
# has: in a line that is not wholly UTF-8 they mark the pieces that are. (Any valid UTF-8
# pair would not do: cp1252's "ß“" is one.)
_UTF8_AMID_SINGLE_BYTE = re.compile(rb"\xc2[\xa0-\xbf]|\xc3[\x80-\xbf]|\xe2\x80[\x80-\xbf]|\xe2\x82\xac")
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


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text and, when part of it was in another encoding, a note saying so."""

    text: str
    note: str = ""


def decode_bytes(data: bytes) -> str:
    """Decode text bytes: UTF-8, UTF-16/32 with BOM, else detected (cp1252 archives)."""
    return decode_noted(data).text


def decode_noted(data: bytes) -> Decoded:
    """As decode_bytes, with a note when the bytes mix UTF-8 and a single-byte encoding."""
    encoding = bom_encoding(data)
    if encoding == "utf-8-sig":
        data = data[len(codecs.BOM_UTF8):]
    elif encoding is not None:
        return Decoded(_decode_with_bom(data, encoding))
    return decode_unmarked_noted(data)


def decode_unmarked(data: bytes) -> str:
    """Decode bytes without a byte order mark (e.g. one line of a JSON Lines file) as decode_bytes does."""
    return decode_unmarked_noted(data).text


def decode_unmarked_noted(data: bytes) -> Decoded:
    """decode_unmarked with a note about mixed encodings."""
    if _looks_binary(data):
        raise UndecodableInput("binary", "binary data (NUL or control bytes), not text")
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed_lines(data)
    if mixed is not None:
        return mixed
    return Decoded(_detect(data)[1])


def decode_line(line: bytes, encoding: str) -> tuple[str, bool]:
    """One line in `encoding`; a line that is not valid in it is read as cp1252 (keeping
    the UTF-8 pieces of a UTF-8 line pasted together with cp1252). (text, fell back)."""
    try:
        return line.decode(encoding), False
    except UnicodeDecodeError:
        return (_single_byte_around_utf8(line) if encoding == "utf-8" else _single_byte(line)), True


def _single_byte_around_utf8(line: bytes) -> str:
    """`line` as cp1252, except its pieces that are UTF-8 by _UTF8_AMID_SINGLE_BYTE."""
    pieces, position = [], 0
    for match in _UTF8_AMID_SINGLE_BYTE.finditer(line):
        pieces += (_single_byte(line[position:match.start()]), match.group().decode("utf-8"))
        position = match.end()
    pieces.append(_single_byte(line[position:]))
    return "".join(pieces)


def _decode_mixed_lines(data: bytes) -> Decoded | None:
    """Text whose lines are UTF-8 with some cp1252 lines (files pasted together), else None.

    Decoding such a file wholly as cp1252 turns every UTF-8 umlaut and quote mark into
    mojibake; line by line, only the foreign lines need the fallback (and in them, only
    the bytes that are not UTF-8 of German's letters and marks: see decode_line).
    """
    lines = data.split(b"\n")
    decoded, foreign, utf8_non_ascii = [], [], False
    for number, line in enumerate(lines, start=1):
        text, fell_back = decode_line(line, "utf-8")
        if fell_back:
            foreign.append(number)
            utf8_non_ascii = utf8_non_ascii or _UTF8_AMID_SINGLE_BYTE.search(line) is not None
        elif not line.isascii():
            utf8_non_ascii = True
        decoded.append(text)
    if not utf8_non_ascii:  # no UTF-8 at all: one single-byte encoding, left to detection
        return None
    shown = ", ".join(map(str, foreign[:DEFAULT_NOTE_LINES])) + (", …" if len(foreign) > DEFAULT_NOTE_LINES else "")
    return Decoded("\n".join(decoded), f"mixed encodings: {len(foreign)} of {len(lines)} lines are not UTF-8 "
                                        f"and were read as cp1252 (line {shown})")


def _single_byte(data: bytes) -> str:
    # cp1252 leaves five bytes undefined; latin-1 reads those as C1 controls instead of failing.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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
    if _decode_mixed_lines(head) is not None:  # UTF-8 with cp1252 pasted in: readers decode by line
        return "utf-8"
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
    text = replace_lone_surrogates(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLES.sub("", text)
    text = _NO_BREAK_SPACES.sub(" ", text)
    # NFC last, so combining marks next to removed invisibles still compose.
    return unicodedata.normalize("NFC", text)


def replace_lone_surrogates(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (offsets unchanged)."""
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
