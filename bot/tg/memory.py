"""What a chat's bot messages refer to, kept in ``chat_data`` (persisted across restarts).

A button says only "pick:1" or "src"; the answer it belongs to is remembered
here under the id of the message that carries the button.
"""

from __future__ import annotations

from typing import Any

from bot.question.answer import Answer

KEPT_MESSAGES = 30  # older buttons answer "expired": enough for scrolling back, small enough to persist


def remember(chat_data: dict, message_id: int, **payload: Any) -> None:
    messages = chat_data.setdefault("messages", {})
    messages[message_id] = payload
    for old in sorted(messages)[:-KEPT_MESSAGES]:
        del messages[old]


def recall(chat_data: dict, message_id: int) -> dict | None:
    return chat_data.get("messages", {}).get(message_id)


def answer_memo(answer: Answer) -> dict[str, Any]:
    """The parts of an answer its buttons and /chart, /export need later, as plain data."""
    return {"question": answer.question, "choices": answer.choices, "suggestions": answer.suggestions,
            "facts": answer.facts, "chart": answer.chart, "context": answer.context}


def keep_answer(chat_data: dict, message_id: int | None, answer: Answer) -> None:
    """Remember the answer for its message's buttons, as the chat's last answer, and its context for follow-ups."""
    memo = answer_memo(answer)
    if message_id is not None:
        remember(chat_data, message_id, **memo)
    chat_data["last"] = memo
    if answer.context:
        chat_data["context"] = answer.context
