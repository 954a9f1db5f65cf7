"""Benchmark the index at scale on a generated corpus; prints figures (not a test).

    python bench/run.py --reports 1000      # quick, about a minute
    python bench/run.py --reports 10000     # full, under 10 minutes on 2 cores

Measures: generation; ingest throughput (reports/s, chars/s) on all cores and
on one process; jieba tokenisation alone on the same text in the same run and
the ratio ingest/tokenise; index size; answer latency over 1,000 mixed
questions (Asker.ask) and how many lookups give the generated value; search
latency (Asker.search); peak RSS of a process holding the index and answering;
cold start to first answer (`nianbao ask` in a new process). Results also go
to var/bench/results-N.json for docs/scaling.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import tokenize  # noqa: E402
from index.build import build_index, discover  # noqa: E402
from index.generate import generate_corpus  # noqa: E402
from index.parse import parse_file  # noqa: E402
from index.read import read_lines  # noqa: E402

QUESTIONS = Path(__file__).with_name("questions.yaml")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reports", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", default=str(ROOT / "var" / "bench"), help="corpus, index and results go here")
    p.add_argument("--single", type=int, default=1000, help="reports ingested on one process (a sample)")
    p.add_argument("--questions", type=int, default=1000)
    p.add_argument("--profile", action="store_true", help="print the parser's hot spots (cProfile)")
    p.add_argument("--serve-only", metavar="DB", help="skip ingestion: measure answering on this index "
                   "(e.g. one grown by bench/replicate.py), asking about the --reports corpus")
    args = p.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    results: dict = {"reports": args.reports, "cores": cores, "python": sys.version.split()[0]}
    started = time.perf_counter()
    print(f"nianbao benchmark: {args.reports} generated reports, {cores} cores")

    corpus = work / f"corpus-{args.reports}-s{args.seed}"
    results["generate"] = _generate(corpus, args.reports, args.seed)
    files, _ = discover([corpus])
    truth = load_truth(corpus / "truth.jsonl")

    db = work / f"index-{args.reports}.db"
    if args.serve_only:
        db = Path(args.serve_only)
        results["serve_only"] = str(db)
    else:
        results["ingest_all_cores"] = _ingest([corpus], db, cores)
        sample = files[: min(len(files), args.single)]
        results["ingest_one_process"] = _ingest(sample, work / "single.db", 1)
        results["tokenise_only"] = _tokenise(sample)
        one, tok = results["ingest_one_process"], results["tokenise_only"]
        results["ratio_ingest_to_tokenise"] = round(one["chars_per_s"] / tok["chars_per_s"], 3)
        if args.profile:
            _profile(sample[:300])
    results["index_bytes"] = db.stat().st_size
    results["index_reports"] = _count_reports(db)

    try:
        from bot.question import Asker  # noqa: F401
    except ImportError as err:
        print(f"question layer not available ({err}): answer figures skipped")
        Asker = None
    if Asker is not None:
        questions = make_questions(truth, args.questions, random.Random(args.seed))
        results["answers"] = _answers(db, questions)
        results["search"] = _search(db)
        results["rss"] = _rss(db, [q for q, _ in questions[:300]])
        results["cold_start"] = _cold_start(db, questions[0][0])
    results["seconds_total"] = round(time.perf_counter() - started, 1)
    _print(results)
    out = work / (f"results-{args.reports}.json" if not args.serve_only else f"results-serve-{db.stem}.json")
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nresults: {out}")
    return 0


# --- ingestion -----------------------------------------------------------------------------------


def _generate(corpus: Path, n: int, seed: int) -> dict:
    truth = corpus / "truth.jsonl"
    if truth.exists() and sum(1 for _ in truth.open(encoding="utf-8")) == n:
        print(f"corpus: reusing {corpus}")
        return {"reused": True}
    shutil.rmtree(corpus, ignore_errors=True)
    t0 = time.perf_counter()
    summary = generate_corpus(n, corpus, seed=seed)
    seconds = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    print(f"generate: {summary}")
    return {"seconds": round(seconds, 2), "reports_per_s": round(n / seconds, 1), "bytes": size}


def _ingest(paths: list, db: Path, jobs: int) -> dict:
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    summary = build_index(paths, db, jobs=jobs)
    seconds = time.perf_counter() - t0
    n = summary.added
    print(f"ingest ({jobs} process{'es' if jobs > 1 else ''}): {summary.line()}")
    return {"jobs": jobs, "reports": n, "chars": summary.chars, "seconds": round(seconds, 2),
            "reports_per_s": round(n / seconds, 1), "chars_per_s": round(summary.chars / seconds),
            "failed": len(summary.failed), "facts": summary.facts}


def _count_reports(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return con.execute("select count(*) from reports").fetchone()[0]


def _tokenise(paths: list[Path]) -> dict:
    """jieba alone, with the index's own dictionary, over every line of the same reports."""
    texts = [read_lines(p) for p in paths]
    tk = tokenize.tokenizer()
    chars = sum(len(line) for lines in texts for line in lines)
    t0 = time.perf_counter()
    for lines in texts:
        for line in lines:
            if line:
                for _ in tk.cut_for_search(line):
                    pass
    seconds = time.perf_counter() - t0
    print(f"jieba cut_for_search alone: {chars} chars in {seconds:.2f}s")
    return {"chars": chars, "seconds": round(seconds, 2), "chars_per_s": round(chars / seconds)}


def _profile(paths: list[Path]) -> None:
    profile = cProfile.Profile()
    profile.enable()
    for path in paths:
        parse_file(path)
    profile.disable()
    print(f"\nparser hot spots over {len(paths)} reports (tottime):")
    pstats.Stats(profile).sort_stats("tottime").print_stats(15)


# --- answering -----------------------------------------------------------------------------------


def load_truth(path: Path) -> list[dict]:
    """The generated reports, keeping only the facts questions are drawn from (all of them take a GB at 10k)."""
    spec = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["kinds"]
    asked = {t["metric"] for kind in spec.values() for t in kind["templates"] if t.get("metric")}
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            t = json.loads(line)
            t["facts"] = [f for f in t["facts"] if f["metric"] in asked and f["table"] != "正文"]
            out.append(t)
    return out


def make_questions(truth: list[dict], count: int, rng: random.Random) -> list[tuple[str, float | None]]:
    """(question, expected value or None) drawn from the generated reports and their truth."""
    spec = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["kinds"]
    kinds = list(spec)
    by_agency: dict[str, list[dict]] = {}
    for t in truth:
        by_agency.setdefault(t["agency"], []).append(t)
    tabled = [t for t in truth if t["format"] != "none" and not t["broken_rule"]]
    out = []
    for _ in range(count):
        kind = rng.choices(kinds, [spec[k]["weight"] for k in kinds])[0]
        template = rng.choice(spec[kind]["templates"])
        report = rng.choice(tabled)
        years = [t["year"] for t in by_agency[report["agency"]]]
        other = rng.choice([y for y in years if y != report["year"]] or years)
        words = {"agency": report["agency"], "short": short_name(report["agency"]), "year": report["year"],
                 "year2": other, "city": _city(report["agency"])}
        expected = None
        if template.get("metric"):
            expected = next((f["value"] for f in report["facts"] if f["metric"] == template["metric"]
                             and f["applicant"] == template.get("applicant") and f["table"] != "正文"), None)
        out.append((template["q"].format(**words), expected))
    return out


def short_name(agency: str) -> str:
    """What people call an agency: 文登区 for 威海市文登区人民政府, no province before a city body."""
    name = re.sub(r"^.{2,8}?(?:省|自治区)(?=.{2,}市)", "", agency)
    county = re.match(r"^(?:.{2,4}市)?(.{1,6}?(?:区|县|旗))人民政府$", name)
    return county.group(1) if county else name


def _city(agency: str) -> str:
    found = re.search(r"([^省区]{2,4}市)", agency)
    return found.group(1) if found else "全省"


def _percentiles(ms: list[float]) -> dict:
    ordered = sorted(ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"n": len(ms), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": round(ordered[-1], 2),
            "mean_ms": round(statistics.fmean(ms), 2)}


def _answers(db: Path, questions: list[tuple[str, float | None]]) -> dict:
    from bot.question import Asker

    t0 = time.perf_counter()
    asker = Asker(db)
    load_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    asker.ask(questions[0][0])
    first_ms = (time.perf_counter() - t0) * 1000
    ms, statuses, right, checked = [], {}, 0, 0
    for question, expected in questions:
        t0 = time.perf_counter()
        answer = asker.ask(question)
        ms.append((time.perf_counter() - t0) * 1000)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        if expected is not None:
            checked += 1
            right += answer.value is not None and abs(float(answer.value) - float(expected)) < 1e-9
    slow = sorted(zip(ms, (q for q, _ in questions), strict=True), reverse=True)[:5]
    return {**_percentiles(ms), "load_ms": round(load_ms, 1), "first_answer_ms": round(first_ms, 1),
            "statuses": statuses, "lookups_checked": checked, "lookups_right": right,
            "slowest": [[round(t, 1), q] for t, q in slow]}


def _search(db: Path) -> dict:
    from bot.question import Asker

    phrases = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["search"]
    asker = Asker(db)
    asker.search(phrases[0])
    ms = []
    for _ in range(10):
        for phrase in phrases:
            t0 = time.perf_counter()
            asker.search(phrase)
            ms.append((time.perf_counter() - t0) * 1000)
    return _percentiles(ms)


# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child started by a big parent reports the parent's
_RSS = """
import re, resource, sys
from bot.question import Asker
asker = Asker(sys.argv[1])
for q in open(sys.argv[2], encoding="utf-8").read().splitlines():
    asker.ask(q)
try:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
except (OSError, AttributeError):
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _rss(db: Path, questions: list[str]) -> dict:
    """Peak RSS of a fresh process that opens the index and answers questions."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write("\n".join(questions))
    try:
        done = subprocess.run([sys.executable, "-c", _RSS, str(db), handle.name], capture_output=True, text=True,
                              cwd=ROOT, check=True)
    finally:
        os.unlink(handle.name)
    kb = int(done.stdout.strip().splitlines()[-1])
    return {"peak_rss_mb": round(kb / 1024, 1), "questions": len(questions)}


def _cold_start(db: Path, question: str) -> dict:
    exe = shutil.which("nianbao") or str(Path(sys.executable).with_name("nianbao"))
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([exe, "ask", question, "--db", str(db)], capture_output=True, check=True)
        runs.append(time.perf_counter() - t0)
    return {"median_s": round(statistics.median(runs), 2), "runs_s": [round(r, 2) for r in runs]}


# --- report ----------------------------------------------------------------------------------------


def _print(r: dict) -> None:
    print(f"\n=== {r['index_reports']} reports in the index, {r['cores']} cores, Python {r['python']} ===")
    if "seconds" in r["generate"]:
        g = r["generate"]
        print(f"generate            {g['seconds']:>8.1f} s   {g['reports_per_s']:>8.0f} reports/s   "
              f"{g['bytes'] / 1e6:.0f} MB on disk")
    if "ingest_all_cores" in r:
        one, all_, tok = r["ingest_one_process"], r["ingest_all_cores"], r["tokenise_only"]
        for name, x in (("ingest 1 process", one), (f"ingest {all_['jobs']} processes", all_)):
            print(f"{name:<19} {x['seconds']:>8.1f} s   {x['reports_per_s']:>8.1f} reports/s   "
                  f"{x['chars_per_s'] / 1e3:>8.1f} k chars/s   ({x['reports']} reports, {x['facts']} facts)")
        print(f"jieba alone         {tok['seconds']:>8.1f} s   {'':>18}   {tok['chars_per_s'] / 1e3:>8.1f} k chars/s")
        print(f"ratio ingest/jieba  {r['ratio_ingest_to_tokenise']:>8.2f}     (goal >= 0.8)")
    print(f"index size          {r['index_bytes'] / 1e6:>8.1f} MB   "
          f"{r['index_bytes'] / r['index_reports'] / 1e3:.1f} kB/report")
    if "answers" in r:
        a, s = r["answers"], r["search"]
        print(f"answer latency      p50 {a['p50_ms']} ms  p95 {a['p95_ms']} ms  p99 {a['p99_ms']} ms  max {a['max_ms']} ms"
              f"  (goal p95 <= 10 ms; {a['n']} questions, first {a['first_answer_ms']} ms, open {a['load_ms']} ms)")
        print(f"lookups right       {a['lookups_right']}/{a['lookups_checked']}   statuses {a['statuses']}")
        print(f"slowest             {a['slowest'][:3]}")
        print(f"search latency      p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  p99 {s['p99_ms']} ms  max {s['max_ms']} ms")
        print(f"peak RSS            {r['rss']['peak_rss_mb']} MB  (goal <= 300 MB)")
        print(f"cold start          {r['cold_start']['median_s']} s to first answer (nianbao ask, median of 3)")
    print(f"benchmark total     {r['seconds_total']} s")


if __name__ == "__main__":
    sys.exit(main())
