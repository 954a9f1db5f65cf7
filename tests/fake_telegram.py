"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the bot.

It speaks real HTTP, so the bot under test runs unchanged with ``base_url`` and
``base_file_url`` pointed here. It queues injected updates for ``getUpdates``
(long polling with its timeout), records every call the bot makes, keeps the
messages it "delivered" so button presses can refer to them, serves uploaded
documents through ``getFile`` and file download, and injects faults on demand.

Faults act before the method does, as when a request is lost or refused on the
way to Telegram: a 429 or 5xx response, or a hang followed by a dropped
connection ("timeout"). None of them delivers anything, so a bot that retries
correctly delivers each reply exactly once. ("slow" delays and then acts; "late" acts at
once and delays only its response, as when Telegram delivered a message but its answer
arrived after the bot's timeout: a bot that repeats such a send delivers it twice.)
A fault may be aimed at one chat (``chat_id``): other chats' calls pass untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "123456789:AAFakeTokenForTests-xyz_0123456789abc"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "年报助手", "username": "nianbao_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
SENDING = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "answerCallbackQuery",
           "answerInlineQuery"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        chat = self.params.get("chat_id")
        return int(chat) if chat is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data or url) of the inline keyboard, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b.get("callback_data") or b.get("url") or "")
                for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Fault:
    kind: str  # "429", "500", "502", "timeout", "slow", "late"
    retry_after: int = 1
    seconds: float = 1.0
    chat_id: int | None = None  # None: any call of the method


class FakeTelegram:
    """Start with ``with FakeTelegram() as fake:``; point the bot at ``fake.base_url``."""

    def __init__(self, token: str = TOKEN):
        self.token = token
        self.calls: list[Call] = []
        self.faulted: list[tuple[str, str]] = []
        self.refused: list[tuple[str, str]] = []  # 400s: a correct bot never gets one
        self.listeners: list = []  # called with each recorded Call, on the server's thread
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[int, int], dict] = {}
        self._files: dict[str, tuple[str, bytes]] = {}
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.base_file_url = f"http://127.0.0.1:{self.port}/file/bot"
        self.api_root = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeTelegram:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._lock.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # ---- what a test injects ------------------------------------------------------------------

    def message(self, chat_id: int, text: str = "", *, user_id: int | None = None, chat_type: str = "private",
                reply_to: dict | None = None, document: dict | None = None) -> dict:
        """Queue a message from a user; returns it (its message_id is what replies refer to)."""
        user_id = user_id or chat_id
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": f"用户{user_id}"} if chat_type == "private" else {"title": f"群{chat_id}"})
        message = {"message_id": next(self._message_ids[chat_id]), "date": int(time.time()), "chat": chat,
                   "from": {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}"}}
        if text:
            message["text"] = text
            message["entities"] = _entities(text)
        if reply_to:
            message["reply_to_message"] = reply_to
        if document:
            message["document"] = document
        self._store(message)
        self._push({"message": message})
        return message

    def document(self, chat_id: int, filename: str, content: bytes, *, user_id: int | None = None,
                 claimed_size: int | None = None) -> dict:
        """Queue a document message whose file the bot can fetch with getFile (``claimed_size``: a size that lies)."""
        file_id = f"file{len(self._files) + 1}"
        self._files[file_id] = (f"documents/{file_id}_{filename}", content)
        size = len(content) if claimed_size is None else claimed_size
        doc = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": filename,
               "mime_type": "application/octet-stream", "file_size": size}
        return self.message(chat_id, user_id=user_id, document=doc)

    def press(self, call: Call, label: str, *, user_id: int | None = None) -> None:
        """Queue a press of the inline button labelled ``label`` (or starting with it) on a sent message."""
        data = next(d for text, d in call.buttons() if text == label or text.startswith(label))
        message = self._messages[(call.chat_id, call.result["message_id"])]
        user_id = user_id or call.chat_id
        self._push({"callback_query": {"id": f"cq{next(self._update_ids)}", "chat_instance": "ci", "data": data,
                                       "from": {"id": user_id, "is_bot": False, "first_name": "用户"},
                                       "message": message}})

    def inline_query(self, user_id: int, query: str) -> None:
        self._push({"inline_query": {"id": f"iq{next(self._update_ids)}", "query": query, "offset": "",
                                     "from": {"id": user_id, "is_bot": False, "first_name": "用户"}}})

    def fail(self, method: str, kind: str, times: int = 1, *, retry_after: int = 1, seconds: float = 1.0,
             chat_id: int | None = None) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id`` only, if given) fail with ``kind``."""
        with self._lock:
            self._faults[method].extend(Fault(kind, retry_after, seconds, chat_id) for _ in range(times))

    # ---- what a test reads ------------------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Calls that delivered something, oldest first."""
        with self._lock:
            return [c for c in self.calls if c.method in SENDING and (method is None or c.method == method)
                    and (chat_id is None or c.chat_id == chat_id)]

    def replies(self, chat_id: int) -> list[Call]:
        return self.sent(chat_id, "sendMessage")

    def called(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate, timeout: float = 5.0) -> Any:
        """Poll ``predicate()`` until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            await asyncio.sleep(0.01)
        raise AssertionError(f"timed out after {timeout}s waiting; calls: {[c.method for c in self.calls][-20:]}")

    async def reply_to(self, chat_id: int, count: int = 1, method: str = "sendMessage", timeout: float = 5.0):
        """Wait until ``chat_id`` has at least ``count`` sends of ``method``; returns the last one."""
        calls = await self.wait_for(lambda: (c := self.sent(chat_id, method)) and len(c) >= count and c, timeout)
        return calls[count - 1]

    # ---- the server side ------------------------------------------------------------------

    def _push(self, payload: dict) -> None:
        with self._lock:
            self._updates.append({"update_id": next(self._update_ids), **payload})
            self._lock.notify_all()

    def _store(self, message: dict) -> None:
        self._messages[(message["chat"]["id"], message["message_id"])] = message

    def _take_fault(self, method: str, params: dict) -> Fault | None:
        chat = params.get("chat_id")
        with self._lock:
            for fault in self._faults.get(method, ()):
                if fault.chat_id is None or chat is not None and int(chat) == fault.chat_id:
                    self._faults[method].remove(fault)
                    return fault
            return None

    def get_updates(self, params: dict) -> list[dict]:
        offset, timeout = int(params.get("offset") or 0), float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._lock:
            # Telegram forgets updates below the offset: that is what makes delivery exactly-once.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._lock.wait(min(0.2, deadline - time.monotonic()))
            return self._updates[:limit]

    def act(self, method: str, params: dict, files: dict) -> tuple[int, Any]:
        """Carry out one Bot API method; returns (HTTP status, result)."""
        if method == "getMe":
            return 200, BOT_USER
        refusal = self._refusal(method, params) if method in SENDING else None
        if refusal:
            self.refused.append((method, refusal))
            return 400, refusal
        if method in {"sendMessage", "sendPhoto", "sendDocument"}:
            return 200, self._deliver(method, params, files)
        if method == "editMessageText":
            key = (int(params["chat_id"]), int(params["message_id"]))
            if key not in self._messages:
                return 400, "Bad Request: message to edit not found"
            self._messages[key] = {**self._messages[key], "text": params["text"]}
            return 200, self._messages[key]
        if method == "getFile":
            path, content = self._files.get(params.get("file_id"), ("", b""))
            if not path:
                return 400, "Bad Request: invalid file_id"
            return 200, {"file_id": params["file_id"], "file_unique_id": "u", "file_size": len(content),
                         "file_path": path}
        if method in {"answerCallbackQuery", "answerInlineQuery", "setMyCommands", "deleteWebhook", "setWebhook",
                      "sendChatAction", "deleteMyCommands", "close", "logOut"}:
            return 200, True
        return 404, "Not Found: method not found"

    def _refusal(self, method: str, params: dict) -> str | None:
        """What real Telegram would refuse with 400: bad HTML, over-long text, over-long callback data."""
        text_key = "caption" if method in {"sendPhoto", "sendDocument"} else "text"
        text = params.get(text_key)
        if method in {"sendMessage", "editMessageText"} and not text:
            return "Bad Request: message text is empty"
        if text and params.get("parse_mode") == "HTML":
            problem, visible = check_html(text)
            if problem:
                return f"Bad Request: can't parse entities: {problem}"
            text = visible
        if text and len(text) > (1024 if text_key == "caption" else 4096):
            return "Bad Request: message is too long"
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64 or not button.get("text"):
                    return "Bad Request: BUTTON_DATA_INVALID"
        return None

    def _deliver(self, method: str, params: dict, files: dict) -> dict:
        chat_id = int(params["chat_id"])
        message = {"message_id": next(self._message_ids[chat_id]), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"}, "from": BOT_USER}
        if method == "sendMessage":
            message["text"] = params["text"]
        elif method == "sendPhoto":
            message["photo"] = [{"file_id": "p1", "file_unique_id": "p1", "width": 1, "height": 1}]
        else:
            name = next(iter(files.values()))[0] if files else "file"
            message["document"] = {"file_id": "d1", "file_unique_id": "d1", "file_name": name}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._store(message)
        return message

    def file_content(self, path: str) -> bytes | None:
        return next((content for p, content in self._files.values() if p == path), None)


TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
                 "blockquote", "tg-emoji"}
_BARE_AMPERSAND = re.compile(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problem = ""
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problem = self.problem or f"unsupported start tag <{tag}>"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problem = self.problem or f"unexpected end tag </{tag}>"

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def check_html(text: str) -> tuple[str, str]:
    """(problem or "", visible text) as Telegram's HTML parse mode would see it."""
    if _BARE_AMPERSAND.search(text):
        return "unescaped &", ""
    if re.search(r"<(?![a-zA-Z/])", text):
        return "unescaped <", ""
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    if not checker.problem and checker.open:
        checker.problem = f"unclosed <{checker.open[-1]}>"
    return checker.problem, "".join(checker.visible)


def _entities(text: str) -> list[dict]:
    """bot_command and mention entities as Telegram marks them (offsets in UTF-16 units)."""
    found = []
    for i, word in _words(text):
        kind = "bot_command" if word.startswith("/") and i == 0 else "mention" if word.startswith("@") else None
        if kind:
            found.append({"type": kind, "offset": _utf16(text[:i]), "length": _utf16(word)})
    return found


def _words(text: str):
    position = 0
    for word in text.split(" "):
        yield position, word
        position += len(word) + 1


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _parse_body(content_type: str, body: bytes) -> tuple[dict, dict]:
    """Form fields (JSON values decoded) and uploaded files of one request."""
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if content_type.startswith("multipart/form-data"):
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename:
                files[name] = (filename, payload)
            else:
                params[name] = payload.decode("utf-8")
    elif content_type.startswith("application/json"):
        params = json.loads(body or b"{}")
    else:
        params = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key, value in params.items():
        if isinstance(value, str) and value[:1] in "[{":
            params[key] = json.loads(value)
    return params, files


def _handler_for(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real API
        disable_nagle_algorithm = True  # headers and body go in two writes: Nagle + delayed ACK would add 40 ms

        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def handle(self) -> None:
            # the client hung up (a capped download, a timeout): nothing to answer
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                super().handle()

        def do_GET(self) -> None:
            path = urllib.parse.unquote(self.path)  # httpx sends the token's colon as %3A
            prefix = f"/file/bot{fake.token}/"
            content = fake.file_content(path[len(prefix):]) if path.startswith(prefix) else None
            if content is None:
                self._send(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
            else:
                self._send(200, content, "application/octet-stream")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            token, _, method = urllib.parse.unquote(self.path).removeprefix("/bot").partition("/")
            if token != fake.token:
                return self._reply(401, "Unauthorized")
            params, files = _parse_body(self.headers.get("Content-Type", ""), body)
            fault = fake._take_fault(method, params)
            if fault and fault.kind != "late" and self._fault(method, fault):
                return None
            if method == "getUpdates":  # waits on the lock's condition itself
                return self._reply(200, fake.get_updates(params))
            with fake._lock:
                status, result = fake.act(method, params, files)
                call = Call(method, params, files, result=result)
                if status == 200:
                    fake.calls.append(call)
            for listener in fake.listeners if status == 200 else ():
                listener(call)
            if fault and fault.kind == "late":  # acted on, and now the response is held back past the client's timeout
                self._fault(method, fault)
            return self._reply(status, result)

        def _fault(self, method: str, fault: Fault) -> bool:
            """Apply a fault; True when the request ends here without being acted on."""
            with fake._lock:
                fake.faulted.append((method, fault.kind))
            time.sleep(fault.seconds if fault.kind in {"slow", "timeout", "late"} else 0)
            if fault.kind in {"slow", "late"}:
                return False
            if fault.kind == "timeout":
                self.close_connection = True
                return True
            extra = {"parameters": {"retry_after": fault.retry_after}} if fault.kind == "429" else {}
            self._reply(int(fault.kind), {"429": "Too Many Requests: retry after 1", "500": "Internal Server Error",
                                          "502": "Bad Gateway"}[fault.kind], extra)
            return True

        def _reply(self, status: int, result: Any, extra: dict | None = None) -> None:
            if status == 200:
                payload = {"ok": True, "result": result}
            else:
                payload = {"ok": False, "error_code": status, "description": result, **(extra or {})}
            self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout); nothing was acted on

    return Handler
