"""Step 4: passages → the index (Chroma vectors + BM25 keywords), and its lifecycle.

One :class:`Index` owns everything that is stored: passage vectors and sentence
vectors in Chroma (through LangChain's ``Chroma`` store), the BM25 keyword
index, each document's clean text for the source viewer, and a manifest of
what is indexed.

Updates are atomic. Every ingest writes a new *generation* — fresh Chroma
collections, with unchanged documents' rows copied over (no re-embedding) and
changed ones embedded anew — and only at the end publishes it by replacing
one manifest record. A run that dies part-way (killed, disk full, a bad file)
leaves the previous generation published and answering. One writer at a time
is enforced by a lock — a lock file in the index folder for the embedded store,
a lease record in the ``rag-meta`` collection when several hosts share one
Chroma server — and readers never wait.

Chroma is the source of truth. The BM25 keyword index is a per-host cache
under ``index_dir/keyword/<generation>``: rebuilt from the passages stored in
Chroma when it is missing or out of step, so app processes on several hosts
behind one Chroma server answer alike.

Integrity: the manifest has a schema and a checksum (:mod:`rag.store.manifest`) and each published
generation keeps its own copy, so a damaged or dangling published record falls back to the newest
complete generation (:meth:`Index.resolve`); a generation is verified before it is published; an
ingest that publishes nothing removes only never-published (orphan) generations; a damaged embedded
store is moved aside by :meth:`Index.rebuild`, never deleted.

The lifecycle mirrors txtai's: :meth:`Index.ingest` (sync with a folder),
:meth:`Index.upsert` (add or replace files), :meth:`Index.delete`,
:meth:`Index.load` (open the published generation).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import logging
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from rag.cleaning import CleanDocument, clean_document
from rag.keyword import TOKENIZER as KEYWORD_TOKENIZER
from rag.keyword import KeywordIndex
from rag.documents import DocumentRecord, build_record
from rag.engine.base import REFERENCE_VECTORS
from rag.loaders import SUPPORTED_SUFFIXES, DocumentError, doc_id_for, file_sha256, load_document
from rag.passages import Passage, answer_sentences, build_passages
from rag.settings import Settings
from rag.store.base import (
    LOCK_ID, MANIFEST_ID, META_COLLECTION, _META_VECTOR, IndexBusyError, IndexNotBuiltError,
    IndexUnavailableError, StoreDamagedError, StoreUnreachableError, _env_float, _short_error, is_unreachable,
    make_chroma_client, move_aside,
)
from rag.store.lease import _ServerWriterLock, _WriterLock
from rag.store.manifest import DocumentInfo, Manifest, ManifestError, _model_id, passage_format

GENERATION_PREFIX = "manifest:"  # each published generation's own manifest record: "manifest:<generation>"

log = logging.getLogger("rag.index")


@dataclass
class IngestReport:
    """What an ingest did, for the CLI, the app and the logs."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # file name → message
    notes: dict[str, str] = field(default_factory=dict)  # file name → how OCR read it (pages, low confidence)
    passages: int = 0
    seconds: float = 0.0
    generation: str = ""
    repairs: list[str] = field(default_factory=list)  # what was found damaged and put right

    @property
    def changed(self) -> bool:
        """True when documents were added, updated or deleted."""
        return bool(self.added or self.updated or self.deleted)

    def summary(self) -> str:
        """The report as the CLI prints it: counts, then one line per skipped file and per repair."""
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.deleted)} deleted",
            f"{len(self.unchanged)} unchanged",
            f"{self.passages} passages",
            f"{self.seconds:.1f}s",
        ]
        text = "Index: " + ", ".join(parts)
        for note in self.repairs:
            text += f"\n  repaired: {note}"
        for name, note in self.notes.items():
            text += f"\n  {name}: {note}"
        for name, message in self.errors.items():
            text += f"\n  skipped {name}: {message}"
        return text


@dataclass
class SentenceVectors:
    """Precomputed sentence vectors of some passages (for extractive answers)."""

    passage_ids: list[str]
    sentences: list[str]
    vectors: np.ndarray

    def keys(self) -> list[tuple[str, int]]:
        """Each row's (passage id, the sentence's position in its passage)."""
        seen: dict[str, int] = {}
        out = []
        for pid in self.passage_ids:
            out.append((pid, seen.get(pid, 0)))
            seen[pid] = seen.get(pid, 0) + 1
        return out


@dataclass
class Resolution:
    """What the published manifest record says, and which generation answers.

    ``manifest`` is the generation that answers: the published one when it is valid and complete,
    else the newest complete generation (``problem`` says why the published record was passed over);
    None when no complete generation exists.
    """

    manifest: Manifest | None
    pointer: str | None  # the generation the published record names (None: absent or unreadable)
    problem: str = ""  # "" when the published record is valid and its generation complete

    @property
    def fell_back(self) -> bool:
        """True when the answering generation is not the published record's (or that record is damaged)."""
        return bool(self.problem)


class Index:
    """The searchable store of passages; see the module doc for its lifecycle."""

    # Seconds a second writer waits for the first before giving up (RAG_INGEST_LOCK_TIMEOUT).
    lock_timeout: float = _env_float("RAG_INGEST_LOCK_TIMEOUT", 600.0)

    def __init__(self, settings: Settings, embedder=None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._client = None
        self._meta_col = None
        self.manifest: Manifest | None = None
        self.passages: dict[str, Passage] = {}
        self.keyword: KeywordIndex | None = None
        self._passage_store = None
        self._sentence_store = None
        self._doc_passages: dict[str, list[str]] = {}
        self._exact: dict[str, _ExactVectors | None] = {}
        self._counts: dict[str, int] = {}
        self._pointer: str | None = None  # the published record's generation when this one was loaded

    # ------------------------------------------------------------------ plumbing
    @property
    def embedder(self):
        """The embedding model, loaded on first use and shared per process."""
        if self._embedder is None:
            from rag.engine import get_embedder

            self._embedder = get_embedder(settings=self.settings)
        return self._embedder

    def vectors(self) -> str:
        """Which vectors this index's engine makes (see rag.engine.base), without loading a model
        unless one was handed in."""
        if self._embedder is not None:
            return self._embedder.vectors
        from rag.engine import vectors_for

        return vectors_for(self.settings)

    def engine_mismatch(self) -> str | None:
        """A sentence when the published vectors were made by an engine whose vectors differ from
        this one's (the next ingest re-embeds them); None when they agree or nothing is published."""
        m = self.manifest or self.read_manifest()
        if m is None or m.vectors == self.vectors():
            return None
        return (f"the index was embedded by {m.engine or 'sentence-transformers'} ({m.vectors} vectors), "
                f"this engine makes {self.vectors()} vectors; `rag ingest` re-embeds it")

    @property
    def client(self):
        """The Chroma client (made on first use; see :func:`rag.store.base.make_chroma_client`)."""
        if self._client is None:
            self._client = make_chroma_client(self.settings)
        return self._client

    @property
    def server_mode(self) -> bool:
        """True when the index lives in a Chroma server rather than on local disk."""
        return bool(self.settings.chroma_host)

    def writer_lock(self, timeout: float | None = None, announce: bool = False):
        """The lock that makes this process the only writer (see the module doc)."""
        timeout = self.lock_timeout if timeout is None else timeout
        if self.server_mode:
            return _ServerWriterLock(self.settings, timeout, announce=announce)
        return _WriterLock(self.settings.index_dir, timeout, announce=announce)

    def writer(self) -> str | None:
        """Who is writing the index right now, or None (for ``rag doctor``)."""
        if self.server_mode:
            from rag.store.lease import holder_is_dead

            got = self._meta().get(ids=[LOCK_ID], include=["metadatas"])
            record = (got["metadatas"][0] or {}) if got["ids"] else {}
            if record and float(record.get("expires", 0)) >= time.time() and not holder_is_dead(record):
                return str(record.get("holder", "another process"))
            return None
        from filelock import FileLock, Timeout

        folder = self.settings.index_dir
        if not (folder / "ingest.lock").exists():
            return None
        probe = FileLock(str(folder / "ingest.lock"))
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return _WriterLock(folder, 0).holder()
        probe.release()
        return None

    def stale_writer(self) -> str | None:
        """Who last held the writer lock or lease and died without releasing it (killed, crashed), or None.

        Such a lock is harmless for the embedded store (the operating system released it) and is taken
        over by the next ingest in server mode (at once on the same host, after its expiry elsewhere).
        """
        if self.server_mode:
            from rag.store.lease import holder_is_dead

            got = self._meta().get(ids=[LOCK_ID], include=["metadatas"])
            if got["ids"]:
                record = got["metadatas"][0] or {}
                if float(record.get("expires", 0)) < time.time() or holder_is_dead(record):
                    return str(record.get("holder", "another process"))
            return None
        owner = self.settings.index_dir / "ingest.owner"
        if owner.is_file() and self.writer() is None:
            return _WriterLock(self.settings.index_dir, 0).holder()
        return None

    def _meta(self):
        if self._meta_col is None:
            self._meta_col = self.client.get_or_create_collection(META_COLLECTION, embedding_function=None)
        return self._meta_col

    def _store(self, name: str):
        """The Chroma collection ``name`` (cosine space), made when missing; vectors are always given."""
        return self.client.get_or_create_collection(name=name, embedding_function=None,
                                                    metadata={"hnsw:space": "cosine"})

    @staticmethod
    def _names(generation: str) -> tuple[str, str]:
        return f"passages-{generation}", f"sentences-{generation}"

    def _keyword_dir(self, generation: str) -> Path:
        return self.settings.index_dir / "keyword" / generation

    def _record(self, rid: str) -> Manifest | None:
        """The manifest stored under id ``rid``: None when absent; :class:`ManifestError` when not valid."""
        got = self._meta().get(ids=[rid], include=["documents"])
        if not got["ids"]:
            return None
        return Manifest.from_json(got["documents"][0])

    def _count(self, name: str) -> int:
        """Rows of the collection ``name`` (kept: the exact search asks again for the loaded generation's)."""
        self._counts[name] = self.client.get_collection(name).count()
        return self._counts[name]

    def generation_problem(self, manifest: Manifest) -> str:
        """What is wrong with ``manifest``'s generation in the store; "" when it is complete (both collections
        there, holding the passages it counts, and sentence vectors when it has passages)."""
        p_name, s_name = self._names(manifest.generation)
        try:
            passages = self._count(p_name)
            sentences = self._count(s_name)
        except Exception as exc:
            if is_unreachable(exc):
                raise StoreUnreachableError(f"The document store did not answer ({_short_error(exc)}).") from exc
            return f"generation {manifest.generation} is missing from the store"
        if passages != manifest.passage_count:
            return f"generation {manifest.generation} holds {passages} passages, its manifest counts {manifest.passage_count}"
        if passages and not sentences:
            return f"generation {manifest.generation} has no sentence vectors"
        return ""

    def generation_records(self) -> list[Manifest]:
        """Every generation's own valid manifest record, newest first (damaged records are skipped)."""
        got = self._meta().get(where={"kind": "generation"}, include=["documents"])
        out = []
        for text in got["documents"]:
            try:
                out.append(Manifest.from_json(text))
            except ManifestError:
                continue
        return sorted(out, key=lambda m: (m.created_at, m.generation), reverse=True)

    def resolve(self) -> Resolution:
        """Which generation answers: the published one if valid and complete, else the newest complete one.

        A manifest record that is garbage, fails its checksum, or names a generation that is missing or
        incomplete is passed over (and logged); nothing is changed in the store — the next ingest
        republishes the generation found here.
        """
        pointer, problem = None, ""
        try:
            published = self._record(MANIFEST_ID)
        except ManifestError as exc:
            published, problem = None, f"the published manifest is damaged: {exc}"
        if published is not None:
            pointer = published.generation
            problem = self.generation_problem(published)
            if not problem:
                return Resolution(published, pointer)
            problem = f"the published manifest names {problem.replace('generation ' + pointer + ' ', 'a generation that ')}"
        elif not problem:
            if not self.generation_records():
                return Resolution(None, None)
            problem = "no manifest is published"
        for candidate in self.generation_records():
            if candidate.generation != pointer and not self.generation_problem(candidate):
                log.warning("%s; answering from generation %s, the newest complete one", problem, candidate.generation)
                return Resolution(candidate, pointer, problem)
        return Resolution(None, pointer, problem)

    def read_manifest(self) -> Manifest | None:
        """The manifest of the generation that answers (see :meth:`resolve`), or None when there is none."""
        return self.resolve().manifest

    def published_generation(self) -> str | None:
        """The published generation's name, read cheaply (without the document list)."""
        got = self._meta().get(ids=[MANIFEST_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        generation = (got["metadatas"][0] or {}).get("generation")
        if generation:
            return str(generation)
        try:
            m = self._record(MANIFEST_ID)  # published by an older version, without the stamp
        except ManifestError:
            return None
        return m.generation if m else None

    # ------------------------------------------------------------------ reading
    def load(self) -> "Index":
        """Open the published generation: passages in memory, BM25 from disk (or rebuilt)."""
        pointer = self.published_generation()  # read first: a publish after this only causes one more reload
        for attempt in range(3):
            resolution = self.resolve()
            manifest = resolution.manifest
            if manifest is None and resolution.problem:
                raise IndexNotBuiltError(
                    f"The index cannot be opened: {resolution.problem}, and no complete earlier generation was "
                    "found. Run `rag ingest --rebuild`."
                )
            if manifest is None:
                raise IndexNotBuiltError("No index yet: run `rag ingest` (or `make setup`).")
            p_name, s_name = self._names(manifest.generation)
            try:
                # get_collection, not get_or_create: a generation removed meanwhile (two
                # newer ones were published) must not come back as an empty collection.
                self.client.get_collection(p_name)
                self.client.get_collection(s_name)
                break
            except Exception as exc:
                if attempt == 2:
                    raise IndexUnavailableError(
                        f"The published generation {manifest.generation} is missing from Chroma ({_short_error(exc)})."
                    ) from exc
                time.sleep(0.2)
        passage_store = self._store(p_name)
        got = _get_all(passage_store, include=["documents", "metadatas"])
        passages = {
            pid: Passage.from_metadata(pid, doc.split("\n", 1)[-1], meta)
            for pid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])
        }
        ordered = sorted(passages.values(), key=lambda p: (p.doc_id, p.order))
        kdir = self._keyword_dir(manifest.generation)
        try:
            keyword = KeywordIndex.load(kdir)
            if keyword.ids != [p.id for p in ordered]:
                raise ValueError("keyword index out of step")
            if keyword.tokenizer != KEYWORD_TOKENIZER:
                raise ValueError("keyword index cut by an older tokenizer")
        except Exception:  # missing, partial, stale or old: rebuild it, Chroma is the source of truth
            # Server mode (another host published), or a folder lost, or cut by an older tokenizer.
            keyword = KeywordIndex.build([p.id for p in ordered], [p.embedding_text() for p in ordered])
            _save_keyword(keyword, kdir, replace=kdir.exists())
        self.manifest = manifest
        self._pointer = pointer
        self._mark_reader(manifest.generation)
        self.passages = passages
        self._doc_passages = {}
        for p in ordered:
            self._doc_passages.setdefault(p.doc_id, []).append(p.id)
        self.keyword = keyword
        self._passage_store = passage_store
        self._sentence_store = self._store(s_name)
        mismatch = self.engine_mismatch()
        if mismatch:  # questions still work (same model), but the vectors are not this engine's
            log.warning("embedding engine changed: %s", mismatch)
        self._exact = {}
        return self

    def is_current(self) -> bool:
        """True when the loaded generation is still the published one."""
        return self.manifest is not None and self.published_generation() == self._pointer

    def refresh(self) -> bool:
        """Reload if another process published a new generation; True when reloaded."""
        if self.manifest is None or not self.is_current():
            self.load()
            return True
        return False

    def documents(self) -> list[DocumentInfo]:
        """The indexed documents, in id order."""
        return [self.manifest.documents[k] for k in sorted(self.manifest.documents)] if self.manifest else []

    def records(self) -> dict[str, DocumentRecord]:
        """Each indexed document's :class:`DocumentRecord`, by id."""
        return {info.doc_id: info.document_record() for info in self.documents()}

    def doc_passages(self, doc_id: str) -> list[Passage]:
        """A document's passages in reading order."""
        return [self.passages[i] for i in self._doc_passages.get(doc_id, [])]

    def neighbours(self, passage: Passage) -> tuple[Passage | None, Passage | None]:
        """The passages just before and after ``passage`` in its document."""
        ids = self._doc_passages.get(passage.doc_id, [])
        i = ids.index(passage.id)
        before = self.passages[ids[i - 1]] if i > 0 else None
        after = self.passages[ids[i + 1]] if i + 1 < len(ids) else None
        return before, after

    def document_text(self, doc_id: str) -> CleanDocument | None:
        """The clean text of an indexed document (for the source viewer)."""
        info = self.manifest.documents.get(doc_id) if self.manifest else None
        if info is None:
            return None
        got = self._meta().get(ids=[f"doc:{info.content_sha256}"], include=["documents"])
        if not got["ids"]:
            return None
        from rag.cleaning import Paragraph

        d = json.loads(got["documents"][0])
        paragraphs = [Paragraph(t, p) for t, p in d["paragraphs"]]
        return CleanDocument(doc_id, d["title"], paragraphs, info.file_sha256, info.source_name, info.pages)

    # ------------------------------------------------------------------ searching
    def _exact_vectors(self, kind: str) -> "_ExactVectors | None":
        """The ``passages`` or ``sentences`` collection in memory, when it is small enough to search exactly."""
        if kind not in self._exact:
            store = self._passage_store if kind == "passages" else self._sentence_store
            col = store
            exact = None
            rows = self._counts[col.name] if col.name in self._counts else col.count()
            if rows <= self.settings.exact_search_max_rows:
                # A row's id names its passage ("<passage id>" or "<passage id>:<n>"), so the rows'
                # metadata is read only for rows named otherwise: 20,000 metadata dicts cost ~70 MB.
                got = _get_all(col, include=["embeddings"])
                metas = self._row_metadata(kind, got["ids"])
                if metas is None:
                    got = _get_all(col, include=["embeddings", "metadatas"])
                    metas = got["metadatas"]
                exact = _ExactVectors.build(got["ids"], metas, got["embeddings"])
            self._exact[kind] = exact
        return self._exact[kind]

    def _row_metadata(self, kind: str, ids: list[str]) -> list[dict] | None:
        """Each row's passage and document, from its id and the passages in memory; None when a row's id
        names no loaded passage."""
        out = []
        for row in ids:
            pid = row if kind == "passages" else row.rsplit(":", 1)[0]
            passage = self.passages.get(pid)
            if passage is None:
                return None
            out.append({"passage_id": pid, "doc_id": passage.doc_id})
        return out

    def vector_search(
        self, query_vector: np.ndarray, k: int, doc_ids: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top-``k`` passages by cosine similarity: (id, similarity) pairs."""
        exact = self._exact_vectors("passages")
        if exact is not None:
            return [(exact.ids[i], sim) for i, sim in itertools.islice(exact.search(query_vector, doc_ids), k)]
        flt = _doc_filter(doc_ids)
        hits = self._passage_store.query(
            query_embeddings=[np.asarray(query_vector, dtype=np.float32).tolist()],
            n_results=max(1, min(k, len(self.passages))),
            where=flt,
            include=["distances"],
        )
        return [(pid, 1.0 - float(d)) for pid, d in zip(hits["ids"][0], hits["distances"][0])]

    def sentence_search(
        self, query_vector: np.ndarray, k: int, doc_ids: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """Passages ranked by their best-matching sentence: (passage id, similarity) pairs.

        A precise question often matches one sentence far better than the
        passage as a whole; this ranking finds such passages.
        """
        exact = self._exact_vectors("sentences")
        if exact is not None:
            found = ((exact.passage_ids[i], sim) for i, sim in exact.search(query_vector, doc_ids))
        else:
            query = dict(query_embeddings=[np.asarray(query_vector, dtype=np.float32).tolist()],
                         n_results=max(1, k * 3), where=_doc_filter(doc_ids))
            # A row's id names its passage ("<passage id>:<n>"), so only distances are read: the
            # metadata of ~90 rows is that many reads of SQLite, slow while a large index is cold.
            hits = self._sentence_store.query(**query, include=["distances"])
            pids = [row.rsplit(":", 1)[0] for row in hits["ids"][0]]
            if pids and not any(pid in self.passages for pid in pids):  # rows named by other code
                hits = self._sentence_store.query(**query, include=["distances", "metadatas"])
                pids = [m["passage_id"] for m in hits["metadatas"][0]]
            found = ((pid, 1.0 - float(d)) for pid, d in zip(pids, hits["distances"][0]))
        best: dict[str, float] = {}
        for pid, sim in found:
            if pid in self.passages and pid not in best:
                best[pid] = sim
                if len(best) >= k:
                    break
        return list(best.items())

    def keyword_search(self, query: str, k: int, doc_ids: Iterable[str] | None = None) -> list[tuple[str, float]]:
        """Top-``k`` passages by BM25: (id, score) pairs."""
        allowed = None
        if doc_ids:
            allowed = {pid for d in doc_ids for pid in self._doc_passages.get(d, [])}
        return self.keyword.search(query, k, allowed)

    def passage_vectors(self, passage_ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of the given passages, by id."""
        if not passage_ids:
            return {}
        exact = self._exact_vectors("passages")
        rows = exact.rows(list(passage_ids)) if exact is not None else None
        if rows is not None:  # held in memory for the exact search: no store round trip
            return {pid: exact.matrix[r] for pid, r in zip(passage_ids, rows)}
        got = self._passage_store.get(ids=list(passage_ids), include=["embeddings"])
        return {pid: np.asarray(e, dtype=np.float32) for pid, e in zip(got["ids"], got["embeddings"])}

    def sentence_vectors(self, passage_ids: list[str]) -> SentenceVectors:
        """The precomputed sentence vectors of the given passages."""
        if not passage_ids:
            return SentenceVectors([], [], np.zeros((0, 1), dtype=np.float32))
        # Rows are stored as "<passage id>:<n>", n over the passage's answer sentences, so
        # they are fetched by id (an index lookup) rather than by a metadata filter, which
        # scans the collection (2.5 s cold at 600k rows).
        sentences = {pid: answer_sentences(self.passages[pid].text) for pid in passage_ids if pid in self.passages}
        expected = [f"{pid}:{i}" for pid, texts in sentences.items() for i in range(len(texts))]
        exact = self._exact_vectors("sentences")
        rows = exact.rows(expected) if exact is not None and expected else None
        if rows is not None:  # held in memory for the exact search; the texts are the passages' own sentences
            return SentenceVectors(
                [pid for pid, texts in sentences.items() for _ in texts],
                [t for texts in sentences.values() for t in texts],
                exact.matrix[rows],
            )
        include = ["documents", "metadatas", "embeddings"]
        got = self._sentence_store.get(ids=expected, include=include) if expected else None
        if got is None or len(got["ids"]) != len(expected):
            # An index cut by other code, or passages not loaded here: the filter always works.
            got = self._sentence_store.get(where={"passage_id": {"$in": list(passage_ids)}}, include=include)
        rows = sorted(
            zip(got["metadatas"], got["documents"], got["embeddings"]),
            key=lambda r: (passage_ids.index(r[0]["passage_id"]), r[0]["idx"]),
        )
        return SentenceVectors(
            [m["passage_id"] for m, _, _ in rows],
            [d for _, d, _ in rows],
            np.asarray([e for _, _, e in rows], dtype=np.float32).reshape(len(rows), -1),
        )

    # ------------------------------------------------------------------ writing
    def ingest(
        self, corpus_dir: Path | None = None, progress: bool = False, on_progress: Callable | None = None
    ) -> IngestReport:
        """Make the index hold exactly the supported files of ``corpus_dir``.

        Unchanged files are skipped (content hash), changed ones replaced, files
        no longer present removed. A file that cannot be read is reported and,
        if an older version of it was indexed, that version stays.
        """
        folder = Path(corpus_dir or self.settings.corpus_dir)
        if not folder.is_dir():
            raise FileNotFoundError(f"Corpus folder not found: {folder}")
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        return self._update(files, remove_missing=True, progress=progress, on_progress=on_progress)

    def upsert(self, paths: list[Path], progress: bool = False, on_progress: Callable | None = None) -> IngestReport:
        """Add or replace the given files, leaving other documents alone."""
        return self._update([Path(p) for p in paths], remove_missing=False, progress=progress, on_progress=on_progress)

    def delete(self, doc_ids: list[str]) -> IngestReport:
        """Remove documents by id."""
        return self._update([], remove_missing=False, delete=set(doc_ids))

    def rebuild(self, corpus_dir: Path | None = None, progress: bool = False) -> IngestReport:
        """Re-embed every document from scratch (e.g. after changing the model)."""
        folder = Path(corpus_dir or self.settings.corpus_dir)
        if not folder.is_dir():
            raise FileNotFoundError(f"Corpus folder not found: {folder}")
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        moved = None
        if not self.server_mode:
            try:
                self.client
            except StoreDamagedError as exc:
                with self.writer_lock(announce=progress):
                    moved = move_aside(self.settings.index_dir / "chroma")
                self._client = self._meta_col = None
                why = _short_error(exc.__cause__) if exc.__cause__ else "unreadable"
                self._say(progress, f"the document store was damaged ({why}); moved it aside to {moved}")
        report = self._update(files, remove_missing=True, progress=progress, force=True, reembed=True)
        if moved is not None:
            report.repairs.append(f"the damaged document store was moved to {moved} (kept, not deleted) and rebuilt")
        return report

    def _update(
        self,
        files: list[Path],
        remove_missing: bool,
        progress: bool = False,
        delete: set[str] | None = None,
        force: bool = False,
        on_progress: Callable[[float, str], None] | None = None,
        reembed: bool = False,
    ) -> IngestReport:
        started = time.time()
        try:
            return self._update_locked(files, remove_missing, progress, delete, force, on_progress, reembed, started)
        except (IndexNotBuiltError, IndexBusyError, DocumentError, FileNotFoundError):
            raise
        except Exception as exc:
            if is_unreachable(exc) or (self.server_mode and not self._reachable()):
                raise StoreUnreachableError(
                    f"The ingest stopped: the document store became unreachable ({_short_error(exc)}). Nothing was "
                    "published; the previous generation still answers. Run `rag ingest` again when it is back."
                ) from exc
            raise
        finally:
            if self._embedder is not None:
                self._embedder.release_passages()  # a serving process keeps only what questions need

    def _reachable(self) -> bool:
        from rag.store.base import server_heartbeat

        try:
            server_heartbeat(self.settings)
            return True
        except StoreUnreachableError:
            return False

    def _update_locked(self, files, remove_missing, progress, delete, force, on_progress, reembed, started) -> IngestReport:
        report = IngestReport()
        with self.writer_lock(announce=progress) as lock:
            resolution = self.resolve()
            old = resolution.manifest
            if resolution.problem:
                report.repairs.append(
                    resolution.problem + (f"; generation {old.generation} (the newest complete one) is published again"
                                          if old else "; every document is indexed anew")
                )
            if old is not None and not old.same_model(self.settings.model, self.vectors()):
                force = True  # vectors of another model or engine cannot be mixed in
            if old is not None and old.passage_format != passage_format(self.settings):
                force = True  # passages cut another way: every document is re-cut and re-embedded
            old_docs = dict(old.documents) if old else {}
            keep: dict[str, DocumentInfo] = {}  # carried over unchanged
            fresh: dict[str, tuple[CleanDocument, list[Passage], DocumentInfo]] = {}
            seen_content: dict[str, str] = {}
            seen_ids: set[str] = set()

            # Text already indexed under another name is indexed once: seed with the
            # documents that stay (for a folder sync, those whose file is still there).
            staying = {doc_id_for(f) for f in files} if remove_missing else set(old_docs)
            for info in old_docs.values():
                if info.doc_id in staying and not (delete and info.doc_id in delete):
                    seen_content[info.content_sha256] = info.doc_id
            for path in files:
                doc_id = doc_id_for(path)
                if doc_id in seen_ids:
                    report.errors[path.name] = f"another file already has the id '{doc_id}'; rename one of them."
                    continue
                try:
                    sha = file_sha256(path)
                    prev = old_docs.get(doc_id)
                    if prev and prev.file_sha256 == sha and not force:
                        keep[doc_id] = prev
                        report.unchanged.append(doc_id)
                        seen_ids.add(doc_id)
                        continue
                    clean = clean_document(load_document(path, on_page=self._ocr_progress(progress, on_progress)))
                    content_sha = hashlib.sha256(clean.text.encode("utf-8")).hexdigest()
                    if not clean.text.strip():
                        raise DocumentError(f"{path.name}: no text left after cleaning.")
                    if not re.search(r"[\u3400-\u9fff]", clean.text):
                        raise DocumentError(
                            f"{path.name}: no Chinese text; the assistant answers from Chinese documents."
                        )
                    twin = seen_content.get(content_sha)
                    if twin and twin != doc_id:
                        raise DocumentError(f"{path.name}: the same text is already indexed as '{twin}'.")
                    passages = build_passages(clean, self.settings.passage_min_chars, self.settings.passage_max_chars)
                    if not passages:
                        raise DocumentError(f"{path.name}: no passages could be made from the text.")
                    info = DocumentInfo(
                        doc_id=doc_id,
                        title=clean.title,
                        source_name=path.name,
                        file_sha256=sha,
                        content_sha256=content_sha,
                        passages=len(passages),
                        indexed_at=time.time(),
                        pages=clean.page_count,
                        record=build_record(clean).to_dict(),
                    )
                    # OCR (rag.ocr): the pages read from pictures, and those read with low confidence.
                    if clean.ocr:
                        report.notes[path.name] = info.document_record().ocr_summary()
                    fresh[doc_id] = (clean, passages, info)
                    seen_content[content_sha] = doc_id
                    seen_ids.add(doc_id)
                    (report.updated if doc_id in old_docs else report.added).append(doc_id)
                except DocumentError as exc:
                    report.errors[path.name] = str(exc).split(": ", 1)[-1] if str(exc).startswith(path.name) else str(exc)
                    if doc_id in old_docs and not force:
                        keep[doc_id] = old_docs[doc_id]  # a broken new version does not remove the old one
                        seen_ids.add(doc_id)
            for doc_id, info in old_docs.items():
                if doc_id in keep or doc_id in fresh:
                    continue
                if (delete and doc_id in delete) or remove_missing:
                    report.deleted.append(doc_id)
                else:
                    keep[doc_id] = info
            if delete:
                for doc_id in list(keep):
                    if doc_id in delete:
                        keep.pop(doc_id)
                        report.deleted.append(doc_id)

            if old is not None and not report.changed and not force:
                report.passages = sum(i.passages for i in keep.values())
                report.generation = old.generation
                if resolution.fell_back or not self._has_own_record(old):
                    self._publish(self._meta(), old)  # the fallback (or an older index's record) made official
                # Nothing to publish; still sweep what a crashed ingest may have left behind (never a
                # generation that was once published: nothing has just replaced it).
                removed = self._collect_garbage({old.generation, old.previous or old.generation}, old, orphans_only=True)
                if removed:
                    report.repairs.append(f"removed {removed} unfinished generation(s) left by interrupted ingests")
                report.seconds = time.time() - started
                return report
            self._write_generation(old, keep, fresh, report, progress, on_progress, lock, reembed)
        report.seconds = time.time() - started
        log.info(
            "index published",
            extra={
                "event": "ingest",
                "generation": report.generation,
                "added": len(report.added),
                "updated": len(report.updated),
                "deleted": len(report.deleted),
                "unchanged": len(report.unchanged),
                "errors": len(report.errors),
                "passages": report.passages,
                "seconds": round(report.seconds, 1),
            },
        )
        return report

    def _has_own_record(self, manifest: Manifest) -> bool:
        return bool(self._meta().get(ids=[GENERATION_PREFIX + manifest.generation], include=[])["ids"])

    def _write_generation(self, old, keep, fresh, report, progress, on_progress, lock=None, reembed=False) -> None:
        generation = time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
        try:
            self._fill_generation(generation, old, keep, fresh, report, progress, on_progress, lock, reembed)
        except BaseException:
            # Nothing was published: the previous generation still answers. Remove what
            # was half-written (best effort; the next ingest's clean-up catches the rest).
            self._drop_generation(generation)
            raise

    def _ocr_progress(self, progress: bool, on_progress: Callable | None) -> Callable:
        """What hears of each page read by OCR: a line at the terminal, and the app's progress (0–0.4)."""

        def on_page(page) -> None:
            self._say(progress, page.message())
            if on_progress:
                on_progress(0.4 * page.done / page.total, page.message())

        return on_page

    def _say(self, progress: bool, message: str) -> None:
        log.info(message)
        if progress:
            print(message, file=sys.stderr, flush=True)

    def _fill_generation(self, generation, old, keep, fresh, report, progress, on_progress, lock, reembed=False) -> None:
        p_name, s_name = self._names(generation)
        p_new, s_new = self._store(p_name), self._store(s_name)
        all_passages: list[Passage] = []
        batch = self._batch_size()

        # Unchanged documents: copy their rows, vectors included (no re-embedding).
        if old is not None and keep:
            p_old_name, s_old_name = self._names(old.generation)
            for old_name, new_store in ((p_old_name, p_new), (s_old_name, s_new)):
                col = self.client.get_collection(old_name)
                got = _get_all(col, include=["documents", "metadatas", "embeddings"], where=_doc_filter(list(keep)))
                _add_rows(new_store, got["ids"], got["embeddings"], got["documents"], got["metadatas"], batch)
                if new_store is p_new:
                    all_passages += [
                        Passage.from_metadata(i, d.split("\n", 1)[-1], m)
                        for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
                    ]
            self._say(progress, f"copied {len(all_passages)} passages of {len(keep)} unchanged documents")

        # New and changed documents: embed passages and their sentences.
        todo = [p for _, passages, _ in fresh.values() for p in passages]
        if todo:
            texts = [p.embedding_text() for p in todo]
            # Passage and sentence ids are content hashes: a row the previous generation holds with the
            # same text keeps its vector (re-cutting documents re-embeds only what changed).
            reuse = not reembed and old is not None and old.same_model(self.settings.model, self.vectors())
            p_old, s_old = (self.client.get_collection(n) for n in self._names(old.generation)) if reuse else (None, None)
            self._say(progress, f"embedding {len(todo)} passages of {len(fresh)} new or changed documents")
            self._embed_rows(p_new, p_old, [p.id for p in todo], texts,
                             [p.to_metadata() for p in todo], progress, "passages")
            if on_progress:
                on_progress(0.5, "passages embedded")
            s_ids, s_texts, s_meta = [], [], []
            for p in todo:
                for i, sentence in enumerate(answer_sentences(p.text)):
                    s_ids.append(f"{p.id}:{i}")
                    s_texts.append(sentence)
                    s_meta.append({"passage_id": p.id, "doc_id": p.doc_id, "idx": i})
            self._say(progress, f"passages stored; embedding {len(s_texts)} sentences")
            self._embed_rows(s_new, s_old, s_ids, s_texts, s_meta, progress, "sentences")
            all_passages += todo
            if on_progress:
                on_progress(0.9, "sentences embedded")

        # Clean text of each new document, for the source viewer. Written in a few large
        # upserts, not one per document: each write to the meta collection costs time that
        # grows with the document text written to it, so one upsert per document made
        # ingest quadratic in the number of documents (0.8 s per document at 10k passages).
        meta = self._meta()
        records: dict[str, tuple[str, dict]] = {}
        for clean, _, info in fresh.values():
            payload = {"title": clean.title, "paragraphs": [[p.text, p.page] for p in clean.paragraphs]}
            records[f"doc:{info.content_sha256}"] = (
                json.dumps(payload, ensure_ascii=False),
                {"kind": "document", "doc_id": info.doc_id},
            )
        _upsert_records(meta, records, batch)

        ordered = sorted(all_passages, key=lambda p: (p.doc_id, p.order))
        _save_keyword(
            KeywordIndex.build([p.id for p in ordered], [p.embedding_text() for p in ordered]),
            self._keyword_dir(generation),
        )

        documents = dict(keep)
        documents.update({doc_id: info for doc_id, (_, _, info) in fresh.items()})
        manifest = Manifest(
            generation, self.settings.model, time.time(), documents, _model_id(self.settings.model),
            old.generation if old else "", passage_format(self.settings),
            self.embedder.engine if todo else (old.engine if old else ""), self.vectors(),
        )
        self._verify(manifest)
        if lock is not None:
            lock.check()  # a writer whose lease lapsed must not publish over its successor
        self._publish(meta, manifest)
        report.generation = generation
        report.passages = len(all_passages)
        self._say(progress, f"published generation {generation}")
        self._collect_garbage(keep_generations={generation, old.generation if old else generation}, manifest=manifest)

    # Rows embedded and stored per step: vectors go to the store as they are made, so memory
    # does not grow with the corpus; within a step texts are batched by length.
    _EMBED_STEP = 1024

    def _embed_rows(self, collection, previous, ids: list[str], texts: list[str], metas: list[dict],
                    progress: bool, what: str) -> None:
        """Add rows ``ids``/``texts``/``metas`` to ``collection`` with their vectors, step by step.

        A vector is taken from ``previous`` (a collection of the last generation) where it holds
        the same id with the same text, and embedded otherwise; a bar on stderr shows the texts
        embedded, their rate and the time left.
        """
        from rag.engine.base import progress_bar

        step, batch = self._EMBED_STEP, self._batch_size()
        known: set[str] = set()
        if previous is not None:
            text_of = dict(zip(ids, texts))
            for i in range(0, len(ids), step):
                got = previous.get(ids=ids[i : i + step], include=["documents"])
                known.update(rid for rid, doc in zip(got["ids"], got["documents"]) if doc == text_of[rid])
            self._say(progress, f"{len(known)} {what} vectors unchanged, {len(ids) - len(known)} to embed")
        bar = progress_bar(len(ids) - len(known), f"embedding {what}", progress)
        for i in range(0, len(ids), step):
            part = range(i, min(i + step, len(ids)))
            vectors = np.zeros((len(part), self.embedder.dimension), dtype=np.float32)
            reused = [j for j in part if ids[j] in known]
            if reused:
                got = previous.get(ids=[ids[j] for j in reused], include=["embeddings"])
                where = {rid: vec for rid, vec in zip(got["ids"], got["embeddings"])}
                for j in reused:
                    vectors[j - i] = where[ids[j]]
            todo = [j for j in part if ids[j] not in known]
            if todo:
                vectors[[j - i for j in todo]] = self.embedder.embed_passages([texts[j] for j in todo],
                                                                              show_progress=False)
                bar.update(len(todo))
            _add_rows(collection, ids[i : part.stop], vectors, texts[i : part.stop], metas[i : part.stop], batch)
        bar.close()

    def _verify(self, manifest: Manifest, sentences: int | None = None) -> None:
        """Raise unless the generation about to be published is complete in the store."""
        problem = self.generation_problem(manifest)
        if not problem and sentences is not None:
            stored = self.client.get_collection(self._names(manifest.generation)[1]).count()
            if stored != sentences:
                problem = f"generation {manifest.generation} holds {stored} sentence vectors, {sentences} were written"
        if problem:
            raise RuntimeError(f"The new index did not verify ({problem}); nothing was published.")

    @staticmethod
    def _publish(meta, manifest: Manifest) -> None:
        """Publish ``manifest``: one upsert of the published record and the generation's own record.

        Both are written in one call (one transaction of the store): before it, readers see the old
        generation; after it, the new one. The generation's own record lets a reader fall back to it
        if the published record is later damaged (see :meth:`Index.resolve`).
        """
        text = manifest.to_json()
        meta.upsert(
            ids=[MANIFEST_ID, GENERATION_PREFIX + manifest.generation],
            documents=[text, text],
            embeddings=[_META_VECTOR, _META_VECTOR],
            metadatas=[{"kind": "manifest", "generation": manifest.generation},
                       {"kind": "generation", "generation": manifest.generation}],
        )

    def _batch_size(self) -> int:
        try:
            return max(1, min(2000, int(self.client.get_max_batch_size())))
        except Exception:
            return 2000

    def _drop_generation(self, generation: str) -> None:
        for name in self._names(generation):
            try:
                self.client.delete_collection(name)
            except Exception:
                pass
        shutil.rmtree(self._keyword_dir(generation), ignore_errors=True)

    # ------------------------------------------------------------------ moving
    def import_from(self, source: "Index", progress: bool = False) -> IngestReport:
        """Copy the published generation of ``source`` into this index, vectors included.

        This moves an index between stores without re-embedding — e.g. from the
        embedded store of a laptop to a Chroma server (see docs/operations.md):

            src = Index(Settings(index_dir="index", chroma_host=None))
            Index(Settings(chroma_host="chroma.internal")).import_from(src)
        """
        started = time.time()
        src_manifest = source.read_manifest()
        if src_manifest is None:
            raise IndexNotBuiltError("The source index has nothing published.")
        report = IngestReport()
        with self.writer_lock(announce=progress) as lock:
            old = self.read_manifest()
            generation = time.strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
            try:
                batch = self._batch_size()
                passages: list[Passage] = []
                for src_name, dst_name in zip(source._names(src_manifest.generation), self._names(generation)):
                    src_col = source.client.get_collection(src_name)
                    dst_col = self.client.get_or_create_collection(
                        dst_name, embedding_function=None, metadata={"hnsw:space": "cosine"}
                    )
                    total = src_col.count()
                    for offset in range(0, total, batch):
                        got = src_col.get(
                            include=["documents", "metadatas", "embeddings"], limit=batch, offset=offset
                        )
                        _add_rows(dst_col, got["ids"], got["embeddings"], got["documents"], got["metadatas"], batch)
                        if src_name.startswith("passages-"):
                            passages += [
                                Passage.from_metadata(i, d.split("\n", 1)[-1], m)
                                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
                            ]
                    self._say(progress, f"copied {total} rows of {src_name}")
                meta_src, meta = source._meta(), self._meta()
                for info in src_manifest.documents.values():
                    rid = f"doc:{info.content_sha256}"
                    got = meta_src.get(ids=[rid], include=["documents", "metadatas"])
                    if got["ids"]:
                        meta.upsert(
                            ids=[rid], documents=got["documents"], embeddings=[_META_VECTOR], metadatas=got["metadatas"]
                        )
                ordered = sorted(passages, key=lambda p: (p.doc_id, p.order))
                _save_keyword(
                    KeywordIndex.build([p.id for p in ordered], [p.embedding_text() for p in ordered]),
                    self._keyword_dir(generation),
                )
                manifest = Manifest(
                    generation,
                    src_manifest.model,
                    time.time(),
                    dict(src_manifest.documents),
                    src_manifest.model_id or _model_id(src_manifest.model),
                    old.generation if old else "",
                    src_manifest.passage_format,
                    src_manifest.engine,
                    src_manifest.vectors,
                )
                self._verify(manifest)
                lock.check()
                self._publish(meta, manifest)
            except BaseException:
                self._drop_generation(generation)
                raise
            self._collect_garbage({generation, old.generation if old else generation}, manifest)
        report.added = sorted(src_manifest.documents)
        report.passages = len(passages)
        report.generation = generation
        report.seconds = time.time() - started
        return report

    def generations_in_store(self) -> set[str]:
        """Every generation with a collection in the store (complete or not)."""
        out = set()
        for col in self.client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith(("passages-", "sentences-")):
                out.add(name.split("-", 1)[1])
        return out

    def orphans(self) -> set[str]:
        """Generations in the store that were never published (left half-written by an interrupted ingest)."""
        published = {m.generation for m in self.generation_records()}
        pointer = self.published_generation()
        return {g for g in self.generations_in_store() if g not in published and g != pointer}

    def _readers_dir(self) -> Path:
        return self.settings.index_dir / "readers"

    def _mark_reader(self, generation: str) -> None:
        """Note on this host that this process reads ``generation`` (garbage collection spares it)."""
        try:
            folder = self._readers_dir()
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{os.getpid()}").write_text(f"{generation}\n{self.settings.index_dir.resolve()}", encoding="utf-8")
        except OSError:
            pass  # a read-only index folder: the previous-generation rule still protects readers

    def held_by_readers(self) -> set[str]:
        """Generations that live processes on this host have loaded (stale marks of dead ones are removed)."""
        held = set()
        folder = self._readers_dir()
        if not folder.is_dir():
            return held
        for mark in folder.iterdir():
            try:
                pid = int(mark.name)
                os.kill(pid, 0)
            except (ValueError, ProcessLookupError):
                mark.unlink(missing_ok=True)
                continue
            except PermissionError:
                pass  # alive, another user's
            try:
                generation, _, where = mark.read_text(encoding="utf-8").partition("\n")
            except OSError:
                continue
            if where.strip() == str(self.settings.index_dir.resolve()):  # not a mark copied with the folder
                held.add(generation.strip())
        return held

    def _collect_garbage(self, keep_generations: set[str], manifest: Manifest, orphans_only: bool = False) -> int:
        """Drop generations other than the new and the previous one, and any a reader on this host holds.

        With ``orphans_only`` only generations that were never published go (an ingest that published
        nothing has replaced nothing). Returns how many generations were dropped.
        """
        keep = set(keep_generations) | self.held_by_readers()
        records = {m.generation for m in self.generation_records()}
        dropped = set()
        for generation in self.generations_in_store():
            if generation in keep or (orphans_only and generation in records):
                continue
            for name in self._names(generation):
                try:
                    self.client.delete_collection(name)
                except Exception:  # another writer may have removed it first
                    pass
            dropped.add(generation)
        stale_records = [GENERATION_PREFIX + g for g in records if g not in keep and not orphans_only]
        if stale_records:
            self._meta().delete(ids=stale_records)
        kroot = self.settings.index_dir / "keyword"
        if kroot.is_dir():
            for d in kroot.iterdir():
                if d.name not in keep and (not orphans_only or d.name not in records):
                    shutil.rmtree(d, ignore_errors=True)
        live = {f"doc:{i.content_sha256}" for i in manifest.documents.values()}
        if not orphans_only:
            for g in keep & records:
                try:
                    kept = self._record(GENERATION_PREFIX + g)
                except ManifestError:
                    continue
                if kept is not None:
                    live |= {f"doc:{i.content_sha256}" for i in kept.documents.values()}
            meta = self._meta()
            got = meta.get(where={"kind": "document"}, include=[])
            stale = [i for i in got["ids"] if i not in live]
            if stale:
                meta.delete(ids=stale)
        if not self.server_mode:
            self._sweep_segment_folders()
        return len(dropped)

    _SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

    def _sweep_segment_folders(self) -> int:
        """Remove the embedded store's vector folders that no collection uses any more.

        Chroma leaves the folder of a deleted collection on disk when the collection was written by a
        process that was killed; each interrupted ingest left two. Called under the writer lock, so no
        folder is being created meanwhile. Returns how many were removed.
        """
        import sqlite3

        root = self.settings.index_dir / "chroma"
        try:
            db = sqlite3.connect(f"file:{root / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=5)
            try:
                used = {row[0] for row in db.execute("SELECT id FROM segments")}
            finally:
                db.close()
        except sqlite3.Error:
            return 0  # another layout, or busy: nothing is removed
        removed = 0
        for folder in root.iterdir():
            if folder.is_dir() and self._SEGMENT_DIR.match(folder.name) and folder.name not in used:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed


@dataclass
class _ExactVectors:
    """A collection's vectors in memory, searched exactly (a matrix product).

    Chroma keeps a collection under its sync threshold (1,000 rows) as an HNSW
    graph that every process rebuilds when it opens it, on several threads, so
    the approximate top 30 of the bundled sentence store (476 rows) differed
    between two processes for 31 of the 328 evaluation questions, and answers
    with them. Up to ``Settings.exact_search_max_rows`` rows an exact search is
    as fast and gives the same ranking every time; ties go to the smaller id.
    """

    ids: list[str]
    passage_ids: list[str]  # each row's passage (the row itself for passages)
    doc_ids: np.ndarray
    matrix: np.ndarray
    _row_of: dict[str, int] | None = None
    _rows_of_doc: dict[str, np.ndarray] | None = None

    @classmethod
    def build(cls, ids: list[str], metadatas: list[dict], embeddings: np.ndarray) -> "_ExactVectors":
        order = sorted(range(len(ids)), key=lambda i: ids[i])
        metas = [metadatas[i] or {} for i in order]
        return cls(
            [ids[i] for i in order],
            [m.get("passage_id", ids[i]) for m, i in zip(metas, order)],
            np.asarray([m.get("doc_id", "") for m in metas], dtype=object),
            np.asarray(embeddings, dtype=np.float32).reshape(len(ids), -1)[order] if ids else np.zeros((0, 1), np.float32),
        )

    def search(self, query_vector: np.ndarray, doc_ids: Iterable[str] | None = None) -> Iterator[tuple[int, float]]:
        """Every row (restricted to ``doc_ids``), most similar first: (row, cosine) pairs, made as they are read
        (a caller wanting the top few does not pay for 20,000 pairs)."""
        if not self.ids:
            return
        wanted = list(doc_ids or [])
        if wanted:  # only the rows of those documents are scored
            rows = self._doc_rows(wanted)
            sims = self.matrix[rows] @ np.asarray(query_vector, dtype=np.float32)
        else:
            rows = np.arange(len(self.ids))
            sims = self.matrix @ np.asarray(query_vector, dtype=np.float32)
        order = np.argsort(-sims, kind="stable")
        for i, sim in zip(rows[order].tolist(), sims[order].tolist()):
            yield i, sim

    def _doc_rows(self, doc_ids: list[str]) -> np.ndarray:
        """The rows of the documents ``doc_ids``, in row order."""
        if self._rows_of_doc is None:
            groups: dict[str, list[int]] = {}
            for i, d in enumerate(self.doc_ids.tolist()):
                groups.setdefault(d, []).append(i)
            self._rows_of_doc = {d: np.asarray(r, dtype=np.int64) for d, r in groups.items()}
        parts = [self._rows_of_doc[d] for d in dict.fromkeys(doc_ids) if d in self._rows_of_doc]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def rows(self, ids: list[str]) -> list[int] | None:
        """The matrix rows of ``ids``, in their order; None when one of them is not held."""
        if self._row_of is None:
            self._row_of = {row_id: i for i, row_id in enumerate(self.ids)}
        got = [self._row_of.get(row_id) for row_id in ids]
        return None if None in got else got


def _doc_filter(doc_ids: Iterable[str] | None) -> dict | None:
    ids = list(doc_ids or [])
    if not ids:
        return None
    return {"doc_id": ids[0]} if len(ids) == 1 else {"doc_id": {"$in": ids}}


def _save_keyword(keyword: KeywordIndex, folder: Path, replace: bool = False) -> None:
    """Write a keyword index so that no reader ever sees it half-written.

    It is written to a temporary sibling and renamed into place; when another
    process got there first (same generation, same content), ours is dropped.
    ``replace`` swaps out a folder that exists but is unusable (partial, or cut
    by an older tokenizer), so the rebuild is not repeated by every process.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}"
    old = folder.parent / f".{folder.name}.old.{uuid.uuid4().hex[:6]}"
    try:
        keyword.save(tmp)
        if folder.exists():
            if not replace:
                return
            os.rename(folder, old)  # readers already hold what they loaded
        os.rename(tmp, folder)
    except OSError:
        pass  # a read-only or full disk, or another process swapped first: rebuilt from Chroma next time
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


# Rows per get(): embedded Chroma (1.5) fails with "too many SQL variables" when one get
# returns the metadata of more than ~32k rows, so whole collections are read in pages.
_GET_PAGE = 10_000


def _get_all(collection, include: list[str], where: dict | None = None, page: int = _GET_PAGE) -> dict:
    """Every row of ``collection`` (matching ``where``), read ``page`` rows at a time."""
    out: dict = {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
    offset = 0
    while True:
        got = collection.get(where=where, include=include, limit=page, offset=offset)
        n = len(got["ids"])
        out["ids"] += list(got["ids"])
        for key in ("documents", "metadatas"):
            if key in include:
                out[key] += list(got[key])
        if "embeddings" in include and n:
            out["embeddings"].append(np.asarray(got["embeddings"], dtype=np.float32))
        if n < page:
            break
        offset += n
    if "embeddings" in include:
        out["embeddings"] = np.concatenate(out["embeddings"]) if out["embeddings"] else np.zeros((0, 0), np.float32)
    return out


def _upsert_records(meta, records: dict[str, tuple[str, dict]], batch: int = 2000, max_bytes: int = 32 * 2**20) -> None:
    """Upsert meta records (id → (document, metadata)) in as few calls as Chroma allows.

    A call holds at most ``batch`` records and about ``max_bytes`` of documents.
    """
    chunk: list[tuple[str, str, dict]] = []
    size = 0

    def flush() -> None:
        if chunk:
            meta.upsert(
                ids=[r[0] for r in chunk],
                documents=[r[1] for r in chunk],
                embeddings=[_META_VECTOR] * len(chunk),
                metadatas=[r[2] for r in chunk],
            )
            chunk.clear()

    for rid, (document, metadata) in records.items():
        n = len(document.encode("utf-8"))
        if chunk and (len(chunk) >= batch or size + n > max_bytes):
            flush()
            size = 0
        chunk.append((rid, document, metadata))
        size += n
    flush()


def _add_rows(collection, ids, embeddings, documents, metadatas, batch: int = 2000) -> None:
    """Add rows in batches below Chroma's maximum batch size."""
    for i in range(0, len(ids), batch):
        collection.add(
            ids=list(ids[i : i + batch]),
            embeddings=np.asarray(embeddings[i : i + batch], dtype=np.float32),
            documents=list(documents[i : i + batch]),
            metadatas=list(metadatas[i : i + batch]),
        )
