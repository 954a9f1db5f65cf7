"""What the bot does with each update: take the text, ask the Asker, render the Answer, send it.

Handlers follow PTB's examples: ``async def x(update, context) -> None``, a
one-line docstring, wiring in ``app.build_application``. Shared services live in
``context.bot_data``: "asker" (AsyncAsker), "settings", "limiter".
"""

from __future__ import annotations

import contextlib
import io
import logging

from telegram import InputFile, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot.question.answer import AMBIGUOUS, ANSWERED, Answer
from bot.tg import charts
from bot.tg.memory import keep_answer, recall, remember
from bot.tg.render import (
    Reply,
    facts_csv,
    render_answer,
    render_help,
    render_inline,
    render_reports,
    render_source,
    render_welcome,
    source_windows,
    split_html,
)
from bot.tg.texts import TEXT, say

logger = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
INLINE_CHOICES = 5


class AddressedToBot(filters.MessageFilter):
    """Group messages that mention the bot or reply to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        mentions = message.parse_entities([MessageEntity.MENTION]).values()
        return any(m.lower() == f"@{bot.username}".lower() for m in mentions)


ADDRESSED_TO_BOT = AddressedToBot()


# ---- helpers the handlers share ----------------------------------------------------------------------


def command_text(message: Message) -> str:
    """What follows the command word, spaces and line breaks kept."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def without_mention(message: Message) -> str:
    text = message.text or ""
    for mention in message.parse_entities([MessageEntity.MENTION]).values():
        if mention.lower() == f"@{message.get_bot().username}".lower():
            text = text.replace(mention, " ")
    return " ".join(text.split())


async def send_reply(message: Message, reply: Reply) -> Message:
    """Send every part of the reply; the keyboard rides on the last. Returns the last message sent."""
    sent = message
    for i, part in enumerate(reply.parts):
        keyboard = reply.keyboard if i == len(reply.parts) - 1 else None
        sent = await message.reply_text(part, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    return sent


async def send_answer(message: Message, context: Context, answer: Answer) -> None:
    sent = await send_reply(message, render_answer(answer))
    keep_answer(context.chat_data, sent.message_id, answer)


async def answer_question(message: Message, context: Context, question: str, hint: str = "empty_ask") -> None:
    """Ask ``question`` with the chat's conversation context and send the answer (or ``hint`` if it is empty)."""
    limit = context.bot_data["settings"].max_question_chars
    if not question:
        await message.reply_text(TEXT[hint])
    elif len(question) > limit:
        await message.reply_text(say("too_long", length=len(question), limit=limit))
    else:
        answer = await context.bot_data["asker"].ask(question, context.chat_data.get("context"))
        await send_answer(message, context, answer)


async def send_chart(message: Message, chart: dict | None) -> None:
    if not chart:
        await message.reply_text(TEXT["no_chart"])
        return
    png = await charts.render_chart_async(chart)
    await message.reply_photo(InputFile(io.BytesIO(png), filename="chart.png"), caption=chart.get("title", ""))


# commands that only explain the bot: a newcomer reading them has asked nothing yet
FREE_COMMANDS = frozenset({"start", "help"})


def command_name(message: Message) -> str | None:
    """'/help@nianbao_bot 文登区' → 'help'; None when the message is not a command."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""


def counts_as_question(update: Update) -> bool:
    """Updates that make the bot work: not /start or /help, not group chatter that is not addressed to it."""
    message = update.message
    if message and command_name(message) in FREE_COMMANDS:
        return False
    if not message or (update.effective_chat and update.effective_chat.type == "private"):
        return True
    return command_name(message) is not None or ADDRESSED_TO_BOT.check_update(update)


# ---- handlers ----------------------------------------------------------------------------------------


async def enforce_limits(update: Update, context: Context) -> None:
    """Stop a user's updates past the per-minute limit, saying when to come back (not at every message)."""
    user, limiter = update.effective_user, context.bot_data["limiter"]
    if not user or user.id in context.bot_data["settings"].admins or not counts_as_question(update):
        return
    if limiter.allow(user.id):
        return
    logger.info("rate limit: user %s", user.id)
    refusal = say("rate_limited", seconds=limiter.retry_after(user.id))
    if update.callback_query:
        await update.callback_query.answer(refusal)
    elif update.effective_message and limiter.should_reply(user.id):
        await update.effective_message.reply_text(refusal)
    raise ApplicationHandlerStop


async def start(update: Update, context: Context) -> None:
    """Say what the index holds and offer three example questions as buttons."""
    asker = context.bot_data["asker"]
    stats, examples = await asker.stats(), await asker.examples()
    sent = await send_reply(update.effective_message, render_welcome(stats, examples))
    remember(context.chat_data, sent.message_id, suggestions=examples)


async def help_command(update: Update, context: Context) -> None:
    """List every command with an example."""
    admin = update.effective_user and update.effective_user.id in context.bot_data["settings"].admins
    await send_reply(update.effective_message, render_help(context.bot.username, bool(admin)))


async def question(update: Update, context: Context) -> None:
    """A plain message in a private chat is a question."""
    await answer_question(update.effective_message, context, update.effective_message.text.strip())


async def group_question(update: Update, context: Context) -> None:
    """A group message that mentions the bot or replies to it is a question."""
    await answer_question(update.effective_message, context, without_mention(update.effective_message))


async def ask_command(update: Update, context: Context) -> None:
    """/ask 问题 — the way to ask in a group without mentioning the bot."""
    await answer_question(update.effective_message, context, command_text(update.effective_message))


async def compare_command(update: Update, context: Context) -> None:
    """/compare 文登区 工信局 2020 申请 — the same figure for several agencies or years."""
    text = command_text(update.effective_message)
    question = say("compare_question", text=text) if text else ""
    await answer_question(update.effective_message, context, question, hint="empty_compare")


async def search_command(update: Update, context: Context) -> None:
    """/search 关键词 — full-text search of the reports."""
    text = command_text(update.effective_message)
    if not text:
        await update.effective_message.reply_text(TEXT["empty_search"])
        return
    await send_answer(update.effective_message, context, await context.bot_data["asker"].search(text))


async def reports_command(update: Update, context: Context) -> None:
    """/reports [机关或年份] — the indexed reports, a page at a time."""
    text = command_text(update.effective_message)
    reports = await context.bot_data["asker"].list_reports(text)
    sent = await send_reply(update.effective_message, render_reports(reports, 0))
    remember(context.chat_data, sent.message_id, reports_filter=text)


async def reports_page(update: Update, context: Context) -> None:
    """A press of 上一页/下一页 under a report list: show that page in the same message."""
    query = update.callback_query
    await query.answer()
    memo = recall(context.chat_data, query.message.message_id)
    reports = await context.bot_data["asker"].list_reports((memo or {}).get("reports_filter", ""))
    reply = render_reports(reports, int(query.data.split(":")[1]))
    await query.edit_message_text(reply.parts[0], parse_mode=ParseMode.HTML, reply_markup=reply.keyboard)


async def report_command(update: Update, context: Context) -> None:
    """/report 文登区 2020 — one report's key figures, checks and source file."""
    agency, year = split_year(command_text(update.effective_message))
    if not agency:
        await update.effective_message.reply_text(TEXT["empty_report"])
        return
    await send_answer(update.effective_message, context, await context.bot_data["asker"].report_card(agency, year))


def split_year(text: str) -> tuple[str, int | None]:
    """'文登区 2020' → ('文登区', 2020); the Asker reads the agency, we only peel a trailing year off."""
    words = text.split()
    if len(words) > 1 and words[-1].isdigit() and len(words[-1]) == 4:
        return " ".join(words[:-1]), int(words[-1])
    return text, None


async def chart_command(update: Update, context: Context) -> None:
    """/chart [问题] — a PNG chart of the question's figures, or of the last answer."""
    text, message = command_text(update.effective_message), update.effective_message
    if not text:
        await send_chart(message, (context.chat_data.get("last") or {}).get("chart"))
        return
    answer = await context.bot_data["asker"].ask(text, context.chat_data.get("context"))
    if answer.chart or answer.status == ANSWERED:
        keep_answer(context.chat_data, None, answer)
        await send_chart(message, answer.chart)
    else:  # ambiguous, no data, not understood: the answer's text says why and offers the way on
        await send_answer(message, context, answer)


async def export_command(update: Update, context: Context) -> None:
    """/export [机关 年份] — the facts behind the last answer, or of one report, as CSV."""
    agency, year = split_year(command_text(update.effective_message))
    if agency:
        facts = (await context.bot_data["asker"].report_card(agency, year)).facts
    else:
        facts = (context.chat_data.get("last") or {}).get("facts") or []
    if not facts:
        await update.effective_message.reply_text(TEXT["no_export"])
        return
    document = InputFile(io.BytesIO(facts_csv(facts)), filename="nianbao.csv")
    await update.effective_message.reply_document(document, caption=say("export_caption", count=len(facts)))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: show the help."""
    await help_command(update, context)


async def pick_choice(update: Update, context: Context) -> None:
    """A press of one of the “您是指：” buttons: ask again with that agency."""
    query = update.callback_query
    await query.answer()
    memo = recall(context.chat_data, query.message.message_id)
    index = int(query.data.split(":")[1])
    if not memo or index >= len(memo.get("choices", [])):
        await query.message.reply_text(TEXT["expired"])
        return
    answer = await context.bot_data["asker"].choose(memo["context"], memo["choices"][index])
    await send_answer(query.message, context, answer)


async def ask_example(update: Update, context: Context) -> None:
    """A press of an example-question button: ask it."""
    query = update.callback_query
    await query.answer()
    memo = recall(context.chat_data, query.message.message_id) or {}
    index, examples = int(query.data.split(":")[1]), memo.get("suggestions", [])
    if index >= len(examples):
        await query.message.reply_text(TEXT["expired"])
        return
    await answer_question(query.message, context, examples[index])


async def show_source(update: Update, context: Context) -> None:
    """A press of 查看原文: the report lines around each figure of the answer."""
    query = update.callback_query
    await query.answer()
    memo = recall(context.chat_data, query.message.message_id) or {}
    blocks = [render_source(file, marked, await context.bot_data["asker"].source_lines(file, centre, around))
              for file, centre, around, marked in source_windows(memo.get("facts", []))]
    await send_reply(query.message, Reply(split_html("\n\n".join(blocks))) if blocks else Reply([TEXT["no_source"]]))


async def show_chart(update: Update, context: Context) -> None:
    """A press of 图表: draw the answer's chart."""
    query = update.callback_query
    await query.answer()
    memo = recall(context.chat_data, query.message.message_id) or {}
    await send_chart(query.message, memo.get("chart"))


async def inline_answer(update: Update, context: Context) -> None:
    """@bot 文登区2020 申请 in any chat: the answer as an inline result."""
    query = update.inline_query
    text = query.query.strip()
    if not text or len(text) > context.bot_data["settings"].max_question_chars:
        return
    asker = context.bot_data["asker"]
    answer = await asker.ask(text, None)
    # an inline result cannot have buttons that ask back, so each choice becomes a result of its own
    answers = [await asker.choose(answer.context, choice) for choice in answer.choices[:INLINE_CHOICES]] \
        if answer.status == AMBIGUOUS and answer.choices else [answer]
    await query.answer([render_inline(a, str(i)) for i, a in enumerate(answers)], cache_time=60)


async def error_handler(update: object, context: Context) -> None:
    """Log the error with its traceback; tell the user politely, never the details."""
    logger.error("error while handling %s", "an update" if update else "polling or a job", exc_info=context.error)
    if isinstance(context.error, NetworkError):
        return  # Telegram unreachable or late (the reply may have arrived): an apology would fail or confuse
    if isinstance(update, Update) and update.effective_message:
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text(TEXT["error"])

