"""Operating safely (issue 11, item 5), tried as an attacker and as a tired admin would.

Each case goes through the real bot over HTTP against the fake Bot API, or the real CLI in a
subprocess, and asserts what a user or an admin would observe. Lines starting ``FIGURE`` are the
measurements for the session's note (``pytest -s tests/test_security.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.bot_harness import ADMIN, ALICE, BOB, ROOT, bot_on_seeds, copy_index, copy_seeds
from tests.fake_telegram import FakeTelegram
from tests.test_bot_serve import free_port

WENDENG = "001_114e84585976705a.txt"
HUAIAN = ROOT / "tests" / "fixtures" / "huaian_2024.pdf"
QUESTION = "文登区2020年收到多少申请"
NIANBAO = [sys.executable, "-m", "bot.cli"]


def figure(name: str, value) -> None:
    print(f"FIGURE {name}: {value}")


def wendeng_saying(new: str) -> bytes:
    """The seed report of 文登区 2020 with its 本年新收 figure (table cell and sentence) changed to ``new``."""
    lines = (ROOT / "seeds" / WENDENG).read_text(encoding="utf-8").split("\n")
    cell = next(i for i, line in enumerate(lines) if line.strip() == "42")  # 表三's 本年新收 总计 cell
    lines[cell] = lines[cell].replace("42", new)
    return "\n".join(line.replace("申请42件", f"申请{new}件") for line in lines).encode("utf-8")


def ask_cli(db: Path, question: str) -> dict:
    out = subprocess.run([*NIANBAO, "ask", question, "--db", str(db), "--json"], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    return json.loads(out)


async def upload(bot, name: str, content: bytes, **kwargs) -> list[str]:
    """Send a file as the admin and wait for the bot's last word on it; returns the texts of its replies."""
    before = len(bot.fake.replies(ADMIN))
    bot.fake.document(ADMIN, name, content, **kwargs)
    final = ("<b>已识别</b>", "未能识别", "文件实际大小", "内容相同的文件", "已在报告目录中")
    await bot.fake.wait_for(lambda: any(c.text.startswith(final) for c in bot.fake.replies(ADMIN)[before:]),
                            timeout=120)
    return [c.text for c in bot.fake.replies(ADMIN)[before:]]


@pytest.fixture
async def bot(seed_index, tmp_path):
    copy_seeds(tmp_path)
    async with bot_on_seeds(seed_index, tmp_path) as running:
        yield running


async def test_an_upload_with_an_existing_name_keeps_both_and_flags_the_duplicate(bot, tmp_path):
    reports = tmp_path / "reports"
    original = (reports / WENDENG).read_bytes()
    replies = await upload(bot, WENDENG, wendeng_saying("4200"))
    renamed = WENDENG.replace(".txt", "_2.txt")
    assert replies[0] == f"已有同名文件 {WENDENG}，新文件另存为 {renamed}，两份都保留。\n已保存 {renamed}，正在加入索引…"
    assert (reports / WENDENG).read_bytes() == original  # nothing overwritten
    assert (reports / renamed).read_bytes() == wendeng_saying("4200")
    said = replies[-1].splitlines()
    assert said[0].startswith("<b>已识别</b>：威海市文登区人民政府 · 2020年")
    # 4200 breaks the report's own sum rules: the original, failing fewer checks, is the one used
    assert said[1] == f"⚠️ 与 {WENDENG} 是同一机关同一年度的报告：回答使用 {WENDENG}，{renamed} 列为重复（见 /status）。"
    status = (await bot.ask(ADMIN, "/status")).text
    assert f"重复报告：{renamed}（与 {WENDENG} 同一机关年度，使用后者）" in status.splitlines()
    answer = (await bot.ask(ALICE, QUESTION)).text
    assert "42件" in answer and "4200件" in answer
    figure("name clash: answer before", "42件; after: both 42件 and 4200件 named, neither silently")


async def test_a_forged_second_report_is_never_silently_preferred(bot, tmp_path):
    replies = await upload(bot, "wendeng_2020.txt", wendeng_saying("9999"))
    said = replies[-1]
    # the admin is told at once, with both figures and their files
    assert "⚠️ 两份报告有 " in said
    assert f"42（{WENDENG}）" in said and "9999（wendeng_2020.txt）" in said
    assert "数字冲突" in (await bot.ask(ADMIN, "/status")).text
    # a citizen's answer names both values and both files, whichever file the duplicate rule uses
    answer = (await bot.ask(ALICE, QUESTION)).text
    assert "42件（001_114e84585976705a.txt）" in answer and "9999件（wendeng_2020.txt）" in answer
    assert "数字不一致" in answer
    # the command line too: no single value, and the conflict as data
    data = ask_cli(Path(bot.settings.db), QUESTION)
    assert data["value"] is None
    (conflict,) = data["conflicts"]
    assert sorted((v["file"], v["value"]) for v in conflict["values"]) == [(WENDENG, 42), ("wendeng_2020.txt", 9999)]
    # a figure both files agree on is answered as before, with no flag
    agreed = ask_cli(Path(bot.settings.db), "文登区2020年行政诉讼多少件")
    assert agreed["value"] is not None and agreed["conflicts"] == []
    figure("forged duplicate: conflicting figures", f"{len(conflict['values'])} values shown, value=null")


async def test_a_rejected_upload_is_not_kept_and_a_failed_one_is_quarantined_until_it_changes(seed_index, tmp_path):
    reports = copy_seeds(tmp_path)
    async with bot_on_seeds(seed_index, tmp_path, max_upload_mb=1) as bot:
        # a file that claims 1,000 bytes and holds 3 MB: read no further than the limit, keep nothing
        replies = await upload(bot, "big.txt", b"x" * (3 * 1024 * 1024), claimed_size=1000)
        assert replies == ["文件实际大小超过上限 1 MB（声称 0.0 MB），已丢弃。"]
        assert sorted(p.name for p in reports.iterdir()) == sorted(p.name for p in (ROOT / "seeds").iterdir())
        # a file that cannot be read: quarantined, out of the reports folder
        broken = b"%PDF-1.4\n" + os.urandom(4000)
        said = await upload(bot, "broken.pdf", broken)
        assert said[-1].startswith("未能识别 broken.pdf：") and "已移入隔离目录" in said[-1]
        assert not (reports / "broken.pdf").exists()
        quarantine = Path(bot.settings.db).parent / "quarantine"
        assert (quarantine / "broken.pdf").read_bytes() == broken
        note = json.loads((quarantine / "broken.pdf.why.json").read_text(encoding="utf-8"))
        assert note["file"] == "broken.pdf" and note["reason"]
        # the next /reindex does not parse it again
        reindexer = bot.bot_data["reindexer"]
        upload_build = reindexer.last["at"]
        await bot.ask(ADMIN, "/reindex")
        await bot.fake.wait_for(lambda: reindexer.last["at"] != upload_build and not reindexer.busy, timeout=120)
        assert reindexer.last["summary"].failed == [] and reindexer.last["summary"].reports == 5
        # the same bytes again are refused at once, without a build
        builds = reindexer.last["at"]
        again = await upload(bot, "broken_again.pdf", broken)
        assert again == [f"内容相同的文件此前未能识别，已在隔离目录（{note['reason']}）。请修改后再上传。"]
        assert reindexer.last["at"] == builds
        assert "隔离文件：1 个（broken.pdf：" in (await bot.ask(ADMIN, "/status")).text
        # changed bytes are a new file: parsed
        fixed = await upload(bot, "broken.pdf", HUAIAN.read_bytes())
        assert fixed[-1].startswith("<b>已识别</b>")
    figure("failed upload parses over 1 upload + 1 /reindex", 1)


async def test_webhook_mode_without_a_secret_makes_one_and_refuses_forged_updates(seed_index, tmp_path):
    with FakeTelegram() as fake:
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": fake.token,
               "NIANBAO_API_BASE_URL": fake.api_root, "NIANBAO_DB": str(copy_index(seed_index, tmp_path)),
               "NIANBAO_REPORTS": str(tmp_path / "reports"), "NIANBAO_ADMINS": str(ADMIN),
               "NIANBAO_PERSISTENCE": str(tmp_path / "bot.pickle"), "NIANBAO_WEBHOOK_URL": "https://bot.example.org/hook",
               "NIANBAO_WEBHOOK_PORT": str(port), "NIANBAO_WEBHOOK_SECRET": ""}
        server = subprocess.Popen([*NIANBAO, "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        try:
            (registered,) = await fake.wait_for(lambda: fake.called("setWebhook"), timeout=90)
            secret = registered.params.get("secret_token") or ""
            assert len(secret) >= 32
            forged = {"update_id": 1, "message": fake.message(ADMIN, "/status")}
            url = f"http://127.0.0.1:{port}/hook"
            async with httpx.AsyncClient() as client:
                statuses = [(await client.post(url, json=forged, headers=headers)).status_code
                            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"})]
                assert statuses == [403, 403]
                await asyncio.sleep(1.0)
                assert fake.replies(ADMIN) == []  # the forged /status was never handled
                real = await client.post(url, json={"update_id": 2, "message": fake.message(ALICE, QUESTION)},
                                         headers={"X-Telegram-Bot-Api-Secret-Token": secret})
            assert real.status_code == 200
            assert "42件" in (await fake.reply_to(ALICE, timeout=60)).text
        finally:
            server.terminate()
            _, err = server.communicate(timeout=30)
    assert "未设置 NIANBAO_WEBHOOK_SECRET" in err and secret not in err
    figure("webhook without secret: forged updates accepted", "0 of 2 (403)")


async def test_a_reply_whose_answer_comes_late_is_sent_once(seed_index, tmp_path):
    async with bot_on_seeds(seed_index, tmp_path, request_timeout=0.5) as bot:
        sends = []
        for _ in range(3):
            before = len(bot.fake.replies(ALICE))
            bot.fake.fail("sendMessage", "late", seconds=1.2, chat_id=ALICE)  # delivered, answered after 1.2 s
            bot.fake.message(ALICE, QUESTION)
            await bot.fake.wait_for(lambda b=before: len(bot.fake.replies(ALICE)) > b, timeout=60)
            await asyncio.sleep(2.0)  # time for a repeat, were the bot to send one
            sends.append(len(bot.fake.replies(ALICE)) - before)
        assert sends == [1, 1, 1]
        assert all(c.text.startswith("威海市文登区人民政府2020年") for c in bot.fake.replies(ALICE))  # no apology
    figure("late Bot API response: sends per reply (3 tries)", sends)


async def test_one_users_429_does_not_delay_another_user(seed_index, tmp_path):
    retry_after = 6
    async with bot_on_seeds(seed_index, tmp_path) as bot:
        await bot.ask(BOB, QUESTION)  # warm: the first answer loads what later ones reuse
        bot.fake.fail("sendMessage", "429", retry_after=retry_after, chat_id=ALICE)
        asked = time.monotonic()
        bot.fake.message(ALICE, QUESTION)
        await bot.fake.wait_for(lambda: bot.fake.faulted, timeout=60)
        started = time.monotonic()
        reply = await bot.ask(BOB, QUESTION)
        bob_latency = time.monotonic() - started
        alice = await bot.fake.reply_to(ALICE, timeout=60)
        alice_latency = alice.at - asked
        assert reply.text.startswith("威海市文登区人民政府2020年")
        assert bob_latency < retry_after / 2
        assert alice_latency >= retry_after and len(bot.fake.replies(ALICE)) == 1
    figure("429 for one user: other user's reply latency (s)", f"{bob_latency:.2f}")
    figure("429 for one user: that user's reply latency (s), retry_after 6", f"{alice_latency:.2f}")
