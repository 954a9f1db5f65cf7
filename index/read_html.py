"""HTML reports → lines: paragraph-like blocks, and each data table as TAB rows on a full grid.

A picture the page shows (<img> with a relative src naming a .png/.jpg file in
the report's own folder or below it; never a URL, never a path out of it) is
read by OCR (index.ocr) where it stands: a table printed as an image. Pictures
are capped as a Word file's are (bytes, pixels before decoding, the OCR page count).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from index import limits, ocr
from index.errors import ReportError
from index.read_blocks import collapse, join_blocks, span_grid
from index.read_text import decode_text, plausible

# Elements whose edges break a line, and elements whose text is never report text
_BLOCK_NAMES = (
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p section summary title ul"
)
_BLOCK_TAGS = frozenset(_BLOCK_NAMES.split())
_SKIP_NAMES = "script style noscript template iframe object svg math select textarea button"
_SKIP_TAGS = frozenset(_SKIP_NAMES.split())
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "utf8": "utf-8",
}


def read_html(path: Path) -> list[str]:
    """Paragraph-like blocks → lines; each table → TAB rows on a full grid."""
    from selectolax.lexbor import LexborHTMLParser

    text = decode_html(path.read_bytes())
    if text is None:
        raise ReportError(path, "cannot decode the HTML: not its declared charset, UTF-8, UTF-16 or GB18030/GBK")
    tree = LexborHTMLParser(text)
    out = _Blocks(path.parent)
    title = tree.css_first("title")
    if title is not None:
        out.paragraph(title.text(deep=True))
    if tree.body is not None:
        _walk_html(tree.body, out)
    out.end_block()
    if not out.ocr and not out.notes:
        return join_blocks(out.blocks)
    lines = ocr.join_marked([(b, out.ocr.get(i)) for i, b in enumerate(out.blocks)])
    lines.notes.extend(out.notes)
    return lines


def decode_html(data: bytes, declared: str = "") -> str | None:
    """HTML bytes → text: a BOM, then the charset the server (`declared`) or <meta> names, then the plain-text
    detection; None when no decoding is plausible."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        meta = _META_CHARSET.search(data[:8192])
        names = ([declared.lower()] if declared else []) + ([meta.group(1).decode("ascii").lower()] if meta else [])
        for name in names:
            name = _CHARSET_ALIASES.get(name, name)
            try:
                text = data.decode(name)
            except (UnicodeDecodeError, LookupError):
                continue  # pages often declare gb2312 and hold UTF-8, or the reverse
            if name == "utf-8" or plausible(text):
                return text.removeprefix("\ufeff")
    return decode_text(data)


class _Blocks:
    """Collects HTML text into lines and blocks as the walk meets inline text, <br> and block edges."""

    def __init__(self, folder: Path | None = None) -> None:
        self.blocks: list[list[str]] = []
        self.lines: list[str] = []
        self.buffer: list[str] = []
        self.folder = folder  # where the report is: the pictures it shows are read from there only
        self.ocr: dict[int, set[int]] = {}  # block index → offsets of its unsure lines, for OCR'd blocks
        self.notes: list[str] = []
        self.count = ocr.PictureCount()  # the pictures read, against the cap a Word file's have

    def picture(self, blocks: list[tuple[list[str], set[int]]]) -> None:
        """Blocks read by OCR from a picture, in its place."""
        self.end_block()
        for lines, unsure in blocks:
            if lines:
                self.ocr[len(self.blocks)] = unsure
                self.blocks.append(lines)

    def text(self, text: str) -> None:
        """Inline text, joined to the current line."""
        self.buffer.append(text)

    def newline(self) -> None:
        """End the current line (a <br>)."""
        line = collapse("".join(self.buffer))
        self.buffer = []
        if line:
            self.lines.append(line)

    def end_block(self) -> None:
        """End the current block (a block element's edge)."""
        self.newline()
        if self.lines:
            self.blocks.append(self.lines)
            self.lines = []

    def paragraph(self, text: str) -> None:
        """A block of its own holding one line."""
        self.end_block()
        self.text(text)
        self.end_block()

    def table(self, rows: list[list[str]]) -> None:
        """A block of TAB rows."""
        self.end_block()
        if rows:
            self.blocks.append(["\t".join(row) for row in rows])


def _walk_html(node, out: _Blocks) -> None:
    """Feed a node's children to `out` in document order."""
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.text(child.text_content or "")
        elif tag.startswith("-") or tag in _SKIP_TAGS:
            continue  # comments, doctype, scripts
        elif tag == "br":
            out.newline()
        elif tag == "img":
            _picture(child, out)
        elif tag == "table":
            _html_table(child, out)
        elif tag == "pre":
            out.end_block()
            for line in child.text(deep=True).splitlines():  # preformatted: its own line breaks count
                out.text(line)
                out.newline()
            out.end_block()
        elif tag in _BLOCK_TAGS or tag in ("td", "th", "tr"):
            out.end_block()
            _walk_html(child, out)
            out.end_block()
        else:
            _walk_html(child, out)


PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _picture(node, out: _Blocks) -> None:
    """An <img> naming a picture file in the report's folder: its text by OCR, where it stands."""
    from urllib.parse import unquote, urlsplit

    src = (node.attributes.get("src") or "").strip()
    parts = urlsplit(src)
    if out.folder is None or not src or parts.scheme or parts.netloc or src.startswith(("/", "\\")):
        return  # a URL (never fetched), data: or an absolute path
    folder = out.folder.resolve()
    target = (folder / unquote(parts.path)).resolve()
    if folder not in target.parents or target.suffix.lower() not in PICTURE_SUFFIXES or not target.is_file():
        return  # outside the report's folder, not a picture file, or missing
    if target.stat().st_size > limits.PICTURE_BYTES:
        raise limits.OverLimit(f"a picture of {target.stat().st_size} bytes, over the limit of {limits.PICTURE_BYTES}")
    out.picture(ocr.embedded_picture(target.read_bytes(), f"picture {target.name}", out.notes, out.count))


def _html_rows(table) -> list[list]:
    """The table's own <tr> rows (not those of nested tables), each as its list of <td>/<th> nodes."""
    rows = []
    for child in table.iter():
        if child.tag == "tr":
            rows.append([c for c in child.iter() if c.tag in ("td", "th")])
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend([c for c in tr.iter() if c.tag in ("td", "th")] for tr in child.iter() if tr.tag == "tr")
    return rows


def _html_table(table, out: _Blocks) -> None:
    """A data table → TAB rows; a layout table (one column, or holding tables) → its cells as blocks."""
    rows = _html_rows(table)
    for caption in (c for c in table.iter() if c.tag == "caption"):
        out.paragraph(caption.text(deep=True))
    if max((len(r) for r in rows), default=0) <= 1 or len(table.css("table")) > 1:  # css() counts the table itself
        for cell in (c for r in rows for c in r):
            out.end_block()
            _walk_html(cell, out)
            out.end_block()
        return
    spans = [[(_cell_text(c), _span(c, "rowspan"), _span(c, "colspan")) for c in r] for r in rows]
    out.table(span_grid(spans))


def _span(cell, name: str) -> int:
    """A rowspan/colspan attribute as a sane int (rowspan 0 = to the end; within 1..1000, colspan 1..COLSPAN)."""
    try:
        value = int((cell.attributes.get(name) or "1").strip())
    except ValueError:
        return 1
    top = limits.COLSPAN if name == "colspan" else 1000
    return top if value == 0 and name == "rowspan" else min(max(value, 1), top)


def _cell_text(node) -> str:
    """A cell's inner text, tags and line breaks becoming spaces, collapsed and trimmed."""
    parts: list[str] = []

    def gather(n) -> None:
        for child in n.iter(include_text=True):
            if child.tag == "-text":
                parts.append(child.text_content or "")
            elif not child.tag.startswith("-") and child.tag not in _SKIP_TAGS:
                block = child.tag == "br" or child.tag in _BLOCK_TAGS or child.tag in ("td", "th", "tr", "table")
                parts.append(" " if block else "")
                gather(child)
                parts.append(" " if block else "")

    gather(node)
    return collapse("".join(parts))
