"""The HTTP API on the app's server: the OpenAI-compatible chat, Dify retrieval, ``/api/ask``,
``/api/documents`` and the source viewer, documented at ``/docs``.

``install(app, service)`` adds them to the FastAPI app before the Gradio app is
mounted at ``/``. Every route asks through the app's
:class:`~rag.app.service.AppService`, so the API answers exactly as the app and
``rag ask --json`` do. See ``docs/api.md``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from rag.api import dify, openai
from rag.api.common import (
    ApiContext, ApiError, api_error_handler, authorize, bad_request, context, internal_error_handler, source_url,
    validation_error_handler,
)
from rag.pipeline import MAX_QUESTION_CHARS, QuestionError

router = APIRouter(tags=["Assistant"])


class AskRequest(BaseModel):
    """One question, the conversation's earlier questions and an optional document filter."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="The question, in Chinese or English.")
    history: list[str] = Field(default_factory=list, description="The user's earlier questions, oldest first.")
    doc_ids: list[str] = Field(default_factory=list, description="Document ids or facets (kind:…, issuer:…, year:…).")


@router.post("/api/ask", summary="Answer one question: one results.jsonl object")
def ask(body: AskRequest, request: Request, caller: str = Depends(authorize)) -> dict:
    """The same object as ``rag ask --json`` prints: answer, abstained, citations, retrieved, notices…"""
    if len(body.question) > MAX_QUESTION_CHARS:
        raise bad_request(f"The question is {len(body.question)} characters long; the limit is {MAX_QUESTION_CHARS}.",
                          "question_too_long", "question")
    ctx = context(request)
    try:
        with ctx.answering():
            return ctx.service.ask(body.question, body.history, body.doc_ids)
    except QuestionError as exc:
        raise bad_request(str(exc), "invalid_question", "question") from exc


@router.get("/api/documents", summary="The indexed documents")
def documents(request: Request, caller: str = Depends(authorize)) -> dict:
    """Each indexed document: id, title, source file, passages, pages, its record (kind, issuer, dates, 文号),
    whether a later document of its series is indexed, and the source viewer's address."""
    service = context(request).service
    superseded = service.assistant.superseded
    return {"documents": [
        {**d.to_dict(), "superseded": d.doc_id in superseded, "url": source_url(request, d.doc_id)}
        for d in service.documents()
    ]}


@router.get("/source/{doc_id}", response_class=HTMLResponse, summary="The source viewer", include_in_schema=True)
def source(doc_id: str, request: Request, passage: str | None = None, lang: str = "zh") -> HTMLResponse:
    """A document's text as a page, the cited passage highlighted; what a reference's ``url`` opens.
    Public like the app's own pages (it shows what the app shows)."""
    from rag.app.assets import CSS
    from rag.app.render import esc, render_viewer

    service = context(request).service
    lang = "en" if lang == "en" else "zh"
    doc = service.document(doc_id)
    if doc is None:
        html = render_viewer(lang, missing=True)
        return _page(doc_id, html, CSS, 404)
    p = service.assistant.index.passages.get(passage or "")
    cited = {"doc": doc_id, "locator": p.locator, "text": p.text} if p is not None and p.doc_id == doc_id else \
        {"doc": doc_id, "locator": doc.title, "text": ""}
    return _page(esc(doc.title), render_viewer(lang, doc, cited), CSS)


def _page(title: str, body: str, css: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{title}</title><style>{css}</style></head><body>{body}</body></html>",
        status_code=status,
    )


def _unknown_route(app: FastAPI) -> None:
    """A 404 (or 405 for a route asked with the wrong method) as an error object, under the API's prefixes."""
    from starlette.routing import Match

    def unknown(request: Request, rest: str):
        path = request.url.path
        if any(route.matches(request.scope)[0] == Match.PARTIAL for route in request.app.router.routes):
            raise ApiError(405, f"{path} does not take {request.method}.", "method_not_allowed")
        raise ApiError(404, f"There is no {path}; the API is described at /docs.", "not_found")

    for prefix in ("/v1", "/dify", "/api"):
        app.add_api_route(prefix + "/{rest:path}", unknown, include_in_schema=False,
                          methods=["GET", "POST", "PUT", "PATCH", "DELETE"])


def install(app: FastAPI, service) -> None:
    """Add the API's routes and error handlers to ``app`` (before Gradio is mounted at ``/``)."""
    app.state.api = ApiContext.for_service(service)
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
    app.include_router(openai.router)
    app.include_router(dify.router)
    app.include_router(router)
    _unknown_route(app)
