"""OCR on scans of the tabled seeds' tables and of the huaian PDF's table pages (figures, not a test).

    python bench/ocr.py                # every seed and the PDF, clean and as a poor scan
    python bench/ocr.py --only 000     # one seed (or `huaian`)

Each report's tables are printed to an A4 PDF (tests/render.py) or taken from
tests/fixtures/huaian_2024.pdf (pages 3–5), rendered at 200 dpi and saved as a
PDF with no text layer; half of the scans are turned 1–2°, blurred and noisy
(tests/scan.py). Each scan is parsed by the real reader inside a capped worker
(index.workers, the build's caps), with an empty OCR cache, and every cell is
compared with the hand-transcribed cells (tests/fixtures/seed_cells.yaml,
huaian_cells.yaml). Printed: cells read right, flagged (read wrong but marked
ocr_unsure), unflagged wrong (must be 0), unread, seconds per page, and the
worker's peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.limits import Limits  # noqa: E402
from index.parse import parse_file  # noqa: E402
from index.workers import OK, run_capped  # noqa: E402
from tests.scan import FIXTURES, degrade, gold_cells, pages_of_pdf, save_scan, score, seed_scan_pages  # noqa: E402

SEEDS = {"000": "000_45e9b68dfabc38a8.txt", "001": "001_114e84585976705a.txt", "002": "002_06daf30fbb2e76e1.txt",
         "004": "004_6263b7441e3dec22.txt"}


def _parse(path: str):
    started = time.perf_counter()
    report = parse_file(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return report, time.perf_counter() - started, peak


def scans(work: Path, only: str | None) -> list[tuple[str, str, Path, int]]:
    """(name, variant, scan path, pages) for every report, clean and poor."""
    out = []
    for name in ([only] if only else [*SEEDS, "huaian"]):
        if name == "huaian":
            pages = pages_of_pdf(FIXTURES / "huaian_2024.pdf", 200, [2, 3, 4])
        else:
            pages = seed_scan_pages(ROOT / "seeds" / SEEDS[name], work)
        out.append((name, "clean", save_scan(pages, work / f"{name}.clean.pdf"), len(pages)))
        poor = [degrade(p, seed=i + 1) for i, p in enumerate(pages)]
        out.append((name, "poor", save_scan(poor, work / f"{name}.poor.pdf"), len(pages)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only")
    parser.add_argument("--cache", help="an OCR cache to keep between runs (default: a fresh one, every page read)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["NIANBAO_OCR_CACHE"] = args.cache or str(work / "cache")
        todo = scans(work, args.only)
        pages = {str(p): n for _, _, p, n in todo}
        # the build's memory cap; wall time unbounded here: seconds per page are what is measured
        limits = Limits.from_env()
        total = {"cells": 0, "right": 0, "flagged": 0, "unflagged_wrong": 0, "unread": 0}
        seconds = npages = peak = 0
        print(f"worker caps: {limits.memory_mb} MB address space over its start, OCR'd files up to "
              f"{limits.ocr_seconds_for(10 << 20):.0f} s")
        results = {}
        for (path,), status, value in run_capped(_parse, [(str(p),) for _, _, p, _ in todo], args.jobs, limits,
                                                 lambda task: 7200.0):
            results[path] = (status, value)
            print(f"  done {Path(path).name}", flush=True)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for name, variant, path, n in todo:
            status, value = results[str(path)]
            if status != OK:
                print(f"{name:7} {variant:5} FAILED: {value}")
                continue
            report, took, rss = value
            s = score(gold_cells(name), report.facts)
            for k in total:
                total[k] += s[k]
            seconds += took
            npages += pages[str(path)]
            peak = max(peak, rss)
            print(f"{name:7} {variant:5} pages {n}  cells {s['cells']:4}  right {s['right']:4}  flagged "
                  f"{s['flagged']:3}  unflagged wrong {s['unflagged_wrong']}  unread {s['unread']:3}  "
                  f"{took / n:5.1f} s/page  missing {','.join(report.missing_tables) or '-'}")
            for wrong in s["wrong"]:
                print("        unflagged wrong:", wrong)
        read = total["right"] + total["flagged"]
        print(f"\nall: cells {total['cells']}  read right {total['right']} ({100 * total['right'] / max(total['cells'], 1):.1f}%)"
              f"  read incl. flagged {read} ({100 * read / max(total['cells'], 1):.1f}%)  flagged {total['flagged']}  "
              f"unflagged wrong {total['unflagged_wrong']}  unread {total['unread']}")
        print(f"speed: {seconds / max(npages, 1):.1f} s/page over {npages} pages (1 onnxruntime thread)")
        print(f"worker peak RSS: {peak} MB")


if __name__ == "__main__":
    main()
