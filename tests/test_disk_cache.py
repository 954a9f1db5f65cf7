"""The OCR and conversion caches kept under a size: least recently used entries go first (index.disk_cache).
The conversion cache's own check is in tests/test_office.py (it needs LibreOffice)."""

from __future__ import annotations

import os
import time

from PIL import Image

from index import disk_cache, ocr


def _aged(path, hours: float, size: int = 1000):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(size))
    os.utime(path, (time.time() - hours * 3600, time.time() - hours * 3600))
    return path


def test_the_least_recently_used_entries_go_first_down_to_nine_tenths_of_the_cap(tmp_path):
    entries = [_aged(tmp_path / f"{i:02d}" / f"e{i}.json", hours=10 - i) for i in range(10)]  # e0 oldest
    disk_cache.used(entries[0])  # read just now: the last to go
    assert disk_cache.trim(tmp_path, 10_000) == 0  # at the cap: nothing
    assert disk_cache.trim(tmp_path, 8_000) == 3000  # 10,000 → 7,000 ≤ 7,200
    assert sorted(p.name for p in tmp_path.rglob("*.json")) == ["e0.json", "e4.json", "e5.json", "e6.json",
                                                                 "e7.json", "e8.json", "e9.json"]
    assert disk_cache.trim(tmp_path, 0) == 0  # 0: no cap


def test_entries_in_use_and_files_being_written_stay_even_over_the_cap(tmp_path):
    _aged(tmp_path / "a" / "old.json", hours=2)
    fresh = tmp_path / "a" / "fresh.json"
    fresh.write_bytes(bytes(1000))
    writing = tmp_path / "a" / "x.123.tmp"
    writing.write_bytes(bytes(1000))
    assert disk_cache.trim(tmp_path, 10) == 1000
    assert fresh.exists() and writing.exists() and not (tmp_path / "a" / "old.json").exists()


def test_the_cap_is_read_in_mb_from_its_variable(monkeypatch):
    monkeypatch.setenv("NIANBAO_X_MB", "1.5")
    assert disk_cache.cap_bytes("NIANBAO_X_MB", 7) == 1536 * 1024
    monkeypatch.setenv("NIANBAO_X_MB", "lots")
    assert disk_cache.cap_bytes("NIANBAO_X_MB", 7) == 7 * 1024 * 1024
    monkeypatch.delenv("NIANBAO_X_MB")
    assert disk_cache.cap_bytes("NIANBAO_X_MB", 7) == 7 * 1024 * 1024


def test_the_ocr_cache_is_kept_under_its_cap_and_a_hit_is_a_use(tmp_path, monkeypatch):
    cache = tmp_path / "ocr"
    monkeypatch.setenv(ocr.CACHE_ENV, str(cache))
    read = []  # the engine stands in: the pictures it was asked to read, by their colour
    monkeypatch.setattr(ocr, "_read", lambda image: read.append(image.getpixel((0, 0))[0]) or
                        [ocr.Word("字" * 200, 0, 0, 10, 10, 0.99)] * 5)
    pictures = [Image.new("RGB", (20, 20), (i, 0, 0)) for i in range(6)]
    for hours, picture in zip((4, 3, 2, 1), pictures, strict=False):
        ocr.words_of(picture)
        (entry,) = [p for p in cache.rglob("*.json") if time.time() - p.stat().st_mtime < 60]
        os.utime(entry, (time.time() - hours * 3600, time.time() - hours * 3600))  # read hours ago
    size = entry.stat().st_size
    monkeypatch.setenv(ocr.CACHE_SIZE_ENV, str(4.5 * size / (1024 * 1024)))  # room for four and a half
    ocr.words_of(pictures[0])  # the oldest, read again: from the cache, and now the most recently used
    assert read == [0, 1, 2, 3]
    ocr.words_of(pictures[4])
    ocr.words_of(pictures[5])  # six entries, over the cap: the least recently used (1, then 2) go
    assert sum(p.stat().st_size for p in cache.rglob("*.json")) == 4 * size
    read.clear()
    for kept in (0, 3, 4, 5):
        ocr.words_of(pictures[kept])
    assert read == []
    ocr.words_of(pictures[1])
    assert read == [1]
