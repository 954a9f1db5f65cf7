"""Intents that answer with figures: lookup, several at once, compare, rank, aggregate, trend, ratio.

Each returns a Result (its lines as wording keys, the figures, the sources to cite, notes) that
compose.render words once, or a problem Answer from resolve; each says honestly when the index has
no such figure, and what it does hold.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.question import compose, passages, resolve
from bot.question.agencies import AgencyIndex, read_agency
from bot.question.answer import ANSWERED, NO_DATA, NOT_UNDERSTOOD, Answer
from bot.question.query import Figure, Index
from bot.question.result import Result, line
from bot.question.understand import Parsed, lexicon
from index import catalogue
from index.catalogue import PROSE, TABLE_OLD
from index.history import CHART

Reply = Answer | Result


def lookup(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Reply:
    agency, problem = resolve.the_agency(question, p, ix)
    if problem:
        return problem
    years, note = resolve.years_for(agency, p, ix)
    if len(years) > 1:
        p.years = []
        return trend(question, p, ix, ag)
    year = years[0]
    if ix.report(agency, year) is None:
        return resolve.from_chart(question, p, ix, agency, year) or resolve.no_report(question, p, ix, agency, year)
    fig = None
    for metric in [p.metric, *p.alternatives]:
        fig = ix.figure(agency, year, metric, p.applicant)
        if fig is not None:
            p.metric = metric
            break
    if fig is None:
        return passages.answer(question, p, ix, agency, year) or resolve.no_figure(question, p, ix, agency, year)
    context = resolve.context_of(p, [agency], [year], "lookup")
    asked = _unit_asked(p.text)
    if fig.value is not None and asked and _unit_group(fig.unit) != _unit_group(asked):
        label, applicant_part = compose.label_of(fig.metric, fig.applicant)
        said = line("lookup_other_unit", agency=agency, year=year, label=label, applicant_part=applicant_part,
                    value_text=compose.number_text(fig.value, fig.unit, fig.raw), unit=asked)
        return Result(NO_DATA, "lookup", [said], figures=[fig], cited=[fig], context=context)
    if fig.table == PROSE:
        better = passages.outscores(question, p, ix, fig)
        if better:
            return better
        stated = ix.prose_statements(fig.report_id, fig.metric)
        if len({s.value for s in stated}) > 1:
            return _several_statements(question, stated, context)
    notes = ([note] if note else []) + resolve.check_notes(fig, ix) + resolve.prose_beside_blank(fig, ix) \
        + resolve.prose_differs(fig, ix, p.metric)
    return compose.lookup_answer(question, "lookup", fig, notes, context)


# units a question may ask in (lexicon/questions.yaml unit_groups); a figure kept in another group
# answers a different question (政府开放日 9场 is not the 524人次 invited)


def _unit_group(unit: str | None) -> str:
    return _unit_groups().get(unit or "", "count")


@lru_cache(maxsize=1)
def _unit_groups() -> dict[str, str]:
    return {unit: group for group, units in lexicon()["unit_groups"].items() for unit in units}


def _unit_asked(text: str) -> str | None:
    """The unit a question asks its number in: after 多少 (多少人次), or a unit that says so alone (万元)."""
    spec = lexicon()["units_asked"]
    after = next((u for u in sorted(_unit_groups(), key=len, reverse=True) if spec["ask_word"] + u in text), None)
    return after or next((u for u in spec["alone"] if u in text), None)


def _around(sentence: str, raw: str, width: int = 50) -> str:
    """The part of a long sentence where the figure is printed."""
    compact = sentence.replace(" ", "")
    at = compact.find(raw)
    if at < 0 or len(compact) <= width:
        return compose.clip(compact, width)
    start = max(0, at + len(raw) - width)
    return ("…" if start else "") + compact[start : at + len(raw)] + ("…" if at + len(raw) < len(compact) else "")


def _several_statements(question: str, stated: list[Figure], context: dict) -> Result:
    """The text gives different figures for one thing (网站发布信息230余条 … 共发布信息4895条): show each, pick none."""
    first = stated[0]
    label, _ = compose.label_of(first.metric, first.applicant)
    lines = [line("statements_several", agency=first.agency, year=first.year, label=label, count=len(stated))]
    lines += [line("passage_item", value_text=compose.number_text(s.value, s.unit, s.raw), line=s.line,
                   clause=_around(s.sentence, s.raw)) for s in stated]
    return Result(ANSWERED, "lookup", lines, figures=stated, context=context)


def compare(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Reply:
    if p.compared:
        return _compare_metrics(question, p, ix)
    names, problem = resolve.resolve_agencies(question, p)
    if problem:
        return problem
    pairs: list[tuple[str, int]] = []
    if len(names) >= 2 and len(p.years) == len(names):
        pairs = list(zip(names, p.years, strict=True))  # 高区2023年和文登区2020年: each its own year, in order
    elif len(names) >= 2:
        for name in names:
            years, _ = resolve.years_for(name, p, ix)
            pairs.extend((name, y) for y in (years[-1:] if not p.years else years[:1]))
    elif names:
        pairs = [(names[0], y) for y in p.years]
    else:
        agency, problem = resolve.no_agency_named(question, p, ix)
        if problem:
            return problem
        pairs = [(agency, y) for y in (p.years or ix.years_of(agency)[-1:])]
    figs, missing = [], []
    for name, year in pairs:
        fig = ix.figure(name, year, p.metric, p.applicant) or _from_chart(ix, name, year, p)
        if fig and fig.value is not None:
            figs.append(fig)
        else:
            missing.append(compose.say("agency_year", agency=name, year=year))
    if not figs:
        return Result(NO_DATA, "compare", [line("compare_none", missing=compose.listing(missing))])
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    lines = [line("compare_head", label=label, applicant_part=applicant_part)]
    lines += [line("compare_item", agency=f.agency, year=f.year, value_text=compose.number_text(f.value, f.unit))
              for f in figs]
    value = None
    if len(figs) == 2 and figs[0].unit == figs[1].unit:
        diff = figs[0].value - figs[1].value
        if "difference" in p.cues or "change" in p.cues:
            value = compose.plain_value(abs(diff))  # 比工信局多多少: the difference is the number asked for
        if diff:
            more, less = (figs[0], figs[1]) if diff > 0 else (figs[1], figs[0])
            lines.append(line("compare_more", more=more.agency, more_year=more.year, less=less.agency,
                              less_year=less.year, diff=compose.number_text(abs(diff), figs[0].unit)))
        else:
            lines.append(line("compare_same"))
    if missing:
        lines.append(line("compare_missing", missing=compose.listing(missing)))
    lines += _chart_notes(figs, ix) + _assumed(p)
    # one figure left is no comparison: the figure is shown, the comparison asked for is not there
    return Result(ANSWERED if len(figs) >= 2 else NO_DATA, "compare", lines, figures=figs, cited=figs, value=value,
                  unit=figs[0].unit if value is not None else None,
                  chart=_chart(label, figs, by="agency" if len(names) >= 2 else "year"),
                  context=resolve.context_of(p, names, p.years, "compare"))


def _compare_metrics(question: str, p: Parsed, ix: Index) -> Reply:
    """Two figures of one report (予以公开比不予公开多多少): each with its source, and the difference."""
    agency, year, note, problem = resolve.one_report(question, p, ix)
    if problem:
        return problem
    figs = [ix.figure(agency, year, m, p.applicant) for m in p.compared]
    labels = [_term_of(m, p.applicant) for m in p.compared]
    context = resolve.context_of(p, [agency], [year], "lookup")
    if any(f is None or f.value is None for f in figs):
        missing = compose.listing([label for label, f in zip(labels, figs, strict=True) if f is None or f.value is None])
        return Result(NO_DATA, "compare", [line("compare_metrics_missing", agency=agency, year=year, labels=missing)],
                      context=context)
    first, second = figs
    lines = [compose.figure_sentence(f) for f in figs]
    value = None
    if _unit_group(first.unit) == _unit_group(second.unit):
        diff = first.value - second.value
        key = "compare_metrics_more" if diff > 0 else "compare_metrics_less" if diff < 0 else "compare_metrics_same"
        lines.append(line(key, first=labels[0], second=labels[1], diff=compose.number_text(abs(diff), first.unit)))
        value = compose.plain_value(abs(diff)) if "difference" in p.cues else None
    if note:
        lines.append(note)
    return Result(ANSWERED, "compare", lines, figures=figs, cited=figs, value=value,
                  unit=first.unit if value is not None else None, context=context)


def _term_of(metric: str, applicant: str | None) -> str:
    label, applicant_part = compose.label_of(metric, applicant)
    return label.split("·")[-1] + applicant_part


def rank(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Reply:
    if "by_applicant" in p.cues and len(p.agencies) == 1 and (p.metric or "").startswith("apply."):
        return _rank_applicants(question, p, ix)
    if p.ratio:
        return _rank_rates(question, p, ix)
    answer = _rank_agencies(question, p, ix)
    if p.top > 1:
        answer.value = answer.unit = None  # 前3 asks for three, not one number
    return answer


def _rank_agencies(question: str, p: Parsed, ix: Index) -> Reply:
    year = p.years[0] if p.years else None
    if year is not None and year not in ix.years:
        return Result(NO_DATA, "rank", [line("no_year", year=year, years=compose.years_text(ix.years))])
    among = _ranked_among(p, ix)
    figs = [f for f in ix.across_agencies(year, p.metric, p.applicant, p.region, latest_only=year is None)
            if f.value is not None and (among is None or f.agency in among)]
    scope = compose.say("year_item", year=year) if year else ""
    if not figs:
        return Result(NO_DATA, "rank", [line("rank_none", scope=scope, label=catalogue.load().label(p.metric))])
    figs.sort(key=lambda f: f.value, reverse=p.direction == "most")
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    word = compose.say("rank_most" if p.direction == "most" else "rank_least")
    top = figs[0]
    ties = [f for f in figs if f.value == top.value]
    lines = [line("rank_head", scope=scope, label=label, applicant_part=applicant_part, word=word,
                  names=compose.listing([f.agency for f in ties]), value_text=compose.number_text(top.value, top.unit))]
    if p.top > 1:
        # 前3 / 倒数前3: those first, then the rest of the list below; a tie at the cut stays in
        cut = min(p.top, len(figs))
        while cut < len(figs) and figs[cut].value == figs[cut - 1].value:
            cut += 1
        lines = [compose.say("rank_top" if len(figs) >= p.top else "rank_top_fewer", scope=scope, label=label,
                             applicant_part=applicant_part, word=word, top=p.top,
                             count=min(p.top, len(figs)), names=compose.listing([
                                 compose.say("name_value", name=f.agency, value_text=compose.number_text(f.value, f.unit))
                                 for f in figs[:cut]]))
                 + (compose.say("rank_tie") if cut > p.top else "")]
    # rankings add up groups in SQL; the rows shown get their full figure, formula and source
    shown = [ix.figure(f.agency, f.year, f.metric, p.applicant) or f for f in figs[: max(p.top, min(len(figs), 10))]]
    lines.append(line("rank_list", count=len(figs), items=compose.say("item_sep").join(
        compose.say("rank_item", n=i, agency=f.agency, year_part=_year_part(f, year),
                    value_text=compose.number_text(f.value, f.unit))
        for i, f in enumerate(shown, 1))))
    if among is not None:
        lines.append(line("rank_among", span=compose.listing([s.span for s in p.agencies] or [p.place_kind]),
                          count=len(figs)))
    if not p.years:
        lines.append(line("rank_latest_year"))
    return Result(ANSWERED, "rank", lines, figures=shown, cited=shown[:1], value=compose.plain_value(top.value),
                  unit=top.unit, chart=_chart(label, shown, by="agency"),
                  context=resolve.context_of(p, [], p.years, "rank"))  # a follow-up ranks again


def _ranked_among(p: Parsed, ix: Index) -> set[str] | None:
    """What a ranking compares (None: every agency). 哪个统计局: the agencies the name fits, and a name that
    fits several is ranked among them however it is asked; 哪个街道: the own governments of that kind of place."""
    among = {agency for spot in p.agencies for agency in spot.agencies}
    if p.place_kind:
        suffixes = tuple(lexicon()["rank_among"]["place_kinds"][p.place_kind])
        kind = {r["agency"] for r in ix.reports if r["agency"] and _own_government_of(r["agency"], suffixes)}
        return among & kind if among else kind
    return among if len(among) >= 2 or among and p.among else None


def _own_government_of(agency: str, suffixes: tuple[str, ...]) -> bool:
    """The agency is the own government (人民政府, 办事处) of a place whose name ends with one of the suffixes."""
    return any(not r.body and r.chain and r.chain[-1].level != "zone" and r.chain[-1].forms[0].endswith(suffixes)
               for r in read_agency(agency))


def _year_part(fig: Figure, year: int | None) -> str:
    """（2023年） after an agency ranked by its newest report; nothing when the question named the year."""
    return "" if year else compose.say("year_paren", year=fig.year)


def _rank_rates(question: str, p: Parsed, ix: Index) -> Reply:
    """Reports ranked by a named rate (哪个单位公开率最高): each agency's newest report, or the year asked."""
    spec = lexicon()["ratios"][p.ratio]
    year = p.years[0] if p.years else None
    rates = []
    for bottom in ix.across_agencies(year, spec["denominator"], p.applicant, p.region, latest_only=year is None):
        tops = [ix.figure(bottom.agency, bottom.year, m, p.applicant) for m in spec["numerator"]]
        if bottom.value and all(f is not None and f.value is not None for f in tops):
            rates.append((round(100 * sum(f.value for f in tops) / bottom.value, 1), bottom, tops))
    if not rates:
        return Result(NO_DATA, "rank", [line("rank_rate_none", name=spec["label"])])
    rates.sort(key=lambda r: r[0], reverse=p.direction == "most")
    cut = min(max(p.top, 1), len(rates))
    while cut < len(rates) and rates[cut][0] == rates[cut - 1][0]:
        cut += 1
    word = compose.say("rank_highest" if p.direction == "most" else "rank_lowest")
    lines = [line("rank_rate", name=spec["label"], word=word, names=compose.listing([
        compose.say("rank_rate_name", agency=b.agency, year_part=_year_part(b, year), rate=rate)
        for rate, b, _ in rates[:cut]]))]
    lines.append(line("rank_rate_each", count=len(rates), each=compose.say("item_sep").join(
        compose.say("rank_rate_item", agency=b.agency, year=b.year, rate=rate,
                    top=" + ".join(compose.number_text(f.value, "") for f in tops),
                    bottom=compose.number_text(b.value, ""))
        for rate, b, tops in rates[:10])))
    left_out = len({r["agency"] for r in ix.in_region(p.region) if year is None or r["year"] == year}) - len(rates)
    if left_out > 0:
        lines.append(line("rank_rate_left_out", count=left_out))
    best = rates[0]
    return Result(ANSWERED, "rank", lines, figures=[f for _, b, tops in rates[:cut] for f in [*tops, b]],
                  value=best[0] if p.top <= 1 else None, unit="%" if p.top <= 1 else None,
                  context=resolve.context_of(p, [], p.years, "rank"))


def _rank_applicants(question: str, p: Parsed, ix: Index) -> Reply:
    """The kinds of applicant of one report's row, most (or least) first (文登区2020年哪类申请人最多)."""
    agency, year, note, problem = resolve.one_report(question, p, ix)
    if problem:
        return problem
    cat = catalogue.load()
    figs = [f for a in cat.applicants if a != "total"
            for f in [ix.figure(agency, year, p.metric, a)] if f is not None and f.value is not None]
    if not figs:
        return resolve.no_figure(question, p, ix, agency, year)
    figs.sort(key=lambda f: f.value, reverse=p.direction == "most")
    top = [f for f in figs if f.value == figs[0].value]
    label, _ = compose.label_of(p.metric, None)
    lines = [line("rank_applicants", agency=agency, year=year, label=label,
                  word=compose.say("rank_most" if p.direction == "most" else "rank_least"),
                  names=compose.listing([cat.applicant_label(f.applicant) for f in top]),
                  value=compose.number_text(top[0].value, top[0].unit),
                  each=compose.listing([compose.say("label_value", label=cat.applicant_label(f.applicant),
                                                    value_text=compose.number_text(f.value, f.unit)) for f in figs]))]
    if note:
        lines.append(note)
    return Result(ANSWERED, "rank", lines, figures=figs, cited=top[:1], value=compose.plain_value(top[0].value),
                  unit=top[0].unit, context=resolve.context_of(p, [agency], [year], "lookup"))


def aggregate(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Reply:
    years = p.years or [None]
    names = [a for s in p.agencies for a in s.agencies] if p.agencies else None
    figs = []
    for year in years:
        figs += [f for f in ix.across_agencies(year, p.metric, p.applicant, p.region)
                 if f.value is not None and (names is None or f.agency in names)]
    if not figs:
        return Result(NO_DATA, "aggregate", [line("aggregate_none")])
    groups = {_unit_group(f.unit) for f in figs}
    if len(groups) > 1:
        return Result(NO_DATA, "aggregate", [line("aggregate_units", items=compose.listing([
            compose.say("label_value", label=f.agency, value_text=compose.number_text(f.value, f.unit))
            for f in figs[:resolve.MAX_LISTED]]))])
    units = lexicon()["sum_units"]
    if groups == {"money"} and len({f.unit for f in figs}) > 1:
        total, unit = sum(f.in_yuan() for f in figs), units["money"]  # 万元 and 元 add up in 元
    else:
        # counts in 件, 起 or 宗 are the same kind of thing: added up and said in 件
        total, unit = sum(f.value for f in figs), figs[0].unit if len({f.unit for f in figs}) == 1 else units["count"]
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    scope = compose.listing([compose.say("year_item", year=y) for y in years if y]) or compose.say("all_years")
    formula = " + ".join(compose.say("label_value", label=f.agency + ("" if p.years else compose.say(
        "year_item", year=f.year)), value_text=compose.number_text(f.value, f.unit)) for f in figs[:resolve.MAX_LISTED])
    more = compose.say("formula_etc") if len(figs) > resolve.MAX_LISTED else ""
    said = line("aggregate", scope=scope, count=len(figs), label=label, applicant_part=applicant_part,
                value_text=compose.number_text(total, unit), formula=formula + more)
    return Result(ANSWERED, "aggregate", [said], figures=figs, value=compose.plain_value(total), unit=unit,
                  context=resolve.context_of(p, [], p.years, "aggregate"))


def trend(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Reply:
    agency, problem = resolve.the_agency(question, p, ix)
    if problem:
        return problem
    series = ix.series(agency, p.metric, p.applicant)
    missing_years = [y for y in p.years if y not in {f.year for f in series}]
    span = _year_span(question, p.years)
    if span:  # 2011到2025年: every year between
        series = [f for f in series if span[0] <= f.year <= span[1]] or series
        missing_years = []
    elif p.years:
        series = [f for f in series if f.year in p.years] or series
    if not series:
        return Result(NO_DATA, "trend", [line("trend_none", agency=agency, label=catalogue.load().label(p.metric),
                                              years=compose.years_text(ix.years_of(agency)))])
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    marks = {CHART: compose.say("mark_chart"), PROSE: compose.say("mark_prose")}
    items = [compose.say("trend_item", year=f.year, mark=marks.get(f.table, ""),
                         value_text=compose.number_text(f.value, f.unit) if f.value is not None
                         else compose.say("kind_blank")) for f in series]
    lines = [line("trend", agency=agency, label=label, applicant_part=applicant_part, items=compose.listing(items))]
    numbered = [f for f in series if f.value is not None]
    old_rows = [f for f in series if f.table == TABLE_OLD]
    changed = any(not catalogue.load().metrics[f.metric].same for f in old_rows)
    if len(numbered) >= 2 and not changed:  # no first-to-last difference across a change of definition
        first, last = numbered[0], numbered[-1]
        change = last.value - first.value
        lines.append(line("trend_change", first=first.year, last=last.year,
                          direction=compose.say("trend_up" if change >= 0 else "trend_down"),
                          diff=compose.number_text(abs(change), last.unit)))
    if old_rows:
        lines.extend(_old_table_notes(old_rows, series))
    if any(f.table == CHART for f in series):
        lines.append(line("note_trend_chart"))
    notes = [line("trend_missing", agency=agency, years=compose.years_text(missing_years))] if missing_years else []
    # one year of a question about several is no answer to it (比2022年多了多少 with no 2022)
    value = compose.plain_value(series[0].value) if len(series) == 1 and len(p.years) <= 1 else None
    return Result(ANSWERED, "trend", lines, figures=series, cited=series[-1:], notes=notes, value=value,
                  unit=series[0].unit if value is not None else None, chart=_chart(label, series, by="year"),
                  context=resolve.context_of(p, [agency], [], "trend"))


def _year_span(question: str, years: list[int]) -> tuple[int, int] | None:
    """Two years joined by a range word (2011到2025年, 2011—2025): the years from one to the other."""
    if len(years) != 2:
        return None
    words = "|".join(re.escape(w) for w in lexicon()["year_range_words"])
    year_word = re.escape(lexicon()["year_word"])
    first, last = sorted(years)
    return (first, last) if re.search(rf"{first}\s*(?:{year_word})?\s*(?:{words})\s*{last}", question) else None


def _old_table_notes(old_rows: list[Figure], series: list[Figure]) -> list:
    """Which years come from the pre-2019 statistics table, and whether its row means what the new one does."""
    cat = catalogue.load()
    first = old_rows[0]
    newer = [f for f in series if f.table != TABLE_OLD and f.year > old_rows[-1].year]
    values = {"years": compose.years_text([f.year for f in old_rows]), "old_label": cat.label(first.metric),
              "label": cat.label(cat.metrics[first.metric].series),
              "first_new": newer[0].year if newer else old_rows[-1].year + 1}
    same = all(cat.metrics[f.metric].same for f in old_rows)
    return [line("note_old_table", **values), line("note_old_same" if same else "note_old_changed", **values)]


def change(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Reply:
    """One year against the year before: from the year's and the previous year's reports, else a report's own chart."""
    agency, problem = resolve.the_agency(question, p, ix)
    if problem:
        return problem
    series = {f.year: f for f in ix.series(agency, p.metric, p.applicant)}
    years = p.years or [y for y in ix.years_of(agency) if y in series][-1:] or ix.years_of(agency)[-1:]
    year = years[0]
    now = ix.figure(agency, year, p.metric, p.applicant) or series.get(year)
    if now is None:
        if ix.report(agency, year) is None:
            return resolve.no_report(question, p, ix, agency, year)
        return resolve.no_figure(question, p, ix, agency, year)
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    context = resolve.context_of(p, [agency], [year], "change")
    before = ix.figure(agency, year - 1, p.metric, p.applicant) or series.get(year - 1)
    now_text = compose.number_text(now.value, now.unit, now.raw) if now.value is not None else compose.say("kind_blank")
    if before is None or before.value is None or now.value is None:
        said = line("change_no_before", agency=agency, year=year, label=label, applicant_part=applicant_part,
                    now_text=now_text, before_year=year - 1)
        return Result(NO_DATA, "change", [said, *_chart_notes([now], ix), *_assumed(p)], figures=[now], cited=[now],
                      context=context)
    diff = now.value - before.value
    direction = compose.say("change_up" if diff > 0 else "change_down" if diff < 0 else "change_same")
    percent = (compose.say("change_percent", percent=f"{100 * diff / before.value:+.1f}")
               if diff and before.value else "")
    said = line("change", agency=agency, year=year, label=label, applicant_part=applicant_part,
                now_text=now_text, before_year=year - 1,
                before_text=compose.number_text(before.value, before.unit, before.raw), direction=direction,
                diff_text=compose.number_text(abs(diff), now.unit) if diff else "", percent=percent)
    return Result(ANSWERED, "change", [said, *_chart_notes([before, now], ix), *_assumed(p)],
                  figures=[before, now], cited=[before, now], value=compose.plain_value(diff), unit=now.unit,
                  chart=_chart(label, [before, now], by="year"), context=context)


def _from_chart(ix: Index, agency: str, year: int, p: Parsed) -> Figure | None:
    """A year no report of the agency covers, as a later report's own chart gives it."""
    return next((f for f in ix.series(agency, p.metric, p.applicant) if f.year == year), None)


def _chart_notes(figs: list[Figure], ix: Index) -> list:
    notes = []
    for f in figs:
        if f.table == CHART and ix.report(f.agency, f.year) is None:
            source = next((r["year"] for r in ix.by_agency.get(f.agency, []) if r["id"] == f.report_id), "")
            notes.append(line("note_chart_year_from", year=f.year, agency=f.agency, report_year=source))
    return notes


def _assumed(p: Parsed) -> list:
    return [line("note_assumed_metric", label=compose.label_of(p.metric, None)[0])] if p.assumed_metric else []


def ratio(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Reply:
    agency, year, note, problem = resolve.one_report(question, p, ix)
    if problem:
        return problem
    cat = catalogue.load()
    if p.ratio:
        spec = lexicon()["ratios"][p.ratio]
        name, tops = spec["label"], [ix.figure(agency, year, m, p.applicant) for m in spec["numerator"]]
        bottom = ix.figure(agency, year, spec["denominator"], p.applicant)
    else:
        top_key, bottom_key = share_of(p.metric, p.applicant)
        if bottom_key is None:
            return Result(NOT_UNDERSTOOD, "ratio", [line("ratio_no_rule", label=cat.label(p.metric))])
        tops = [ix.figure(agency, year, *top_key)]
        bottom = ix.figure(agency, year, *bottom_key)
        name = compose.say("ratio_share", top="".join(compose.label_of(*top_key)),
                           bottom="".join(compose.label_of(*bottom_key)))
    if any(f is None or f.value is None for f in tops) or bottom is None or bottom.value is None:
        return Result(NO_DATA, "ratio", [line("ratio_missing", agency=agency, year=year, name=name)])
    formula = " + ".join(f"{_term(f)}{compose.number_text(f.value, '')}" for f in tops)
    if not bottom.value:
        return Result(NO_DATA, "ratio", [line("ratio_zero", agency=agency, year=year, bottom=_term(bottom), name=name)],
                      figures=[*tops, bottom])
    value = round(100 * sum(f.value for f in tops) / bottom.value, 1)
    lines = [line("ratio", agency=agency, year=year, name=name, value=value),
             line("ratio_formula", formula=formula, bottom=_term(bottom),
                  bottom_value=compose.number_text(bottom.value, ""))]
    if note:
        lines.append(note)
    lines += _assumed(p)
    return Result(ANSWERED, "ratio", lines, figures=[*tops, bottom], cited=[bottom], value=value, unit="%",
                  context=resolve.context_of(p, [agency], [year], "ratio"))


def _term(fig: Figure) -> str:
    label, applicant_part = compose.label_of(fig.metric, fig.applicant)
    return label.split("·")[-1] + applicant_part


def share_of(metric: str, applicant: str | None) -> tuple[tuple, tuple | None]:
    """A share's numerator and denominator: an applicant's part of a row, or a row's part of its total."""
    if applicant and applicant != "total":
        return (metric, applicant), (metric, "total")
    if metric.startswith("apply.") and metric not in ("apply.new", "apply.carried_over", "apply.total",
                                                      "apply.carried_forward"):
        return (metric, "total"), ("apply.total", "total")
    if metric.startswith(("review.", "litigation.")) and not metric.endswith(".total"):
        return (metric, None), (metric.rsplit(".", 1)[0] + ".total", None)
    return (metric, applicant), None


def multi(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Reply:
    """Several figures of one report at once (行政复议和行政诉讼各多少)."""
    agency, year, note, problem = resolve.one_report(question, p, ix)
    if problem:
        return problem
    figs, lines, missing = [], [], []
    for metric in p.metrics:
        fig = ix.figure(agency, year, metric, p.applicant)
        if fig is None:
            missing.append(catalogue.load().label(metric))
            continue
        figs.append(fig)
        lines.append(compose.figure_sentence(fig))
    if not figs:
        return resolve.no_figure(question, p, ix, agency, year)
    if missing:
        lines.append(line("multi_missing", labels=compose.listing(missing)))
    value = unit = None
    numbers = [f for f in figs if f.value is not None]
    if "sum" in p.cues and not missing and len(numbers) == len(figs) and len({_unit_group(f.unit) for f in figs}) == 1:
        # 上年结转加本年新收一共多少: the sum is the number asked for, and the reply shows it
        value, unit = compose.plain_value(sum(f.value for f in figs)), figs[0].unit
        terms = " + ".join(f"{_term(f)}{compose.number_text(f.value, '')}" for f in figs)
        lines.append(line("multi_sum", terms=terms, value_text=compose.number_text(value, unit)))
    if note:
        lines.append(note)
    return Result(ANSWERED, "multi", lines, figures=figs, cited=figs, value=value, unit=unit,
                  context=resolve.context_of(p, [agency], [year], "lookup"))


def _chart(label: str, figs: list[Figure], by: str) -> dict | None:
    points = [f for f in figs if f.value is not None]
    if len(points) < 2:
        return None
    if by == "year":
        series = [{"name": points[0].agency, "points": [[f.year, compose.plain_value(f.value)] for f in points]}]
        return {"title": f"{points[0].agency} {label}", "unit": points[0].unit, "kind": "line", "series": series}
    series = [{"name": label, "points": [[f"{f.agency}{f.year}", compose.plain_value(f.value)] for f in points]}]
    return {"title": label, "unit": points[0].unit, "kind": "bar", "series": series}
