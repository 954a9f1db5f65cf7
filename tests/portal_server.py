"""A local government portal on 127.0.0.1 for the harvester's tests: the real saved 年报 column of
tests/fixtures/corpus/portal, with generated extra list pages, attachments made from seeds, and faults.

What it serves (paths under the column /zwgk/zfxxgk/zfxxgknb/):
- index.html: the saved listing page as published, plus the TRS `createPageHTML(2, 0, "index", "html")`
  script its CMS prints on static list pages (the saved page fetches later pages from an API instead);
- the seven saved report pages; the three linked years not saved answer 404 (as the corpus README says);
  the 2019 page answers 500 once, then the page; the 2023 page is re-encoded as GBK;
- index_1.html (generated): a page with a DOCX attachment (seed 001), a page with a PDF attachment served as
  text/html (seed 002), a form (申请表.doc) that is no report, a slow page, a redirect loop, a page robots.txt
  disallows, a report link outside the column, two non-report titles, and a 下一页 link to
- index_2.html: a link straight to a DOCX (seed 000);
- ETag on every 200 and 304 for a matching If-None-Match; every request logged.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tests import render

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "tests" / "fixtures" / "corpus" / "portal"
SEEDS = ROOT / "seeds"
COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
SAVED = {2016: "201701/t20170118_80485.htm", 2017: "201801/t20180123_80506.htm", 2018: "201901/t20190110_80529.htm",
         2019: "202001/t20200120_80576.htm", 2021: "202202/t20220208_80613.htm", 2023: "202403/t20240308_87885.htm",
         2025: "202603/t20260313_105587.htm"}
MISSING = {2020: "202103/t20210305_80595.htm", 2022: "202302/t20230220_80629.htm", 2024: "202503/t20250310_97791.htm"}
FLAKY, GBK = SAVED[2019], SAVED[2023]
DOCX_PAGE, DOCX = "202104/t20210401_1.htm", "202104/P020210401_1.docx"
PDF_PAGE, PDF = "202105/t20210501_2.htm", "202105/P020210501_2.pdf"
FORM = "202104/P020210401_form.doc"
DIRECT_DOCX = "202106/P020210601_3.docx"
SLOW, LOOP_A, LOOP_B, PRIVATE = "slow/t1.htm", "loop/a.htm", "loop/b.htm", "private/t2.htm"
OUTSIDE = "/other/t2022_9.htm"
SLOW_SECONDS = 1.5


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str = ""
    fail_first: int = 0  # answer 500 this many times first
    delay: float = 0.0
    answer: Callable[[dict[str, str], str], bytes] | None = None  # body from (query, Host): a search API


@dataclass
class Portal:
    routes: dict[str, Route]
    log: list[tuple[str, int]] = field(default_factory=list)  # (path, status) of every request
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path if path.startswith('/') else COLUMN + path}"

    def requested(self, path: str) -> list[int]:
        full = path if path.startswith("/") else COLUMN + path
        return [status for p, status in self.log if p == full]


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="ArticleTitle" content="{title}"/><meta name="PubDate" content="2021-04-01 10:00"/></head>'
            f"<body><h1>{title}</h1>{body}</body></html>").encode()


def _seed(name: str) -> list[str]:
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


@functools.cache
def attachments() -> tuple[bytes, bytes, bytes]:
    """A DOCX of seed 001, a PDF of seed 002 and a DOCX of seed 000, rendered once per test session."""
    with tempfile.TemporaryDirectory() as tmp:
        docx, pdf, direct = Path(tmp) / "a.docx", Path(tmp) / "b.pdf", Path(tmp) / "c.docx"
        render.to_docx(_seed("001"), docx)
        render.to_pdf(_seed("002"), pdf)
        render.to_docx(_seed("000"), direct)
        return docx.read_bytes(), pdf.read_bytes(), direct.read_bytes()


def build_routes() -> dict[str, Route]:
    """Fresh routes (their faults and bodies may be changed by a test)."""
    col = PORTAL / COLUMN.strip("/")
    listing = (col / "index.html").read_text(encoding="utf-8")
    listing = listing.replace("</body>", '<script>createPageHTML(2, 0, "index", "html");</script></body>')
    routes = {"/robots.txt": Route(body=f"User-agent: *\nDisallow: {COLUMN}private/\n".encode(),
                                   content_type="text/plain"),
              COLUMN: Route(body=listing.encode()), COLUMN + "index.html": Route(body=listing.encode())}
    for path in SAVED.values():
        routes[COLUMN + path] = Route(body=(col / path).read_bytes())
    routes[COLUMN + FLAKY].fail_first = 1
    gbk = (col / GBK).read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gbk"')
    routes[COLUMN + GBK] = Route(body=gbk.encode("gbk", errors="xmlcharrefreplace"),
                                 content_type="text/html; charset=GBK")
    docx, pdf, direct = attachments()
    wendeng, gongxin = "威海市文登区人民政府2020年政府信息公开工作年度报告", "威海市工业和信息化局2020年政府信息公开年度工作报告"
    routes[COLUMN + DOCX_PAGE] = Route(body=_page(wendeng, f'<p>附件：<a href="./{DOCX.split("/")[1]}">{wendeng}.docx</a>'
                                                             f'</p><p><a href="./{FORM.split("/")[1]}">政府信息公开申请表</a></p>'))
    routes[COLUMN + DOCX] = Route(body=docx, content_type="application/octet-stream")
    routes[COLUMN + FORM] = Route(body=b"\xd0\xcf\x11\xe0 form", content_type="application/msword")
    routes[COLUMN + PDF_PAGE] = Route(body=_page(gongxin, f'<p>附件：<a href="./{PDF.split("/")[1]}">下载</a></p>'))
    routes[COLUMN + PDF] = Route(body=pdf, content_type="text/html")  # a PDF served as text/html
    routes[COLUMN + DIRECT_DOCX] = Route(body=direct, content_type="application/octet-stream")
    routes[COLUMN + SLOW] = Route(body=_page("平潭综合实验区2015年度政府信息公开工作年度报告", "<p>慢</p>"),
                                  delay=SLOW_SECONDS)
    routes[COLUMN + LOOP_A] = Route(status=302, location=f"{COLUMN}{LOOP_B}")
    routes[COLUMN + LOOP_B] = Route(status=302, location=f"{COLUMN}{LOOP_A}")
    routes[COLUMN + PRIVATE] = Route(body=_page("平潭综合实验区2013年度政府信息公开工作年度报告", "<p>不许抓取</p>"))
    routes[OUTSIDE] = Route(body=_page("平潭综合实验区2022年度政府信息公开工作年度报告", "<p>栏目之外</p>"))
    items = [(DOCX_PAGE, wendeng), (PDF_PAGE, gongxin), (SLOW, "平潭综合实验区2015年度政府信息公开工作年度报告"),
             (LOOP_A, "平潭综合实验区2014年度政府信息公开工作年度报告"),
             (PRIVATE, "平潭综合实验区2013年度政府信息公开工作年度报告"),
             (OUTSIDE, "平潭综合实验区2022年度政府信息公开工作年度报告（旧址）"),
             ("202107/t20210701_8.htm", "平潭综合实验区2024年度政务公开工作要点"),
             ("202108/t20210801_9.htm", "2023年政府信息公开年报表")]
    links = "".join(f'<li><a href="{p if p.startswith("/") else "./" + p}" title="{t}">{t}</a><span>2021-04-0{i + 1}'
                    f"</span></li>" for i, (p, t) in enumerate(items))
    routes[COLUMN + "index_1.html"] = Route(body=(f"<html><head><meta charset='utf-8'></head><body><ul>{links}</ul>"
                                                  '<a href="./index_2.html">下一页</a></body></html>').encode())
    routes[COLUMN + "index_2.html"] = Route(body=(
        "<html><head><meta charset='utf-8'></head><body><ul>"
        f'<li><a href="./{DIRECT_DOCX}">威海临港经济技术开发区2019年政府信息公开工作年度报告</a> 2021-06-01</li>'
        '</ul><a href="./index_1.html">上一页</a></body></html>').encode())
    return routes


SEARCH = "/was5/web/search"  # a TRS WAS5 search API, as the portal's list script calls it
SEARCH_FIXED = {"templet": "docs.jsp"}  # an argument the portal's `api` URL carries itself
EARLIER = {year: f"{year + 1}01/t{year + 1}0115_{70000 + year}.htm" for year in range(2008, 2016)}


def search_api_routes() -> dict[str, Route]:
    """The column as its CMS publishes it: the saved listing as it is (static page 1 of 2, its `listModel`
    script declaring 20 items), and the search API that script pages through: page 1 the ten items of the
    static page, page 2 ten more (eight earlier reports, generated, and two non-reports) after a template's blank
    item.
    The API answers only the arguments the saved script declares; others get an empty list."""
    col = PORTAL / COLUMN.strip("/")
    listing = (col / "index.html").read_bytes()
    routes = {"/robots.txt": Route(body=b"User-agent: *\nDisallow:\n", content_type="text/plain"),
              COLUMN: Route(body=listing), COLUMN + "index.html": Route(body=listing)}
    for path in SAVED.values():
        routes[COLUMN + path] = Route(body=(col / path).read_bytes())
    static = [(path, f"平潭综合实验区{year}年度政府信息公开工作年度报告", f"{path[:4]}-{path[4:6]}-15")
              for year, path in sorted({**SAVED, **MISSING}.items(), reverse=True)]
    later = [(path, f"平潭综合实验区{year}年度政府信息公开工作年度报告", f"{year + 1}-01-15")
             for year, path in sorted(EARLIER.items(), reverse=True)]
    later += [("201601/t20160120_69990.htm", "平潭综合实验区2016年政务公开工作要点", "2016-01-20"),
              ("201601/t20160121_69991.htm", "平潭综合实验区2015年度政府信息公开工作年度报告解读", "2016-01-21")]
    for path, title, _ in later[:8]:
        routes[COLUMN + path] = Route(body=_page(title, "<p>较早的年报</p>"))
    wanted = {**SEARCH_FIXED, "channelid": "200210", "classsql": "chnlid=1813", "prepage": "10"}

    def answer(query: dict[str, str], host: str) -> bytes:
        page = query.get("page", "")
        items = {"1": static, "2": [("", "文章标题", ""), *later]}.get(page, []) \
            if all(query.get(k) == v for k, v in wanted.items()) else []  # page 2 opens with a template's blank item
        docs = ",".join(f'{{"title":"{title}","url":"{"http://" + host + COLUMN + path if path else ""}",'
                        f'"pubdate":"{date}","content":"第一段\n第二段"}}' for path, title, date in items)
        return f'{{"docs":[{docs}]}}'.encode()  # a raw line break inside a string, as its templates print

    routes[SEARCH] = Route(content_type="text/html; charset=utf-8", answer=answer)
    return routes


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    portal: Portal
    lock = threading.Lock()

    def log_message(self, *args) -> None:  # quiet: the portal keeps its own log
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0]
        route = self.portal.routes.get(path)
        with self.lock:
            if route and route.fail_first:
                route.fail_first -= 1
                status = 500
            else:
                status = route.status if route else 404
        if route and route.delay:
            time.sleep(route.delay)
        headers = {}
        body = b"<html><body>not found</body></html>" if status == 404 else b""
        if status == 200:
            body = route.answer(dict(parse_qsl(urlsplit(self.path).query)), self.headers.get("Host", "")) \
                if route.answer else route.body
            tag = etag(body)
            headers = {"Content-Type": route.content_type, "ETag": tag}
            if self.headers.get("If-None-Match") == tag:
                status, body = 304, b""
        elif status in (301, 302):
            headers = {"Location": route.location}
        self.portal.log.append((self.path, status))  # with its query, if any
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass


def serve(routes: dict[str, Route]):
    """(Portal, server): a ThreadingHTTPServer on a random port of 127.0.0.1, running on a daemon thread."""
    portal = Portal(routes)
    handler = type("Handler", (_Handler,), {"portal": portal})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    portal.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return portal, server


PORTALS_TOML = """\
[fetch]
delay = 0.0
per_host = 4
timeout = 0.5
retries = 1
backoff = 0.05
workers = 4

[[portal]]
name = "平潭"
list = ["{list}"]
"""
