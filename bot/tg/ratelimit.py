"""Limits in both directions: questions a user may ask, and calls the bot may make to Telegram."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)


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

    def allow(self, user_id: int) -> bool:
        now, asked = self.clock(), self._asked[user_id]
        while asked and asked[0] <= now - self.WINDOW:
            asked.popleft()
        if len(asked) >= self.per_minute > 0:
            return False
        asked.append(now)
        self._refused_at.pop(user_id, None)
        return True

    def retry_after(self, user_id: int) -> int:
        """Whole seconds until the user may ask again (at least 1)."""
        asked = self._asked[user_id]
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
    """Telegram's flood limits and 429 retry_after (AIORateLimiter), plus retries of 5xx errors and timeouts.

    A send that failed with a 5xx or timed out is retried with backoff; getUpdates
    is left to the Updater, whose own loop retries it without losing updates.
    """

    def __init__(self, *, per_second: float, group_per_minute: float, retries: int):
        super().__init__(overall_max_rate=per_second, group_max_rate=group_per_minute, max_retries=retries)
        self.retries = retries

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise  # our request was wrong; sending it again will not help
            except NetworkError as exc:  # includes TimedOut and 5xx responses
                if endpoint == "getUpdates" or attempt >= self.retries:
                    raise
                attempt += 1
                logger.warning("%s failed (%s); retry %d of %d", endpoint, exc, attempt, self.retries)
                await asyncio.sleep(min(0.25 * 2**attempt, 5))
