"""Load: simulated chats asking questions through the fake Telegram, each waiting for its answer like a person.

    python -m tests.load_bot [--chats 200] [--questions 5] [--flood-limits] [--faults 20]

Checks every question is answered exactly once, then prints throughput and reply latency
(from the update being queued at the fake server to the reply reaching it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from index.build import build_index
from tests.bot_harness import ROOT, SEEDS, bot_settings, running_bot
from tests.fake_telegram import FakeTelegram

QUESTIONS = [json.loads(line)["q"] for line in (ROOT / "tests/fixtures/questions_dev.jsonl").read_text().splitlines()
             if line.strip()]


async def drive(chats: int, per_chat: int, flood_limits: bool, faults: int) -> int:
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        db = Path(tmp) / "load.db"
        build_index([SEEDS], db)
        settings = bot_settings(fake, Path(tmp), db, questions_per_minute=0,
                                send_per_second=30 if flood_limits else 0, group_send_per_minute=0)
        async with running_bot(settings, fake) as bot:
            await bot.ask(1, "哪些报告提到了依申请公开")  # warm up: the first search loads the tokenizer
            loop, answered = asyncio.get_running_loop(), Counter()
            events = {chat: asyncio.Event() for chat in range(10_000, 10_000 + chats)}

            def on_reply(chat_id: int) -> None:
                answered[chat_id] += 1
                if chat_id in events:
                    events[chat_id].set()

            fake.listeners.append(lambda call: call.method == "sendMessage" and
                                  loop.call_soon_threadsafe(on_reply, call.chat_id))
            if faults:
                fake.fail("sendMessage", "500", faults)
            latencies: list[float] = []

            async def chat(chat_id: int) -> None:
                rng = random.Random(chat_id)
                for question in rng.sample(QUESTIONS, per_chat):
                    events[chat_id].clear()
                    started = time.monotonic()
                    fake.message(chat_id, question)
                    await asyncio.wait_for(events[chat_id].wait(), timeout=60)
                    latencies.append(time.monotonic() - started)

            started = time.monotonic()
            await asyncio.gather(*(chat(chat_id) for chat_id in events))
            elapsed = time.monotonic() - started
            await asyncio.sleep(0.5)  # time for a duplicate to show up, if there were one
    total = chats * per_chat
    wrong = {chat: n for chat, n in answered.items() if chat in events and n != per_chat}
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(f"{chats} chats × {per_chat} questions = {total} questions in {elapsed:.1f} s "
          f"(flood limits {'on' if flood_limits else 'off'}, {faults} injected 500s)")
    print(f"throughput {total / elapsed:.1f} answers/s; latency median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    print(f"answered exactly once: {sum(1 for c in events if answered[c] == per_chat)}/{chats} chats; "
          f"refused by Telegram: {len(fake.refused)}")
    return 1 if wrong or len(latencies) != total or fake.refused else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--flood-limits", action="store_true", help="apply Telegram's 30 messages/s limit")
    parser.add_argument("--faults", type=int, default=0, help="inject this many 500s on sendMessage")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(drive(args.chats, args.questions, args.flood_limits, args.faults))


if __name__ == "__main__":
    sys.exit(main())
