"""The question layer: Chinese questions → structured lookups → Answer.

Shares the metric catalogue with ingestion; imports no chat channel.
"""

from bot.question.answer import Answer
from bot.question.asker import Asker

__all__ = ["Answer", "Asker"]
