"""The real bot Application, running against the fake Telegram server, for end-to-end tests and the load script."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.tg.app import build_application
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ADMIN = 4242
ALICE, BOB = 1001, 1002
GROUP = -100500


@dataclasses.dataclass
class Running:
    fake: FakeTelegram
    application: Any
    settings: Settings

    @property
    def bot_data(self) -> dict:
        return self.application.bot_data

    async def ask(self, chat_id: int, text: str, **kwargs) -> Any:
        """Send ``text`` from a user and wait for the bot's next message in that chat."""
        before = len(self.fake.replies(chat_id))
        self.fake.message(chat_id, text, **kwargs)
        return await self.fake.reply_to(chat_id, before + 1)


def bot_settings(fake: FakeTelegram, tmp_path: Path, db: Path, **overrides: Any) -> Settings:
    values = {"token": fake.token, "api_base_url": fake.api_root, "db": str(db), "reports": str(tmp_path / "reports"),
              "persistence": str(tmp_path / "bot.pickle"), "admins": (ADMIN,), "request_timeout": 2.0}
    return Settings(**{**values, **overrides})


def copy_index(seed_index: Path, tmp_path: Path) -> Path:
    """A private copy of the session's seed index, for a test that may rebuild it."""
    db = tmp_path / "nianbao.db"
    shutil.copy(seed_index, db)
    return db


def copy_seeds(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    shutil.copytree(SEEDS, reports, dirs_exist_ok=True)
    return reports


def real_asker(db: Path) -> Callable[[], Any]:
    from bot.question import Asker

    return lambda: Asker(db)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, fake: FakeTelegram, make_asker: Callable[[], Any] | None = None,
                      poll_timeout: float = 1) -> AsyncIterator[Running]:
    """Start the Application as serve.run would (polling), stop it cleanly afterwards."""
    application = build_application(settings, make_asker or real_asker(Path(settings.db)))
    await application.initialize()
    await application.post_init(application)  # run_polling calls it between initialize and start; so do we
    await application.start()
    await application.updater.start_polling(timeout=poll_timeout, poll_interval=0)
    try:
        yield Running(fake, application, settings)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await application.post_shutdown(application)


@contextlib.asynccontextmanager
async def bot_on_seeds(seed_index: Path, tmp_path: Path, **overrides: Any) -> AsyncIterator[Running]:
    """The usual test set-up: a fake Telegram, a copy of the seed index, the real bot."""
    with FakeTelegram() as fake:
        settings = bot_settings(fake, tmp_path, copy_index(seed_index, tmp_path), **overrides)
        async with running_bot(settings, fake) as running:
            yield running
