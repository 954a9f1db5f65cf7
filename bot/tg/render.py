"""Answers and lists as Telegram HTML messages and inline keyboards.

Every string that came from a user or a report passes through ``html.escape``
(directly or via ``texts.say``). Callback data is short and positional
("pick:1", "src", "chart", "ask:0", "page:2"); what it points at is kept with
the message it was sent with (see ``memory.py``), so it never exceeds Telegram's
64 bytes, whatever the question.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent

from bot.question.answer import AMBIGUOUS, Answer
from bot.tg.texts import ADMIN_COMMANDS, COMMANDS, FORMATS, TEXT, say
from index import catalogue

MESSAGE_LIMIT = 4096  # Telegram's cap on one message's text
REPORTS_PER_PAGE = 8
CSV_COLUMNS = ("agency", "year", "metric", "applicant", "label", "value", "unit", "raw", "file", "table", "line")


@dataclass
class Reply:
    """One reply: its HTML text in message-sized parts, and the keyboard for the last part."""

    parts: list[str]
    keyboard: InlineKeyboardMarkup | None = None


def render_answer(answer: Answer) -> Reply:
    lines = [html.escape(answer.text)]
    lines += [f"<i>{html.escape(note)}</i>" for note in answer.notes if note not in answer.text]
    if answer.status == AMBIGUOUS and answer.choices and TEXT["choices_title"].rstrip("：") not in answer.text:
        lines += [TEXT["choices_title"]]
    if answer.suggestions:
        if not answer.text.rstrip().endswith(("：", ":")):  # the Asker's text may already lead into the list
            lines += [TEXT["examples_title"]]
        lines += [f"· {html.escape(q)}" for q in answer.suggestions]
    return Reply(split_html("\n".join(lines)), answer_keyboard(answer))


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(_label(choice), callback_data=f"pick:{i}")] for i, choice in enumerate(answer.choices)]
    actions = []
    if has_source(answer):
        actions.append(InlineKeyboardButton(TEXT["source_button"], callback_data="src"))
    if answer.chart:
        actions.append(InlineKeyboardButton(TEXT["chart_button"], callback_data="chart"))
    rows += [actions] if actions else []
    rows += [[InlineKeyboardButton(_label(q), callback_data=f"ask:{i}")] for i, q in enumerate(answer.suggestions)]
    return InlineKeyboardMarkup(rows) if rows else None


def has_source(answer: Answer) -> bool:
    return any((fact.get("source") or {}).get("line") for fact in answer.facts)


def render_welcome(stats: dict, examples: list[str]) -> Reply:
    years = stats.get("years") or []
    span = f"{min(years)}–{max(years)}" if years else "—"
    text = say("welcome", reports=stats.get("reports", 0), agencies=stats.get("agencies", 0), years=len(years),
               year_span=span)
    buttons = [[InlineKeyboardButton(_label(q), callback_data=f"ask:{i}")] for i, q in enumerate(examples)]
    return Reply([text], InlineKeyboardMarkup(buttons) if buttons else None)


def render_help(bot_username: str, admin: bool) -> Reply:
    lines = [say("help_intro", bot=bot_username)]
    lines += [f"/{name} — {html.escape(description)}" for name, description in COMMANDS.items()]
    if admin:
        lines += ["", TEXT["help_admin"]]
        lines += [f"/{name} — {html.escape(description)}" for name, description in ADMIN_COMMANDS.items()]
    return Reply(split_html("\n".join(lines)))


def render_reports(reports: list[dict], page: int) -> Reply:
    if not reports:
        return Reply([TEXT["reports_empty"]])
    pages = (len(reports) + REPORTS_PER_PAGE - 1) // REPORTS_PER_PAGE
    page = max(0, min(page, pages - 1))
    shown = reports[page * REPORTS_PER_PAGE:(page + 1) * REPORTS_PER_PAGE]
    lines = [say("reports_title", total=len(reports), page=page + 1, pages=pages)]
    lines += [f"{page * REPORTS_PER_PAGE + i + 1}. " + _report_line(r) for i, r in enumerate(shown)]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(TEXT["prev_page"], callback_data=f"page:{page - 1}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(TEXT["next_page"], callback_data=f"page:{page + 1}"))
    return Reply(split_html("\n".join(lines)), InlineKeyboardMarkup([nav]) if nav else None)


def _report_line(report: dict) -> str:
    failed = report.get("checks_failed") or 0
    checks = say("checks_failed", count=failed) if failed else ""
    return say("report_line", agency=str(report.get("agency") or "?"), year=report.get("year") or "?",
               format=format_label(report.get("format")), facts=report.get("facts", 0), checks=checks) + (
        say("report_url", url=report["url"]) if report.get("url") else "")


def format_label(table_format: str | None) -> str:
    """"2019" → 2019版表格, "none" → 无统计表格."""
    return FORMATS.get(str(table_format), str(table_format or "—"))


def render_build_summary(summary) -> str:
    """A BuildSummary (index.build) as the final text of the /reindex progress message."""
    text = say("reindex_done", seconds=summary.seconds, added=summary.added, changed=summary.changed,
               removed=summary.removed, unchanged=summary.unchanged, reports=summary.reports, facts=summary.facts)
    failed = [say("reindex_failed_line", file=Path(file).name, reason=reason) for file, reason in summary.failed]
    not_read = getattr(summary, "failed_unchanged", None)
    if not_read:
        failed.insert(0, say("reindex_failed_unchanged", failed=len(summary.failed), count=len(not_read)))
    pictures = getattr(summary, "not_reports", None)
    if pictures:
        failed.append(say("reindex_not_reports", count=len(pictures), files=TEXT["list_sep"].join(
            Path(file).name for file, _ in pictures[:10]) + (TEXT["list_more"] if len(pictures) > 10 else "")))
    return "\n".join([text, *failed])[:MESSAGE_LIMIT]


def render_status(stats: dict, last: dict | None, uptime_seconds: float, version: str,
                  quarantined: list[dict] = ()) -> str:
    last_build = stats.get("last_build") or {}
    if last and "error" in last:
        outcome = last["error"]
    else:
        outcome = TEXT["status_ok"] if stats.get("built_at") else TEXT["status_never"]
    failures = [f"{Path(f).name}（{why}）" for f, why in last_build.get("failed", [])]
    if last_build.get("failed_unchanged"):  # remembered failures (index.failures): skipped until they change
        failures.append(say("status_failed_unchanged", count=len(last_build["failed_unchanged"])))
    hours, rest = divmod(int(uptime_seconds), 3600)
    text = say("status", reports=stats.get("reports", 0), agencies=stats.get("agencies", 0),
               years="、".join(str(y) for y in stats.get("years", [])) or "—",
               built_at=str(stats.get("built_at") or TEXT["status_never"]), outcome=outcome,
               failures="；".join(failures) or "无", uptime=f"{hours}:{rest // 60:02d}:{rest % 60:02d}",
               version=version)
    return "\n".join([text, *problem_lines(stats, quarantined)])[:MESSAGE_LIMIT]


def conflict_items(conflicts: list[dict], most: int = 3) -> str:
    """威海市文登区人民政府2020年本年新收…：42（a.txt） / 9999（b.txt）; … for the first few conflicts."""
    cat = catalogue.load()
    items = [say("status_conflict_item", agency=c["agency"], year=c["year"], label=cat.label(c["metric"]),
                 values=" / ".join(say("status_conflict_value", raw=v["raw"] or "?", file=Path(v["file"]).name)
                                   for v in c["values"])) for c in conflicts[:most]]
    return TEXT["list_sep"].join(items) + (TEXT["list_more"] if len(conflicts) > most else "")


def problem_lines(stats: dict, quarantined: list[dict]) -> list[str]:
    """What an admin should look at: two files for one agency and year, figures they disagree on, files set aside."""
    lines = []
    duplicates = stats.get("duplicates") or {}
    if duplicates:
        lines.append(say("status_duplicates", items=TEXT["list_sep"].join(
            say("status_duplicate_item", file=Path(f).name, used=Path(u).name) for f, u in duplicates.items())))
    conflicts = stats.get("conflicts") or []
    if conflicts:
        lines.append(say("status_conflicts", count=len(conflicts), items=conflict_items(conflicts)))
    if quarantined:
        lines.append(say("status_quarantined", count=len(quarantined),
                         items=TEXT["list_sep"].join(say("status_quarantined_item", file=str(n.get("file")),
                                                         reason=str(n.get("reason"))) for n in quarantined[-5:])))
    return lines


def source_windows(facts: list[dict], around: int = 3, most: int = 3) -> list[tuple[str, int, int, set[int]]]:
    """(file, centre, around, marked lines) windows covering the facts' source lines; near lines share one."""
    places = sorted({(f["source"]["file"], f["source"]["line"]) for f in facts if (f.get("source") or {}).get("line")})
    windows: list[tuple[str, int, int]] = []
    for file, line in places:
        if windows and windows[-1][0] == file and line - windows[-1][2] <= 2 * around:
            windows[-1] = (file, windows[-1][1], line)
        else:
            windows.append((file, line, line))
    return [(file, (first + last) // 2, (last - first + 1) // 2 + around,
             {line for f, line in places if f == file and first <= line <= last})
            for file, first, last in windows[:most]]


def render_source(file: str, marked: set[int], lines: list[tuple[int, str]]) -> str:
    width = len(str(max((n for n, _ in lines), default=1)))
    body = "\n".join(f"{'→' if n in marked else ' '}{n:>{width}} {text.expandtabs(4)[:200]}" for n, text in lines)
    return say("source_title", file=file, line=min(marked)) + f"\n<pre>{html.escape(body)}</pre>"


def render_inline(answer: Answer, result_id: str = "0") -> InlineQueryResultArticle:
    """The answer as an inline result: its first line as the title, the whole text as the message sent."""
    title = answer.text.splitlines()[0][:60] if answer.text else answer.question
    text = render_answer(answer).parts[0]
    return InlineQueryResultArticle(id=result_id, title=title, description=answer.text[:120],
                                    input_message_content=InputTextMessageContent(text, parse_mode="HTML"))


def facts_csv(facts: list[dict]) -> bytes:
    """The facts as CSV; UTF-8 with a BOM so spreadsheet programs read the Chinese right."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for fact in facts:
        writer.writerow({**fact, **{k: v for k, v in (fact.get("source") or {}).items() if k in CSV_COLUMNS}})
    return out.getvalue().encode("utf-8-sig")


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at line boundaries into parts of at most ``limit`` characters.

    A single line longer than ``limit`` is cut where no tag or entity is open,
    so every part stays valid HTML on its own (tags never span lines here).
    """
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            parts, current = _flush(parts, current), ""
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts, current = _flush(parts, current), line
        else:
            current = candidate
    return _flush(parts, current) or [""]


def _flush(parts: list[str], current: str) -> list[str]:
    return [*parts, current] if current.strip() else parts


_OPEN_MARKUP = re.compile(r"<[^>]*$|&[#\w]*$")


def _safe_cut(line: str, limit: int) -> int:
    """The largest cut ≤ limit that falls neither inside a tag or entity nor between <b> and </b>."""
    cut = limit
    match = _OPEN_MARKUP.search(line[:cut])
    cut = match.start() if match and match.start() > 0 else cut
    for tag in ("b", "i", "pre", "code"):
        head = line[:cut]
        if head.count(f"<{tag}>") > head.count(f"</{tag}>") and head.rfind(f"<{tag}>") > 0:
            cut = head.rfind(f"<{tag}>")
    return cut


def _label(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
