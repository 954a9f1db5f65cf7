"""End to end: limits, and faults injected by the fake Telegram after which every reply arrives exactly once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.tg.ratelimit import QuestionLimiter
from bot.tg.texts import TEXT
from tests.bot_harness import ALICE, BOB, GROUP, bot_on_seeds
from tests.fake_telegram import TOKEN

WENDENG = "文登区2020年收到多少申请"
ANSWER_START = "威海市文登区人民政府2020年本年新收政府信息公开申请数量为42件。"


@pytest.fixture
async def bot(seed_index, tmp_path):
    async with bot_on_seeds(seed_index, tmp_path, request_timeout=0.5, questions_per_minute=3) as running:
        yield running


async def settle(bot, seconds: float = 0.3) -> None:
    """Give a duplicate, if the bot were to send one, the time to arrive."""
    await asyncio.sleep(seconds)


def refusal(seconds: int) -> str:
    return TEXT["rate_limited"].format(seconds=seconds)


async def test_per_user_rate_limit_says_when_to_come_back(bot):
    now = [1000.0]
    bot.bot_data["limiter"].clock = lambda: now[0]
    for _ in range(5):
        bot.fake.message(GROUP, f"/ask {WENDENG}", user_id=ALICE, chat_type="group")
    # one chat's updates run in order, so Bob's answer comes after all five of Alice's were handled
    bot.fake.message(GROUP, f"/ask {WENDENG}", user_id=BOB, chat_type="group")
    await bot.fake.reply_to(GROUP, 5)
    now[0] += 61
    await bot.ask(GROUP, f"/ask {WENDENG}", user_id=ALICE, chat_type="group")
    texts = [c.text for c in bot.fake.replies(GROUP)]
    assert texts[3] == refusal(60)  # one refusal for a burst, naming the seconds to wait
    assert [t.startswith(ANSWER_START) for t in texts] == [True, True, True, False, True, True]


async def test_a_refused_user_is_told_again_later_never_silenced_for_good(bot):
    now = [1000.0]
    bot.bot_data["limiter"].clock = lambda: now[0]
    for _ in range(3):
        await bot.ask(ALICE, WENDENG)
    assert (await bot.ask(ALICE, WENDENG)).text == refusal(60)
    now[0] += 1
    bot.fake.message(ALICE, WENDENG)  # a second later: no second refusal in the same breath
    await settle(bot, 0.5)
    assert len(bot.fake.replies(ALICE)) == 4
    now[0] += 14
    reply = await bot.ask(ALICE, WENDENG)
    assert reply.text == refusal(45)
    assert len(bot.fake.replies(ALICE)) == 5
    now[0] += 46
    assert (await bot.ask(ALICE, WENDENG)).text.startswith(ANSWER_START)


async def test_start_and_help_do_not_count_toward_the_limit(bot):
    now = [1000.0]
    bot.bot_data["limiter"].clock = lambda: now[0]
    for command in ("/start", "/help", "/help", "/start", "/help"):
        assert not (await bot.ask(ALICE, command)).text.startswith("提问太频繁")
    for _ in range(3):
        assert (await bot.ask(ALICE, WENDENG)).text.startswith(ANSWER_START)
    assert (await bot.ask(ALICE, "/search 依申请公开")).text == refusal(60)  # other commands do count
    assert not (await bot.ask(ALICE, "/help")).text.startswith("提问太频繁")  # and help still answers


async def test_over_long_question_is_declined(bot):
    reply = await bot.ask(ALICE, "申" * 400)
    assert reply.text == "问题太长了（400 字），请控制在 300 字以内。"


@pytest.mark.parametrize("kind, times", [("429", 1), ("500", 2), ("502", 1), ("slow", 1)])
async def test_send_faults_then_each_reply_arrives_exactly_once(bot, kind, times):
    bot.fake.fail("sendMessage", kind, times, retry_after=1, seconds=0.3 if kind == "slow" else 0.8)
    reply = await bot.ask(ALICE, WENDENG)
    assert reply.text.startswith(ANSWER_START)
    await settle(bot)
    assert len(bot.fake.replies(ALICE)) == 1
    assert bot.fake.faulted == [("sendMessage", kind)] * times


async def test_a_send_whose_answer_never_came_is_not_repeated_and_the_bot_goes_on(bot):
    # Telegram may have delivered it (tests/test_security.py: a late answer): a reply twice is the worse outcome
    bot.fake.fail("sendMessage", "timeout", seconds=0.8)
    bot.fake.message(ALICE, WENDENG)
    await bot.fake.wait_for(lambda: bot.fake.faulted)
    await settle(bot, 1.0)
    assert bot.fake.faulted == [("sendMessage", "timeout")]
    assert bot.fake.replies(ALICE) == []  # neither the reply again nor an apology
    assert (await bot.ask(ALICE, WENDENG)).text.startswith(ANSWER_START)


async def test_polling_faults_lose_and_repeat_no_update(bot):
    bot.fake.fail("getUpdates", "500")
    bot.fake.fail("getUpdates", "429", retry_after=1)
    bot.fake.fail("getUpdates", "timeout", seconds=2.0)
    bot.fake.fail("sendMessage", "500")
    for chat in (ALICE, BOB):
        bot.fake.message(chat, WENDENG)
        bot.fake.message(chat, "那工信局呢")
    for chat in (ALICE, BOB):
        await bot.fake.reply_to(chat, 2, timeout=10)
    await settle(bot)
    assert [len(bot.fake.replies(chat)) for chat in (ALICE, BOB)] == [2, 2]
    assert {kind for _, kind in bot.fake.faulted} == {"500", "429", "timeout"}
    assert (await bot.ask(ALICE, "/report 文登区 2020")).text.startswith("威海市文登区人民政府2020年")


async def test_a_failing_handler_gets_a_polite_reply_and_the_bot_goes_on(bot, caplog):
    asker, real_ask = bot.bot_data["asker"], bot.bot_data["asker"].ask

    async def broken(question, context=None):
        asker.ask = real_ask
        raise RuntimeError("index exploded")

    asker.ask = broken
    with caplog.at_level(logging.ERROR, logger="bot.tg.handlers"):
        reply = await bot.ask(ALICE, WENDENG)
    assert reply.text == "抱歉，处理您的请求时出了点问题，请稍后再试。"
    assert "RuntimeError: index exploded" in caplog.text
    assert (await bot.ask(ALICE, WENDENG)).text.startswith(ANSWER_START)


async def test_the_token_never_appears_in_logs(seed_index, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with bot_on_seeds(seed_index, tmp_path, request_timeout=0.5) as bot:
        bot.fake.fail("sendMessage", "500")
        await bot.ask(ALICE, WENDENG)
        logging.getLogger("test").error("bot url %s", bot.application.bot.base_url)
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text
    assert "/bot<TOKEN>/getMe" in caplog.text
    assert "bot url http://127.0.0.1" in caplog.text


def test_the_question_limiter_forgets_users_gone_quiet():
    now = [0.0]
    limiter = QuestionLimiter(3, clock=lambda: now[0])
    for user in range(1000):
        limiter.allow(user)
    assert limiter.tracked() == 1000
    now[0] += 61  # a window later: one more question prunes everyone idle since
    assert limiter.allow(5000)
    assert limiter.tracked() == 1
    assert limiter.retry_after(7) == 1 and limiter.tracked() == 1  # asking about a user does not remember them
