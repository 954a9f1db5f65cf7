"""Test helpers: reports turned into scans (pictures of their pages, some askew, blurred and noisy) and the
cells a scan's facts are scored against. Used by tests/test_ocr.py and bench/ocr.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from index.cells import in_yuan, parse_cell
from index.ocr_fill import OCR_UNSURE
from index.sections import heading_key
from tests.render import segments, to_pdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
REVIEW_KEYS = tuple(f"{block}.{column}" for block in ("review", "litigation.direct", "litigation.after_review")
                    for column in ("upheld", "corrected", "other", "pending", "total"))


def tables_only(lines: list[str]) -> list[str]:
    """A seed's tables with the section headings before them: the part a scan of its tables shows."""
    out: list[str] = []
    for seg in segments(lines):
        if isinstance(seg, str):
            if seg.strip() and heading_key(seg.strip()) and len(seg.strip()) < 40:
                out.append(seg.strip())
        else:
            out.extend("\t".join(row) for row in seg)
    return out


def pages_of_pdf(pdf: Path, dpi: int, pages: list[int] | None = None) -> list:
    """PIL images of a PDF's pages (0-based `pages`, default all) at `dpi`."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in (pages or range(len(doc)))]
    finally:
        doc.close()


def degrade(image, seed: int):
    """A page as a poor scan: turned 1–2° either way, blurred, with grain."""
    import numpy as np
    from PIL import ImageFilter

    rnd = random.Random(seed)
    angle = rnd.choice((-1, 1)) * rnd.uniform(1.0, 2.0)
    image = image.rotate(angle, resample=3, expand=True, fillcolor="white")
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    pixels = np.asarray(image).astype(np.int16)
    noise = np.random.default_rng(seed).normal(0, 12, pixels.shape)
    from PIL import Image

    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def seed_scan_pages(seed_file: Path, work: Path, dpi: int = 200) -> list:
    """The pictures of a seed's tables printed as an A4 PDF."""
    pdf = work / f"{seed_file.stem}.tables.pdf"
    to_pdf(tables_only(seed_file.read_text(encoding="utf-8").splitlines()), pdf)
    return pages_of_pdf(pdf, dpi)


def save_scan(images: list, path: Path, dpi: int = 200) -> Path:
    """Pictures saved as a PDF with no text layer (.pdf) or one picture (.png/.jpg, pages stacked)."""
    if path.suffix == ".pdf":
        images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
        return path
    from PIL import Image

    width, height = max(i.width for i in images), sum(i.height for i in images)
    sheet = Image.new("RGB", (width, height), "white")
    y = 0
    for image in images:
        sheet.paste(image, (0, y))
        y += image.height
    sheet.save(path, dpi=(dpi, dpi))
    return path


def gold_cells(name: str) -> dict[tuple[str, str | None], str]:
    """(metric, applicant) → the cell as printed, for a seed ("000") or the huaian PDF ("huaian")."""
    if name == "huaian":
        spec = yaml.safe_load((FIXTURES / "huaian_cells.yaml").read_text(encoding="utf-8"))
        strip = False
    else:
        spec = yaml.safe_load((FIXTURES / "seed_cells.yaml").read_text(encoding="utf-8"))[name]
        strip = True
    out: dict[tuple[str, str | None], str] = {}
    for row, cells in (spec.get("proactive") or {}).items():
        for column, raw in cells.items():
            if column != "line":
                out[(f"proactive.{row}.{column}", None)] = raw
    for metric, cells in (spec.get("apply") or {}).items():
        cells = cells[1:] if strip else cells
        out.update({(metric, a): raw for a, raw in zip(APPLICANTS, cells, strict=True)})
    review = spec.get("review") or []
    review = review[1:] if strip else review
    out.update({(key, None): raw for key, raw in zip(REVIEW_KEYS, review, strict=False)})
    return out


def score(gold: dict, facts: list) -> dict:
    """Each gold cell: read right, read wrong but flagged (ocr_unsure), read wrong unflagged, or not read."""
    by_key = {(f.metric, f.applicant): f for f in facts if f.table in ("表二", "表三", "表四") and f.year is None}
    out = {"cells": len(gold), "right": 0, "flagged": 0, "unflagged_wrong": 0, "unread": 0, "wrong": []}
    for key, raw in gold.items():
        fact = by_key.get(key)
        if fact is None:
            out["unread"] += 1
        elif same(raw, fact):
            out["right"] += 1
        elif fact.kind == OCR_UNSURE:
            out["flagged"] += 1
        else:
            out["unflagged_wrong"] += 1
            out["wrong"].append((key, raw, fact.raw, fact.value, fact.kind))
    return out


def same(raw: str, fact) -> bool:
    """Whether a fact states the printed cell; a blank printed cell and 0 count alike (blank counts as 0 beside
    numbers, and OCR cannot tell an empty cell from a lone 0 it missed)."""
    printed = parse_cell(raw)
    if printed.value is None and printed.kind != "blank":
        return parse_cell(fact.raw or "") is not None and parse_cell(fact.raw).kind == printed.kind
    if fact.value is None:
        return fact.kind == "blank" and not printed.value
    want = in_yuan(printed.value or 0, printed.unit) if printed.unit else (printed.value or 0)
    got = fact.value
    got = in_yuan(got, fact.unit) if printed.unit and fact.unit in ("元", "万元") else got
    return abs(float(want) - float(got)) < 1e-6
