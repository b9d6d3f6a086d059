"""The one declared interface of an embedding engine, and what every engine shares.

Two engines implement :class:`Embedder`: :class:`rag.engine.onnx.OnnxEmbedder`
(ONNX Runtime, the default: no torch, a fraction of the memory) and
:class:`rag.engine.embedding.SentenceTransformerEmbedder` (sentence-transformers
on torch, the reference the ONNX export is checked against). The index, the
retriever, the evaluation's baselines and the benchmarks use only this interface.
"""

from __future__ import annotations

import os
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import nullcontext

import numpy as np

# The Rust tokenizer's own thread pool would compete with the engine's threads on
# a 2-core machine, and it warns noisily after a fork (Gradio, uvicorn workers).
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

#: What the vectors of the reference path are called in an index manifest. An
#: engine whose vectors agree with the reference to float rounding (ONNX fp32)
#: reports the same; an index records it and is re-embedded when it changes.
REFERENCE_VECTORS = "fp32"


class ModelNotPreparedError(RuntimeError):
    """The configured embedding model files do not exist (or are incomplete or corrupt).

    Raised instead of letting a library try (and fail) to reach a model hub, or
    crash on a half-written file; the message says how to rebuild them.
    """


def usable_cores() -> int:
    """Cores this process may run on (honours CPU pinning and cgroup cpusets)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ingest_threads() -> int:
    """Threads for embedding passages: ``OMP_NUM_THREADS`` when set, else every usable core."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        return usable_cores()


class Embedder(ABC):
    """An e5 embedding engine: questions and passages in, L2-normalised float32 vectors out.

    Subclasses provide :meth:`_encode` (prefixed texts of one batch to vectors)
    and :attr:`dimension`; this class adds e5's ``query: `` / ``passage: ``
    prefixes, batching by length, the progress bar, and the methods of LangChain's
    ``Embeddings`` (``embed_documents`` embeds passages, ``embed_query`` a
    question; :func:`as_langchain` declares it one, without LangChain's import
    cost on the question path). A dot product of two vectors is their cosine similarity.

    Attributes:
        name: The model (the prepared folder's path).
        engine: Which engine and precision computes the vectors, e.g. ``onnx-int8``.
        vectors: Which vectors it makes; two engines with the same value may share
            an index (see :data:`REFERENCE_VECTORS`).
    """

    name: str
    engine: str
    vectors: str
    #: Whether one-thread encodes (questions) may run concurrently on this engine.
    concurrent_queries: bool = False

    def __init__(self, name: str, query_prompt: str = "query: ", passage_prompt: str = "passage: ",
                 batch_size: int = 16, show_progress: bool = False) -> None:
        """Record the prompts and batch size; subclasses load their model."""
        self.name = str(name)
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.batch_size = max(1, int(batch_size))
        self.show_progress = show_progress
        # One multi-core encode at a time: each already uses every core it was given,
        # and concurrent calls would only oversubscribe the machine. One-thread question
        # encodes may run side by side where the engine allows it (one per core).
        self._lock = threading.Lock()

    # ------------------------------------------------------------ to implement
    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of the vectors (384 for multilingual-e5-small)."""

    @abstractmethod
    def _encode(self, texts: list[str], threads: int, passages: bool = False) -> np.ndarray:
        """Vectors of ``texts`` (prefixes already applied), one batch, on ``threads`` threads;
        ``passages`` says the batch is of passages (an ingest), not of questions."""

    # ---------------------------------------------------------------- the API
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the query prompt; float32 array of shape ``(n, dimension)``.

        One thread: a question is a few dozen tokens, and two threads on a busy
        2-core machine (other requests, an ingest) wait on each other at every layer.
        """
        return self._embed(texts, self.query_prompt, False, threads=1, passages=False)

    def embed_passages(self, texts: Sequence[str], show_progress: bool | None = None) -> np.ndarray:
        """Embed passages with the passage prompt, on every core; float32 ``(n, dimension)``.

        Texts are embedded in batches of similar length (little padding), and
        the vectors returned in the order of ``texts``. ``show_progress`` draws a
        bar on stderr with the rate in texts/s and the time left.
        """
        show = self.show_progress if show_progress is None else show_progress
        return self._embed(texts, self.passage_prompt, show, threads=ingest_threads(), passages=True)

    def release_passages(self) -> None:
        """Free what embedding passages loaded (a graph on every core): a long-running process, such as
        the app after an upload, keeps only what questions need. The next ingest loads it again."""

    # LangChain's Embeddings (Chroma's LangChain store and the baselines call these).
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain: embed passages (passage prompt) as lists of floats."""
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain: embed one question (query prompt) as a list of floats."""
        return self.embed_queries([text])[0].tolist()

    # ---------------------------------------------------------------- helpers
    def _embed(self, texts: Sequence[str], prompt: str, show_progress: bool, threads: int,
               passages: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("Pass a list of strings, not a single string.")
        texts = [prompt + t for t in texts]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        # Longest first: the slowest batches come first, so the rate shown settles early.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        bar = progress_bar(len(texts), "embedding", show_progress)
        with nullcontext() if threads == 1 and self.concurrent_queries else self._lock:
            for rows in self._batches(order, [len(t) for t in texts], similar=threads == 1):
                out[rows] = self._encode([texts[i] for i in rows], threads, passages)
                bar.update(len(rows))
        bar.close()
        return out

    #: Characters a batch may hold, counting every row at its longest text's length: long passages
    #: go eight at a time (as fast per text as sixteen, with half the working memory), sentences
    #: ``batch_size`` at a time.
    BATCH_CHARS = 4000

    def _batches(self, order: list[int], lengths: list[int], similar: bool) -> Iterator[list[int]]:
        """Rows of ``order`` (longest first) in batches of ``batch_size`` and :data:`BATCH_CHARS`. With
        ``similar``, a batch also ends where a text is under 80 % of its first text's length: a question's
        short variants are not padded to its long English form (padding is computed like any token)."""
        batch: list[int] = []
        for i in order:
            if batch and (len(batch) == self.batch_size or (len(batch) + 1) * lengths[batch[0]] > self.BATCH_CHARS
                          or (similar and lengths[i] < 0.8 * lengths[batch[0]])):
                yield batch
                batch = []
            batch.append(i)
        if batch:
            yield batch

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, engine={self.engine!r}, dimension={self.dimension})"


def as_langchain(embedder: Embedder):
    """``embedder`` as a LangChain ``Embeddings`` (for LangChain's vector stores); it already has the methods."""
    from langchain_core.embeddings import Embeddings

    Embeddings.register(type(embedder))
    return embedder


def progress_bar(total: int, desc: str, enabled: bool, unit: str = "text"):
    """A tqdm bar on stderr with rate (``unit``/s) and time left; a no-op when not ``enabled``."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, smoothing=0.1, dynamic_ncols=True)


class _NoBar:
    """Stands in for a disabled bar without importing tqdm."""

    def update(self, n: int = 1) -> None:
        """Nothing to draw."""

    def close(self) -> None:
        """Nothing to close."""

