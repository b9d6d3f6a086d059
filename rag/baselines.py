"""The pipelines people build instead of ours, as evaluation systems.

``make_system(name, assistant, k)`` returns a function ``EvalQuestion → result
dict`` in the shape of the evaluation contract (``answer``, ``abstained``,
``citations``, ``retrieved``, ``latency_ms``), so every system is scored by the
same code on the same questions. All systems use the same embedding model
(``assistant.index.embedder``) and the same documents (the files of the
assistant's corpus folder that its index holds, read by :mod:`rag.loaders` and
cleaned by :mod:`rag.cleaning`).

``naive``
    The LangChain RAG tutorial: ``RecursiveCharacterTextSplitter(chunk_size=1000,
    chunk_overlap=200, add_start_index=True)`` over each document's text, a
    LangChain ``Chroma`` store, ``similarity_search`` top-k; the answer is the top
    chunk, cited as ``[1]``. It never abstains.
``chatchat``
    Langchain-Chatchat's defaults: its ``ChineseRecursiveTextSplitter`` rules
    (separators ``\\n\\n``, ``\\n``, 。！？, ；, ， as regexes, separator kept at the end
    of the piece, chunk 250 / overlap 50), a BM25 retriever over
    ``jieba.lcut_for_search`` tokens (``rank_bm25.BM25Okapi`` scoring, as
    LangChain's ``BM25Retriever``) and a vector retriever, each top 3, fused by
    LangChain's ``EnsembleRetriever`` rule (weighted reciprocal rank fusion,
    weights 0.5/0.5, c = 60, duplicates collapsed by content), cut to top 3; the
    answer is the top chunk, cited. It never abstains. The cleaned text has ASCII
    ``, ; ! ?`` where the web page had full-width ones, so each separator matches
    both forms.
``bm25`` / ``dense``
    Each half of our own retrieval alone (``Retriever(use_dense=False)`` /
    ``Retriever(use_keyword=False)``) with our answerer, evidence gate included:
    they are ablations of ``ours``, so the only difference is retrieval. (The
    gate's similarity floor reads each hit's cosine; for BM25 hits it is looked
    up after ranking, without changing the BM25 order.)

Baseline stores live in an in-memory (ephemeral) Chroma client and are built
once per process and model; nothing is written to the product's index.
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

SYSTEMS = ("naive", "chatchat", "bm25", "dense")
DESCRIPTIONS = {
    "ours": "the product as configured: structure-aware passages, dense + BM25 fused by RRF, extractive cited answer with an evidence gate",
    "naive": "LangChain tutorial: RecursiveCharacterTextSplitter(1000, 200), Chroma top-k similarity, answer = top chunk, cited; never abstains",
    "chatchat": "Langchain-Chatchat defaults: Chinese recursive splitter (250/50), BM25 (jieba lcut_for_search) + vector, weighted RRF 0.5/0.5, top 3, answer = top chunk, cited; never abstains",
    "bm25": "our BM25 half alone (no dense ranking) with our answerer and evidence gate",
    "dense": "our dense half alone (no BM25 ranking) with our answerer and evidence gate",
}

# Langchain-Chatchat's ChineseRecursiveTextSplitter separators, each also matching
# the ASCII form that NFKC cleaning leaves in the text.
CHATCHAT_SEPARATORS = ["\n\n", "\n", "。|！|？|!|\\?", "；|;", "，|,"]


class UnknownSystemError(ValueError):
    """A system name that is not one of :data:`SYSTEMS` (or ``ours``)."""


# ------------------------------------------------------------------ the corpus


@dataclass(frozen=True)
class SourceText:
    """One document as a baseline sees it: plain text with its title."""

    doc_id: str
    title: str
    text: str


def corpus_texts(assistant) -> list[SourceText]:
    """The plain text of every document the assistant's index holds.

    Files are read from the corpus folder with :mod:`rag.loaders` and cleaned with
    :mod:`rag.cleaning`; the publication lines (索引号, 发文日期…) that cleaning sets
    aside are put back in front, as they are on the page a tutorial user would load.
    """
    from rag.cleaning import clean_document
    from rag.loaders import SUPPORTED_SUFFIXES, DocumentError, doc_id_for, load_document

    folder = Path(assistant.settings.corpus_dir)
    manifest = getattr(assistant.index, "manifest", None)
    wanted = set(manifest.documents) if manifest is not None and manifest.documents else None
    out: list[SourceText] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES):
        if wanted is not None and doc_id_for(path) not in wanted:
            continue
        try:
            clean = clean_document(load_document(path))
        except DocumentError:
            continue
        head = "\n".join([clean.title, *clean.metadata]) if clean.title else "\n".join(clean.metadata)
        text = f"{head}\n\n{clean.text}" if head else clean.text
        out.append(SourceText(clean.doc_id, clean.title, text))
    if not out:
        raise FileNotFoundError(f"no documents for the baselines in {folder}")
    return out


# ------------------------------------------------------------------ building blocks


def tutorial_splitter():
    """The LangChain tutorial's splitter."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)


def chatchat_splitter():
    """Langchain-Chatchat's ChineseRecursiveTextSplitter rules at its defaults (250 / 50)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        separators=CHATCHAT_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=250,
        chunk_overlap=50,
        add_start_index=True,
    )


def split_corpus(texts: list[SourceText], splitter, collapse_newlines: bool = False):
    """LangChain ``Document`` chunks with ``doc_id``, ``title``, ``start_index`` and ``chunk`` metadata."""
    from langchain_core.documents import Document

    docs = [Document(page_content=t.text, metadata={"doc_id": t.doc_id, "title": t.title}) for t in texts]
    chunks = splitter.split_documents(docs)
    counters: Counter = Counter()
    for c in chunks:
        if collapse_newlines:  # Chatchat post-processes each chunk this way
            c.page_content = re.sub(r"\n{2,}", "\n", c.page_content.strip())
        counters[c.metadata["doc_id"]] += 1
        c.metadata["chunk"] = counters[c.metadata["doc_id"]]
    return [c for c in chunks if c.page_content.strip()]


def chunk_locator(doc) -> str:
    """A baseline's locator: what a fixed-size chunker knows — title, chunk number, offset."""
    m = doc.metadata
    return f"{m.get('title') or m.get('doc_id')} › 第{m.get('chunk', '?')}块（第{m.get('start_index', 0)}字起）"


class BM25Okapi:
    """Okapi BM25 exactly as ``rank_bm25.BM25Okapi`` scores (k1 1.5, b 0.75, ε 0.25).

    LangChain's ``BM25Retriever`` (used by Chatchat) wraps that class; it is
    re-implemented here so the baseline needs no extra package.
    """

    def __init__(self, corpus: list[list[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.doc_freqs = [Counter(doc) for doc in corpus]
        self.doc_len = np.array([len(doc) for doc in corpus], dtype=float)
        self.avgdl = float(self.doc_len.mean()) if len(corpus) else 0.0
        n_docs = len(corpus)
        nd: Counter = Counter()
        for freqs in self.doc_freqs:
            nd.update(freqs.keys())
        idf: dict[str, float] = {}
        negative = []
        for word, freq in nd.items():
            idf[word] = math.log(n_docs - freq + 0.5) - math.log(freq + 0.5)
            if idf[word] < 0:
                negative.append(word)
        average_idf = sum(idf.values()) / len(idf) if idf else 0.0
        eps = self.epsilon * average_idf
        for word in negative:
            idf[word] = eps
        self.idf = idf

    def get_scores(self, query: list[str]) -> np.ndarray:
        score = np.zeros(len(self.doc_freqs))
        norm = self.k1 * (1 - self.b + self.b * self.doc_len / self.avgdl) if self.avgdl else np.ones(len(self.doc_freqs))
        for q in query:
            q_freq = np.array([doc.get(q) or 0 for doc in self.doc_freqs], dtype=float)
            score += (self.idf.get(q) or 0) * (q_freq * (self.k1 + 1) / (q_freq + norm))
        return score


def jieba_search_tokens(text: str) -> list[str]:
    """Chatchat's BM25 preprocessing: ``jieba.lcut_for_search``, nothing else."""
    from rag.keyword import _jieba

    return _jieba().lcut_for_search(text)


def weighted_rrf(doc_lists: list[list], weights: list[float], c: int = 60) -> list[tuple[object, float]]:
    """LangChain ``EnsembleRetriever.weighted_reciprocal_rank``: Σ w / (rank + c), keyed by page content.

    Returns (document, score) pairs, best first; a document found by several
    retrievers appears once, as its first occurrence, with the summed score.
    """
    if len(doc_lists) != len(weights):
        raise ValueError("Number of rank lists must be equal to the number of weights.")
    score: dict[str, float] = defaultdict(float)
    for docs, weight in zip(doc_lists, weights):
        for rank, doc in enumerate(docs, start=1):
            score[doc.page_content] += weight / (rank + c)
    seen: set[str] = set()
    unique = []
    for docs in doc_lists:
        for doc in docs:
            if doc.page_content not in seen:
                seen.add(doc.page_content)
                unique.append(doc)
    unique.sort(key=lambda d: score[d.page_content], reverse=True)  # stable, like sorted(..., reverse=True)
    return [(d, score[d.page_content]) for d in unique]


def _ephemeral_store(embedder, docs, name: str):
    """A LangChain ``Chroma`` store in an in-memory client holding ``docs`` (cosine space)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    from rag.engine.base import as_langchain

    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(
        collection_name=f"baseline-{name}-{uuid.uuid4().hex[:8]}",
        embedding_function=as_langchain(embedder),
        client=client,
        collection_metadata={"hnsw:space": "cosine"},
    )
    store.add_documents(docs, ids=[f"{name}-{i}" for i in range(len(docs))])
    return store


def _chunk_dict(doc, score: float | None = None) -> dict:
    d = {"doc": doc.metadata.get("doc_id"), "locator": chunk_locator(doc), "text": doc.page_content}
    if score is not None:
        d["score"] = round(float(score), 6)
    return d


def _top_passage_answer(question: str, ranked: list[tuple[object, float]], k: int, started: float) -> dict:
    """Answer = the top chunk, cited as [1]; never abstains."""
    from rag.keyword import is_chinese

    retrieved = [_chunk_dict(doc, score) for doc, score in ranked[:k]]
    if not ranked:
        return {"answer": "", "abstained": False, "citations": [], "retrieved": [], "latency_ms": 0.0}
    top = ranked[0][0]
    lead = "" if is_chinese(question) else "According to the documents:\n"
    return {
        "answer": f"{lead}{top.page_content}[1]",
        "abstained": False,
        "citations": [{"n": 1, **_chunk_dict(top)}],
        "retrieved": retrieved,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        "mode": "top-passage",
    }


# ------------------------------------------------------------------ the systems


class NaiveRAG:
    """The LangChain tutorial pipeline (see the module doc)."""

    name = "naive"

    def __init__(self, embedder, texts: list[SourceText]) -> None:
        self.chunks = split_corpus(texts, tutorial_splitter())
        self.store = _ephemeral_store(embedder, self.chunks, self.name)

    def search(self, question: str, k: int) -> list[tuple[object, float]]:
        hits = self.store.similarity_search_with_score(question, k=k)
        return [(doc, 1.0 - dist) for doc, dist in hits]  # cosine distance → similarity

    def __call__(self, q, k: int) -> dict:
        started = time.perf_counter()
        return _top_passage_answer(q.question, self.search(q.question, k), k, started)


class ChatchatRAG:
    """Langchain-Chatchat's default knowledge-base chat, retrieval part (see the module doc)."""

    name = "chatchat"
    top_k = 3
    weights = (0.5, 0.5)

    def __init__(self, embedder, texts: list[SourceText]) -> None:
        self.chunks = split_corpus(texts, chatchat_splitter(), collapse_newlines=True)
        self.store = _ephemeral_store(embedder, self.chunks, self.name)
        self.bm25 = BM25Okapi([jieba_search_tokens(c.page_content) for c in self.chunks])

    def bm25_search(self, question: str, n: int) -> list:
        scores = self.bm25.get_scores(jieba_search_tokens(question))
        order = np.argsort(scores)[::-1][:n]  # rank_bm25.get_top_n
        return [self.chunks[i] for i in order]

    def vector_search(self, question: str, n: int) -> list:
        return self.store.similarity_search(question, k=n)

    def search(self, question: str) -> list[tuple[object, float]]:
        fused = weighted_rrf(
            [self.bm25_search(question, self.top_k), self.vector_search(question, self.top_k)], list(self.weights)
        )
        return fused[: self.top_k]

    def __call__(self, q, k: int) -> dict:
        started = time.perf_counter()
        return _top_passage_answer(q.question, self.search(q.question), self.top_k, started)


def half_system(assistant, use_dense: bool, use_keyword: bool, k: int) -> Callable:
    """One half of our retrieval with our answerer and gate, as an evaluation system."""
    from rag.pipeline import QuestionError, Result, clean_question
    from rag.retrieval import Retriever
    from rag.keyword import is_chinese

    retriever = Retriever(assistant.index, assistant.settings, use_dense=use_dense, use_keyword=use_keyword)

    def answer(q) -> dict:
        started = time.perf_counter()
        try:
            text, notices = clean_question(q.question)
        except QuestionError as exc:
            return {"answer": str(exc), "abstained": True, "citations": [], "retrieved": [], "latency_ms": 0.0}
        retrieval = retriever.retrieve(text, k=k)
        t = time.perf_counter()
        ans = assistant.answer(text, retrieval, k)  # the same answering step as ours
        timings = dict(retrieval.timings)
        timings["answer"] = (time.perf_counter() - t) * 1000
        result = Result(
            id=q.id,
            question=text,
            answer=ans,
            retrieved=retrieval.hits[:k],
            latency_ms=(time.perf_counter() - started) * 1000,
            timings=timings,
            lang="zh" if is_chinese(text) else "en",
            notices=notices,
        )
        return result.to_dict()

    return answer


_cache: dict[tuple, object] = {}
_cache_lock = threading.Lock()


def _built(cls, assistant):
    """Build a chunk-based baseline once per (class, model, corpus folder, indexed documents)."""
    manifest = getattr(assistant.index, "manifest", None)
    docs = tuple(sorted((d, i.content_sha256) for d, i in manifest.documents.items())) if manifest else ()
    key = (cls.__name__, assistant.settings.model, str(assistant.settings.corpus_dir), docs)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = cls(assistant.index.embedder, corpus_texts(assistant))
        return _cache[key]


def make_system(name: str, assistant, k: int) -> Callable:
    """The evaluation system called ``name``: a function ``EvalQuestion → result dict``."""
    if name == "naive":
        system = _built(NaiveRAG, assistant)
        return lambda q: system(q, k)
    if name == "chatchat":
        system = _built(ChatchatRAG, assistant)
        return lambda q: system(q, k)
    if name == "bm25":
        return half_system(assistant, use_dense=False, use_keyword=True, k=k)
    if name == "dense":
        return half_system(assistant, use_dense=True, use_keyword=False, k=k)
    raise UnknownSystemError(f"unknown system '{name}'; known: ours, {', '.join(SYSTEMS)}")
