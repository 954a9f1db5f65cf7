"""Grow an index K times by copying its rows under renamed agencies, to measure serving at scale.

    python bench/replicate.py var/bench/index-10000.db var/bench/index-100000.db --times 10

Ingesting 100,000 reports takes hours on a small machine; answering over an
index of that size does not depend on how its rows were made. Copy k renames
every agency (威海市文登区人民政府 → 威海市文登区人民政府·k) and file, so
lookups, rankings and searches run over ten times the rows and agencies.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time


def columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"pragma table_info({table})") if r[1] != "id"]


def replicate(source: str, target: str, times: int) -> None:
    shutil.copyfile(source, target)
    con = sqlite3.connect(target)
    con.execute("pragma synchronous = off")
    con.execute("pragma journal_mode = memory")
    top = con.execute("select max(id) from reports").fetchone()[0]
    for k in range(1, times):
        t0 = time.perf_counter()
        renamed = {"agency": f"agency || '·{k}'", "file": f"'{k}_' || file", "path": f"path || '#{k}'",
                   "report_id": f"report_id + {k * top}", "id": f"id + {k * top}"}
        with con:
            for table in ("reports", "facts", "passages", "checks"):
                cols = columns(con, table) + (["id"] if table == "reports" else [])
                select = ", ".join(renamed.get(c, c) for c in cols)
                con.execute(f"insert into {table} ({', '.join(cols)}) select {select} from {table} "
                            f"where {'id' if table == 'reports' else 'report_id'} <= {top}")
        print(f"copy {k}: {time.perf_counter() - t0:.0f}s", flush=True)
    con.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--times", type=int, default=10)
    args = p.parse_args()
    replicate(args.source, args.target, args.times)


if __name__ == "__main__":
    main()
