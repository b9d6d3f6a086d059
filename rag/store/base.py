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
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def make_chroma_client(settings: Settings):
    """The Chroma client the settings ask for: a server over HTTP, or embedded on disk.

    With ``RAG_CHROMA_HOST`` set this is ``chromadb.HttpClient``; ``RAG_CHROMA_TOKEN``
    is sent as ``Authorization: Bearer <token>`` and ``RAG_CHROMA_SSL=1`` speaks https.
    The single-node ``chroma run`` of chromadb 1.x does not check tokens itself: put
    a reverse proxy that does in front of it (see docs/operations.md). An unreachable server raises
    :class:`IndexUnavailableError` with the address in the message.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
        ssl = os.environ.get("RAG_CHROMA_SSL", "").strip().lower() in ("1", "true", "yes")  # TLS at a proxy
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, ssl=ssl, headers=headers, settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectError/HTTP errors here
            raise IndexUnavailableError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                f"({_short_error(exc)}). Is `chroma run` up, and are RAG_CHROMA_HOST/RAG_CHROMA_PORT"
                f"{'/RAG_CHROMA_TOKEN' if settings.chroma_token else ''} right?"
            ) from exc
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text[:160]}" if text else exc.__class__.__name__
