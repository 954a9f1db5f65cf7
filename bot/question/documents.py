"""Intents about reports rather than one figure: search, list, summary, data check, greeting, thanks, help."""

from __future__ import annotations

import json
import re

from bot.question import compose, resolve
from bot.question.agencies import AgencyIndex
from bot.question.answer import ANSWERED, NO_DATA, NOT_UNDERSTOOD, Answer
from bot.question.followup import FollowUp
from bot.question.query import Index
from bot.question.understand import Parsed, lexicon
from index import catalogue, tokenize
from index.catalogue import PROSE
from index.store import fts_query


def search(question: str, phrase: str, ix: Index, agencies: list[str], years: list[int]) -> Answer:
    tokens = [t for t in tokenize.query_tokens(phrase) if t not in lexicon()["search_filler"]]
    if not tokens:
        return Answer(question, NOT_UNDERSTOOD, "search", compose.replies()["search_no_words"])
    rows = ix.search(fts_query(tokens), limit=50)
    if agencies:
        rows = [r for r in rows if r["agency"] in agencies]
    if years:
        rows = [r for r in rows if r["year"] in years]
    if not rows:
        return Answer(question, NO_DATA, "search", compose.say("search_none", phrase=phrase))
    best: dict[tuple, dict] = {}
    for r in rows:
        best.setdefault((r["agency"], r["year"]), r)
    sources = [{"agency": r["agency"], "year": r["year"], "file": r["file"], "line": r["line"],
                "section": r["section"], "snippet": snippet(r["text"], tokens, phrase=phrase)} for r in best.values()]
    lines = [compose.say("search_head", count=len(sources), phrase=phrase)]
    lines += [compose.say("search_item", **{k: s[k] for k in ("agency", "year", "file", "line", "snippet")})
              for s in sources[:10]]
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
        return Answer(question, NO_DATA, "list_reports", compose.say("list_none", years=compose.years_text(ix.years)))
    lines = [compose.say("list_head", count=len(reports))]
    lines += [compose.say("list_item", agency=r["agency"], year=r["year"], format=_format_name(r["format"]))
              for r in reports[:resolve.MAX_LISTED]]
    if len(reports) > resolve.MAX_LISTED:
        lines.append(compose.say("list_more", count=len(reports) - resolve.MAX_LISTED))
    sources = [{"agency": r["agency"], "year": r["year"], "file": r["file"], **({"url": r["url"]} if r.get("url") else {})}
               for r in reports]
    return Answer(question, ANSWERED, "list_reports", "\n".join(lines), sources=sources)


def _format_name(fmt: str) -> str:
    return compose.replies().get(f"format_{fmt}", compose.replies()["format_unknown"])


KEY_FIGURES = ("apply.new", "apply.carried_over", "apply.granted", "apply.partial", "apply.denied", "apply.total",
               "apply.carried_forward", "review.total", "litigation.total", "proactive.licensing.decisions",
               "proactive.penalty.decisions")


def summary(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    found = resolve.report_of(question, p, ix)
    if isinstance(found, Answer):
        return found
    agency, year = found.agency, found.year
    report = ix.report(agency, year)
    cat = catalogue.load()
    lines = [compose.say("summary_head", agency=agency, year=year, format=_format_name(report["format"]),
                         file=report["file"])]
    if report.get("url"):
        lines.append(compose.say("summary_url", url=report["url"]))
    figs = []
    for metric in KEY_FIGURES:
        fig = ix.figure(agency, year, metric, "total")
        if fig is not None and fig.value is not None:
            figs.append(fig)
            mark = compose.replies()["mark_prose"] if fig.table == PROSE else ""
            lines.append(compose.say("summary_item", label=cat.label(metric),
                                     value_text=compose.number_text(fig.value, fig.unit), mark=mark))
    missing = json.loads(report["missing_tables"] or "[]")
    if missing:
        lines.append(compose.say("summary_missing", tables=compose.listing(missing)))
    lines.append(_check_line(ix.checks(report["id"])))
    return Answer(question, ANSWERED, "summary", "\n".join(lines), facts=[f.as_fact() for f in figs],
                  sources=[{"agency": agency, "year": year, "file": report["file"],
                            **({"url": report["url"]} if report.get("url") else {})}],
                  context=resolve.context_of(p, [agency], [year], "summary"))


def _check_line(checks: list[dict]) -> str:
    counts = {s: sum(1 for c in checks if c["status"] == s) for s in ("pass", "fail", "na")}
    line = compose.say("check_line", passed=counts["pass"], failed=counts["fail"], na=counts["na"])
    failed = [c for c in checks if c["status"] == "fail"]
    for c in failed[:5]:
        line += compose.say("check_failed_item", name=c["name"], subject=c["subject"],
                            expected=resolve.plain(c["expected"]), actual=resolve.plain(c["actual"]))
    return line


def data_check(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    names, problem = resolve.resolve_agencies(question, p)
    if problem:
        return problem
    targets = [r for r in ix.reports if (not names or r["agency"] in names) and (not p.years or r["year"] in p.years)]
    if not targets:
        return Answer(question, NO_DATA, "check", compose.replies()["check_none"])
    lines = []
    for report in targets[:10]:
        checks = ix.checks(report["id"])
        lines.append(compose.say("check_item", agency=report["agency"], year=report["year"], line=_check_line(checks)))
    return Answer(question, ANSWERED, "check", "\n".join(lines),
                  sources=[{"agency": r["agency"], "year": r["year"], "file": r["file"]} for r in targets])


def greeting(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    text = compose.say("greeting", reports=len(ix.reports), agencies=len(ix.agencies),
                       years=compose.listing([str(y) for y in ix.years]) or compose.replies()["none"])
    return Answer(question, ANSWERED, "greeting", text, suggestions=examples(ix, ag))


def thanks(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    return Answer(question, ANSWERED, "thanks", compose.replies()["thanks"], suggestions=examples(ix, ag))


def help_answer(question: str, p: Parsed, ix: Index, ag: AgencyIndex) -> Answer:
    return Answer(question, ANSWERED, "help", compose.replies()["help"], suggestions=examples(ix, ag))


def fallback_examples() -> list[str]:
    """Examples that need no index (the error reply)."""
    return [compose.replies()["example_fallback_lookup"], compose.replies()["example_search"],
            compose.say("example_rank", year=2020)]


def examples(ix: Index, ag: AgencyIndex) -> list[str]:
    """Three questions this index can answer, built from what it holds."""
    if not ix.reports:
        return fallback_examples()
    first = ix.reports[0]
    name = _shortest_unique(first["agency"], ag)
    out = [compose.say("example_lookup", name=name, year=first["year"])]
    if len(ix.agencies) >= 2:
        other = next(r for r in ix.reports if r["agency"] != first["agency"])
        out.append(compose.say("example_compare", name=name, other=_shortest_unique(other["agency"], ag)))
    out.append(compose.say("example_rank", year=ix.years[-1]))
    out.append(compose.replies()["example_search"])
    return out[:3]


def _shortest_unique(agency: str, ag: AgencyIndex) -> str:
    """The shortest name that means only this agency and says which one (临沂经开区, not 经开区)."""
    return ag.shortest_name(agency)
