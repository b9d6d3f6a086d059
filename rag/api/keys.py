"""API keys: created, listed and revoked by name, kept only as hashes; a token bucket per key.

A key is ``rag-`` and 43 random URL-safe characters; the file keeps the SHA-256 of
each key with its name and creation time (JSON, written atomically: a temporary
file renamed over the old one), so a stolen file gives no key. The server
re-reads the file when it changes, so ``rag keys create`` / ``revoke`` take effect
on a running server at its next request. Keys are never logged or shown again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

KEY_PREFIX = "rag-"
_NAME_RE = re.compile(r"^[\w.@-]{1,64}$")


class KeyNameError(ValueError):
    """A key name that cannot be used (bad characters, taken, unknown); the message is for the user."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


@dataclass
class KeyInfo:
    """What is kept of one key: its name, when it was made, and its hash (never the key)."""

    name: str
    created: float
    sha256: str

    def to_dict(self) -> dict:
        """The key's record in the file."""
        return {"name": self.name, "created": self.created, "sha256": self.sha256}


class KeyStore:
    """The keys file (see the module doc)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, KeyInfo] = {}

    # ------------------------------------------------------------ reading
    def keys(self) -> dict[str, KeyInfo]:
        """The keys by name, re-read when the file changed."""
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._keys = self._read() if stamp else {}
                self._stamp = stamp
            return self._keys

    def _read(self) -> dict[str, KeyInfo]:
        data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        return {k["name"]: KeyInfo(k["name"], float(k["created"]), k["sha256"]) for k in data.get("keys", [])}

    def names(self) -> list[KeyInfo]:
        """The keys, oldest first."""
        return sorted(self.keys().values(), key=lambda k: k.created)

    def verify(self, key: str) -> str | None:
        """The name of the key ``key`` is, or None."""
        digest = _digest(key)
        for info in self.keys().values():
            if hmac.compare_digest(info.sha256, digest):
                return info.name
        return None

    # ------------------------------------------------------------ writing
    def create(self, name: str) -> str:
        """Make a key named ``name``; returns the key (shown once, kept only as its hash)."""
        if not _NAME_RE.match(name or ""):
            raise KeyNameError(f"a key name is 1 to 64 letters, digits or . _ @ -, not {name!r}")
        keys = dict(self.keys())
        if name in keys:
            raise KeyNameError(f"a key named {name!r} exists; revoke it first or choose another name")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        keys[name] = KeyInfo(name, round(time.time(), 3), _digest(key))
        self._write(keys)
        return key

    def revoke(self, name: str) -> None:
        """Delete the key named ``name``; it stops working at once."""
        keys = dict(self.keys())
        if name not in keys:
            raise KeyNameError(f"no key named {name!r}")
        del keys[name]
        self._write(keys)

    def _write(self, keys: dict[str, KeyInfo]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"keys": [k.to_dict() for k in sorted(keys.values(), key=lambda k: k.created)]}, indent=1)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".api-keys.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(body + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._lock:
            self._stamp = None  # re-read on next use


class RateLimiter:
    """A token bucket per caller: ``burst`` requests at once, refilled at ``per_minute`` a minute."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str) -> float:
        """Spend one request of ``who``'s; returns 0 when allowed, else the seconds until one is."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                return 0.0
            self._buckets[who] = (tokens, now)
            return (1.0 - tokens) / self.rate
