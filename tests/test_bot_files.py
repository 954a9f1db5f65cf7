"""End to end: /chart and the 图表 button send a PNG, /export sends CSV, 查看原文 shows the source lines."""

from __future__ import annotations

import csv
import io
import struct

import pytest

from tests.bot_harness import ALICE, bot_on_seeds

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def bot(seed_index, tmp_path):
    async with bot_on_seeds(seed_index, tmp_path) as running:
        yield running


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])  # IHDR width, height


async def test_chart_command_sends_a_real_png(bot):
    bot.fake.fail("sendPhoto", "500")  # the upload is sent again whole
    bot.fake.message(ALICE, "/chart 文登区历年收到多少申请")
    photo = await bot.fake.reply_to(ALICE, 1, "sendPhoto")
    filename, data = photo.files["photo"]
    assert filename == "chart.png"
    assert png_size(data) == (880, 495)
    assert len(data) > 10_000
    assert photo.params["caption"] == "威海市文登区人民政府 本年新收政府信息公开申请数量"
    assert len(bot.fake.sent(ALICE, "sendPhoto")) == 1 and bot.fake.faulted == [("sendPhoto", "500")]


async def test_chart_button_and_chart_of_the_last_answer(bot):
    compared = await bot.ask(ALICE, "/compare 文登区 工信局 2020 申请")
    bot.fake.press(compared, "图表")
    photo = await bot.fake.reply_to(ALICE, 1, "sendPhoto")
    assert photo.files["photo"][1][:8] == PNG_MAGIC
    bot.fake.message(ALICE, "/chart")
    again = await bot.fake.reply_to(ALICE, 2, "sendPhoto")
    assert again.params["caption"] == "本年新收政府信息公开申请数量"


async def test_chart_without_a_series_says_so(bot):
    await bot.ask(ALICE, "文登区2020年收到多少申请")
    reply = await bot.ask(ALICE, "/chart")
    assert reply.text == "这个回答没有可以画图的数据。可以试试：/chart 文登区 历年申请数量"


async def test_export_sends_the_facts_of_the_last_answer_as_csv(bot):
    await bot.ask(ALICE, "/compare 文登区 工信局 2020 申请")
    bot.fake.message(ALICE, "/export")
    document = await bot.fake.reply_to(ALICE, 1, "sendDocument")
    filename, data = document.files["document"]
    assert filename == "nianbao.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["agency"], r["year"], r["metric"], r["value"], r["unit"], r["file"], r["line"]) for r in rows] == [
        ("威海市文登区人民政府", "2020", "apply.new", "42", "件", "001_114e84585976705a.txt", "64"),
        ("威海市工业和信息化局", "2020", "apply.new", "0", "件", "002_06daf30fbb2e76e1.txt", "60"),
    ]
    assert document.params["caption"] == "2 条数据"


async def test_export_of_one_report(bot):
    bot.fake.message(ALICE, "/export 文登区 2020")
    document = await bot.fake.reply_to(ALICE, 1, "sendDocument")
    rows = list(csv.DictReader(io.StringIO(document.files["document"][1].decode("utf-8-sig"))))
    assert {r["agency"] for r in rows} == {"威海市文登区人民政府"}
    assert ("apply.new", "total", "42") in {(r["metric"], r["applicant"], r["value"]) for r in rows}


async def test_export_with_nothing_to_export(bot):
    reply = await bot.ask(ALICE, "/export")
    assert reply.text == "还没有可导出的数据：先提一个问题，或用 /export 文登区 2020。"


async def test_source_button_shows_the_lines_around_the_figure(bot):
    answer = await bot.ask(ALICE, "文登区2020年收到多少申请")
    bot.fake.press(answer, "查看原文")
    source = await bot.fake.reply_to(ALICE, 2)
    assert source.text.splitlines()[0] == "<b>001_114e84585976705a.txt</b> 第 64 行附近："
    assert "→64     42" in source.text
    assert not bot.fake.refused
