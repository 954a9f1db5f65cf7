"""`nianbao chat`: a terminal conversation on the index, with follow-ups.

The same Answer the bot renders, as plain text. Type a number to pick one of
the offered choices; an empty line or Ctrl-D ends the chat.
"""

from __future__ import annotations

import sys

from bot.question import Answer, Asker

BANNER = "政府信息公开年报问答（输入问题，回车提问；输入序号选择；空行或 Ctrl-D 退出）"


def render_text(answer: Answer) -> str:
    """An answer as terminal text: the reply, then numbered choices or examples."""
    lines = [answer.text]
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
            stdout.write("\n问> ")
            stdout.flush()
        line = stdin.readline()
        if not line or not line.strip():
            return 0
        text = line.strip()
        if last and last.choices and text.isdigit() and 1 <= int(text) <= len(last.choices):
            answer = asker.choose(last.context, last.choices[int(text) - 1])
        else:
            answer = asker.ask(text, last.context if last else None)
        print(render_text(answer), file=stdout, flush=True)
        last = answer
