"""The default engine: the e5 encoder exported to ONNX, run by ONNX Runtime (``RAG_ENGINE=onnx``).

No torch, no transformers: sentencepiece cuts the text into the pieces the prepared
folder's ``tokenizer.json`` defines (:mod:`rag.engine.pieces`), the word embeddings are read from a memory-mapped ``.npy``
(a question touches a few rows of the 384 MB matrix), and ONNX Runtime runs the
fused encoder graph, mean pooling and L2 normalisation included. The graphs and
the matrix are written by :func:`rag.engine.prepare.export_onnx` at set-up.

Questions run on a one-thread session, passages on a session with every core.
The fp32 graph (``RAG_ONNX_PRECISION=fp32``, the default) reproduces the reference
engine (cosine >= 0.9999), so an index embedded by either serves both. The int8
graph (``RAG_ONNX_PRECISION=int8``) is dynamically quantised in its feed-forward
layers (per-channel weights; attention stays fp32): its vectors are within cosine
0.99 of fp32, but fact recall fell by more than the half point the project allows.
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
from rag.settings import DEFAULT_MODEL_DIR

#: The longest input the model takes, in tokens (its position table).
MAX_TOKENS = 512


def session(path: Path, threads: int):
    """An ONNX Runtime CPU session of ``path`` with graph optimisation on and ``threads`` intra-op threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_encoder(sess, words: np.ndarray, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sentence vectors of a padded batch: token ``ids`` looked up in ``words``, then the graph."""
    return sess.run(None, {"inputs_embeds": np.asarray(words[ids], dtype=np.float32),
                           "attention_mask": mask})[0]


def token_batch(pieces: Pieces, texts: list[str], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of ``texts`` padded with ``pad`` to the longest, and the attention mask."""
    enc = pieces.encode(texts)
    width = max(len(e) for e in enc)
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
                 show_progress: bool = False) -> None:
        """Open the export in ``onnx_dir`` of the model folder ``model``.

        Raises:
            ModelNotPreparedError: the export is missing, stale or corrupt, or
                ``precision`` is not one it holds.
        """
        super().__init__(model, query_prompt, passage_prompt, batch_size, show_progress)
        if precision not in ONNX_FILES:
            raise ModelNotPreparedError(
                f"Unknown ONNX precision '{precision}'; choose one of {', '.join(ONNX_FILES)} (RAG_ONNX_PRECISION)."
            )
        self.onnx_dir = Path(onnx_dir)
        self.precision = precision
        self.engine = f"onnx-{precision}"
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
        # One session per thread count, made on first use: a question process holds only the
        # one-thread session, an ingest only the all-cores one (each holds its own weights).
        self._sessions: dict[int, object] = {}
        self._session_lock = threading.Lock()
        self.vectors = vectors_of(precision, self.onnx_dir)

    @property
    def dimension(self) -> int:
        """Length of the vectors (384 for multilingual-e5-small)."""
        return int(self._words.shape[1])

    def _session(self, threads: int):
        if threads not in self._sessions:
            with self._session_lock, _damaged_files(self.onnx_dir):
                if threads not in self._sessions:
                    self._sessions[threads] = session(self.onnx_dir / ONNX_FILES[self.precision], threads)
        return self._sessions[threads]

    def _encode(self, texts: list[str], threads: int) -> np.ndarray:
        ids, mask = token_batch(self._pieces, texts, self._pad)
        return run_encoder(self._session(threads), self._words, ids, mask)
