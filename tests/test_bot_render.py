"""Answer → Telegram HTML and keyboards, message splitting, CSV; literal values throughout."""

from __future__ import annotations

import re
from pathlib import Path

from bot.question.answer import AMBIGUOUS, ANSWERED, NOT_UNDERSTOOD, Answer
from bot.tg.render import facts_csv, render_answer, source_windows, split_html
from bot.tg.texts import CONSOLE, TEXT
from tests.fake_telegram import check_html

FACT = {"agency": "威海市文登区人民政府", "year": 2020, "metric": "apply.new", "applicant": "total", "value": 42,
        "unit": "件", "raw": "42", "label": "本年新收政府信息公开申请数量",
        "source": {"file": "001_114e84585976705a.txt", "table": "表三", "line": 64}}
CHART = {"title": "t", "unit": "件", "kind": "line", "series": [{"name": "s", "points": [[2019, 1], [2020, 2]]}]}


def buttons(reply) -> list[list[tuple[str, str]]]:
    return [[(b.text, b.callback_data) for b in row] for row in reply.keyboard.inline_keyboard]


def test_answer_text_is_escaped_and_gets_source_and_chart_buttons():
    answer = Answer("q", ANSWERED, "lookup", "<b>A&B</b> 为42件", facts=[FACT], chart=CHART, notes=["注：表中留空"])
    reply = render_answer(answer)
    assert reply.parts == ["&lt;b&gt;A&amp;B&lt;/b&gt; 为42件\n<i>注：表中留空</i>"]
    assert buttons(reply) == [[("查看原文", "src"), ("图表", "chart")]]


def test_ambiguous_answer_offers_each_choice_as_a_button():
    answer = Answer("高新区", AMBIGUOUS, "lookup", "“高新区”可能指以下单位：", choices=["甲市高新区管委会", "乙市高新区管委会"])
    reply = render_answer(answer)
    assert reply.parts == ["“高新区”可能指以下单位：\n您是指："]
    assert buttons(reply) == [[("甲市高新区管委会", "pick:0")], [("乙市高新区管委会", "pick:1")]]


def test_suggestions_are_listed_and_offered():
    answer = Answer("?", NOT_UNDERSTOOD, "unknown", "没听懂。", suggestions=["文登区2020年收到多少申请"])
    reply = render_answer(answer)
    assert reply.parts == ["没听懂。\n试试这样问：\n· 文登区2020年收到多少申请"]
    assert buttons(reply) == [[("文登区2020年收到多少申请", "ask:0")]]


def test_split_keeps_lines_whole_and_each_part_valid():
    text = "\n".join(f"<b>{i}</b> " + "字" * 50 for i in range(200))
    parts = split_html(text)
    assert [len(p) <= 4096 for p in parts] == [True] * len(parts)
    assert "\n".join(parts) == text
    assert all(check_html(p)[0] == "" for p in parts)


def test_an_overlong_line_is_cut_outside_tags_and_entities():
    line = "&amp;" * 1000 + "<b>粗体</b>" + "x" * 4000
    parts = split_html(line, limit=4096)
    assert "".join(parts) == line
    assert all(check_html(p)[0] == "" and len(p) <= 4096 for p in parts)


def test_csv_has_a_bom_and_one_row_per_fact():
    data = facts_csv([FACT])
    assert data.decode("utf-8") == (
        "\ufeffagency,year,metric,applicant,label,value,unit,raw,file,table,line\n"
        "威海市文登区人民政府,2020,apply.new,total,本年新收政府信息公开申请数量,42,件,42,001_114e84585976705a.txt,表三,64\n")


def test_near_source_lines_share_one_window():
    facts = [{**FACT, "source": {"file": "a.txt", "line": n}} for n in (10, 12, 40)]
    assert source_windows(facts) == [("a.txt", 11, 4, {10, 12}), ("a.txt", 40, 3, {40})]


def test_every_wording_the_code_uses_is_in_texts_toml_and_every_entry_is_used():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "bot" / "tg").glob("*.py"))
    used = set(re.findall(r'(?:TEXT|CONSOLE)\["(\w+)"\]|say\("(\w+)"|hint(?:: str)? ?= ?"(\w+)"', code))
    used = {key for pair in used for key in pair if key}
    assert used - set(TEXT) - set(CONSOLE) == set()
    assert (set(TEXT) | set(CONSOLE)) - used == set()
