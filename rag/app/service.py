"""What the app does, without Gradio: answer (streaming), show sources, take feedback, manage documents.

One :class:`AppService` per process holds the :class:`~rag.pipeline.Assistant`
(the model and the index are loaded once, at start). Every change to the
index — an upload, a delete, a re-index, or another process publishing a new
generation — builds a fresh Assistant on the new generation and swaps it in
with one assignment, so questions already being answered finish on the old
one and nobody waits.

Streaming: :meth:`AppService.stream` yields :class:`StreamEvent` s made from
:meth:`Assistant.stream`'s steps (the one answering path the API and the CLI
use too). With an LLM configured, the model's text is shown as it arrives and
then replaced by the checked final answer; any other answer is revealed
sentence by sentence.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from rag.feedback import FeedbackLog, make_record, new_feedback_id
from rag.store import DocumentInfo, Index, IndexBusyError, StoreUnreachableError, is_unreachable
from rag.loaders import DocumentError, doc_id_for, file_sha256, upload_destination
from rag.pipeline import Assistant, QuestionError, Result
from rag.settings import Settings

log = logging.getLogger("rag.app")

UPLOAD_SUFFIXES = (".pdf", ".txt", ".md", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
REFRESH_EVERY = 10.0  # seconds between checks for a generation published by another process
STREAM_PAUSE = 0.06  # seconds between revealed sentences of an extractive answer
REVEAL_STEPS = 4  # at most this many partial steps before the whole answer (a long list jumps by several lines)
WRITE_LOCK_TIMEOUT = 15.0  # seconds an admin action waits for another writer
EXPORT_KEEP_SECONDS = 3600.0  # exported files older than this are removed at the next export


def reveal_steps(answer: str, steps: int = REVEAL_STEPS) -> list[str]:
    """The partial answers shown before ``answer`` is whole: its growing sentence prefixes, at most
    ``steps`` of them, evenly spread (the first sentence always among them).

    The reveal holds the question's slot while it pauses, so its length is bounded whatever
    the answer's: a list of twenty items shows in ``steps`` jumps, not twenty.
    """
    from rag.app.render import sentence_prefixes

    prefixes = sentence_prefixes(answer)[:-1]
    if len(prefixes) <= steps or steps < 2:
        return prefixes[: max(steps, 0)]
    last = len(prefixes) - 1
    return [prefixes[round(i * last / (steps - 1))] for i in range(steps)]


@dataclass
class StreamEvent:
    """One step of answering: ``searching`` (what is searched), ``delta`` (text so far), ``done``."""

    kind: str
    searched: str | None = None
    text: str = ""
    result: dict | None = None


@dataclass
class Outcome:
    """The result of an admin action, as a message key and its parameters (translated by the UI)."""

    ok: bool
    key: str
    params: dict = field(default_factory=dict)
    detail: str = ""  # the library's own message, shown in small print
    doc_id: str | None = None
    extra: list[tuple[str, str, str]] = field(default_factory=list)  # (file, message key, message) per re-index error


def classify_document_error(message: str) -> str:
    """The message key for a :class:`DocumentError` text (from :mod:`rag.loaders` / :mod:`rag.store`)."""
    m = message.lower()
    rules = (
        ("unsupported file type", "err_unsupported"),
        ("no text layer", "err_scanned"),
        ("file is empty", "err_empty"),
        ("encrypted", "err_encrypted"),
        ("damaged", "err_damaged"),
        ("binary file", "err_binary"),
        ("encoding", "err_encoding"),
        ("the limit is", "err_too_big"),
        ("already indexed as", "err_duplicate"),
        ("no text left", "err_no_text"),
        ("no text could be read", "err_no_text"),
        ("no passages", "err_no_text"),
        ("not a usable file name", "err_name"),
    )
    for needle, key in rules:
        if needle in m:
            return key
    return "err_other"


STORE_DOWN = "文档库暂时无法连接，请稍后再试。 / The document store is unreachable; please try again shortly."


class StoreDownError(QuestionError):
    """The question could not be answered because the document store did not answer in time.

    A :class:`QuestionError` so that the chat shows its one line where a question's error goes."""


FILTER_EMPTY = "所选范围内没有已收录的文件，已检索全部文件。 / No indexed document matches the filter; all were searched."


class AppService:
    """The app's back end; see the module doc."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None, embedder=None) -> None:
        self.settings = settings
        self._assistant = assistant or Assistant(settings, embedder=embedder)
        self._embedder = self._assistant.index.embedder
        self._write_lock = threading.Lock()
        # The CPU-bound part of answering, at most this many at once; the chat's slots (concurrency_limit)
        # may be more, since a slot also waits while an answer is revealed sentence by sentence.
        self._workers = threading.BoundedSemaphore(max(1, int(settings.answer_workers)))
        self._reload_lock = threading.Lock()
        self._checked = time.monotonic()
        self._doc_cache: dict[tuple[str, str], object] = {}
        self.feedback = FeedbackLog(settings.feedback_path)
        self.started_at = time.time()
        from rag.app.guard import LoginGuard

        self.guard = LoginGuard()  # admin login limits, per client address and per account

    # ------------------------------------------------------------ the assistant
    @property
    def assistant(self) -> Assistant:
        """The current Assistant (reloaded when another process published a new index)."""
        now = time.monotonic()
        if now - self._checked > REFRESH_EVERY:
            self._checked = now
            try:
                current = self._assistant.index.is_current()
            except Exception:  # noqa: BLE001 - a failed check must not fail a question
                log.warning("could not check the index generation", exc_info=True)
                current = True
            if not current:
                self.reload()
        return self._assistant

    def reload(self) -> None:
        """Load the published generation into a fresh Assistant and swap it in."""
        with self._reload_lock:
            fresh = Assistant(self.settings, index=Index(self.settings, embedder=self._embedder))
            self._assistant = fresh
            self._doc_cache.clear()
            log.info("index reloaded", extra={"event": "reload", "generation": self.generation()})

    def warm_up(self) -> None:
        """Answer a few questions so the first user does not pay for lazy loading (jieba, BM25, the
        follow-up and English paths); they are asked of the first indexed document, whatever it is."""
        try:
            a = self._assistant
            title = next((d.title for d in a.index.documents() if d.title), "") or "文件"
            a.ask("有哪些主要措施？", history=[f"{title}讲了什么？"])
            a.ask(f"What does {title} say?")
        except Exception:  # noqa: BLE001
            log.warning("warm-up failed", exc_info=True)

    def documents(self) -> list[DocumentInfo]:
        return self.assistant.index.documents()

    def generation(self) -> str | None:
        m = self._assistant.index.manifest
        return m.generation if m else None

    def readiness(self) -> tuple[bool, dict]:
        """What ``/health/ready`` reports: ready when the model is loaded, the index readable and the
        document store reachable (each within the store's timeouts); the checks by name."""
        checks: dict[str, str] = {}
        a = self._assistant
        checks["model"] = "ok" if self._embedder is not None else "not loaded"
        checks["index"] = "ok" if a.index.manifest is not None and a.index.passages else "not loaded"
        try:
            if self.settings.chroma_host:
                from rag.store.base import server_heartbeat

                server_heartbeat(self.settings)
            a.index.published_generation()
            checks["store"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            checks["store"] = "unreachable" if is_unreachable(exc) else f"error: {exc.__class__.__name__}"
        ready = all(v == "ok" for v in checks.values())
        return ready, {"status": "ready" if ready else "not ready", "checks": checks, "generation": self.generation()}

    def health(self) -> dict:
        """What ``/health`` reports."""
        a = self._assistant
        docs = a.index.documents()
        return {
            "status": "ok",
            "generation": self.generation(),
            "documents": len(docs),
            "passages": len(a.index.passages),
            "mode": a.mode,
            "uptime_s": round(time.time() - self.started_at, 1),
        }

    def known_doc_ids(self, doc_ids: list[str] | None) -> tuple[list[str] | None, bool]:
        """The filter as document ids: True when it selected something that no indexed document matches.

        Besides document ids the filter takes facets — ``kind:政府工作报告``, ``issuer:国务院``, ``year:2024``
        (see :meth:`filter_choices`): facets of one sort are alternatives, of different sorts all apply,
        and documents named by id are added to what the facets select.
        """
        if not doc_ids:
            return None, False
        known = self.assistant.index.manifest.documents if self.assistant.index.manifest else {}
        facets: dict[str, list] = {"kind": [], "issuer": [], "year": []}
        docs = []
        for value in doc_ids:
            sort, _, name = str(value).partition(":")
            if sort in facets and name:
                facets[sort].append(int(name) if sort == "year" and name.isdigit() else name)
            elif value in known:
                docs.append(value)
        kept = list(docs)
        if any(facets.values()):
            chosen = self.assistant.select(facets["kind"] or None, facets["issuer"] or None, facets["year"] or None)
            kept += [d for d in chosen if d not in kept]
        return (kept or None), not kept

    def filter_choices(self) -> list[tuple[str, str]]:
        """What the document filter offers: kinds, issuers and years of the indexed documents, then each document."""
        records = self.assistant.records
        kinds = sorted({r.kind for r in records.values() if r.kind})
        issuers = sorted({r.issuer for r in records.values() if r.issuer})
        years = sorted({r.year for r in records.values() if r.year}, reverse=True)
        superseded = self.assistant.superseded
        out = [(f"类别 · {k}", f"kind:{k}") for k in kinds]
        out += [(f"发文机关 · {i}", f"issuer:{i}") for i in issuers]
        out += [(f"年份 · {y}", f"year:{y}") for y in years]
        for d in self.documents():
            mark = "（非最新）" if d.doc_id in superseded else ""
            out.append((f"{d.title}{mark}（{d.doc_id}）", d.doc_id))
        return out

    # ------------------------------------------------------------ answering
    def ask(self, question: str, history: list[str] | None = None, doc_ids: list[str] | None = None) -> dict:
        """One answer as ``Result.to_dict()`` — the same dict as ``rag ask --json``."""
        result, notices = self.answer(question, history, doc_ids)
        d = result.to_dict()
        d["notices"] += notices
        return d

    def answer(
        self, question: str, history: list[str] | None = None, doc_ids: list[str] | None = None
    ) -> tuple[Result, list[str]]:
        """One answer as a :class:`Result`, and the notices the app adds to it (a filter that matched nothing).

        ``history`` holds earlier questions (or ``{"role", "content"}`` messages: the user's are kept);
        ``doc_ids`` document ids and facets (see :meth:`known_doc_ids`). Raises :class:`QuestionError`."""
        with _store_down(StoreUnreachableError):
            kept, dropped = self.known_doc_ids(doc_ids)
            with self._workers:
                result = self.assistant.ask(question, history=_clean_history(history), doc_ids=kept)
        return result, [FILTER_EMPTY] if dropped else []

    def stream(
        self, question: str, history: list[str] | None = None, doc_ids: list[str] | None = None
    ) -> Iterator[StreamEvent]:
        """Answer ``question`` step by step (see the module doc). Raises :class:`QuestionError` first.

        The steps are :meth:`Assistant.stream`'s; here a draft is shown as it grows, and an answer that
        comes whole is revealed sentence by sentence."""
        with _store_down(StoreDownError):  # the chat shows a QuestionError's text as the turn's one line
            yield from self._stream(question, history, doc_ids)

    def _stream(self, question, history, doc_ids) -> Iterator[StreamEvent]:
        kept, dropped = self.known_doc_ids(doc_ids)
        shown, drafted = "", False
        steps = self.assistant.stream(question, history=_clean_history(history), doc_ids=kept)
        while True:
            with self._workers:  # held while a step is computed, not while the answer is revealed
                step = next(steps, None)
            if step is None:
                break
            if step.kind == "searching":
                yield StreamEvent("searching", searched=step.searched)
            elif step.kind == "delta" and step.draft:
                shown, drafted = shown + step.text, True
                yield StreamEvent("delta", searched=step.searched, text=shown)
            elif step.kind == "done":
                result = step.result.to_dict()
                if dropped:
                    result["notices"] = result["notices"] + [FILTER_EMPTY]
                if not drafted and not result["abstained"]:
                    for prefix in reveal_steps(result["answer"]):
                        yield StreamEvent("delta", searched=result.get("searched"), text=prefix)
                        time.sleep(STREAM_PAUSE)
                yield StreamEvent("done", searched=result.get("searched"), text=result["answer"], result=result)

    # ------------------------------------------------------------ sources
    def document(self, doc_id: str):
        """The clean text of an indexed document (cached per generation), or None."""
        assistant = self.assistant
        key = (self.generation() or "", doc_id)
        if key not in self._doc_cache:
            if len(self._doc_cache) > 16:
                self._doc_cache.clear()
            self._doc_cache[key] = assistant.index.document_text(doc_id)
        return self._doc_cache[key]

    def record(self, doc_id: str):
        """The :class:`rag.documents.DocumentRecord` of an indexed document (title, kind, issuer, dates…), or None."""
        return self.assistant.records.get(doc_id)

    def records(self) -> dict:
        """Every indexed document's record, by id."""
        return dict(self.assistant.records)

    # ------------------------------------------------------------ export and the retrieval test
    def export(self, turns: list[dict], lang: str, folder: str | Path | None = None) -> tuple[Path, Path]:
        """The conversation as Markdown and .docx files (:func:`rag.app.export.export_files`); raises
        :class:`rag.app.export.ExportError` (a ValueError) when nothing has been answered yet."""
        from rag.app.export import export_files

        if folder is None:  # one folder per process; what an earlier export left there over an hour ago goes
            folder = Path(tempfile.gettempdir()) / f"rag-export-{os.getpid()}"
            cutoff = time.time() - EXPORT_KEEP_SECONDS
            for old in folder.glob("*/*") if folder.is_dir() else []:
                if old.is_file() and old.stat().st_mtime < cutoff:
                    old.unlink(missing_ok=True)
                    try:
                        old.parent.rmdir()
                    except OSError:
                        pass
            folder = folder / uuid.uuid4().hex[:12]
        return export_files(turns, lang, self.records(), folder)

    def target_documents(self) -> list[tuple[str, str]]:
        """(label, doc id) of the indexed documents that set quantitative targets, for the 目标完成情况 tab."""
        targets = self.assistant.targets
        with_targets = {f.doc_id for f in targets.facts if f.kind == "target"}
        return [(f"{r.title} ({d})", d) for d, r in sorted(targets.records.items()) if d in with_targets]

    def target_table(self, doc_id: str, lang: str, folder: str | Path | None = None) -> tuple[list[dict], list[Path]]:
        """The 目标完成情况 table of one document (:mod:`rag.targets`): its rows, and the table written as CSV
        and Markdown files for download (none when the document sets no target)."""
        from rag.targets import table_rows, to_csv, to_markdown

        targets = self.assistant.targets
        rows = table_rows(targets.table(doc_id), targets.records, lang)
        if not rows:
            return [], []
        folder = Path(folder or Path(tempfile.gettempdir()) / f"rag-targets-{os.getpid()}" / uuid.uuid4().hex[:12])
        folder.mkdir(parents=True, exist_ok=True)
        stem = "目标完成情况" if lang == "zh" else "targets"
        csv_path, md_path = folder / f"{stem}-{doc_id}.csv", folder / f"{stem}-{doc_id}.md"
        csv_path.write_text(to_csv(rows), encoding="utf-8-sig")  # with a BOM: spreadsheets read it as UTF-8
        md_path.write_text(to_markdown(rows), encoding="utf-8")
        return rows, [csv_path, md_path]

    def retrieval_test(self, question: str, doc_ids: list[str] | None = None):
        """The retrieval test of one question (:func:`rag.app.console.retrieval_test`); raises
        :class:`QuestionError` for an unusable question."""
        from rag.app.console import retrieval_test

        kept, _ = self.known_doc_ids(doc_ids)
        return retrieval_test(self.assistant, question, doc_ids=kept)

    # ------------------------------------------------------------ feedback
    def record_feedback(
        self,
        result: dict,
        rating: str,
        comment: str | None = None,
        feedback_id: str | None = None,
        doc_filter: list[str] | None = None,
        ui_lang: str | None = None,
    ) -> str:
        """Append one feedback record; returns its id (pass it again to add a comment)."""
        feedback_id = feedback_id or new_feedback_id()
        record = make_record(
            feedback_id, rating, result, comment=comment, doc_filter=doc_filter,
            generation=self.generation(), ui_lang=ui_lang,
        )
        self.feedback.append(record)
        return feedback_id

    # ------------------------------------------------------------ corpus management
    def _writer(self) -> Index:
        writer = Index(self.settings, embedder=self._embedder)
        writer.lock_timeout = WRITE_LOCK_TIMEOUT
        return writer

    def upload(self, path: str | Path, name: str | None = None, on_progress: Callable | None = None) -> Outcome:
        """Add (or replace) one uploaded file; a bad file changes nothing."""
        progress = on_progress or (lambda frac, key: None)
        src = Path(path)
        name = name or src.name
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            return Outcome(False, "err_unsupported", {"suffix": suffix or "(none)"})
        try:
            dest = upload_destination(self.settings.corpus_dir, name)
        except DocumentError as exc:
            return Outcome(False, classify_document_error(str(exc)), {"suffix": suffix}, str(exc))
        if not src.is_file() or src.stat().st_size == 0:
            return Outcome(False, "err_empty", {}, "")
        doc_id = doc_id_for(dest)
        staging = self.settings.index_dir / "uploads" / uuid.uuid4().hex[:12]
        staging.mkdir(parents=True, exist_ok=True)
        try:
            staged = staging / dest.name
            shutil.copyfile(src, staged)
            progress(0.05, "progress_reading")
            from rag.cleaning import clean_document
            from rag.loaders import load_document

            try:
                clean = clean_document(load_document(staged))
            except DocumentError as exc:
                return Outcome(False, classify_document_error(str(exc)), {"suffix": suffix}, _detail(exc, dest.name))
            if not clean.text.strip():
                return Outcome(False, "err_no_text", {}, "")
            manifest = self.assistant.index.manifest
            docs = manifest.documents if manifest else {}
            content_sha = hashlib.sha256(clean.text.encode("utf-8")).hexdigest()
            for info in docs.values():
                if info.content_sha256 == content_sha and info.doc_id != doc_id:
                    return Outcome(False, "err_duplicate", {"title": info.title, "doc": info.doc_id})
            prev = docs.get(doc_id)
            if prev is not None and prev.file_sha256 == file_sha256(staged):
                return Outcome(True, "admin_unchanged", {"title": prev.title, "doc": doc_id}, doc_id=doc_id)

            progress(0.15, "progress_indexing")
            with self._write_lock:
                dest.parent.mkdir(parents=True, exist_ok=True)
                backup = staging / "previous"
                if dest.exists():
                    shutil.copy2(dest, backup)
                shutil.copyfile(staged, dest)
                try:
                    report = self._writer().upsert(
                        [dest],
                        on_progress=lambda frac, msg: progress(
                            0.15 + 0.75 * frac, "progress_embedded" if frac < 0.9 else "progress_sentences"
                        ),
                    )
                except BaseException as exc:
                    _restore(dest, backup)
                    if isinstance(exc, IndexBusyError):
                        return Outcome(False, "admin_busy", {}, str(exc))
                    if isinstance(exc, Exception):
                        log.exception("upload failed")
                        return Outcome(False, "admin_failed", {"error": exc.__class__.__name__}, str(exc))
                    raise
                if dest.name in report.errors or not (report.added or report.updated):
                    _restore(dest, backup)
                    message = report.errors.get(dest.name, "")
                    key = classify_document_error(message) if message else "err_other"
                    params = {"suffix": suffix}
                    if key == "err_duplicate":
                        twin = message.rsplit("'", 2)[-2] if message.count("'") >= 2 else ""
                        params = {"doc": twin, "title": docs[twin].title if twin in docs else twin}
                    return Outcome(False, key, params, message)
                progress(0.92, "progress_loading")
                self.reload()
            info = self._assistant.index.manifest.documents[doc_id]
            key = "admin_replaced" if report.updated else "admin_uploaded"
            return Outcome(
                True, key, {"title": info.title, "doc": doc_id, "p": info.passages, "s": report.seconds}, doc_id=doc_id
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def delete(self, doc_id: str) -> Outcome:
        """Remove a document from the index; its source file moves to ``<index>/deleted/``."""
        manifest = self.assistant.index.manifest
        info = manifest.documents.get(doc_id) if manifest else None
        if info is None:
            return Outcome(False, "admin_unknown_doc", {"doc": doc_id})
        with self._write_lock:
            moved: list[tuple[Path, Path]] = []
            corpus = Path(self.settings.corpus_dir)
            if corpus.is_dir():
                trash = self.settings.index_dir / "deleted"
                for f in sorted(corpus.rglob("*")):
                    if f.is_file() and doc_id_for(f) == doc_id and f.suffix.lower() in UPLOAD_SUFFIXES + (".html", ".htm"):
                        trash.mkdir(parents=True, exist_ok=True)
                        target = trash / f"{time.strftime('%Y%m%d-%H%M%S')}-{f.name}"
                        shutil.move(str(f), target)
                        moved.append((f, target))
            try:
                self._writer().delete([doc_id])
            except Exception as exc:  # noqa: BLE001
                for original, target in moved:
                    shutil.move(str(target), original)
                if isinstance(exc, IndexBusyError):
                    return Outcome(False, "admin_busy", {}, str(exc))
                log.exception("delete failed")
                return Outcome(False, "admin_failed", {"error": exc.__class__.__name__}, str(exc))
            self.reload()
        return Outcome(True, "admin_deleted", {"title": info.title, "doc": doc_id}, doc_id=doc_id)

    def reindex(self, on_progress: Callable | None = None) -> Outcome:
        """Sync the index with the corpus folder (new, changed and removed files)."""
        progress = on_progress or (lambda frac, key: None)
        folder = Path(self.settings.corpus_dir)
        if not folder.is_dir():
            return Outcome(False, "admin_failed", {"error": f"{folder} not found"})
        progress(0.05, "progress_indexing")
        with self._write_lock:
            try:
                report = self._writer().ingest(
                    folder,
                    on_progress=lambda frac, msg: progress(
                        0.05 + 0.85 * frac, "progress_embedded" if frac < 0.9 else "progress_sentences"
                    ),
                )
            except IndexBusyError as exc:
                return Outcome(False, "admin_busy", {}, str(exc))
            except Exception as exc:  # noqa: BLE001
                log.exception("re-index failed")
                return Outcome(False, "admin_failed", {"error": exc.__class__.__name__}, str(exc))
            progress(0.92, "progress_loading")
            self.reload()
        outcome = Outcome(
            True,
            "admin_reindexed",
            {"a": len(report.added), "u": len(report.updated), "d": len(report.deleted), "n": len(report.unchanged), "s": report.seconds},
        )
        outcome.extra = [(name, classify_document_error(msg), msg) for name, msg in report.errors.items()]
        return outcome


@contextmanager
def _store_down(error: type[Exception]):
    """Turn a failure to reach the document store into ``error(STORE_DOWN)``; anything else passes through."""
    try:
        yield
    except QuestionError:
        raise
    except Exception as exc:
        if is_unreachable(exc):
            log.warning("question not answered: the document store is unreachable (%s)", exc.__class__.__name__)
            raise error(STORE_DOWN) from exc
        raise


def _clean_history(history) -> list[str]:
    if not history:
        return []
    if isinstance(history, str):
        history = [history]
    out = []
    for item in history:
        if isinstance(item, dict):  # {"role": "user", "content": "..."} messages are accepted too
            if item.get("role", "user") != "user":
                continue
            item = item.get("content", "")
        text = str(item or "").strip()
        if text:
            out.append(text[:2000])
    return out[-10:]


def _detail(exc: Exception, name: str) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1] if text.startswith(name) else text


def _restore(dest: Path, backup: Path) -> None:
    """Put back the file an upload replaced (or remove the new one)."""
    try:
        if backup.exists():
            shutil.copy2(backup, dest)
        else:
            dest.unlink(missing_ok=True)
    except OSError:
        log.exception("could not restore %s", dest)
