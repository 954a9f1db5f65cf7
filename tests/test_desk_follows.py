"""The web desk shows an update made in place as soon as it is committed, not when SQLite checkpoints it.

`nianbao browse` is started by the project's own code (bot.web.shots.running) and read over HTTP; the
update is the real CLI's in-place build. A reader holding a read transaction on the index (the bot
answering a long question) keeps the log from being checkpointed, so the index file itself stays as it was.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import urllib.request
from contextlib import closing
from pathlib import Path

from bot import cli
from bot.browse import FOLLOW_SECONDS
from bot.web import desk, shots

ROOT = Path(__file__).resolve().parent.parent


def _reports(base: str) -> list[tuple[str, int]]:
    with urllib.request.urlopen(shots.url(base, "/nianbao/report_figures.json", _shape="array"), timeout=10) as reply:
        return sorted((r["agency"], r["year"]) for r in json.loads(reply.read()))


def test_the_desk_shows_an_in_place_update_before_any_checkpoint(tmp_path):
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    folder = tmp_path / "reports"
    folder.mkdir()
    for f in seeds[:4]:
        shutil.copy(f, folder)
    index = tmp_path / "index.db"
    assert cli.main(["index", "build", str(folder), "--db", str(index), "--quiet"]) == 0
    with shots.running(index) as base:
        assert len(_reports(base)) == 4
        with closing(sqlite3.connect(index)) as reader:
            reader.execute("begin")
            reader.execute("select count(*) from reports").fetchone()  # holds its snapshot: no checkpoint passes it
            before = index.stat()
            shutil.copy(seeds[4], folder)
            assert cli.main(["index", "build", str(folder), "--db", str(index), "--quiet"]) == 0
            after = index.stat()
            # in place, and the file itself untouched: the new report is only in the write-ahead log
            assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns,
                                                                        before.st_size)
            committed = time.monotonic()
            deadline = committed + 4 * FOLLOW_SECONDS + 10
            while len(shown := _reports(base)) == 4 and time.monotonic() < deadline:
                time.sleep(0.2)
            seconds = time.monotonic() - committed
            reader.rollback()
        assert len(shown) == 5, f"still {len(shown)} reports {seconds:.1f} s after the update was committed"
        print(f"FIGURE desk shows an in-place update after {seconds:.1f} s (follows every {FOLLOW_SECONDS} s)")


def test_a_checkpoint_alone_does_not_rebuild_the_desk(tmp_path):
    """The desk follows the index's data (its generation), not the file's bytes: moving the write-ahead log
    into the file changes them but not one row."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    folder = tmp_path / "reports"
    folder.mkdir()
    for f in seeds[:2]:
        shutil.copy(f, folder)
    index = tmp_path / "index.db"
    assert cli.main(["index", "build", str(folder), "--db", str(index), "--quiet"]) == 0
    served = desk.Desk(index, tmp_path / "nianbao.db")
    assert served.refresh() is True
    shutil.copy(seeds[2], folder)
    with closing(sqlite3.connect(index)) as reader:  # keeps the build's own checkpoint from finishing
        reader.execute("begin")
        reader.execute("select count(*) from reports").fetchone()
        assert cli.main(["index", "build", str(folder), "--db", str(index), "--quiet"]) == 0
        assert served.refresh() is True
        mtime = index.stat().st_mtime_ns
        reader.rollback()
    with closing(sqlite3.connect(index)) as conn:
        assert conn.execute("pragma wal_checkpoint(truncate)").fetchone()[0] == 0
    assert index.stat().st_mtime_ns != mtime
    assert served.refresh() is False
    with closing(sqlite3.connect(served.served)) as conn:
        assert conn.execute("select count(*) from report_figures").fetchone()[0] == 3
