"""Pictures of text (a scanned PDF page, a .png/.jpg of a table) → text lines, offline.

The engine is rapidocr (the optional extra `ocr`): its detection and
recognition models ship in its wheel, so nothing is fetched. It reads
multi-digit cells well on rendered report tables; tesseract, measured on the
same tables, read far fewer. Without the extra a picture is refused with a
reason that names the extra, never skipped in silence.

Its words and boxes become the lines every reader gives (index.read): rows by
the words' vertical centres, each row's words left to right joined by TABs.
In a run of rows that hold values, the columns are where the fullest rows put
their values, and a row missing a value (OCR misses some lone `0`s) gets an
empty cell in that column, so the template aligner still reads the row and the
sum rules (index.ocr_fill) can say what the empty cell holds.

A page's words are cached by the SHA-256 of the picture's bytes (in
NIANBAO_OCR_CACHE, default ~/.cache/nianbao/ocr), so each picture is read once;
the folder is kept under NIANBAO_OCR_CACHE_MB (index.disk_cache).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import statistics
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index import disk_cache, limits
from index.cells import parse_cell
from index.errors import ReportError

NEEDS_EXTRA = "needs the OCR extra (pip install nianbao[ocr])"
CACHE_ENV = "NIANBAO_OCR_CACHE"
CACHE_SIZE_ENV = "NIANBAO_OCR_CACHE_MB"  # its cap (index.disk_cache): least recently used pages go first
# a word the recogniser scored lower than this makes its row unsure: its values are flagged
SURE_SCORE = 0.9
# part of the engine's identity in the cache key: a new model or row rule reads again
CACHE_VERSION = "1"
# the engine reads a page in bands of STRIP pixels overlapping by OVERLAP (several lines of text at 200 dpi)
STRIP, OVERLAP = 1000, 200


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float
    tilt: float = 0.0  # the box's top edge, in degrees (a page scanned askew)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


class Lines(list):
    """A reader's lines, with the 1-based numbers of those read by OCR and of those it was unsure of."""

    def __init__(self, lines=(), ocr=(), unsure=(), notes=()):
        super().__init__(lines)
        self.ocr: set[int] = set(ocr)
        self.unsure: set[int] = set(unsure)
        self.notes: list[str] = list(notes)  # what the report's warnings should say (a picture not read)


def available() -> bool:
    """Whether the OCR extra is installed."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))


def require(path: Path | str, what: str) -> None:
    """A ReportError naming the extra, when `what` (a scanned page, an image) needs OCR and it is missing."""
    if not available():
        raise ReportError(path, f"{what}: {NEEDS_EXTRA}")


@lru_cache(maxsize=1)
def _engine():
    from rapidocr import RapidOCR

    return RapidOCR(params={
        "Global.log_level": "error",
        # pages are upright; a small tilt is undone on the boxes below (_deskew), so no angle model
        "Global.use_cls": False,
        # one thread per worker: the build runs one worker per core
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "nianbao" / "ocr")


def _engine_id() -> str:
    from importlib import metadata

    versions = []
    for lib in ("rapidocr", "onnxruntime"):
        try:
            versions.append(f"{lib}=={metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{lib} missing")
    return CACHE_VERSION + ";" + ";".join(versions)


def words_of(image) -> list[Word]:
    """The words of a PIL image, from the cache when this picture was read before."""
    raw = image.tobytes()
    key = hashlib.sha256(f"{image.mode}{image.size}{_engine_id()}".encode() + raw).hexdigest()
    cached = cache_dir() / key[:2] / f"{key}.json"
    try:
        words = [Word(*w) for w in json.loads(cached.read_text(encoding="utf-8"))]
        disk_cache.used(cached)
        return words
    except (OSError, ValueError, TypeError):
        pass
    limits.ocr_starts()
    with limits.ocr_memory():
        words = _read(image.convert("RGB"))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([_as_list(w) for w in words], ensure_ascii=False), encoding="utf-8")
        tmp.replace(cached)
        disk_cache.trim(cache_dir(), disk_cache.cap_bytes(CACHE_SIZE_ENV, disk_cache.OCR_CACHE_MB))
    except OSError:
        pass  # a read-only home: OCR again next time, still correct
    return words


def _read(image) -> list[Word]:
    """The engine over the picture in overlapping bands (its memory grows with the pixels it is given): a word
    is kept from the band whose middle part holds its centre, so a line cut by a band's edge is read whole
    from the next."""
    import numpy as np

    words: list[Word] = []
    top = 0
    while top < image.height:
        bottom = min(top + STRIP, image.height)
        keep_from = top + OVERLAP // 2 if top else 0
        keep_to = bottom - OVERLAP // 2 if bottom < image.height else bottom
        try:
            result = _engine()(np.asarray(image.crop((0, top, image.width, bottom))))
        except Exception as exc:  # onnxruntime reports its allocator failing as a RuntimeException
            if "bad_alloc" in str(exc):
                raise MemoryError(str(exc)) from None
            raise
        for box, text, score in zip(result.boxes if result.boxes is not None else [], result.txts or (),
                                    result.scores or (), strict=False):
            xs, ys = [float(p[0]) for p in box], [float(p[1]) + top for p in box]
            if not keep_from <= (min(ys) + max(ys)) / 2 < keep_to:
                continue
            (ax, ay), (bx, by) = (float(v) for v in box[0]), (float(v) for v in box[1])
            tilt = math.degrees(math.atan2(by - ay, bx - ax)) if bx != ax else 0.0
            words.append(Word(str(text), min(xs), min(ys), max(xs), max(ys), float(score), tilt))
        if bottom == image.height:
            break
        top = bottom - OVERLAP
    return words


def _as_list(word: Word) -> list:
    return [word.text, word.x0, word.y0, word.x1, word.y1, word.score, word.tilt]


def _deskew(words: list[Word]) -> list[Word]:
    """Words of a page scanned a degree or two askew, turned back: their centres rotated by the long
    boxes' median tilt, so a row's words share one height again."""
    tilts = [w.tilt for w in words if w.x1 - w.x0 > 2 * max(w.height, 1)]
    if len(tilts) < 3:
        return words
    angle = statistics.median(tilts)
    if abs(angle) < 0.1 or abs(angle) > 10:
        return words
    a = math.radians(-angle)
    cos, sin = math.cos(a), math.sin(a)
    out = []
    for w in words:
        cx, cy = w.cx * cos - w.cy * sin, w.cx * sin + w.cy * cos
        hw = (w.x1 - w.x0) / 2
        # a tilted word's box is taller than the word by its width × sin(angle)
        hh = max((w.y1 - w.y0) - (w.x1 - w.x0) * abs(sin), (w.y1 - w.y0) * 0.3) / 2
        out.append(Word(w.text, cx - hw, cy - hh, cx + hw, cy + hh, w.score))
    return out


def _rows(words: list[Word]) -> list[list[Word]]:
    """Words → rows by vertical centre (a word joins a row whose centre is within half a line), each left to right."""
    if not words:
        return []
    line = statistics.median(w.height for w in words) or 1.0
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.cy):
        if rows and abs(w.cy - statistics.fmean(v.cy for v in rows[-1])) <= line * 0.5:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(r, key=lambda w: w.x0) for r in rows]


def _is_value(word: Word) -> bool:
    value = parse_cell(word.text)
    return value is not None and value.kind != "blank"


def _columns(group: list[list[Word]]) -> list[float] | None:
    """The x-centres of a run of rows' value columns, from the rows with the most values."""
    counts = [sum(_is_value(w) for w in r) for r in group]
    most = max(counts)
    full = [r for r, n in zip(group, counts, strict=True) if n == most]
    if most < 2 or len(full) < 2:
        return None
    return [statistics.median([w for w in r if _is_value(w)][i].cx for r in full) for i in range(most)]


def _cells(row: list[Word], columns: list[float] | None) -> tuple[list[str], float]:
    """A row's cells: its labels, then its values in their columns (an empty cell where a column has none),
    and the lowest score among its values."""
    labels = [w for w in row if not _is_value(w)]
    values = [w for w in row if _is_value(w)]
    low = min((w.score for w in values), default=1.0)
    slots = [w.text for w in values]
    if columns and values and len(values) < len(columns):
        width = min(b - a for a, b in zip(columns, columns[1:], strict=False)) if len(columns) > 1 else 0
        placed: dict[int, str] = {}
        for w in values:
            i = min(range(len(columns)), key=lambda i: abs(columns[i] - w.cx))
            if i in placed or (width and abs(columns[i] - w.cx) > width / 2):
                placed = {}
                break
            placed[i] = w.text
        if placed:
            slots = [placed.get(i, "") for i in range(len(columns))]
    return [w.text for w in labels] + slots, low


def page_lines(words: list[Word], image=None) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Words → blocks of lines as the other readers give them (paragraph lines; table rows joined by TABs),
    and the (block, line) positions of rows with a value OCR was unsure of. With the picture, a row of a
    ruled table is cut into its cells by the rules: an empty cell stays an empty cell, and the lines of one
    cell (a label over two lines) are one cell."""
    turned = _deskew(words)
    place = {id(t): w for t, w in zip(turned, words, strict=True)}
    rows = [[place[id(t)] for t in r] for r in _rows(turned)]
    grid = _Rules(image) if image is not None else None
    ruled = [grid.cells(r) if grid else None for r in rows]
    rows, ruled = _join_cell_lines(rows, ruled, grid)
    has_value = [any(_is_value(w) for w in r) for r in rows]
    columns: list[list[float] | None] = [None] * len(rows)
    i = 0
    while i < len(rows):
        if not has_value[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and (has_value[j + 1] or (j + 2 < len(rows) and has_value[j + 2]
                                                           and len(rows[j + 1]) == 1)):
            j += 1  # a label's second line between two rows of values stays in the run
        cols = _columns([rows[k] for k in range(i, j + 1) if has_value[k]])
        for k in range(i, j + 1):
            columns[k] = cols
        i = j + 1
    blocks: list[list[str]] = []
    unsure: set[tuple[int, int]] = set()
    table = False
    for row, cols, cut in zip(rows, columns, ruled, strict=True):
        if cut is not None:
            cells = cut
            low = min((w.score for w in row if _is_value(w)), default=1.0)
        else:
            cells, low = _cells(sorted(row, key=lambda w: w.x0), cols)
        cells = [" ".join(c.split()) for c in cells]
        is_row = len(cells) > 1
        if not blocks or is_row != table:
            blocks.append([])
            table = is_row
        blocks[-1].append("\t".join(cells))
        if is_row and low < SURE_SCORE:
            unsure.add((len(blocks) - 1, len(blocks[-1]) - 1))
    return blocks, unsure


class _Rules:
    """The ruling lines of a picture's tables: masks of long vertical and horizontal strokes."""

    def __init__(self, image) -> None:
        import cv2
        import numpy as np

        gray = np.asarray(image.convert("L"))
        _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        unit = max(20, min(gray.shape) // 60)
        self.vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((unit, 1), np.uint8)) > 0
        self.horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, unit), np.uint8)) > 0

    def lines_at(self, y0: float, y1: float) -> list[float]:
        """x of the vertical rules crossing the band y0..y1 from top to bottom (most of its height)."""
        top, bottom = max(int(y0), 0), min(int(y1) + 1, self.vertical.shape[0])
        if bottom - top < 3:
            return []
        counts = self.vertical[top:bottom].sum(axis=0)
        hits = [x for x, n in enumerate(counts) if n >= 0.7 * (bottom - top)]
        lines: list[list[int]] = []
        for x in hits:
            if lines and x - lines[-1][-1] <= 3:
                lines[-1].append(x)
            else:
                lines.append([x])
        return [statistics.fmean(group) for group in lines]

    def cells(self, row: list[Word]) -> list[str] | None:
        """A row's cells between the rules crossing it, or None when it is not in a ruled table."""
        lines = self.lines_at(min(w.y0 for w in row), max(w.y1 for w in row))
        if len(lines) < 3:
            return None
        cells: list[list[Word]] = [[] for _ in range(len(lines) + 1)]
        for w in row:
            cells[sum(1 for x in lines if x < w.cx)].append(w)
        # the row's words come top line first, each line left to right: a cell's lines join in that order
        inner = [_glue(w.text for w in c) for c in cells[1:-1]]
        outside = [w.text for c in (cells[0], cells[-1]) for w in c]
        return ([_glue(outside)] if outside else []) + inner

    def rule_between(self, a: list[Word], b: list[Word]) -> bool:
        """Whether a horizontal rule runs between two rows (within the span of their words)."""
        x0, x1 = int(min(w.x0 for w in a + b)), int(max(w.x1 for w in a + b)) + 1
        y0 = int(statistics.fmean(w.cy for w in a))
        y1 = int(statistics.fmean(w.cy for w in b)) + 1
        if y1 <= y0:
            return False
        band = self.horizontal[y0:y1, x0:x1]
        return bool(band.size) and band.sum() >= 0.2 * (x1 - x0)


def _glue(pieces) -> str:
    """A cell's pieces as one text: nothing between Chinese characters, a space otherwise."""
    out = ""
    for piece in pieces:
        glue = "" if out and _is_cjk(out[-1]) and _is_cjk(piece[:1]) else " "
        out = out + glue + piece if out else piece
    return out


def _is_cjk(char: str) -> bool:
    return bool(char) and ("\u4e00" <= char <= "\u9fff" or char in "（）()、，“”")


def _join_cell_lines(rows, ruled, grid):
    """Consecutive rows of one ruled table row (no horizontal rule between them) made one row."""
    if grid is None:
        return rows, ruled
    out_rows, out_ruled = [], []
    for row, cut in zip(rows, ruled, strict=True):
        if (cut is not None and out_ruled and out_ruled[-1] is not None
                and not grid.rule_between(out_rows[-1], row)):
            merged = out_rows[-1] + row
            again = grid.cells(merged)
            if again is not None:
                out_rows[-1], out_ruled[-1] = merged, again
                continue
        out_rows.append(row)
        out_ruled.append(cut)
    return out_rows, out_ruled


def picture_pixels(width: int, height: int, where: str) -> None:
    """Refuse a picture past limits.IMAGE_PIXELS before it is decoded."""
    if width * height > limits.IMAGE_PIXELS:
        raise limits.OverLimit(f"{where} of {width} × {height} pixels, over the limit of {limits.IMAGE_PIXELS} pixels")


def fit(image, max_pixels: int = limits.OCR_PIXELS):
    """A picture scaled down to at most `max_pixels` (a poster-sized scan reads as well at page size)."""
    width, height = image.size
    if width * height <= max_pixels:
        return image
    scale = math.sqrt(max_pixels / (width * height))
    return image.resize((max(1, int(width * scale)), max(1, int(height * scale))))


# a picture smaller than this (pixels) in a report is an icon, a logo or a rule, not a table
PICTURE_MIN = (300, 120)


def embedded_picture(data: bytes, where: str, notes: list[str],
                     before_ocr=None) -> list[tuple[list[str], set[int]]]:
    """A picture a report shows (an HTML page's <img>, a Word file's drawing) → its blocks as picture_blocks
    gives them. Past the pixel cap: OverLimit naming `where`. An icon, nothing; a picture that cannot be
    decoded, or no OCR extra: nothing, and a note in `notes` saying which picture and why. `before_ocr`, if
    given, is called just before the engine reads the picture (to count them against a cap)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            picture_pixels(*image.size, where)
            if image.width < PICTURE_MIN[0] or image.height < PICTURE_MIN[1]:
                return []
        if not available():
            notes.append(f"{where} not read: {NEEDS_EXTRA}")
            return []
        if before_ocr is not None:
            before_ocr()
        return picture_blocks(data)
    except (OSError, UnidentifiedImageError, ValueError) as exc:  # a broken picture costs itself, not the report
        if isinstance(exc, limits.OverLimit):
            raise
        notes.append(f"{where} not read: {type(exc).__name__}: {exc}")
        return []


class PictureCount:
    """The pictures of one report the engine has read, as `before_ocr` of embedded_picture: past
    limits.OCR_PAGES, OverLimit (a report may hold many icons; only pictures worth reading count)."""

    def __init__(self) -> None:
        self.read = 0

    def __call__(self) -> None:
        self.read += 1
        if self.read > limits.OCR_PAGES:
            raise limits.OverLimit(f"more than {limits.OCR_PAGES} pictures to OCR")


def read_image(path: Path) -> Lines:
    """An image file (.png/.jpg) → its lines, every one marked as read by OCR."""
    require(path, "a picture")
    return join_marked(picture_blocks(path.read_bytes()))


def picture_blocks(data: bytes, min_size: tuple[int, int] = (0, 0)) -> list[tuple[list[str], set[int]]]:
    """A picture's bytes → its blocks of lines, each with the offsets of its unsure lines (see join_marked);
    none for a picture smaller than `min_size` (an icon, a rule)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        picture_pixels(*image.size, "an image")
        if image.width < min_size[0] or image.height < min_size[1]:
            return []
        image.load()
        image = fit(image)
        blocks, unsure = page_lines(words_of(image), image)
    return [(b, {k for bi, k in unsure if bi == i}) for i, b in enumerate(blocks)]


def join_marked(blocks: list[tuple[list[str], set[int] | None]]) -> Lines:
    """Blocks (lines, and for an OCR'd block the offsets of its unsure lines, else None) → Lines joined as
    index.read_blocks.join_blocks joins them, with the OCR'd and unsure line numbers."""
    out = Lines()
    for lines, unsure in blocks:
        if not lines:
            continue
        if out:
            out.append("")
        first = len(out) + 1
        out.extend(lines)
        if unsure is not None:
            out.ocr.update(range(first, first + len(lines)))
            out.unsure.update(first + k for k in unsure)
    return out
