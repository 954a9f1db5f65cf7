"""Figures → one clear Chinese reply with its source. Wording lives in lexicon/replies.yaml."""

from __future__ import annotations

from functools import lru_cache

from bot.question.answer import ANSWERED, Answer
from bot.question.query import Figure
from bot.question.result import Line, Result
from index import catalogue
from index.catalogue import LEXICON, PROSE
from index.history import CHART
from index.ocr_fill import OCR, OCR_FILLED, OCR_UNSURE
from index.runs import RECOVERED
from index.yamlfile import read_yaml


@lru_cache(maxsize=1)
def replies() -> dict[str, str]:
    return read_yaml(LEXICON / "replies.yaml")


def say(key: str, **values) -> str:
    return replies()[key].format(**values)


def years_text(years) -> str:
    """2019年、2020年 (or 无)."""
    return listing([say("year_item", year=y) for y in years]) or replies()["none"]


def listing(items: list[str], limit: int | None = None) -> str:
    """Items joined as a Chinese list, with 等 when cut at limit."""
    shown = items if limit is None else items[:limit]
    more = replies()["list_etc"] if limit is not None and len(items) > limit else ""
    return replies()["list_sep"].join(shown) + more


def choices_text(choices: list[str]) -> str:
    return "\n".join(say("choice_item", choice=c) for c in choices)


def number_text(value: float | None, unit: str | None, raw: str = "") -> str:
    """A value as a journalist prints it: 42件, 745.94万元, +44项, 5400余条."""
    if value is None:
        return replies()["no_number"]
    if isinstance(value, float) and not value.is_integer():
        shown = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        shown = f"{int(value)}"
    if raw.strip().startswith("+"):
        shown = "+" + shown
    approx = next((mark for mark in replies()["approx_marks"] if mark in raw), "")
    return f"{shown}{approx}{unit or ''}"


def label_of(metric: str, applicant: str | None) -> tuple[str, str]:
    """(what the figure is, the applicant column in words)."""
    cat = catalogue.load()
    label = cat.label(metric)
    if metric.startswith("apply.") and applicant and applicant != "total":
        return label, f"（{cat.applicant_label(applicant)}）"
    return label, ""


def row_and_column(fig: Figure) -> tuple[str, str]:
    """The printed row and column a table figure sits in, in words."""
    cat = catalogue.load()
    metric = cat.metric(fig.metric)
    if metric is None:
        return cat.label(fig.metric), ""
    if fig.metric.startswith("apply."):
        return metric.row_label, cat.applicant_label(fig.applicant or "total")
    return metric.row_label, metric.column_label


def source_text(fig: Figure) -> str:
    return _source_text(fig) + (say("source_url", url=fig.url) if fig.url else "")


def _source_text(fig: Figure) -> str:
    if fig.table == PROSE:
        return say("source_prose", file=fig.file, line=fig.line, sentence=clip(fig.sentence, 90))
    if fig.table == CHART:
        return say("source_chart", file=fig.file, line=fig.line)
    row, column = row_and_column(fig)
    return say("source_table", file=fig.file, table=fig.table, line=fig.line, row=row, column=column)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def formula_text(fig: Figure) -> str:
    cat = catalogue.load()
    terms = []
    for part in fig.parts:
        name = cat.label(part.metric).split("·")[-1]
        if part.applicant not in (None, "total") and fig.applicant != part.applicant:
            name = cat.applicant_label(part.applicant)
        value = replies()["blank_term"] if part.value is None else number_text(part.value, "")
        terms.append(f"{name}{value}")
    return " + ".join(terms) + f" = {number_text(fig.value, fig.unit)}"


def figure_sentence(fig: Figure) -> str:
    """The figure in words: whose, which year, what, how much."""
    label, applicant_part = label_of(fig.metric, fig.applicant)
    if fig.is_sum:
        if fig.value is None:
            return say("lookup_blank", agency=fig.agency, year=fig.year, label=label, applicant_part=applicant_part,
                       kind_text=replies()["kind_all_blank"])
        return say("sum", agency=fig.agency, year=fig.year, label=label, applicant_part=applicant_part,
                   value_text=number_text(fig.value, fig.unit), formula=formula_text(fig))
    if fig.value is None:
        kind_text = replies().get(f"kind_{fig.kind}", replies()["kind_blank"])
        return say("lookup_blank", agency=fig.agency, year=fig.year, label=label, applicant_part=applicant_part,
                   kind_text=kind_text)
    return say("lookup", agency=fig.agency, year=fig.year, label=label, applicant_part=applicant_part,
               value_text=number_text(fig.value, fig.unit, fig.raw))


OCR_KINDS_SAID = (OCR_UNSURE, OCR_FILLED, OCR)


def figure_notes(fig: Figure) -> list[str]:
    notes = []
    if fig.blank_total:
        notes.append(replies()["note_blank_total"])
    if fig.table == PROSE:
        notes.append(replies()["note_prose"])
    if fig.approx:
        notes.append(say("note_approx", raw=fig.raw))
    if any(leaf.kind == RECOVERED for leaf in fig.parts or [fig]):
        notes.append(replies()["note_recovered"])
    # read from a picture (index.ocr_fill): the most doubtful kind among the figure's cells is said
    kinds = {leaf.kind for leaf in fig.parts or [fig]}
    for kind in OCR_KINDS_SAID:
        if kind in kinds:
            notes.append(replies()[f"note_{kind}"])
            break
    return notes


def sources_of(figs: list[Figure]) -> list[str]:
    out = []
    for fig in figs:
        for leaf in fig.parts or [fig]:
            if leaf.line is not None:
                out.append(source_text(leaf))
                break
    return out


def lookup_answer(question: str, intent: str, fig: Figure, notes: list[str], context: dict) -> Answer:
    lines = [figure_sentence(fig)] + ([] if not fig.is_sum else [_sum_sources(fig)])
    return render(question, Result(ANSWERED, intent, lines, figures=[fig], cited=[] if fig.is_sum else [fig],
                                   notes=figure_notes(fig) + notes, value=plain_value(fig.value),
                                   unit=fig.unit if fig.value is not None else None, context=context))


def _sum_sources(fig: Figure) -> str:
    lines = sorted({p.line for p in fig.parts if p.line})
    if not lines:
        return ""
    span = say("line_one", line=lines[0]) if len(lines) == 1 else say("line_span", first=lines[0], last=lines[-1])
    return say("source_sum", file=fig.file, table=fig.parts[0].table, lines=span) + (
        say("source_url", url=fig.url) if fig.url else "")


def plain_value(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def render(question: str, result: Result) -> Answer:
    """The one place a figures result becomes text: its lines, the sources cited, then its notes."""
    notes = [_said(n) for n in result.notes]
    lines = [_said(n) for n in result.lines] + sources_of(result.cited) + notes
    return Answer(question, result.status, result.intent, "\n".join(lines), value=result.value, unit=result.unit,
                  facts=[f.as_fact() for f in result.figures], notes=notes, chart=result.chart,
                  context=result.context)


def _said(item: Line | str) -> str:
    """A line to word, or one a helper of this module (figure_sentence, a note) has worded already."""
    return item if isinstance(item, str) else say(item.key, **item.values)
