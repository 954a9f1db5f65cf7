"""A file in the reports folder that fails is remembered by the index and not read again until it changes.

Through the real CLI (`nianbao index build`, `nianbao reports`): a truncated .docx and a reader that hangs
(the NIANBAO_TEST_HANG hook) fail once, cost nothing on the next build, are reported both times with their
reason, and are read again once their bytes, the parser version or `--retry-failed` says so. The bot's
/reindex and /status say the same. The files each build parses are counted by its forked workers.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from bot import cli
from index import build, limits, ocr
from tests.bot_harness import ADMIN, bot_on_seeds

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "002_06daf30fbb2e76e1.txt"
DOCX = ROOT / "tests" / "fixtures" / "template_2021_format.docx"
CAP = 2.0  # seconds a parse may take here: the hanging reader costs this on every build that reads it


@pytest.fixture
def parsed(monkeypatch, tmp_path):
    """The names of the files parsed since the last call, as logged by the build's workers."""
    log = tmp_path / "parsed.log"
    real = build._parse_safely

    def counting(path, name, source=None):  # each task a worker is given, a hanging one included
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(Path(path).name + "\n")
        return real(path, name, source)

    monkeypatch.setattr(build, "_parse_safely", counting)

    def names() -> list[str]:
        found = sorted(log.read_text(encoding="utf-8").split()) if log.exists() else []
        log.unlink(missing_ok=True)
        return found

    return names


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(limits.HANG_ENV, "hang-")
    monkeypatch.setenv("NIANBAO_PARSE_SECONDS", str(CAP))
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SEED, reports / SEED.name)
    (reports / "truncated.docx").write_bytes(DOCX.read_bytes()[:6000])
    shutil.copy(SEED, reports / "hang-report.txt")  # a good report whose reader never returns
    return reports


def nianbao(capsys, *argv: str) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    code = cli.main(list(argv))
    seconds = time.perf_counter() - started
    out = capsys.readouterr()
    return code, out.out, out.err, seconds


def test_a_failed_file_is_not_read_again_until_it_changes(folder, tmp_path, parsed, capsys, monkeypatch):
    db = str(tmp_path / "index.db")
    code, out, err, first = nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert code == 0 and ", 2 failed in " in out, out
    assert parsed() == sorted([SEED.name, "truncated.docx", "hang-report.txt"])
    assert first >= CAP
    assert f"skipped {folder / 'truncated.docx'}: cannot read as a Word .docx file (corrupt?)" in err
    assert f"skipped {folder / 'hang-report.txt'}: took longer than {CAP:.0f} s to parse" in err

    # the second build reads neither, and still reports both with their reasons
    code, out, err, second = nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert code == 0 and "1 unchanged, 2 failed (2 unchanged since last build, not re-read) in " in out, out
    assert parsed() == []
    assert second < CAP / 2, second
    assert err.count("(failed before, unchanged: not read again; --retry-failed reads it)") == 2
    assert "truncated.docx: cannot read as a Word .docx file (corrupt?)" in err
    assert f"hang-report.txt: took longer than {CAP:.0f} s to parse" in err

    code, out, _, _ = nianbao(capsys, "reports", "--db", db, "--json")
    listed = {r["file"]: r for r in map(json.loads, out.splitlines())}
    assert listed[SEED.name]["agency"] == "威海市工业和信息化局"
    assert listed["truncated.docx"]["failed"].startswith("cannot read as a Word .docx file (corrupt?)")
    assert listed["hang-report.txt"]["failed"] == f"took longer than {CAP:.0f} s to parse"
    text = nianbao(capsys, "reports", "--db", db)[1]
    assert "failed  文件:truncated.docx  cannot read as a Word .docx file" in text

    # other bytes in one of them: that one is read again, the other is still skipped
    (folder / "truncated.docx").write_bytes(DOCX.read_bytes()[:9000])
    code, out, err, _ = nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert parsed() == ["truncated.docx"]
    assert "2 failed (1 unchanged since last build, not re-read)" in out, out

    # --retry-failed reads both; with the hang lifted the report is indexed and forgotten as a failure
    (folder / "truncated.docx").write_bytes(DOCX.read_bytes())
    code, out, _, _ = nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert parsed() == ["truncated.docx"] and ", 1 failed (1 unchanged" in out, out
    monkeypatch.delenv(limits.HANG_ENV)
    code, out, err, _ = nianbao(capsys, "index", "build", str(folder), "--db", db, "--retry-failed")
    assert parsed() == ["hang-report.txt"]
    assert "3 reports" in out and ", 0 failed in " in out, out
    out = nianbao(capsys, "reports", "--db", db, "--json")[1]
    assert not any("failed" in json.loads(line) for line in out.splitlines())


def test_a_new_parser_version_reads_remembered_failures_again(folder, tmp_path, parsed, capsys, monkeypatch):
    db = str(tmp_path / "index.db")
    (folder / "hang-report.txt").unlink()
    nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert parsed() == sorted([SEED.name, "truncated.docx"])
    monkeypatch.setattr(build, "parser_version", lambda: "another-parser")
    code, out, _, _ = nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert parsed() == sorted([SEED.name, "truncated.docx"]) and ", 1 failed in " in out, out
    # and under the new version it is remembered again
    nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert parsed() == []


def test_a_report_broken_then_restored_serves_throughout_and_is_no_longer_listed_as_failed(tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    report = folder / SEED.name
    shutil.copy(SEED, report)
    db = str(tmp_path / "index.db")
    nianbao(capsys, "index", "build", str(folder), "--db", db)
    report.write_bytes(b"")  # a copy that went wrong: the old report keeps serving
    out = nianbao(capsys, "index", "build", str(folder), "--db", db)[1]
    assert out.startswith("1 reports, 208 facts: 0 added, 0 changed, 0 removed, 0 unchanged, 1 failed in "), out
    listed = [json.loads(line) for line in nianbao(capsys, "reports", "--db", db, "--json")[1].splitlines()]
    assert [(r["file"], r.get("agency"), r.get("failed")) for r in listed] == [
        (SEED.name, "威海市工业和信息化局", None), (SEED.name, None, "file is empty (0 bytes)")]
    shutil.copy(SEED, report)  # put back as it was
    out = nianbao(capsys, "index", "build", str(folder), "--db", db)[1]
    assert ": 0 added, 0 changed, 0 removed, 1 unchanged, 0 failed in " in out, out
    listed = [json.loads(line) for line in nianbao(capsys, "reports", "--db", db, "--json")[1].splitlines()]
    assert [(r["file"], r.get("failed")) for r in listed] == [(SEED.name, None)]


async def reindex(bot, command: str = "/reindex") -> str:
    """Send /reindex as the admin; the text its progress message ends with."""
    before = len(bot.fake.called("editMessageText"))
    await bot.ask(ADMIN, command)
    done = await bot.fake.wait_for(lambda: [c.text for c in bot.fake.called("editMessageText")[before:]
                                            if "索引已更新" in c.text], timeout=120)
    return done[-1]


async def test_reindex_and_status_say_which_failures_were_not_read_again(seed_index, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(ROOT / "seeds", reports)
    (reports / "truncated.docx").write_bytes(DOCX.read_bytes()[:6000])
    async with bot_on_seeds(seed_index, tmp_path) as bot:
        reindexer = bot.bot_data["reindexer"]
        first, second = await reindex(bot), await reindex(bot)
        for done in (first, second):
            assert "❌ truncated.docx：cannot read as a Word .docx file (corrupt?)" in done
        assert "其中 1 个上次已失败且未改动" not in first
        assert "1 个文件未能读取，其中 1 个上次已失败且未改动，本次未重新读取" in second
        assert reindexer.last["summary"].failed_unchanged == [str(reports.resolve() / "truncated.docx")]
        status = (await bot.ask(ADMIN, "/status")).text
        assert "truncated.docx（cannot read as a Word .docx file (corrupt?)" in status
        assert "其中 1 个上次已失败且未改动，未重新读取" in status
        # /reindex retry reads it again
        again = await reindex(bot, "/reindex retry")
        assert "❌ truncated.docx：" in again and "未改动" not in again
        assert reindexer.last["summary"].failed_unchanged == []


def _logo(path: Path, word: str = "LOGO") -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse([10, 10, 110, 110], fill="red")
    draw.text((130, 50), word, fill="black")
    image.save(path)
    return path


def _qr_code(path: Path) -> Path:
    """Black and white modules, no text: what a QR code gives OCR."""
    import random

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (210, 210), "white")
    draw = ImageDraw.Draw(image)
    modules = random.Random(7)
    for x in range(0, 210, 10):
        for y in range(0, 210, 10):
            if modules.random() < 0.5:
                draw.rectangle([x, y, x + 9, y + 9], fill="black")
    image.save(path)
    return path


@pytest.mark.skipif(not ocr.available(), reason="needs the OCR extra (pip install nianbao[ocr])")
def test_a_logo_or_qr_code_beside_the_reports_is_not_a_report_and_not_read_again(tmp_path, parsed, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    _logo(folder / "logo.png")
    _qr_code(folder / "qrcode.png")
    db = str(tmp_path / "index.db")
    code, out, err, _ = nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert code == 0 and out.startswith("1 reports, ") and ", 0 failed and 2 not reports (pictures) in " in out, out
    assert parsed() == sorted([SEED.name, "logo.png", "qrcode.png"])
    assert f"not a report {folder / 'qrcode.png'}: a picture with no text in it" in err
    assert f"not a report {folder / 'logo.png'}: a picture with no report in it: OCR read " in err
    listed = {r["file"]: r for r in map(json.loads, nianbao(capsys, "reports", "--db", db, "--json")[1].splitlines())}
    assert sorted(listed) == sorted([SEED.name, "logo.png", "qrcode.png"])
    assert listed["logo.png"]["not_a_report"].endswith("no table figures, no agency")
    assert "agency" not in listed["logo.png"] and "failed" not in listed["qrcode.png"]

    # OCR is not run again on the same pictures; another logo is read
    code, out, _, _ = nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert parsed() == [] and "1 unchanged, 0 failed and 2 not reports (pictures) in " in out, out
    _logo(folder / "logo.png", "BRAND")
    code, out, _, _ = nianbao(capsys, "index", "build", str(folder), "--db", db)
    assert parsed() == ["logo.png"] and out.startswith("1 reports, ") and "2 not reports" in out, out
    # the bot's /reindex summary says the same, from a build that reads nothing
    from bot.tg.render import render_build_summary

    summary = build.build_index([folder], db)
    assert parsed() == [] and summary.failed == []
    assert "🖼 2 张图片不是报告（标志、二维码等），未编入索引：logo.png；qrcode.png" in render_build_summary(summary)


@pytest.mark.skipif(not ocr.available(), reason="needs the OCR extra (pip install nianbao[ocr])")
async def test_an_uploaded_logo_is_named_not_a_report_and_quarantined(seed_index, tmp_path):
    from tests.test_security import upload

    shutil.copytree(ROOT / "seeds", tmp_path / "reports")
    async with bot_on_seeds(seed_index, tmp_path) as bot:
        said = await upload(bot, "logo.png", _logo(tmp_path / "logo.png").read_bytes())
        assert said[-1].startswith("未能识别 logo.png：a picture with no report in it: OCR read "), said
        assert "已移入隔离目录" in said[-1]
        assert not (tmp_path / "reports" / "logo.png").exists()
        assert bot.bot_data["reindexer"].last["summary"].reports == 5
