"""Reports from the portals, through the bot: /fetch (admins; progress in one edited message, then a summary),
/sources (each portal's last fetch, reports and failures) and the scheduled fetch. A fetch writes into the
reports folder, then the Reindexer builds the index from it as /reindex does.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.tg.admin import BUILD_ERRORS, Context, ProgressMessage, Reindexer
from bot.tg.render import MESSAGE_LIMIT, render_build_summary
from bot.tg.texts import TEXT, say
from index.build import BuildSummary
from index.errors import NianbaoError
from index.harvest.crawl import FetchSummary, fetch_portals
from index.harvest.portals import load_portals
from index.harvest.state import read_state

logger = logging.getLogger(__name__)


class Harvester:
    """One fetch (and the build after it) at a time, on a worker thread."""

    def __init__(self, portals_file: str, reindexer: Reindexer):
        self.portals_file, self.reindexer = portals_file, reindexer
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def run(self, progress=None) -> tuple[FetchSummary, BuildSummary | None]:
        """Fetch every portal, then build the index when a report is new or changed."""
        async with self._lock:
            portals, polite = load_portals(self.portals_file)
            loop = asyncio.get_running_loop()

            def on_thread(done: int, total: int, url: str) -> None:
                loop.call_soon_threadsafe(progress, done, total, url)

            fetched = await asyncio.to_thread(fetch_portals, portals, self.reindexer.reports, polite,
                                              on_thread if progress else None)
            built = None
            if fetched.new or fetched.changed:
                built = await self.reindexer.run(wait=True)
            return fetched, built


class FetchProgress(ProgressMessage):
    """The /reindex progress message, saying which report is being fetched."""

    def __call__(self, done: int, total: int, url: str) -> None:
        self.show(say("fetch_progress", done=done, total=total, url=url))


async def fetch_command(update: Update, context: Context) -> None:
    """/fetch — fetch every portal of the configured PORTALS.toml, then update the index."""
    harvester: Harvester | None = context.bot_data.get("harvester")
    if harvester is None:
        await update.effective_message.reply_text(TEXT["fetch_off"])
        return
    if harvester.busy:
        await update.effective_message.reply_text(TEXT["fetch_busy"])
        return
    context.application.create_task(fetch_showing_progress(update.effective_message, harvester), update=update)


async def fetch_showing_progress(message: Message, harvester: Harvester) -> None:
    progress = FetchProgress(await message.reply_text(TEXT["fetch_started"]))
    try:
        fetched, built = await harvester.run(progress)
    except (*BUILD_ERRORS, NianbaoError) as exc:
        logger.exception("fetch failed")
        await progress.finish(say("fetch_error", reason=str(exc)))
        return
    await progress.finish(render_fetch_summary(fetched, built))


def render_fetch_summary(fetched: FetchSummary, built: BuildSummary | None) -> str:
    text = say("fetch_done", seconds=fetched.seconds, reached=fetched.reached, portals=fetched.portals,
               pages=fetched.pages, found=fetched.found, new=fetched.new, changed=fetched.changed,
               unchanged=fetched.unchanged, failed=len(fetched.failed))
    failures = [say("fetch_failed_line", url=url, reason=reason) for url, reason in fetched.failed]
    # a list whose items only the CMS's search API shows: say how many were not reached, and where
    missing = [say("fetch_unlisted", unlisted=fetched.unlisted)] if fetched.unlisted or fetched.incomplete else []
    missing += [say("fetch_incomplete_line", url=url, reason=reason) for url, reason in fetched.incomplete]
    parts = [text, *failures, *missing, render_build_summary(built) if built else TEXT["fetch_index_unchanged"]]
    return "\n".join(parts)[:MESSAGE_LIMIT]


async def sources_command(update: Update, context: Context) -> None:
    """/sources — each portal: last fetch, reports, failures (from the fetch state beside the reports)."""
    reindexer: Reindexer = context.bot_data["reindexer"]
    await update.effective_message.reply_text(render_sources(read_state(reindexer.reports)),
                                              parse_mode=ParseMode.HTML)


def render_sources(state: dict, most_failures: int = 5) -> str:
    portals = state.get("portals") or {}
    if not portals:
        return TEXT["sources_none"]
    lines = [TEXT["sources_title"]]
    for name, run in portals.items():
        failures = run.get("failures") or []
        lines.append(say("sources_line", name=name, last_fetch=str(run.get("last_fetch", "?")).replace("T", " "),
                         reached="" if run.get("reached") else TEXT["sources_unreached"], found=run.get("found", 0),
                         new=run.get("new", 0), changed=run.get("changed", 0), unchanged=run.get("unchanged", 0),
                         failed=len(failures)))
        lines += [say("fetch_failed_line", url=url, reason=reason) for url, reason in failures[:most_failures]]
    return "\n".join(lines)[:MESSAGE_LIMIT]


async def scheduled_fetch(context: Context) -> None:
    """The cron-scheduled fetch and build; skipped while another fetch runs."""
    harvester: Harvester = context.bot_data["harvester"]
    if harvester.busy:
        logger.info("scheduled fetch skipped: one is already running")
        return
    fetched, built = await harvester.run()
    for url, reason in fetched.failed:
        logger.warning("fetch failed %s: %s", url, reason)
    for url, reason in fetched.incomplete:
        logger.warning("fetch incomplete %s: %s", url, reason)
    logger.info("scheduled fetch: %s; index: %s", fetched.line(), built.line() if built else "unchanged")


def make_harvester(settings, reindexer: Reindexer) -> Harvester | None:
    return Harvester(str(Path(settings.fetch_portals)), reindexer) if settings.fetch_portals else None
