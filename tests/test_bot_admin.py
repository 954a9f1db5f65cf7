"""End to end: /reindex allowed and refused, report upload, /status, the scheduled re-index."""

from __future__ import annotations

import logging
import re
import threading

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.tg.admin import safe_filename, upload_problem
from index.read import SUPPORTED
from tests.bot_harness import ADMIN, ALICE, BOB, ROOT, bot_on_seeds, copy_seeds

HUAIAN = ROOT / "tests" / "fixtures" / "huaian_2024.pdf"


@pytest.fixture
async def bot(seed_index, tmp_path):
    copy_seeds(tmp_path)
    async with bot_on_seeds(seed_index, tmp_path, schedule="30 3 * * *") as running:
        yield running


def without_seconds(text: str) -> str:
    return re.sub(r"用时 [\d.]+ 秒", "用时 … 秒", text)


async def test_admin_reindex_edits_its_progress_message_then_shows_the_summary(bot, seed_db):
    started = await bot.ask(ADMIN, "/reindex")
    assert started.text == "开始重建索引…"
    final = await bot.fake.wait_for(lambda: [c for c in bot.fake.called("editMessageText") if "索引已更新" in c.text])
    edits = bot.fake.called("editMessageText")
    assert edits[0].text.startswith("正在重建索引：1/5\n")
    assert without_seconds(final[0].text) == ("<b>索引已更新</b>（用时 … 秒）\n新增 5 · 更新 0 · 删除 5 · 未变 0\n"
                                              f"共 5 份报告，{seed_db['facts'].count} 项数据")
    assert {c.params["message_id"] for c in edits} == {str(started.result["message_id"])}


async def test_reindex_is_refused_to_others_and_logged(bot, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.tg.admin"):
        reply = await bot.ask(BOB, "/reindex")
    assert reply.text == "抱歉，这个功能只对管理员开放。"
    assert f"refused /reindex from user {BOB}" in caplog.text
    assert (await bot.ask(BOB, "/status")).text == "抱歉，这个功能只对管理员开放。"


async def test_only_one_reindex_at_a_time_and_the_old_index_answers_meanwhile(bot):
    release, reindexer = threading.Event(), bot.bot_data["reindexer"]
    real_build = reindexer.build

    def slow_build(*args, **kwargs):
        release.wait(10)
        return real_build(*args, **kwargs)

    reindexer.build = slow_build
    await bot.ask(ADMIN, "/reindex")
    await bot.fake.wait_for(lambda: reindexer.busy)
    assert (await bot.ask(ADMIN, "/reindex")).text == "已有一次索引重建在进行，请等它完成。"
    assert "42件" in (await bot.ask(ALICE, "文登区2020年收到多少申请")).text
    release.set()
    await bot.fake.wait_for(lambda: [c for c in bot.fake.called("editMessageText") if "索引已更新" in c.text])


async def test_uploaded_report_is_indexed_then_answerable(bot):
    bot.fake.document(ADMIN, "huaian_2024.pdf", HUAIAN.read_bytes())
    # parsing a PDF takes seconds, more on a loaded machine: poll with a generous limit, not a fixed 5 s
    recognised = await bot.fake.wait_for(
        lambda: [c for c in bot.fake.replies(ADMIN) if c.text.startswith("<b>已识别</b>")], timeout=120)
    assert recognised[0].text == "<b>已识别</b>：淮安市人民政府 · 2024年 · 2021版表格 · 212 项数据 · 校验全部通过"
    answer = await bot.ask(ALICE, "淮安2024年收到多少申请")
    assert answer.text.startswith("淮安市人民政府2024年本年新收政府信息公开申请数量为3119件。")


async def test_uploads_are_refused_to_others_and_checked_for_type(bot, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.tg.admin"):
        bot.fake.document(BOB, "huaian_2024.pdf", HUAIAN.read_bytes())
        refused = await bot.fake.reply_to(BOB)
    assert refused.text == "抱歉，这个功能只对管理员开放。"
    assert f"refused upload from user {BOB}" in caplog.text
    bot.fake.document(ADMIN, "virus.exe", b"MZ")
    assert (await bot.fake.reply_to(ADMIN)).text == f"只接受 {' '.join(SUPPORTED)} 格式的报告文件。"
    assert ".png" in SUPPORTED  # a picture of a table is read by OCR


def test_upload_checks_and_safe_names():
    assert upload_problem("a.pdf", 21 * 1024 * 1024, 20) == "文件太大（21.0 MB），上限 20 MB。"
    assert upload_problem("a.PDF", 1000, 20) is None
    assert safe_filename("../../etc/passwd.txt") == "passwd.txt"
    assert safe_filename("..\\报告 2020 <x>.docx") == "报告_2020_x_.docx"
    assert safe_filename(".hidden.md") == "hidden.md"


async def test_status_shows_the_index_and_the_last_build(bot):
    status = await bot.ask(ADMIN, "/status")
    lines = status.text.splitlines()
    assert lines[0] == "<b>运行状态</b>"
    assert lines[1] == "报告 5 份 · 机关 5 个 · 年度 2019、2020、2023"
    assert lines[2].endswith("（成功）") and lines[3] == "失败文件：无"
    assert re.fullmatch(r"已运行：0:00:\d\d · 版本 \S+", lines[4])


async def test_scheduled_reindex_runs_on_its_cron_and_is_skipped_while_one_runs(bot, caplog, seed_db):
    (job,) = bot.application.job_queue.get_jobs_by_name("reindex")
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger) == "cron[month='*', day='*', day_of_week='*', hour='3', minute='30']"
    reindexer = bot.bot_data["reindexer"]
    with caplog.at_level(logging.INFO, logger="bot.tg.admin"):
        async with reindexer._lock:  # as if a /reindex were running
            await job.run(bot.application)
        assert "scheduled re-index skipped" in caplog.text
        await job.run(bot.application)
    assert f"scheduled re-index: 5 reports, {seed_db['facts'].count} facts: 5 added" in caplog.text
    assert reindexer.last["summary"].reports == 5


async def test_reindex_of_an_empty_reports_folder_keeps_the_old_index(seed_index, tmp_path):
    async with bot_on_seeds(seed_index, tmp_path) as bot:
        await bot.ask(ADMIN, "/reindex")
        final = await bot.fake.wait_for(lambda: [c for c in bot.fake.called("editMessageText") if "失败" in c.text])
        assert final[0].text == f"索引重建失败：no report files in {tmp_path / 'reports'}。旧索引仍在使用。"
        assert "42件" in (await bot.ask(ALICE, "文登区2020年收到多少申请")).text
