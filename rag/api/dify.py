"""Dify's External Knowledge API: ``POST /dify/retrieval``, so a Dify knowledge base retrieves from here.

Register ``http://<host>:<port>/dify`` as the external knowledge API's endpoint
(Dify appends ``/retrieval``). ``knowledge_id`` is the server's model name
(``RAG_API_MODEL``, all documents), a document id, or a facet
(``kind:…``, ``issuer:…``, ``year:…``); anything else is error 2001.
``metadata_condition`` filters the documents by their records (title, kind,
issuer, region, doc_number, year, written, published, effective, doc). Each
record is one passage: ``content`` its text, ``title`` its document's title,
``score`` its fused rank score relative to the best passage's (1.0), and
``metadata`` (never null) the document, the locator and the source viewer's
address. Errors are ``{"error_code", "error_msg"}``: 1001 bad Authorization
header, 1002 authorization failed, 2001 no such knowledge; otherwise the HTTP
status.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from rag.api.common import DIFY_NO_KNOWLEDGE, DIFY_PREFIX, ApiError, authorize, bad_request, context, source_url
from rag.pipeline import MAX_QUESTION_CHARS, QuestionError

router = APIRouter(prefix=DIFY_PREFIX, tags=["Dify external knowledge"])

MAX_TOP_K = 50


class RetrievalSetting(BaseModel):
    """How many records, and the lowest score kept."""

    model_config = ConfigDict(extra="allow")
    top_k: int = Field(5, ge=1, le=MAX_TOP_K)
    score_threshold: float = Field(0.0, ge=0.0, le=1.0)


class Condition(BaseModel):
    """One filter on a document field."""

    model_config = ConfigDict(extra="allow")
    name: str
    comparison_operator: str
    value: str | int | float | list[str] | None = None


class MetadataCondition(BaseModel):
    """Filters on the documents, joined by ``and`` (default) or ``or``."""

    model_config = ConfigDict(extra="allow")
    logical_operator: str = "and"
    conditions: list[Condition] = Field(default_factory=list)


class RetrievalRequest(BaseModel):
    """Dify's retrieval request."""

    model_config = ConfigDict(extra="allow")
    knowledge_id: str
    query: str
    retrieval_setting: RetrievalSetting = Field(default_factory=RetrievalSetting)
    metadata_condition: MetadataCondition | None = None


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def matches(fields: dict, cond: Condition) -> bool:
    """Whether a document's ``fields`` meet one condition (Dify's operators; dates compare as YYYY-MM-DD)."""
    op = cond.comparison_operator.strip().lower()
    have = fields.get(cond.name)
    text = "" if have is None else str(have)
    want = cond.value
    values = [str(v) for v in want] if isinstance(want, list) else [str(want)] if want is not None else []
    first = values[0] if values else ""
    tests = {
        "contains": lambda: first in text, "not contains": lambda: first not in text,
        "start with": lambda: text.startswith(first), "end with": lambda: text.endswith(first),
        "is": lambda: text == first, "is not": lambda: text != first,
        "in": lambda: text in values, "not in": lambda: text not in values,
        "empty": lambda: not text, "not empty": lambda: bool(text),
        "before": lambda: bool(text) and text < first, "after": lambda: bool(text) and text > first,
    }
    if op in tests:
        return tests[op]()
    a, b = _number(have), _number(first)
    if a is None or b is None:
        return False
    numeric = {"=": a == b, "≠": a != b, "!=": a != b, ">": a > b, "<": a < b,
               "≥": a >= b, ">=": a >= b, "≤": a <= b, "<=": a <= b}
    if op not in numeric:
        raise bad_request(f"Unknown comparison_operator '{cond.comparison_operator}'.", "invalid_condition")
    return numeric[op]


def _fields(info) -> dict:
    record = dict(info.record or {})
    record.update(doc=info.doc_id, title=record.get("title") or info.title)
    record.pop("fields", None)
    return record


def _selected(service, knowledge_id: str, condition: MetadataCondition | None) -> list[str] | None:
    """The documents to search (None: all), or an :class:`ApiError` 2001."""
    docs = None
    if knowledge_id != service.settings.api_model:
        docs, unmatched = service.known_doc_ids([knowledge_id])
        if unmatched:
            raise ApiError(404, f"The knowledge '{knowledge_id}' does not exist.", "knowledge_not_found",
                           dify_code=DIFY_NO_KNOWLEDGE)
    if condition is None or not condition.conditions:
        return docs
    join = all if condition.logical_operator.strip().lower() != "or" else any
    infos = [i for i in service.documents() if docs is None or i.doc_id in docs]
    return [i.doc_id for i in infos if join(matches(_fields(i), c) for c in condition.conditions)]


@router.post("/retrieval", summary="Dify external knowledge retrieval")
def retrieval(body: RetrievalRequest, request: Request, caller: str = Depends(authorize)) -> dict:
    """The passages for ``query`` as Dify records (see the module doc)."""
    ctx = context(request)
    service = ctx.service
    if len(body.query) > MAX_QUESTION_CHARS:
        raise bad_request(f"The query is {len(body.query)} characters long; the limit is {MAX_QUESTION_CHARS}.")
    docs = _selected(service, body.knowledge_id, body.metadata_condition)
    if docs is not None and not docs:
        return {"records": []}
    setting = body.retrieval_setting
    assistant = service.assistant
    try:
        with ctx.answering():
            hits = assistant.search(body.query, setting.top_k, docs)
    except QuestionError as exc:
        raise bad_request(str(exc), "invalid_query") from exc
    facts = assistant.document_facts({h.passage.doc_id for h in hits})
    best = hits[0].score if hits else 1.0
    records = []
    for h in hits:
        score = round(h.score / best, 4) if best > 0 else 0.0
        if score < setting.score_threshold:
            continue
        d = facts.get(h.passage.doc_id, {})
        records.append({
            "content": h.passage.text,
            "score": score,
            "title": d.get("title") or h.passage.doc_title,
            "metadata": {
                "doc": h.passage.doc_id, "passage": h.passage.id, "locator": h.passage.locator,
                "issuer": d.get("issuer", ""), "date": d.get("date", ""), "kind": d.get("kind", ""),
                "doc_number": d.get("doc_number", ""), "url": source_url(request, h.passage.doc_id, h.passage.id),
            },
        })
    return {"records": records}
