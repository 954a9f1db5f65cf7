"""Data files in YAML, read through libyaml's C loader where PyYAML has it.

The pure-Python loader spent about 0.7 s of a cold `nianbao ask` on the lexicon files.
"""

from __future__ import annotations

from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | Path):
    """The YAML file at `path` as Python data (safe types only)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)
