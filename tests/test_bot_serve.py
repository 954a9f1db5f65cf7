"""`nianbao serve`: the no-token guidance, and webhook mode end to end."""

from __future__ import annotations

import json
import socket

import httpx

from bot.config import Settings
from bot.tg.app import build_application
from bot.tg.serve import run, webhook_options
from tests.bot_harness import ALICE, bot_settings, copy_index, real_asker
from tests.fake_telegram import FakeTelegram


def test_no_token_says_how_to_get_one_and_points_to_chat(capsys):
    assert run(Settings(token="", db="var/x.db")) == 2
    err = capsys.readouterr().err
    for needed in ("@BotFather", "/newbot", "export TELEGRAM_BOT_TOKEN=", "nianbao chat --db var/x.db"):
        assert needed in err


def test_a_missing_index_says_how_to_build_it(capsys, tmp_path):
    assert run(Settings(token="1:x", db=str(tmp_path / "none.db"), reports="reports")) == 2
    assert f"nianbao index build reports --db {tmp_path / 'none.db'}" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_answers_posted_updates_and_checks_the_secret(seed_index, tmp_path):
    with FakeTelegram() as fake:
        settings = bot_settings(fake, tmp_path, copy_index(seed_index, tmp_path), webhook_port=free_port(),
                                webhook_url="https://bot.example.org/tg-hook", webhook_secret="s3cret")
        application = build_application(settings, real_asker(settings.db))
        await application.initialize()
        await application.start()
        await application.updater.start_webhook(**webhook_options(settings))
        try:
            (registered,) = fake.called("setWebhook")
            assert registered.params["url"] == "https://bot.example.org/tg-hook"
            assert registered.params["secret_token"] == "s3cret"
            update = {"update_id": 1, "message": fake.message(ALICE, "文登区2020年收到多少申请")}
            url = f"http://127.0.0.1:{settings.webhook_port}/tg-hook"
            async with httpx.AsyncClient() as client:
                refused = await client.post(url, json=update)
                accepted = await client.post(url, content=json.dumps(update),
                                             headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret",
                                                      "Content-Type": "application/json"})
            assert (refused.status_code, accepted.status_code) == (403, 200)
            reply = await fake.reply_to(ALICE)
            assert "42件" in reply.text
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
