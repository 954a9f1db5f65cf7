"""Report files the index could not use, kept out of the reports folder so no build parses them again.

A file that fails to parse (or an upload refused after download) is moved to the
quarantine folder beside the index, with a note of why and its sha256. The next
/reindex no longer meets it; the same bytes uploaded again are refused at once,
and a changed file (other bytes) is parsed as new.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

NOTE = ".why.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``stem_2.ext``, ``stem_3.ext`` … when that exists: nothing is ever overwritten."""
    target, stem, suffix = folder / name, Path(name).stem, Path(name).suffix
    n = 2
    while target.exists() or target.is_symlink():
        target, n = folder / f"{stem}_{n}{suffix}", n + 1
    return target


class Quarantine:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def put(self, path: Path, reason: str) -> Path:
        """Move ``path`` here with a note of ``reason``; returns where it went."""
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = sha256_file(path)
        target = free_name(self.folder, path.name)
        shutil.move(path, target)
        note = {"file": path.name, "reason": reason, "sha256": digest,
                "at": datetime.now(UTC).isoformat(timespec="seconds")}
        target.with_name(target.name + NOTE).write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")
        return target

    def entries(self) -> list[dict]:
        """Each quarantined file's note (file, reason, sha256, at), oldest first."""
        if not self.folder.is_dir():
            return []
        notes = []
        for path in self.folder.glob(f"*{NOTE}"):
            try:
                notes.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return sorted(notes, key=lambda n: n.get("at", ""))

    def reason_for(self, digest: str) -> str | None:
        """Why the file with these bytes was quarantined, if it was."""
        return next((n.get("reason", "") for n in self.entries() if n.get("sha256") == digest), None)
