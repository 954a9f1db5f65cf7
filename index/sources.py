"""What whoever collected the report files knows about them: `sources.tsv` beside the files.

A tab-separated file with a header naming at least one of the columns
`file, url, title, published` (any may be empty; more columns may follow). `file`
is the report's path relative to the folder holding sources.tsv. A harvester
writes it from the listing page: the page's url, the link title (which usually
names the agency) and the published date. It is read in the build process and
each row is passed to the parser as a `Source`, so parsing stays pure.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SOURCES_FILE = "sources.tsv"
_COLUMNS = ("file", "url", "title", "published")


@dataclass(frozen=True)
class Source:
    url: str = ""
    title: str = ""
    published: str = ""

    def __bool__(self) -> bool:
        return bool(self.url or self.title or self.published)

    def key(self) -> str:
        """The row as one string, stored with the report so a changed row re-reads its metadata."""
        return "\t".join((self.url, self.title, self.published)) if self else ""


def read_sources(path: str | Path) -> dict[str, Source]:
    """Relative file path → Source, from one sources.tsv; {} when it cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    rows = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    if not rows.fieldnames or "file" not in [(f or "").strip().lower() for f in rows.fieldnames]:
        return {}
    out = {}
    for row in rows:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        name = row.get("file", "").replace("\\", "/").removeprefix("./")
        if name:
            out[name] = Source(row.get("url", ""), row.get("title", ""), row.get("published", ""))
    return out


def sources_for(files: list[Path], roots: list[Path]) -> dict[Path, Source]:
    """Each file's Source from the nearest sources.tsv above it, looking no higher than the root it was found under."""
    tables: dict[Path, dict[str, Source]] = {}
    out = {}
    roots = [r.resolve() for r in roots]
    for file in files:
        root = next((r for r in roots if r == file or r in file.parents), file.parent)
        folder = file.parent
        while True:
            if folder not in tables:
                table = folder / SOURCES_FILE
                # a link may point out of the indexed folder: never followed
                tables[folder] = read_sources(table) if table.is_file() and not table.is_symlink() else {}
            found = tables[folder].get(file.relative_to(folder).as_posix())
            if found:
                out[file] = found
                break
            if folder == root or folder.parent == folder or root not in folder.parents:
                break
            folder = folder.parent
    return out
