"""PDF reports → lines: per page, text outside tables and the tables' TAB rows, top to bottom.

A page with no text layer but a picture (a scan) is rendered and read by OCR
(index.ocr); its lines are marked as OCR'd.
"""

from __future__ import annotations

import re
from pathlib import Path

from index import limits, ocr
from index.errors import ReportError
from index.read_blocks import collapse
from index.read_text import CJK

PAGE_NUMBER = re.compile(
    r"^(?:[-－—–_~～]+\s*\d{1,4}\s*[-－—–_~～]+|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.I,
)


def read_pdf(path: Path) -> list[str]:
    """Per page: text lines outside tables and TAB rows of tables, top to bottom; page numbers dropped."""
    import pdfplumber

    # each block with, for an OCR'd page's block, the offsets of the lines OCR was unsure of
    blocks: list[tuple[list[str], set[int] | None]] = []
    scanned = 0
    with pdfplumber.open(path) as pdf:
        _check_pages(pdf)
        for page in pdf.pages:
            _check_images(page)
            if _is_scan(page):
                scanned += 1
                if scanned > limits.OCR_PAGES:
                    raise limits.OverLimit(f"more than {limits.OCR_PAGES} scanned pages to OCR")
                ocr.require(path, f"page {page.page_number} is a scanned image")
                picture = _render(page)
                page_blocks, unsure = ocr.page_lines(ocr.words_of(picture), picture)
                page_blocks = [[line for line in b if not PAGE_NUMBER.match(line)] for b in page_blocks]
                blocks.extend((b, {k for bi, k in unsure if bi == i}) for i, b in enumerate(page_blocks))
                page.close()
                continue
            page_blocks = _pdf_page(page)
            if (blocks and page_blocks and blocks[-1][1] is None and not _is_table(blocks[-1][0])
                    and not _is_table(page_blocks[0])):
                blocks[-1][0].extend(page_blocks.pop(0))  # a paragraph running over the page break
            blocks.extend((b, None) for b in page_blocks)
            page.close()
    if not any(b for b, _ in blocks):
        raise ReportError(path, "PDF has no extractable text")
    return ocr.join_marked(blocks)


def _is_scan(page) -> bool:
    """A page with a picture and next to no text layer (a page number at most): only OCR can read it."""
    return bool(page.images) and sum(1 for c in page.chars if c["text"].strip()) < 8


def _render(page):
    """The page as a picture at limits.OCR_DPI, or less for a page so large it would pass limits.OCR_PIXELS."""
    inches = max(page.width * page.height / (72 * 72), 1e-6)
    dpi = min(limits.OCR_DPI, int((limits.OCR_PIXELS / inches) ** 0.5))
    return page.to_image(resolution=max(dpi, 30)).original


def _check_pages(pdf) -> None:
    """Refuse a PDF of more pages than a report has, from its page tree's count, before any page is read."""
    from pdfminer.pdftypes import resolve1

    try:
        count = int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except (KeyError, TypeError, ValueError):
        count = 0  # no usable count: the worker's caps still hold
    if count > limits.PDF_PAGES:
        raise limits.OverLimit(f"a PDF of {count} pages, over the limit of {limits.PDF_PAGES}")


def _check_images(page) -> None:
    """Refuse an image whose declared size passes limits.IMAGE_PIXELS: decoding it (OCR) would take gigabytes."""
    for image in page.images:
        width, height = (int(v or 0) for v in image.get("srcsize") or (0, 0))
        if width * height > limits.IMAGE_PIXELS:
            raise limits.OverLimit(
                f"an image of {width} × {height} pixels on page {page.page_number}, "
                f"over the limit of {limits.IMAGE_PIXELS} pixels"
            )


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
        text = collapse(line["text"])
        edge = i in (0, len(lines) - 1)
        if text and not PAGE_NUMBER.match(text) and not (edge and text == str(page.page_number)):
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
        glue = "" if out and CJK.match(out[-1]) and CJK.match(piece[0]) else " "
        out = out + glue + piece if out else piece
    return out
