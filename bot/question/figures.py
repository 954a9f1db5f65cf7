"""Intents that answer with figures: lookup, several at once, compare, rank, aggregate, trend, ratio.

Each says honestly when the index has no such figure, and what it does hold.
"""

from __future__ import annotations

import re

from bot.question import compose, passages, resolve
from bot.question.agencies import AgencyIndex
from bot.question.answer import ANSWERED, NO_DATA, NOT_UNDERSTOOD, Answer
from bot.question.query import Figure, Index
from bot.question.understand import Parsed, lexicon
from index import catalogue
from index.catalogue import PROSE


def lookup(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
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
        text = (f"{agency}{year}年报告中的“{label}{applicant_part}”是{compose.number_text(fig.value, fig.unit, fig.raw)}，"
                f"没有以“{asked}”计的数字。")
        return Answer(question, NO_DATA, "lookup", text + "\n" + "\n".join(compose.sources_of([fig])),
                      facts=[fig.as_fact()], context=context)
    if fig.table == PROSE:
        better = passages.outscores(question, p, ix, fig)
        if better:
            return better
        stated = ix.prose_statements(fig.report_id, fig.metric)
        if len({s.value for s in stated}) > 1:
            return _several_statements(question, stated, context)
    notes = ([note] if note else []) + resolve.check_notes(fig, ix) + resolve.prose_beside_blank(fig, ix)
    return compose.lookup_answer(question, "lookup", fig, notes, context)


# units a question may ask in; a figure kept in another group answers a different question
# (政府开放日 9场 is not the 524人次 invited)
_UNIT_GROUPS = {"元": "money", "万元": "money", "亿元": "money", "人次": "people", "人": "people", "名": "people",
                "人数": "people"}


def _unit_group(unit: str | None) -> str:
    return _UNIT_GROUPS.get(unit or "", "count")


def _unit_asked(text: str) -> str | None:
    match = re.search(r"多少(人次|人数|名|万元|亿元|元)|(人次|万元|亿元)", text)
    return (match.group(1) or match.group(2)) if match else None


def _around(sentence: str, raw: str, width: int = 50) -> str:
    """The part of a long sentence where the figure is printed."""
    compact = sentence.replace(" ", "")
    at = compact.find(raw)
    if at < 0 or len(compact) <= width:
        return compose.clip(compact, width)
    start = max(0, at + len(raw) - width)
    return ("…" if start else "") + compact[start : at + len(raw)] + ("…" if at + len(raw) < len(compact) else "")


def _several_statements(question: str, stated: list[Figure], context: dict) -> Answer:
    """The text gives different figures for one thing (网站发布信息230余条 … 共发布信息4895条): show each, pick none."""
    first = stated[0]
    label, _ = compose.label_of(first.metric, first.applicant)
    lines = [f"{first.agency}{first.year}年的报告正文中“{label}”有{len(stated)}处不同的数字，没有表格可核对，请看原文："]
    lines += [f"· {compose.number_text(s.value, s.unit, s.raw)}：第{s.line}行“{_around(s.sentence, s.raw)}”" for s in stated]
    return Answer(question, ANSWERED, "lookup", "\n".join(lines), facts=[s.as_fact() for s in stated], context=context)


def compare(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    names, problem = resolve.resolve_agencies(question, p)
    if problem:
        return problem
    pairs: list[tuple[str, int]] = []
    if len(names) >= 2:
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
        fig = ix.figure(name, year, p.metric, p.applicant)
        if fig and fig.value is not None:
            figs.append(fig)
        else:
            missing.append(f"{name}{year}年")
    if not figs:
        return Answer(question, NO_DATA, "compare", "索引中没有可比较的数字：" + "、".join(missing) + "。")
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    lines = [f"比较{label}{applicant_part}："]
    lines += [f"· {f.agency}{f.year}年：{compose.number_text(f.value, f.unit)}" for f in figs]
    value = None
    if len(figs) == 2 and figs[0].unit == figs[1].unit:
        diff = figs[0].value - figs[1].value
        if "difference" in p.cues:
            value = compose.plain_value(abs(diff))  # 比工信局多多少: the difference is the number asked for
        if diff:
            more, less = (figs[0], figs[1]) if diff > 0 else (figs[1], figs[0])
            lines.append(f"{more.agency}{more.year}年比{less.agency}{less.year}年多"
                         f"{compose.number_text(abs(diff), figs[0].unit)}。")
        else:
            lines.append("两者相同。")
    if missing:
        lines.append("没有数字：" + "、".join(missing) + "。")
    lines += compose.sources_of(figs)
    return Answer(question, ANSWERED, "compare", "\n".join(lines), value=value,
                  unit=figs[0].unit if value is not None else None, facts=[f.as_fact() for f in figs],
                  chart=_chart(label, figs, by="agency" if len(names) >= 2 else "year"),
                  context=resolve.context_of(p, names, p.years, "compare"))


def rank(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    year = p.years[0] if p.years else None
    if year is not None and year not in ix.years:
        return Answer(question, NO_DATA, "rank", compose.say("no_year", year=year,
                                                             years="、".join(f"{y}年" for y in ix.years)))
    figs = [f for f in ix.across_agencies(year, p.metric, p.applicant, p.region, latest_only=year is None)
            if f.value is not None]
    if not figs:
        return Answer(question, NO_DATA, "rank", f"{year or ''}{'年' if year else ''}的报告中没有"
                      f"“{catalogue.load().label(p.metric)}”的数字。")
    figs.sort(key=lambda f: f.value, reverse=p.direction == "most")
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    word = "最多" if p.direction == "most" else "最少"
    top = figs[0]
    ties = [f for f in figs if f.value == top.value]
    head = "、".join(f.agency for f in ties)
    scope = f"{year}年" if year else ""
    lines = [f"{scope}{label}{applicant_part}{word}的是{head}（{compose.number_text(top.value, top.unit)}）。"]
    # rankings add up groups in SQL; the rows shown get their full figure, formula and source
    shown = [ix.figure(f.agency, f.year, f.metric, p.applicant) or f for f in figs[: max(p.top, min(len(figs), 10))]]
    lines.append(f"共{len(figs)}个单位：" + "；".join(
        f"{i}. {f.agency}{'' if year else f'（{f.year}年）'} {compose.number_text(f.value, f.unit)}"
        for i, f in enumerate(shown, 1)))
    if not p.years:
        lines.append("（问题没有说年份，按各单位最新一年的报告比较。）")
    lines += compose.sources_of(shown[:1])
    return Answer(question, ANSWERED, "rank", "\n".join(lines), value=compose.plain_value(top.value), unit=top.unit,
                  facts=[f.as_fact() for f in shown], chart=_chart(label, shown, by="agency"),
                  context=resolve.context_of(p, [], p.years, "rank"))  # a follow-up ranks again


def aggregate(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    years = p.years or [None]
    names = [a for s in p.agencies for a in s.agencies] if p.agencies else None
    figs = []
    for year in years:
        figs += [f for f in ix.across_agencies(year, p.metric, p.applicant, p.region)
                 if f.value is not None and (names is None or f.agency in names)]
    if not figs:
        return Answer(question, NO_DATA, "aggregate", "索引中没有可以相加的数字。")
    groups = {_unit_group(f.unit) for f in figs}
    if len(groups) > 1:
        return Answer(question, NO_DATA, "aggregate", "这些数字的单位不同，不能相加："
                      + "、".join(f"{f.agency}{compose.number_text(f.value, f.unit)}" for f in figs[:resolve.MAX_LISTED]) + "。")
    if groups == {"money"} and len({f.unit for f in figs}) > 1:
        total, unit = sum(f.in_yuan() for f in figs), "元"  # 万元 and 元 add up in 元
    else:
        # counts in 件, 起 or 宗 are the same kind of thing: added up and said in 件
        total, unit = sum(f.value for f in figs), figs[0].unit if len({f.unit for f in figs}) == 1 else "件"
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    scope = "、".join(f"{y}年" for y in years if y) or "全部年份"
    formula = " + ".join(f"{f.agency}{'' if p.years else f'{f.year}年'}{compose.number_text(f.value, f.unit)}"
                         for f in figs[:resolve.MAX_LISTED])
    text = (f"{scope}索引中{len(figs)}份报告的{label}{applicant_part}合计{compose.number_text(total, unit)}"
            f"（{formula}{'……' if len(figs) > resolve.MAX_LISTED else ''}）。")
    return Answer(question, ANSWERED, "aggregate", text, value=compose.plain_value(total), unit=unit,
                  facts=[f.as_fact() for f in figs], context=resolve.context_of(p, [], p.years, "aggregate"))


def trend(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    agency, problem = resolve.the_agency(question, p, ix)
    if problem:
        return problem
    series = ix.series(agency, p.metric, p.applicant)
    missing_years = [y for y in p.years if y not in {f.year for f in series}]
    if p.years:
        series = [f for f in series if f.year in p.years] or series
    if not series:
        return Answer(question, NO_DATA, "trend", f"索引中没有{agency}历年的“{catalogue.load().label(p.metric)}”数字。"
                      f"该单位现有：{'、'.join(f'{y}年' for y in ix.years_of(agency))}。")
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    parts = []
    for f in series:
        mark = "（图表）" if f.table == "图表" else ("（正文）" if f.table == "正文" else "")
        parts.append(f"{f.year}年{compose.number_text(f.value, f.unit) if f.value is not None else '留空'}{mark}")
    text = f"{agency}{label}{applicant_part}历年情况：" + "、".join(parts) + "。"
    numbered = [f for f in series if f.value is not None]
    if len(numbered) >= 2:
        first, last = numbered[0], numbered[-1]
        change = last.value - first.value
        text += f"\n{first.year}年到{last.year}年{'增加' if change >= 0 else '减少'}{compose.number_text(abs(change), last.unit)}。"
    if any(f.table == "图表" for f in series):
        text += "\n注：标“图表”的年份取自报告中的历年图表，不是该年报告的表格。"
    text += "\n" + "\n".join(compose.sources_of(series[-1:]))
    if missing_years:
        text += f"\n索引中没有{agency}" + "、".join(f"{y}年" for y in missing_years) + "的数字。"
    # one year of a question about several is no answer to it (比2022年多了多少 with no 2022)
    value = compose.plain_value(series[0].value) if len(series) == 1 and len(p.years) <= 1 else None
    return Answer(question, ANSWERED, "trend", text, value=value, unit=series[0].unit if value is not None else None,
                  facts=[f.as_fact() for f in series], chart=_chart(label, series, by="year"),
                  context=resolve.context_of(p, [agency], [], "trend"))


def ratio(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
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
            return Answer(question, NOT_UNDERSTOOD, "ratio", f"“{cat.label(p.metric)}”没有约定的比例口径，"
                          "可以问公开率、纠错率，或某类申请人所占比例。")
        tops = [ix.figure(agency, year, *top_key)]
        bottom = ix.figure(agency, year, *bottom_key)
        name = f"{compose.label_of(*top_key)[0]}{compose.label_of(*top_key)[1]}占{compose.label_of(*bottom_key)[0]}" \
               f"{compose.label_of(*bottom_key)[1] or ''}的比例"
    if any(f is None or f.value is None for f in tops) or bottom is None or bottom.value is None:
        return Answer(question, NO_DATA, "ratio", f"{agency}{year}年的报告没有计算{name}所需的数字。")
    formula = " + ".join(f"{_term(f)}{compose.number_text(f.value, '')}" for f in tops)
    if not bottom.value:
        return Answer(question, NO_DATA, "ratio", f"{agency}{year}年{_term(bottom)}为0，{name}无法计算（分母为0）。",
                      facts=[f.as_fact() for f in [*tops, bottom]])
    value = round(100 * sum(f.value for f in tops) / bottom.value, 1)
    text = (f"{agency}{year}年{name}为{value}%。\n计算：（{formula}）÷ {_term(bottom)}"
            f"{compose.number_text(bottom.value, '')} × 100%。" + (f"\n{note}" if note else ""))
    text += "\n" + "\n".join(compose.sources_of([bottom]))
    return Answer(question, ANSWERED, "ratio", text, value=value, unit="%",
                  facts=[f.as_fact() for f in [*tops, bottom]], context=resolve.context_of(p, [agency], [year], "ratio"))


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


def multi(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
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
        lines.append("报告中没有：" + "、".join(missing) + "。")
    value = unit = None
    numbers = [f for f in figs if f.value is not None]
    if "sum" in p.cues and not missing and len(numbers) == len(figs) and len({_unit_group(f.unit) for f in figs}) == 1:
        # 上年结转加本年新收一共多少: the sum is the number asked for, and the reply shows it
        value, unit = compose.plain_value(sum(f.value for f in figs)), figs[0].unit
        terms = " + ".join(f"{_term(f)}{compose.number_text(f.value, '')}" for f in figs)
        lines.append(f"合计：{terms} = {compose.number_text(value, unit)}。")
    if note:
        lines.append(note)
    lines += compose.sources_of(figs)
    return Answer(question, ANSWERED, "multi", "\n".join(lines), value=value, unit=unit,
                  facts=[f.as_fact() for f in figs], context=resolve.context_of(p, [agency], [year], "lookup"))


def _chart(label: str, figs: list[Figure], by: str) -> dict | None:
    points = [f for f in figs if f.value is not None]
    if len(points) < 2:
        return None
    if by == "year":
        series = [{"name": points[0].agency, "points": [[f.year, compose.plain_value(f.value)] for f in points]}]
        return {"title": f"{points[0].agency} {label}", "unit": points[0].unit, "kind": "line", "series": series}
    series = [{"name": label, "points": [[f"{f.agency}{f.year}", compose.plain_value(f.value)] for f in points]}]
    return {"title": label, "unit": points[0].unit, "kind": "bar", "series": series}
