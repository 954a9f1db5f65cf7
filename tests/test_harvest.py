"""`nianbao fetch` end to end against a local portal on 127.0.0.1 (tests/portal_server.py), then `index build`,
`reports` and `ask` through the real CLI: every available report found and indexed with agency, year and URL,
each failure by URL and reason, nothing robots.txt disallows fetched, a second run downloads nothing, and a
report changed on the server is the only one fetched and re-indexed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from index.harvest.crawl import fetch_portals, target_path
from index.harvest.fetcher import ATTACHMENTS, Fetcher, FetchError, Polite, decode_page
from index.harvest.listing import (
    ReportLink,
    list_script,
    parse_api_page,
    parse_attachments,
    parse_listing,
    report_year,
)
from index.harvest.portals import Portal, load_portals
from index.read import SUPPORTED
from index.sniff import EXTENSIONS, sniff
from index.sources import read_sources
from tests import portal_server as ps

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
PINGTAN = "福建省平潭综合实验区"


def nianbao(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=ENV,
                          cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portal")
    portal, server = ps.serve(ps.build_routes())
    toml = tmp / "portals.toml"
    toml.write_text(ps.PORTALS_TOML.format(list=portal.url(ps.COLUMN)), encoding="utf-8")
    yield portal, toml, tmp
    server.shutdown()


@pytest.fixture(scope="module")
def first(site):
    """The first fetch and build: (portal, folder, db, fetch result, reports by url)."""
    portal, toml, tmp = site
    reports, db = tmp / "reports", tmp / "nianbao.db"
    fetched = nianbao("fetch", str(toml), "--to", str(reports))
    log = list(portal.log)
    built = nianbao("index", "build", str(reports), "--db", str(db))
    assert built.returncode == 0, built.stderr
    listed = [json.loads(line) for line in nianbao("reports", "--db", str(db), "--json").stdout.splitlines()]
    return portal, reports, db, fetched, log, {r["url"]: r for r in listed}


@pytest.mark.slow
def test_every_available_report_is_found_and_indexed_with_agency_year_and_url(first):
    portal, _, _, fetched, _, by_url = first
    assert fetched.returncode == 0, fetched.stderr
    summary = fetched.stdout.strip().splitlines()[-1]
    assert summary.startswith("portals 1/1 reached · pages 3 (unchanged 0) · reports found 16 · new 10 · changed 0 · "
                              "unchanged 0 · failed 6 · unlisted 10 · downloaded ")
    for year, path in ps.SAVED.items():  # the seven saved pages, the GBK one and the one that failed once included
        report = by_url[portal.url(path)]
        assert (report["agency"], report["year"]) == (PINGTAN, year)
    expected = {ps.DOCX: ("威海市文登区人民政府", 2020), ps.PDF: ("威海市工业和信息化局", 2020),
                ps.DIRECT_DOCX: ("威海临港经济技术开发区", 2019)}
    for path, (agency, year) in expected.items():
        report = by_url[portal.url(path)]
        assert (report["agency"], report["year"]) == (agency, year)
        assert report["facts"] > 50  # the attachment's tables were read
    assert len({(r["agency"], r["year"]) for r in by_url.values()}) == 10


@pytest.mark.slow
def test_each_failure_is_reported_by_url_and_reason(first):
    portal, *_ = first
    failures = [line for line in first[3].stderr.splitlines() if line.startswith("failed ")]
    expected = [f"failed {portal.url(p)}: HTTP 404" for p in ps.MISSING.values()]
    expected += [f"failed {portal.url(ps.SLOW)}: timed out after 0.5 s (2 tries)",
                 f"failed {portal.url(ps.LOOP_A)}: redirect loop ({portal.url(ps.LOOP_A)} → {portal.url(ps.LOOP_B)} → "
                 f"{portal.url(ps.LOOP_A)})",
                 f"failed {portal.url(ps.PRIVATE)}: disallowed by robots.txt"]
    assert sorted(failures) == sorted(expected)
    # the saved listing's script declares 20 items, of which its one static page shows 10; no api given
    assert [line for line in first[3].stderr.splitlines() if line.startswith("incomplete ")] == [
        f"incomplete {portal.url(ps.COLUMN)}: the list declares 20 items, its static pages read show 10: 10 more are "
        "listed only by the CMS's search API (channelid=200210, classsql=chnlid=1813, sortfield=-docorderpri,"
        "-docreltime); give this portal api = \"…\" in PORTALS.toml"]


@pytest.mark.slow
def test_nothing_disallowed_out_of_the_column_or_no_report_is_fetched_and_404s_are_not_retried(first):
    log = first[4]
    paths = [p for p, _ in log]
    assert ps.COLUMN + ps.PRIVATE not in paths
    assert ps.OUTSIDE not in paths
    assert ps.COLUMN + ps.FORM not in paths  # a form linked from a report page is no attachment
    assert not [p for p in paths if "t2021070" in p or "t2021080" in p]  # 工作要点, 年报表: not reports
    assert [s for p, s in log if p == ps.COLUMN + ps.FLAKY] == [500, 200]  # a 5xx is retried
    for path in ps.MISSING.values():
        assert [s for p, s in log if p == ps.COLUMN + path] == [404]  # a 404 is not
    assert paths.count("/robots.txt") == 1


@pytest.mark.slow
def test_files_are_saved_under_host_and_path_with_sources_tsv_naming_page_and_attachment(first):
    portal, reports, *_ = first
    sources = read_sources(reports / "sources.tsv")
    host = f"127.0.0.1_{portal.port}"
    docx = f"{host}{ps.COLUMN}{ps.DOCX}"
    assert (reports / docx).read_bytes() == portal.routes[ps.COLUMN + ps.DOCX].body
    assert sources[docx].url == portal.url(ps.DOCX)
    assert sources[docx].title == "威海市文登区人民政府2020年政府信息公开工作年度报告"
    rows = {line.split("\t")[0]: line.split("\t") for line in (reports / "sources.tsv").read_text().splitlines()}
    assert rows["file"] == ["file", "url", "title", "published", "fetched_at", "etag", "last_modified", "sha256",
                            "parent"]
    assert rows[docx][-1] == f"{host}{ps.COLUMN}{ps.DOCX_PAGE}"  # the attachment's page: one report
    gbk = f"{host}{ps.COLUMN}{ps.GBK}"
    assert (reports / gbk).read_bytes() == portal.routes[ps.COLUMN + ps.GBK].body  # saved as served
    assert sources[gbk].published == "2024-03-08"
    assert (reports / f"{host}{ps.COLUMN}{ps.PDF}").read_bytes().startswith(b"%PDF-")  # served as text/html


@pytest.mark.slow
def test_the_page_and_its_attachment_count_as_one_report_and_answers_cite_the_attachments_url(first):
    portal, _, db, *_ = first
    answer = json.loads(nianbao("ask", "文登区2020年收到多少申请", "--db", str(db), "--json").stdout)
    assert answer["value"] == 42
    assert answer["facts"][0]["source"]["url"] == portal.url(ps.DOCX)
    assert f"原文：{portal.url(ps.DOCX)}" in answer["answer"]
    listing = nianbao("reports", "--db", str(db)).stdout
    assert "duplicate" not in listing and "conflict" not in listing
    by_url = first[5]
    for page, attachment in ((ps.DOCX_PAGE, ps.DOCX), (ps.PDF_PAGE, ps.PDF)):
        # listed once, as the attachment (it holds the tables) with its page
        assert portal.url(page) not in by_url
        record = by_url[portal.url(attachment)]
        assert record["attachment_of"] == portal.url(page)
        assert record["parts"] == [f"127.0.0.1_{portal.port}{ps.COLUMN}{page}"]
        assert f"attachment of {portal.url(page)}" in listing
    gbk = json.loads(nianbao("ask", "平潭2023年收到多少申请", "--db", str(db), "--json").stdout)
    assert gbk["status"] == "answered" and gbk["facts"][0]["source"]["url"] == portal.url(ps.GBK)


@pytest.mark.slow
def test_a_second_run_downloads_nothing_and_a_changed_report_alone_is_refetched_and_reindexed(first, site):
    portal, reports, db, *_ = first
    toml = site[1]
    start = len(portal.log)
    again = nianbao("fetch", str(toml), "--to", str(reports))
    assert again.returncode == 0
    assert " · pages 3 (unchanged 3) · " in again.stdout
    assert " · new 0 · changed 0 · unchanged 10 · failed 6 · unlisted 10 · downloaded 0 B in " in again.stdout
    report_files = {ps.COLUMN + p for p in [*ps.SAVED.values(), ps.DOCX, ps.PDF, ps.DIRECT_DOCX, ps.DOCX_PAGE,
                                             ps.PDF_PAGE]}
    second = [(p, s) for p, s in portal.log[start:] if p in report_files | set(LIST_PAGES)]
    assert {s for _, s in second} == {304} and len(second) == len(report_files) + len(LIST_PAGES)
    # one report changes on the server
    route = portal.routes[ps.COLUMN + ps.SAVED[2025]]
    route.body = route.body.replace(b"</body>", "<p>（2026年3月20日更正）</p></body>".encode(), 1)
    start = len(portal.log)
    changed = nianbao("fetch", str(toml), "--to", str(reports))
    assert " · pages 3 (unchanged 3) · " in changed.stdout and " · new 0 · changed 1 · unchanged 9 · failed 6 " \
        in changed.stdout
    assert [(p, s) for p, s in portal.log[start:] if p in report_files and s == 200] == \
        [(ps.COLUMN + ps.SAVED[2025], 200)]
    rebuilt = nianbao("index", "build", str(reports), "--db", str(db))
    assert rebuilt.stdout.startswith("12 reports") and ": 0 added, 1 changed, 0 removed, 11 unchanged, " \
        in rebuilt.stdout, rebuilt.stdout


LIST_PAGES = [ps.COLUMN, ps.COLUMN + "index_1.html", ps.COLUMN + "index_2.html"]


@pytest.mark.slow
def test_list_pages_are_asked_for_conditionally_and_a_changed_list_brings_its_new_report(tmp_path):
    portal, server = ps.serve(ps.build_routes())
    toml = tmp_path / "portals.toml"
    toml.write_text(ps.PORTALS_TOML.format(list=portal.url(ps.COLUMN)), encoding="utf-8")
    portals, polite = load_portals(toml)
    reports = tmp_path / "reports"
    try:
        first = fetch_portals(portals, reports, polite)
        assert (first.pages, first.pages_unchanged, first.found, first.new) == (3, 0, 16, 10)
        assert first.downloaded == sum(len(portal.routes[p].body) for p, s in portal.log if s == 200
                                       and p != "/robots.txt")
        start = len(portal.log)
        second = fetch_portals(portals, reports, polite)
        assert [s for p, s in portal.log[start:] if p in LIST_PAGES] == [304, 304, 304]
        assert (second.pages, second.pages_unchanged, second.found, second.unchanged, second.downloaded) == \
            (3, 3, 16, 10, 0)
        # the column's second list page gets a new report
        page = "201301/t20130115_7.htm"
        portal.routes[ps.COLUMN + page] = ps.Route(body=ps._page("平潭综合实验区2012年度政府信息公开工作年度报告", "<p>补录</p>"))
        listing = portal.routes[ps.COLUMN + "index_2.html"]
        listing.body = listing.body.replace(b"</ul>", f'<li><a href="./{page}">平潭综合实验区2012年度政府信息公开工作年度报告'
                                                      f"</a> 2013-01-15</li></ul>".encode())
        start = len(portal.log)
        third = fetch_portals(portals, reports, polite)
        assert [(p, s) for p, s in portal.log[start:] if p in LIST_PAGES] == \
            [(ps.COLUMN, 304), (ps.COLUMN + "index_1.html", 304), (ps.COLUMN + "index_2.html", 200)]
        assert (third.pages, third.pages_unchanged, third.found, third.new, third.unchanged) == (3, 2, 17, 1, 10)
        assert third.downloaded == len(listing.body) + len(portal.routes[ps.COLUMN + page].body)
        assert read_sources(reports / "sources.tsv")[f"127.0.0.1_{portal.port}{ps.COLUMN}{page}"].url == \
            portal.url(page)
        # a list page's kept copy that was damaged is asked for in full again, not conditionally
        state = json.loads((reports / ".nianbao-fetch" / "state.json").read_text())["lists"]
        assert set(state) == {portal.url(p) for p in LIST_PAGES}
        copies = sorted((reports / ".nianbao-fetch" / "lists").iterdir())
        assert len(copies) == 3
        for copy in copies:
            copy.write_bytes(b"damaged")
        start = len(portal.log)
        fourth = fetch_portals(portals, reports, polite)
        assert [s for p, s in portal.log[start:] if p in LIST_PAGES] == [200, 200, 200]
        assert (fourth.pages_unchanged, fourth.found, fourth.unchanged) == (0, 17, 11)
    finally:
        server.shutdown()


@pytest.mark.slow
def test_a_run_stopped_midway_resumes_with_what_it_saved(site, tmp_path):
    portal, toml, _ = site
    portals, polite = load_portals(toml)

    def stop_after_five(done: int, total: int, url: str) -> None:  # 2025 … 2021: three saved, two 404
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_portals(portals, tmp_path, polite, progress=stop_after_five)
    saved = json.loads((tmp_path / ".nianbao-fetch" / "state.json").read_text())["files"]
    assert len(saved) >= 3
    assert not [p for p in tmp_path.rglob("*") if ".part-" in p.name]  # no half-written file anywhere
    resumed = fetch_portals(portals, tmp_path, polite)
    assert (resumed.new + resumed.unchanged, resumed.changed, len(resumed.failed)) == (10, 0, 6)
    assert resumed.unchanged >= 3  # what the stopped run saved is asked for conditionally, not downloaded again


def test_a_portal_not_reached_exits_1(tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text('[fetch]\ntimeout = 0.3\nretries = 0\n[[portal]]\nlist = ["http://127.0.0.1:9/x/"]\n')
    result = nianbao("fetch", str(toml), "--to", str(tmp_path / "r"))
    assert result.returncode == 1
    assert "portals 0/1 reached" in result.stdout
    assert "failed http://127.0.0.1:9/x/: " in result.stderr


def test_portals_toml_errors_name_the_problem(tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text('[[portal]]\nlist = ["ftp://x/"]\n')
    result = nianbao("fetch", str(toml), "--to", str(tmp_path / "r"))
    assert result.returncode == 2 and "needs list = " in result.stderr
    toml.write_text('[fetch]\ndelai = 1\n[[portal]]\nlist = ["http://x.gov.cn/nb/"]\n')
    assert "unknown key(s) delai" in nianbao("fetch", str(toml), "--to", str(tmp_path / "r")).stderr
    toml.write_text('[fetch]\ndelay = 0.5\n[[portal]]\nagency = "某县人民政府"\nlist = ["http://x.gov.cn/nb/"]\n')
    portals, polite = load_portals(toml)
    assert (portals[0].name, portals[0].agency, polite.delay) == ("x.gov.cn", "某县人民政府", 0.5)


def _search_portal(tmp_path, api: bool):
    portal, server = ps.serve(ps.search_api_routes())
    toml = tmp_path / "portals.toml"
    text = ps.PORTALS_TOML.format(list=portal.url(ps.COLUMN))
    if api:
        text += f'api = "{portal.url(ps.SEARCH)}?templet=docs.jsp"\n'
    toml.write_text(text, encoding="utf-8")
    portals, polite = load_portals(toml)
    return portal, server, portals, polite


@pytest.mark.slow
def test_a_list_loaded_from_the_cms_search_api_is_paged_through_it_when_the_portal_gives_the_api(tmp_path):
    portal, server, portals, polite = _search_portal(tmp_path, api=True)
    try:
        first = fetch_portals(portals, tmp_path / "r", polite)
        searched = [p for p, _ in portal.log if p.startswith(ps.SEARCH)]
        assert [dict(parse_qsl(urlsplit(p).query)) for p in searched] == [
            {"templet": "docs.jsp", "channelid": "200210", "classsql": "chnlid=1813",
             "sortfield": "-docorderpri,-docreltime", "prepage": "10", "page": str(n)} for n in (1, 2)]
        # 10 on the static page (the API's page 1 repeats them) + 8 earlier reports on page 2; the 3 missing 404
        assert (first.pages, first.found, first.new, len(first.failed), first.unlisted, first.incomplete) == \
            (3, 18, 15, 3, 0, [])
        assert {link for link, _ in first.failed} == {portal.url(p) for p in ps.MISSING.values()}
        sources = read_sources(tmp_path / "r" / "sources.tsv")
        host = f"127.0.0.1_{portal.port}"
        for year, path in ps.EARLIER.items():
            row = sources[f"{host}{ps.COLUMN}{path}"]
            assert (row.url, row.title) == (portal.url(path), f"平潭综合实验区{year}年度政府信息公开工作年度报告")
        again = fetch_portals(portals, tmp_path / "r", polite)  # the API's pages are asked for conditionally too
        assert (again.pages, again.pages_unchanged, again.found, again.unchanged, again.downloaded) == \
            (3, 3, 18, 15, 0)
    finally:
        server.shutdown()


@pytest.mark.slow
def test_without_the_api_the_items_only_it_lists_are_counted_and_said(tmp_path):
    portal, server, portals, polite = _search_portal(tmp_path, api=False)
    try:
        summary = fetch_portals(portals, tmp_path / "r", polite)
    finally:
        server.shutdown()
    assert not [p for p, _ in portal.log if p.startswith(ps.SEARCH)]
    assert (summary.pages, summary.found, summary.new, summary.unlisted) == (1, 10, 7, 10)
    assert [url for url, _ in summary.incomplete] == [portal.url(ps.COLUMN)]
    assert " · failed 3 · unlisted 10 · " in summary.line()


def test_a_list_that_declares_no_page_size_counts_the_reports_it_shows_and_a_broken_api_is_a_failure(tmp_path):
    script = ("<script>listModel({maxStaticIndex: 1, listArgs: {channelid: 7, classsql: 'chnlid=3'},"
              " pagebar: {recordCount: '5'}});</script>")
    links = "".join(f'<li><a href="./t{y}.htm">某县{y}年政府信息公开工作年度报告</a></li>' for y in (2022, 2023))

    def serve(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/robots.txt":
            return httpx.Response(404)
        if path == "/nb/":
            return httpx.Response(200, html=f"<html><body><ul>{links}</ul>{script}</body></html>")
        if path == "/search":
            return httpx.Response(200, html="<html><body>系统繁忙，请稍后再试</body></html>")
        return httpx.Response(200, html=f"<html><body><p>{path}</p></body></html>")

    for api, failed in (("", []), ("http://x.gov.cn/search", ["http://x.gov.cn/search?channelid=7&classsql=chnlid%3D3&page=1"])):
        portal = Portal("x", ("http://x.gov.cn/nb/",), "", api)
        summary = fetch_portals([portal], tmp_path / (api and "api" or "plain"), Polite(delay=0, retries=0),
                                transport=httpx.MockTransport(serve))
        assert (summary.found, summary.new, summary.unlisted) == (2, 2, 3)
        assert [url for url, _ in summary.failed] == failed
        assert [url for url, _ in summary.incomplete] == ["http://x.gov.cn/nb/"]
    assert "the search API's answer is not JSON" in summary.failed[0][1]
    assert "the list declares 5 items, the search API http://x.gov.cn/search listed 0: 3 not reached" in \
        summary.incomplete[0][1]


# --- the pieces ---------------------------------------------------------------------------------

REPORT_TITLES = {  # real link titles of 年报 columns
    "平潭综合实验区2023年度政府信息公开工作年度报告": 2023,
    "威海市工业和信息化局2020年政府信息公开年度工作报告": 2020,
    "2022年政府信息公开年报": 2022,
    "某某县人民政府办公室２０２１年政府信息公开工作年度报告": 2021,
    "区财政局2019年度政府信息公开年度报告（附件）": 2019,
}
NOT_REPORTS = ["平潭综合实验区2024年度政务公开工作要点", "2023年政府信息公开年报表", "2022年统计年报",
               "关于报送2023年政府信息公开工作年度报告的通知", "政府信息公开工作年度报告", "2021年度法治政府建设年度报告",
               "2023年政府信息公开工作年度报告解读", "政府信息公开申请表"]


@pytest.mark.parametrize("title", REPORT_TITLES)
def test_report_titles_are_picked_with_their_year(title):
    assert report_year(title) == REPORT_TITLES[title]


@pytest.mark.parametrize("title", NOT_REPORTS)
def test_other_titles_are_not(title):
    assert report_year(title) is None


SAVED_LISTING = (ROOT / "tests/fixtures/corpus/portal/zwgk/zfxxgk/zfxxgknb/index.html").read_text(encoding="utf-8")


def test_the_saved_trs_listing_declares_its_search_api_arguments():
    declared = list_script(SAVED_LISTING)
    assert (declared.static_pages, declared.per_page, declared.total) == (1, 10, 20)
    # channelid is `SiteInfo.searchId`, set elsewhere on the page (a commented-out key beside it is not read)
    assert declared.args == (("channelid", "200210"), ("classsql", "chnlid=1813"),
                             ("sortfield", "-docorderpri,-docreltime"))
    assert declared.api_pages("https://w.gov.cn/was5/web/search?templet=docs.jsp", 50) == [
        "https://w.gov.cn/was5/web/search?templet=docs.jsp&channelid=200210&classsql=chnlid%3D1813"
        f"&sortfield=-docorderpri%2C-docreltime&prepage=10&page={n}" for n in (1, 2)]


@pytest.mark.parametrize("html", [
    '<ul><li><a href="./t1.htm">2023年政府信息公开年报</a></li></ul><a href="./index_2.html">下一页</a>',  # plain
    '<script>createPageHTML(2, 0, "index", "html");</script>',  # another CMS's pagination
    "<script>// listModel({maxStaticIndex: 3})\nvar listModelled = 1;</script>",  # a comment, another name
])
def test_pages_without_such_a_script_declare_nothing(html):
    assert list_script(html) is None


def test_a_script_of_more_static_pages_adds_them_and_an_unknown_value_is_empty():
    html = """<script>require(["list2.trsapi"], function(listModel) { listModel({
        maxStaticIndex: 3, listArgs: {channelid: Missing.value, classsql: '' || "chnlid=9"},
        pagebar: {prepage: 15, recordCount: "" }});});</script>"""
    declared = list_script(html)
    assert (declared.static_pages, declared.per_page, declared.total) == (3, 15, None)
    assert declared.args == (("channelid", ""), ("classsql", "chnlid=9"))
    assert len(declared.api_pages("http://x.gov.cn/search", 4)) == 4  # no total declared: up to the cap
    _, pages = parse_listing(html, "http://x.gov.cn/nb/index.shtml", "http://x.gov.cn/nb/")
    assert pages == ["http://x.gov.cn/nb/index_1.shtml", "http://x.gov.cn/nb/index_2.shtml"]


def test_search_api_answers_are_read_by_their_item_keys():
    text = """{"docs":[{"doctitle":"某区2023年度政府信息公开工作年度报告","chnldocurl":"http://w.gov.cn/nb/t1.htm",
        "pubtime":"2024-01-30 10:00"},{"title":"<font color=red>2023年</font>统计年报","url":"/nb/t2.htm"},
        {"title":"某区2022年政府信息公开年报","url":"http://w.gov.cn/other/t3.htm"},{"title":"文章标题","url":""}]}"""
    reports, items = parse_api_page(text, "https://w.gov.cn/nb/")
    assert reports == [ReportLink("https://w.gov.cn/nb/t1.htm", "某区2023年度政府信息公开工作年度报告", 2023, "2024-01-30")]
    assert items == {"https://w.gov.cn/nb/t1.htm", "https://w.gov.cn/nb/t2.htm", "https://w.gov.cn/other/t3.htm"}
    for bad in ("<html>系统繁忙</html>", '{"result": []}'):
        with pytest.raises(ValueError):
            parse_api_page(bad, "https://w.gov.cn/nb/")


def test_portal_api_must_be_a_url(tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text('[[portal]]\nlist = ["http://x.gov.cn/nb/"]\napi = "was5/web/search"\n')
    assert "api = " in nianbao("fetch", str(toml), "--to", str(tmp_path / "r")).stderr
    toml.write_text('[[portal]]\nlist = ["http://x.gov.cn/nb/"]\napi = "http://x.gov.cn/was5/web/search"\n')
    assert load_portals(toml)[0][0].api == "http://x.gov.cn/was5/web/search"


def test_pages_decode_by_their_declared_or_sniffed_charset():
    text = "<html><head><meta charset='gb2312'></head><body>政府信息公开工作年度报告</body></html>"
    assert "年度报告" in decode_page(text.encode("gbk"))
    plain = "<html><body>政府信息公开工作年度报告，收到申请42件。</body></html>".encode("gbk")
    assert "年度报告" in decode_page(plain, {"content-type": "text/html; charset=GBK"})
    assert "年度报告" in decode_page(plain)  # no declaration: sniffed


FIXTURES = ROOT / "tests" / "fixtures"
PDF_BYTES, DOCX_BYTES = (FIXTURES / "huaian_2024.pdf").read_bytes(), (FIXTURES / "template_2021_format.docx").read_bytes()


@pytest.mark.parametrize(("link", "body", "content_type", "kind"), [
    ("t1.htm", PDF_BYTES, "text/html", "pdf"),  # a PDF served as a page is a PDF
    ("a.pdf", PDF_BYTES, "text/html", "pdf"),
    ("a.doc", DOCX_BYTES, "application/msword", "docx"),  # a .doc link's DOCX is a DOCX
    ("a.docx", DOCX_BYTES, "application/octet-stream", "docx"),
    ("a.doc", b"{\\rtf1\\ansi report}", "application/msword", "rtf"),  # Word's RTF under .doc
    ("t1.htm", "<p>政府信息公开工作年度报告</p>".encode("gbk"), "text/html", "html"),
    ("t1.htm", "政府信息公开工作年度报告".encode("gbk"), "text/html; charset=GBK", "html"),  # no markup, no signature
    ("a.doc", b"\xd0\xcf\x11\xe0 form", "application/msword", None),  # 4 bytes of an OLE2 signature: no Word file
    ("a.pdf", b"<html><body>not found</body></html>", "text/html", None),  # an error page for a .pdf link
    ("t1.htm", b"\x89PNG\r\n\x1a\n" + bytes(40), "text/html", None),  # a picture is no report page
    ("t1.htm", b"", "text/html", None),
])
def test_the_harvester_tells_a_file_by_the_index_sniffer(tmp_path, link, body, content_type, kind):
    """One sniffer (index.sniff): what fetch keeps a download as is what the index reads the saved file as."""
    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    url = f"http://x.gov.cn/nb/{link}"
    suffix = link.rsplit(".", 1)[1]
    with Fetcher(Polite(delay=0, retries=0), httpx.MockTransport(serve)) as fetcher:
        if kind is None:
            with pytest.raises(FetchError):
                fetcher.get(url, suffix if suffix in ATTACHMENTS else "html")
            return
        got = fetcher.get(url, suffix if suffix in ATTACHMENTS else "html")
    assert got.kind == kind
    saved = tmp_path / target_path(url, got.kind)
    saved.parent.mkdir(parents=True)
    saved.write_bytes(body)
    assert sniff(saved, saved.suffix) == EXTENSIONS["." + got.kind]


def test_paths():
    assert target_path("https://www.x.gov.cn/zwgk/nb/", "html") == "www.x.gov.cn/zwgk/nb/index.html"
    assert target_path("http://x.gov.cn:8080/a/../b/down.jsp?id=3", "pdf").startswith("x.gov.cn_8080/a/b/down_")
    assert target_path("http://x.gov.cn/b/down.jsp?id=3", "pdf").endswith(".jsp.pdf")
    assert target_path("http://x.gov.cn/b/a.wps", "wps") == "x.gov.cn/b/a.wps"


def test_size_cap_and_html_served_for_a_pdf_are_failures(site):
    portal = site[0]
    with Fetcher(Polite(delay=0, timeout=2, retries=0, max_file_mb=0.01)) as fetcher, \
            pytest.raises(FetchError, match="too big"):
        fetcher.get(portal.url(ps.PDF), "pdf")
    with Fetcher(Polite(delay=0, timeout=2, retries=0)) as fetcher, \
            pytest.raises(FetchError, match=r"not a \.pdf file: the server sent an HTML page"):
        fetcher.get(portal.url(ps.DOCX_PAGE), "pdf")


def test_a_report_page_links_every_file_type_the_index_reads_as_attachments():
    """A report attached as .odt, .ods, .et or .rtf is downloaded like a .doc: the index reads them all."""
    page = "https://gov.example.cn/zwgk/ndbg/202401/t1.html"
    kinds = ["pdf", "doc", "docx", "wps", "rtf", "odt", "xls", "xlsx", "et", "ods"]
    html = "".join(f'<a href="./P020_{k}.{k}">2023年年度报告（{k}）</a>' for k in kinds)
    found = {a.suffix for a in parse_attachments(html, page)}
    assert found == set(kinds)
    assert {f".{k}" for k in kinds} <= set(SUPPORTED)
