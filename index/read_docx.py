"""Word .docx reports → lines: the body's paragraphs and tables in document order, read from the XML.

A picture in the body (a table pasted as a screenshot, common in real reports)
is read by OCR (index.ocr) where it stands, but only when the text lacks one of
the national tables: a report whose tables are text pays nothing for its logo
or seal. Each picture is capped as a picture file is (bytes, pixels before
decoding, the OCR page count), and one that cannot be decoded is named in the
report's warnings.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from index import limits, ocr
from index.read_blocks import collapse, join_blocks

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_VML_IMAGE = "{urn:schemas-microsoft-com:vml}imagedata"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_WRAPPERS = (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag", _W + "ins")


@dataclass(frozen=True)
class _Picture:
    """A picture where it stands in the body: its relationship id in the document part."""

    rid: str


def read_docx(path: Path) -> list[str]:
    """The body in document order: paragraphs → lines, tables → TAB rows on a full grid; pictures by OCR
    when the text lacks a national table."""
    import docx

    check_zip(path)
    document = docx.Document(str(path))
    blocks: list[list[str] | _Picture] = []
    _docx_blocks(document.element.body, blocks)
    lines = join_blocks([b for b in blocks if not isinstance(b, _Picture)])
    if not any(isinstance(b, _Picture) for b in blocks) or not _lacks_tables(lines):
        return lines
    return _with_pictures(document, blocks)


def _lacks_tables(lines: list[str]) -> bool:
    """Whether the text is missing one of the national tables (a picture may hold it)."""
    from index.catalogue import TABLE_APPLY, TABLE_PROACTIVE, TABLE_REVIEW
    from index.layout import blocks as layout_blocks
    from index.tables import read_tables

    found = read_tables(layout_blocks(lines)).found
    return not {TABLE_PROACTIVE, TABLE_APPLY, TABLE_REVIEW} <= set(found)


def _with_pictures(document, blocks: list) -> ocr.Lines:
    """The text blocks with each picture's OCR'd blocks where it stands; a picture not read is a note."""
    marked: list[tuple[list[str], set[int] | None]] = []
    notes: list[str] = []
    seen: set[str] = set()
    count = ocr.PictureCount()
    for block in blocks:
        if not isinstance(block, _Picture):
            marked.append((block, None))
            continue
        part = document.part.related_parts.get(block.rid)
        blob = getattr(part, "blob", None)
        if blob is None or block.rid in seen:
            continue  # a link to an outside file (never fetched), or the same picture shown again
        seen.add(block.rid)
        name = str(part.partname).lstrip("/")
        if len(blob) > limits.PICTURE_BYTES:
            raise limits.OverLimit(f"picture {name} of {len(blob)} bytes, over the limit of {limits.PICTURE_BYTES}")
        got = ocr.embedded_picture(blob, f"picture {name}", notes, count)
        marked.extend((b, unsure) for b, unsure in got)
    lines = ocr.join_marked(marked)
    lines.notes.extend(notes)
    return lines


def check_zip(path: Path) -> None:
    """Refuse a zip bomb before python-docx inflates it: the members' declared sizes, then their actual
    sizes, each stream-read a chunk at a time and abandoned once the total passes limits.UNZIPPED_BYTES."""
    cap = limits.UNZIPPED_BYTES
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > limits.ZIP_MEMBERS:
            raise limits.OverLimit(f"a zip of {len(members)} members, over the limit of {limits.ZIP_MEMBERS}")
        declared = sum(m.file_size for m in members)
        if declared > cap:
            raise limits.OverLimit(f"expands to {declared} bytes (declared), over the limit of {cap} bytes")
        actual = 0
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    actual += len(chunk)
                    if actual > cap:
                        raise limits.OverLimit(f"expands to more than {cap} bytes, over the limit")


def _children(element, *tags: str):
    """Direct children with one of `tags`, looking through content-control and custom-XML wrappers."""
    for child in element.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, *tags)


def _docx_blocks(container, blocks: list) -> None:
    """Paragraphs, tables and pictures of a body or cell, appended to `blocks` in document order."""
    for child in _children(container, _W + "p", _W + "tbl"):
        if child.tag == _W + "tbl":
            _docx_table(child, blocks)
            continue
        lines = [collapse(line) for line in _docx_text(child).split("\n")]
        if any(lines):
            blocks.append([line for line in lines if line])
        blocks.extend(_Picture(rid) for rid in _pictures(child))


def _pictures(paragraph) -> list[str]:
    """The relationship ids of the pictures a paragraph shows (DrawingML or VML), each once: a picture in
    mc:Fallback repeats the one in mc:Choice."""
    rids: list[str] = []

    def gather(element) -> None:
        for child in element.iterchildren():
            if child.tag == _FALLBACK:
                continue
            if child.tag in (_BLIP, _VML_IMAGE):
                rid = child.get(_R + "embed") or child.get(_R + "id")
                if rid and rid not in rids:
                    rids.append(rid)
            gather(child)

    gather(paragraph)
    return rids


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
    return collapse(" ".join(_docx_text(p) for p in tc.iter(_W + "p") if _outermost(p, tc)))


def _outermost(paragraph, tc) -> bool:
    """Whether a paragraph is not inside another paragraph (a text box), so its text is not read twice."""
    parent = paragraph.getparent()
    while parent is not None and parent is not tc:
        if parent.tag == _W + "p":
            return False
        parent = parent.getparent()
    return True
