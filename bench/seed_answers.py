"""Answer latency on the seed index: warm p50/p95/p99 and cold `nianbao ask`.

    python bench/seed_answers.py [--db PATH] [--rounds 20]

Prints figures; asserts nothing (targets: warm p95 ≤ 5 ms, cold ≤ 2 s).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def questions() -> list[str]:
    data = yaml.safe_load((ROOT / "tests" / "fixtures" / "phrasings.yaml").read_text(encoding="utf-8"))
    return [q for items in data.values() for q, _ in items]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from bot.question import Asker
    from index.build import build_index

    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "seeds.db"
    if not db.exists():
        build_index([ROOT / "seeds"], db)
    asker = Asker(db)
    qs = questions()
    for q in qs:  # warm-up: first search loads jieba
        asker.ask(q)
    timings = []
    for _ in range(args.rounds):
        for q in qs:
            t0 = time.perf_counter()
            asker.ask(q)
            timings.append((time.perf_counter() - t0) * 1000)
    print(f"warm answers: {len(timings)} ({len(qs)} phrasings × {args.rounds}) "
          f"p50 {percentile(timings, 50):.2f} ms, p95 {percentile(timings, 95):.2f} ms, "
          f"p99 {percentile(timings, 99):.2f} ms, mean {statistics.mean(timings):.2f} ms")
    cold = []
    exe = Path(sys.executable).with_name("nianbao")
    for q in ("文登区2020年收到多少申请", "哪些报告提到了政府开放日"):
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([str(exe), "ask", q, "--db", str(db)], check=True, capture_output=True)
            cold.append((q, time.perf_counter() - t0))
    for q, seconds in cold:
        print(f"cold `nianbao ask {q}`: {seconds:.2f} s")
    print(f"cold max {max(s for _, s in cold):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
