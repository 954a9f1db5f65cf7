"""Updates in place while readers answer: no failed answer, a killed build leaves the index as before or after,
a running Asker follows whatever build changed the index, and a build refuses a file that is no index."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from bench.pages import written_by_build
from bot.cli import main
from bot.question import Asker
from index import build, store
from index.build import build_index
from index.generate import generate_corpus
from index.store import fts_out_of_sync

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
ENV.pop("NIANBAO_DB", None)
SEED_001 = "001_114e84585976705a.txt"
NEW = 10


def nianbao(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=ENV)


def lookups(truth: list[dict]) -> list[tuple[str, float]]:
    """(question, the generated value) for every report with a table of new applications."""
    out = []
    for t in truth:
        value = next((f["value"] for f in t["facts"] if f["metric"] == "apply.new" and f["applicant"] == "total"
                      and f["table"] != "正文"), None)
        if value is not None and not t["broken_rule"]:
            out.append((f"{t['agency']}{t['year']}年收到多少申请", value))
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    """60 generated reports: 50 indexed in base.db, 10 in a folder of their own, added by the tests."""
    base = tmp_path_factory.mktemp("inplace")
    generate_corpus(50 + NEW, base / "gen", seed=7)
    truth = [json.loads(line) for line in (base / "gen" / "truth.jsonl").open(encoding="utf-8")]
    (base / "gen" / "truth.jsonl").unlink()
    new = base / "new"
    new.mkdir()
    for t in truth[-NEW:]:
        shutil.move(base / "gen" / t["path"], new / Path(t["path"]).name)
    build_index([base / "gen"], base / "base.db", jobs=2)
    return {"base": base, "old": lookups(truth[:-NEW]), "new": lookups(truth[-NEW:])}


def counts(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as conn:
        return tuple(conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("reports", "facts", "passages"))


def test_readers_answer_throughout_an_update_and_then_see_the_new_reports(corpus, tmp_path):
    db = tmp_path / "index.db"
    shutil.copy(corpus["base"] / "base.db", db)
    asker = Asker(db)
    assert all(asker.ask(q).value == v for q, v in corpus["new"][:3]) is False  # not indexed yet
    answers, failed, done = [0], [], threading.Event()

    def read() -> None:
        reader = Asker(db)
        while not done.is_set():
            for question, value in corpus["old"]:
                answer = reader.ask(question)
                answers[0] += 1
                if answer.status != "answered" or answer.value != value:
                    failed.append((question, answer.status, answer.value, value))

    thread = threading.Thread(target=read)
    thread.start()
    try:
        time.sleep(0.3)
        summary = build_index([corpus["base"] / "gen", corpus["base"] / "new"], db, jobs=1)
        time.sleep(0.3)
    finally:
        done.set()
        thread.join()
    assert (summary.added, summary.changed, summary.removed, summary.failed) == (NEW, 0, 0, [])
    assert failed == [] and answers[0] > len(corpus["old"])
    assert not list(tmp_path.glob(".*building*")), "no copy of the whole index"
    # the Asker opened before the build answers about the new reports without a reload
    assert [asker.ask(q).value for q, _ in corpus["new"]] == [v for _, v in corpus["new"]]


def test_a_build_killed_at_any_point_leaves_a_consistent_index(corpus, tmp_path):
    db = tmp_path / "index.db"
    shutil.copy(corpus["base"] / "base.db", db)
    before = counts(db)
    after_db = tmp_path / "after.db"
    shutil.copy(db, after_db)

    def command(target: Path) -> list[str]:
        return [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())", "index", "build",
                str(corpus["base"] / "gen"), str(corpus["base"] / "new"), "--db", str(target), "--quiet"]

    started = time.perf_counter()
    subprocess.run(command(after_db), cwd=ROOT, env=ENV, check=True, capture_output=True, timeout=120)
    whole = time.perf_counter() - started  # the kills fall anywhere in a build as long as this one
    after = counts(after_db)
    rng = random.Random(11)
    seen = set()
    for _ in range(4):
        proc = subprocess.Popen(command(db), cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.4, 1.0) * whole)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
            assert fts_out_of_sync(conn) == 0
        now = counts(db)
        assert now in (before, after), now
        seen.add(now)
        if now == after:
            break
    print(f"\nkilled builds left {sorted(seen)} (before {before}, after {after})")
    build_index([corpus["base"] / "gen", corpus["base"] / "new"], db)
    assert counts(db) == after


def test_an_update_writes_its_rows_and_little_else(corpus, tmp_path):
    """The log of an update holds the new reports' rows, not pages all over the facts' indexes: with the
    (metric, year, applicant) index rankings once read, 10 reports wrote more index pages than fact rows."""
    db = tmp_path / "index.db"
    shutil.copy(corpus["base"] / "base.db", db)
    written = written_by_build(db, [corpus["base"] / "gen", corpus["base"] / "new"])
    assert written.summary.added == NEW
    print(f"\nlog frames by b-tree: {dict(written.frames.most_common())}")
    rows = written.frames["facts"]
    assert rows > 20  # ~200 facts a report
    assert written.total("idx_facts") <= rows * 3 // 4, written.frames
    own = sum(written.frames[t] for t in ("facts", "passages", "passages_fts_data", "reports", "checks"))
    assert written.total() <= 2 * own, written.frames


EARLIER_FACTS_INDEXES = {  # what the index held before store.FACTS_INDEXES
    "idx_facts_agency_year_metric": "facts (agency, year, metric)",
    "idx_facts_metric_year_applicant": "facts (metric, year, applicant)",
    "idx_facts_report_id": "facts (report_id)",
}
RANKINGS = ["2021年哪个单位收到申请最多", "2022年哪个单位不予公开最多", "哪个单位行政复议最多",
            "2023年哪个单位行政诉讼最多", "2021年哪个单位收到申请最少"]


def test_an_index_of_the_earlier_schema_answers_the_same_and_is_brought_up_to_date(corpus, tmp_path):
    db = tmp_path / "index.db"
    shutil.copy(corpus["base"] / "base.db", db)
    with closing(sqlite3.connect(db)) as conn:
        for name in store.FACTS_INDEXES:
            conn.execute(f"drop index {name}")
        for name, what in EARLIER_FACTS_INDEXES.items():
            conn.execute(f"create index {name} on {what}")
        conn.execute("analyze")
    questions = RANKINGS + [q for q, _ in corpus["old"][:5]]
    before = [Asker(db).ask(q).text for q in questions]
    assert sum("1. " in text for text in before) >= 4  # rankings with places, not "no data"
    assert build_index([corpus["base"] / "gen"], db).unchanged == 50
    with closing(sqlite3.connect(db)) as conn:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index' and tbl_name = 'facts'")}
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert names == set(store.FACTS_INDEXES)
    assert [Asker(db).ask(q).text for q in questions] == before


def test_a_running_asker_answers_what_the_command_line_just_built(seed_index, tmp_path):
    """The stale bot: a build from the command line, a running Asker, no /reindex, no restart."""
    reports = tmp_path / "reports"
    shutil.copytree(ROOT / "seeds", reports)
    db = tmp_path / "index.db"
    assert main(["index", "build", str(reports), "--db", str(db), "--quiet"]) == 0
    asker = Asker(db)
    question = "文登区2020年收到多少申请"
    assert asker.ask(question).value == 42
    ranking = asker.ask("2020年哪个单位收到的申请最多")
    lines = (reports / SEED_001).read_text(encoding="utf-8").split("\n")
    assert lines[63] == "\t42"  # the 总计 cell of 本年新收政府信息公开申请数量
    lines[63] = "\t43"
    (reports / SEED_001).write_text("\n".join(lines), encoding="utf-8")
    done = nianbao("index", "build", str(reports), "--db", str(db))
    assert done.returncode == 0 and "1 changed" in done.stdout, done.stdout + done.stderr
    assert asker.ask(question).value == 43
    generation = asker.index.generation
    # a build that changes nothing keeps the generation: the remembered rankings stay
    assert main(["index", "build", str(reports), "--db", str(db), "--quiet"]) == 0
    assert asker.ask(ranking.question).text and asker.index.generation == generation


def test_a_running_asker_follows_a_new_file_swapped_in(seed_index, tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    shutil.copytree(ROOT / "seeds", reports)
    db = tmp_path / "index.db"
    build_index([reports], db)
    asker = Asker(db)
    inode = db.stat().st_ino
    (reports / SEED_001).unlink()
    monkeypatch.setattr(build, "parser_version", lambda: "a-later-parser")  # a full rebuild: a new file
    build_index([reports], db)
    assert db.stat().st_ino != inode
    assert "文登区" not in " ".join(r["agency"] for r in asker.list_reports())
    assert len(asker.list_reports()) == 4


FOREIGN = {
    "a text file": lambda p: p.write_text("shopping list\n", encoding="utf-8"),
    "another program's database": lambda p: sqlite3.connect(p).execute("create table t (x)").connection.commit(),
    "random bytes": lambda p: p.write_bytes(os.urandom(4096)),
}


@pytest.mark.parametrize("kind", FOREIGN)
def test_a_build_refuses_a_file_that_is_no_index(kind, tmp_path, capsys):
    target = tmp_path / "target.db"
    FOREIGN[kind](target)
    before = target.read_bytes()
    assert main(["index", "build", str(ROOT / "seeds"), "--db", str(target)]) != 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nianbao:") and "not a nianbao index" in lines[0], lines
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target.db"]


def test_a_build_refuses_a_device():
    done = nianbao("index", "build", str(ROOT / "seeds"), "--db", "/dev/null")
    assert done.returncode != 0 and "not a regular file" in done.stderr, done.stderr
    assert Path("/dev/null").is_char_device()
