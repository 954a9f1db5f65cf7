"""Any report file → its text lines: the one door every report comes in through.

Line numbers (1-based positions in the returned list) are what facts cite, so a
.txt/.md file comes back exactly as its lines. HTML, Word and PDF files come
back as blocks separated by one blank line: paragraphs, and each table as one
line per row with its cells joined by TABs on a full rectangular grid, where a
merged cell's text sits in its top-left position and every other position it
spans is an empty string. In those formats a TAB appears only in table rows.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
import unicodedata
from pathlib import Path

from index.errors import ReportError

SUPPORTED = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
MAX_BYTES = 20 * 1024 * 1024

_KIND = {".txt": "text", ".md": "text", ".html": "HTML", ".htm": "HTML", ".docx": "a Word .docx file", ".pdf": "a PDF"}


def read_lines(path: str | Path, max_bytes: int = MAX_BYTES) -> list[str]:
    """The report at `path` as text lines without newlines; ReportError when it cannot be read."""
    path = Path(path)
    suffix = _check_file(path, max_bytes)
    reader = {
        ".txt": _read_text,
        ".md": _read_text,
        ".html": _read_html,
        ".htm": _read_html,
        ".docx": _read_docx,
        ".pdf": _read_pdf,
    }[suffix]
    try:
        lines = reader(path)
    except ReportError:
        raise
    except Exception as exc:  # a library's own error must not escape: say which file and why
        raise ReportError(path, f"cannot read as {_KIND[suffix]} (corrupt?): {type(exc).__name__}: {exc}") from exc
    if not any(line.strip() for line in lines):
        raise ReportError(path, f"no text found in {_KIND[suffix]}")
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


def _join_blocks(blocks: list[list[str]]) -> list[str]:
    """Blocks of lines → one list with a single blank line between blocks."""
    lines: list[str] = []
    for block in blocks:
        if not block:
            continue
        if lines:
            lines.append("")
        lines.extend(block)
    return lines


def _collapse(text: str) -> str:
    """Whitespace runs (newlines, TABs, U+3000, NBSP) → one space, trimmed; zero-width marks dropped."""
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


# --- plain text -----------------------------------------------------------------------

_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _read_text(path: Path) -> list[str]:
    """A .txt/.md file's lines, exactly: line N of the list is line N of the file."""
    text = decode_text(path.read_bytes())
    if text is None:
        raise ReportError(path, "cannot decode the text: not UTF-8, UTF-16 or GB18030/GBK")
    if not text.strip():
        raise ReportError(path, "file is empty (only whitespace)")
    return split_lines(text)


def split_lines(text: str) -> list[str]:
    """Lines split on \\n or \\r\\n only (not str.splitlines, which also splits on \\f, \\x1c, U+2028…)."""
    newline = "\n" if "\n" in text else "\r"  # old Mac files use a bare CR
    lines = text.split(newline)
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line, it does not start another
    return [line.removesuffix("\r") for line in lines]


def decode_text(data: bytes) -> str | None:
    """Bytes in UTF-8, UTF-16 or GB18030/GBK → text without BOM; None when no decoding is plausible."""
    for encoding, guessed in _candidates(data):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not guessed or _plausible(text):
            return text.removeprefix("\ufeff")
    return _guess(data)


def _candidates(data: bytes) -> list[tuple[str, bool]]:
    """Encodings to try strictly, in order, each with whether it is a guess whose result must look Chinese."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return [(encoding, False)]
    utf16 = _utf16_by_nuls(data) if b"\x00" in data else ""
    # strict UTF-8 that succeeds is right in practice; GB18030 accepts much that is not Chinese
    return ([(utf16, True)] if utf16 else []) + [("utf-8", False), ("gb18030", True)]


def _utf16_by_nuls(data: bytes) -> str:
    """UTF-16 without BOM shows as NUL bytes on one side: the high bytes of ASCII characters."""
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    enough = max(2, len(sample) // 200)
    if odd >= enough and odd > 4 * even:
        return "utf-16-le"
    if even >= enough and even > 4 * odd:
        return "utf-16-be"
    return ""


def _guess(data: bytes) -> str | None:
    """charset-normalizer's best guess, only when the strict decoders all failed, and only if it looks Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        return None
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text.removeprefix("\ufeff") if _plausible(text) else None


def _plausible(text: str) -> bool:
    """Whether a guessed decoding reads as Chinese: no replacement or control characters, mostly CJK beyond ASCII."""
    sample = text[:200_000]
    if "\ufffd" in sample or "\x00" in sample:
        return False
    visible = len(sample) - sum(1 for c in sample if c.isspace())
    if len(_CONTROL.findall(sample)) > 2 + visible // 100:  # a stray ^Z at the end is fine
        return False
    foreign = [c for c in sample if ord(c) > 127 and not c.isspace()]
    if not foreign:
        return True
    odd = sum(1 for c in foreign if unicodedata.category(c) in ("Co", "Cn", "Cs"))
    return odd * 100 <= len(foreign) and len(_CJK.findall("".join(foreign))) >= 0.6 * len(foreign)


# --- HTML -------------------------------------------------------------------------------

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


def _read_html(path: Path) -> list[str]:
    """Paragraph-like blocks → lines; each table → TAB rows on a full grid."""
    from selectolax.lexbor import LexborHTMLParser

    text = _decode_html(path.read_bytes())
    if text is None:
        raise ReportError(path, "cannot decode the HTML: not its declared charset, UTF-8, UTF-16 or GB18030/GBK")
    tree = LexborHTMLParser(text)
    out = _Blocks()
    title = tree.css_first("title")
    if title is not None:
        out.paragraph(title.text(deep=True))
    if tree.body is not None:
        _walk_html(tree.body, out)
    out.end_block()
    return _join_blocks(out.blocks)


def _decode_html(data: bytes) -> str | None:
    """HTML bytes → text: a BOM, then <meta charset>, then the plain-text detection."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _META_CHARSET.search(data[:8192])
        if declared:
            name = declared.group(1).decode("ascii").lower()
            name = _CHARSET_ALIASES.get(name, name)
            try:
                text = data.decode(name)
            except (UnicodeDecodeError, LookupError):
                text = None  # pages often declare gb2312 and hold UTF-8, or the reverse
            if text is not None and (name == "utf-8" or _plausible(text)):
                return text.removeprefix("\ufeff")
    return decode_text(data)


class _Blocks:
    """Collects HTML text into lines and blocks as the walk meets inline text, <br> and block edges."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = []
        self.lines: list[str] = []
        self.buffer: list[str] = []

    def text(self, text: str) -> None:
        """Inline text, joined to the current line."""
        self.buffer.append(text)

    def newline(self) -> None:
        """End the current line (a <br>)."""
        line = _collapse("".join(self.buffer))
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
    """A rowspan/colspan attribute as a sane int (0 = to the end, kept within 1..1000)."""
    try:
        value = int((cell.attributes.get(name) or "1").strip())
    except ValueError:
        return 1
    return 1000 if value == 0 and name == "rowspan" else min(max(value, 1), 1000)


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
    return _collapse("".join(parts))


def span_grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) → a rectangular grid; spanned positions other than the top-left are ''."""
    taken: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(rows):
        c = 0
        for text, rowspan, colspan in cells:
            while (r, c) in taken:
                c += 1
            for dr in range(min(rowspan, len(rows) - r)):
                for dc in range(colspan):
                    taken[(r + dr, c + dc)] = text if dr == dc == 0 else ""
            c += colspan
    width = max((c for _, c in taken), default=-1) + 1
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))]


# --- Word .docx ---------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_WRAPPERS = (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag", _W + "ins")


def _read_docx(path: Path) -> list[str]:
    """The body in document order: paragraphs → lines, tables → TAB rows on a full grid."""
    import docx

    blocks: list[list[str]] = []
    _docx_blocks(docx.Document(str(path)).element.body, blocks)
    return _join_blocks(blocks)


def _children(element, *tags: str):
    """Direct children with one of `tags`, looking through content-control and custom-XML wrappers."""
    for child in element.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, *tags)


def _docx_blocks(container, blocks: list[list[str]]) -> None:
    """Paragraphs and tables of a body or cell, appended to `blocks` in document order."""
    for child in _children(container, _W + "p", _W + "tbl"):
        if child.tag == _W + "tbl":
            _docx_table(child, blocks)
            continue
        lines = [_collapse(line) for line in _docx_text(child).split("\n")]
        if any(lines):
            blocks.append([line for line in lines if line])


def _docx_text(paragraph) -> str:
    """A paragraph's text: runs' text, tabs as spaces, line breaks as \\n; no compatibility fallbacks twice."""
    parts: list[str] = []

    def gather(element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == _FALLBACK:
                continue  # mc:Fallback repeats mc:Choice (text boxes drawn twice)
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag in (_W + "br", _W + "cr", _W + "p"):
                parts.append("\n")
                gather(child)
            elif tag == _W + "tab" and element.tag == _W + "r":
                parts.append(" ")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            else:
                gather(child)

    gather(paragraph)
    return "".join(parts)


def _docx_table(table, blocks: list[list[str]]) -> None:
    """A Word table → TAB rows; merged cells keep text at their top-left, '' elsewhere; one column → text."""
    rows: list[list[str]] = []
    for tr in _children(table, _W + "tr"):
        row = [""] * _grid_val(tr.find(f"{_W}trPr/{_W}gridBefore"))
        for tc in _children(tr, _W + "tc"):
            merged = tc.find(f"{_W}tcPr/{_W}vMerge")
            hmerged = tc.find(f"{_W}tcPr/{_W}hMerge")
            continued = any(m is not None and m.get(_W + "val") in (None, "continue") for m in (merged, hmerged))
            span = _grid_val(tc.find(f"{_W}tcPr/{_W}gridSpan"), default=1)
            row += ["" if continued else _docx_cell_text(tc)] + [""] * (span - 1)
        row += [""] * _grid_val(tr.find(f"{_W}trPr/{_W}gridAfter"))
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    if width <= 1:
        for tc in (tc for tr in _children(table, _W + "tr") for tc in _children(tr, _W + "tc")):
            _docx_blocks(tc, blocks)  # a one-column table is a bordered text box
        return
    blocks.append(["\t".join(row + [""] * (width - len(row))) for row in rows])


def _grid_val(element, default: int = 0) -> int:
    """The integer w:val of gridSpan/gridBefore/gridAfter, within 0..1000."""
    if element is None:
        return default
    try:
        return min(max(int(element.get(_W + "val")), 0), 1000)
    except (TypeError, ValueError):
        return default


def _docx_cell_text(tc) -> str:
    """A cell's paragraphs (nested tables flattened) joined by spaces, U+3000 and newlines as spaces, trimmed."""
    return _collapse(" ".join(_docx_text(p) for p in tc.iter(_W + "p") if _outermost(p, tc)))


def _outermost(paragraph, tc) -> bool:
    """Whether a paragraph is not inside another paragraph (a text box), so its text is not read twice."""
    parent = paragraph.getparent()
    while parent is not None and parent is not tc:
        if parent.tag == _W + "p":
            return False
        parent = parent.getparent()
    return True


# --- PDF ------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:[-－—–_~～]+\s*\d{1,4}\s*[-－—–_~～]+|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.I,
)


def _read_pdf(path: Path) -> list[str]:
    """Per page: text lines outside tables and TAB rows of tables, top to bottom; page numbers dropped."""
    import pdfplumber

    blocks: list[list[str]] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page_blocks = _pdf_page(page)
            if blocks and page_blocks and not _is_table(blocks[-1]) and not _is_table(page_blocks[0]):
                blocks[-1].extend(page_blocks.pop(0))  # a paragraph running over the page break
            blocks.extend(page_blocks)
            page.close()
    if not blocks:
        raise ReportError(path, "PDF has no extractable text (a scanned image? it needs OCR first)")
    return _join_blocks(blocks)


def _is_table(block: list[str]) -> bool:
    """Whether a block holds table rows."""
    return any("\t" in line for line in block)


def _pdf_page(page) -> list[list[str]]:
    """One page's blocks: runs of text lines, and each table of two or more columns."""
    page = page.dedupe_chars()  # bold faked by printing a glyph twice would double every character
    tables = [t for t in page.find_tables() if max((len(r.cells) for r in t.rows), default=0) > 1]
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        """Keep everything but the characters inside a table."""
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    items: list[tuple[float, str | list[str]]] = []
    lines = text_page.extract_text_lines(return_chars=False)
    for i, line in enumerate(lines):
        text = _collapse(line["text"])
        edge = i in (0, len(lines) - 1)
        if text and not _PAGE_NUMBER.match(text) and not (edge and text == str(page.page_number)):
            items.append((line["top"], text))
    for table in tables:
        rows = ["\t".join(_pdf_cell(c) for c in row) for row in table.extract()]
        items.append((table.bbox[1], rows))
    items.sort(key=lambda item: item[0])
    blocks: list[list[str]] = []
    for _, item in items:
        if isinstance(item, list):
            blocks.append(item)
        elif blocks and not _is_table(blocks[-1]):
            blocks[-1].append(item)
        else:
            blocks.append([item])
    return blocks


def _pdf_cell(text: str | None) -> str:
    """A table cell as pdfplumber gives it, its line breaks removed: no space between CJK, else one space."""
    pieces = [p.strip() for p in (text or "").replace("\t", " ").split("\n")]
    out = ""
    for piece in (p for p in pieces if p):
        glue = "" if out and _CJK.match(out[-1]) and _CJK.match(piece[0]) else " "
        out = out + glue + piece if out else piece
    return out
