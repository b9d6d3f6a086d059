"""What every part of the store shares: its errors, the meta collection's names and the Chroma client maker.

Imported by :mod:`rag.store.index` (the lifecycle), :mod:`rag.store.lease` (the writer lease) and
:mod:`rag.store.manifest`; it imports none of them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from rag.settings import Settings

log = logging.getLogger("rag.index")

META_COLLECTION = "rag-meta"
MANIFEST_ID = "manifest"
LOCK_ID = "writer-lock"
_META_VECTOR = [1.0]  # the meta collection stores records, not vectors


class IndexBusyError(RuntimeError):
    """Another process is writing the index."""


class IndexNotBuiltError(RuntimeError):
    """No index has been published yet."""


class IndexUnavailableError(IndexNotBuiltError):
    """The index cannot be reached (the Chroma server is down or refuses us).

    A subclass of :class:`IndexNotBuiltError` so that callers which handle "no
    index" (the CLI prints the message and exits 2) handle this too.
    """


def _env_float(name: str, default: float) -> float:
    """A float from the environment, or ``default`` when unset or not a number."""
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class StoreDamagedError(IndexNotBuiltError):
    """The embedded store's files cannot be read (e.g. a truncated ``chroma.sqlite3``).

    ``rag ingest --rebuild`` moves the damaged folder aside (never deleting it) and builds anew.
    """


class StoreUnreachableError(IndexUnavailableError):
    """The document store (a Chroma server) did not answer within the configured timeouts."""


def _unreachable_message(settings: Settings, exc: BaseException | None = None) -> str:
    import httpx

    why = _short_error(exc) if exc is not None else "no answer"
    if exc is None or isinstance(exc, httpx.TimeoutException):
        why += (f"; no answer within {settings.chroma_connect_timeout:g}s to connect / "
                f"{settings.chroma_read_timeout:g}s to reply")
    return (
        f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}: the document store is "
        f"unreachable ({why}). Is `chroma run` up, and are RAG_CHROMA_HOST/RAG_CHROMA_PORT"
        f"{'/RAG_CHROMA_TOKEN' if settings.chroma_token else ''} right?"
    )


def _server_url(settings: Settings) -> str:
    ssl = os.environ.get("RAG_CHROMA_SSL", "").strip().lower() in ("1", "true", "yes")  # TLS at a proxy
    return f"{'https' if ssl else 'http'}://{settings.chroma_host}:{settings.chroma_port}"


def server_heartbeat(settings: Settings) -> None:
    """Ask the Chroma server for its heartbeat within the configured timeouts.

    Raises :class:`StoreUnreachableError` when it does not answer (down, hung, wrong address).
    """
    import httpx

    timeout = httpx.Timeout(settings.chroma_read_timeout, connect=settings.chroma_connect_timeout)
    headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else {}
    try:
        httpx.get(_server_url(settings) + "/api/v2/heartbeat", timeout=timeout, headers=headers).raise_for_status()
    except Exception as exc:  # connect refused, timeout, HTTP error
        raise StoreUnreachableError(_unreachable_message(settings, exc)) from exc


def set_timeouts(client, settings: Settings) -> None:
    """Give an ``HttpClient``'s connection the settings' connect and read timeouts (chromadb sets none)."""
    import httpx

    server = getattr(client, "_server", None)
    session = getattr(server, "_session", None)
    if session is not None:
        session.timeout = httpx.Timeout(settings.chroma_read_timeout, connect=settings.chroma_connect_timeout)


def is_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the store could not be reached or did not answer in time."""
    import httpx

    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, (StoreUnreachableError, httpx.TransportError, ConnectionError, TimeoutError)):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def make_chroma_client(settings: Settings):
    """The Chroma client the settings ask for: a server over HTTP, or embedded on disk.

    With ``RAG_CHROMA_HOST`` set this is ``chromadb.HttpClient``; ``RAG_CHROMA_TOKEN``
    is sent as ``Authorization: Bearer <token>`` and ``RAG_CHROMA_SSL=1`` speaks https.
    The single-node ``chroma run`` of chromadb 1.x does not check tokens itself: put
    a reverse proxy that does in front of it (see docs/operations.md). Every request has
    the connect and read timeouts of ``RAG_CHROMA_CONNECT_TIMEOUT`` / ``RAG_CHROMA_READ_TIMEOUT``;
    an unreachable server raises :class:`StoreUnreachableError` with the address in the message.

    The embedded store is opened and probed: files it cannot read raise :class:`StoreDamagedError`.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        server_heartbeat(settings)  # chromadb's own first request has no timeout: a hung server would hang us
        headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
        ssl = _server_url(settings).startswith("https")
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, ssl=ssl, headers=headers, settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectError/HTTP errors here
            raise StoreUnreachableError(_unreachable_message(settings, exc)) from exc
        set_timeouts(client, settings)
        return client
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        client.list_collections()
        client.get_or_create_collection(META_COLLECTION, embedding_function=None).count()
    except PermissionError:
        raise
    except Exception as exc:  # chromadb.errors.InternalError: "database disk image is malformed", …
        forget_embedded(path)
        raise StoreDamagedError(
            f"The document store at {path} is damaged ({_short_error(exc)}). "
            "Run `rag ingest --rebuild`: it moves the damaged folder aside (nothing is deleted) and rebuilds the index."
        ) from exc
    return client


def forget_embedded(path: Path) -> None:
    """Drop chromadb's in-process cache of the embedded store at ``path`` (before it is moved or reopened)."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:  # pragma: no cover - another chromadb layout
        return
    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    getattr(SharedSystemClient, "_identifier_to_refcount", {}).pop(str(path), None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # a damaged store may not stop cleanly; it is dropped either way
            pass


def move_aside(path: Path) -> Path:
    """Rename a damaged store folder to ``<name>.damaged-<time>`` beside it (never deleting it); the new name."""
    import time

    forget_embedded(path)
    target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d%H%M%S')}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d%H%M%S')}-{n}")
    os.rename(path, target)
    return target


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text[:160]}" if text else exc.__class__.__name__
