"""One fetch run: every portal's list pages, then every report page and its attachments, into DIR/<host>/<path>.

List pages are asked for conditionally (their last copy kept beside the state), so an unchanged column costs
a 304 per page. A TRS list that loads later pages from the CMS's search API is paged through that API when the
portal gives it (`api`), else the items only the API lists are counted (`unlisted`) and said (`incomplete`).

A report counts once however many files it has: `new` when its page (or its only file) was
not there before, `changed` when any of its files' bytes changed, `unchanged` when none did
(a 304, or the same sha256), `failed` when its page could not be fetched. Every failure is
kept with its URL and reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from index.harvest.fetcher import ATTACHMENTS, Fetched, Fetcher, FetchError, Polite, decode_page
from index.harvest.listing import (
    ListScript,
    ReportLink,
    column_scope,
    date_of,
    in_scope,
    list_script,
    page_meta,
    parse_api_page,
    parse_attachments,
    parse_listing,
    static_pages,
)
from index.harvest.portals import Portal
from index.harvest.provenance import write_sources
from index.harvest.state import FetchState, sha256_file, write_atomically

Progress = Callable[[int, int, str], None]
_SAFE = re.compile(r"[^\w.\-（）()]+")


@dataclass
class FetchSummary:
    portals: int = 0
    reached: int = 0
    pages: int = 0  # list pages read
    pages_unchanged: int = 0  # of which answered 304: read from the copy kept last time
    found: int = 0  # report links
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    unlisted: int = 0  # items the lists declare that no page read showed (a CMS's API not given)
    incomplete: list[tuple[str, str]] = field(default_factory=list)  # (list url, what it could not show)
    downloaded: int = 0  # bytes of list pages, report pages and files received (a 304 has none)
    seconds: float = 0.0

    def line(self) -> str:
        return (f"portals {self.reached}/{self.portals} reached · pages {self.pages} (unchanged "
                f"{self.pages_unchanged}) · reports found {self.found} · new {self.new} · changed {self.changed} · "
                f"unchanged {self.unchanged} · failed {len(self.failed)} · unlisted {self.unlisted} · "
                f"downloaded {_size(self.downloaded)}"
                f" in {self.seconds:.1f}s")

    @property
    def ok(self) -> bool:
        """Every portal reached: the run did its job even if some reports failed."""
        return self.reached == self.portals


def fetch_portals(portals: list[Portal], folder: str | Path, polite: Polite | None = None,
                  progress: Progress | None = None, transport: httpx.BaseTransport | None = None) -> FetchSummary:
    started = datetime.now(UTC)
    polite = polite or Polite()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = FetchState(folder)
    summary = FetchSummary(portals=len(portals))
    with Fetcher(polite, transport) as fetcher:
        work: list[tuple[Portal, ReportLink]] = []
        runs: dict[str, dict] = {}
        for portal in portals:
            lists = _read_lists(fetcher, state, portal)
            summary.pages += lists.read
            summary.pages_unchanged += lists.unchanged
            summary.reached += bool(lists.read)
            summary.found += len(lists.links)
            summary.failed.extend(lists.failures)
            summary.unlisted += lists.unlisted
            summary.incomplete.extend(lists.incomplete)
            runs[portal.name] = {"reached": bool(lists.read), "pages": lists.read, "pages_unchanged": lists.unchanged,
                                 "found": len(lists.links), "unlisted": lists.unlisted, "new": 0, "changed": 0,
                                 "unchanged": 0, "failures": list(lists.failures),
                                 "incomplete": [list(i) for i in lists.incomplete]}
            work.extend((portal, link) for link in lists.links)
        with ThreadPoolExecutor(max_workers=max(1, polite.workers)) as pool:
            jobs = [pool.submit(_fetch_report, fetcher, state, portal, link) for portal, link in work]
            try:
                _collect(work, jobs, state, summary, runs, progress)
            except BaseException:  # Ctrl-C: the reports not started yet are not fetched; what is done is kept
                pool.shutdown(wait=True, cancel_futures=True)
                state.save()
                raise
        summary.downloaded = fetcher.downloaded
    finished = datetime.now(UTC)
    for name, run in runs.items():
        state.record_portal(name, {"last_fetch": finished.isoformat(timespec="seconds"),
                                   **run, "failures": [list(f) for f in run["failures"]]})
    state.save()
    write_sources(state)
    summary.seconds = (finished - started).total_seconds()
    return summary


def _collect(work: list, jobs: list, state: FetchState, summary: FetchSummary, runs: dict,
             progress: Progress | None) -> None:
    """Each report's outcome into the summary and its portal's run, in the order the reports were listed."""
    for done, ((portal, link), job) in enumerate(zip(work, jobs, strict=True), start=1):
        outcome, failures = job.result()
        state.save()  # after each report: a crash loses nothing fetched so far
        run = runs[portal.name]
        if outcome != "failed":
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            run[outcome] += 1
        summary.failed.extend(failures)
        run["failures"].extend(failures)
        if progress:
            progress(done, len(work), link.url)


@dataclass
class _Lists:
    """What one portal's list pages gave."""
    links: list[ReportLink] = field(default_factory=list)
    read: int = 0  # list pages (and search API pages) read
    unchanged: int = 0  # of which 304
    failures: list[tuple[str, str]] = field(default_factory=list)
    unlisted: int = 0  # items declared by a list's script that no page read showed
    incomplete: list[tuple[str, str]] = field(default_factory=list)  # (list url, why items are missing)


def _read_lists(fetcher: Fetcher, state: FetchState, portal: Portal) -> _Lists:
    """The portal's report links from its list pages (pagination followed), then from the CMS's search API for
    a list whose script loads later pages from it; what could not be reached is counted and said."""
    out, links = _Lists(), {}
    queue, seen = list(portal.lists), {_page_key(u) for u in portal.lists}
    read_pages: set[str] = set()
    scripts: dict[tuple, tuple[str, ListScript]] = {}  # one per column (its API arguments), first page it is on
    while queue and out.read < fetcher.polite.max_list_pages:
        url = queue.pop(0)
        try:
            body, headers, final_url, same = _get_list(fetcher, state, url)
        except FetchError as err:
            out.failures.append((err.url, err.reason))
            continue
        except OSError as err:
            out.failures.append((url, f"cannot write: {err.strerror or err}"))
            continue
        out.read += 1
        out.unchanged += same
        read_pages.update((_page_key(url), _page_key(final_url)))
        scope = column_scope(next((u for u in portal.lists if column_scope(u) in url), url))
        html = decode_page(body, headers)
        found, pages = parse_listing(html, final_url, scope)
        for link in found:
            links.setdefault(link.url, link)
        declared = list_script(html)
        if declared:
            scripts.setdefault((scope, declared.args), (final_url, declared))
        for page in pages:
            if _page_key(page) not in seen:
                seen.add(_page_key(page))
                queue.append(page)
    for (scope, _), (url, declared) in scripts.items():
        _read_api(fetcher, state, portal, url, scope, declared, read_pages, links, out)
    out.links = list(links.values())
    return out


def _read_api(fetcher: Fetcher, state: FetchState, portal: Portal, url: str, scope: str, declared: ListScript,
              read_pages: set[str], links: dict, out: _Lists) -> None:
    """A list that loads later pages from the CMS's search API: page through it when the portal gives its URL,
    else count the items only it lists (declared total − what the static pages read can show)."""
    static = static_pages(url, declared.static_pages)
    # what the static pages read can show: their declared page size each, else (no size said) the reports found
    shown = sum(_page_key(u) in read_pages for u in static) * declared.per_page if declared.per_page \
        else sum(in_scope(link, scope) for link in links)
    if not portal.api or not declared.args:
        missing = max(0, (declared.total or 0) - shown)
        if missing:
            out.unlisted += missing
            args = ", ".join(f"{k}={v}" for k, v in declared.args)
            out.incomplete.append((url, f"the list declares {declared.total} items, its static pages read show "
                                        f"{shown}: {missing} more are listed only by the CMS's search API ({args}); "
                                        + ("give this portal api = \"…\" in PORTALS.toml" if not portal.api else
                                           "its script names no arguments to ask the portal's api with")))
        return
    items: set[str] = set()
    room = max(1, fetcher.polite.max_list_pages - out.read)
    for page in declared.api_pages(portal.api, room):
        try:
            body, headers, _, same = _get_list(fetcher, state, page, "text")
            found, listed = parse_api_page(decode_page(body, headers), scope)
        except FetchError as err:
            out.failures.append((err.url, err.reason))
            break
        except ValueError as err:
            out.failures.append((page, str(err)))
            break
        except OSError as err:
            out.failures.append((page, f"cannot write: {err.strerror or err}"))
            break
        out.read += 1
        out.unchanged += same
        for link in found:
            links.setdefault(link.url, link)
        if not listed - items:  # an empty page, or one that repeats: the end of the list
            break
        items |= listed
    missing = max(0, (declared.total or 0) - max(len(items), shown))
    if missing:
        out.unlisted += missing
        out.incomplete.append((url, f"the list declares {declared.total} items, the search API {portal.api} "
                                    f"listed {len(items)}: {missing} not reached"))


def _get_list(fetcher: Fetcher, state: FetchState, url: str, expect: str = "html") -> tuple[bytes, dict, str, bool]:
    """(body, headers, url after redirects, unchanged) of one list page, asked for conditionally when its copy
    from last time is intact: a 304 is read from that copy, so an unchanged column costs no list bytes."""
    old = state.list_entry(url)
    copy = state.list_copy(url)
    kept = bool(old.get("sha256")) and sha256_file(copy) == old["sha256"]
    got = fetcher.get(url, expect, *((old.get("etag", ""), old.get("last_modified", "")) if kept else ("", "")))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if got.status == 304:
        state.record_list(url, {**old, "checked_at": now})
        return copy.read_bytes(), {"content-type": old.get("content_type", "")}, old.get("final_url") or url, True
    if got.kind != expect:
        raise FetchError(url, f"list page is a .{got.kind} file, not HTML")
    write_atomically(copy, got.body)
    state.record_list(url, {"final_url": got.url if got.url != url else "", "etag": got.etag,
                            "last_modified": got.last_modified, "sha256": hashlib.sha256(got.body).hexdigest(),
                            "content_type": got.headers.get("content-type", ""), "fetched_at": now,
                            "checked_at": now})
    return got.body, got.headers, got.url, False


def _page_key(url: str) -> str:
    """A folder and its index page are one list page (…/zfxxgknb/ and …/zfxxgknb/index.html)."""
    return re.sub(r"/index\.s?html?$", "/", url)


def _fetch_report(fetcher: Fetcher, state: FetchState, portal: Portal, link: ReportLink) -> tuple[str, list]:
    """('new'|'changed'|'unchanged'|'failed', [(url, reason)]) for one report and its attachments."""
    suffix = PurePosixPath(urlsplit(link.url).path).suffix.lower().lstrip(".")
    title = _title(link.title, portal.agency, link.year)
    try:
        page, outcome = _get_and_save(fetcher, state, link.url, suffix if suffix in ATTACHMENTS else "html",
                                      title, link.published, "")
    except FetchError as err:
        return "failed", [(err.url, err.reason)]
    except OSError as err:
        return "failed", [(link.url, f"cannot write: {err.strerror or err}")]
    failures, outcomes = [], [outcome]
    if page["kind"] == "html":
        html = decode_page((state.folder / page["file"]).read_bytes())
        published = link.published or date_of(page_meta(html).get("PubDate", ""))
        if published != page.get("published"):
            state.record(link.url, {**state.entry(link.url), "published": published})
        for attachment in parse_attachments(html, page["final_url"] or link.url):
            try:
                _, got = _get_and_save(fetcher, state, attachment.url, attachment.suffix, title, published,
                                       page["file"])
                outcomes.append(got)
            except FetchError as err:
                failures.append((err.url, err.reason))
            except OSError as err:
                failures.append((attachment.url, f"cannot write: {err.strerror or err}"))
    if outcome == "new":
        return "new", failures
    return ("changed" if any(o != "unchanged" for o in outcomes) else "unchanged"), failures


def _get_and_save(fetcher: Fetcher, state: FetchState, url: str, expect: str, title: str, published: str,
                  parent: str) -> tuple[dict, str]:
    """Fetch one file (conditionally when a good copy is on disk) and save it; (its state entry, outcome)."""
    old = state.entry(url)
    on_disk = bool(old.get("file")) and sha256_file(state.folder / old["file"]) == old.get("sha256")
    got: Fetched = fetcher.get(url, expect, *((old.get("etag", ""), old.get("last_modified", "")) if on_disk
                                              else ("", "")))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if got.status == 304:
        entry = {**old, "title": title, "published": old.get("published") or published, "parent": parent,
                 "checked_at": now}
        state.record(url, entry)
        return entry, "unchanged"
    digest = hashlib.sha256(got.body).hexdigest()
    target = target_path(url, got.kind)
    # the same bytes already there (also when a stopped run saved the file but not yet its state) are unchanged
    there = sha256_file(state.folder / target)
    outcome = "unchanged" if there == digest else "changed" if old.get("file") or there else "new"
    if outcome != "unchanged":
        write_atomically(state.folder / target, got.body)
    entry = {"file": target, "final_url": got.url if got.url != url else "", "kind": got.kind, "title": title,
             "published": published, "parent": parent, "fetched_at": now, "checked_at": now,
             "etag": got.etag, "last_modified": got.last_modified, "sha256": digest}
    state.record(url, entry)
    return entry, outcome


def target_path(url: str, kind: str) -> str:
    """Where a URL's file goes, relative to DIR: <host>/<path>, with a suffix the index reads for its kind."""
    parts = urlsplit(url)
    host = _SAFE.sub("_", parts.netloc.lower()).strip("._") or "host"
    segments = [_SAFE.sub("_", unquote(s)).strip("._") or "_" for s in parts.path.split("/") if s not in ("", ".", "..")]
    if not segments or parts.path.endswith("/"):
        segments.append("index.html")
    name = segments[-1]
    if parts.query:
        stem, dot, ext = name.rpartition(".")
        digest = hashlib.sha1(parts.query.encode()).hexdigest()[:8]
        name = f"{stem}_{digest}.{ext}" if dot else f"{name}_{digest}"
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    wanted = ("html", "htm") if kind == "html" else (kind,)
    if suffix not in wanted:
        name = f"{name}.{wanted[0]}"
    segments[-1] = name
    return "/".join([host, *segments])


def _title(title: str, agency: str, year: int) -> str:
    """The link title, with the portal's agency hint in front when the title names no one before its year."""
    before = title.split(str(year), 1)[0].strip()
    return f"{agency}{title}" if agency and not before else title


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB"):
        if count < 1024 or unit == "MB":
            return f"{count} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return ""
