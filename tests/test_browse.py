"""The journalists' desk (`nianbao browse`): the desk copy, its SQL, and the pages in a real headless chromium."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from bot.web import desk, shots
from bot.web.plugins import nianbao_sql
from index.build import build_index

WENDENG = "威海市文登区人民政府"
OPEN_DAY = "2020年，文登区共开展“政府开放日”活动8次。"


@pytest.fixture(scope="module")
def desk_db(seed_index, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("desk") / "nianbao.db"
    desk.build(seed_index, out)
    return out


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    nianbao_sql.prepare_connection(conn)  # the functions Datasette registers on its connections
    return conn


def _query(path: Path, name: str, **params) -> list[dict]:
    sql = desk.metadata()["databases"][desk.DB_NAME]["queries"][name]["sql"]
    with closing(_connect(path)) as conn:
        return [dict(r) for r in conn.execute(sql, params)]


# --- the desk copy -----------------------------------------------------------------------------


def test_wide_row_of_wendeng_2020(desk_db):
    with closing(_connect(desk_db)) as conn:
        row = dict(conn.execute("select * from report_figures where agency = ? and year = 2020", [WENDENG]).fetchone())
    assert row == {
        "report_id": 2, "agency": WENDENG, "year": 2020, "province": "山东省", "city": "威海市", "county": "文登区",
        "format": "2019", "新收申请": 42, "上年结转": 0, "予以公开": 20, "部分公开": 3, "不予公开": 5, "无法提供": 11,
        "不予处理": 0, "其他处理": 3, "办理总计": 42, "结转下年度": 0, "行政复议总计": 0, "行政诉讼总计": 2,
        "checks_failed": 0, "missing_tables": '["表二"]', "from_text": None,
    }


def test_blank_cells_stay_blank_and_narrative_reports_take_their_texts_figures(desk_db, seed_db):
    with closing(_connect(desk_db)) as conn:
        lingang = dict(conn.execute("select 不予公开, 不予处理, 新收申请, from_text from report_figures "
                                    "where report_id = 1").fetchone())
        linyi = dict(conn.execute("select 新收申请, 行政复议总计, 行政诉讼总计, 不予公开, format, from_text "
                                  "from report_figures where report_id = 4").fetchone())
    assert lingang == {"不予公开": None, "不予处理": None, "新收申请": 9, "from_text": None}  # 表中留空, not 0
    # seed 003 has no tables: its figures are the ones its text states, and the row says which those are
    stated = {r["metric"]: r["value"] for r in seed_db.query(
        "select metric, value from facts where report_id = 4 and source_table = '正文' order by line desc")}
    assert linyi == {"新收申请": stated["apply.new"], "行政复议总计": stated["review.total"],
                     "行政诉讼总计": stated["litigation.total"], "不予公开": None, "format": "none",
                     "from_text": "新收申请、行政复议总计、行政诉讼总计"}
    assert (linyi["新收申请"], linyi["行政复议总计"]) == (9, 7)


def test_the_desk_keeps_no_server_path(desk_db, seed_index):
    with closing(_connect(desk_db)) as conn:
        columns = [r["name"] for r in conn.execute("pragma table_info(reports)")]
        cells = [str(v) for table in ("reports", "facts", "passages")
                 for row in conn.execute(f"select * from {table}") for v in tuple(row)]
    assert "path" not in columns
    assert not [c for c in cells if str(seed_index.parent) in c]


def test_group_columns_add_their_parts():
    assert desk.parts("apply.denied") == (
        "apply.denied.state_secret", "apply.denied.law_forbidden", "apply.denied.security_stability",
        "apply.denied.third_party", "apply.denied.internal_affairs", "apply.denied.process_info",
        "apply.denied.enforcement_file", "apply.denied.query_matter",
    )
    assert desk.parts("litigation.total") == ("litigation.direct.total", "litigation.after_review.total")
    assert desk.parts("apply.new") == ("apply.new",)
    with pytest.raises(KeyError, match="apply.nonsense"):
        desk.parts("apply.nonsense")


def test_checks_per_report(desk_db):
    with closing(_connect(desk_db)) as conn:
        row = dict(conn.execute("select * from report_checks where report_id = 2").fetchone())
    assert row == {
        "report_id": 2, "agency": WENDENG, "year": 2020, "province": "山东省", "city": "威海市", "county": "文登区",
        "format": "2019", "result": "通过", "passed": 43, "failed": 0, "not_applicable": 0,
        "勾稽关系": "通过", "办理结果之和": "通过", "申请人之和": "通过", "表四之和": "通过", "正文与表格": "通过",
        "跨年度衔接": None,
    }


def test_facts_point_to_chinese_labels_and_source_text_is_left_out(desk_db):
    with closing(_connect(desk_db)) as conn:
        fks = {(r["from"], r["table"]) for r in conn.execute("pragma foreign_key_list(facts)")}
        label = conn.execute("select label from metrics where key = 'apply.new'").fetchone()[0]
        columns = [r["name"] for r in conn.execute("pragma table_info(reports)")]
    assert {("metric", "metrics"), ("applicant", "applicants"), ("report_id", "reports")} <= fks
    assert label == "本年新收政府信息公开申请数量"
    assert "text_z" not in columns


def test_building_the_desk_leaves_the_index_untouched(seed_index, tmp_path):
    before = hashlib.sha256(seed_index.read_bytes()).hexdigest()
    desk.build(seed_index, tmp_path / "nianbao.db")
    assert hashlib.sha256(seed_index.read_bytes()).hexdigest() == before


def test_every_visible_column_is_described(desk_db):
    tables = desk.metadata()["databases"][desk.DB_NAME]["tables"]
    with closing(_connect(desk_db)) as conn:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        undescribed = [
            f"{table}.{col['name']}"
            for table in names if not tables.get(table, {}).get("hidden")
            for col in conn.execute(f'pragma table_info("{table}")')
            if col["name"] not in tables.get(table, {}).get("columns", {})
        ]
    assert undescribed == []


def test_desk_follows_a_reindex(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    files = sorted(Path(__file__).resolve().parent.parent.joinpath("seeds").glob("*.txt"))
    for f in files[:4]:
        shutil.copy(f, seeds)
    index = tmp_path / "index.db"
    build_index([seeds], index)
    served = desk.Desk(index, tmp_path / "serve" / "nianbao.db")
    served.served.parent.mkdir()
    assert served.refresh() is True
    with closing(sqlite3.connect(f"file:{served.served}?mode=ro", uri=True)) as reader:  # as Datasette reads
        assert reader.execute("select count(*) from report_figures").fetchone()[0] == 4
        assert served.refresh() is False  # nothing changed
        shutil.copy(files[4], seeds)
        build_index([seeds], index)  # a new file swapped in with one rename
        assert served.refresh() is True
        assert reader.execute("select count(*) from report_figures").fetchone()[0] == 5


# --- search and canned queries -------------------------------------------------------------------


def test_jieba_match_quotes_every_token():
    assert nianbao_sql.jieba_match("政府开放日") == '"政府开放日"'
    assert nianbao_sql.jieba_match("不予公开") == '"不予公开"'
    assert nianbao_sql.jieba_match('开放日" OR x*') == '"开放日" "OR" "x"'
    assert nianbao_sql.jieba_match("") == '""'
    assert nianbao_sql.jieba_match("，。！") == '""'


def test_search_query_finds_the_open_day_passage(desk_db):
    rows = _query(desk_db, "search", q="政府开放日", agency="文登")
    assert [(r["机关"], r["年度"], r["行"]) for r in rows] == [(WENDENG, 2020, 34), (WENDENG, 2020, 375)]
    assert OPEN_DAY in rows[0]["原文"]
    assert _query(desk_db, "search", q="不予公开", agency="")
    assert _query(desk_db, "search", q="", agency="") == []
    assert _query(desk_db, "search", q='" OR NEAR(', agency="") == []  # FTS syntax stays quoted: no error


def test_metric_ranking_by_key_and_by_group_label(desk_db):
    by_key = _query(desk_db, "metric_ranking", metric="apply.new", year="2020")
    assert [(r["机关"], r["数值"]) for r in by_key] == [(WENDENG, 42), ("威海市工业和信息化局", 0)]
    assert _query(desk_db, "metric_ranking", metric="本年新收政府信息公开申请数量", year="2020") == by_key
    denied = _query(desk_db, "metric_ranking", metric="不予公开", year="2020")
    assert (denied[0]["机关"], denied[0]["数值"], denied[0]["原文"]) == (WENDENG, 5, "0 + 0 + 0 + 2 + 2 + 0 + 1 + 0")  # parts in printed order


@pytest.mark.parametrize("figure", desk.spec()["figures"], ids=lambda f: f["column"])
def test_metric_ranking_by_the_desks_own_column_words(desk_db, figure):
    """Each wide-table column name, typed into the ranking form, ranks that column's figure."""
    rows = _query(desk_db, "metric_ranking", metric=figure["column"], year="")
    with closing(_connect(desk_db)) as conn:
        wide = {(r[0], r[1]) for r in conn.execute(
            f'select agency, "{figure["column"]}" from report_figures where "{figure["column"]}" is not null '
            "and from_text is null")}
    assert rows, figure
    assert {(r["机关"], r["数值"]) for r in rows if r["数值"] is not None} == wide


@pytest.mark.parametrize("word, key", [("行政诉讼", "litigation.total"), ("行政复议", "review.total"),
                                       ("新收申请", "apply.new"), ("不予公开", "apply.denied"),
                                       ("apply.carried_forward", "apply.carried_forward")])
def test_metric_words_resolve_as_the_bot_reads_them(word, key):
    from bot.question.understand import metric_words

    assert nianbao_sql.metric_key(word) == key
    assert nianbao_sql.metric_key("  ") is None
    assert nianbao_sql.metric_key("x" * (nianbao_sql.MAX_CHARS + 1)) is None
    assert all(nianbao_sql.metric_key(w) for w, (kind, _) in metric_words().items() if kind == "metric")


def test_sql_functions_bound_their_input_and_show_no_pointer(desk_db):
    huge = "政府开放日" * 400_000  # two million characters
    functions = ("jieba_match", "metric_key", "metric_label", "applicant_label")

    def seconds(call: str) -> float:
        started = time.perf_counter()
        for argument in (huge, huge.encode()):
            conn.execute(f"select {call}(?)", [argument]).fetchone()
        return time.perf_counter() - started

    with closing(_connect(desk_db)) as conn:
        # handing 10 MB to Python costs what it costs (SQLite's own length() as the yardstick); jieba on it, minutes
        passing = seconds("length")
        assert {f: seconds(f) for f in functions} == pytest.approx(dict.fromkeys(functions, passing), abs=passing + 1)
        assert conn.execute("select jieba_match(?)", [huge]).fetchone()[0] == nianbao_sql.NOTHING
        assert conn.execute("select jieba_match(?)", ["政府开放日" * 10]).fetchone()[0] != nianbao_sql.NOTHING
        assert conn.execute("select fts3_tokenizer('simple')").fetchone()[0] is None
        assert conn.execute("select fts3_tokenizer('simple', x'00')").fetchone()[0] is None


def test_agency_years_and_failing_checks(desk_db, tmp_path):
    years = _query(desk_db, "agency_years", agency="文登区")
    assert [(r["年度"], r["新收申请"], r["行政诉讼总计"]) for r in years] == [(2020, 42, 2)]
    assert _query(desk_db, "failing_checks", rule="", agency="") == []  # the seeds add up
    broken = tmp_path / "broken.db"
    shutil.copy(desk_db, broken)
    with closing(sqlite3.connect(broken)) as conn:
        conn.execute("update checks set status = 'fail', actual = 41 where report_id = 2 and rule = 1 "
                     "and subject = 'total'")
        conn.commit()
    rows = _query(broken, "failing_checks", rule="1", agency="文登")
    assert [(r["机关"], r["规则"], r["对象"], r["实为"]) for r in rows] == [(WENDENG, 1, "总计", 41)]


# --- the server in a real headless browser ----------------------------------------------------------


@pytest.fixture(scope="module")
def served(seed_index):
    with shots.running(seed_index) as base:
        yield base


@pytest.fixture(scope="module")
def server(served):
    if shots.chromium() is None:
        pytest.skip("chromium is not installed (deploy/setup.sh installs it as root: apt-get install chromium)")
    return served


def _table(dom: str) -> list[dict]:
    """The rows of Datasette's results table, keyed by column header."""
    html = LexborHTMLParser(dom)
    table = html.css_first("table.rows-and-columns")
    assert table is not None, dom[:2000]
    headers = [(th.attributes.get("data-column") or th.text()).strip() for th in table.css("thead th")]
    return [dict(zip(headers, (td.text().strip() for td in tr.css("td")), strict=True)) for tr in table.css("tbody tr")]


def _get(address: str) -> str:
    with urllib.request.urlopen(address, timeout=10) as reply:
        assert reply.status == 200
        return reply.read().decode("utf-8")


def test_browser_wide_table_shows_42_new_applications(server):
    rows = _table(shots.dump_dom(shots.url(server, shots.WIDE_TABLE, agency=WENDENG, year="2020")))
    assert [(r["agency"], r["year"], r["新收申请"], r["行政诉讼总计"]) for r in rows] == [(WENDENG, "2020", "42", "2")]


def test_browser_chinese_search_finds_the_open_day(server):
    rows = _table(shots.dump_dom(shots.url(server, "/nianbao/search", q="政府开放日", agency="")))
    assert any(r["机关"] == WENDENG and OPEN_DAY in r["原文"] for r in rows), rows


def test_browser_canned_query_returns_rows(server):
    rows = _table(shots.dump_dom(shots.url(server, "/nianbao/metric_ranking", metric="apply.new", year="2020")))
    assert [(r["机关"], r["数值"]) for r in rows] == [(WENDENG, "42"), ("威海市工业和信息化局", "0")]


def test_csv_and_json_exports(server):
    text = _get(shots.url(server, shots.WIDE_TABLE + ".csv", agency=WENDENG, year="2020"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["agency"], r["新收申请"], r["不予公开"]) for r in rows] == [(WENDENG, "42", "5")]
    found = json.loads(_get(shots.url(server, "/nianbao/search.json", q="政府开放日", agency="文登", _shape="array")))
    assert [(r["机关"], r["行"]) for r in found] == [(WENDENG, 34), (WENDENG, 375)]


def test_internal_tables_are_hidden(server):
    tables = json.loads(_get(shots.url(server, "/nianbao.json")))["tables"]
    hidden = {t["name"] for t in tables if t["hidden"]}
    assert {"meta", "passages_fts", "metric_parts"} <= hidden
    assert "report_figures" not in hidden


# --- what the desk serves, and what it does not -----------------------------------------------------


def _status(address: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(address, timeout=10) as reply:
            return reply.status, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def test_arbitrary_sql_is_off_and_tables_and_canned_queries_are_served(served):
    for sql in ("select 1", "select fts3_tokenizer('simple')", "select jieba_match(zeroblob(10000000))"):
        assert _status(shots.url(served, "/nianbao.json", sql=sql))[0] == 403, sql
    assert _status(shots.url(served, "/nianbao/report_figures.json"))[0] == 200
    for name, params in {"search": {"q": "政府开放日", "agency": ""}, "agency_years": {"agency": "文登"},
                         "metric_ranking": {"metric": "行政诉讼", "year": "2020"},
                         "failing_checks": {"rule": "", "agency": ""}}.items():
        assert _status(shots.url(served, f"/nianbao/{name}.json", **params))[0] == 200, name


def test_ranking_form_reads_the_desks_column_words(served):
    rows = json.loads(_get(shots.url(served, "/nianbao/metric_ranking.json", metric="新收申请", year="2020",
                                     _shape="array")))
    assert [(r["机关"], r["数值"]) for r in rows] == [(WENDENG, 42), ("威海市工业和信息化局", 0)]


def test_pages_show_no_server_path_or_address(served, seed_index):
    for page in ("/-/versions.json", "/-/databases.json", "/-/plugins.json", "/-/threads.json", "/-/settings.json"):
        assert _status(served + page)[0] == 404, page
    for page in ("/", "/nianbao", "/nianbao.json", "/-/metadata.json", "/nianbao/reports.json",
                 "/nianbao/reports/2.json", "/nianbao/facts.json?_size=max"):
        status, body = _status(served + page)
        assert status == 200, page
        for secret in (str(seed_index.parent), "/tmp/", "nianbao-browse-", "site-packages"):
            assert secret not in body, (page, secret)


def test_arbitrary_sql_only_when_the_operator_asks():
    assert desk.metadata()["allow_sql"] is False
    assert "allow_sql" not in desk.metadata(allow_sql=True)
    from bot.cli import _parser

    assert _parser().parse_args(["browse"]).sql is False
    assert _parser().parse_args(["browse", "--sql"]).sql is True
