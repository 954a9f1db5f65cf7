"""The synchronous Asker, called from the event loop without blocking it.

All calls run on one worker thread: the Asker's sqlite connection belongs to the
thread that opened it, and answering is CPU-bound, so a pool would not answer
faster. The event loop meanwhile keeps receiving updates and sending replies.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.question.answer import Answer


class AsyncAsker:
    """Awaitable versions of the Asker's methods; ``make_asker`` is called on the worker thread."""

    def __init__(self, make_asker: Callable[[], Any]):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asker")
        self._asker = self._pool.submit(make_asker).result()

    async def _run(self, method: str, *args: Any) -> Any:
        call = functools.partial(getattr(self._asker, method), *args)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def ask(self, question: str, context: dict | None = None) -> Answer:
        return await self._run("ask", question, context)

    async def choose(self, answer_context: dict, agency: str) -> Answer:
        """Answer an ambiguous question again for the agency the user picked."""
        return await self._run("choose", answer_context, agency)

    async def examples(self, count: int = 3) -> list[str]:
        """Example questions that this index can answer (those offered for an empty question)."""
        return (await self.ask("", None)).suggestions[:count]

    async def search(self, text: str) -> Answer:
        return await self._run("search", text)

    async def report_card(self, agency_text: str, year: int | None = None) -> Answer:
        return await self._run("report_card", agency_text, year)

    async def list_reports(self, filter_text: str = "") -> list[dict]:
        return await self._run("list_reports", filter_text)

    async def stats(self) -> dict:
        return await self._run("stats")

    async def source_lines(self, file: str, line: int, around: int = 3) -> list[tuple[int, str]]:
        return await self._run("source_lines", file, line, around)

    async def reload(self) -> None:
        await self._run("reload")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
