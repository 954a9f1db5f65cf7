"""The bot's own wording, loaded once from ``texts.toml``."""

from __future__ import annotations

import html
import tomllib
from pathlib import Path

_DATA = tomllib.loads(Path(__file__).with_name("texts.toml").read_text(encoding="utf-8"))
COMMANDS: dict[str, str] = _DATA["commands"]
ADMIN_COMMANDS: dict[str, str] = _DATA["admin_commands"]
TEXT: dict[str, str] = _DATA["text"]
FORMATS: dict[str, str] = _DATA["formats"]
CONSOLE: dict[str, str] = _DATA["console"]
CHARTS: dict[str, list[str]] = _DATA["charts"]  # plain text for the operator's terminal, not HTML


def say(key: str, **values: object) -> str:
    """The text ``key`` as HTML, with every string value escaped (numbers pass as they are)."""
    safe = {name: html.escape(value) if isinstance(value, str) else value for name, value in values.items()}
    return TEXT[key].format(**safe)
