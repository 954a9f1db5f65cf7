"""End to end: questions in private and group chats, follow-ups, buttons, inline mode, persistence."""

from __future__ import annotations

import html

import pytest

from bot.question.answer import ANSWERED, Answer
from bot.tg import render
from tests.bot_harness import ADMIN, ALICE, BOB, GROUP, bot_on_seeds, bot_settings, copy_index, running_bot
from tests.fake_telegram import BOT_USER, FakeTelegram

WENDENG_2020 = ("威海市文登区人民政府2020年本年新收政府信息公开申请数量为42件。\n"
                "来源：001_114e84585976705a.txt，表三第64行（“本年新收政府信息公开申请数量”行，“总计”列）。")
GONGXIN_2020 = ("威海市工业和信息化局2020年本年新收政府信息公开申请数量为0件。\n"
                "来源：002_06daf30fbb2e76e1.txt，表三第60行（“本年新收政府信息公开申请数量”行，“总计”列）。")
MENTION = f"@{BOT_USER['username']}"


@pytest.fixture
async def bot(seed_index, tmp_path):
    async with bot_on_seeds(seed_index, tmp_path) as running:
        yield running


async def test_private_question_gets_the_exact_answer(bot):
    reply = await bot.ask(ALICE, "文登区2020年收到多少申请")
    assert reply.text == WENDENG_2020
    assert reply.params["parse_mode"] == "HTML"
    assert reply.buttons() == [("查看原文", "src")]


async def test_group_message_without_mention_is_ignored_with_mention_answered(bot):
    bot.fake.message(GROUP, "文登区2020年收到多少申请", user_id=ALICE, chat_type="group")
    reply = await bot.ask(GROUP, f"{MENTION} 文登区2020年收到多少申请", user_id=BOB, chat_type="group")
    assert reply.text == WENDENG_2020
    assert len(bot.fake.replies(GROUP)) == 1  # one chat's updates run in order: the first was seen and ignored


async def test_group_reply_to_the_bot_and_ask_command_are_answered(bot):
    first = await bot.ask(GROUP, "/ask 文登区2020年收到多少申请", user_id=ALICE, chat_type="group")
    assert first.text == WENDENG_2020
    bots_message = bot.fake._messages[(GROUP, first.result["message_id"])]
    follow_up = await bot.ask(GROUP, "工信局呢", user_id=BOB, chat_type="group", reply_to=bots_message)
    assert follow_up.text == GONGXIN_2020


async def test_follow_up_reuses_the_chat_context(bot):
    await bot.ask(ALICE, "文登区2020年收到多少申请")
    assert (await bot.ask(ALICE, "那工信局呢")).text == GONGXIN_2020
    assert (await bot.ask(BOB, "那工信局呢")).text != GONGXIN_2020  # context is per chat


async def test_context_survives_a_restart(seed_index, tmp_path):
    with FakeTelegram() as fake:
        settings = bot_settings(fake, tmp_path, copy_index(seed_index, tmp_path))
        async with running_bot(settings, fake) as first_run:
            await first_run.ask(ALICE, "文登区2020年收到多少申请")
        async with running_bot(settings, fake) as second_run:
            assert (await second_run.ask(ALICE, "那工信局呢")).text == GONGXIN_2020


async def test_ambiguity_buttons_then_a_press_answers_for_the_choice(bot):
    reply = await bot.ask(ALICE, "经开区2019年收到多少申请")
    assert reply.buttons() == [("临沂经济技术开发区", "pick:0"), ("威海临港经济技术开发区", "pick:1")]
    bot.fake.press(reply, "威海临港经济技术开发区")
    answer = await bot.fake.reply_to(ALICE, 2)
    assert answer.text.startswith("威海临港经济技术开发区2019年本年新收政府信息公开申请数量为9件。")
    assert bot.fake.called("answerCallbackQuery")


async def test_start_tells_what_is_indexed_and_its_example_buttons_ask(bot):
    reply = await bot.ask(ALICE, "/start")
    assert reply.text.splitlines()[1] == "我已收录 5 份年度报告，覆盖 5 个机关、3 个年度（2019–2023）。"
    assert len(reply.buttons()) == 3
    label, _ = reply.buttons()[0]
    bot.fake.press(reply, label)
    answer = await bot.fake.reply_to(ALICE, 2)
    assert "件" in answer.text


async def test_help_names_every_command(bot):
    commands = {c for handlers in bot.application.handlers.values() for h in handlers
                for c in getattr(h, "commands", ())}
    assert commands >= {"start", "help", "search", "reports", "report", "compare", "chart", "export", "ask",
                        "reindex", "status"}
    admin_help = (await bot.ask(ADMIN, "/help")).text
    assert all(f"/{command}" in admin_help for command in commands)
    public_help = (await bot.ask(ALICE, "/help")).text
    assert "/reindex" not in public_help and "/export" in public_help


async def test_commands_are_registered_for_everyone_and_admins(bot):
    scopes = {(c.params.get("scope") or {}).get("chat_id"): [x["command"] for x in c.params["commands"]]
              for c in bot.fake.called("setMyCommands")}
    assert scopes[None] == ["start", "help", "ask", "search", "reports", "report", "compare", "chart", "export"]
    assert scopes[ADMIN] == scopes[None] + ["reindex", "status", "fetch", "sources"]


async def test_reports_are_paged_with_buttons(bot, monkeypatch):
    monkeypatch.setattr(render, "REPORTS_PER_PAGE", 2)
    reply = await bot.ask(ALICE, "/reports")
    assert reply.text.splitlines()[0] == "<b>报告列表</b>（共 5 份，第 1/3 页）"
    assert reply.buttons() == [("下一页 »", "page:1")]
    bot.fake.press(reply, "下一页")
    edit = await bot.fake.reply_to(ALICE, 1, "editMessageText")
    assert edit.text.splitlines()[0] == "<b>报告列表</b>（共 5 份，第 2/3 页）"
    assert [label for label, _ in edit.buttons()] == ["« 上一页", "下一页 »"]


async def test_report_search_and_compare_commands(bot):
    card = await bot.ask(ALICE, "/report 文登区 2020")
    assert card.text.startswith("威海市文登区人民政府2020年政府信息公开工作年度报告（2019版表格")
    found = await bot.ask(ALICE, "/search 依申请公开")
    assert found.text.startswith("有5份报告提到“依申请公开”")
    compared = await bot.ask(ALICE, "/compare 文登区 工信局 2020 申请")
    assert "· 威海市文登区人民政府2020年：42件" in compared.text
    assert ("图表", "chart") in compared.buttons()
    listed = await bot.ask(ALICE, "/reports 2019")
    assert listed.text.splitlines()[0] == "<b>报告列表</b>（共 2 份，第 1/1 页）"


async def test_user_text_is_escaped_and_long_answers_split_cleanly(bot):
    lines = [f"第{i}行 <b>不是标签</b> & “引号”" for i in range(400)]
    long_answer = Answer("问", ANSWERED, "lookup", "\n".join(lines))

    async def ask(question, context=None):
        return long_answer

    bot.bot_data["asker"].ask = ask
    await bot.ask(ALICE, "<i>任何问题</i>")
    parts = await bot.fake.wait_for(lambda: "第399行" in bot.fake.replies(ALICE)[-1].text and bot.fake.replies(ALICE))
    assert len(parts) == 5
    assert not bot.fake.refused
    assert all(len(p.text) <= 4096 for p in parts)
    assert "\n".join(p.text for p in parts) == html.escape("\n".join(lines))


async def test_inline_query_offers_the_answer(bot):
    bot.fake.inline_query(ALICE, "文登区2020 申请")
    call = await bot.fake.wait_for(lambda: bot.fake.called("answerInlineQuery"))
    (result,) = call[0].params["results"]
    assert result["type"] == "article"
    assert result["input_message_content"]["message_text"] == WENDENG_2020


async def test_an_ambiguous_inline_query_offers_one_result_per_choice(bot):
    bot.fake.inline_query(ALICE, "高新区2023年收到多少申请")
    call = await bot.fake.wait_for(lambda: bot.fake.called("answerInlineQuery"))
    titles = [r["title"] for r in call[0].params["results"]]
    assert titles == ["威海火炬高技术产业开发区管委会2023年本年新收政府信息公开申请数量为26件。"]


async def test_commands_without_their_words_say_what_to_write(bot):
    assert (await bot.ask(ALICE, "/search")).text == "请在命令后写上关键词，例如：/search 依申请公开"
    assert (await bot.ask(ALICE, "/compare")).text.startswith("请写上要对比的单位或年份和指标")
    assert (await bot.ask(ALICE, "/report")).text == "请写上单位（和年份），例如：/report 文登区 2020"
    assert (await bot.ask(ALICE, "/nosuchcommand")).text.startswith("<b>直接发问题即可</b>")
