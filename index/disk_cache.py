"""A cache folder kept under a size (the OCR cache of index.ocr, the conversion cache of index.read_doc).

An entry's modification time is its last use: a hit touches it. After each
write, while the folder holds more than its cap, the least recently used
entries go first, down to nine tenths of the cap (so a full cache is not
trimmed at every write). An entry used in the last `IN_USE_SECONDS` stays even
over the cap: a worker may be about to read it.

The caps are set in MB by NIANBAO_OCR_CACHE_MB and NIANBAO_CONVERT_CACHE_MB
(`cap_bytes`); 0 turns the cap off.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

# an OCR'd page is 10–50 KB of words, a converted report 0.05–5 MB: each default holds thousands of reports
OCR_CACHE_MB = 500
CONVERT_CACHE_MB = 2000
IN_USE_SECONDS = 600.0
_STALE_TMP_SECONDS = 3600.0  # a half-written entry (tmp) this old was left by a killed worker


def cap_bytes(env: str, default_mb: int) -> int:
    """The cap in bytes from the environment variable `env` (MB), else `default_mb`; 0 = no cap."""
    try:
        return max(0, int(float(os.environ.get(env) or default_mb) * 1024 * 1024))
    except ValueError:
        return default_mb * 1024 * 1024


def used(entry: Path) -> None:
    """Mark an entry as just used (a read-only cache: nothing, still correct)."""
    with contextlib.suppress(OSError):
        os.utime(entry)


def trim(folder: Path, cap: int) -> int:
    """Remove the least recently used entries while `folder` holds more than `cap` bytes; the bytes removed."""
    if cap <= 0:
        return 0
    now = time.time()
    entries, total = [], 0
    for path in folder.rglob("*"):
        try:
            info = path.stat()
        except OSError:
            continue  # removed meanwhile by another worker
        if not path.is_file():
            continue
        if path.name.endswith(".tmp") and now - info.st_mtime < _STALE_TMP_SECONDS:
            continue  # being written
        entries.append((info.st_mtime, info.st_size, path))
        total += info.st_size
    if total <= cap:
        return 0
    removed = 0
    for mtime, size, path in sorted(entries, key=lambda e: e[0]):
        if total - removed <= cap * 0.9 or now - mtime < IN_USE_SECONDS:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            removed += size
    return removed
