"""question → query → answer: the one entry point every channel calls.

`Asker(db).ask(text, context)` never raises on user text: every failure
becomes a polite Answer. It imports nothing of any chat channel.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from bot.question import compose, documents, figures, resolve
from bot.question.agencies import AgencyIndex
from bot.question.answer import ANSWERED, NO_DATA, NOT_UNDERSTOOD, Answer
from bot.question.normalize import MAX_QUESTION, normalize
from bot.question.query import Index
from bot.question.understand import Parsed, understand
from index import tokenize

log = logging.getLogger(__name__)


class Asker:
    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        self.index = Index(self.db_path)
        self.agencies = AgencyIndex.build(self.index.agencies)
        self.loaded_at = time.time()

    def warm_up(self) -> Asker:
        """Load jieba now, for a long-running bot, so the first search does not pay 0.5 s."""
        tokenize.add_names(self.index.agencies)
        return self

    def reload(self) -> None:
        """Re-open the index after a rebuild swapped the file."""
        fresh = Index(self.db_path)
        old = self.index
        self.index, self.agencies = fresh, AgencyIndex.build(fresh.agencies)
        old.close()
        tokenize.add_names(fresh.agencies)  # new agencies' names stay whole in searches

    # --- questions --------------------------------------------------------------------

    def ask(self, question: str, context: dict | None = None) -> Answer:
        """Answer one question; `context` is the previous answer's .context for follow-ups."""
        try:
            return self._ask(question or "", context or {})
        except Exception:  # one boundary: no question may break a channel
            log.exception("question failed: %r", (question or "")[:200])
            # nothing here may raise again: fixed wording, no index access
            return Answer(question, NOT_UNDERSTOOD, "error", "抱歉，处理这个问题时出了错，请换个说法再试。",
                          suggestions=list(documents.FALLBACK_EXAMPLES))

    def _ask(self, question: str, context: dict) -> Answer:
        raw = question.strip()
        if not raw:
            return Answer(question, NOT_UNDERSTOOD, "empty", compose.replies()["empty"],
                          suggestions=documents.examples(self.index, self.agencies))
        if len(raw) > MAX_QUESTION:
            text = compose.say("too_long", limit=MAX_QUESTION)
            return Answer(question, NOT_UNDERSTOOD, "too_long", text,
                          suggestions=documents.examples(self.index, self.agencies))
        text = normalize(raw)
        parsed = self._understand(text)
        parsed = self._with_context(parsed, context)
        answer = self._dispatch(question, parsed)
        assumed = resolve.assumed_notes(parsed, answer.text) if answer.status == ANSWERED else []
        if assumed:  # a short name was taken for one agency: say which
            answer.notes += assumed
            answer.text = "\n".join([answer.text, *assumed])
        answer.question = question
        return answer

    def _understand(self, text: str) -> Parsed:
        newest = self.index.years[-1] if self.index.years else None
        return understand(text, self.agencies, newest, self.index.regions)

    def _with_context(self, parsed: Parsed, context: dict) -> Parsed:
        """Fill what a follow-up (那2019年呢, 高区呢, 自然人呢) leaves out from the last question."""
        if not context or parsed.intent in ("search", "greeting", "help", "list_reports"):
            return parsed
        short = len(parsed.text) <= 14 or parsed.followup
        if not short:
            return parsed
        reused = False
        if not parsed.metric and context.get("metric") and (parsed.agencies or parsed.years or parsed.applicant):
            parsed.metric = context["metric"]
            reused = True
            if not parsed.applicant:
                parsed.applicant = context.get("applicant")
        if parsed.metric and not parsed.agencies and context.get("agencies"):
            parsed.agencies = [resolve.context_spot(name) for name in context["agencies"]]
            reused = True
        if parsed.metric and not parsed.years and context.get("years") and reused:
            parsed.years = list(context["years"])
            # 高区呢 after a 2020 question: a new agency without that year answers with the year it has
            names = [a for s in parsed.agencies for a in s.agencies]
            if len(names) == 1 and not any(self.index.report(names[0], y) for y in parsed.years):
                parsed.years = []
        if reused:
            intent = context.get("intent")
            parsed.intent = intent if intent in ("lookup", "compare", "trend", "rank", "aggregate") else "lookup"
            if parsed.intent == "compare" and len(parsed.agencies) < 2 and len(parsed.years) < 2:
                parsed.intent = "lookup"
        return parsed

    def _dispatch(self, question: str, p: Parsed) -> Answer:
        ix, ag = self.index, self.agencies
        if p.intent == "search":
            return self._search_parsed(question, p)
        handler = {
            "greeting": documents.greeting,
            "help": documents.help_answer,
            "list_reports": documents.list_reports,
            "summary": documents.summary,
            "check": documents.data_check,
            "ratio": figures.ratio,
            "multi": figures.multi,
            "trend": figures.trend,
            "change": figures.change,
            "compare": figures.compare,
            "rank": figures.rank,
            "aggregate": figures.aggregate,
            "lookup": figures.lookup,
        }.get(p.intent)
        if p.unknown_place and p.intent not in ("search", "greeting", "help"):
            # a name no agency fits is never dropped: no sum over all, no compare of the one left
            return resolve.unknown_agency(question, p, ix)
        if p.intent == "unclear":
            text = (f"报告的统计表中没有“{p.unclear}”这一项，我不能给出这个数字。"
                    "可以用“哪些报告提到…”在报告原文中查找。例如：")
            return Answer(question, NOT_UNDERSTOOD, "unclear", text, suggestions=documents.examples(ix, ag))
        if handler is None:
            if p.unknown_place:
                return resolve.unknown_agency(question, p, ix)
            return Answer(question, NOT_UNDERSTOOD, "unknown", compose.replies()["not_understood"],
                          suggestions=documents.examples(ix, ag))
        return handler(question, p, ix, ag)

    # --- other entry points the channels use -------------------------------------------

    def _search_parsed(self, question: str, p: Parsed) -> Answer:
        return documents.search(question, p.search_phrase, self.index,
                              [s.agencies[0] for s in p.agencies if len(s.agencies) == 1], p.years)

    def search(self, text: str) -> Answer:
        return documents.search(text, normalize(text), self.index, [], [])

    def report_card(self, agency_text: str, year: int | None = None) -> Answer:
        query = normalize(f"{agency_text}{f' {year}年' if year else ''}")
        parsed = self._understand(query)
        parsed.intent = "summary"
        if not agency_text.strip():
            return Answer(agency_text, NO_DATA, "summary", "请告诉我单位名称，例如：/report 文登区 2020")
        if not parsed.agencies:
            return resolve.unknown_agency(agency_text, parsed, self.index)
        return documents.summary(agency_text, parsed, self.index, self.agencies)

    def list_reports(self, filter_text: str = "") -> list[dict]:
        parsed = understand(normalize(filter_text), self.agencies, None) if filter_text else None
        names = {a for s in parsed.agencies for a in s.agencies} if parsed else set()
        years = set(parsed.years) if parsed else set()
        out = []
        for r in self.index.reports:
            if names and r["agency"] not in names:
                continue
            if years and r["year"] not in years:
                continue
            out.append({"agency": r["agency"], "year": r["year"], "format": r["format"], "file": r["file"],
                        "facts": r["facts"], "checks_failed": r["checks_failed"]})
        return out

    def stats(self) -> dict:
        conn = self.index.conn
        return {
            "reports": len(self.index.reports),
            "agencies": len(self.index.agencies),
            "years": self.index.years,
            "built_at": _meta(conn, "built_at"),
            "last_build": _meta(conn, "last_build"),
        }

    def source_lines(self, file: str, line: int, around: int = 3) -> list[tuple[int, str]]:
        lines = self.index.lines(file)
        lo, hi = max(1, line - around), min(len(lines), line + around)
        return [(n, lines[n - 1]) for n in range(lo, hi + 1)]

    def choose(self, answer_context: dict, agency: str) -> Answer:
        """Answer again after the user picked one agency of an ambiguous question."""
        question = answer_context.get("question", "")
        parsed = self._understand(normalize(question))
        parsed.agencies = [resolve.context_spot(agency)]
        return self._dispatch(question, parsed)


def _meta(conn, key: str):
    row = conn.execute("select value from meta where key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None
