"""Intents about reports rather than one figure: search, list, summary, data check, greeting, help."""

from __future__ import annotations

import json
import re

from bot.question import compose, resolve
from bot.question.agencies import AgencyIndex, rules
from bot.question.answer import ANSWERED, NO_DATA, NOT_UNDERSTOOD, Answer
from bot.question.followup import FollowUp
from bot.question.query import Index
from bot.question.understand import Parsed, lexicon
from index import catalogue, tokenize
from index.store import fts_query


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
                "section": r["section"], "snippet": snippet(r["text"], tokens, phrase=phrase)} for r in best.values()]
    lines = [f"有{len(sources)}份报告提到“{phrase}”："]
    lines += [f"· {s['agency']}{s['year']}年（{s['file']} 第{s['line']}行）：{s['snippet']}" for s in sources[:10]]
    return Answer(question, ANSWERED, "search", "\n".join(lines), sources=sources,
                  context=FollowUp(question, search=phrase))


def snippet(text: str, tokens: list[str], width: int = 60, phrase: str = "") -> str:
    """The passage around the match, matched words in 【】, from the original text (not the tokens).

    The whole phrase, where the text has it, is what is shown and marked; else its words.
    """
    marks = [phrase] if phrase and phrase in text else sorted(set(tokens), key=len, reverse=True)
    positions = [text.find(t) for t in marks if t and text.find(t) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = text[start : start + width]
    for token in marks:
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
    lines += [f"· {r['agency']} {r['year']}年（{_format_name(r['format'])}）" for r in reports[:resolve.MAX_LISTED]]
    if len(reports) > resolve.MAX_LISTED:
        lines.append(f"……另有{len(reports) - resolve.MAX_LISTED}份")
    sources = [{"agency": r["agency"], "year": r["year"], "file": r["file"]} for r in reports]
    return Answer(question, ANSWERED, "list_reports", "\n".join(lines), sources=sources)


def _format_name(fmt: str) -> str:
    return {"2019": "2019版表格", "2021": "2021版表格", "none": "无统计表格"}.get(fmt, "表格格式不明")


KEY_FIGURES = ("apply.new", "apply.carried_over", "apply.granted", "apply.partial", "apply.denied", "apply.total",
               "apply.carried_forward", "review.total", "litigation.total", "proactive.licensing.decisions",
               "proactive.penalty.decisions")


def summary(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    agency, problem = resolve.the_agency(question, p, ix)
    if problem:
        return problem
    years = p.years or ix.years_of(agency)[-1:]
    year = years[0]
    report = ix.report(agency, year)
    if report is None:
        return resolve.no_report(question, p, ix, agency, year)
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
                  context=resolve.context_of(p, [agency], [year], "summary"))


def _check_line(checks: list[dict]) -> str:
    counts = {s: sum(1 for c in checks if c["status"] == s) for s in ("pass", "fail", "na")}
    line = f"一致性检查：通过{counts['pass']}项，未通过{counts['fail']}项，不适用{counts['na']}项。"
    failed = [c for c in checks if c["status"] == "fail"]
    for c in failed[:5]:
        line += f"\n  未通过：{c['name']}（{c['subject']}：{resolve.plain(c['expected'])} ≠ {resolve.plain(c['actual'])}）"
    return line


def data_check(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    names, problem = resolve.resolve_agencies(question, p)
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


FALLBACK_EXAMPLES = ("文登区2020年收到多少申请", "哪些报告提到了政府开放日", "2020年哪个单位收到的申请最多")


def examples(ix: Index, ag: AgencyIndex) -> list[str]:
    """Three questions this index can answer, built from what it holds."""
    if not ix.reports:
        return list(FALLBACK_EXAMPLES)
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
    """The shortest name that means only this agency and says which one (临沂经开区, not 经开区)."""
    shorts = rules()["abbreviations"].values()
    generic = {w for v in shorts for w in ([v] if isinstance(v, str) else v)} | set(rules()["zone_words"])
    names = [n for n, owners in ag.by_name.items() if owners == {agency} and n not in generic and len(n) >= 3]
    return min(names, key=lambda n: (len(n), n)) if names else agency
