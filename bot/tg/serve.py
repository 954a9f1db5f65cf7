"""`nianbao serve`: run the Telegram bot, by long polling or, when configured, by webhook."""

from __future__ import annotations

import dataclasses
import logging
import secrets
import sys
from pathlib import Path
from urllib.parse import urlparse

from telegram import Update

from bot.config import ConfigError, Settings, describe, load_settings
from bot.tg.logsafe import mask_in_logs
from bot.tg.texts import CONSOLE

logger = logging.getLogger(__name__)


def run(settings: Settings | str | Path | None = None) -> int:
    """Run until interrupted; ``settings`` may be Settings or the path of a TOML file (None: env only)."""
    try:
        if not isinstance(settings, Settings):
            settings = load_settings(settings)
    except ConfigError as exc:
        print(f"nianbao serve: {exc}", file=sys.stderr)
        return 2
    if not settings.token:
        print(CONSOLE["no_token"].format(db=settings.db), file=sys.stderr)
        return 2
    if not Path(settings.db).exists():
        print(CONSOLE["no_index"].format(db=settings.db, reports=settings.reports), file=sys.stderr)
        return 2
    settings = with_webhook_secret(settings)
    configure_logging(settings)
    from bot.question import Asker  # after the checks: loading the question layer takes a moment
    from bot.tg.app import build_application

    application = build_application(settings, lambda: Asker(settings.db).warm_up())
    logger.info("starting with %s", describe(settings))
    if settings.webhook_url:
        application.run_webhook(**webhook_options(settings))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def with_webhook_secret(settings: Settings) -> Settings:
    """A webhook without a secret takes forged updates from anyone who finds its URL, as if from any user (an
    admin's id included): make a random one for this run, which setWebhook tells Telegram, and say so."""
    if not settings.webhook_url or settings.webhook_secret:
        return settings
    print(CONSOLE["webhook_secret_made"], file=sys.stderr)
    return dataclasses.replace(settings, webhook_secret=secrets.token_urlsafe(32))


def webhook_options(settings: Settings) -> dict:
    """Arguments for run_webhook / Updater.start_webhook: Telegram posts to webhook_url, we listen locally."""
    if not settings.webhook_secret:
        raise ValueError("a webhook needs a secret token: see with_webhook_secret")
    return {"listen": settings.webhook_listen, "port": settings.webhook_port,
            "url_path": urlparse(settings.webhook_url).path.lstrip("/"), "webhook_url": settings.webhook_url,
            "secret_token": settings.webhook_secret, "allowed_updates": Update.ALL_TYPES}


def configure_logging(settings: Settings) -> None:
    mask_in_logs(settings.token)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        level=getattr(logging, settings.log_level.upper(), logging.INFO))
    # httpx logs every request at INFO, long polls included: too chatty for an operator's journal
    logging.getLogger("httpx").setLevel(logging.WARNING)
