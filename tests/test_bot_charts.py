"""Charts are real PNGs drawn with a font that has the Chinese glyphs they show."""

from __future__ import annotations

import warnings

from bot.tg import charts

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
