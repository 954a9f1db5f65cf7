"""sources.tsv in the reports folder, written from the fetch state.

The first four columns are the contract index/sources.py reads (file, url, title, published);
the rest say when and what was fetched, and `parent`: an attachment's report page, which
index/sources.py reads too. The page and its attachment are one report (index/duplicates.py
`parts`): the attachment is used whenever it holds figures, else the page; never a duplicate.
Rows for files fetch does not know (written by hand) are kept as they are.
"""

from __future__ import annotations

import csv
from pathlib import Path

from index.harvest.state import FetchState, write_atomically
from index.sources import SOURCES_FILE

COLUMNS = ("file", "url", "title", "published", "fetched_at", "etag", "last_modified", "sha256", "parent")


def write_sources(state: FetchState) -> Path:
    path = state.folder / SOURCES_FILE
    rows = {}
    for url, entry in state.files.items():
        if entry.get("file") and (state.folder / entry["file"]).is_file():
            rows[entry["file"]] = {**{c: entry.get(c, "") for c in COLUMNS}, "url": url}
    for row in _existing(path):
        rows.setdefault(row.get("file", ""), row)
    lines = ["\t".join(COLUMNS)]
    lines += ["\t".join(_clean(rows[name].get(c, "")) for c in COLUMNS) for name in sorted(n for n in rows if n)]
    write_atomically(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _existing(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    reader = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
            for row in reader]


def _clean(value) -> str:
    """One cell: no tab or line break may split the row."""
    return " ".join(str(value or "").split())
