"""Limits in both directions: questions a user may ask, and calls the bot may make to Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)
# methods that post a new message: sent twice, the user sees it twice (an edit or an answer repeated is harmless)
NOT_REPEATABLE = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendAnimation", "sendAudio",
                  "sendVideo", "sendVoice", "sendSticker", "sendLocation", "sendPoll", "forwardMessage",
                  "forwardMessages", "copyMessage", "copyMessages"}


class QuestionLimiter:
    """A sliding one-minute window of questions per user.

    A refused user is told when to come back. Not at every message of a flood (each
    reply would itself be a message to rate-limit), but again once ``quiet`` seconds
    have passed since the last refusal, so the bot is never silent for good.
    """

    WINDOW = 60.0

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, quiet: float = 10.0):
        self.per_minute = per_minute
        self.clock = clock
        self.quiet = quiet
        self._asked: dict[int, deque[float]] = defaultdict(deque)
        self._refused_at: dict[int, float] = {}
        self._pruned_at = clock()

    def allow(self, user_id: int) -> bool:
        now = self.clock()
        self._prune(now)
        asked = self._asked[user_id]
        while asked and asked[0] <= now - self.WINDOW:
            asked.popleft()
        if len(asked) >= self.per_minute > 0:
            return False
        asked.append(now)
        self._refused_at.pop(user_id, None)
        return True

    def _prune(self, now: float) -> None:
        """Forget users with nothing in the window and no recent refusal, once a window, so memory follows the
        users of the last minute rather than every user ever seen."""
        if now - self._pruned_at < self.WINDOW:
            return
        self._pruned_at = now
        for user in [u for u, asked in self._asked.items() if not asked or asked[-1] <= now - self.WINDOW]:
            del self._asked[user]
        for user in [u for u, at in self._refused_at.items() if now - at >= self.quiet]:
            del self._refused_at[user]

    def tracked(self) -> int:
        """How many users the limiter remembers."""
        return len(self._asked.keys() | self._refused_at.keys())

    def retry_after(self, user_id: int) -> int:
        """Whole seconds until the user may ask again (at least 1)."""
        asked = self._asked.get(user_id)
        if not asked:
            return 1
        return max(1, math.ceil(asked[0] + self.WINDOW - self.clock()))

    def should_reply(self, user_id: int) -> bool:
        """True for the first refusal of a burst and again every ``quiet`` seconds after it."""
        now, last = self.clock(), self._refused_at.get(user_id)
        if last is not None and now - last < self.quiet:
            return False
        self._refused_at[user_id] = now
        return True


class RetryingRateLimiter(AIORateLimiter):
    """Telegram's flood limits (AIORateLimiter), 429 retry_after per chat, and retries of failures that sent nothing.

    A 429 holds back only the chat it came for: PTB's own limiter pauses every chat, so one
    busy user would delay all others by the whole retry_after. A send that failed with a 5xx,
    or that never reached Telegram, is retried with backoff. A send whose response timed out
    may have been delivered: repeating it could send the reply twice, so it is not repeated.
    getUpdates is left to the Updater, whose own loop retries it without losing updates.
    """

    def __init__(self, *, per_second: float, group_per_minute: float, retries: int,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(overall_max_rate=per_second, group_max_rate=group_per_minute, max_retries=retries)
        self.retries = retries
        self.clock = clock
        self._held_until: dict[object, float] = {}  # chat id (None: requests of no chat) → end of its retry_after

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        chat = data.get("chat_id")
        limited = failed = 0
        while True:
            await self._wait_for_chat(chat)
            try:
                return await self._send(callback, args, kwargs, data)
            except RetryAfter as exc:
                if limited >= (rate_limit_args or self.retries):
                    raise
                limited += 1
                wait = seconds_to_wait(exc)
                self._held_until[chat] = max(self._held_until.get(chat, 0.0), self.clock() + wait + 0.1)
                logger.info("%s to chat %s: flood limit, retry after %.1f s", endpoint, chat, wait)
            except BadRequest:
                raise  # our request was wrong; sending it again will not help
            except NetworkError as exc:  # includes TimedOut and 5xx responses
                if endpoint == "getUpdates" or failed >= self.retries:
                    raise
                if endpoint in NOT_REPEATABLE and maybe_delivered(exc):
                    logger.warning("%s to chat %s: no answer in time (%s); it may have been delivered, so it is "
                                   "not sent again", endpoint, chat, exc)
                    raise
                failed += 1
                logger.warning("%s failed (%s); retry %d of %d", endpoint, exc, failed, self.retries)
                await asyncio.sleep(min(0.25 * 2**failed, 5))

    async def _send(self, callback, args, kwargs, data):
        """One attempt through the overall and per-group limiters (AIORateLimiter's), never its global pause."""
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        group = chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str) else False
        return await self._run_request(chat=chat_id is not None, group=group,
                                       allow_paid_broadcast=bool(data.get("allow_paid_broadcast")),
                                       callback=callback, args=args, kwargs=kwargs)

    async def _wait_for_chat(self, chat: object) -> None:
        now = self.clock()
        for key in [k for k, until in self._held_until.items() if until <= now]:
            del self._held_until[key]  # pruned as they expire, so the map holds only chats being held back
        until = self._held_until.get(chat)
        if until is not None:
            await asyncio.sleep(until - now)


def seconds_to_wait(exc: RetryAfter) -> float:
    # the timedelta PTB keeps: its public retry_after is an int or a timedelta depending on a deprecation switch
    held = getattr(exc, "_retry_after", None)
    return held.total_seconds() if hasattr(held, "total_seconds") else float(exc.retry_after)


def maybe_delivered(exc: NetworkError) -> bool:
    """Whether Telegram may have acted on a request that failed so: its response timed out or the link broke
    after sending. An HTTP error status (Telegram answered) or a connection never made means it did not."""
    cause = exc.__cause__
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return False
    return isinstance(exc, TimedOut) or isinstance(cause, httpx.TransportError)
