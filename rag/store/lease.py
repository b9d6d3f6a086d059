"""The single-writer rule: a lock file (embedded store) or a lease record in ``rag-meta`` (Chroma server)."""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

from rag.settings import Settings
from rag.store.base import LOCK_ID, META_COLLECTION, _META_VECTOR, IndexBusyError, _env_float, make_chroma_client

log = logging.getLogger("rag.index")

def holder_is_dead(record: dict) -> bool:
    """True when a lease record names a process on this host that no longer runs (killed, crashed)."""
    if record.get("host") != socket.gethostname():
        return False  # another host's process: only the lease's expiry tells
    try:
        pid = int(record.get("pid", 0))
    except (TypeError, ValueError):
        return False
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _holder_text() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}"


class _WriterLock:
    """An exclusive lock on the index folder that says who holds it (embedded store).

    The operating system releases the lock when its holder dies, even by SIGKILL,
    so a crashed ingest never blocks the next one.
    """

    def __init__(self, folder: Path, timeout: float, announce: bool = False) -> None:
        from filelock import FileLock

        folder.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(folder / "ingest.lock"))
        self._owner = folder / "ingest.owner"
        self._timeout = timeout
        self._announce = announce

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it (pid, host, since when)."""
        try:
            return self._owner.read_text(encoding="utf-8").strip() or "another process"
        except OSError:
            return "another process"

    def __enter__(self):
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = self.holder()
            if self._timeout > 0:
                message = f"The index is being updated by {holder}; waiting up to {self._timeout:.0f}s…"
                log.info(message)
                if self._announce:
                    print(message, file=sys.stderr, flush=True)
            try:
                self._lock.acquire(timeout=max(self._timeout, 0))
            except Timeout as exc:
                raise IndexBusyError(
                    f"The index is being updated by {self.holder()}; try again when it finishes."
                ) from exc
        self._owner.write_text(_holder_text(), encoding="utf-8")
        return self

    def check(self) -> None:
        """Nothing to check: a file lock cannot be lost while its holder lives."""

    def __exit__(self, *exc):
        self._owner.unlink(missing_ok=True)
        self._lock.release()


class _ServerWriterLock:
    """The single-writer rule across hosts: a lease record in the ``rag-meta`` collection.

    Acquiring adds the record ``writer-lock`` with a random token; Chroma ignores
    an ``add`` whose id exists, so whoever reads back their own token holds the
    lock. A heartbeat thread renews the lease every ``ttl / 4`` seconds; a holder
    that dies (SIGKILL, power loss) stops renewing, and after ``ttl`` seconds the
    next writer removes the stale record — with a conditional delete on the dead
    holder's token, so two waiters cannot both break it. Just before publishing,
    the holder checks that the lease is still its own (:meth:`check`).

    Assumes host clocks agree to well within ``ttl`` (NTP).
    """

    poll = 0.5

    def __init__(self, settings: Settings, timeout: float, ttl: float | None = None, announce: bool = False) -> None:
        self._settings = settings
        self._timeout = timeout
        self._ttl = ttl if ttl is not None else _env_float("RAG_WRITER_LEASE_SECONDS", 60.0)
        self._announce = announce
        self._token = uuid.uuid4().hex
        self._holder = _holder_text()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._meta = None
        self.lost = False

    def _collection(self):
        if self._meta is None:
            self._meta = make_chroma_client(self._settings).get_or_create_collection(
                META_COLLECTION, embedding_function=None
            )
        return self._meta

    def _record(self) -> dict | None:
        got = self._collection().get(ids=[LOCK_ID], include=["metadatas"])
        return got["metadatas"][0] if got["ids"] else None

    def _write(self, add: bool) -> None:
        op = self._collection().add if add else self._collection().upsert
        op(
            ids=[LOCK_ID],
            documents=[self._holder],
            embeddings=[_META_VECTOR],
            metadatas=[{"kind": "lock", "token": self._token, "holder": self._holder, "expires": time.time() + self._ttl,
                        "host": socket.gethostname(), "pid": os.getpid()}],
        )

    def __enter__(self):
        deadline = time.monotonic() + max(self._timeout, 0)
        announced = False
        while True:
            self._write(add=True)  # ignored by Chroma when someone holds the lock
            record = self._record()
            if record is not None and record.get("token") == self._token:
                break
            if record is None:  # released between our add and our read: try again
                if time.monotonic() >= deadline:
                    raise IndexBusyError("Could not take the index writer lease; try again.")
                continue
            if float(record.get("expires", 0)) < time.time() or holder_is_dead(record):
                log.warning("taking over the index writer lease of %s (expired or its process is gone)", record.get("holder"))
                self._collection().delete(ids=[LOCK_ID], where={"token": record.get("token", "")})
                continue
            if time.monotonic() >= deadline:
                raise IndexBusyError(
                    f"The index is being updated by {record.get('holder', 'another process')}; "
                    "try again when it finishes."
                )
            if not announced:
                announced = True
                message = f"The index is being updated by {record.get('holder')}; waiting up to {self._timeout:.0f}s…"
                log.info(message)
                if self._announce:
                    print(message, file=sys.stderr, flush=True)
            time.sleep(self.poll)
        self._thread = threading.Thread(target=self._heartbeat, name="rag-writer-lease", daemon=True)
        self._thread.start()
        return self

    def _heartbeat(self) -> None:
        while not self._stop.wait(self._ttl / 4):
            try:
                record = self._record()
                if record is None or record.get("token") != self._token:
                    self.lost = True
                    return
                self._write(add=False)
            except Exception as exc:  # a network blip: try again at the next beat
                log.warning("could not renew the index writer lease (%s)", exc.__class__.__name__)

    def check(self) -> None:
        """Raise :class:`IndexBusyError` unless this process still holds the lease."""
        record = self._record()
        if self.lost or record is None or record.get("token") != self._token:
            self.lost = True
            raise IndexBusyError(
                "This ingest lost its writer lease (it paused longer than the lease); "
                "nothing was published — run it again."
            )

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self._collection().delete(ids=[LOCK_ID], where={"token": self._token})
        except Exception as exc:  # the server is gone: the lease expires by itself
            log.warning("could not release the index writer lease (%s); it expires by itself", exc.__class__.__name__)
