"""The report files inside the indexed folders, and only those, each named by its path in its folder.

Links are never followed: a link out of a folder would index whatever it points
at (a password file), a link inside would index a file twice or loop. Every
link, FIFO, socket and device met is reported with why it was skipped. A report
is identified by its path relative to the folder given (`a/report.txt`,
`b/report.txt`); a top-level file keeps its bare name.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from index.read import SUPPORTED

# documents that look like reports but cannot be read: a folder's are reported, not passed over in silence
UNREADABLE_DOCUMENTS = (".ofd",)
_SPECIAL = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"))


@dataclass(frozen=True)
class Found:
    path: Path  # where the file is, no link on the way below its folder
    name: str  # its identity in the index: the path relative to the folder given, with /


def walk(paths: Iterable[str | Path]) -> tuple[list[Found], list[tuple[str, str]]]:
    """Report files under PATHs (folders recursively, links not followed), and what was skipped and why."""
    raw_paths = [Path(p) for p in paths]
    roots = [p.resolve() for p in raw_paths if p.is_dir()]
    found: list[Found] = []
    skipped: list[tuple[str, str]] = []
    for raw in raw_paths:
        if raw.is_dir():
            root = raw.resolve()
            _scan(root, root, roots, found, skipped)
        elif raw.is_file():
            found.append(Found(raw.resolve(), raw.name))  # a file named on the command line is the caller's choice
        elif raw.exists():
            skipped.append((str(raw), "not a regular file or folder: skipped"))
        else:
            skipped.append((str(raw), "no such file or folder"))
    return _unique(found), skipped


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """The report files' paths (see walk)."""
    found, skipped = walk(paths)
    return [f.path for f in found], skipped


def _scan(folder: Path, root: Path, roots: list[Path], found: list[Found], skipped: list[tuple[str, str]]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        skipped.append((str(folder), f"cannot list the folder: {err.strerror or err}"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                skipped.append((str(path), link_reason(path, roots)))
            elif entry.is_dir(follow_symlinks=False):
                _scan(path, root, roots, found, skipped)
            elif entry.name.startswith("."):
                continue
            elif entry.is_file(follow_symlinks=False):
                if path.suffix.lower() in SUPPORTED + UNREADABLE_DOCUMENTS:
                    found.append(Found(path, path.relative_to(root).as_posix()))
            else:
                mode = entry.stat(follow_symlinks=False).st_mode
                kind = next((what for test, what in _SPECIAL if test(mode)), "not a regular file")
                skipped.append((str(path), f"{kind}, not a report file: skipped"))
        except OSError as err:
            skipped.append((str(path), f"cannot read: {err.strerror or err}"))


def link_reason(path: Path, roots: list[Path]) -> str:
    """Why a link is skipped: it loops, dangles, or points out of (or back into) the indexed folders."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "dangling link (its target does not exist): not followed"
    except (RuntimeError, OSError):  # RuntimeError: Python's "Symlink loop"; OSError: ELOOP
        return "link loop: not followed"
    if not any(target == root or root in target.parents for root in roots):
        return "link to a file outside the indexed folders: not followed"
    kind = "folder" if target.is_dir() else "file"
    return f"link to a {kind} inside the indexed folders: not followed (what it points at is indexed where it is)"


def _unique(found: list[Found]) -> list[Found]:
    """One entry per file; a name two folders both give (a/x.txt from two roots) gets its root folder's name."""
    seen_paths: set[Path] = set()
    names: set[str] = set()
    out = []
    for item in found:
        if item.path in seen_paths:
            continue
        seen_paths.add(item.path)
        name = item.name
        if name in names:
            name = f"{item.path.parents[name.count('/')].name}/{name}"
        names.add(name)
        out.append(Found(item.path, name))
    return out
