"""Which tables and indexes an update in place writes: the log's pages by b-tree (prints figures, not a test).

    python bench/pages.py --index var/inplace/base.db --reports var/inplace/gen --new var/inplace/new100

Works on a copy of `--index`, like bench/inplace.py: the `--new` files are copied into the reports folder as
`nianbao fetch` would, then one build runs in this process. A reader holds a snapshot from before the build,
so no checkpoint can reuse the write-ahead log: afterwards it holds every page the build wrote (a page written
twice in it, spilled from the cache mid-transaction, counts twice). Each page is named by the b-tree it
belongs to after the update (SQLite's dbstat table), or else before it (a page the update freed).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import struct
import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.build import build_index  # noqa: E402

WAL_HEADER, FRAME_HEADER = 32, 24


def wal_frames(wal: Path) -> list[int]:
    """The page number of every frame in a write-ahead log, in order (frames of the log's current salt)."""
    data = wal.read_bytes()
    if len(data) < WAL_HEADER:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    pages, at = [], WAL_HEADER
    while at + FRAME_HEADER + page_size <= len(data):
        page, _ = struct.unpack(">II", data[at : at + 8])
        if data[at + 8 : at + 16] != salts:
            break
        pages.append(page)
        at += FRAME_HEADER + page_size
    return pages


def page_names(db: Path) -> dict[int, str]:
    """Page number → the b-tree that holds it (table, index, or the search's shadow tables)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return dict(conn.execute("select pageno, name from dbstat"))


def breakdown(before: dict[int, str], after: dict[int, str], frames: list[int]) -> Counter:
    counts: Counter = Counter()
    for page in frames:
        counts[after.get(page) or before.get(page) or "(free list, header)"] += 1
    return counts


@dataclass
class Written:
    """What one build wrote to the log: frames and distinct pages by b-tree, and the build's summary."""

    frames: Counter
    pages: Counter
    log_bytes: int
    seconds: float
    summary: object

    def total(self, prefix: str = "") -> int:
        return sum(n for name, n in self.frames.items() if name.startswith(prefix))


def written_by_build(db: Path, paths: list, jobs: int = 1) -> Written:
    """Build `paths` into the index `db` in place, with a reader's snapshot keeping every frame in the log."""
    before = page_names(db)
    with closing(sqlite3.connect(db, isolation_level=None)) as reader:
        reader.execute("pragma journal_mode = wal")
        reader.execute("begin")
        reader.execute("select count(*) from meta").fetchone()  # the snapshot every frame stays for
        t0 = time.perf_counter()
        summary = build_index(paths, db, jobs=jobs)
        seconds = time.perf_counter() - t0
        wal = Path(f"{db}-wal")
        frames = wal_frames(wal)
        log_bytes = wal.stat().st_size
        reader.execute("commit")
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
    after = page_names(db)
    return Written(breakdown(before, after, frames), breakdown(before, after, sorted(set(frames))), log_bytes,
                   seconds, summary)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", required=True)
    p.add_argument("--reports", required=True)
    p.add_argument("--new", required=True, help="a folder of reports to add")
    p.add_argument("--work", default=str(ROOT / "var" / "inplace" / "pages"))
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "index.db"
    shutil.copy(args.index, db)
    fetched = Path(args.reports) / "fetched"
    shutil.rmtree(fetched, ignore_errors=True)
    fetched.mkdir()
    new_files = sorted(Path(args.new).rglob("*.*"))
    for f in new_files:
        shutil.copy(f, fetched / f.name)
    size_before = db.stat().st_size
    try:
        w = written_by_build(db, [args.reports], args.jobs)
    finally:
        shutil.rmtree(fetched, ignore_errors=True)
    page_size = 4096
    print(w.summary.line())
    print(f"build {w.seconds:.1f} s; log {w.log_bytes / 1e6:.1f} MB, {w.total()} frames of "
          f"{sum(w.pages.values())} distinct pages; file grew {(db.stat().st_size - size_before) / 1e6:.1f} MB")
    print(f"{'b-tree':<40} {'frames':>8} {'pages':>8} {'MB':>7}")
    for name, n in w.frames.most_common():
        print(f"{name:<40} {n:>8} {w.pages[name]:>8} {n * page_size / 1e6:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
