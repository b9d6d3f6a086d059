"""Structured logs: one JSON object per line, for a log shipper to read.

The pipeline logs one line per answered question on the ``rag.pipeline`` logger
(``event=ask``: total latency, latency by stage, mode, whether it abstained,
and the question text); the index logs one line per publish (``event=ingest``).
:class:`JsonFormatter` writes the message and every ``extra={...}`` field.

Personal data: the question is the only user-supplied text that is logged.
Fields that would identify a person (IP address, user, session, headers,
cookies, conversation history…) are dropped by the formatter even if a caller
passes them, so a careless ``extra=`` cannot leak them into the logs.

Call :func:`configure_logging` once at start-up (the app and the CLI)::

    from rag.logs import configure_logging
    configure_logging()            # RAG_LOG_LEVEL=INFO, RAG_LOG_FORMAT=json by default
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import IO

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)

# Never logged, whoever passes them: they identify a person or repeat what they said before.
PRIVATE_FIELDS = frozenset(
    {
        "history",
        "conversation",
        "ip",
        "client_ip",
        "remote_addr",
        "client",
        "user",
        "username",
        "user_id",
        "session",
        "session_id",
        "session_hash",
        "headers",
        "cookie",
        "cookies",
        "email",
        "phone",
        "request",
    }
)

_HANDLER_FLAG = "_rag_structured_handler"


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: time, level, logger, message, then the extras."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}"
            + time.strftime("%z", time.localtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD or key.startswith("_") or key.lower() in PRIVATE_FIELDS:
                continue
            out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A human-readable line with the extras appended as key=value (for a terminal)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {
            k: v
            for k, v in record.__dict__.items()
            if k not in _STANDARD and not k.startswith("_") and k.lower() not in PRIVATE_FIELDS
        }
        if extras:
            line += " " + " ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in extras.items())
        return line


def configure_logging(level: str | int | None = None, fmt: str | None = None, stream: IO[str] | None = None) -> logging.Handler:
    """Send the ``rag.*`` loggers to ``stream`` (stderr) as JSON lines; idempotent.

    ``level`` defaults to ``RAG_LOG_LEVEL`` (INFO), ``fmt`` to ``RAG_LOG_FORMAT``
    (``json``; ``text`` for a terminal). Chatty libraries (httpx logs every
    request to the Chroma server at INFO) are held at WARNING.
    """
    level = level or os.environ.get("RAG_LOG_LEVEL", "INFO")
    fmt = (fmt or os.environ.get("RAG_LOG_FORMAT", "json")).lower()
    logger = logging.getLogger("rag")
    for h in list(logger.handlers):
        if getattr(h, _HANDLER_FLAG, False):
            logger.removeHandler(h)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    setattr(handler, _HANDLER_FLAG, True)
    logger.addHandler(handler)
    logger.setLevel(level if isinstance(level, int) else str(level).upper())
    logger.propagate = False
    for noisy in ("httpx", "httpcore", "chromadb", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
