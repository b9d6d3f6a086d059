"""A real HTTP server on loopback that speaks the OpenAI chat-completions protocol.

No LLM runs in the test environment, so tests point the product at this server
and script its replies. It answers ``POST …/chat/completions`` both plainly
(one JSON ``chat.completion``) and, when the request says ``"stream": true``,
as server-sent events (``chat.completion.chunk`` objects, then ``data: [DONE]``),
and ``GET …/models``. Every request is recorded so a test can assert what the
server received — or that it received nothing.

    with FakeOpenAI() as server:
        server.script(Reply("答案。[1]"), Reply(status=500))
        settings = make_settings(index_dir, llm_base_url=server.base_url, llm_model="fake")
        ...
        assert len(server.requests) == 2

Replies are taken from the scripted queue first, then from ``server.default``
(a :class:`Reply`, a string, or a function of the request body returning
either). With neither, the server answers HTTP 500 so a missing script shows.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Union


@dataclass
class Reply:
    """One scripted reply."""

    content: str = ""
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering at all
    chunk_size: int = 4  # characters per streamed chunk
    chunk_delay: float = 0.0  # seconds between streamed chunks
    stall_after: int | None = None  # after this many content chunks …
    stall: float = 0.0  # … wait this long (a server that hangs mid-stream)
    raw: str | None = None  # send this body verbatim instead (malformed replies)


Responder = Union[Reply, str, Callable[[dict], Union[Reply, str]]]


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict  # names lower-cased
    body: dict | None

    @property
    def messages(self) -> list[dict]:
        return (self.body or {}).get("messages", [])

    @property
    def stream(self) -> bool:
        return bool((self.body or {}).get("stream"))

    def text(self, role: str) -> str:
        """The concatenated content of the messages of ``role``."""
        return "\n".join(str(m.get("content", "")) for m in self.messages if m.get("role") == role)


def passages_of(body: dict) -> list[str]:
    """The passage texts a grounded-answer request numbered [1], [2], … (in order)."""
    user = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
    block = re.search(r"<passages>\n(.*)\n</passages>", user, re.S)
    if not block:
        return []
    parts = re.split(r"(?:^|\n\n)\[\d+\] [^\n]*\n", block.group(1))
    return [p.strip() for p in parts if p.strip()]


class FakeOpenAI:
    """The server; use as a context manager or call :meth:`start` / :meth:`stop`."""

    def __init__(self, default: Responder | None = None) -> None:
        self.default = default
        self.requests: list[Request] = []
        self._queue: deque = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ control
    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Responder) -> None:
        """Queue replies for the next requests, in order."""
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        """Forget recorded requests, queued replies and the default."""
        with self._lock:
            self.requests.clear()
            self._queue.clear()
            self.default = None

    @property
    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> "FakeOpenAI":
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ internals
    def _next_reply(self, body: dict) -> Reply:
        with self._lock:
            responder = self._queue.popleft() if self._queue else self.default
        if callable(responder) and not isinstance(responder, Reply):
            responder = responder(body)
        if responder is None:
            return Reply(status=500, raw=json.dumps({"error": {"message": "no scripted reply", "type": "server_error"}}))
        if isinstance(responder, str):
            return Reply(responder)
        return responder


def _make_handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def _record(self, body: dict | None) -> None:
            with fake._lock:
                fake.requests.append(Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))

        def _send(self, status: int, payload: bytes, ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
            self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802
            self._record(None)
            if self.path.rstrip("/").endswith("/models"):
                data = {"object": "list", "data": [{"id": "fake", "object": "model", "owned_by": "tests"}]}
                self._send(200, json.dumps(data).encode())
            else:
                self._send(404, b'{"error": {"message": "not found"}}')

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            self._record(body)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            reply = fake._next_reply(body)
            try:
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    payload = reply.raw or json.dumps(
                        {"error": {"message": f"scripted error {reply.status}", "type": "server_error"}}
                    )
                    self._send(reply.status, payload.encode())
                elif reply.raw is not None:
                    self._send(200, reply.raw.encode())
                elif body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._send(200, json.dumps(_completion(body, reply.content), ensure_ascii=False).encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def _stream(self, body: dict, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            model = body.get("model", "fake")

            def event(obj) -> None:
                data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()

            event(_chunk(model, {"role": "assistant", "content": ""}, None))
            text = reply.content
            size = max(1, reply.chunk_size)
            for count, i in enumerate(range(0, len(text), size)):
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
                if reply.stall_after is not None and count == reply.stall_after:
                    time.sleep(reply.stall)
                event(_chunk(model, {"content": text[i : i + size]}, None))
            event(_chunk(model, {}, "stop"))
            event("[DONE]")

    return Handler


def _completion(body: dict, content: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _chunk(model: str, delta: dict, finish: str | None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
