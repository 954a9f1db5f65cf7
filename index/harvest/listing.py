"""A 年报 column's list pages → the report links on them and the next list pages; a report page → its attachments.

Report links are picked by title (lexicon/harvest.yaml: 年度报告/年报 and a year, none of
the words of a non-report) and kept only under the column's path. Pagination of the common
CMSs: links to `index_N.html`, a 下一页 link, and TRS's `createPageHTML(total, current,
"index", "html")` script, which draws links to index.html, index_1.html … index_{total-1}.html.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from index.harvest.fetcher import ATTACHMENTS
from index.yamlfile import read_yaml

LEXICON = Path(__file__).resolve().parent.parent / "lexicon" / "harvest.yaml"
_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_INDEX_PAGE = re.compile(r"(?:^|/)index(?:_\d+)?\.s?html?$", re.I)
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]"
                          r"\s*,\s*['\"](\w+)['\"]")


@dataclass(frozen=True)
class ReportLink:
    url: str
    title: str
    year: int
    published: str = ""  # yyyy-mm-dd printed beside the link, if any


@dataclass(frozen=True)
class Attachment:
    url: str
    text: str
    suffix: str


@functools.cache
def words() -> dict[str, tuple[str, ...]]:
    data = read_yaml(LEXICON)
    return {key: tuple(value) for key, value in data.items()}


def report_year(title: str) -> int | None:
    """The year a link title's report is about, or None when the title is no annual report's."""
    text = unicodedata.normalize("NFKC", title)
    w = words()
    if not any(word in text for word in w["report"]) or any(word in text for word in w["not_report"]):
        return None
    year = _YEAR.search(text)
    return int(year.group(1)) if year else None


def column_scope(list_url: str) -> str:
    """The column's path: the list URL's folder (`…/zfxxgknb/` for `…/zfxxgknb/index.html`)."""
    parts = urlsplit(list_url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def in_scope(url: str, scope: str) -> bool:
    a, b = urlsplit(url), urlsplit(scope)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc) or not a.path.startswith(b.path):
        return False
    return ".." not in PurePosixPath(a.path).parts


def parse_listing(html: str, page_url: str, scope: str) -> tuple[list[ReportLink], list[str]]:
    """(report links, list pages) found on one list page; both under `scope`, in page order, without repeats."""
    tree = HTMLParser(html)
    base = _base(tree, page_url)
    reports: dict[str, ReportLink] = {}
    pages: dict[str, None] = {}
    next_words = words()["next_page"]
    for a in tree.css("a[href]"):
        url = _absolute(base, a.attributes.get("href") or "")
        if not url or not in_scope(url, scope):
            continue
        text = " ".join((a.text() or "").split())
        title = a.attributes.get("title") or ""
        title = title if len(title) >= len(text) else text  # a long title is often cut short in the link text
        year = report_year(title)
        if year and url not in reports:
            reports[url] = ReportLink(url, title, year, _date_near(a, title))
        elif _INDEX_PAGE.search(urlsplit(url).path) or any(w in text for w in next_words):
            pages[url] = None
    for script in tree.css("script"):
        for total, _current, stem, ext in _CREATE_PAGE.findall(script.text() or ""):
            for n in range(int(total)):
                name = f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}"
                url = urljoin(base, name)
                if in_scope(url, scope):
                    pages[url] = None
    pages.pop(page_url, None)
    return list(reports.values()), list(pages)


def parse_attachments(html: str, page_url: str) -> list[Attachment]:
    """Report files a report page links to on its own host (pdf, doc, docx, wps, xls, xlsx, ofd), forms left out."""
    tree = HTMLParser(html)
    base = _base(tree, page_url)
    host = urlsplit(page_url).netloc
    skip = words()["not_attachment"]
    found: dict[str, Attachment] = {}
    for a in tree.css("a[href]"):
        url = _absolute(base, a.attributes.get("href") or "")
        if not url or urlsplit(url).netloc != host:
            continue
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower().lstrip(".")
        text = " ".join(((a.text() or "") + " " + (a.attributes.get("title") or "")).split())
        if suffix in ATTACHMENTS and not any(w in text for w in skip) and url not in found:
            found[url] = Attachment(url, text, suffix)
    return list(found.values())


def page_meta(html: str) -> dict[str, str]:
    """The CMS's <meta name=… content=…> tags (ArticleTitle, PubDate, Url …) of a report page."""
    tree = HTMLParser(html)
    out = {}
    for meta in tree.css("meta[name]"):
        name, content = meta.attributes.get("name") or "", meta.attributes.get("content") or ""
        if name and content:
            out.setdefault(name, content.strip())
    return out


def date_of(text: str) -> str:
    """The first date in `text` as yyyy-mm-dd, or ""."""
    found = _DATE.search(unicodedata.normalize("NFKC", text or ""))
    return f"{found.group(1)}-{int(found.group(2)):02d}-{int(found.group(3)):02d}" if found else ""


def _base(tree: HTMLParser, page_url: str) -> str:
    base = tree.css_first("base[href]")
    return urljoin(page_url, base.attributes.get("href") or "") if base else page_url


def _absolute(base: str, href: str) -> str:
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
        return ""
    url = urljoin(base, href).split("#")[0]
    return url if urlsplit(url).scheme in ("http", "https") else ""


def _date_near(a, title: str) -> str:
    """A date printed in the list item around the link (its parent, or the parent's parent), not in the title."""
    node = a.parent
    for _ in range(3):
        if node is None:
            break
        text = (node.text() or "").replace(title, " ")
        found = date_of(text)
        if found:
            return found
        node = node.parent
    return ""
