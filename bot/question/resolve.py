"""What every intent needs first: the agency and year a question is about, or why not.

Ambiguous names ask back, unknown places and missing years say what the index
does hold; notes flag failed checks and prose beside blank cells.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bot.question import compose, followup
from bot.question.agencies import Spotted, near_names
from bot.question.answer import AMBIGUOUS, NO_DATA, Answer
from bot.question.followup import FollowUp
from bot.question.query import Figure, Index
from bot.question.understand import Parsed
from index import catalogue
from index.catalogue import OLD_FORMAT, PROSE

MAX_LISTED = 30


context_spot = followup.spot


def context_of(p: Parsed, agencies: list[str], years: list[int], intent: str) -> FollowUp:
    return FollowUp(p.text, list(agencies), list(years), p.metric, p.applicant, intent, ratio=p.ratio,
                    direction=p.direction if intent == "rank" else "")


def ambiguous(question: str, p: Parsed, spot: Spotted) -> Answer:
    text = compose.say("ambiguous_agency", name=spot.span)
    return Answer(question, AMBIGUOUS, p.intent, text + "\n" + compose.choices_text(spot.agencies),
                  choices=list(spot.agencies), context=context_of(p, [], p.years, p.intent))


def resolve_agencies(question: str, p: Parsed) -> tuple[list[str], Answer | None]:
    """One rule for every name: one agency fits → it; several → ask which."""
    names = []
    for spot in p.agencies:
        if len(spot.agencies) > 1:
            return [], ambiguous(question, p, spot)
        names.append(spot.agencies[0])
    return list(dict.fromkeys(names)), None


def assumed_notes(p: Parsed, text: str) -> list[str]:
    """Say which agency a short name was taken for (“平阳”按平阳县人民政府回答), unless the reply names it."""
    return [compose.say("assumed_agency", name=s.span, agency=s.agencies[0])
            for s in p.agencies if len(s.agencies) == 1 and s.span and s.span != s.agencies[0]
            and s.agencies[0] not in text]


def the_agency(question: str, p: Parsed, ix: Index) -> tuple[str, Answer | None]:
    """The one agency a question is about, or the answer that asks or says there is none."""
    names, problem = resolve_agencies(question, p)
    if problem:
        return "", problem
    if names:
        return names[0], None
    return no_agency_named(question, p, ix)


@dataclass
class Report:
    """The one report a question is about, with what was assumed to find it (the only year it has)."""

    agency: str
    year: int
    notes: list[str] = field(default_factory=list)


def report_of(question: str, p: Parsed, ix: Index) -> Report | Answer:
    """The report a question is about, or the answer that asks which or says there is none."""
    agency, problem = the_agency(question, p, ix)
    if problem:
        return problem
    years, note = years_for(agency, p, ix)
    if ix.report(agency, years[-1]) is None:
        return no_report(question, p, ix, agency, years[-1])
    return Report(agency, years[-1], [note] if note else [])


def one_report(question: str, p: Parsed, ix: Index) -> tuple[str, int, str, Answer | None]:
    """(agency, year, note, problem): report_of as a tuple, for the intents written before it."""
    found = report_of(question, p, ix)
    if isinstance(found, Answer):
        return "", 0, "", found
    return found.agency, found.year, "".join(found.notes), None


def years_for(agency: str, p: Parsed, ix: Index) -> tuple[list[int], str]:
    """The years to answer for, and a note when the question named none."""
    if p.years:
        return p.years, ""
    years = ix.years_of(agency)
    if len(years) == 1:
        return years, compose.say("note_only_year", agency=agency, year=years[0])
    return years, ""


def no_report(question: str, p: Parsed, ix: Index, agency: str, year: int) -> Answer:
    years = compose.years_text(ix.years_of(agency))
    return Answer(question, NO_DATA, p.intent, compose.say("no_report_agency_year", agency=agency, year=year,
                                                           years=years),
                  context=context_of(p, [agency], [year], p.intent))


def from_chart(question: str, p: Parsed, ix: Index, agency: str, year: int) -> Answer | None:
    """A year with no report, answered from a later report's chart of past years, saying so."""
    fig = ix.chart_figure(agency, year, p.metric or "", p.applicant)
    if fig is None:
        return None
    note = compose.say("note_from_chart", agency=agency, year=year, report_year=ix.report_year(fig.report_id))
    return compose.lookup_answer(question, "lookup", fig, [note], context_of(p, [agency], [year], "lookup"))


def no_figure(question: str, p: Parsed, ix: Index, agency: str, year: int) -> Answer:
    report = ix.report(agency, year)
    missing = json.loads(report["missing_tables"] or "[]") if report else []
    table = table_of(p.metric)
    reason = compose.say("reason_missing_table", table=table) if table and table in missing else (
        compose.say("reason_no_tables") if report and report["format"] == "none" else
        compose.say("reason_old_table") if report and report["format"] == OLD_FORMAT else "")
    label = catalogue.load().label(p.metric)
    return Answer(question, NO_DATA, p.intent, compose.say("no_figure", agency=agency, year=year, label=label,
                                                           reason=reason),
                  context=context_of(p, [agency], [year], p.intent))


def table_of(metric: str | None) -> str:
    """The national table a metric (or a group of metrics) is printed in, as the catalogue names it."""
    cat = catalogue.load()
    if metric in cat.groups:
        metric = cat.groups[metric].parts[0]
    found = cat.metric(metric) if metric else None
    return found.table if found else ""


def unknown_agency(question: str, p: Parsed, ix: Index) -> Answer:
    """No indexed agency fits the name: say so, with the agencies near it (or what the index holds)."""
    name = p.unknown_place or question
    near = near_names(name, ix.agencies)
    # the metric and year stay for a follow-up (那2020年呢), the unknown name does not
    context = context_of(p, [], p.years, p.intent)
    if near:
        return Answer(question, NO_DATA, p.intent or "lookup",
                      compose.say("no_agency_near", name=name, agencies="、".join(near)), choices=[], context=context)
    listed = compose.listing(ix.agencies, MAX_LISTED)
    return Answer(question, NO_DATA, p.intent or "lookup", compose.say("no_agency", name=name, agencies=listed),
                  context=context)


def no_agency_named(question: str, p: Parsed, ix: Index) -> tuple[str, Answer | None]:
    """A question naming no agency asks which one, even when one fits: a province or a city is
    not the one report the index holds for it (江苏省 is not 淮安市人民政府)."""
    if p.unknown_place:
        return "", unknown_agency(question, p, ix)
    years = p.years or ix.years
    choices = list(dict.fromkeys(r["agency"] for r in ix.in_region(p.region) if r["year"] in years))
    if p.years and not choices and p.region and ix.in_region(p.region):
        held = [compose.say("agency_year", agency=r["agency"], year=r["year"]) for r in ix.in_region(p.region)]
        return "", Answer(question, NO_DATA, p.intent, compose.say(
            "no_region_year", region=p.region[1], years=compose.years_text(p.years),
            held=compose.listing(held, MAX_LISTED)), context=context_of(p, [], p.years, p.intent))
    if p.years and not choices:
        return "", Answer(question, NO_DATA, p.intent, compose.say("no_year", year=p.years[0],
                                                                   years=compose.years_text(ix.years)))
    if not choices:
        return "", unknown_agency(question, p, ix)
    text = compose.say("ask_in_region", region=p.region[1]) if p.region else compose.say("ask_agency")
    return "", Answer(question, AMBIGUOUS, p.intent,
                      text + "\n" + compose.choices_text(choices[:MAX_LISTED]),
                      choices=choices[:MAX_LISTED], context=context_of(p, [], p.years, p.intent))


def check_notes(fig: Figure, ix: Index) -> list[str]:
    if fig.report_id is None:
        return []
    notes = []
    for check in ix.failed_checks_for(fig.report_id, fig.metric)[:2]:
        detail = f"{plain(check['expected'])} ≠ {plain(check['actual'])}" if check["expected"] is not None else ""
        notes.append(compose.say("note_check_failed", check=check["name"], detail=detail))
    return notes


def plain(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def prose_differs(fig: Figure, ix: Index, asked: str) -> list[str]:
    """A table figure the report's own text states otherwise (表 739条, 正文 “公开政府信息1913条”): the table is
    answered, and the text is quoted so that nobody prints one without knowing of the other. Only when no
    statement of the text agrees with the table: a text giving a total and its parts agrees by its total."""
    if fig.table == PROSE or fig.value is None or fig.report_id is None:
        return []
    stated = [s for metric in dict.fromkeys((asked, fig.metric)) for s in ix.prose_statements(fig.report_id, metric)
              if s.year == fig.year and s.applicant in (None, "total", fig.applicant)]
    if not stated or any(s.value == fig.value for s in stated):
        return []
    said = [compose.say("quoted_at", text=s.raw, line=s.line) for s in stated[:3]]
    return [compose.say("note_prose_differs", said=compose.listing(said), more="" if len(stated) <= 3 else
                        compose.say("and_more", count=len(stated) - 3))]


def prose_beside_blank(fig: Figure, ix: Index) -> list[str]:
    """A blank table cell whose figure the text states (未发生行政复议): quote the text too."""
    if fig.value is not None or fig.is_sum or fig.report_id is None:
        return []
    report = next((r for r in ix.reports if r["id"] == fig.report_id), None)
    prose = ix.prose_figure(report, fig.metric) if report else None
    if prose is None:
        return []
    return [compose.say("note_prose_beside_blank", sentence=compose.clip(prose.sentence, 80), line=prose.line)]
