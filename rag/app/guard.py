"""Abuse limits of the app, kept out of the UI code: admin login attempts and file uploads.

* **Logins** are limited per client address and per account (the app has one, ``admin``): after
  ``free`` failures each further failure locks that address — and, past a larger count, the account —
  for a time that doubles with every failure (``base`` × 2ⁿ seconds, at most ``cap``). A locked login
  is answered at once, never queued, so a flood of wrong passwords cannot fill the answer queue.
* **Uploads** (Gradio's ``/gradio_api/upload``) are accepted only from a client address with a
  live admin login (recorded on the server at login, checked by :class:`UploadGuard`), refused by
  their ``Content-Length`` before any byte is read when over the limit, cut off when a body without
  one grows past it, and the temporary files are removed after use and at shutdown.
"""

from __future__ import annotations

import hmac
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ACCOUNT = "admin"


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0
    last: float = 0.0


@dataclass
class LoginGuard:
    """Failed-login counting with doubling lockouts, per client address and per account (thread-safe)."""

    free: int = 3  # failures allowed before the first lockout (per address)
    account_free: int = 20  # failures from all addresses before the account itself locks
    base: float = 2.0  # first lockout, seconds; doubles with each further failure
    cap: float = 900.0  # longest lockout
    forget_after: float = 3600.0  # a record idle this long starts again from zero
    session_seconds: float = 8 * 3600.0  # how long a login lets its address upload
    _by_key: dict[str, _Failures] = field(default_factory=dict)
    _admins: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, address: str, account: str = ACCOUNT) -> int:
        """Seconds until ``address`` may try ``account`` again (0: now)."""
        now = time.time()
        with self._lock:
            until = max(self._get(f"ip:{address}", now).locked_until, self._get(f"acct:{account}", now).locked_until)
        return max(0, int(until - now + 0.999))

    def check(self, password: str, expected: str, address: str, account: str = ACCOUNT) -> tuple[bool, int]:
        """Try a password: (accepted, seconds locked). A locked address or account is refused without
        comparing; a failure may start or lengthen a lockout; a success clears the address's count."""
        wait = self.wait_for(address, account)
        if wait:
            return False, wait
        ok = hmac.compare_digest((password or "").encode("utf-8", "surrogatepass"),
                                 (expected or "").encode("utf-8", "surrogatepass")) and bool(expected)
        now = time.time()
        with self._lock:
            if ok:
                self._by_key.pop(f"ip:{address}", None)
                self._admins[address] = now + self.session_seconds
                return True, 0
            self._fail(f"ip:{address}", self.free, now)
            self._fail(f"acct:{account}", self.account_free, now)
        return False, self.wait_for(address, account)

    def is_admin(self, address: str) -> bool:
        """True when ``address`` logged in as admin within the session time."""
        with self._lock:
            return self._admins.get(address, 0.0) > time.time()

    def logout(self, address: str) -> None:
        """Forget ``address``'s admin login."""
        with self._lock:
            self._admins.pop(address, None)

    def _get(self, key: str, now: float) -> _Failures:
        rec = self._by_key.get(key)
        if rec is None or (now - rec.last > self.forget_after and rec.locked_until < now):
            rec = self._by_key[key] = _Failures()
        return rec

    def _fail(self, key: str, free: int, now: float) -> None:
        rec = self._get(key, now)
        rec.count += 1
        rec.last = now
        if rec.count > free:
            rec.locked_until = now + min(self.cap, self.base * 2 ** (rec.count - free - 1))
        if len(self._by_key) > 10_000:  # a flood from many addresses: drop the idle ones
            for k in [k for k, r in self._by_key.items() if r.locked_until < now][:5_000]:
                self._by_key.pop(k, None)


class UploadGuard:
    """ASGI middleware in front of Gradio's upload route: admin address, size limit, temp clean-up."""

    PATHS = ("/gradio_api/upload", "/upload")

    def __init__(self, app, guard: LoginGuard, max_bytes: int, temp_dir: Path | None = None) -> None:
        self.app, self.guard, self.max_bytes, self.temp_dir = app, guard, max_bytes, temp_dir

    async def __call__(self, scope, receive, send):
        """Refuse an upload that is not from an admin or too large before Gradio reads its body."""
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path", "").rstrip("/") not in self.PATHS:
            return await self.app(scope, receive, send)
        address = (scope.get("client") or ("", 0))[0]
        if not self.guard.is_admin(address):
            return await _refuse(send, 403, "Uploading needs an admin login.")
        length = dict(scope.get("headers") or []).get(b"content-length")
        try:
            if length is not None and int(length) > self.max_bytes:
                return await _refuse(send, 413, f"The file is larger than {self.max_bytes // 2**20} MB.")
        except ValueError:
            return await _refuse(send, 400, "Bad Content-Length.")
        seen = 0
        max_bytes = self.max_bytes

        async def counted():
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes + 64 * 1024:  # the multipart envelope's few hundred bytes, with room
                    raise _TooLarge()
            return message

        try:
            return await self.app(scope, counted, send)
        except _TooLarge:
            return await _refuse(send, 413, f"The file is larger than {self.max_bytes // 2**20} MB.")

    def clean(self) -> None:
        """Remove the temporary upload folder (at shutdown)."""
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)


class _TooLarge(Exception):
    pass


async def _refuse(send, status: int, message: str) -> None:
    import json

    body = json.dumps({"detail": message}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def remove_upload(path: str | Path, temp_root: Path | None) -> None:
    """Delete an uploaded temporary file (and its per-upload folder) once it has been copied into the corpus."""
    if not path:
        return
    p = Path(path)
    try:
        if temp_root is not None and temp_root.resolve() not in p.resolve().parents:
            return  # not ours to delete
        p.unlink(missing_ok=True)
        if temp_root is not None and p.parent.resolve() != temp_root.resolve():
            p.parent.rmdir()
    except OSError:
        pass


def client_address(request) -> str:
    """The client's address of a Gradio event (``gr.Request``), "" when unknown."""
    try:
        return str(request.client.host or "")
    except AttributeError:
        return ""


def upload_temp_root() -> Path | None:
    """Gradio's temporary folder (``GRADIO_TEMP_DIR``) when set, else None (then only files under the
    system's temp folder named by Gradio are removed)."""
    import os
    import tempfile

    root = os.environ.get("GRADIO_TEMP_DIR")
    return Path(root) if root else Path(tempfile.gettempdir()) / "gradio"


def scrub(value):
    """``value`` (parsed JSON) with every lone surrogate in its strings replaced by U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return value


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


class TextScrubber:
    """ASGI middleware: JSON bodies sent to the Gradio app reach it as valid UTF-8 text.

    A lone surrogate (``"\\ud800"`` in JSON) or bytes that are not UTF-8 in a question made the chat's
    answer stream fail when it was sent back; here they become U+FFFD before Gradio sees them, so the
    question is answered (or refused with the usual message) like any other.
    """

    PREFIX = "/gradio_api/"
    LIMIT = 4 * 2**20  # bodies of events are small; uploads (multipart) are not touched

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        """Rewrite a JSON body with lone surrogates or invalid UTF-8; pass everything else through."""
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        if (scope["type"] != "http" or scope.get("method") != "POST" or not scope.get("path", "").startswith(self.PREFIX)
                or b"json" not in headers.get(b"content-type", b"")):
            return await self.app(scope, receive, send)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([message]), send)
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.LIMIT:
                return await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks),
                                                       "more_body": more}], receive), send)
        body = b"".join(chunks)
        fixed = _fixed_json(body)
        if fixed is not None:
            body = fixed
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"content-length"] + [
                (b"content-length", str(len(body)).encode())]
        return await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}]), send)


def _fixed_json(body: bytes) -> bytes | None:
    """The body re-encoded when it holds invalid UTF-8 or lone surrogates; None when it is fine as it is."""
    import json

    try:
        text = body.decode("utf-8")
        bad_bytes = False
    except UnicodeDecodeError:
        text, bad_bytes = body.decode("utf-8", "replace"), True
    if not bad_bytes and "\\ud" not in text.lower():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text.encode("utf-8") if bad_bytes else None
    cleaned = scrub(value)
    if not bad_bytes and cleaned == value:
        return None
    return json.dumps(cleaned, ensure_ascii=False).encode("utf-8")


def _replay(messages: list, then=None):
    queue = list(messages)

    async def receive():
        if queue:
            return queue.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive
