"""Readers and an update together, on a large index; prints figures (not a test).

    python bench/inplace.py --index var/inplace/base.db --reports var/inplace/gen \
        --new var/inplace/new100 --truth var/inplace/truth.jsonl

`--index` was built from `--reports` (e.g. 10,000 reports of `nianbao gen --reports 10100`, the last
100 moved to `--new`). The benchmark works on a copy: it copies the 100 new files into the reports
folder as `nianbao fetch` would and runs the build in its own process while this one asks questions
continuously (Asker.ask in a loop, lookups checked against the generated values). It prints the failed
answers, the bytes the build process wrote (/proc/<pid>/io), the index and log sizes and the wall time.
Then it SIGKILLs the same build at random points and checks each time that the index is whole:
integrity_check, facts as before or after, the passage search in step with the passages.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import load_truth, make_questions  # noqa: E402
from index.store import fts_out_of_sync  # noqa: E402

# the build in its own process, reporting its own I/O counters when it is done
# (this thread's counters: the process's own include the parse workers it reaped, and their pipes)
BUILD = """
import json, sys, threading
from index.build import build_index
summary = build_index([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]))
def io(path):
    return {k: int(v) for k, v in (line.split(": ") for line in open(path).read().splitlines())}
print(json.dumps({"summary": summary.as_dict(), "io": io(f"/proc/self/task/{threading.get_native_id()}/io"),
                  "process_io": io("/proc/self/io")}))
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", required=True, help="an index built from --reports")
    p.add_argument("--reports", required=True)
    p.add_argument("--new", required=True, help="a folder of reports to add")
    p.add_argument("--truth", required=True, help="truth.jsonl of the generated reports")
    p.add_argument("--work", default=str(ROOT / "var" / "inplace" / "work"))
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    reports, db = Path(args.reports), work / "index.db"
    results: dict = {}

    new_files = sorted(Path(args.new).rglob("*.*"))
    truth = load_truth(Path(args.truth))
    new_names = {f.name for f in new_files}
    old_truth = [t for t in truth if Path(t["path"]).name not in new_names]
    new_truth = [t for t in truth if Path(t["path"]).name in new_names]
    questions = make_questions(old_truth, 400, random.Random(args.seed))

    def fresh() -> None:
        """The index copy and the reports folder as they were before the fetch, then the fetched files."""
        shutil.copy(args.index, db)
        for leftover in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            leftover.unlink(missing_ok=True)
        fetched = Path(args.reports) / "fetched"
        shutil.rmtree(fetched, ignore_errors=True)
        fetched.mkdir()
        for f in new_files:
            shutil.copy(f, fetched / f.name)

    def unfetch() -> None:
        shutil.rmtree(Path(args.reports) / "fetched", ignore_errors=True)

    fresh()
    before = counts(db)
    results["index_bytes"] = db.stat().st_size
    print(f"index: {before[0]} reports, {before[1]} facts, {db.stat().st_size / 1e6:.0f} MB; "
          f"adding {len(new_files)} reports while a reader asks {len(questions)} questions in a loop")
    try:
        results["update"] = _update_with_reader(db, reports, questions, new_truth, args.jobs)
        after = counts(db)
        results["counts"] = {"before": before, "after": after}
        results["kills"] = _kills(db, reports, args.kills, args.jobs, before, after, fresh,
                                  results["update"]["wall_s"], random.Random(args.seed))
    finally:
        unfetch()
    out = work.parent / "results-inplace.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nresults: {out}")
    return 0


def counts(db: Path) -> tuple[int, int, int]:
    with closing(sqlite3.connect(db)) as conn:
        return tuple(conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("reports", "facts", "passages"))


def _update_with_reader(db: Path, reports: Path, questions: list, new_truth: list, jobs: int) -> dict:
    from bot.question import Asker

    asker = Asker(db)
    baseline = {q: asker.ask(q) for q, _ in questions}
    # a lookup counts when the index gave the generated value before: it must give it throughout
    checked = {q: v for q, v in questions if v is not None and baseline[q].value == v}
    stop, stats = threading.Event(), {"answers": 0, "failed": [], "ms": [], "reopened": 0}

    def read() -> None:
        generation = asker.index.generation
        while not stop.is_set():
            for question, _ in questions:
                t0 = time.perf_counter()
                answer = asker.ask(question)
                stats["ms"].append((time.perf_counter() - t0) * 1000)
                stats["answers"] += 1
                if answer.intent == "error" or question in checked and answer.value != checked[question]:
                    stats["failed"].append([question, answer.status, answer.value, checked.get(question)])
                if asker.index.generation != generation:
                    stats["reopened"] += 1
                    generation = asker.index.generation
                if stop.is_set():
                    break

    size_before = db.stat().st_size
    wal_max = [0]
    reader = threading.Thread(target=read)
    reader.start()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", BUILD, str(reports), str(db), str(jobs)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    while proc.poll() is None:
        wal_max[0] = max(wal_max[0], _size(Path(f"{db}-wal")))
        time.sleep(0.05)
    wall = time.perf_counter() - started
    out = json.loads(proc.stdout.read().strip().splitlines()[-1])
    time.sleep(1.0)
    stop.set()
    reader.join()
    firsts = ((t, next((f for f in t["facts"] if f["metric"] == "apply.new" and f["applicant"] == "total"
                        and f["table"] != "正文"), None)) for t in new_truth if not t["broken_rule"])
    new_q = [(f"{t['agency']}{t['year']}年收到多少申请", f["value"]) for t, f in firsts if f][:50]
    new_right = sum(asker.ask(q).value == v for q, v in new_q)
    asker.index.close()  # before the kill trials copy files over the index and delete its -shm (see _kills)
    ms = sorted(stats["ms"])
    io = out["io"]
    result = {
        "wall_s": round(wall, 2),
        "build_s": round(out["summary"]["seconds"], 2),
        "summary": {k: out["summary"][k] for k in ("added", "changed", "removed", "unchanged", "reports", "facts")},
        "answers": stats["answers"], "failed": len(stats["failed"]), "failed_examples": stats["failed"][:5],
        "lookups_checked": len(checked), "reader_reopened": stats["reopened"],
        "answer_ms_p50_p95_max": [round(ms[len(ms) // 2], 2), round(ms[int(len(ms) * 0.95)], 2), round(ms[-1], 1)],
        "write_bytes": io["write_bytes"], "wchar": io["wchar"], "read_bytes": io["read_bytes"],
        "process_with_workers_wchar": out["process_io"]["wchar"],
        "index_growth": db.stat().st_size - size_before, "wal_max_bytes": wal_max[0],
        "new_lookups_answered_after": f"{new_right}/{len(new_q)}",
    }
    print(f"update: {result['summary']['added']} added in {wall:.1f} s wall (build {result['build_s']} s); "
          f"reader: {stats['answers']} answers, {len(stats['failed'])} failed ({len(checked)} lookups checked), "
          f"p50/p95/max {result['answer_ms_p50_p95_max']} ms, reopened {stats['reopened']}×; "
          f"new reports answered after: {result['new_lookups_answered_after']}")
    print(f"written by the build's thread: write_bytes {io['write_bytes'] / 1e6:.1f} MB, "
          f"wchar {io['wchar'] / 1e6:.1f} MB (with its parse workers' pipes: "
          f"{out['process_io']['wchar'] / 1e6:.1f} MB); "
          f"index grew {result['index_growth'] / 1e6:.1f} MB; WAL at most {wal_max[0] / 1e6:.1f} MB")
    return result


def _kills(db: Path, reports: Path, trials: int, jobs: int, before, after, fresh, wall: float, rng) -> list:
    """SIGKILL the build at a random point of its run, then check the index."""
    out = []
    for trial in range(trials):
        fresh()
        proc = subprocess.Popen([sys.executable, "-c", BUILD, str(reports), str(db), str(jobs)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                start_new_session=True)
        at = rng.uniform(0.2, 1.0) * wall
        time.sleep(at)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        t0 = time.perf_counter()
        # closed before the next trial replaces the file and deletes its -shm: a connection of this process
        # left open would lend the next one its memory of the old log ("database disk image is malformed")
        with closing(sqlite3.connect(db)) as conn:
            integrity = conn.execute("pragma integrity_check").fetchone()[0]
            fts = fts_out_of_sync(conn)
        now = counts(db)
        state = "before" if now == before else "after" if now == after else f"neither {now}"
        out.append({"killed_at_s": round(at, 2), "integrity": integrity, "fts_out_of_sync": fts, "state": state})
        print(f"kill {trial + 1}: at {at:.1f} s → integrity {integrity}, FTS out of step {fts}, facts {state} "
              f"(checked in {time.perf_counter() - t0:.0f} s)")
    return out


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
