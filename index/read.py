"""Any report file → its text lines: the one door every report comes in through.

Line numbers (1-based positions in the returned list) are what facts cite, so a
.txt/.md file comes back exactly as its lines. HTML, Word (.docx, and .doc/.wps/.rtf/.odt
through LibreOffice), spreadsheets (.xls/.xlsx/.et/.ods) and PDF files come back as blocks separated by one blank line: paragraphs, and each table as one
line per row with its cells joined by TABs on a full rectangular grid, where a
merged cell's text sits in its top-left position and every other position it
spans is an empty string. In those formats a TAB appears only in table rows.

Which reader reads a file is decided by its first bytes (index.sniff), so a
.doc that is really a .docx, or a PDF named .html, is read as what it is.
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from index import limits
from index.errors import ReportError
from index.ocr import read_image
from index.read_blocks import span_grid
from index.read_doc import read_doc
from index.read_docx import read_docx
from index.read_html import read_html
from index.read_pdf import PAGE_NUMBER as _PAGE_NUMBER  # noqa: F401  (tests check the pattern through this module)
from index.read_pdf import read_pdf
from index.read_sheets import read_sheets
from index.read_text import decode_text, read_text, split_lines
from index.sniff import EXTENSIONS, sniff

__all__ = ["MAX_BYTES", "SUPPORTED", "decode_text", "read_lines", "sha256_of", "span_grid", "split_lines"]

SUPPORTED = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".et", ".ods",
             ".png", ".jpg", ".jpeg")
MAX_BYTES = 20 * 1024 * 1024

# a file's kind (index.sniff, by its first bytes) → its reader; a kind with no reader gets the reason below
READERS = {
    "text": read_text,
    "html": read_html,
    "docx": read_docx,
    "pdf": read_pdf,
    "doc": read_doc,
    "rtf": read_doc,
    "odt": read_doc,  # OpenDocument text: LibreOffice converts it to .docx as it does a .doc
    "xls": read_sheets,
    "xlsx": read_sheets,
    "ods": read_sheets,
    "image": read_image,  # a picture of a table: OCR (index.ocr)
}
_KIND = {"text": "text", "html": "HTML", "docx": "a Word .docx file", "pdf": "a PDF", "doc": "a Word/WPS .doc file",
         "rtf": "an RTF file", "xls": "an Excel .xls file", "xlsx": "an Excel .xlsx file",
         "odt": "an OpenDocument .odt file", "ods": "an OpenDocument .ods spreadsheet",
         "image": "an image"}
UNREAD = {
    "ofd": ("OFD is not read yet: no maintained library reads its text and tables reliably "
            "(publish or save it as PDF)"),
}


def read_lines(path: str | Path, max_bytes: int = MAX_BYTES) -> list[str]:
    """The report at `path` as text lines without newlines; ReportError when it cannot be read."""
    path = Path(path)
    kind = _check_file(path, max_bytes)
    try:
        lines = READERS[kind](path)
    except ReportError:
        raise
    except MemoryError:
        raise  # the worker's memory cap: reported as such, and the worker replaced
    except limits.OverLimit as exc:
        raise ReportError(path, str(exc)) from None
    except Exception as exc:  # a library's own error must not escape: say which file and why
        raise ReportError(path, f"cannot read as {_KIND[kind]} (corrupt?): {type(exc).__name__}: {exc}") from exc
    if not any(line.strip() for line in lines):
        raise ReportError(path, f"no text found in {_KIND[kind]}")
    chars = sum(len(line) for line in lines)
    if chars > limits.TEXT_CHARS:
        raise ReportError(path, f"{chars} characters of text, over the limit of {limits.TEXT_CHARS} for one report")
    return lines


def sha256_of(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes, to tell whether a report changed."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise ReportError(path, f"cannot read: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def _check_file(path: Path, max_bytes: int) -> str:
    """The file's kind (which reader reads it), once it is known to exist, fit the limit and be readable."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReportError(path, "file not found") from None
    except OSError as exc:
        raise ReportError(path, f"cannot open: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED and suffix not in EXTENSIONS:
        raise ReportError(
            path, f"unsupported file type {suffix or '(no extension)'!r}; supported: {', '.join(SUPPORTED)}"
        )
    if not stat.S_ISREG(info.st_mode):
        raise ReportError(path, "not a regular file")
    if info.st_size == 0:
        raise ReportError(path, "file is empty (0 bytes)")
    if info.st_size > max_bytes:
        raise ReportError(path, f"file is {info.st_size} bytes, over the limit of {max_bytes} bytes")
    try:
        kind = sniff(path, suffix)
    except OSError as exc:
        raise ReportError(path, f"cannot open: {exc.strerror or exc}") from exc
    if kind in READERS:
        return kind
    if kind in UNREAD:
        raise ReportError(path, UNREAD[kind])
    named = EXTENSIONS.get(suffix)
    what = _KIND.get(named, f"a {suffix} file")
    raise ReportError(path, f"cannot read as {what} (corrupt?): its first bytes match no known format")
