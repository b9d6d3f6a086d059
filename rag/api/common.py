"""What every API route shares: who may call (keys, loopback, rate), errors as objects, references.

Access: with no API key created, the API answers only clients on this machine
(loopback), without a key. Once a key exists every caller sends
``Authorization: Bearer <key>``: a missing or wrong key gets 401, a key past its
rate (a token bucket, ``RAG_API_RATE_PER_MINUTE`` / ``RAG_API_BURST``) 429 with
``Retry-After``. Answering runs on at most ``RAG_CONCURRENCY_LIMIT`` threads at
once, as in the app; other requests wait their turn.

Errors are :class:`ApiError`; the routes under ``/dify`` show them in Dify's
form (``error_code``, ``error_msg``), the others in OpenAI's
(``{"error": {"message", "type", "param", "code"}}``).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from rag.api.keys import KeyStore, RateLimiter

log = logging.getLogger("rag.api")

DIFY_PREFIX = "/dify"
# Dify's error codes (External Knowledge API); others are given as the HTTP status.
DIFY_BAD_HEADER, DIFY_AUTH_FAILED, DIFY_NO_KNOWLEDGE = 1001, 1002, 2001


class ApiError(Exception):
    """An error a caller gets as a 4xx with an error object (see the module doc)."""

    def __init__(self, status: int, message: str, code: str, kind: str = "invalid_request_error",
                 dify_code: int | None = None, headers: dict | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.kind = status, message, code, kind
        self.dify_code = dify_code or status
        self.headers = headers or {}
        self.param = param

    def response(self, dify: bool) -> JSONResponse:
        """The error as a JSON response, in Dify's form or OpenAI's."""
        if dify:
            body = {"error_code": self.dify_code, "error_msg": self.message}
        else:
            body = {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


@dataclass
class ApiContext:
    """The API's state on the app: the app's service, the keys, the rate limiter and the answering slots."""

    service: object  # rag.app.service.AppService
    keys: KeyStore
    limiter: RateLimiter
    slots: threading.BoundedSemaphore

    @classmethod
    def for_service(cls, service) -> "ApiContext":
        """The context for an :class:`~rag.app.service.AppService`, from its settings."""
        s = service.settings
        return cls(service, KeyStore(s.keys_file), RateLimiter(s.api_rate_per_minute, s.api_burst),
                   threading.BoundedSemaphore(max(1, s.concurrency_limit)))

    @contextmanager
    def answering(self):
        """Hold one of the answering slots."""
        with self.slots:
            yield


def context(request: Request) -> ApiContext:
    """The :class:`ApiContext` of the app serving ``request``."""
    return request.app.state.api


def is_loopback(host: str | None) -> bool:
    """True for a client on this machine (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address((host or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def authorize(request: Request) -> str:
    """Who is calling (a key's name, or ``loopback``); raises :class:`ApiError` 401 / 403 / 429.

    A FastAPI dependency of every API route (see the module doc). The key itself is never kept or logged."""
    known = getattr(request.state, "caller", None)
    if known:  # checked already (a body found invalid after the check asks again)
        return known
    request.state.caller = _caller(request)
    return request.state.caller


def _caller(request: Request) -> str:
    ctx = context(request)
    if not ctx.keys.keys():
        if is_loopback(request.client.host if request.client else None):
            return "loopback"
        raise ApiError(403, "This server has no API key yet, so its API answers only on the machine it runs on. "
                       "Create a key there with `rag keys create NAME` and send it as 'Authorization: Bearer <key>'.",
                       "no_api_keys", "permission_error", DIFY_AUTH_FAILED)
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(401, "No API key: send 'Authorization: Bearer <key>'.", "missing_api_key",
                       "authentication_error", DIFY_BAD_HEADER)
    scheme, _, key = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "Invalid Authorization header format. Expected 'Bearer <key>' format.",
                       "invalid_authorization_header", "authentication_error", DIFY_BAD_HEADER)
    name = ctx.keys.verify(key.strip())
    if name is None:
        raise ApiError(401, "Incorrect API key.", "invalid_api_key", "authentication_error", DIFY_AUTH_FAILED)
    wait = ctx.limiter.take(name)
    if wait:
        seconds = max(1, math.ceil(wait))
        raise ApiError(429, f"Too many requests with this key; retry in {seconds} s.", "rate_limit_exceeded",
                       "rate_limit_error", headers={"Retry-After": str(seconds)})
    return name


def bad_request(message: str, code: str = "invalid_request", param: str | None = None, status: int = 400) -> ApiError:
    """A 400 (or ``status``) about the request's content."""
    return ApiError(status, message, code, param=param)


def _is_dify(request: Request) -> bool:
    return request.url.path.startswith(DIFY_PREFIX)


async def api_error_handler(request: Request, exc: ApiError) -> JSONResponse:
    """An :class:`ApiError` as its response."""
    return exc.response(_is_dify(request))


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body that is not the JSON the route takes: 401 / 403 / 429 first when the caller may not call,
    then 415 for a body that is not JSON, else 400 naming the first field that is wrong."""
    dify = _is_dify(request)
    try:
        authorize(request)
    except ApiError as err:
        return err.response(dify)
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        return ApiError(415, f"The body must be JSON (Content-Type: application/json), not {content_type}.",
                        "unsupported_media_type").response(dify)
    first = (exc.errors() or [{}])[0]
    if first.get("type") == "json_invalid":
        return bad_request("The body is not valid JSON.", "invalid_json").response(dify)
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid request"))
    return bad_request(f"Invalid request: {message}", "invalid_request", where or None).response(dify)


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """A failure of the server's own (logged with its traceback) as a 500 error object, never a bare page."""
    from rag.store import is_unreachable

    if is_unreachable(exc):
        log.warning("API request not answered: the document store is unreachable: %s %s", request.method,
                    request.url.path)
        from rag.app.service import STORE_DOWN

        return ApiError(503, STORE_DOWN, "store_unreachable", "server_error",
                        headers={"Retry-After": "5"}).response(_is_dify(request))
    log.error("API request failed: %s %s", request.method, request.url.path, exc_info=exc)
    return ApiError(500, "The server failed to answer; the error is logged.", "internal_error",
                    "server_error").response(_is_dify(request))


def source_url(request: Request, doc_id: str, passage_id: str | None = None) -> str:
    """The address of the source viewer showing ``doc_id`` (with the passage highlighted)."""
    base = str(request.base_url).rstrip("/")
    url = f"{base}/source/{quote(doc_id, safe='')}"
    return url + (f"?passage={quote(passage_id, safe='')}#rag-target" if passage_id else "")


def references(request: Request, result) -> list[dict]:
    """A :class:`~rag.pipeline.Result`'s citations as the API's ``references``: n, doc, title, locator,
    text, the sentences quoted, and the source viewer's address."""
    out = []
    for c in result.answer.citations:
        facts = result.documents.get(c.passage.doc_id, {})
        out.append({
            "n": c.n,
            "doc": c.passage.doc_id,
            "title": facts.get("title") or c.passage.doc_title,
            "locator": c.passage.locator,
            "text": c.passage.text,
            "quoted": list(c.sentences),
            "url": source_url(request, c.passage.doc_id, c.passage.id),
            **({"ocr": c.passage.ocr_mark} if c.passage.ocr_mark else {}),  # "OCR识别 96%": read from a scan
        })
    return out
