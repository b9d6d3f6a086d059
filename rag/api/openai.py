"""The OpenAI-compatible chat API: ``GET /v1/models``, ``POST /v1/chat/completions`` (plain or streamed).

The last user message is the question; the user messages before it are the
conversation, so a follow-up ("那非洲呢？") is understood. The answer keeps its
``[n]`` markers in ``choices[0].message.content`` and comes with a top-level
``references`` list (n, doc, title, locator, text, quoted, url of the source
viewer), ``abstained`` (an abstention is an ordinary message that says what the
documents do not contain) and ``notices``. A request may add ``doc_ids``
(document ids or facets such as ``kind:政府工作报告``) to search only those.

Streamed (``"stream": true``), the reply is server-sent events of
``chat.completion.chunk`` objects: the first carries the role, the
``references`` and ``abstained``; then the answer's text; the last carries
``finish_reason: "stop"`` and the ``references`` again; then ``data: [DONE]``.
The text sent is the checked answer — with an LLM configured, the model's
draft is checked (markers renumbered, unsupported sentences dropped) before
any of it is sent, so markers and references always agree.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Iterator, Literal, Union

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from rag.api.common import ApiError, authorize, bad_request, context, references
from rag.pipeline import MAX_QUESTION_CHARS, QuestionError

router = APIRouter(prefix="/v1", tags=["OpenAI-compatible chat"])


class TextPart(BaseModel):
    """One part of a message's content; only text parts are read."""

    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str | None = None


class Message(BaseModel):
    """One message of the conversation."""

    model_config = ConfigDict(extra="allow")
    role: str
    content: Union[str, list[TextPart], None] = None


class ChatRequest(BaseModel):
    """A chat-completions request; fields this server does not use (temperature, max_tokens…) are accepted."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(..., description="The name GET /v1/models lists.")
    messages: list[Message] = Field(..., description="The conversation; the last user message is the question.")
    stream: bool = False
    doc_ids: list[str] | None = Field(None, description="Search only these documents (ids or facets such as kind:条例).")


def _text(message: Message) -> str:
    if isinstance(message.content, list):
        return "".join(p.text or "" for p in message.content if p.type == "text")
    return message.content or ""


def conversation(messages: list[Message]) -> tuple[str, list[str]]:
    """The question (the last user message) and the user's earlier questions, oldest first."""
    users = [_text(m) for m in messages if m.role == "user" and _text(m).strip()]
    if not users:
        raise bad_request("The messages hold no user message with text: nothing to answer.", "no_user_message", "messages")
    question = users[-1]
    if len(question) > MAX_QUESTION_CHARS:
        raise bad_request(f"The question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}.",
                          "question_too_long", "messages")
    return question, users[:-1]


def _check_model(request: Request, model: str) -> None:
    name = context(request).service.settings.api_model
    if model != name:
        raise ApiError(404, f"The model '{model}' does not exist; this server offers '{name}' (GET /v1/models).",
                       "model_not_found", param="model")


def _completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


@router.get("/models", summary="The model this server offers")
def list_models(request: Request, caller: str = Depends(authorize)) -> dict:
    """One model: the assistant over the indexed documents."""
    ctx = context(request)
    return {"object": "list", "data": [
        {"id": ctx.service.settings.api_model, "object": "model", "created": int(ctx.service.started_at), "owned_by": "rag"}
    ]}


@router.post("/chat/completions", summary="Answer the last user message, with references")
def chat_completions(body: ChatRequest, request: Request, caller: str = Depends(authorize)):
    """An OpenAI chat completion (or, with ``stream``, its chunks as server-sent events); see the module doc."""
    _check_model(request, body.model)
    question, history = conversation(body.messages)
    ctx = context(request)
    try:
        with ctx.answering():
            result, notices = ctx.service.answer(question, history, body.doc_ids or [])
    except QuestionError as exc:
        raise bad_request(str(exc), "invalid_question", "messages") from exc
    extra = {
        "references": references(request, result),
        "abstained": result.answer.abstained,
        "notices": result.notices + result.answer.notices + notices,
        "searched": result.searched or result.question,
    }
    head = {"id": _completion_id(), "created": int(time.time()), "model": body.model}
    if body.stream:
        return StreamingResponse(_chunks(head, result.answer.text, extra), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return {
        **head,
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.answer.text},
                     "finish_reason": "stop", "logprobs": None}],
        **extra,
    }


def _chunks(head: dict, text: str, extra: dict) -> Iterator[str]:
    """The server-sent events of a streamed answer (see the module doc)."""

    def event(delta: dict, finish: Literal["stop"] | None = None, **more) -> str:
        chunk = {**head, "object": "chat.completion.chunk",
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **more}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""}, **extra)
    yield event({"content": text})
    yield event({}, "stop", **extra)
    yield "data: [DONE]\n\n"
