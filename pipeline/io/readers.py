"""Read press releases from files, folders, archives and stdin as normalised documents."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TextIO

from pipeline.io.normalize import (
    UndecodableInput,
    bom_encoding,
    decode_bytes,
    decode_unmarked,
    looks_binary_start,
    normalize_text,
    sniff_encoding,
)

DEFAULT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv", ".zip", ".docx", ".pdf")
DEFAULT_MAX_MEMBER_BYTES = 50 * 1024 * 1024  # zip-bomb guard per archive member
DEFAULT_MAX_CSV_FIELD_CHARS = 64 * 1024 * 1024  # csv's 128 KiB default is too small for long texts
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
    """One document; `text` is normalised and offsets refer to it."""

    doc_id: str
    text: str
    source: str


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
) -> Iterator[ReadResult]:
    """Yield documents and failures from files, folders, zips and "-" (stdin), in stable order."""
    if isinstance(inputs, (str, Path)):  # a lone path, not an iterable of characters
        inputs = [inputs]
    fields = _Fields(id_field, text_field)
    seen_ids: dict[str, int] = {}
    for item in inputs:
        for result in _iter_input(item, fields, stdin):
            if isinstance(result, SourceDocument):
                result = SourceDocument(unique_id(result.doc_id, seen_ids), result.text, result.source)
            yield result


def _iter_input(item: str | Path, fields: _Fields, stdin: TextIO | BinaryIO | None) -> Iterator[ReadResult]:
    if str(item) == STDIN_NAME:
        yield _read_stdin(stdin)
        return
    path = Path(item)
    if path.is_dir():
        for file_path in _walk_folder(path):
            yield from _read_file(file_path, _folder_doc_id(path, file_path), fields)
    elif path.exists():
        if path.suffix.lower() not in DEFAULT_SUFFIXES:
            yield ReadFailure(path.stem, str(path), "read", "unsupported",
                              f"unsupported file type {path.suffix or '(none)'!r}; "
                              f"expected one of {', '.join(DEFAULT_SUFFIXES)}")
            return
        yield from _read_file(path, path.stem, fields)
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


def _walk_folder(root: Path) -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in DEFAULT_SUFFIXES:
                found.append(Path(folder, name))
    return sorted(found, key=lambda file_path: file_path.relative_to(root).parts)


def _folder_doc_id(root: Path, file_path: Path) -> str:
    return file_path.relative_to(root).with_suffix("").as_posix()


def _read_file(path: Path, doc_id: str, fields: _Fields) -> Iterator[ReadResult]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield from _read_zip(path, doc_id, fields)
        return
    if suffix in _STREAMED_SUFFIXES:
        yield from _stream_file(path, suffix, doc_id, fields)
        return
    try:
        data = path.read_bytes()
    except OSError as error:
        yield ReadFailure(doc_id, str(path), "read", "unreadable", error.strerror or str(error))
        return
    yield _read_payload(data, suffix, doc_id, str(path))


def _stream_file(path: Path, suffix: str, file_id: str, fields: _Fields) -> Iterator[ReadResult]:
    try:
        with open(path, "rb", buffering=DEFAULT_STREAM_HEAD_BYTES) as stream:
            yield from _stream_records(stream, suffix, file_id, str(path), fields)
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


def _decode(data: bytes, doc_id: str, source: str) -> str | ReadFailure:
    try:
        return normalize_text(decode_bytes(data))
    except UndecodableInput as error:
        return ReadFailure(doc_id, source, "decode", error.kind, error.message)


def _text_document(text: str, doc_id: str, source: str) -> ReadResult:
    if not text.strip():
        return ReadFailure(doc_id, source, "read", "empty", "no text (empty or only whitespace)")
    return SourceDocument(doc_id, text, source)


def _plain_text(data: bytes, doc_id: str, source: str, *, markdown: bool = False) -> ReadResult:
    text = _decode(data, doc_id, source)
    if isinstance(text, ReadFailure):
        return text
    if markdown:
        text = _MARKDOWN_HEADING.sub("", text)
    return _text_document(text, doc_id, source)


def _html_text(data: bytes, doc_id: str, source: str) -> ReadResult:
    html = _decode(data, doc_id, source)
    if isinstance(html, ReadFailure):
        return html
    text = _article_text(html) or _paragraph_text(html)
    return _text_document(normalize_text(text), doc_id, source)


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
    record: dict, number: int, file_id: str, source: str, fields: _Fields, unit: str
) -> ReadResult:
    raw_id = record.get(fields.id_field)
    record_id = str(raw_id).strip() if raw_id is not None and not isinstance(raw_id, (dict, list)) else ""
    doc_id = f"{file_id}/{record_id or number}"
    text = record.get(fields.text_field)
    if not isinstance(text, str):
        problem = "missing" if text is None else f"not text ({type(text).__name__})"
        return ReadFailure(doc_id, source, "read", "missing_text",
                           f"{unit} {number}: field {fields.text_field!r} is {problem}")
    return _text_document(normalize_text(text), doc_id, source)


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
            yield ReadFailure(f"{file_id}/{number}", line_source, "decode", line.kind, f"line {number}: {line.message}")
            continue
        line = line.strip()
        if line:
            yield _json_line_record(line, number, file_id, line_source, fields)


def _byte_lines(stream: BinaryIO) -> Iterator[str | UndecodableInput]:
    # Binary lines end at b"\n" only (str.splitlines() would also split at U+2028 inside
    # JSON strings); no UTF-8 or single-byte character contains that byte. Each line is
    # decoded on its own, so one with NUL bytes or in another encoding spoils only itself.
    for number, line in enumerate(stream, start=1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            yield decode_unmarked(line)
        except UndecodableInput as error:
            yield error


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
    # newline="": the csv module handles line ends itself (quoted fields may hold them).
    yield from _csv_rows(io.TextIOWrapper(stream, encoding=encoding, newline=""), file_id, source, fields)


def _stream_encoding(stream: io.BufferedReader) -> str:
    # A function of its own, so the (large) head is not kept while the rows are read.
    head = _head(stream, DEFAULT_STREAM_HEAD_BYTES)
    return sniff_encoding(head, complete=len(head) < DEFAULT_STREAM_HEAD_BYTES)


def _csv_rows(text: io.TextIOWrapper, file_id: str, source: str, fields: _Fields) -> Iterator[ReadResult]:
    first_line = text.readline()
    delimiter = _sniff_delimiter(first_line, fields.text_field)
    csv.field_size_limit(max(csv.field_size_limit(), DEFAULT_MAX_CSV_FIELD_CHARS))
    reader = csv.DictReader(chain((first_line,), text), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    if fields.text_field not in header:
        yield ReadFailure(file_id, source, "read", "missing_text",
                          f"no column {fields.text_field!r} (columns: {', '.join(header) or 'none'})")
        return
    reader.fieldnames = header
    try:
        # Row numbers as in a spreadsheet: the header is row 1.
        for number, row in enumerate(reader, start=2):
            yield _record_document(row, number, file_id, f"{source}:{number}", fields, "row")
    except csv.Error as error:
        yield ReadFailure(file_id, source, "read", "bad_csv", f"row {reader.line_num}: {error}")
    except UnicodeDecodeError as error:  # past the first bytes, which chose the encoding
        yield ReadFailure(file_id, source, "decode", "undecodable",
                          f"after line {reader.line_num}: invalid {text.encoding.upper()} data ({error.reason}); "
                          f"the rest of the file is not read")


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


def _read_zip(path: Path, zip_id: str, fields: _Fields) -> Iterator[ReadResult]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
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
