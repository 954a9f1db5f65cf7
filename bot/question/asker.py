"""question → query → answer: the one entry point every channel calls.

`Asker(db).ask(text, context)` never raises on user text: every failure
becomes a polite Answer. It imports nothing of any chat channel.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.question import compose, documents, figures, followup, passages, resolve
from bot.question.agencies import AgencyIndex
from bot.question.answer import ANSWERED, NO_DATA, NOT_UNDERSTOOD, Answer
from bot.question.followup import FollowUp
from bot.question.normalize import MAX_QUESTION, normalize, years_in
from bot.question.query import Index
from bot.question.result import Result
from bot.question.understand import Parsed, lexicon, understand
from index import tokenize

log = logging.getLogger(__name__)
# intents that talk about the conversation, not the reports: the last question's parts stay remembered
CONVERSATIONAL = ("greeting", "thanks", "help")


class Asker:
    def __init__(self, db_path: str | Path, clock: Callable[[], date] = date.today):
        # 今年/去年 count from today's date (a test passes its own clock)
        self.clock = clock
        self.db_path = Path(db_path)
        compose.replies()  # loaded now: the error reply must not need a file read
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

    def follow(self) -> None:
        """Reopen the index if a build changed it since (in place or by a new file): a running bot
        answers from what the command line just built, with no /reindex or restart."""
        if not self.index.stale():
            return
        try:
            self.reload()
        except Exception:  # e.g. a file copied over the index: keep serving what was read
            log.exception("the index at %s changed but cannot be read; still serving the last one", self.db_path)

    # --- questions --------------------------------------------------------------------

    def ask(self, question: str, context: FollowUp | dict | None = None) -> Answer:
        """Answer one question; `context` is the previous answer's .context for follow-ups."""
        try:
            self.follow()
            return self._ask(question or "", FollowUp.of(context))
        except Exception:  # one boundary: no question may break a channel
            log.exception("question failed: %r", (question or "")[:200])
            # nothing here may raise again: fixed wording, no index access
            return Answer(question, NOT_UNDERSTOOD, "error", compose.replies()["error"],
                          suggestions=documents.fallback_examples())

    def _ask(self, question: str, context: FollowUp) -> Answer:
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
        parsed = followup.fill(parsed, context, self._has_year)
        answer = self._flag_conflicts(self._dispatch(question, parsed))
        assumed = resolve.assumed_notes(parsed, answer.text) if answer.status == ANSWERED else []
        if assumed:  # a short name was taken for one agency: say which
            answer.notes += assumed
            answer.text = "\n".join([answer.text, *assumed])
        answer.question = question
        if answer.context:
            answer.context.question = question
        elif answer.status == NOT_UNDERSTOOD or answer.intent in CONVERSATIONAL:
            # nothing to remember (a greeting, a question not understood): the conversation keeps its
            # last parts, in the terminal chat as in Telegram
            answer.context = replace(context)
        else:
            # an answer about no agency (a name the index lacks): its year and metric stay, no agency does
            answer.context = resolve.context_of(parsed, [], parsed.years, parsed.intent)
            answer.context.question = question
        self._say_relative_year(text, parsed, answer)
        return answer

    def _understand(self, text: str) -> Parsed:
        return understand(text, self.agencies, self.clock().year, self.index.regions)

    def _has_year(self, agency: str, years: list[int]) -> bool:
        return any(self.index.report(agency, y) for y in years)

    def _say_relative_year(self, text: str, p: Parsed, answer: Answer) -> None:
        """去年 means the year before today's: say which year that was."""
        if years_in(text) or answer.status == NOT_UNDERSTOOD:
            return
        for word, back in lexicon()["relative_years"].items():
            year = self.clock().year - back
            if word in text and year in p.years:
                note = compose.say("note_relative_year", word=word, year=year, today=self.clock().isoformat())
                answer.notes.append(note)
                answer.text += "\n" + note
                return

    def _dispatch(self, question: str, p: Parsed) -> Answer:
        ix, ag = self.index, self.agencies
        if p.intent == "search":
            return self._search_parsed(question, p)
        handler = {
            "greeting": documents.greeting,
            "thanks": documents.thanks,
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
        if p.unknown_place and p.intent not in ("search", *CONVERSATIONAL):
            # a name no agency fits is never dropped: no sum over all, no compare of the one left
            return resolve.unknown_agency(question, p, ix)
        stated = self._from_text(question, p)
        if stated:
            return stated
        if p.intent == "unclear":
            text = compose.say("unclear", word=p.unclear)
            # understood, but no table holds the measure: no data, never a number for something else
            return Answer(question, NO_DATA, "unclear", text, suggestions=documents.examples(ix, ag))
        if handler is None:
            if p.unknown_place:
                return resolve.unknown_agency(question, p, ix)
            return Answer(question, NOT_UNDERSTOOD, "unknown", compose.replies()["not_understood"],
                          suggestions=documents.examples(ix, ag))
        found = handler(question, p, ix, ag)
        return compose.render(question, found) if isinstance(found, Result) else found

    def _from_text(self, question: str, p: Parsed) -> Answer | None:
        """A count the tables do not hold (撤回, 微信发布): what the report's text states, found by the question's words."""
        if not (passages.asks_count(p.text) or p.followup and p.agencies):
            return None
        if not (p.intent in ("unclear", "unknown") or p.intent == "summary" and "summary" not in p.cues):
            return None
        found = resolve.report_of(question, p, self.index)
        return passages.answer(question, p, self.index, found.agency, found.year) \
            if isinstance(found, resolve.Report) else None

    # --- other entry points the channels use -------------------------------------------

    def _search_parsed(self, question: str, p: Parsed) -> Answer:
        return documents.search(question, p.search_phrase, self.index,
                              [s.agencies[0] for s in p.agencies if len(s.agencies) == 1], p.years)

    def search(self, text: str) -> Answer:
        self.follow()
        return documents.search(text, normalize(text), self.index, [], [])

    def report_card(self, agency_text: str, year: int | None = None) -> Answer:
        self.follow()
        query = normalize(f"{agency_text} {compose.say('year_item', year=year)}" if year else agency_text)
        parsed = self._understand(query)
        parsed.intent = "summary"
        if not agency_text.strip():
            return Answer(agency_text, NO_DATA, "summary", compose.replies()["report_no_name"])
        if not parsed.agencies:
            return resolve.unknown_agency(agency_text, parsed, self.index)
        return documents.summary(agency_text, parsed, self.index, self.agencies)

    def list_reports(self, filter_text: str = "") -> list[dict]:
        self.follow()
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
                        "facts": r["facts"], "checks_failed": r["checks_failed"], "url": r.get("url") or ""})
        return out

    def stats(self) -> dict:
        self.follow()
        conn = self.index.conn
        return {
            "reports": len(self.index.reports),
            # duplicate file → the file used for the same agency and year (index/duplicates.py)
            "duplicates": dict(self.index.duplicates),
            # figures a duplicate states differently from the file used (index/duplicates.py conflicts)
            "conflicts": list(self.index.conflicts),
            "agencies": len(self.index.agencies),
            "years": self.index.years,
            "built_at": _meta(conn, "built_at"),
            "last_build": _meta(conn, "last_build"),
        }

    def source_lines(self, file: str, line: int, around: int = 3) -> list[tuple[int, str]]:
        self.follow()
        lines = self.index.lines(file)
        lo, hi = max(1, line - around), min(len(lines), line + around)
        return [(n, lines[n - 1]) for n in range(lo, hi + 1)]

    def choose(self, answer_context: FollowUp | dict, agency: str) -> Answer:
        """Answer again after the user picked one agency of an ambiguous question."""
        self.follow()
        question = FollowUp.of(answer_context).question
        parsed = self._understand(normalize(question))
        parsed.agencies = [followup.spot(agency)]
        answer = self._flag_conflicts(self._dispatch(question, parsed))
        answer.question = question
        if answer.context:
            answer.context.question = question
        return answer

    def _flag_conflicts(self, answer: Answer) -> Answer:
        """A figure two files for its agency and year state differently is said so, with both values and files;
        `value` is then no single number (index/duplicates.py: neither file is silently preferred)."""
        if not self.index.conflicting:
            return answer
        facts = list(answer.facts)
        for fact in facts:
            facts += fact.get("parts") or []
        found = [self.index.conflicting[k] for k in dict.fromkeys(
            (f["agency"], f["year"], f["metric"], f["applicant"]) for f in facts) if k in self.index.conflicting]
        if not found:
            return answer
        for c in found:
            values = compose.listing([compose.say("conflict_value", number=compose.number_text(v["value"], v["unit"],
                                                                                               v["raw"] or ""),
                                                  file=v["file"]) for v in c["values"]])
            note = compose.say("note_conflict", agency=c["agency"], year=c["year"],
                               label=compose.label_of(c["metric"], c["applicant"])[0], values=values,
                               used=c["values"][0]["file"])
            answer.notes.append(note)
            answer.text = "\n".join([answer.text, note])
        answer.conflicts = found
        answer.value = None
        return answer


def _meta(conn, key: str):
    row = conn.execute("select value from meta where key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None
