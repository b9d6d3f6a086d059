"""The default engine: the e5 encoder exported to ONNX (``RAG_ENGINE=onnx``).

No torch, no transformers: sentencepiece cuts the text into the pieces the prepared
folder's ``tokenizer.json`` defines (:mod:`rag.engine.pieces`), the word embeddings are
read from a memory-mapped ``.npy`` (a question touches a few rows of the 384 MB matrix),
and the fused encoder graph runs, mean pooling and L2 normalisation included. The graphs and
the matrix are written by :func:`rag.engine.prepare.export_onnx` at set-up.

Questions run on a one-thread ONNX Runtime session, passages on every core with
OpenVINO when it is installed (``RAG_ONNX_RUNTIME``; :mod:`rag.engine.runtimes`).
The fp32 graph (``RAG_ONNX_PRECISION=fp32``, the default) reproduces the reference
engine (cosine >= 0.9999), so an index embedded by either serves both. The int8
graph (``RAG_ONNX_PRECISION=int8``) is dynamically quantised in its feed-forward
layers (per-channel weights; attention stays fp32): its vectors are within cosine
0.99 of fp32, but fact recall fell by more than the half point the project allows.
``RAG_ONNX_QUERY_PRECISION=int8`` runs only the questions on it, over an index of fp32
vectors: ~1.7x faster per question on a CPU with int8 dot products (VNNI).
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rag.engine.base import REFERENCE_VECTORS, Embedder, ModelNotPreparedError
from rag.engine.pieces import Pieces
from rag.engine.prepare import ONNX_FILES, ONNX_MARKER_FILE, WORD_EMBEDDINGS_FILE, onnx_problem
from rag.engine.runtimes import load_graph, resolve
from rag.settings import DEFAULT_MODEL_DIR

#: The longest input the model takes, in tokens (its position table).
MAX_TOKENS = 512


def run_encoder(graph, words: np.ndarray, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sentence vectors of a padded batch: token ``ids`` looked up in ``words``, then the graph
    (an :class:`~rag.engine.runtimes.OrtGraph` or :class:`~rag.engine.runtimes.OpenVinoGraph`)."""
    return graph({"inputs_embeds": np.asarray(words[ids], dtype=np.float32), "attention_mask": mask})


def token_batch(pieces: Pieces, texts: list[str], pad: int, bucket: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of ``texts`` padded with ``pad`` to the longest, and the attention mask.

    With ``bucket`` the width is rounded up to one of a few sizes (steps of an eighth of its power
    of two, at least 8): a graph that keeps buffers per input shape (OpenVINO) then sees ~40 shapes
    over an ingest instead of hundreds, and holds less memory; masked padding leaves the vectors as
    they are.
    """
    enc = pieces.encode(texts)
    width = max(len(e) for e in enc)
    if bucket:
        step = max(8, (1 << (width.bit_length() - 1)) // 8)
        width = -(-width // step) * step
    ids = np.full((len(enc), width), pad, dtype=np.int64)
    mask = np.zeros((len(enc), width), dtype=np.int64)
    for row, e in enumerate(enc):
        ids[row, : len(e)] = e
        mask[row, : len(e)] = 1
    return ids, mask


def vectors_of(precision: str, onnx_dir: Path) -> str:
    """What an index records of vectors made at ``precision`` by the export in ``onnx_dir``.

    fp32 agrees with the reference engine to float rounding, so it shares its name; a
    quantised graph is named with its hash, so that a new export re-embeds the index.
    """
    if precision == "fp32":
        return REFERENCE_VECTORS
    try:
        marker = json.loads((Path(onnx_dir) / ONNX_MARKER_FILE).read_text(encoding="utf-8"))
        return f"onnx-{precision}:{marker['files'][ONNX_FILES[precision]]['sha256'][:12]}"
    except (OSError, ValueError, KeyError, TypeError):
        return f"onnx-{precision}"


def _forget_pages(words: np.ndarray) -> None:
    """Drop the memory-mapped word matrix's pages from this process's resident set.

    An ingest touches rows all over the 384 MB matrix; the pages stay in the system's file
    cache (reading them again is cheap) but no longer count against the process.
    """
    import mmap

    held = getattr(words, "_mmap", None)
    if held is not None and hasattr(mmap, "MADV_DONTNEED"):
        try:
            held.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):
            pass


@contextmanager
def _damaged_files(onnx_dir: Path):
    """Turn a failure to read the export (a file of the right size, damaged content) into a clear error."""
    try:
        yield
    except Exception as exc:
        raise ModelNotPreparedError(
            f"The ONNX model files in {onnx_dir} are corrupt ({exc.__class__.__name__}). "
            "Rebuild them with `rag model prepare` (or `make setup`)."
        ) from exc


class OnnxEmbedder(Embedder):
    """multilingual-e5-small through ONNX Runtime (the default engine).

    Questions are encoded concurrently (an ONNX Runtime session runs calls side by
    side, each on its one thread), so two answer workers use both cores.
    """

    concurrent_queries = True

    def __init__(self, onnx_dir: Path, model: str = str(DEFAULT_MODEL_DIR), precision: str = "fp32",
                 query_prompt: str = "query: ", passage_prompt: str = "passage: ", batch_size: int = 16,
                 show_progress: bool = False, runtime: str = "auto", query_precision: str | None = None) -> None:
        """Open the export in ``onnx_dir`` of the model folder ``model``, to run on ``runtime``
        (``auto``: OpenVINO when installed, else ONNX Runtime; see :mod:`rag.engine.runtimes`).

        Raises:
            ModelNotPreparedError: the export is missing, stale or corrupt, or
                ``precision`` is not one it holds.
        """
        super().__init__(model, query_prompt, passage_prompt, batch_size, show_progress)
        query_precision = query_precision or precision
        for asked, setting in ((precision, "RAG_ONNX_PRECISION"), (query_precision, "RAG_ONNX_QUERY_PRECISION")):
            if asked not in ONNX_FILES:
                raise ModelNotPreparedError(
                    f"Unknown ONNX precision '{asked}'; choose one of {', '.join(ONNX_FILES)} ({setting})."
                )
        self.onnx_dir = Path(onnx_dir)
        self.precision = precision
        self.query_precision = query_precision
        self.engine = f"onnx-{precision}"
        resolve(runtime)  # an unknown name fails here
        self.runtime = runtime
        problem = onnx_problem(self.onnx_dir, Path(model))
        if problem:
            raise ModelNotPreparedError(
                f"The ONNX model files are not ready: {problem}. Rebuild them with `rag model prepare` "
                "(or `make setup`)."
            )
        with _damaged_files(self.onnx_dir):
            self._pieces = Pieces(self.onnx_dir, MAX_TOKENS)
            self._words = np.load(self.onnx_dir / WORD_EMBEDDINGS_FILE, mmap_mode="r")
        self._pad = self._pieces.pad
        # One graph per path, made on first use: a question process holds only the one-thread
        # graph, an ingest only the all-cores one (each holds its own weights).
        self._sessions: dict[tuple[int, bool], object] = {}
        self._session_lock = threading.Lock()
        self.vectors = vectors_of(precision, self.onnx_dir)

    @property
    def dimension(self) -> int:
        """Length of the vectors (384 for multilingual-e5-small)."""
        return int(self._words.shape[1])

    def runtime_for(self, passages: bool) -> str:
        """What runs the graph for passages (an ingest) or for questions.

        ``auto`` runs passages on OpenVINO (when installed: about twice ONNX Runtime's rate over
        batches) and questions on ONNX Runtime, whose one-thread session takes ~90 MB less memory
        for a serving process (OpenVINO's per question: ~9.5 against ~13 ms).
        """
        if self.runtime != "auto":
            return self.runtime
        return resolve("auto") if passages else "onnxruntime"

    def _session(self, threads: int, passages: bool = False):
        key = (threads, passages)
        if key not in self._sessions:
            with self._session_lock, _damaged_files(self.onnx_dir):
                if key not in self._sessions:
                    graph = ONNX_FILES[self.precision if passages else self.query_precision]
                    self._sessions[key] = load_graph(self.onnx_dir / graph, threads,
                                                     self.runtime_for(passages))
        return self._sessions[key]

    def release_passages(self) -> None:
        """Drop the passages' graph (~300 MB with OpenVINO) and hand the freed memory back to the system."""
        with self._session_lock:
            dropped = [self._sessions.pop(key) for key in [k for k in self._sessions if k[1]]]
        if dropped:
            del dropped
            from rag.memory import release_free_memory

            release_free_memory()

    def _encode(self, texts: list[str], threads: int, passages: bool = False) -> np.ndarray:
        ids, mask = token_batch(self._pieces, texts, self._pad, bucket=passages)
        vectors = run_encoder(self._session(threads, passages), self._words, ids, mask)
        if passages:
            _forget_pages(self._words)
        return vectors
