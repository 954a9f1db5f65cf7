"""What whoever collected the report files knows about them: `sources.tsv` beside the files.

A tab-separated file with a header naming at least one of the columns
`file, url, title, published` (any may be empty; more columns may follow). `file`
is the report's path relative to the folder holding sources.tsv. A harvester
writes it from the listing page: the page's url, the link title (which usually
names the agency) and the published date. An optional `parent` column names, for
an attachment, its report page's file (relative like `file`): the page and its
attachments are one report (index/duplicates.py). It is read in the build process and
each row is passed to the parser as a `Source`, so parsing stays pure.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

SOURCES_FILE = "sources.tsv"
_COLUMNS = ("file", "url", "title", "published")


@dataclass(frozen=True)
class Source:
    url: str = ""
    title: str = ""
    published: str = ""
    # an attachment's report page: as written in sources.tsv by read_sources, its full path after sources_for
    parent: str = ""

    def __bool__(self) -> bool:
        return bool(self.url or self.title or self.published or self.parent)

    def key(self) -> str:
        """The row as one string, stored with the report so a changed row re-reads its metadata."""
        fields = (self.url, self.title, self.published) + ((self.parent,) if self.parent else ())
        return "\t".join(fields) if self else ""


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
            out[name] = Source(row.get("url", ""), row.get("title", ""), row.get("published", ""),
                               row.get("parent", "").replace("\\", "/").removeprefix("./"))
    return out


def sources_for(files: list[Path], roots: list[Path]) -> dict[Path, Source]:
    """Each file's Source from the nearest sources.tsv above it, looking no higher than the root it was found under;
    its `parent` is then the page's full path."""
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
                # the page's path as the index stores it (reports.path): the two are found together
                out[file] = replace(found, parent=str((folder / found.parent).resolve())) if found.parent else found
                break
            if folder == root or folder.parent == folder or root not in folder.parents:
                break
            folder = folder.parent
    return out
