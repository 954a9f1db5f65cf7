"""Any report file → its text lines: the one door every report comes in through.

Line numbers (1-based positions in the returned list) are what facts cite, so a
.txt/.md file comes back exactly as its lines. HTML, Word and PDF files come
back as blocks separated by one blank line: paragraphs, and each table as one
line per row with its cells joined by TABs on a full rectangular grid, where a
merged cell's text sits in its top-left position and every other position it
spans is an empty string. In those formats a TAB appears only in table rows.
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from index import limits
from index.errors import ReportError
from index.ocr import read_image
from index.read_blocks import span_grid
from index.read_docx import read_docx
from index.read_html import read_html
from index.read_pdf import PAGE_NUMBER as _PAGE_NUMBER  # noqa: F401  (tests check the pattern through this module)
from index.read_pdf import read_pdf
from index.read_text import decode_text, read_text, split_lines

__all__ = ["MAX_BYTES", "SUPPORTED", "decode_text", "read_lines", "sha256_of", "span_grid", "split_lines"]

SUPPORTED = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".png", ".jpg", ".jpeg")
MAX_BYTES = 20 * 1024 * 1024

_KIND = {".txt": "text", ".md": "text", ".html": "HTML", ".htm": "HTML", ".docx": "a Word .docx file", ".pdf": "a PDF",
         ".png": "an image", ".jpg": "an image", ".jpeg": "an image"}


def read_lines(path: str | Path, max_bytes: int = MAX_BYTES) -> list[str]:
    """The report at `path` as text lines without newlines; ReportError when it cannot be read."""
    path = Path(path)
    suffix = _check_file(path, max_bytes)
    reader = {
        ".txt": read_text,
        ".md": read_text,
        ".html": read_html,
        ".htm": read_html,
        ".docx": read_docx,
        ".pdf": read_pdf,
        ".png": read_image,  # a picture of a table: OCR (index.ocr)
        ".jpg": read_image,
        ".jpeg": read_image,
    }[suffix]
    try:
        lines = reader(path)
    except ReportError:
        raise
    except MemoryError:
        raise  # the worker's memory cap: reported as such, and the worker replaced
    except limits.OverLimit as exc:
        raise ReportError(path, str(exc)) from None
    except Exception as exc:  # a library's own error must not escape: say which file and why
        raise ReportError(path, f"cannot read as {_KIND[suffix]} (corrupt?): {type(exc).__name__}: {exc}") from exc
    if not any(line.strip() for line in lines):
        raise ReportError(path, f"no text found in {_KIND[suffix]}")
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
    """The file's lower-case extension, once it is known to exist, be supported and fit the limit."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReportError(path, "file not found") from None
    except OSError as exc:
        raise ReportError(path, f"cannot open: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ReportError(
            path, f"unsupported file type {suffix or '(no extension)'!r}; supported: {', '.join(SUPPORTED)}"
        )
    if not stat.S_ISREG(info.st_mode):
        raise ReportError(path, "not a regular file")
    if info.st_size == 0:
        raise ReportError(path, "file is empty (0 bytes)")
    if info.st_size > max_bytes:
        raise ReportError(path, f"file is {info.st_size} bytes, over the limit of {max_bytes} bytes")
    return suffix
