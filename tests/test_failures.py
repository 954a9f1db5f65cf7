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
from index import build, limits
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
