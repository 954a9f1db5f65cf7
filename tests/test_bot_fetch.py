"""Through the fake Bot API: /fetch by an admin (progress edits, then a summary), refused to others, /sources,
the scheduled fetch, and an answer about a fetched report citing its URL. The portal is tests/portal_server.py."""

from __future__ import annotations

import logging
import re

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.tg.harvest import render_fetch_summary, render_sources
from index.harvest.crawl import FetchSummary
from tests import portal_server as ps
from tests.bot_harness import ADMIN, ALICE, BOB, bot_on_seeds

SLOW = 120.0  # seconds to wait for a whole fetch and build on a busy machine


@pytest.fixture
async def bot(seed_index, tmp_path):
    portal, server = ps.serve(ps.build_routes())
    toml = tmp_path / "portals.toml"
    toml.write_text(ps.PORTALS_TOML.format(list=portal.url(ps.COLUMN)), encoding="utf-8")
    try:
        async with bot_on_seeds(seed_index, tmp_path, fetch_portals=str(toml), fetch_schedule="0 4 * * 1") as running:
            running.portal = portal
            yield running
    finally:
        server.shutdown()


@pytest.mark.slow
async def test_admin_fetch_edits_progress_then_summarises_and_answers_cite_the_reports_url(bot):
    started = await bot.ask(ADMIN, "/fetch")
    assert started.text == "开始抓取门户网站…"
    final = await bot.fake.wait_for(
        lambda: [c for c in bot.fake.called("editMessageText") if "抓取完成" in c.text], timeout=SLOW)
    edits = bot.fake.called("editMessageText")
    assert {c.params["message_id"] for c in edits} == {str(started.result["message_id"])}
    assert re.fullmatch(r"正在抓取：\d+/16\nhttp://127\.0\.0\.1:\d+/\S+", edits[0].text)
    lines = final[0].text.splitlines()
    assert re.fullmatch(r"<b>抓取完成</b>（用时 [\d.]+ 秒）", lines[0])
    assert lines[1:3] == ["门户 1/1 · 列表页 3 · 报告 16", "新增 10 · 更新 0 · 未变 0 · 失败 6"]
    portal = bot.portal
    assert f"❌ {portal.url(ps.PRIVATE)}：disallowed by robots.txt" in lines
    assert sum(line.startswith("❌ ") for line in lines) == 6
    # the column's list declares 20 items; those only its search API lists are counted and the list named
    assert "⚠️ 列表未读全：还有 10 条只有网站的检索接口列出" in lines  # 20 declared, 10 on the static pages
    (incomplete,) = [line for line in lines if line.startswith("⚠️ http")]
    assert incomplete.startswith(f"⚠️ {portal.url(ps.COLUMN)}：the list declares 20 items")
    assert "<b>索引已更新</b>" in final[0].text and "共 12 份报告" in final[0].text
    answer = await bot.ask(ALICE, "文登区2020年收到多少申请")
    assert answer.text.startswith("威海市文登区人民政府2020年本年新收政府信息公开申请数量为42件。")
    assert f"原文：{portal.url(ps.DOCX)}" in answer.text
    card = await bot.ask(ALICE, "/report 文登区 2020")
    assert f"原文：{portal.url(ps.DOCX)}" in card.text.splitlines()[1]
    listed = await bot.ask(ALICE, "/reports 文登区")
    assert f' · <a href="{portal.url(ps.DOCX)}">原文</a>' in listed.text
    sources = await bot.ask(ADMIN, "/sources")
    assert re.match(r"<b>门户网站</b>\n<b>平潭</b>：上次抓取 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00 · 报告 16"
                    r"（新增 10 · 更新 0 · 未变 0）· 失败 6\n❌ ", sources.text)


async def test_fetch_and_sources_are_refused_to_others(bot, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.tg.admin"):
        assert (await bot.ask(BOB, "/fetch")).text == "抱歉，这个功能只对管理员开放。"
        assert (await bot.ask(BOB, "/sources")).text == "抱歉，这个功能只对管理员开放。"
    assert f"refused /fetch from user {BOB}" in caplog.text
    assert not [p for p, _ in bot.portal.log if p != "/robots.txt"]  # nothing was fetched


@pytest.mark.slow
async def test_the_scheduled_fetch_runs_then_builds(bot, caplog):
    (job,) = bot.application.job_queue.get_jobs_by_name("fetch")
    assert isinstance(job.trigger, CronTrigger)
    assert (await bot.ask(ADMIN, "/sources")).text == "还没有抓取过门户网站。"
    with caplog.at_level(logging.INFO, logger="bot.tg.harvest"):
        await job.run(bot.application)
    assert "scheduled fetch: portals 1/1 reached · pages 3 (unchanged 0) · reports found 16 · new 10" in caplog.text
    assert f"fetch incomplete {bot.portal.url(ps.COLUMN)}: the list declares 20 items" in caplog.text
    assert "index: 12 reports" in caplog.text
    answer = await bot.ask(ALICE, "平潭2023年收到多少申请")
    assert f"原文：{bot.portal.url(ps.GBK)}" in answer.text


def test_the_fetch_summary_names_lists_read_incompletely():
    fetched = FetchSummary(portals=1, reached=1, pages=2, found=3, new=3, unlisted=7,
                           incomplete=[("http://x.gov.cn/nb/?a=1&b=2", "the list declares 10 items, <3> shown")])
    lines = render_fetch_summary(fetched, None).splitlines()
    assert lines[3:] == ["⚠️ 列表未读全：还有 7 条只有网站的检索接口列出",
                         "⚠️ http://x.gov.cn/nb/?a=1&amp;b=2：the list declares 10 items, &lt;3&gt; shown",
                         "没有新的或改动的报告，索引未变。"]
    assert "列表未读全" not in render_fetch_summary(FetchSummary(portals=1, reached=1), None)


def test_sources_says_which_portal_was_not_reached():
    text = render_sources({"portals": {"某县": {"last_fetch": "2026-03-01T04:00:00+00:00", "reached": False,
                                                "found": 0, "failures": [["http://x.gov.cn/nb/", "HTTP 503 (4 tries)"]]}}})
    assert text == ("<b>门户网站</b>\n<b>某县</b>：上次抓取 2026-03-01 04:00:00+00:00（未能访问） · 报告 0"
                    "（新增 0 · 更新 0 · 未变 0）· 失败 1\n❌ http://x.gov.cn/nb/：HTTP 503 (4 tries)")
