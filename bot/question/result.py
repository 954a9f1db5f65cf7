"""What an intent found, before any wording: lines as wording keys with their values, the figures
behind them, the figures whose sources are cited. compose.render turns it into the Answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.question.followup import FollowUp
from bot.question.query import Figure


@dataclass(frozen=True)
class Line:
    """One line of a reply: a key of lexicon/replies.yaml and the values its placeholders take."""

    key: str
    values: dict = field(default_factory=dict)


def line(key: str, **values) -> Line:
    return Line(key, values)


@dataclass
class Result:
    status: str
    intent: str
    lines: list[Line | str]  # a str is a line compose has worded already (figure_sentence)
    figures: list[Figure] = field(default_factory=list)  # the facts the answer gives
    cited: list[Figure] = field(default_factory=list)  # whose source lines follow the text
    notes: list[Line | str] = field(default_factory=list)  # after the sources, also in Answer.notes
    value: float | int | None = None
    unit: str | None = None
    chart: dict | None = None
    context: FollowUp = field(default_factory=FollowUp)
