"""Polite, checked HTTP for the harvester: one `Fetcher.get(url)` that either returns a checked body or says why not.

- robots.txt of each origin honoured (protego, which reads the wildcards and Allow/Disallow precedence
  of RFC 9309 that the standard library's robotparser gets wrong); unreachable (5xx, timeout) means
  "disallow all" as the RFC asks, missing (4xx) means "allow all";
- per host: at most `per_host` requests in flight and `delay` seconds between two starts;
- timeouts; retries with exponential backoff after a 5xx, a timeout or a dropped connection, none after a 4xx;
- redirects followed by hand, each hop checked against robots.txt, at most `max_redirects`, loops detected;
- size caps while streaming (a lying Content-Length does not help);
- conditional GET (If-None-Match / If-Modified-Since) → 304 is "unchanged";
- the body's magic bytes decide what it is, read by index.sniff as the index will read the saved file: a PDF
  served as text/html is still a PDF, an HTML error page served for a .pdf link is a failure.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from index.read_html import decode_html
from index.sniff import EXTENSIONS, sniff_bytes

USER_AGENT = "nianbao-fetch/0.1 (government information-disclosure annual reports; polite crawler)"
REDIRECTS = {301, 302, 303, 307, 308}
# a report attachment's suffixes (the kind index.sniff gives each is in EXTENSIONS)
ATTACHMENTS = ("pdf", "docx", "xlsx", "ofd", "doc", "xls", "wps", "rtf", "odt", "ods", "et")
# kinds of report file the index reads (index.sniff): bytes of one of these are kept whatever the link promised
DOCUMENTS = frozenset({"pdf", "docx", "xlsx", "ofd", "doc", "xls", "rtf", "odt", "ods"})


@dataclass(frozen=True)
class Polite:
    delay: float = 1.0  # seconds between two requests to one host
    per_host: int = 2  # requests in flight to one host
    timeout: float = 20.0  # seconds for one request
    retries: int = 3  # more tries after a 5xx, a timeout or a dropped connection
    backoff: float = 1.0  # first wait before a retry; doubled each time
    max_redirects: int = 5
    max_page_mb: float = 5.0  # an HTML page
    max_file_mb: float = 50.0  # an attachment
    max_list_pages: int = 50  # list pages of one portal
    workers: int = 4  # reports fetched at once (over all hosts)
    user_agent: str = USER_AGENT


class FetchError(Exception):
    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


@dataclass
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 when the conditional GET found it unchanged
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    kind: str = ""  # "html" or an attachment suffix, read from the bytes

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")


class _Host:
    def __init__(self, per_host: int):
        self.slots = threading.Semaphore(per_host)
        self.lock = threading.Lock()
        self.next_start = 0.0


class Fetcher:
    """One per run; safe to share between threads."""

    def __init__(self, polite: Polite | None = None, transport: httpx.BaseTransport | None = None):
        self.polite = polite or Polite()
        self.client = httpx.Client(timeout=self.polite.timeout, follow_redirects=False, transport=transport,
                                   headers={"User-Agent": self.polite.user_agent})
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, Protego | None] = {}
        self._lock = threading.Lock()
        self.downloaded = 0  # bytes of the bodies get() returned (pages, lists, files; not robots.txt nor errors)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, expect: str = "html", etag: str = "", last_modified: str = "") -> Fetched:
        """GET `url` expecting `expect` ("html", "text" or an attachment suffix); FetchError says why it failed."""
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        seen = [url]
        while True:
            if not self.allowed(url):
                raise FetchError(url, "disallowed by robots.txt")
            response = self._request(url, conditional)
            status, headers, body = response
            if status in REDIRECTS and headers.get("location"):
                target = urljoin(url, headers["location"]).split("#")[0]
                if target in seen:
                    raise FetchError(seen[0], f"redirect loop ({' → '.join([*seen, target])})")
                if len(seen) > self.polite.max_redirects:
                    raise FetchError(seen[0], f"more than {self.polite.max_redirects} redirects")
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(seen[0], f"redirect to {target}")
                seen.append(target)
                url = target
                continue
            if status == 304 and conditional:
                return Fetched(url, 304, b"", headers, expect)
            if status != 200:
                raise FetchError(url, f"HTTP {status}")
            with self._lock:
                self.downloaded += len(body)
            return Fetched(url, 200, body, headers, _check_kind(url, expect, headers, body))

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            known = origin in self._robots
        if not known:
            rules = self._read_robots(origin)
            with self._lock:
                self._robots[origin] = rules
        rules = self._robots[origin]
        return rules is not None and rules.can_fetch(url, self.polite.user_agent)

    def _read_robots(self, origin: str) -> Protego | None:
        """The origin's rules; None (nothing allowed) when robots.txt cannot be read for a server error or timeout."""
        try:
            status, _, body = self._request(f"{origin}/robots.txt", {}, limit=512 * 1024)
        except FetchError:
            return None
        if status >= 500:
            return None
        if status != 200:  # no robots.txt (or a redirect away from it): everything allowed
            return Protego.parse("")
        return Protego.parse(body.decode("utf-8", errors="replace"))

    def _host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc
        with self._lock:
            if netloc not in self._hosts:
                self._hosts[netloc] = _Host(max(1, self.polite.per_host))
            return self._hosts[netloc]

    def _request(self, url: str, headers: dict, limit: int | None = None) -> tuple[int, dict, bytes]:
        """One GET with retries: (status, lower-cased headers, body); FetchError after the last try."""
        limit = limit or int(self.polite.max_file_mb * 1024 * 1024)
        wait, last = self.polite.backoff, ""
        for attempt in range(self.polite.retries + 1):
            if attempt:
                time.sleep(wait)
                wait *= 2
            try:
                status, got, body = self._once(url, headers, limit)
            except httpx.TimeoutException:
                last = f"timed out after {self.polite.timeout:g} s"
                continue
            except httpx.TransportError as err:
                last = f"connection failed: {type(err).__name__} {err}".strip()
                continue
            if status >= 500:
                last = f"HTTP {status}"
                continue
            return status, got, body
        raise FetchError(url, f"{last} ({self.polite.retries + 1} tries)")

    def _once(self, url: str, headers: dict, limit: int) -> tuple[int, dict, bytes]:
        host = self._host(url)
        with host.slots:
            with host.lock:
                now = time.monotonic()
                start = max(now, host.next_start)
                host.next_start = start + self.polite.delay
            time.sleep(max(0.0, start - now))
            with self.client.stream("GET", url, headers=headers) as response:
                got = {k.lower(): v for k, v in response.headers.items()}
                if "html" in got.get("content-type", "").lower():  # a page has its own, smaller cap
                    limit = min(limit, int(self.polite.max_page_mb * 1024 * 1024))
                declared = got.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(url, f"too big: {int(declared)} bytes (cap {limit})")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(url, f"too big: more than {limit} bytes (cap)")
                    chunks.append(chunk)
                return response.status_code, got, b"".join(chunks)


def _check_kind(url: str, expect: str, headers: dict, body: bytes) -> str:
    """The kind of file the body is, checked against what the link promised; FetchError when it is not one.

    index.sniff decides by the bytes, as the index will when it reads the file: a PDF served as text/html is a
    PDF, a .doc link's DOCX is a DOCX; an attachment keeps the link's suffix when its bytes are that kind
    (a .wps stays .wps). HTML has no signature: markup, or a text/html body with no other signature, is a page.
    """
    found = sniff_bytes(body, f".{expect}" if expect in ATTACHMENTS else "")
    if expect in ATTACHMENTS and found == EXTENSIONS[f".{expect}"]:
        return expect
    if found in DOCUMENTS:
        return found
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if expect == "text":  # a search API's answer: any text, no file and no picture
        if found in ("html", "unknown") and body.strip():
            return "text"
        raise FetchError(url, f"not a text answer ({content_type or 'no content type'}, "
                              f"{'starts ' + repr(body[:8]) if body else 'empty'})")
    if expect == "html":
        if found == "html" or content_type in ("text/html", "application/xhtml+xml") and found == "unknown" \
                and body.strip():
            return "html"
        raise FetchError(url, f"not an HTML page ({content_type or 'no content type'}, "
                              f"{'starts ' + repr(body[:8]) if body else 'empty'})")
    what = "an HTML page" if found == "html" else repr(body[:8]) if body else "nothing"
    raise FetchError(url, f"not a .{expect} file: the server sent {what}")


def decode_page(body: bytes, headers: dict | None = None) -> str:
    """HTML bytes → text, decoded as the index reads HTML (index.read_html), the HTTP charset tried first."""
    declared = re.search(r"charset=\s*[\"']?([\w.:-]+)", (headers or {}).get("content-type", ""), re.I)
    return decode_html(body, declared.group(1) if declared else "") or body.decode("utf-8", errors="replace")
