"""The tabled seeds re-rendered in other layouts give the same facts (only the lines differ).

Rendering is tests/render.py's (markdown and HTML tables, a .docx with merged
label cells, GBK and UTF-16 text, a PDF with ruled tables); the parser must not
care which it reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from index.parse import parse_file

render = pytest.importorskip("render", reason="tests/render.py (the readers' render helpers) is not there yet")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TABLED = ("000_45e9b68dfabc38a8.txt", "001_114e84585976705a.txt", "002_06daf30fbb2e76e1.txt",
          "004_6263b7441e3dec22.txt")


def _text(lines: list[str]) -> str:
    return "\n".join(lines)


def _write_docx(lines, path):
    render.to_docx(lines, path)


def _write_pdf(lines, path):
    if render.cjk_font() is None:
        pytest.skip("no CJK font to draw a PDF with: apt-get install fonts-wqy-microhei")
    render.to_pdf(lines, path)


WRITERS = {
    "markdown": (".md", lambda lines, path: path.write_text(render.to_markdown(lines), encoding="utf-8")),
    "html": (".html", lambda lines, path: path.write_text(render.to_html(lines), encoding="utf-8")),
    "gbk-html": (".html", lambda lines, path: path.write_bytes(render.to_html(lines, "gbk").encode("gbk"))),
    "docx": (".docx", _write_docx),
    "gbk": (".txt", lambda lines, path: path.write_bytes(render.to_gbk(_text(lines)))),
    "utf16": (".txt", lambda lines, path: path.write_bytes(render.to_utf16(_text(lines)))),
    "pdf": (".pdf", _write_pdf),
}


def facts_without_lines(path: Path) -> tuple[dict, set]:
    """(table cells by key, prose figures) of a report, with everything but the source line."""
    report = parse_file(path)
    cells = {(f.metric, f.applicant): (f.value, f.raw, f.kind, f.unit, f.table)
             for f in report.facts if f.table in ("表二", "表三", "表四")}
    prose = {(f.metric, f.value, f.unit, f.approx) for f in report.facts if f.table not in ("表二", "表三", "表四")}
    return cells, prose


@pytest.fixture(scope="module")
def originals() -> dict[str, tuple[dict, set]]:
    return {name: facts_without_lines(SEEDS / name) for name in TABLED}


@pytest.mark.parametrize("layout", list(WRITERS))
@pytest.mark.parametrize("seed", TABLED, ids=lambda name: name[:3])
def test_same_facts_in_every_layout(originals, tmp_path, seed, layout):
    suffix, write = WRITERS[layout]
    lines = (SEEDS / seed).read_text(encoding="utf-8").split("\n")
    path = tmp_path / (Path(seed).stem + suffix)
    write(lines, path)
    cells, prose = facts_without_lines(path)
    expected_cells, expected_prose = originals[seed]
    assert cells == expected_cells
    assert prose == expected_prose


def test_filled_national_template_2021(tmp_path):
    """The Word template's real merged cells, filled with the 淮安 2024 figures."""
    expected = yaml.safe_load((FIXTURES / "huaian_cells.yaml").read_text(encoding="utf-8"))
    values = {f"proactive.{row}.{column}": raw
              for row, columns in expected["proactive"].items() for column, raw in columns.items()}
    values |= {metric: dict(zip(render.APPLICANTS, raws, strict=True)) for metric, raws in expected["apply"].items()}
    values |= dict(zip(render.REVIEW_KEYS, expected["review"], strict=True))
    path = tmp_path / "filled.docx"
    render.fill_template_2021(values, path)
    report = parse_file(path)
    got = {(f.metric, f.applicant): f.raw for f in report.facts if f.table in ("表二", "表三", "表四")}
    want = {(k, None): v for k, v in values.items() if not isinstance(v, dict)}
    want |= {(k, a): raw for k, v in values.items() if isinstance(v, dict) for a, raw in v.items()}
    assert got == want
    assert report.format == "2021"
    assert [c for c in report.checks if c.status == "fail"] == []


def test_blank_national_template_states_blank_cells(tmp_path):
    """The template as published, nothing filled: every cell is there, and blank."""
    report = parse_file(render.TEMPLATE_2021)
    kinds = {f.kind for f in report.facts}
    counts = {t: sum(1 for f in report.facts if f.table == t) for t in ("表二", "表三", "表四")}
    assert (kinds, counts) == ({"blank"}, {"表二": 10, "表三": 25 * 7, "表四": 15})
