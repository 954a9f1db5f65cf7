"""PORTALS.toml: which 年报 columns to harvest, and how politely.

    [fetch]                      # optional; every key optional
    delay = 1.0                  # seconds between two requests to one host
    per_host = 2                 # requests in flight to one host at most
    timeout = 20.0               # seconds for one request
    retries = 3                  # more tries after a 5xx or a timeout (never after a 4xx)

    [[portal]]
    name = "平潭"                # optional; the first list URL's host when absent
    agency = "平潭综合实验区管委会"  # optional hint, written as the title of a report whose link names none
    list = ["https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"]
    api = "https://www.pingtan.gov.cn/was5/web/search?templet=docs.jsp"  # optional: the CMS's search API
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from index.errors import NianbaoError
from index.harvest.fetcher import Polite


@dataclass(frozen=True)
class Portal:
    name: str
    lists: tuple[str, ...]
    agency: str = ""
    # the search API a list's script loads later pages from (TRS listModel), with its fixed arguments; "" = none
    api: str = ""


def load_portals(path: str | Path) -> tuple[list[Portal], Polite]:
    """The portals and the politeness settings of one PORTALS.toml; a NianbaoError says what is wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise NianbaoError(f"cannot read {path}: {err}") from err
    portals = []
    for number, table in enumerate(data.get("portal") or [], 1):
        if not isinstance(table, dict):
            raise NianbaoError(f"{path}: [[portal]] {number} is not a table")
        lists = table.get("list")
        lists = [lists] if isinstance(lists, str) else lists
        if not lists or not all(isinstance(u, str) and urlsplit(u).scheme in ("http", "https") and urlsplit(u).hostname
                                for u in lists):
            raise NianbaoError(f"{path}: [[portal]] {number} needs list = [\"http(s)://…\", …]")
        unknown = set(table) - {"name", "agency", "list", "api"}
        if unknown:
            raise NianbaoError(f"{path}: [[portal]] {number}: unknown key(s) {', '.join(sorted(unknown))}")
        api = table.get("api") or ""
        if api and not (isinstance(api, str) and urlsplit(api).scheme in ("http", "https") and urlsplit(api).hostname):
            raise NianbaoError(f"{path}: [[portal]] {number}: api = \"http(s)://…\" (the CMS's search API)")
        name = str(table.get("name") or urlsplit(lists[0]).netloc)
        portals.append(Portal(name, tuple(lists), str(table.get("agency") or ""), api))
    if not portals:
        raise NianbaoError(f"{path}: no [[portal]] tables")
    names = [p.name for p in portals]
    if len(set(names)) != len(names):
        raise NianbaoError(f"{path}: two portals named {next(n for n in names if names.count(n) > 1)!r}")
    return portals, _polite(data.get("fetch") or {}, path)


def _polite(table: dict, path: Path) -> Polite:
    fields = {f.name: f for f in dataclasses.fields(Polite)}
    unknown = set(table) - set(fields)
    if unknown:
        raise NianbaoError(f"{path}: [fetch]: unknown key(s) {', '.join(sorted(unknown))}")
    values = {}
    for key, value in table.items():
        kind = type(fields[key].default)
        try:
            values[key] = kind(value)
        except (TypeError, ValueError) as err:
            raise NianbaoError(f"{path}: [fetch] {key} = {value!r} is not a {kind.__name__}") from err
    return Polite(**values)
