"""The one shape every channel renders: terminal chat, JSON CLI and Telegram."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.question.followup import FollowUp

ANSWERED = "answered"
NO_DATA = "no_data"
AMBIGUOUS = "ambiguous"
NOT_UNDERSTOOD = "not_understood"


@dataclass
class Answer:
    question: str
    status: str
    intent: str
    text: str
    value: float | int | None = None
    unit: str | None = None
    # each: {agency, year, metric, applicant, value, unit, raw, label, source: {file, table, line, sentence?}}
    facts: list[dict[str, Any]] = field(default_factory=list)
    # each: {agency, year, file, line, snippet}
    sources: list[dict[str, Any]] = field(default_factory=list)
    # agency names (or other options) to choose from when status is ambiguous
    choices: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # figures behind the answer that another file for the same agency and year states differently
    # (index/duplicates.py conflicts): each {agency, year, metric, applicant, values: [{file, value, unit, …}]}
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    # example questions to offer (greeting, help, not_understood)
    suggestions: list[str] = field(default_factory=list)
    # a series a channel may draw: {"title", "unit", "kind": "line"|"bar", "series": [{"name", "points": [[x, y], ...]}]}
    chart: dict[str, Any] | None = None
    # what a follow-up question may reuse (agency, year, metric, applicant, intent)
    context: FollowUp = field(default_factory=FollowUp)

    def to_json(self) -> dict[str, Any]:
        """The contract of ../shared/eval/README.md plus a few extra keys."""
        data = asdict(self)
        data["answer"] = data.pop("text")
        data.pop("context")
        return data
