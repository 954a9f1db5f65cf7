"""The bot's settings as data: one table of (name, env, TOML key, default, help).

Every setting is read from, in rising precedence, its default, an optional TOML
file (``NIANBAO_CONFIG`` or ``--config``) and its environment variable. A test
checks that each one is documented in ``deploy/nianbao.example.toml`` and in the
README, so adding a row here without documenting it fails the suite.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TELEGRAM_API = "https://api.telegram.org"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    toml: str  # dotted key in the TOML file: "section.key"
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("token", "TELEGRAM_BOT_TOKEN", "telegram.token", "",
            "Bot token from @BotFather; keep it out of the TOML file in production"),
    Setting("api_base_url", "NIANBAO_API_BASE_URL", "telegram.api_base_url", TELEGRAM_API,
            "Bot API server: Telegram's, a self-hosted telegram-bot-api, or the tests' fake one"),
    Setting("request_timeout", "NIANBAO_REQUEST_TIMEOUT", "telegram.request_timeout", 10.0,
            "seconds to wait for one Bot API call (a message left unanswered is not sent again)"),
    Setting("persistence", "NIANBAO_PERSISTENCE", "telegram.persistence", "var/nianbao-bot.pickle",
            "file keeping each chat's conversation context across restarts"),
    Setting("admins", "NIANBAO_ADMINS", "telegram.admins", (),
            "Telegram user ids allowed /reindex, /status and report uploads (comma-separated)"),
    Setting("db", "NIANBAO_DB", "index.db", "var/nianbao.db", "the index file the bot answers from"),
    Setting("reports", "NIANBAO_REPORTS", "index.reports", "reports",
            "folder of report files; /reindex and uploads index it"),
    Setting("schedule", "NIANBAO_SCHEDULE", "index.schedule", "",
            "cron schedule (5 fields, e.g. '30 3 * * *') for automatic re-index; empty turns it off"),
    Setting("timezone", "NIANBAO_TIMEZONE", "index.timezone", "Asia/Shanghai", "time zone of the schedule"),
    Setting("fetch_portals", "NIANBAO_FETCH_PORTALS", "fetch.portals", "",
            "PORTALS.toml of the portals /fetch and the fetch schedule harvest into the reports folder; empty: none"),
    Setting("fetch_schedule", "NIANBAO_FETCH_SCHEDULE", "fetch.schedule", "",
            "cron schedule (5 fields) to fetch the portals, then update the index; empty turns it off"),
    Setting("questions_per_minute", "NIANBAO_QUESTIONS_PER_MINUTE", "limits.questions_per_minute", 20,
            "questions one user may ask per minute; past it the bot says 请稍后再试"),
    Setting("max_question_chars", "NIANBAO_MAX_QUESTION_CHARS", "limits.max_question_chars", 300,
            "longest question accepted, in characters"),
    Setting("max_upload_mb", "NIANBAO_MAX_UPLOAD_MB", "limits.max_upload_mb", 20,
            "largest report file an admin may upload (Telegram's own cap for bots is 20 MB)"),
    Setting("send_per_second", "NIANBAO_SEND_PER_SECOND", "limits.send_per_second", 30,
            "messages sent per second over all chats (Telegram's flood limit); 0 turns the limit off"),
    Setting("group_send_per_minute", "NIANBAO_GROUP_SEND_PER_MINUTE", "limits.group_send_per_minute", 20,
            "messages sent per minute into one group (Telegram's flood limit); 0 turns the limit off"),
    Setting("send_retries", "NIANBAO_SEND_RETRIES", "limits.send_retries", 4,
            "retries of a Bot API call refused with 429 (that chat only waits) or failed with 5xx"),
    Setting("webhook_url", "NIANBAO_WEBHOOK_URL", "webhook.url", "",
            "public HTTPS URL Telegram posts updates to; empty means long polling"),
    Setting("webhook_listen", "NIANBAO_WEBHOOK_LISTEN", "webhook.listen", "127.0.0.1",
            "address the webhook server listens on (behind a reverse proxy)"),
    Setting("webhook_port", "NIANBAO_WEBHOOK_PORT", "webhook.port", 8443, "port the webhook server listens on"),
    Setting("webhook_secret", "NIANBAO_WEBHOOK_SECRET", "webhook.secret_token", "",
            "secret Telegram sends in X-Telegram-Bot-Api-Secret-Token; unset with a webhook, a random one is made "
            "at each start"),
    Setting("log_level", "NIANBAO_LOG_LEVEL", "logging.level", "INFO", "DEBUG, INFO, WARNING or ERROR"),
)

BY_NAME = {setting.name: setting for setting in SETTINGS}

Settings = dataclasses.make_dataclass(
    "Settings",
    [(s.name, type(s.default), dataclasses.field(default=s.default)) for s in SETTINGS],
    frozen=True,
)
Settings.__doc__ = "The bot's configuration; field names are the `name` column of SETTINGS."


class ConfigError(ValueError):
    """A setting whose value cannot be used; the message names the setting and where it came from."""


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file, then the environment."""
    environ = os.environ if environ is None else environ
    path = path or environ.get("NIANBAO_CONFIG")
    from_file = _read_toml(Path(path)) if path else {}
    values = {}
    for setting in SETTINGS:
        if setting.env in environ and environ[setting.env] != "":
            values[setting.name] = _coerce(setting, environ[setting.env], setting.env)
        elif setting.toml in from_file:
            values[setting.name] = _coerce(setting, from_file[setting.toml], f"{path}: {setting.toml}")
    settings = Settings(**values)
    _check_schedule(settings)
    return settings


def _check_schedule(settings: Settings) -> None:
    """A bad cron line or time zone is a configuration error at start-up, not a crash at first run."""
    from apscheduler.triggers.cron import CronTrigger

    for name in ("schedule", "fetch_schedule"):
        value = getattr(settings, name)
        if not value:
            continue
        try:
            CronTrigger.from_crontab(value, timezone=settings.timezone)
        except (ValueError, LookupError) as exc:
            raise ConfigError(f"{BY_NAME[name].env} / {BY_NAME[name].toml} {value!r} "
                              f"(time zone {settings.timezone!r}): {exc}") from exc


def _read_toml(path: Path) -> dict[str, Any]:
    """The file's keys flattened to "section.key"."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc}") from exc
    flat = {}
    for section, table in data.items():
        if isinstance(table, dict):
            flat.update({f"{section}.{key}": value for key, value in table.items()})
        else:
            flat[section] = table
    unknown = sorted(set(flat) - {s.toml for s in SETTINGS})
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return flat


def _coerce(setting: Setting, raw: Any, where: str) -> Any:
    """Turn an env string or TOML value into the type of the setting's default."""
    kind = type(setting.default)
    try:
        if kind is tuple:
            items = raw.replace(";", ",").split(",") if isinstance(raw, str) else list(raw)
            return tuple(int(str(item).strip()) for item in items if str(item).strip())
        if kind is bool:
            return raw if isinstance(raw, bool) else str(raw).strip().lower() in {"1", "true", "yes", "on"}
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {raw!r} is not a valid {setting.name} ({setting.help})") from exc


def describe(settings: Settings) -> dict[str, Any]:
    """The settings with the token masked, for logs and /status."""
    shown = dataclasses.asdict(settings)
    if shown["token"]:
        shown["token"] = shown["token"].split(":")[0] + ":***"
    if shown["webhook_secret"]:
        shown["webhook_secret"] = "***"
    return shown
