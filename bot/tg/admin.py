"""Admin features: /reindex with a live progress message, report uploads, /status, the scheduled re-index.

Admins are the user ids in ``settings.admins``; ``app.build_application`` routes
everyone else's admin commands and uploads to ``refuse``, which logs the attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import httpx
from telegram import File, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.tg.asking import AsyncAsker
from bot.tg.quarantine import Quarantine, free_name, sha256_file
from bot.tg.render import conflict_items, format_label, render_build_summary, render_status
from bot.tg.texts import TEXT, say
from index.build import BuildSummary, build_index
from index.errors import NianbaoError, ReindexBusy
from index.read import SUPPORTED

logger = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
BUILD_ERRORS = (NianbaoError, OSError, sqlite3.Error)


class Reindexer:
    """One index build at a time, on a worker thread; the Asker reloads once the new index is swapped in."""

    def __init__(self, reports: str | Path, db: str | Path, asker: AsyncAsker, build: Callable = build_index):
        self.reports, self.db, self.asker, self.build = Path(reports), Path(db), asker, build
        self.last: dict | None = None  # {"at": datetime, "summary": BuildSummary} or {"at", "error"}
        # beside the index, outside the reports folder: no build meets a quarantined file again
        self.quarantine = Quarantine(self.db.parent / "quarantine")
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def run(self, progress: Callable[[int, int, str], None] | None = None, wait: bool = False,
                  retry_failed: bool = False) -> BuildSummary:
        """Build now; with ``wait`` queue behind a running build (an upload must be indexed), else refuse.
        ``retry_failed`` reads again the files that failed before and have not changed (index.failures)."""
        if self.busy and not wait:
            raise ReindexBusy(f"a re-index of {self.reports} is already running")
        async with self._lock:
            loop = asyncio.get_running_loop()

            def on_thread(done: int, total: int, file: str) -> None:  # called by build_index on its thread
                loop.call_soon_threadsafe(progress, done, total, file)

            try:
                self._check_reports_folder()
                again = {"retry_failed": True} if retry_failed else {}
                summary = await asyncio.to_thread(self.build, [self.reports], self.db,
                                                  progress=on_thread if progress else None, **again)
            except BUILD_ERRORS as exc:
                self.last = {"at": datetime.now(UTC), "error": str(exc)}
                raise
            await self.asker.reload()
            self.last = {"at": datetime.now(UTC), "summary": summary}
            return summary

    def _check_reports_folder(self) -> None:
        """Refuse to build from a missing or empty folder: that would empty the index, a likely misconfiguration."""
        if not self.reports.is_dir() or not any(p.suffix.lower() in SUPPORTED for p in self.reports.rglob("*")):
            raise NianbaoError(f"no report files in {self.reports}")


class ProgressMessage:
    """A message edited as a build goes: one edit in flight at most, and at most one per ``every`` seconds."""

    def __init__(self, message: Message, every: float = 1.0):
        self.message, self.every = message, every
        self._last_edit = float("-inf")
        self._editing: asyncio.Task | None = None

    def __call__(self, done: int, total: int, file: str) -> None:
        self.show(say("reindex_progress", done=done, total=total, file=file))

    def show(self, text: str) -> bool:
        """Edit the message to `text` unless an edit is in flight or the last one is under `every` seconds old;
        whether it was sent. Progress texts are made by the caller, so any long job can show its own."""
        if (self._editing and not self._editing.done()) or time.monotonic() - self._last_edit < self.every:
            return False
        self._last_edit = time.monotonic()
        self._editing = asyncio.create_task(self._edit(text))
        return True

    async def finish(self, text: str) -> None:
        if self._editing:
            await self._editing
        await self.message.edit_text(text, parse_mode=ParseMode.HTML)

    async def _edit(self, text: str) -> None:
        with contextlib.suppress(TelegramError):  # a lost progress edit is not worth failing the build for
            await self.message.edit_text(text, parse_mode=ParseMode.HTML)


async def refuse(update: Update, context: Context) -> None:
    """Anyone but an admin trying an admin command or an upload: a polite no, and a log line."""
    user = update.effective_user
    what = (update.effective_message.text or "").split(maxsplit=1)[0] if update.effective_message.text else "upload"
    logger.warning("refused %s from user %s (@%s)", what, user.id if user else "?", user.username if user else "?")
    await update.effective_message.reply_text(TEXT["admin_refused"])


async def reindex(update: Update, context: Context) -> None:
    """/reindex — rebuild the index from the reports folder, showing progress in one edited message;
    /reindex retry also reads again the files that failed before and have not changed."""
    if context.bot_data["reindexer"].busy:
        await update.effective_message.reply_text(TEXT["reindex_busy"])
        return
    # in the background: the chat's later updates must not queue behind a build
    retry = [a.lower() for a in context.args or []] == ["retry"]
    context.application.create_task(rebuild_showing_progress(update.effective_message, context.bot_data["reindexer"],
                                                             retry_failed=retry), update=update)


async def rebuild_showing_progress(message: Message, reindexer: Reindexer, wait: bool = False,
                                   retry_failed: bool = False) -> None:
    progress = ProgressMessage(await message.reply_text(TEXT["reindex_started"]))
    try:
        summary = await reindexer.run(progress, wait=wait, retry_failed=retry_failed)
    except BUILD_ERRORS as exc:
        logger.exception("re-index failed")
        await progress.finish(say("reindex_error", reason=str(exc)))
        return
    await progress.finish(render_build_summary(summary))


async def receive_report(update: Update, context: Context) -> None:
    """An admin sent a report file: save it to the reports folder, index it, say what was recognised.

    The file is fetched to a hidden name (no build reads it) with its real size capped, whatever size it
    claimed; it never replaces a file of the same name (both are kept); bytes quarantined before are refused.
    """
    document, settings = update.effective_message.document, context.bot_data["settings"]
    problem = upload_problem(document.file_name or "", document.file_size or 0, settings.max_upload_mb)
    if problem:
        await update.effective_message.reply_text(problem)
        return
    reindexer: Reindexer = context.bot_data["reindexer"]
    reindexer.reports.mkdir(parents=True, exist_ok=True)
    name = safe_filename(document.file_name)
    staged = reindexer.reports / f".upload-{document.file_unique_id or 'file'}-{name}.part"
    limit = settings.max_upload_mb * 1024 * 1024
    if not await download_capped(await document.get_file(), staged, limit):
        logger.warning("upload %s is larger than it claimed (%s bytes): discarded", name, document.file_size)
        await update.effective_message.reply_text(
            say("upload_too_big_actual", limit=settings.max_upload_mb, claimed=(document.file_size or 0) / 2**20))
        return
    digest = sha256_file(staged)
    earlier = reindexer.quarantine.reason_for(digest)
    existing = reindexer.reports / name
    if earlier is not None or (existing.is_file() and sha256_file(existing) == digest):
        staged.unlink()
        await update.effective_message.reply_text(say("upload_quarantined_before", reason=earlier)
                                                  if earlier is not None else say("upload_same_file", file=name))
        return
    target = free_name(reindexer.reports, name)
    os.replace(staged, target)
    saved = say("upload_saved", file=target.name)
    if target.name != name:
        saved = "\n".join([say("upload_renamed", existing=name, file=target.name), saved])
    await update.effective_message.reply_text(saved)
    context.application.create_task(index_upload(update.effective_message, context, target), update=update)


async def download_capped(file: File, target: Path, limit: int) -> bool:
    """Fetch ``file`` to ``target``, stopping past ``limit`` bytes; False (and nothing kept) when it is larger."""
    url = file.file_path or ""
    try:
        if url.startswith(("http://", "https://")):
            async with httpx.AsyncClient(timeout=60) as client, client.stream("GET", url) as response:
                response.raise_for_status()
                size = 0
                with target.open("wb") as out:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > limit:
                            break
                        out.write(chunk)
        else:  # a local Bot API server hands a path
            await file.download_to_drive(target)
            size = target.stat().st_size
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if size > limit:
        target.unlink(missing_ok=True)
        return False
    return True


async def index_upload(message: Message, context: Context, target: Path) -> None:
    """Index the saved upload (after any running build) and say what the index made of it."""
    reindexer: Reindexer = context.bot_data["reindexer"]
    await rebuild_showing_progress(message, reindexer, wait=True)
    asker = context.bot_data["asker"]
    reports, stats = await asker.list_reports(""), await asker.stats()
    text = recognised(target, reports, reindexer, stats)
    summary = (reindexer.last or {}).get("summary")
    reason = next((why for file, why in _not_indexed(summary) if Path(file).name == target.name
                   and Path(file).parent.resolve() == reindexer.reports.resolve()), None)
    if reason is not None and target.exists():
        # a failed upload would be parsed again by every /reindex: set it aside until it changes
        reindexer.quarantine.put(target, reason)
        logger.warning("upload %s quarantined: %s", target.name, reason)
        text = "\n".join([text, say("upload_quarantined", file=target.name)])
    await message.reply_text(text, parse_mode=ParseMode.HTML)


def upload_problem(name: str, size: int, limit_mb: int) -> str | None:
    if Path(name).suffix.lower() not in SUPPORTED:
        return say("upload_bad_type", allowed=" ".join(SUPPORTED))
    if size > limit_mb * 1024 * 1024:
        return say("upload_too_big", size=size / 1024 / 1024, limit=limit_mb)
    return None


def safe_filename(name: str) -> str:
    """The file's own name, with no folder part and nothing a shell or a path could trip on."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-（）()]+", "_", base).lstrip(".")
    return cleaned or "report.txt"


def failure_of(target: Path, reindexer: Reindexer) -> str:
    summary = (reindexer.last or {}).get("summary")
    return next((why for file, why in _not_indexed(summary) if Path(file).name == target.name),
                (reindexer.last or {}).get("error", "?"))


def _not_indexed(summary: BuildSummary | None) -> list[tuple[str, str]]:
    """The files a build left out, with why: failures, and pictures with no report in them."""
    return [*summary.failed, *getattr(summary, "not_reports", [])] if summary else []


def recognised(target: Path, reports: list[dict], reindexer: Reindexer, stats: dict | None = None) -> str:
    """What the index made of the uploaded file: agency, year, format and checks, or why it failed; a second
    file for the same agency and year is named, and figures the two state differently are counted."""
    stats = stats or {}
    duplicates: dict[str, str] = stats.get("duplicates") or {}
    used = duplicates.get(target.name, target.name)  # a duplicate upload is described by the report used
    # files are named by their path in the reports folder; an upload sits at its top
    report = next((r for r in reports if str(r.get("file", "")) == used), None)
    if not report:
        return say("upload_not_recognised", file=target.name, reason=failure_of(target, reindexer))
    failed = report.get("checks_failed") or 0
    checks = say("upload_checks_failed", count=failed) if failed else TEXT["upload_checks_ok"]
    lines = [say("upload_recognised", agency=str(report["agency"]), year=report.get("year") or "?",
                 format=format_label(report.get("format")), facts=report.get("facts", 0), checks=checks)]
    others = [other for other, kept in duplicates.items() if kept == target.name]
    if used != target.name or others:
        dropped = target.name if used != target.name else "、".join(others)
        lines.append(say("upload_duplicate", other=used if used != target.name else dropped, used=used,
                         dropped=dropped))
    clashes = [c for c in stats.get("conflicts") or [] if any(v["file"] == target.name for v in c["values"])]
    if clashes:
        lines.append(say("upload_conflicts", count=len(clashes), examples=conflict_items(clashes)))
    return "\n".join(lines)


async def status(update: Update, context: Context) -> None:
    """/status — what is indexed, the last build's outcome, uptime and version."""
    stats = await context.bot_data["asker"].stats()
    uptime = time.monotonic() - context.bot_data["started"]
    reindexer: Reindexer = context.bot_data["reindexer"]
    text = render_status(stats, reindexer.last, uptime, version(), reindexer.quarantine.entries())
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def scheduled_reindex(context: Context) -> None:
    """The cron-scheduled re-index; skipped while another one runs."""
    reindexer: Reindexer = context.bot_data["reindexer"]
    if reindexer.busy:
        logger.info("scheduled re-index skipped: one is already running")
        return
    summary = await reindexer.run()
    logger.info("scheduled re-index: %s", summary.line())


def version() -> str:
    try:
        return metadata.version("nianbao")
    except metadata.PackageNotFoundError:
        return "dev"
