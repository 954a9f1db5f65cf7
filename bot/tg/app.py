"""All the wiring in one place: ``build_application(settings, make_asker)``."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    PersistenceInput,
    PicklePersistence,
    TypeHandler,
    filters,
)

from bot.tg import admin, handlers, harvest
from bot.tg.asking import AsyncAsker
from bot.tg.logsafe import mask_in_logs
from bot.tg.ratelimit import QuestionLimiter, RetryingRateLimiter
from bot.tg.texts import ADMIN_COMMANDS, COMMANDS

logger = logging.getLogger(__name__)
# Updates handled at once (across chats). Answering is CPU-bound on one thread, so more only queues sends in
# httpx's pool: measured with tests/load_bot.py, 16 gave twice the throughput of 64 and a third of its p95.
CONCURRENT_UPDATES = 16
# PicklePersistence rewrites its whole file for each changed chat unless on_flush is set: with many chats that is
# quadratic, so it keeps changes in memory and one job writes the file this often (and PTB writes it on stop).
PERSIST_EVERY = 30


class PerChatOrder(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in order, so a follow-up sees its context."""

    def __init__(self, max_concurrent_updates: int):
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:  # inline queries belong to no chat
            await coroutine
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = self._locks[chat.id] = asyncio.Lock()
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def build_application(settings, make_asker: Callable[[], Any]) -> Application:
    """The bot, ready to run: handlers, persistence, limits, schedule. ``make_asker()`` returns an Asker."""
    mask_in_logs(settings.token)
    mask_in_logs(settings.webhook_secret)
    Path(settings.persistence).parent.mkdir(parents=True, exist_ok=True)
    api, timeout = settings.api_base_url.rstrip("/"), settings.request_timeout
    application = (
        Application.builder()
        .token(settings.token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .read_timeout(timeout).write_timeout(timeout).connect_timeout(timeout).pool_timeout(timeout)
        .get_updates_read_timeout(timeout).get_updates_connect_timeout(timeout)  # added to the long-poll timeout
        .rate_limiter(RetryingRateLimiter(per_second=settings.send_per_second,
                                          group_per_minute=settings.group_send_per_minute,
                                          retries=settings.send_retries))
        .persistence(PicklePersistence(settings.persistence, update_interval=PERSIST_EVERY, on_flush=True,
                                       store_data=PersistenceInput(bot_data=False, user_data=False,
                                                                   callback_data=False)))
        .concurrent_updates(PerChatOrder(CONCURRENT_UPDATES))
        .post_init(register_commands)
        .post_shutdown(close_asker)
        .build()
    )
    asker = AsyncAsker(make_asker)
    application.bot_data.update(
        settings=settings, asker=asker, started=time.monotonic(),
        limiter=QuestionLimiter(settings.questions_per_minute),
        reindexer=admin.Reindexer(settings.reports, settings.db, asker),
    )
    application.bot_data["harvester"] = harvest.make_harvester(settings, application.bot_data["reindexer"])
    add_handlers(application, filters.User(user_id=settings.admins))
    application.job_queue.run_repeating(save_conversations, interval=PERSIST_EVERY, first=PERSIST_EVERY)
    if settings.schedule:
        trigger = CronTrigger.from_crontab(settings.schedule, timezone=settings.timezone)
        application.job_queue.run_custom(admin.scheduled_reindex, job_kwargs={"trigger": trigger,
                                                                              "max_instances": 1}, name="reindex")
    if settings.fetch_schedule and settings.fetch_portals:
        trigger = CronTrigger.from_crontab(settings.fetch_schedule, timezone=settings.timezone)
        application.job_queue.run_custom(harvest.scheduled_fetch, job_kwargs={"trigger": trigger, "max_instances": 1},
                                         name="fetch")
    return application


def add_handlers(application: Application, admins: filters.BaseFilter) -> None:
    application.add_handler(TypeHandler(Update, handlers.enforce_limits), group=-1)
    commands = {"start": handlers.start, "help": handlers.help_command, "ask": handlers.ask_command,
                "search": handlers.search_command, "reports": handlers.reports_command,
                "report": handlers.report_command, "compare": handlers.compare_command,
                "chart": handlers.chart_command, "export": handlers.export_command}
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CommandHandler("reindex", admin.reindex, filters=admins))
    application.add_handler(CommandHandler("status", admin.status, filters=admins))
    application.add_handler(CommandHandler("fetch", harvest.fetch_command, filters=admins))
    application.add_handler(CommandHandler("sources", harvest.sources_command, filters=admins))
    application.add_handler(CommandHandler(list(ADMIN_COMMANDS), admin.refuse))
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(filters.Document.ALL & private & admins, admin.receive_report))
    application.add_handler(MessageHandler(filters.Document.ALL & private, admin.refuse))
    application.add_handler(MessageHandler(filters.COMMAND & private, handlers.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & private, handlers.question))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.GROUPS
                                           & handlers.ADDRESSED_TO_BOT, handlers.group_question))
    application.add_handler(CallbackQueryHandler(handlers.pick_choice, pattern=r"^pick:\d+$"))
    application.add_handler(CallbackQueryHandler(handlers.ask_example, pattern=r"^ask:\d+$"))
    application.add_handler(CallbackQueryHandler(handlers.show_source, pattern=r"^src$"))
    application.add_handler(CallbackQueryHandler(handlers.show_chart, pattern=r"^chart$"))
    application.add_handler(CallbackQueryHandler(handlers.reports_page, pattern=r"^page:\d+$"))
    application.add_handler(InlineQueryHandler(handlers.inline_answer))
    application.add_error_handler(handlers.error_handler)


async def register_commands(application: Application) -> None:
    """Commands in the clients' menu: the public ones for everyone, plus the admin ones in admins' chats."""
    public = [BotCommand(name, description) for name, description in COMMANDS.items()]
    await application.bot.set_my_commands(public)
    every = public + [BotCommand(name, description) for name, description in ADMIN_COMMANDS.items()]
    for admin_id in application.bot_data["settings"].admins:
        try:
            await application.bot.set_my_commands(every, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # an admin who never opened a chat with the bot: not fatal
            logger.warning("could not set admin commands for %s: %s", admin_id, exc)


async def save_conversations(context) -> None:
    """Write every chat's context to the persistence file (see PERSIST_EVERY)."""
    await context.application.persistence.flush()


async def close_asker(application: Application) -> None:
    application.bot_data["asker"].close()
