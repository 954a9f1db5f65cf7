"""A 年报 column's list pages → the report links on them and the next list pages; a report page → its attachments.

Report links are picked by title (lexicon/harvest.yaml: 年度报告/年报 and a year, none of
the words of a non-report) and kept only under the column's path. Pagination of the common
CMSs: links to `index_N.html`, a 下一页 link, and TRS's `createPageHTML(total, current,
"index", "html")` script, which draws links to index.html, index_1.html … index_{total-1}.html.

A TRS list that loads later pages from the site's search API (`listModel({maxStaticIndex, listArgs,
pagebar: {prepage, recordCount}})`, lexicon `list_*`) is read as far as it is published: its static pages
index.html … index_{maxStaticIndex-1}.html, and (list_script) what it declares, so that the crawl can page the
search API when the portal gives its URL (parse_api_page) or say how many items it could not reach.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

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


@dataclass(frozen=True)
class ListScript:
    """What a list page's script says about a column it loads from the CMS's search API."""
    static_pages: int  # index.html … index_{static_pages-1}.html are published; 0 when not said
    per_page: int  # items on one page; 0 when not said
    total: int | None  # items in the column; None when not said
    args: tuple[tuple[str, str], ...]  # the search API's arguments, their values resolved from the page

    def api_pages(self, api: str, most: int) -> list[str]:
        """The search API's page URLs for this column: `api` (with its own fixed arguments) + the script's
        arguments + page size and number; as many pages as the declared total needs, else `most`."""
        w = words()
        parts = urlsplit(api)
        fixed = dict(parse_qsl(parts.query, keep_blank_values=True))
        count = math.ceil(self.total / self.per_page) if self.total is not None and self.per_page else most
        urls = []
        for page in range(1, min(count, most) + 1):
            query = {**fixed, **dict(self.args), **({w["api_per_page"][0]: str(self.per_page)} if self.per_page
                                                      else {}), w["api_page"][0]: str(page)}
            urls.append(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")))
        return urls


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
    declared = list_script(html)
    if declared:
        for url in static_pages(page_url, declared.static_pages)[1:]:
            if in_scope(url, scope):
                pages[url] = None
    pages.pop(page_url, None)
    return list(reports.values()), list(pages)


def static_pages(page_url: str, count: int) -> list[str]:
    """The static pages of the list `page_url` is one of: its index page, then index_1 … index_{count-1}."""
    parts = urlsplit(page_url)
    folder, _, name = parts.path.rpartition("/")
    found = re.fullmatch(r"(\w+?)(?:_\d+)?\.(s?html?)", name, re.I)
    stem, ext = (found.group(1), found.group(2)) if found else ("index", "html")
    names = [f"{stem}.{ext}" if n == 0 else f"{stem}_{n}.{ext}" for n in range(max(count, 1))]
    return [urlunsplit((parts.scheme, parts.netloc, f"{folder}/{n}", "", "")) for n in names]


def list_script(html: str) -> ListScript | None:
    """The declared arguments of a list page's script that loads the column from the search API, or None."""
    w = words()
    text = _without_comment_lines("\n".join(script.text() or "" for script in HTMLParser(html).css("script")))
    for call in w["list_script"]:
        found = re.search(rf"(?<![\w.]){re.escape(call)}\s*\(\s*\{{", text)
        if found:
            break
    else:
        return None
    declared = _js_object(_braced(text, found.end() - 1))
    for value in list(declared.values()):  # pagebar: {prepage, recordCount}: one level of nesting is read too
        if value.startswith("{"):
            for key, inner in _js_object(value).items():
                declared.setdefault(key, inner)
    page_text = text

    def number(names: tuple[str, ...]) -> int | None:
        value = next((_js_value(declared[n], page_text) for n in names if n in declared), "")
        return int(value) if value.strip().isdigit() else None

    args_source = next((declared[n] for n in w["list_args"] if n in declared), "")
    args = tuple((key, _js_value(value, page_text)) for key, value in _js_object(args_source).items()
                 if not value.startswith(("{", "function")))
    return ListScript(number(w["list_static_pages"]) or 0, number(w["list_per_page"]) or 0,
                      number(w["list_total"]), args)


def parse_api_page(text: str, scope: str) -> tuple[list[ReportLink], set[str]]:
    """(report links under `scope`, every item's link) of one page of the search API's JSON answer;
    ValueError when it is no such answer."""
    w = words()
    try:
        data = json.loads(text.strip(), strict=False)  # its templates print raw line breaks inside strings
    except ValueError as err:
        raise ValueError(f"the search API's answer is not JSON ({err})") from err
    items = next((data[k] for k in w["api_items"] if isinstance(data, dict) and isinstance(data.get(k), list)), None)
    if items is None:
        raise ValueError(f"the search API's answer has no list of items ({'/'.join(w['api_items'])})")
    reports: dict[str, ReportLink] = {}
    seen: set[str] = set()
    base = urlsplit(scope)
    for item in items:
        if not isinstance(item, dict):
            continue
        link = _first(item, w["api_link"])
        url = _absolute(scope, link) if link else ""
        if not url:
            continue
        parts = urlsplit(url)
        if parts.netloc == base.netloc and parts.scheme != base.scheme:  # the index prints http for an https site
            url = urlunsplit((base.scheme, *parts[1:]))
        seen.add(url)
        title = " ".join(re.sub(r"<[^>]+>", "", _first(item, w["api_title"])).split())
        year = report_year(title)
        if year and in_scope(url, scope) and url not in reports:
            reports[url] = ReportLink(url, title, year, date_of(_first(item, w["api_date"])))
    return list(reports.values()), seen


def _first(item: dict, names: tuple[str, ...]) -> str:
    return next((str(item[n]) for n in names if item.get(n) not in (None, "")), "")


def _braced(text: str, start: int) -> str:
    """The `{…}` that opens at text[start], quotes and nesting respected (to the end when it never closes)."""
    depth, quote, i = 0, "", start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "{[(":
            depth += 1
        elif c in "}])":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        i += 1
    return text[start:]


def _js_object(source: str) -> dict[str, str]:
    """A JavaScript object literal's top-level `key: expression` pairs, each expression as written."""
    source = source.strip()
    if not source.startswith("{"):
        return {}
    inner, parts, depth, quote, current, i = source[1:-1] if source.endswith("}") else source[1:], [], 0, "", [], 0
    while i < len(inner):
        c = inner[i]
        if quote:
            current.append(c)
            if c == "\\" and i + 1 < len(inner):
                current.append(inner[i + 1])
                i += 1
            elif c == quote:
                quote = ""
        elif c == "/" and inner[i:i + 2] == "//":  # a line comment
            while i < len(inner) and inner[i] != "\n":
                i += 1
            continue
        elif c in "'\"":
            quote = c
            current.append(c)
        elif c in "{[(":
            depth += 1
            current.append(c)
        elif c in "}])":
            depth -= 1
            current.append(c)
        elif c == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    parts.append("".join(current))
    out = {}
    for part in parts:
        key, colon, value = part.partition(":")
        key = key.strip().strip("'\"")
        if colon and re.fullmatch(r"[\w$]+", key):
            out[key] = value.strip()
    return out


def _js_value(expression: str, page_text: str) -> str:
    """A simple JavaScript expression's value: a string or number, `a || b` (the first that is not empty),
    or `Name.key`, read from where the page's scripts set `key: value`; "" when it cannot be told."""
    for operand in expression.split("||"):
        operand = operand.strip()
        literal = re.fullmatch(r"""(["'])(.*)\1|(-?\d+(?:\.\d+)?)""", operand, re.S)
        if literal:
            value = literal.group(2) if literal.group(1) else literal.group(3)
        elif re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+", operand):
            key = operand.rsplit(".", 1)[1]
            setting = re.search(rf"""(?<![\w.$]){re.escape(key)}\s*:\s*(?:(["'])(.*?)\1|(-?\d+))""", page_text)
            value = (setting.group(2) if setting.group(1) else setting.group(3)) if setting else ""
        else:
            value = ""
        if value:
            return value
    return ""


def _without_comment_lines(text: str) -> str:
    """Scripts without their /* … */ comments and their lines commented out with // (a call or a setting
    left there for later is not what the page does)."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def parse_attachments(html: str, page_url: str) -> list[Attachment]:
    """Report files a report page links to on its own host (fetcher.ATTACHMENTS: pdf, doc, docx, wps …), forms left out."""
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
