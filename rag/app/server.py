"""Serve the app: FastAPI with ``/health``, the HTTP API (:mod:`rag.api`, documented at ``/docs``),
the Gradio Blocks mounted at ``/``, uvicorn.

Host and port come from ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT``
(default ``127.0.0.1:7860``, loopback only). The model and the index are
loaded once, here, before the server accepts connections.
"""

from __future__ import annotations

import logging
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio's queue keeps per-event timings (up to 10,000) and, by default, summarises all of them in a
# pandas table after every event: a cost that grows with the server's age. Summarise every 1,000 events
# over the last 1,000.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

log = logging.getLogger("rag.app")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
MAX_UPLOAD = "40mb"
MAX_UPLOAD_BYTES = 40 * 1000 * 1000


def host_and_port() -> tuple[str, int]:
    """Where to listen, from ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT``."""
    host = os.environ.get("GRADIO_SERVER_NAME") or DEFAULT_HOST
    raw = os.environ.get("GRADIO_SERVER_PORT") or str(DEFAULT_PORT)
    try:
        port = int(raw)
    except ValueError:
        raise SystemExit(f"GRADIO_SERVER_PORT must be a number, not {raw!r}")
    return host, port


def create_app(service, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
    """The FastAPI application: ``/health``, the API (:func:`rag.api.routes.install`), the Gradio app at ``/``."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    from rag.api.routes import install
    from rag.app.assets import CSS, FONT_STACK, MONO_STACK
    from rag.app.ui import build_demo

    app = FastAPI(
        title="Policy Q&A assistant",
        description="Cited answers from the indexed policy documents: an OpenAI-compatible chat API, Dify's "
        "external knowledge API, and the assistant's own JSON. Send 'Authorization: Bearer <key>' once keys exist.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )

    @app.get("/health")
    def health():
        try:
            return service.health()
        except Exception as exc:  # noqa: BLE001 - health reports, never raises
            return JSONResponse({"status": "error", "error": f"{exc.__class__.__name__}: {exc}"}, status_code=503)

    @app.get("/health/live")
    def health_live():
        """The process answers HTTP (for a load balancer's liveness probe); says nothing of the index."""
        return {"status": "live"}

    @app.get("/health/ready")
    def health_ready():
        """Ready to answer: model loaded, index readable, document store reachable (else 503)."""
        try:
            ready, body = service.readiness()
        except Exception as exc:  # noqa: BLE001 - health reports, never raises
            ready, body = False, {"status": "not ready", "error": exc.__class__.__name__}
        return JSONResponse(body, status_code=200 if ready else 503)

    from rag.app.guard import TextScrubber, UploadGuard
    from rag.app.guard import upload_temp_root

    # Gradio's upload route: admin login (checked here, on the server) and size, before the body is read.
    app.add_middleware(UploadGuard, guard=service.guard, max_bytes=MAX_UPLOAD_BYTES, temp_dir=upload_temp_root())
    app.add_middleware(TextScrubber)  # lone surrogates / invalid UTF-8 never reach (and break) the chat stream
    install(app, service)
    demo = build_demo(service)
    theme = gr.themes.Soft(primary_hue="blue", neutral_hue="slate", font=FONT_STACK, font_mono=MONO_STACK)
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        server_name=host,
        server_port=port,
        footer_links=["api"],
        theme=theme,
        css=CSS,
        show_error=True,
        max_file_size=MAX_UPLOAD,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        run_history=False,
    )
    return app


def _private_temp_dir() -> str | None:
    """Give this process its own Gradio temporary folder (uploads land there); the folder, to be removed
    when the server stops (and at exit, should it end otherwise), or None when ``GRADIO_TEMP_DIR`` names one."""
    import atexit
    import shutil
    import tempfile

    if os.environ.get("GRADIO_TEMP_DIR"):
        return None
    folder = tempfile.mkdtemp(prefix="rag-uploads-")
    os.environ["GRADIO_TEMP_DIR"] = folder
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _server(config, on_stop):
    """A uvicorn server that calls ``on_stop`` once it has stopped serving.

    uvicorn ends a graceful shutdown by raising the stopping signal again (SIGTERM, Ctrl-C), so the
    process dies of it and its ``atexit`` handlers never run; ``on_stop`` runs before that.
    """
    from contextlib import contextmanager

    import uvicorn

    class Server(uvicorn.Server):
        @contextmanager
        def capture_signals(self):
            with super().capture_signals():
                try:
                    yield
                finally:
                    on_stop()

    return Server(config)


def main(argv: list[str] | None = None) -> int:
    """Load the model and the index, then serve until interrupted."""
    import uvicorn

    from rag.store import IndexNotBuiltError
    from rag.settings import get_settings

    try:
        from rag.logs import configure_logging  # structured (JSON) logs of the rag.* loggers
    except ImportError:  # pragma: no cover - older trees without rag.logs
        logging.basicConfig(level=os.environ.get("RAG_LOG_LEVEL", "INFO"))
    else:
        configure_logging()
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:  # pragma: no cover
        pass
    settings = get_settings()
    host, port = host_and_port()
    uploads = _private_temp_dir()
    from rag.app.service import AppService

    print(f"Loading the model and the index from {settings.index_dir} …", flush=True)
    try:
        service = AppService(settings)
    except IndexNotBuiltError as exc:
        print(f"rag: {exc}", file=sys.stderr)
        return 2
    service.warm_up()
    app = create_app(service, host, port)
    docs = service.documents()
    print(
        f"Ready: {len(docs)} documents, generation {service.generation()}, mode {service._assistant.mode}, "
        f"admin tab {'on' if settings.admin_password else 'off'}.",
        flush=True,
    )
    print(f"Open http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/", flush=True)
    _server(server_config(app, host, port, settings), on_stop=lambda: _remove(uploads)).run()
    return 0


def _remove(folder: str | None) -> None:
    """Remove ``folder`` and what is in it, if there is one."""
    import shutil

    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def server_config(app, host: str, port: int, settings):
    """uvicorn's configuration of the app: the client's address from X-Forwarded-For only when the
    request comes from a proxy of ``settings.forwarded_allow_ips``."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5,
                          proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips)
