"""Word (.docx) and PDF press releases as plain text, read offline.

python-docx and pypdf are pure Python and read files only (no network, no
external programs). The text is normalised like every other input, with
paragraphs separated by blank lines:

- .docx: one paragraph per Word paragraph (empty ones dropped); tables,
  headers and footers are left out (contact blocks, results grids).
- .pdf: the text layer of every page (scans without one give no text, an
  "empty" failure). PDF text comes as layout lines; lines are joined into
  paragraphs: a line clearly shorter than the page's widest ends its paragraph
  (the last line of a paragraph, a heading) unless it ends with a hyphen, and
  a word split at a line end is joined again.

Hostile files become failures, never exceptions: a .docx is a zip archive, so
its parts are size-checked before anything is unpacked (zip bombs); XML
entities are not resolved (python-docx); encrypted PDFs are rejected.
"""

from __future__ import annotations

import io
import re
import zipfile

from pipeline.io.normalize import normalize_text
from pipeline.io.readers import ReadFailure, ReadResult, SourceDocument

OFFICE_SUFFIXES = (".docx", ".pdf")
DEFAULT_MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all parts of one .docx, uncompressed
DEFAULT_MAX_PDF_PAGES = 500
DEFAULT_SHORT_LINE_RATIO = 0.8  # a line shorter than this share of the widest line ends a paragraph (or is a heading)

_SPLIT_WORD = re.compile(r"(?<=[a-zäöüß])-$")  # "Renn-" + "wagen": joined; "Porsche-" + "Junior" keeps its hyphen


class OfficeReadError(Exception):
    """A Word or PDF file that cannot be read: `kind` as in errors.csv, `message` for people."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def office_document(data: bytes, suffix: str, doc_id: str, source: str) -> ReadResult:
    """The document in a .docx or .pdf file, or a ReadFailure that says why not."""
    try:
        text = docx_text(data) if suffix == ".docx" else pdf_text(data)
    except OfficeReadError as error:
        return ReadFailure(doc_id, source, "read", error.kind, error.message)
    text = normalize_text(text)
    if not text.strip():
        return ReadFailure(doc_id, source, "read", "empty", f"no text in the {suffix} file (a scan without text?)")
    return SourceDocument(doc_id, text, source)


def docx_text(data: bytes) -> str:
    """The paragraphs of a Word document, separated by blank lines."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise OfficeReadError("unreadable", f"not a Word .docx file: {error}") from None
    if unpacked > DEFAULT_MAX_UNPACKED_BYTES:
        raise OfficeReadError("too_large", f"{unpacked} bytes unpacked, limit is {DEFAULT_MAX_UNPACKED_BYTES}")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = [paragraph.text.strip() for paragraph in document.paragraphs]
    except Exception as error:  # python-docx raises many kinds (KeyError, lxml errors, ValueError) on broken files
        raise OfficeReadError("unreadable", f"cannot read the Word file: {error.__class__.__name__}: {error}") from None
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page by page, reflowed into paragraphs."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise OfficeReadError("encrypted", "the PDF is encrypted")
        if len(reader.pages) > DEFAULT_MAX_PDF_PAGES:
            raise OfficeReadError("too_large", f"{len(reader.pages)} pages, limit is {DEFAULT_MAX_PDF_PAGES}")
        pages = [page.extract_text() or "" for page in reader.pages]
    except OfficeReadError:
        raise
    except Exception as error:  # pypdf raises many kinds on damaged files
        raise OfficeReadError("unreadable", f"cannot read the PDF: {error.__class__.__name__}: {error}") from None
    return "\n\n".join(paragraph for page in pages for paragraph in reflow(page))


def reflow(page: str) -> list[str]:
    """Paragraphs from a page's layout lines (see the module docstring)."""
    lines = [line.strip() for line in page.splitlines()]
    widest = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:  # a blank line always ends a paragraph
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if not current:
            current = line
        elif _SPLIT_WORD.search(current) and line[:1].islower():
            current = current[:-1] + line
        elif current.endswith("-") and not current.endswith(" -"):
            current += line
        else:
            current += " " + line
        if len(line) < DEFAULT_SHORT_LINE_RATIO * widest and not line.endswith("-"):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
