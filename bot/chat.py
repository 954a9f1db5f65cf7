"""`nianbao chat`: a terminal conversation on the index, with follow-ups.

The same Answer the bot renders, as plain text. Type a number to pick one of
the offered choices; a quit word (bot/chat.toml) or Ctrl-D ends the chat, and an
empty line is ignored: a stray Enter must not end a conversation.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from bot.question import Answer, Asker

WORDING = tomllib.loads(Path(__file__).with_name("chat.toml").read_text(encoding="utf-8"))
BANNER: str = WORDING["banner"]
QUIT_WORDS = frozenset(w.casefold() for w in WORDING["quit_words"])
BULLETS = "·•-*・ \t"


def render_text(answer: Answer) -> str:
    """An answer as terminal text: the reply, then numbered choices or examples."""
    # the reply may list the choices itself; they are shown once, numbered, so a number picks one
    offered = set(answer.choices)
    lines = [line for line in answer.text.split("\n") if not (offered and line.strip(BULLETS) in offered)]
    for i, choice in enumerate(answer.choices, 1):
        lines.append(f"  [{i}] {choice}")
    if answer.suggestions and not answer.choices:
        if not answer.text.rstrip().endswith(("：", ":")):
            lines.append("例如：")
        lines.extend(f"  · {s}" for s in answer.suggestions)
    return "\n".join(lines)


def run_chat(db_path: str, stdin=None, stdout=None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    asker = Asker(db_path)
    interactive = stdin.isatty()
    print(BANNER, file=stdout)
    print(render_text(asker.ask("你好")), file=stdout)
    last: Answer | None = None
    while True:
        if interactive:
            stdout.write("\n" + WORDING["prompt"])
            stdout.flush()
        line = stdin.readline()
        if not line:  # end of input (Ctrl-D)
            return 0
        text = line.strip()
        if not text:
            continue
        if text.casefold() in QUIT_WORDS:
            return 0
        if last and last.choices and text.isdigit() and 1 <= int(text) <= len(last.choices):
            answer = asker.choose(last.context, last.choices[int(text) - 1])
        else:
            answer = asker.ask(text, last.context if last else None)
        print(render_text(answer), file=stdout, flush=True)
        last = answer
