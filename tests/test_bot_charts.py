"""Charts are real PNGs drawn with a font that has the Chinese glyphs they show."""

from __future__ import annotations

import itertools
import json
import logging
import re
import warnings
from pathlib import Path

from bot.tg import charts

FIXTURES = Path(__file__).resolve().parent / "fixtures"

TREND = {"title": "威海市文登区人民政府 本年新收政府信息公开申请数量", "unit": "件", "kind": "line",
         "series": [{"name": "威海市文登区人民政府", "points": [[2017, 3], [2018, 8], [2019, 23], [2020, 42]]}]}
SIDE_BY_SIDE = {"title": "行政复议与行政诉讼", "unit": "件", "kind": "bar",
                "series": [{"name": "行政复议", "points": [["文登区", 0], ["工信局", 1]]},
                           {"name": "行政诉讼", "points": [["文登区", 2], ["工信局", 0]]}]}


def all_text(chart: dict) -> str:
    return chart["title"] + chart["unit"] + "".join(s["name"] + "".join(str(p[0]) for p in s["points"])
                                                    for s in chart["series"])


def test_a_cjk_font_is_found_and_covers_every_character_drawn():
    path = charts.cjk_font_path()
    assert path is not None, "no CJK font: run deploy/setup.sh (apt-get install fonts-wqy-microhei)"
    assert charts.covers(path, all_text(TREND) + all_text(SIDE_BY_SIDE))


def test_charts_render_as_png_without_a_missing_glyph():
    for chart in (TREND, SIDE_BY_SIDE):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*missing from font.*")  # matplotlib's tofu warning
            png = charts.render_chart(chart)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 10_000


def test_the_default_font_would_not_do():
    """Guards the test above: DejaVu Sans, matplotlib's default, has no Chinese glyphs."""
    from matplotlib import font_manager

    assert not charts.covers(font_manager.findfont("DejaVu Sans"), "年")


def real_labels() -> list[str]:
    """Bar labels as compare and rank answers make them: real agency names, alone and with a year."""
    gold = json.loads((FIXTURES / "corpus" / "web" / "gold.json").read_text(encoding="utf-8"))
    names = sorted({g["agency"] for g in gold.values()})
    assert len(names) >= 30
    return names + [f"{name}{gold_year}" for name, gold_year in zip(names, itertools.cycle((2019, 2023, 2024)))] + \
        [f"{name} {year}年" for name, year in zip(names, itertools.cycle((2020, 2021)))]


def test_bar_labels_wrap_at_name_parts_never_inside_a_number():
    for label in real_labels():
        wrapped = charts._wrap(label)
        lines = wrapped.split("\n")
        assert "".join(lines).replace(" ", "") == label.replace(" ", ""), wrapped
        for number in re.findall(r"[0-9]+", label):
            assert any(number in line for line in lines), f"{number} split in {wrapped!r}"
        assert all(len(line) <= 11 for line in lines), wrapped
    # the years of two neighbouring labels stay whole, and long names break after a part of the name
    assert charts._wrap("临沂经济技术开发区管委会2023") == "临沂经济技术开发区\n管委会2023"
    assert charts._wrap("威海市文登区人民政府2020") == "威海市文登区\n人民政府2020"


def test_drawing_a_chart_logs_no_matplotlib_chatter(caplog):
    from matplotlib import font_manager

    font_manager.FontManager._findfont_cached.cache_clear()  # a fresh process: findfont scores every font again
    caplog.set_level(logging.DEBUG)
    charts.render_chart(SIDE_BY_SIDE)
    charts.render_chart({**TREND, "kind": "bar"})
    chatter = [r for r in caplog.records if r.name.startswith("matplotlib") and r.levelno < logging.WARNING]
    assert chatter == []
