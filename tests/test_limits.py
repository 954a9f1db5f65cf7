"""Untrusted files under caps: readers refuse what no report needs, workers cap memory and time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from bench.hostile import huge_image_pdf, many_pages_pdf, span_table, zip_bomb_docx
from index import limits
from index.errors import ReportError
from index.facts import Fact
from index.limits import Limits, cap_facts, fact_cap
from index.read import read_lines
from index.workers import FAILED, OK, run_capped

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "001_114e84585976705a.txt"
TEMPLATE_DOCX = ROOT / "tests" / "fixtures" / "template_2021_format.docx"


def refused(path: Path, *words: str) -> str:
    with pytest.raises(ReportError) as caught:
        read_lines(path)
    assert caught.value.path == str(path)
    for word in words:
        assert word in caught.value.reason, caught.value.reason
    return caught.value.reason


# --- readers -----------------------------------------------------------------------------------


def test_a_zip_bomb_docx_is_refused_by_its_declared_size(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "UNZIPPED_BYTES", 4 * 1024 * 1024)
    bomb = tmp_path / "bomb.docx"
    zip_bomb_docx(bomb, expanded=8 * 1024 * 1024)
    assert bomb.stat().st_size < 100_000
    refused(bomb, "(declared)", "over the limit")


def test_a_zip_whose_member_lies_about_its_size_is_refused(tmp_path):
    """A member that inflates past the size its directory declares: never trusted, never read whole."""
    honest = tmp_path / "honest.docx"
    zip_bomb_docx(honest, expanded=8 * 1024 * 1024)
    data = bytearray(honest.read_bytes())
    directory = data.rindex(b"PK\x01\x02")  # the last member's central directory entry: the zeros
    data[directory + 24 : directory + 28] = (1000).to_bytes(4, "little")  # declares 1,000 bytes
    liar = tmp_path / "liar.docx"
    liar.write_bytes(bytes(data))
    with zipfile.ZipFile(liar) as archive:
        assert sum(m.file_size for m in archive.infolist()) < limits.UNZIPPED_BYTES
    refused(liar, "cannot read as a Word .docx file")


def test_the_template_docx_is_read_under_the_caps():
    assert any("依申请公开" in line or "政府信息" in line for line in read_lines(TEMPLATE_DOCX))


def test_an_html_table_with_huge_spans_is_refused(tmp_path):
    page = tmp_path / "spans.html"
    page.write_text(span_table(200, 10, 50_000), encoding="utf-8")
    refused(page, "span", f"over the limit of {limits.GRID_CELLS}")


def test_a_small_table_with_huge_colspans_is_read_capped(tmp_path):
    page = tmp_path / "wide.html"
    page.write_text(span_table(2, 3, 50_000), encoding="utf-8")
    rows = [line.split("\t") for line in read_lines(page) if "\t" in line]
    # row 1 starts where row 0's cells (spanning both rows) end: 6 cells of COLSPAN columns, each "1" once
    assert [len(r) for r in rows] == [6 * limits.COLSPAN] * 2
    assert [r.count("1") for r in rows] == [3, 3]


def test_a_pdf_of_ten_thousand_pages_is_refused(tmp_path):
    pdf = tmp_path / "pages.pdf"
    many_pages_pdf(pdf, 10_000)
    assert pdf.stat().st_size < 2_000_000
    refused(pdf, "10000 pages", f"limit of {limits.PDF_PAGES}")


def test_a_pdf_with_one_huge_image_is_refused(tmp_path):
    pdf = tmp_path / "image.pdf"
    huge_image_pdf(pdf, 100_000)
    refused(pdf, "100000 × 100000 pixels", "page 1")


def test_more_text_than_a_report_holds_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "TEXT_CHARS", 1000)
    refused(SEED, "characters of text", "over the limit of 1000")


def test_a_file_over_the_byte_limit_is_refused(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(25 * 1024 * 1024)
    refused(big, "over the limit")


def _fact(i: int, value: int = 1) -> Fact:
    return Fact(f"metric.{i}", "total", value, "件", str(value), i, "表三", "number")


def test_repeated_junk_facts_are_dropped_to_what_a_report_holds():
    cap = fact_cap()
    assert 500 < cap < 10_000
    warnings: list[str] = []
    junk = [_fact(i % 10, i % 10) for i in range(cap + 500)]
    kept = cap_facts(junk, warnings)
    assert [(f.metric, f.value) for f in kept] == [(f"metric.{i}", i) for i in range(10)]
    assert warnings == [f"{cap + 490} repeated facts dropped"]
    many = [_fact(i, i) for i in range(cap + 7)]
    warnings.clear()
    assert len(cap_facts(many, warnings)) == cap
    assert warnings == [f"7 facts past the limit of {cap} a report can hold were dropped"]
    normal = [_fact(1)] * 3  # under the cap nothing changes, repeats included
    assert cap_facts(normal, []) == normal


# --- workers -----------------------------------------------------------------------------------


def _job(kind: str, value: int):
    if kind == "sleep":
        time.sleep(value)
    elif kind == "eat":
        hog = bytearray(value * 1024 * 1024)
        return len(hog)
    elif kind == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def test_workers_cap_time_and_memory_and_are_replaced():
    capped = Limits(memory_mb=400, seconds=2)
    tasks = [("sleep", 60), ("ok", 0), ("eat", 2000), ("ok", 0), ("die", 0), ("ok", 0), ("eat", 50)]
    started = time.monotonic()
    outcomes = {task: (status, value) for task, status, value in run_capped(_job, tasks, 2, capped)}
    assert time.monotonic() - started < 20
    assert outcomes[("sleep", 60)] == (FAILED, "took longer than 2 s to parse")
    assert outcomes[("eat", 2000)] == (FAILED, "over the memory limit of 400 MB")
    assert outcomes[("die", 0)] == (FAILED, "its parser process was killed by signal 9 (out of memory?)")
    assert outcomes[("eat", 50)] == (OK, 50 * 1024 * 1024)
    assert outcomes[("ok", 0)][0] == OK and outcomes[("ok", 0)][1] != os.getpid()  # never in this process


def _slow(seconds: float, ocr: bool):
    if ocr:
        limits.ocr_starts()
        limits.ocr_starts()  # once per task is what the parent hears
    time.sleep(seconds)
    return ocr


def test_a_task_gets_the_ocr_budget_only_once_ocr_starts():
    capped = Limits(seconds=1)
    tasks = [(3, True), (3, False), (8, True)]
    outcomes = {task: (status, value) for task, status, value in
                run_capped(_slow, tasks, 3, capped, lambda task: 1.0, lambda task: 5.0)}
    assert outcomes == {(3, True): (OK, True), (3, False): (FAILED, "took longer than 1 s to parse"),
                        (8, True): (FAILED, "took longer than 5 s to parse")}
    limits.ocr_starts()  # outside a worker: nothing to tell


def test_only_a_picture_file_starts_on_the_ocr_budget():
    budgets = Limits()
    mb = 1024 * 1024
    assert budgets.seconds_for(mb // 2, "scan.png") == budgets.ocr_seconds_for(mb // 2) == 120 + 300
    for name in ("r.docx", "r.pdf", "r.html", "r.doc", "r.odt", "r.txt"):
        assert budgets.seconds_for(mb // 2, name) == 20 + 5
    assert budgets.ocr_seconds_for(100 * mb) == 1800


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_build(tmp_path):
    """kill -9 of a `--jobs 2` build mid-parse leaves no worker behind."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("hang-one.txt", "hang-two.txt"):
        (folder / name).write_bytes(SEED.read_bytes())
    script = textwrap.dedent(f"""
        from index.build import build_index
        build_index([{str(folder)!r}], {str(tmp_path / 'index.db')!r}, jobs=2)
    """)
    build = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, limits.HANG_ENV: "hang-"})
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children_of(build.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2
    finally:
        build.kill()
        build.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in _state(w)]
    assert alive == []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_the_builder_never_parses_a_file_in_its_own_process(tmp_path, monkeypatch):
    """jobs=1 too (the bot's /reindex and uploads): the file is parsed in a capped worker."""
    from index import build

    log = tmp_path / "pids"
    real = build.parse_file

    def recording(path, source=None):
        log.write_text(str(os.getpid()), encoding="utf-8")
        return real(path, source)

    monkeypatch.setattr(build, "parse_file", recording)
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    summary = build.build_index([folder], tmp_path / "index.db", jobs=1)
    assert summary.added == 1
    assert int(log.read_text(encoding="utf-8")) != os.getpid()
