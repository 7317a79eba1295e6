"""Read press releases from files, folders, archives and stdin as normalised documents."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import stat
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TextIO

from pipeline.io.normalize import (
    UndecodableInput,
    bom_encoding,
    decode_line,
    decode_noted,
    decode_unmarked,
    looks_binary_start,
    normalize_text,
    replace_lone_surrogates,
    sniff_encoding,
)

DEFAULT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv", ".zip", ".docx", ".pdf")
DEFAULT_MAX_MEMBER_BYTES = 50 * 1024 * 1024  # zip-bomb guard per archive member
# One .txt/.md/.html file is one press release: larger ones are not read (a symlink to
# /dev/zero, a log file named .txt). .jsonl and .csv are streamed and have no limit.
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_CSV_FIELD_CHARS = 64 * 1024 * 1024  # csv's 128 KiB default is too small for long texts
# One line of a .jsonl is one record: a longer "line" (a file without line ends) is not
# held in memory but skipped as one failure.
DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
DEFAULT_CSV_DELIMITERS = (";", ",", "\t")
# .jsonl and .csv are streamed through a buffer of this size (an archive may be one
# multi-GB file); a CSV's first bytes, up to this many, decide its encoding.
DEFAULT_STREAM_HEAD_BYTES = 1024 * 1024
STDIN_NAME = "-"
STDIN_DOC_ID = "stdin"

_TEXT_SUFFIXES = (".txt", ".md")
_HTML_SUFFIXES = (".html", ".htm")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_STREAMED_SUFFIXES = (".jsonl", ".csv")
_JSONL_HEAD_BYTES = 64 * 1024  # enough to tell binary data and a byte order mark
_UNSPLITTABLE_ENCODINGS = ("utf-16", "utf-32")  # their line ends are not a lone b"\n" byte
# What reading a damaged archive member raises; zlib.error for a corrupt deflate stream.
_ZIP_READ_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error)


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One document; `text` is normalised and offsets refer to it.

    `note` says what was odd but readable (e.g. lines in another encoding)."""

    doc_id: str
    text: str
    source: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """An input that yielded no document; `stage` is "read" or "decode"."""

    doc_id: str | None
    source: str
    stage: str
    kind: str
    message: str


ReadResult = SourceDocument | ReadFailure


@dataclass(frozen=True, slots=True)
class _Fields:
    id_field: str
    text_field: str


def iter_documents(
    inputs: Iterable[str | Path],
    *,
    id_field: str = "id",
    text_field: str = "text",
    stdin: TextIO | BinaryIO | None = None,
    skipped: Counter | None = None,
) -> Iterator[ReadResult]:
    """Yield documents and failures from files, folders, zips and "-" (stdin), in stable order.

    Files of unsupported types inside folders and archives are passed over;
    `skipped`, when given, counts them by suffix."""
    if isinstance(inputs, (str, Path)):  # a lone path, not an iterable of characters
        inputs = [inputs]
    fields = _Fields(id_field, text_field)
    seen_ids: dict[str, int] = {}
    skipped = Counter() if skipped is None else skipped
    for item in inputs:
        for result in _iter_input(item, fields, stdin, skipped):
            result = _valid_unicode(result)
            if isinstance(result, SourceDocument):
                result = SourceDocument(unique_id(result.doc_id, seen_ids), result.text, result.source, result.note)
            yield result


def _valid_unicode(result: ReadResult) -> ReadResult:
    """No output format can store a lone surrogate: an id or file name holding one is an error row.

    They come from file names that are not UTF-8 (Python keeps their bytes as
    surrogates) and from JSON ids such as "\\ud800". The row shows them as U+FFFD.
    """
    doc_id = replace_lone_surrogates(result.doc_id) if result.doc_id is not None else None
    source = replace_lone_surrogates(result.source)
    if doc_id == result.doc_id and source == result.source:
        return result
    if isinstance(result, ReadFailure):
        return ReadFailure(doc_id, source, result.stage, result.kind, replace_lone_surrogates(result.message))
    if source != result.source:
        return ReadFailure(doc_id, source, "read", "bad_name",
                           "the file name is not valid UTF-8 (shown with \ufffd); rename the file to read it")
    return ReadFailure(doc_id, source, "read", "bad_id",
                       "the id is not valid Unicode (a lone surrogate, shown as \ufffd); fix the record's id")


def _iter_input(item: str | Path, fields: _Fields, stdin: TextIO | BinaryIO | None,
                skipped: Counter) -> Iterator[ReadResult]:
    if str(item) == STDIN_NAME:
        yield _read_stdin(stdin)
        return
    path = Path(item)
    if path.is_dir():
        for found in _walk_folder(path, skipped):
            if isinstance(found, ReadFailure):
                yield found
            else:
                yield from _read_file(found, _folder_doc_id(path, found), fields, skipped)
    elif path.exists():
        if path.suffix.lower() not in DEFAULT_SUFFIXES:
            yield ReadFailure(path.stem, str(path), "read", "unsupported",
                              f"unsupported file type {path.suffix or '(none)'!r}; "
                              f"expected one of {', '.join(DEFAULT_SUFFIXES)}")
            return
        yield from _read_file(path, path.stem, fields, skipped)
    else:
        yield ReadFailure(path.stem or None, str(path), "read", "missing_file", "no such file or folder")


def unique_id(doc_id: str, seen_ids: dict[str, int]) -> str:
    # Later duplicates get ~2, ~3, ... in input order, so ids are stable across runs.
    if doc_id not in seen_ids:
        seen_ids[doc_id] = 1
        return doc_id
    count = seen_ids[doc_id]
    while True:
        count += 1
        candidate = f"{doc_id}~{count}"
        if candidate not in seen_ids:
            seen_ids[doc_id] = count
            seen_ids[candidate] = 1
            return candidate


def _read_stdin(stdin: TextIO | BinaryIO | None) -> ReadResult:
    stream = stdin if stdin is not None else sys.stdin
    if stream is None:  # e.g. started without a console
        return ReadFailure(STDIN_DOC_ID, STDIN_DOC_ID, "read", "missing_file", "no standard input available")
    stream = getattr(stream, "buffer", stream)  # prefer bytes, so we decode consistently
    try:
        data = stream.read()
    except (OSError, ValueError) as error:  # closed or unreadable stream
        return ReadFailure(STDIN_DOC_ID, STDIN_DOC_ID, "read", "unreadable", str(error))
    if isinstance(data, str):
        return _text_document(normalize_text(data), STDIN_DOC_ID, STDIN_DOC_ID)
    return _plain_text(data, STDIN_DOC_ID, STDIN_DOC_ID)


def _walk_folder(root: Path, skipped: Counter) -> list[Path | ReadFailure]:
    """The supported files under `root` (and a failure per folder that cannot be listed), sorted.

    A loop, not recursion (os.walk recurses before Python 3.12: a folder tree
    1,500 deep raised RecursionError). Symlinked folders are not followed.
    """
    found: list[tuple[tuple[str, ...], Path | ReadFailure]] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = [(entry.name, entry.is_dir(follow_symlinks=False), entry.is_symlink()) for entry in entries]
        except OSError as error:
            parts = folder.relative_to(root).parts
            found.append((parts, ReadFailure("/".join(parts) or folder.name, str(folder), "read", "unreadable",
                                             f"cannot list the folder: {error.strerror or error}")))
            continue
        for name, is_folder, is_link in listed:
            if name.startswith("."):
                continue
            path = folder / name
            if is_folder:
                pending.append(path)
            elif is_link and path.is_dir():
                continue  # a symlinked folder: may loop, and os.walk never followed it either
            elif Path(name).suffix.lower() in DEFAULT_SUFFIXES:
                found.append((path.relative_to(root).parts, path))
            else:
                skipped[Path(name).suffix.lower() or "(no suffix)"] += 1
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def _folder_doc_id(root: Path, file_path: Path) -> str:
    return file_path.relative_to(root).with_suffix("").as_posix()


class NotRegularFile(OSError):
    """A FIFO, device or socket: reading it could block forever or never end."""


def open_regular(path: Path, *, buffering: int = -1) -> BinaryIO:
    """Open a regular file for reading; raise NotRegularFile for anything else.

    Opened non-blocking and checked on the open descriptor, so a FIFO (even one
    swapped in after a check) cannot hang the run.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            kind = "FIFO" if stat.S_ISFIFO(mode) else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else \
                "socket" if stat.S_ISSOCK(mode) else "special file"
            raise NotRegularFile(f"not a regular file but a {kind}; not read")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return open(descriptor, "rb", buffering=buffering)
    except BaseException:
        os.close(descriptor)
        raise


def _read_file(path: Path, doc_id: str, fields: _Fields, skipped: Counter) -> Iterator[ReadResult]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield from _read_zip(path, doc_id, fields, skipped)
        return
    if suffix in _STREAMED_SUFFIXES:
        yield from _stream_file(path, suffix, doc_id, fields)
        return
    try:
        with open_regular(path) as stream:
            data = stream.read(DEFAULT_MAX_FILE_BYTES + 1)  # the declared size may lie (/proc, growing files)
    except NotRegularFile as error:
        yield ReadFailure(doc_id, str(path), "read", "unsupported", str(error))
        return
    except OSError as error:
        yield ReadFailure(doc_id, str(path), "read", "unreadable", error.strerror or str(error))
        return
    if len(data) > DEFAULT_MAX_FILE_BYTES:
        yield ReadFailure(doc_id, str(path), "read", "too_large",
                          f"more than {DEFAULT_MAX_FILE_BYTES} bytes: not one press release; not read")
        return
    yield _read_payload(data, suffix, doc_id, str(path))


def _stream_file(path: Path, suffix: str, file_id: str, fields: _Fields) -> Iterator[ReadResult]:
    try:
        with open_regular(path, buffering=DEFAULT_STREAM_HEAD_BYTES) as stream:
            yield from _stream_records(stream, suffix, file_id, str(path), fields)
    except NotRegularFile as error:
        yield ReadFailure(file_id, str(path), "read", "unsupported", str(error))
    except OSError as error:  # also while reading: the records before it are kept
        yield ReadFailure(file_id, str(path), "read", "unreadable", error.strerror or str(error))


def _stream_records(
    stream: io.BufferedReader, suffix: str, file_id: str, source: str, fields: _Fields
) -> Iterator[ReadResult]:
    if suffix == ".jsonl":
        yield from _jsonl_records(stream, file_id, source, fields)
    else:
        yield from _csv_records(stream, file_id, source, fields)


def _read_payload(data: bytes, suffix: str, doc_id: str, source: str) -> ReadResult:
    if suffix in _TEXT_SUFFIXES:
        return _plain_text(data, doc_id, source, markdown=suffix == ".md")
    if suffix in _HTML_SUFFIXES:
        return _html_text(data, doc_id, source)
    if suffix in (".docx", ".pdf"):  # Word and PDF: pipeline/io/office.py
        from pipeline.io.office import office_document

        return office_document(data, suffix, doc_id, source)
    return ReadFailure(doc_id, source, "read", "unsupported", f"unsupported file type {suffix!r}")


def _decode(data: bytes, doc_id: str, source: str) -> tuple[str, str] | ReadFailure:
    try:
        decoded = decode_noted(data)
    except UndecodableInput as error:
        return ReadFailure(doc_id, source, "decode", error.kind, error.message)
    return normalize_text(decoded.text), decoded.note


def _text_document(text: str, doc_id: str, source: str, note: str = "") -> ReadResult:
    if not text.strip():
        return ReadFailure(doc_id, source, "read", "empty", "no text (empty or only whitespace)")
    return SourceDocument(doc_id, text, source, note)


def _plain_text(data: bytes, doc_id: str, source: str, *, markdown: bool = False) -> ReadResult:
    decoded = _decode(data, doc_id, source)
    if isinstance(decoded, ReadFailure):
        return decoded
    text, note = decoded
    if markdown:
        text = _MARKDOWN_HEADING.sub("", text)
    return _text_document(text, doc_id, source, note)


def _html_text(data: bytes, doc_id: str, source: str) -> ReadResult:
    decoded = _decode(data, doc_id, source)
    if isinstance(decoded, ReadFailure):
        return decoded
    html, note = decoded
    text = _article_text(html) or _paragraph_text(html)
    return _text_document(normalize_text(text), doc_id, source, note)


def _article_text(html: str) -> str:
    # Imported here: only HTML needs trafilatura, so plain-text runs skip its import cost.
    import trafilatura

    extracted = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True, output_format="txt"
    )
    if not extracted:
        return ""
    # trafilatura puts one block per line; the pipeline separates paragraphs by blank lines.
    return "\n\n".join(line.strip() for line in extracted.splitlines() if line.strip())


def _paragraph_text(html: str) -> str:
    import lxml.html
    from lxml.etree import ParserError

    try:
        # lxml refuses str input that carries an XML encoding declaration (XHTML).
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ParserError, ValueError):
        return ""
    for element in tree.xpath("//script | //style | //nav | //footer | //header | //aside"):
        element.drop_tree()
    paragraphs = (" ".join(p.text_content().split()) for p in tree.iter("p"))
    return "\n\n".join(text for text in paragraphs if text)


def _record_document(
    record: dict, number: int, file_id: str, source: str, fields: _Fields, unit: str, note: str = ""
) -> ReadResult:
    raw_id = record.get(fields.id_field)
    record_id = str(raw_id).strip() if raw_id is not None and not isinstance(raw_id, (dict, list)) else ""
    doc_id = f"{file_id}/{record_id or number}"
    text = record.get(fields.text_field)
    if not isinstance(text, str):
        problem = "missing" if text is None else f"not text ({type(text).__name__})"
        return ReadFailure(doc_id, source, "read", "missing_text",
                           f"{unit} {number}: field {fields.text_field!r} is {problem}")
    return _text_document(normalize_text(text), doc_id, source, note)


def _head(stream: io.BufferedReader, size: int) -> bytes:
    # peek() fills the empty buffer with one read; for files and zip members that read
    # is short only at the end of the data.
    return stream.peek(size)[:size]


def _jsonl_records(stream: io.BufferedReader, file_id: str, source: str, fields: _Fields) -> Iterator[ReadResult]:
    """The records of a JSON Lines stream, one line at a time."""
    head = _head(stream, _JSONL_HEAD_BYTES)
    encoding = bom_encoding(head)
    if encoding is None and looks_binary_start(head):
        yield ReadFailure(file_id, source, "decode", "binary", "binary data (control bytes), not text")
        return
    lines = _text_lines(stream, encoding) if encoding in _UNSPLITTABLE_ENCODINGS else _byte_lines(stream)
    for number, line in enumerate(lines, start=1):
        line_source = f"{source}:{number}"
        if isinstance(line, UndecodableInput):
            stage = "read" if line.kind == "too_large" else "decode"
            yield ReadFailure(f"{file_id}/{number}", line_source, stage, line.kind, f"line {number}: {line.message}")
            continue
        line = line.strip()
        if line:
            yield _json_line_record(line, number, file_id, line_source, fields)


def _byte_lines(stream: BinaryIO) -> Iterator[str | UndecodableInput]:
    # Binary lines end at b"\n" only (str.splitlines() would also split at U+2028 inside
    # JSON strings); no UTF-8 or single-byte character contains that byte. Each line is
    # decoded on its own, so one with NUL bytes or in another encoding spoils only itself.
    for number, line in enumerate(bounded_lines(stream, DEFAULT_MAX_LINE_BYTES), start=1):
        if line is None:
            yield UndecodableInput("too_large", f"longer than {DEFAULT_MAX_LINE_BYTES} bytes; skipped")
            continue
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            yield decode_unmarked(line)
        except UndecodableInput as error:
            yield error


def bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of `stream` (ending at b"\n"); None for a line longer than `limit`, which is
    read past in chunks, never held whole."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):  # the rest of the over-long line
            line = stream.readline(limit)
        yield None


def _text_lines(stream: BinaryIO, encoding: str) -> Iterator[str | UndecodableInput]:
    # UTF-16/32 (with a BOM, e.g. from Windows PowerShell) are decoded as a stream;
    # after a decoding error nothing in the file can be trusted, so it is the last line.
    try:
        yield from io.TextIOWrapper(stream, encoding=encoding, newline="\n")  # split at "\n" only
    except UnicodeDecodeError as error:
        yield UndecodableInput("undecodable", f"invalid {encoding.upper()} data ({error.reason}); "
                                              f"the rest of the file is not read")


def _json_line_record(line: str, number: int, file_id: str, source: str, fields: _Fields) -> ReadResult:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return ReadFailure(f"{file_id}/{number}", source, "read", "bad_json",
                           f"line {number}: invalid JSON ({error.msg} at column {error.colno})")
    except RecursionError:  # e.g. "[[[[…": else it ends the whole run
        return ReadFailure(f"{file_id}/{number}", source, "read", "bad_json", f"line {number}: JSON nested too deeply")
    if not isinstance(record, dict):
        return ReadFailure(f"{file_id}/{number}", source, "read", "bad_json",
                           f"line {number}: expected a JSON object, got {type(record).__name__}")
    return _record_document(record, number, file_id, source, fields, "line")


def _csv_records(stream: io.BufferedReader, file_id: str, source: str, fields: _Fields) -> Iterator[ReadResult]:
    """The rows of a CSV stream, decoded with the encoding its first bytes show."""
    try:
        encoding = _stream_encoding(stream)
    except UndecodableInput as error:
        yield ReadFailure(file_id, source, "decode", error.kind, error.message)
        return
    if encoding in _UNSPLITTABLE_ENCODINGS:
        # newline="": the csv module handles line ends itself (quoted fields may hold them).
        lines = _DecodedLines(io.TextIOWrapper(stream, encoding=encoding, newline=""), encoding)
    else:
        lines = _DecodedLines(stream, encoding)
    yield from _csv_rows(lines, file_id, source, fields)


class _DecodedLines:
    """A CSV's lines as text for the csv module, one line at a time.

    Byte lines (UTF-8 and single-byte encodings) are decoded one by one, so a bad
    byte late in the file costs nothing but its own line, which is read as cp1252
    and remembered in `fallbacks`; a decoder over fixed chunks dropped the rows of
    the whole chunk. UTF-16/32 come as text already.
    """

    def __init__(self, stream: Iterable[bytes] | io.TextIOWrapper, encoding: str) -> None:
        self.encoding = encoding
        self.fallbacks: list[int] = []  # line numbers read as cp1252
        self.number = 0
        self._lines = iter(stream) if isinstance(stream, io.TextIOWrapper) else \
            bounded_lines(stream, DEFAULT_MAX_LINE_BYTES)

    def __iter__(self) -> "_DecodedLines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        if line is None:  # the csv module reports this as a bad row
            raise csv.Error(f"line {self.number} is longer than {DEFAULT_MAX_LINE_BYTES} bytes")
        if isinstance(line, str):
            return line
        if self.number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        text, fell_back = decode_line(line, self.encoding)
        if fell_back:
            self.fallbacks.append(self.number)
        return text


def _stream_encoding(stream: io.BufferedReader) -> str:
    # A function of its own, so the (large) head is not kept while the rows are read.
    head = _head(stream, DEFAULT_STREAM_HEAD_BYTES)
    return sniff_encoding(head, complete=len(head) < DEFAULT_STREAM_HEAD_BYTES)


def _csv_rows(lines: _DecodedLines, file_id: str, source: str, fields: _Fields) -> Iterator[ReadResult]:
    try:
        first_line = next(lines, "")
    except UnicodeDecodeError as error:
        yield ReadFailure(file_id, source, "decode", "undecodable",
                          f"invalid {lines.encoding.upper()} data in the header ({error.reason})")
        return
    delimiter = _sniff_delimiter(first_line, fields.text_field)
    csv.field_size_limit(max(csv.field_size_limit(), DEFAULT_MAX_CSV_FIELD_CHARS))
    reader = csv.DictReader(chain((first_line,), lines), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    if fields.text_field not in header:
        yield ReadFailure(file_id, source, "read", "missing_text",
                          f"no column {fields.text_field!r} (columns: {', '.join(header) or 'none'})")
        return
    reader.fieldnames = header

    def lines_read() -> int:
        return reader.reader.line_num  # DictReader's own count lags behind after an error

    number = 1  # row numbers as in a spreadsheet: the header is row 1
    reported_fallbacks = 0
    while True:
        number += 1
        first_line_of_row = lines_read() + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # A bad row that was one line long (e.g. a field over the size limit) can be skipped;
            # in a row spanning lines the csv module's place is lost: the rest cannot be trusted.
            one_line = lines_read() == first_line_of_row
            rest = (f"reading goes on after line {lines_read()}" if one_line else
                    f"the rows after line {lines_read()} are not read")
            yield ReadFailure(file_id, f"{source}:{number}", "read", "bad_csv",
                              f"row {number} (line {first_line_of_row}): {error}; {rest}")
            if one_line:
                continue
            return
        except UnicodeDecodeError as error:  # UTF-16/32 past the first bytes, which chose the encoding
            yield ReadFailure(file_id, source, "decode", "undecodable",
                              f"after line {lines_read()}: invalid {lines.encoding.upper()} data ({error.reason}); "
                              f"the rest of the file is not read")
            return
        note = ""
        if len(lines.fallbacks) > reported_fallbacks:
            shown = ", ".join(map(str, lines.fallbacks[reported_fallbacks:]))
            note = f"mixed encodings: line {shown} is not {lines.encoding.upper()} and was read as cp1252"
            reported_fallbacks = len(lines.fallbacks)
        yield _record_document(row, number, file_id, f"{source}:{number}", fields, "row", note)


def _sniff_delimiter(first_line: str, text_field: str) -> str:
    # The header decides: the delimiter that yields the text column, else the most columns.
    first_line = first_line.rstrip("\r\n")
    best, best_columns = DEFAULT_CSV_DELIMITERS[0], 0
    for delimiter in DEFAULT_CSV_DELIMITERS:
        columns = [name.strip() for name in next(csv.reader([first_line], delimiter=delimiter), [])]
        if text_field in columns:
            return delimiter
        if len(columns) > best_columns:
            best, best_columns = delimiter, len(columns)
    return best


def _read_zip(path: Path, zip_id: str, fields: _Fields, skipped: Counter) -> Iterator[ReadResult]:
    try:
        handle = open_regular(path)
    except NotRegularFile as error:
        yield ReadFailure(zip_id, str(path), "read", "unsupported", str(error))
        return
    except OSError as error:
        yield ReadFailure(zip_id, str(path), "read", "unreadable", error.strerror or str(error))
        return
    with handle:
        try:
            archive = zipfile.ZipFile(handle)
        # ValueError: e.g. a member name flagged UTF-8 that is not.
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            yield ReadFailure(zip_id, str(path), "read", "bad_zip", f"not a readable zip archive: {error}")
            return
        with archive:
            members = []
            for info in archive.infolist():
                name = sanitize_member_name(info.filename)
                if info.is_dir() or not name or _is_hidden(name):
                    continue
                if PurePosixPath(name).suffix.lower() in DEFAULT_SUFFIXES:
                    members.append((name, info))
                else:
                    skipped[PurePosixPath(name).suffix.lower() or "(no suffix)"] += 1
            for name, info in sorted(members, key=lambda pair: pair[0]):
                yield from _read_zip_member(archive, info, name, zip_id, str(path), fields)


def _read_zip_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, zip_id: str, zip_source: str, fields: _Fields
) -> Iterator[ReadResult]:
    member = PurePosixPath(name)
    doc_id = f"{zip_id}/{member.with_suffix('').as_posix()}"
    source = f"{zip_source}:{info.filename}"
    suffix = member.suffix.lower()
    if suffix == ".zip":
        yield ReadFailure(doc_id, source, "read", "unsupported", "nested zip archives are not read")
        return
    if info.file_size > DEFAULT_MAX_MEMBER_BYTES:
        yield ReadFailure(doc_id, source, "read", "too_large",
                          f"{info.file_size} bytes uncompressed, limit is {DEFAULT_MAX_MEMBER_BYTES}")
        return
    if suffix in _STREAMED_SUFFIXES:
        yield from _stream_member(archive, info, suffix, doc_id, source, fields)
        return
    try:
        with archive.open(info) as stream:
            # Read at most limit+1 bytes: the declared size in the archive may lie.
            data = stream.read(DEFAULT_MAX_MEMBER_BYTES + 1)
    except _ZIP_READ_ERRORS as error:
        yield ReadFailure(doc_id, source, "read", "bad_zip", f"cannot read archive member: {error}")
        return
    if len(data) > DEFAULT_MAX_MEMBER_BYTES:
        yield ReadFailure(doc_id, source, "read", "too_large",
                          f"more than {DEFAULT_MAX_MEMBER_BYTES} bytes uncompressed")
        return
    yield _read_payload(data, suffix, doc_id, source)


def _stream_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, suffix: str, file_id: str, source: str, fields: _Fields
) -> Iterator[ReadResult]:
    # No size check while streaming is needed: zipfile never yields more than the
    # declared size (checked above). It checks the CRC only at the end, though, so the
    # member is read through once first: a damaged one gives one error, not garbage records.
    try:
        _check_member(archive, info)
        with archive.open(info) as member:
            stream = io.BufferedReader(member, DEFAULT_STREAM_HEAD_BYTES)  # for peek() at the head
            yield from _stream_records(stream, suffix, file_id, source, fields)
    except _ZIP_READ_ERRORS as error:  # also while reading: the records before it are kept
        yield ReadFailure(file_id, source, "read", "bad_zip", f"cannot read archive member: {error}")


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    # Decompressing twice costs little next to the pipeline, and memory stays flat.
    with archive.open(info) as member:
        while member.read(DEFAULT_STREAM_HEAD_BYTES):
            pass


def sanitize_member_name(name: str) -> str:
    """Archive member name as a safe relative path: no drive, root or `..` parts."""
    name = _DRIVE_LETTER.sub("", name.replace("\\", "/"))
    parts = [part for part in name.split("/") if part not in ("", ".", "..")]
    return "/".join(parts)


def _is_hidden(name: str) -> bool:
    # Also skips macOS resource forks (__MACOSX/) that ship inside many archives.
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))
