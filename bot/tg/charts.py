"""An Answer's chart as a PNG, drawn by matplotlib (Agg) with a font that has Chinese glyphs.

Matplotlib's default DejaVu Sans has no CJK glyphs and draws empty boxes, so we
look for a CJK font among the system's fonts (deploy/setup.sh installs
fonts-wqy-microhei) and check its character map before trusting it.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede any pyplot import anywhere

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

from bot.tg.texts import CHARTS  # noqa: E402

logger = logging.getLogger(__name__)
# findfont scores every installed font for every text drawn and logs each score: some ninety lines a chart
logging.getLogger("matplotlib").setLevel(logging.WARNING)

# Preferred first: known to render Simplified Chinese well. Any other covering font is the fallback.
PREFERRED = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "Droid Sans Fallback", "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC")
PROBE = "政府信息公开申请年度报告数量区局"


def covers(path: str | Path, text: str = PROBE) -> bool:
    """True when the font file has a glyph for every character of ``text``."""
    try:
        charmap = FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in text)


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """The path of a font file that renders Chinese, or None (charts then show boxes, and we log it)."""
    # findSystemFonts scans the font folders now, so a font installed after matplotlib built its cache counts.
    candidates = font_manager.findSystemFonts() + [f.fname for f in font_manager.fontManager.ttflist]
    ranked = sorted(set(candidates), key=lambda path: (_rank(path), path))
    for path in ranked:
        if covers(path):
            font_manager.fontManager.addfont(path)
            return path
    logger.warning("no font with Chinese glyphs found; install fonts-wqy-microhei (see deploy/setup.sh)")
    return None


def _rank(path: str) -> int:
    try:
        name = font_manager.FontProperties(fname=path).get_name()
    except (OSError, RuntimeError, ValueError):
        return len(PREFERRED) + 1
    return PREFERRED.index(name) if name in PREFERRED else len(PREFERRED)


# One drawing thread: matplotlib's font and text caches are not meant for concurrent use.
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")


async def render_chart_async(chart: dict) -> bytes:
    """render_chart off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_DRAWER, render_chart, chart)


def render_chart(chart: dict) -> bytes:
    """PNG bytes of {"title", "unit", "kind": "line"|"bar", "series": [{"name", "points": [[x, y], ...]}]}."""
    path = cjk_font_path()
    font = font_manager.FontProperties(fname=path) if path else font_manager.FontProperties()
    figure = Figure(figsize=(8, 4.5), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    series = [s for s in chart.get("series", []) if s.get("points")]
    if chart.get("kind") == "bar":
        _bars(axes, series)
    else:
        _lines(axes, series)
    axes.set_title(chart.get("title", ""), fontproperties=font, fontsize=14)
    axes.set_ylabel(chart.get("unit") or "", fontproperties=font)
    axes.grid(axis="y", alpha=0.3)
    if all((p[1] or 0) >= 0 for s in series for p in s["points"]):
        axes.set_ylim(bottom=0)  # counts start at zero, or small changes look like big ones
    for label in axes.get_xticklabels() + axes.get_yticklabels():
        label.set_fontproperties(font)
    if len(series) > 1 or chart.get("kind") != "bar":
        axes.legend(prop=font, fontsize=9)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _lines(axes, series: list[dict]) -> None:
    for s in series:
        points = sorted(s["points"], key=lambda p: p[0])
        xs, ys = [str(p[0]) for p in points], [p[1] for p in points]
        axes.plot(xs, ys, marker="o", label=s.get("name", ""))
        for x, y in zip(xs, ys, strict=True):
            axes.annotate(_number(y), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=9)


def _bars(axes, series: list[dict]) -> None:
    """Categories on the x axis; several series side by side within each category."""
    categories = list(dict.fromkeys(str(p[0]) for s in series for p in s["points"]))
    width = 0.8 / max(len(series), 1)
    for i, s in enumerate(series):
        values = {str(x): y for x, y in s["points"]}
        xs = [c + (i - (len(series) - 1) / 2) * width for c in range(len(categories))]
        ys = [values.get(c, 0) or 0 for c in categories]
        bars = axes.bar(xs, ys, width=width, label=s.get("name", ""))
        axes.bar_label(bars, labels=[_number(y) for y in ys], fontsize=9)
    axes.set_xticks(range(len(categories)), [_wrap(c) for c in categories])


# what a label may be cut between: a number (2023, 12.5) or a Latin word stays whole, anything else is one character
_ATOM = re.compile(r"[0-9][0-9.,]*%?|[A-Za-z]+|\s+|.", re.S)


def _wrap(label: str, width: int = 8, slack: int = 3) -> str:
    """Long agency names over several lines, so neighbouring bar labels do not overlap.

    A line is cut after a word that ends a name's part (省, 市, 区, 局, 管委会… in
    texts.toml [charts]) when one is near, a line growing up to ``slack`` characters
    past ``width`` to reach one, else between two characters; never inside a number,
    so a year is never split over two lines.
    """
    lines, line, cut = [], "", 0  # cut: the length of `line` at its last good break point
    for atom in _ATOM.findall(label):
        if atom.isspace():
            atom = " "
        if line and len(line) + len(atom) > (width if cut else width + slack):
            head, tail = (line[:cut], line[cut:]) if cut else (line, "")
            lines.append(head.rstrip())
            line, cut = tail.lstrip(), 0
        line += atom
        if atom == " " or line.endswith(tuple(CHARTS["wrap_after"])):
            cut = len(line)
    if line.strip():
        lines.append(line.strip())
    return "\n".join(lines)


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)
