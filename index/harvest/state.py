"""What fetch knows between runs, in DIR/.nianbao-fetch/state.json: each file's ETag, Last-Modified and
sha256 (for conditional GETs), each list page's too (its last copy kept in DIR/.nianbao-fetch/lists/, so a
304 is read from there), each portal's last run (for /sources). Written after every report, by a
temporary file and a rename, so a crashed run resumes where it stopped and never leaves half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

STATE_DIR = ".nianbao-fetch"  # hidden: the index build walks past it


class FetchState:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / STATE_DIR / "state.json"
        self._lock = threading.Lock()
        data = read_state(self.folder)
        self.files: dict[str, dict] = data.get("files", {})  # url → {file, etag, last_modified, sha256, …}
        self.portals: dict[str, dict] = data.get("portals", {})  # name → {last_fetch, reached, …, failures}
        self.lists: dict[str, dict] = data.get("lists", {})  # list page url → {copy, etag, last_modified, sha256, …}

    def entry(self, url: str) -> dict:
        with self._lock:
            return dict(self.files.get(url, {}))

    def record(self, url: str, entry: dict) -> None:
        with self._lock:
            self.files[url] = entry

    def list_entry(self, url: str) -> dict:
        with self._lock:
            return dict(self.lists.get(url, {}))

    def record_list(self, url: str, entry: dict) -> None:
        with self._lock:
            self.lists[url] = entry

    def list_copy(self, url: str) -> Path:
        """Where a list page's last body is kept: hidden beside the state, never read by the index build."""
        return self.path.parent / "lists" / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".body")

    def record_portal(self, name: str, run: dict) -> None:
        with self._lock:
            self.portals[name] = run

    def save(self) -> None:
        with self._lock:
            text = json.dumps({"files": self.files, "portals": self.portals, "lists": self.lists}, ensure_ascii=False,
                              indent=1)
        write_atomically(self.path, text.encode("utf-8"))


def read_state(folder: str | Path) -> dict:
    """The state file's content, {} when there is none or it cannot be read."""
    try:
        data = json.loads((Path(folder) / STATE_DIR / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a hidden temporary name beside `path`, then rename: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part-{os.getpid()}-{threading.get_ident()}")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def sha256_file(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
