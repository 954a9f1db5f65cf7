"""What a report file really is, told by its first bytes, not only by its name.

Portals publish a Word file under .doc that is really a .docx, a PDF named
.html, an HTML page saved as .doc. The signature decides; the extension decides
only for formats that have none (text and HTML). Cheap: 1 KB is read, plus a
zip's central directory or an OLE2 file's directory sectors when the file is one.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

# the kind each extension names; read.py dispatches on kinds
EXTENSIONS = {
    ".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf",
    ".doc": "doc", ".wps": "doc", ".rtf": "rtf", ".xls": "xls", ".xlsx": "xlsx", ".ofd": "ofd",
    ".png": "image", ".jpg": "image", ".jpeg": "image",
    # OpenDocument text and spreadsheet; Kingsoft WPS's spreadsheet .et is an OLE2 Excel-binary workbook
    ".odt": "odt", ".ods": "ods", ".et": "xls",
}
# an OpenDocument file's kind, by the `mimetype` member its zip holds first
_ODF_TYPES = {"application/vnd.oasis.opendocument.text": "odt",
              "application/vnd.oasis.opendocument.spreadsheet": "ods"}
HEAD_BYTES = 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_HTML_MARKS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<meta", b"<p>", b"<div")
_OLE_DIRECTORY_SECTORS = 64  # a Word or Excel file's directory fits in a few; a longer chain is not followed


def sniff(path: Path, suffix: str) -> str:
    """The file's kind: text, html, pdf, docx, xlsx, doc, xls, rtf, odt, ods, ofd, image, or "unknown";
    OSError if unreadable."""
    with open(path, "rb") as handle:
        return sniff_stream(handle, suffix)


def sniff_bytes(data: bytes, suffix: str) -> str:
    """The kind of bytes not on disk (a download), by the same rules; `suffix` is the name's, or "" for none."""
    return sniff_stream(io.BytesIO(data), suffix)


def sniff_stream(handle: BinaryIO, suffix: str) -> str:
    """sniff() of a binary file opened at its start (seekable: a zip's or an OLE2 file's directory is sought)."""
    head = handle.read(HEAD_BYTES)
    named = EXTENSIONS.get(suffix, "unknown")
    if head.startswith(b"%PDF") or (named == "pdf" and b"%PDF-" in head):
        return "pdf"  # readers accept a PDF header anywhere in the first 1 KB
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(handle, named)
    if head.startswith(_OLE):
        return _ole_kind(handle, named)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(_IMAGES):
        return "image"
    if named in ("text", "html"):
        return named  # no signature: the name decides, as it always did
    if _looks_like_html(head):
        return "html"  # a web page saved under a Word or Excel name
    return "unknown"


def _zip_kind(handle: BinaryIO, named: str) -> str:
    """docx, xlsx, odt, ods or ofd by the members a zip holds; a zip that cannot be opened is what its name says."""
    try:
        with zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
            odf = _odf_type(archive) if "mimetype" in names else None
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return named if named in ("docx", "xlsx", "odt", "ods", "ofd") else "unknown"  # its reader says why
    if odf is not None:
        return odf
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return "docx"
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower() == "ofd.xml" for n in names):
        return "ofd"
    return "unknown"


def _odf_type(archive: zipfile.ZipFile) -> str | None:
    """odt or ods by the OpenDocument `mimetype` member (a few dozen bytes; no more is read), else None."""
    with archive.open("mimetype") as member:
        return _ODF_TYPES.get(member.read(100).decode("ascii", "replace").strip())


def _ole_kind(handle: BinaryIO, named: str) -> str:
    """doc or xls by the streams an OLE2 compound file holds (WordDocument, Workbook/Book)."""
    names = _ole_names(handle)
    if "WordDocument" in names:
        return "doc"
    if names & {"Workbook", "Book"}:
        return "xls"
    return named if named in ("doc", "xls") else "unknown"  # its reader says whether it can open it


def _ole_names(handle: BinaryIO) -> set[str]:
    """The entry names in an OLE2 file's directory, following its chain through the first FAT sectors."""
    names: set[str] = set()
    try:
        handle.seek(0)
        header = handle.read(512)
        shift = struct.unpack_from("<H", header, 0x1E)[0]
        if not 7 <= shift <= 16:
            return names
        size = 1 << shift
        difat = struct.unpack_from("<109I", header, 0x4C)
        sector = struct.unpack_from("<I", header, 0x30)[0]
        per_fat = size // 4
        for _ in range(_OLE_DIRECTORY_SECTORS):
            if sector >= 0xFFFFFFFA:  # end of chain or a special marker
                break
            handle.seek((sector + 1) * size)
            data = handle.read(size)
            for offset in range(0, len(data) - 127, 128):
                length = struct.unpack_from("<H", data, offset + 0x40)[0]
                if 2 <= length <= 64:
                    names.add(data[offset:offset + length - 2].decode("utf-16-le", "replace"))
            fat_index = sector // per_fat
            if fat_index >= len(difat) or difat[fat_index] >= 0xFFFFFFFA:
                break
            handle.seek((difat[fat_index] + 1) * size + (sector % per_fat) * 4)
            entry = handle.read(4)
            if len(entry) < 4:
                break
            sector = struct.unpack("<I", entry)[0]
    except (OSError, struct.error):
        pass
    return names


def _looks_like_html(head: bytes) -> bool:
    """Whether the first bytes read as an HTML page (after a BOM and whitespace, in any case)."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return text.startswith(b"<") and any(mark in text for mark in _HTML_MARKS)
