"""One function per intent: parsed question + index → Answer.

lookup, compare, rank, aggregate, trend, ratio, search, list reports,
report summary, data check, greeting and help. Each says honestly when the
index has no such figure, and what it does hold.
"""

from __future__ import annotations

import json
import re

from bot.question import compose
from bot.question.agencies import AgencyIndex, Spotted
from bot.question.answer import AMBIGUOUS, ANSWERED, NO_DATA, NOT_UNDERSTOOD, Answer
from bot.question.query import Figure, Index
from bot.question.understand import Parsed, lexicon
from index import catalogue, tokenize
from index.store import fts_query

MAX_LISTED = 30


def context_spot(name: str) -> Spotted:
    return Spotted(name, 0, 0, [name])


def _context(p: Parsed, agencies: list[str], years: list[int], intent: str) -> dict:
    return {"agencies": agencies, "years": years, "metric": p.metric, "applicant": p.applicant, "intent": intent,
            "question": p.text}


def _ambiguous(question: str, p: Parsed, spot: Spotted) -> Answer:
    text = compose.say("ambiguous_agency", name=spot.span)
    return Answer(question, AMBIGUOUS, p.intent, text + "\n" + "\n".join(f"· {a}" for a in spot.agencies),
                  choices=list(spot.agencies), context=_context(p, [], p.years, p.intent))


def _resolve_agencies(question: str, p: Parsed) -> tuple[list[str], Answer | None]:
    names = []
    for spot in p.agencies:
        if len(spot.agencies) > 1 or not spot.exact and spot.score < 90:
            return [], _ambiguous(question, p, spot)
        names.append(spot.agencies[0])
    return list(dict.fromkeys(names)), None


def _the_agency(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> tuple[str, Answer | None]:
    """The one agency a question is about, or the answer that asks or says there is none."""
    names, problem = _resolve_agencies(question, p)
    if problem:
        return "", problem
    if not names:
        return "", _no_agency_named(question, p, ix, ag)
    return names[0], None


def _years_for(agency: str, p: Parsed, ix: Index) -> tuple[list[int], str]:
    """The years to answer for, and a note when the question named none."""
    if p.years:
        return p.years, ""
    years = ix.years_of(agency)
    if len(years) == 1:
        return years, compose.say("note_only_year", agency=agency, year=years[0])
    return years, ""


def _no_report(question: str, p: Parsed, ix: Index, agency: str, year: int) -> Answer:
    years = "、".join(f"{y}年" for y in ix.years_of(agency)) or "无"
    return Answer(question, NO_DATA, p.intent, compose.say("no_report_agency_year", agency=agency, year=year,
                                                           years=years),
                  context=_context(p, [agency], [year], p.intent))


def _no_figure(question: str, p: Parsed, ix: Index, agency: str, year: int) -> Answer:
    report = ix.report(agency, year)
    missing = json.loads(report["missing_tables"] or "[]") if report else []
    table = _table_of(p.metric)
    reason = f"（该报告缺少{table}）" if table in missing else ("（该报告没有统计表格）" if report and report["format"] == "none" else "")
    label = catalogue.load().label(p.metric)
    return Answer(question, NO_DATA, p.intent, compose.say("no_figure", agency=agency, year=year, label=label,
                                                           reason=reason),
                  context=_context(p, [agency], [year], p.intent))


def _table_of(metric: str | None) -> str:
    if not metric:
        return ""
    if metric.startswith("proactive."):
        return "表二"
    if metric.startswith("apply."):
        return "表三"
    if metric.startswith(("review.", "litigation.")):
        return "表四"
    return ""


def unknown_agency(question: str, p: Parsed, ix: Index) -> Answer:
    name = p.unknown_place or question
    listed = "、".join(ix.agencies[:MAX_LISTED]) + ("等" if len(ix.agencies) > MAX_LISTED else "")
    return Answer(question, NO_DATA, p.intent or "lookup", compose.say("no_agency", name=name, agencies=listed))


def _no_agency_named(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    if p.unknown_place:
        return unknown_agency(question, p, ix)
    years = p.years or ix.years
    choices = [r["agency"] for r in ix.in_region(p.region) if r["year"] in years]
    if p.years and not choices:
        return Answer(question, NO_DATA, p.intent, compose.say("no_year", year=p.years[0],
                                                               years="、".join(f"{y}年" for y in ix.years)))
    choices = list(dict.fromkeys(choices))
    if len(choices) == 1:
        p.agencies = [context_spot(choices[0])]
        return lookup(question, p, ix, ag)
    text = "请问是哪个单位？" + ("（也可以问“哪个单位最多”或“所有单位一共多少”）" if len(choices) > 1 else "")
    return Answer(question, AMBIGUOUS, p.intent, text + "\n" + "\n".join(f"· {c}" for c in choices[:MAX_LISTED]),
                  choices=choices[:MAX_LISTED], context=_context(p, [], p.years, p.intent))


def _check_notes(fig: Figure, ix: Index) -> list[str]:
    if fig.report_id is None:
        return []
    notes = []
    for check in ix.failed_checks_for(fig.report_id, fig.metric)[:2]:
        detail = f"{_plain(check['expected'])} ≠ {_plain(check['actual'])}" if check["expected"] is not None else ""
        notes.append(compose.say("note_check_failed", check=check["name"], detail=detail))
    return notes


def _plain(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _prose_beside_blank(fig: Figure, ix: Index) -> list[str]:
    """A blank table cell whose figure the text states (未发生行政复议): quote the text too."""
    if fig.value is not None or fig.is_sum or fig.report_id is None:
        return []
    report = next((r for r in ix.reports if r["id"] == fig.report_id), None)
    prose = ix.prose_figure(report, fig.metric) if report else None
    if prose is None:
        return []
    return [f"正文另有表述：“{compose._clip(prose.sentence, 80)}”（第{prose.line}行）。"]


# --- intents ------------------------------------------------------------------------------


def lookup(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    agency, problem = _the_agency(question, p, ix, ag)
    if problem:
        return problem
    years, note = _years_for(agency, p, ix)
    if len(years) > 1:
        p.years = []
        return trend(question, p, ix, ag)
    year = years[0]
    if ix.report(agency, year) is None:
        return _no_report(question, p, ix, agency, year)
    fig = None
    for metric in [p.metric, *p.alternatives]:
        fig = ix.figure(agency, year, metric, p.applicant)
        if fig is not None:
            p.metric = metric
            break
    if fig is None:
        return _no_figure(question, p, ix, agency, year)
    notes = ([note] if note else []) + _check_notes(fig, ix) + _prose_beside_blank(fig, ix)
    return compose.lookup_answer(question, "lookup", fig, notes, _context(p, [agency], [year], "lookup"))


def compare(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    names, problem = _resolve_agencies(question, p)
    if problem:
        return problem
    pairs: list[tuple[str, int]] = []
    if len(names) >= 2:
        for name in names:
            years, _ = _years_for(name, p, ix)
            pairs.extend((name, y) for y in (years[-1:] if not p.years else years[:1]))
    elif names:
        pairs = [(names[0], y) for y in p.years]
    else:
        return _no_agency_named(question, p, ix, ag)
    figs, missing = [], []
    for name, year in pairs:
        fig = ix.figure(name, year, p.metric, p.applicant)
        (figs.append(fig) if fig and fig.value is not None else missing.append(f"{name}{year}年"))
    if not figs:
        return Answer(question, NO_DATA, "compare", "索引中没有可比较的数字：" + "、".join(missing) + "。")
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    lines = [f"比较{label}{applicant_part}："]
    lines += [f"· {f.agency}{f.year}年：{compose.number_text(f.value, f.unit)}" for f in figs]
    if len(figs) == 2 and figs[0].unit == figs[1].unit:
        diff = figs[0].value - figs[1].value
        if diff:
            more, less = (figs[0], figs[1]) if diff > 0 else (figs[1], figs[0])
            lines.append(f"{more.agency}{more.year}年比{less.agency}{less.year}年多"
                         f"{compose.number_text(abs(diff), figs[0].unit)}。")
        else:
            lines.append("两者相同。")
    if missing:
        lines.append("没有数字：" + "、".join(missing) + "。")
    lines += compose.sources_of(figs)
    return Answer(question, ANSWERED, "compare", "\n".join(lines), facts=[f.as_fact() for f in figs],
                  chart=_chart(label, figs, by="agency" if len(names) >= 2 else "year"),
                  context=_context(p, names, p.years, "compare"))


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
    shown = figs[: max(p.top, min(len(figs), 10))]
    lines.append(f"共{len(figs)}个单位：" + "；".join(
        f"{i}. {f.agency}{'' if year else f'（{f.year}年）'} {compose.number_text(f.value, f.unit)}"
        for i, f in enumerate(shown, 1)))
    if not p.years:
        lines.append("（问题没有说年份，按各单位最新一年的报告比较。）")
    lines += compose.sources_of(figs[:1])
    return Answer(question, ANSWERED, "rank", "\n".join(lines), value=compose._value(top.value), unit=top.unit,
                  facts=[f.as_fact() for f in figs], chart=_chart(label, shown, by="agency"),
                  context=_context(p, [top.agency], [top.year], "rank"))


def aggregate(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    years = p.years or [None]
    names = [a for s in p.agencies for a in s.agencies] if p.agencies else None
    figs = []
    for year in years:
        figs += [f for f in ix.across_agencies(year, p.metric, p.applicant, p.region)
                 if f.value is not None and (names is None or f.agency in names)]
    if not figs:
        return Answer(question, NO_DATA, "aggregate", "索引中没有可以相加的数字。")
    units = {f.unit for f in figs}
    if len(units) > 1:
        total = sum(f.in_yuan() or 0 for f in figs)
        unit = "元"
    else:
        total, unit = sum(f.value for f in figs), figs[0].unit
    label, applicant_part = compose.label_of(p.metric, p.applicant)
    scope = "、".join(f"{y}年" for y in years if y) or "全部年份"
    formula = " + ".join(f"{f.agency}{'' if p.years else f'{f.year}年'}{compose.number_text(f.value, f.unit)}"
                         for f in figs[:MAX_LISTED])
    text = (f"{scope}索引中{len(figs)}份报告的{label}{applicant_part}合计{compose.number_text(total, unit)}"
            f"（{formula}{'……' if len(figs) > MAX_LISTED else ''}）。")
    return Answer(question, ANSWERED, "aggregate", text, value=compose._value(total), unit=unit,
                  facts=[f.as_fact() for f in figs], context=_context(p, [], p.years, "aggregate"))


def trend(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    agency, problem = _the_agency(question, p, ix, ag)
    if problem:
        return problem
    series = ix.series(agency, p.metric, p.applicant)
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
    value = compose._value(series[0].value) if len(series) == 1 else None
    return Answer(question, ANSWERED, "trend", text, value=value, unit=series[0].unit if value is not None else None,
                  facts=[f.as_fact() for f in series], chart=_chart(label, series, by="year"),
                  context=_context(p, [agency], [], "trend"))


def ratio(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    agency, problem = _the_agency(question, p, ix, ag)
    if problem:
        return problem
    years, note = _years_for(agency, p, ix)
    year = years[-1]
    if ix.report(agency, year) is None:
        return _no_report(question, p, ix, agency, year)
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
                  facts=[f.as_fact() for f in [*tops, bottom]], context=_context(p, [agency], [year], "ratio"))


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
    agency, problem = _the_agency(question, p, ix, ag)
    if problem:
        return problem
    years, note = _years_for(agency, p, ix)
    year = years[-1]
    if ix.report(agency, year) is None:
        return _no_report(question, p, ix, agency, year)
    figs, lines, missing = [], [], []
    for metric in p.metrics:
        fig = ix.figure(agency, year, metric, p.applicant)
        if fig is None:
            missing.append(catalogue.load().label(metric))
            continue
        figs.append(fig)
        lines.append(compose.figure_sentence(fig))
    if not figs:
        return _no_figure(question, p, ix, agency, year)
    if missing:
        lines.append("报告中没有：" + "、".join(missing) + "。")
    if note:
        lines.append(note)
    lines += compose.sources_of(figs)
    return Answer(question, ANSWERED, "multi", "\n".join(lines), facts=[f.as_fact() for f in figs],
                  context=_context(p, [agency], [year], "lookup"))


def search(question: str, phrase: str, ix: Index, agencies: list[str], years: list[int]) -> Answer:
    tokens = [t for t in tokenize.query_tokens(phrase) if t not in lexicon()["search_filler"]]
    if not tokens:
        return Answer(question, NOT_UNDERSTOOD, "search", "请告诉我要查找的词，例如：哪些报告提到了政府开放日")
    rows = ix.search(fts_query(tokens), limit=50)
    if agencies:
        rows = [r for r in rows if r["agency"] in agencies]
    if years:
        rows = [r for r in rows if r["year"] in years]
    if not rows:
        return Answer(question, NO_DATA, "search", f"没有报告提到“{phrase}”。")
    best: dict[tuple, dict] = {}
    for r in rows:
        best.setdefault((r["agency"], r["year"]), r)
    sources = [{"agency": r["agency"], "year": r["year"], "file": r["file"], "line": r["line"],
                "section": r["section"], "snippet": snippet(r["text"], tokens)} for r in best.values()]
    lines = [f"有{len(sources)}份报告提到“{phrase}”："]
    lines += [f"· {s['agency']}{s['year']}年（{s['file']} 第{s['line']}行）：{s['snippet']}" for s in sources[:10]]
    return Answer(question, ANSWERED, "search", "\n".join(lines), sources=sources,
                  context={"search": phrase, "question": question})


def snippet(text: str, tokens: list[str], width: int = 60) -> str:
    """The passage around the first match, matched words in 【】, from the original text."""
    positions = [text.find(t) for t in tokens if t and text.find(t) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = text[start : start + width]
    for token in sorted(set(tokens), key=len, reverse=True):
        if len(token) >= 2:
            piece = re.sub(re.escape(token), lambda m: f"【{m.group(0)}】", piece)
    piece = re.sub(r"【【(.+?)】】", r"【\1】", piece)
    return ("……" if start > 0 else "") + piece + ("……" if start + width < len(text) else "")


def list_reports(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    names = {a for s in p.agencies for a in s.agencies}
    reports = [r for r in ix.in_region(p.region)
               if (not names or r["agency"] in names) and (not p.years or r["year"] in p.years)]
    if not reports:
        return Answer(question, NO_DATA, "list_reports", "索引中没有符合条件的报告。现有年份："
                      + "、".join(f"{y}年" for y in ix.years) + "。")
    lines = [f"索引中有{len(reports)}份报告："]
    lines += [f"· {r['agency']} {r['year']}年（{_format_name(r['format'])}）" for r in reports[:MAX_LISTED]]
    if len(reports) > MAX_LISTED:
        lines.append(f"……另有{len(reports) - MAX_LISTED}份")
    sources = [{"agency": r["agency"], "year": r["year"], "file": r["file"]} for r in reports]
    return Answer(question, ANSWERED, "list_reports", "\n".join(lines), sources=sources)


def _format_name(fmt: str) -> str:
    return {"2019": "2019版表格", "2021": "2021版表格", "none": "无统计表格"}.get(fmt, "表格格式不明")


KEY_FIGURES = ("apply.new", "apply.carried_over", "apply.granted", "apply.partial", "apply.denied", "apply.total",
               "apply.carried_forward", "review.total", "litigation.total", "proactive.licensing.decisions",
               "proactive.penalty.decisions")


def summary(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    agency, problem = _the_agency(question, p, ix, ag)
    if problem:
        return problem
    years = p.years or ix.years_of(agency)[-1:]
    year = years[0]
    report = ix.report(agency, year)
    if report is None:
        return _no_report(question, p, ix, agency, year)
    cat = catalogue.load()
    lines = [f"{agency}{year}年政府信息公开工作年度报告（{_format_name(report['format'])}，文件 {report['file']}）："]
    figs = []
    for metric in KEY_FIGURES:
        fig = ix.figure(agency, year, metric, "total")
        if fig is not None and fig.value is not None:
            figs.append(fig)
            mark = "（正文）" if fig.table == "正文" else ""
            lines.append(f"· {cat.label(metric)}：{compose.number_text(fig.value, fig.unit)}{mark}")
    missing = json.loads(report["missing_tables"] or "[]")
    if missing:
        lines.append("缺少：" + "、".join(missing))
    lines.append(_check_line(ix.checks(report["id"])))
    return Answer(question, ANSWERED, "summary", "\n".join(lines), facts=[f.as_fact() for f in figs],
                  sources=[{"agency": agency, "year": year, "file": report["file"]}],
                  context=_context(p, [agency], [year], "summary"))


def _check_line(checks: list[dict]) -> str:
    counts = {s: sum(1 for c in checks if c["status"] == s) for s in ("pass", "fail", "na")}
    line = f"一致性检查：通过{counts['pass']}项，未通过{counts['fail']}项，不适用{counts['na']}项。"
    failed = [c for c in checks if c["status"] == "fail"]
    for c in failed[:5]:
        line += f"\n  未通过：{c['name']}（{c['subject']}：{_plain(c['expected'])} ≠ {_plain(c['actual'])}）"
    return line


def data_check(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    names, problem = _resolve_agencies(question, p)
    if problem:
        return problem
    targets = [r for r in ix.reports if (not names or r["agency"] in names) and (not p.years or r["year"] in p.years)]
    if not targets:
        return Answer(question, NO_DATA, "check", "索引中没有符合条件的报告。")
    lines = []
    for report in targets[:10]:
        checks = ix.checks(report["id"])
        lines.append(f"{report['agency']}{report['year']}年：" + _check_line(checks))
    return Answer(question, ANSWERED, "check", "\n".join(lines),
                  sources=[{"agency": r["agency"], "year": r["year"], "file": r["file"]} for r in targets])


def greeting(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    text = compose.say("greeting", reports=len(ix.reports), agencies=len(ix.agencies),
                       years="、".join(str(y) for y in ix.years) or "无")
    return Answer(question, ANSWERED, "greeting", text, suggestions=examples(ix, ag))


def help_answer(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    return Answer(question, ANSWERED, "help", compose.replies()["help"], suggestions=examples(ix, ag))


def examples(ix: Index, ag: AgencyIndex) -> list[str]:
    """Three questions this index can answer, built from what it holds."""
    if not ix.reports:
        return ["文登区2020年收到多少申请", "哪些报告提到了政府开放日", "2020年哪个单位收到的申请最多"]
    first = ix.reports[0]
    name = _shortest_unique(first["agency"], ag)
    out = [f"{name}{first['year']}年收到多少申请"]
    if len(ix.agencies) >= 2:
        other = next(r for r in ix.reports if r["agency"] != first["agency"])
        out.append(f"比较{name}和{_shortest_unique(other['agency'], ag)}收到的申请数量")
    out.append(f"{ix.years[-1]}年哪个单位收到的申请最多")
    out.append("哪些报告提到了政府开放日")
    return out[:3]


def _shortest_unique(agency: str, ag: AgencyIndex) -> str:
    names = [n for n, owners in ag.by_name.items() if owners == {agency}]
    return min(names, key=len) if names else agency


def _chart(label: str, figs: list[Figure], by: str) -> dict | None:
    points = [f for f in figs if f.value is not None]
    if len(points) < 2:
        return None
    if by == "year":
        series = [{"name": points[0].agency, "points": [[f.year, compose._value(f.value)] for f in points]}]
        return {"title": f"{points[0].agency} {label}", "unit": points[0].unit, "kind": "line", "series": series}
    series = [{"name": label, "points": [[f"{f.agency}{f.year}", compose._value(f.value)] for f in points]}]
    return {"title": label, "unit": points[0].unit, "kind": "bar", "series": series}
