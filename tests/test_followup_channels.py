"""One conversation, three channels: Telegram (context kept per chat), the terminal chat and the Asker
give the same answer at every turn, typed parts winning over the last answer's."""

from __future__ import annotations

import io

from bot.chat import run_chat
from bot.question import Asker
from tests.bot_harness import ALICE, bot_on_seeds

CONVERSATION = [
    "文登区2020年收到多少申请",
    "自然人呢",
    "工信局呢",
    "環翠區2020年收到多少申請",  # typed and unknown: never 工信局's figure
    "高区2023年予以公开多少",
    "那行政复议呢",
    "2020年哪个单位收到的申请最多",
    "那2019年呢",
    "文登区呢",
    "临港区2019年收到多少申请",
    "跟工信局比呢",
    "那上一年呢",
]


def _asker_turns(seed_index) -> list[str]:
    asker, context, firsts = Asker(seed_index), None, []
    for message in CONVERSATION:
        answer = asker.ask(message, context)
        context = answer.context
        firsts.append(answer.text.split("\n")[0])
    return firsts


async def test_telegram_follows_up_as_the_asker_does(seed_index, tmp_path):
    expected = _asker_turns(seed_index)
    async with bot_on_seeds(seed_index, tmp_path) as bot:
        for message, first_line in zip(CONVERSATION, expected, strict=True):
            reply = await bot.ask(ALICE, message)
            assert reply.text.split("\n")[0] == first_line, message


def test_the_terminal_chat_follows_up_as_the_asker_does(seed_index):
    out = io.StringIO()
    run_chat(str(seed_index), stdin=io.StringIO("\n".join(CONVERSATION) + "\n"), stdout=out)
    printed = out.getvalue().split("\n")
    at = 0
    for message, first_line in zip(CONVERSATION, _asker_turns(seed_index), strict=True):
        assert first_line in printed[at:], message
        at = printed.index(first_line, at) + 1  # in order, one answer per turn
