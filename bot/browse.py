"""`nianbao browse`: the index in a browser with Datasette, on 127.0.0.1 unless told otherwise.

Datasette serves the desk (bot/web/desk.py: a copy of the index with a wide table
and per-report checks, rebuilt when the index is swapped) with the labels and
canned queries of bot/web/metadata.yaml and the jieba search plugin of
bot/web/plugins. The index file itself is only ever read.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
from contextlib import closing
from pathlib import Path

from bot.web import desk
from index import tokenize
from index.build import pid_alive
from index.errors import NianbaoError
from index.store import open_index

log = logging.getLogger("nianbao.browse")

PLUGINS = Path(desk.__file__).with_name("plugins")
TEMP_PREFIX = "nianbao-browse-"  # then the pid, so a later start can tell an orphan
FOLLOW_SECONDS = 3.0  # how often to look whether a re-index swapped the index file
SETTINGS = {
    "sql_time_limit_ms": 5000,  # ranking a metric over every report reads many facts
    "default_page_size": 50,
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,  # metadata names the useful facets; suggestions cost a query per column
}


class WebUnavailable(NianbaoError):
    def __init__(self, missing: str):
        super().__init__(f"{missing} is not installed: `pip install -e .[web]` (Datasette) to use `nianbao browse`")


def serve(db_path, host: str = "127.0.0.1", port: int = 8001, allow_sql: bool = False) -> int:
    """Serve the index at db_path until interrupted; returns the exit code.

    allow_sql opens Datasette's arbitrary-SQL page; by default only the tables and canned queries are served.
    """
    try:
        import uvicorn
        from datasette.app import Datasette
    except ImportError as err:
        raise WebUnavailable(err.name or "datasette") from err
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    open_index(db_path)  # IndexMissing says how to build one
    _remove_orphans()
    with tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-") as tmp:
        served = desk.Desk(db_path, Path(tmp) / f"{desk.DB_NAME}.db")
        served.refresh()
        _learn_names(served.served)
        stop = threading.Event()
        threading.Thread(target=_follow, args=(served, stop), name="desk-follow", daemon=True).start()
        ds = Datasette([str(served.served)], metadata=desk.metadata(allow_sql), plugins_dir=str(PLUGINS), settings=SETTINGS)
        asyncio.run(ds.invoke_startup())
        print(f"nianbao browse: http://{host}:{port}/  (index {db_path})", file=sys.stderr, flush=True)
        previous = signal.signal(signal.SIGTERM, _terminated)
        try:
            uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
        except _Stopped:
            pass  # SIGTERM, after uvicorn's graceful shutdown: a normal stop, and the copy gets removed
        except SystemExit as exit_:  # uvicorn exits when it cannot bind the port; it has said why
            return int(exit_.code or 1)
        finally:
            signal.signal(signal.SIGTERM, previous)
            stop.set()
    return 0


class _Stopped(Exception):
    pass


def _terminated(signum, frame):
    # uvicorn re-raises the SIGTERM it caught once it has shut down; by default that would
    # end the process before the temporary copy is removed
    raise _Stopped


def _remove_orphans() -> None:
    """Copies left by a browse that was killed outright (SIGKILL, power cut)."""
    for folder in Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"):
        pid = folder.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _learn_names(path: Path) -> None:
    """Load jieba now (not on the first search) and keep agency names whole, as the index build does."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        tokenize.add_names(name for (name,) in conn.execute("select distinct agency from reports"))


def _follow(served: desk.Desk, stop: threading.Event) -> None:
    while not stop.wait(FOLLOW_SECONDS):
        try:
            if served.refresh():
                _learn_names(served.served)
                log.info("index %s changed: the browser now shows the new one", served.index)
        except Exception:  # a half-written or foreign file: keep serving the last good desk
            log.warning("could not refresh from %s", served.index, exc_info=True)
