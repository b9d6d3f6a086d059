"""The conversation as the browser keeps it (``localStorage``, through ``gr.BrowserState``).

A reload, or a reconnect after a network blip (Gradio reloads the page when it
reconnects), starts a new server session; the conversation comes back from the
copy the browser holds. What is kept is what the page shows: each turn's
question, answer, citations (with their text and quoted sentences), related
passages, notices and rating — not the retrieved passages or timings, which
only the API reports.

A turn still being answered when the copy was written (the connection broke
mid-answer) is not restored as a turn: its question goes back into the
question box, to be sent again.
"""

from __future__ import annotations

VERSION = 1
MAX_TURNS = 40  # the newest turns kept; older ones drop off (localStorage holds about 5 MB)
MAX_TEXT = 6000  # characters of any one text kept
_RESULT_KEYS = ("id", "question", "answer", "abstained", "citations", "related", "notices", "searched", "lang", "mode")
_CITATION_KEYS = ("n", "doc", "locator", "text", "quoted", "document", "doc_title")
_TURN_KEYS = ("id", "question", "rating", "feedback_id", "doc_filter")


def _clip(value):
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, list):
        return [_clip(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clip(v) for k, v in value.items()}
    return value


def _slim_result(result: dict) -> dict:
    out = {k: _clip(result[k]) for k in _RESULT_KEYS if k in result}
    out["citations"] = [
        {k: _clip(c[k]) for k in _CITATION_KEYS if k in c} for c in result.get("citations") or [] if isinstance(c, dict)
    ]
    out["related"] = [_clip(r) for r in result.get("related") or [] if isinstance(r, dict)]
    return out


def stored_conversation(turns: list[dict], lang: str) -> dict:
    """What the browser keeps of a conversation: ``{"v", "lang", "turns", "pending"}``.

    Answered turns (and failed ones, with their message) are kept, the newest
    :data:`MAX_TURNS`; the question of a turn still being answered is kept as ``pending``."""
    kept, pending = [], ""
    for turn in turns or []:
        status = turn.get("status")
        if status == "done" and turn.get("result"):
            item = {k: _clip(turn.get(k)) for k in _TURN_KEYS}
            item["status"] = "done"
            item["result"] = _slim_result(turn["result"])
            kept.append(item)
        elif status == "error":
            item = {k: _clip(turn.get(k)) for k in _TURN_KEYS}
            item.update(status="error", error=_clip(turn.get("error") or ""), result=None)
            kept.append(item)
        elif status in ("pending", "streaming"):
            pending = _clip(turn.get("question") or "")
    return {"v": VERSION, "lang": lang if lang in ("zh", "en") else "zh", "turns": kept[-MAX_TURNS:], "pending": pending}


def restored_conversation(stored) -> tuple[list[dict], str | None, str]:
    """The turns, language and unsent question of a :func:`stored_conversation` copy.

    Anything unreadable — another version, a value edited by hand, a missing
    field — is dropped rather than trusted: ``([], None, "")`` at worst."""
    if not isinstance(stored, dict) or stored.get("v") != VERSION:
        return [], None, ""
    lang = stored.get("lang") if stored.get("lang") in ("zh", "en") else None
    turns = []
    for item in stored.get("turns") or []:
        if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
            continue
        turn = {
            "id": str(item.get("id") or ""),
            "question": item["question"][:MAX_TEXT],
            "partial": "",
            "rating": item.get("rating") if item.get("rating") in ("up", "down") else None,
            "feedback_id": item.get("feedback_id") if isinstance(item.get("feedback_id"), str) else None,
            "doc_filter": [str(d) for d in item.get("doc_filter") or [] if isinstance(d, str)],
            "error": None,
            "result": None,
        }
        result = item.get("result")
        if item.get("status") == "done" and isinstance(result, dict) and isinstance(result.get("answer"), str):
            citations = [c for c in result.get("citations") or [] if isinstance(c, dict) and str(c.get("n", "")).isdigit()]
            related = [r for r in result.get("related") or [] if isinstance(r, dict)]
            turn.update(status="done", result={**_slim_result(result), "citations": citations, "related": related})
            turn["result"].setdefault("abstained", False)
            turn["result"].setdefault("notices", [])
        elif item.get("status") == "error":
            turn.update(status="error", error=str(item.get("error") or ""))
        else:
            continue
        turns.append(turn)
    pending = stored.get("pending") if isinstance(stored.get("pending"), str) else ""
    return turns[-MAX_TURNS:], lang, pending[:MAX_TEXT]
