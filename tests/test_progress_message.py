"""bot.tg.admin.ProgressMessage: one edited message for a long job's progress, at most one edit in flight and at
most one per `every` seconds; `show(text)` is the public way in, used by /reindex and /fetch (bot/tg/harvest.py)."""

from __future__ import annotations

import asyncio

from bot.tg.admin import ProgressMessage
from bot.tg.harvest import FetchProgress
from bot.tg.texts import say


class Message:
    """A sent message whose edits are recorded; an edit takes `lag` seconds, like a Bot API call."""

    def __init__(self, lag: float = 0.0):
        self.lag, self.edits = lag, []

    async def edit_text(self, text: str, parse_mode=None) -> None:
        await asyncio.sleep(self.lag)
        self.edits.append(text)


async def test_show_sends_one_edit_at_a_time_and_not_more_often_than_every():
    message = Message(lag=0.05)
    progress = ProgressMessage(message, every=0.2)
    assert progress.show("1/3") is True
    assert progress.show("2/3") is False  # the first edit is still in flight
    await asyncio.sleep(0.1)
    assert progress.show("2/3") is False  # done, but under `every` seconds since the last one
    await asyncio.sleep(0.15)
    assert progress.show("3/3") is True
    await progress.finish("done")
    assert message.edits == ["1/3", "3/3", "done"]


async def test_reindex_and_fetch_progress_say_their_own_texts_through_show():
    message = Message()
    ProgressMessage(message, every=0)(2, 5, "a/b.pdf")
    fetch = FetchProgress(message, every=0)
    await asyncio.sleep(0)
    fetch(3, 16, "http://127.0.0.1/x/t1.htm")
    await fetch.finish("done")
    assert message.edits == [say("reindex_progress", done=2, total=5, file="a/b.pdf"),
                             say("fetch_progress", done=3, total=16, url="http://127.0.0.1/x/t1.htm"), "done"]
