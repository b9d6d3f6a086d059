"""User feedback on answers: an append-only JSONL log a maintainer can mine.

Each thumbs-up/down in the app appends one complete record — the question, the
question as searched, the answer, its citations, the rating, an optional
comment and the time — so a bad answer can be turned into a new evaluation
question without looking anything else up. A comment added after the thumb
click appends a second record with the same ``id``; :func:`read_feedback`
returns the latest record per id.

Appends are serialised with a lock file, so several app processes may share
one log.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 2000


def new_feedback_id() -> str:
    """A fresh id for one rated answer."""
    return uuid.uuid4().hex[:16]


def make_record(
    feedback_id: str,
    rating: str,
    result: dict,
    comment: str | None = None,
    doc_filter: list[str] | None = None,
    generation: str | None = None,
    ui_lang: str | None = None,
) -> dict:
    """One feedback line from an answer's ``Result.to_dict()`` (see :mod:`rag.pipeline`)."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS] or None
    return {
        "id": feedback_id,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "rating": rating,
        "comment": comment,
        "question": result.get("question"),
        "searched": result.get("searched"),
        "answer": result.get("answer"),
        "abstained": result.get("abstained"),
        "citations": [
            {k: c.get(k) for k in ("n", "doc", "doc_title", "locator", "text", "quoted")}
            for c in result.get("citations", [])
        ],
        "related": [{k: r.get(k) for k in ("doc", "locator")} for r in result.get("related", [])],
        "mode": result.get("mode"),
        "lang": result.get("lang"),
        "doc_filter": list(doc_filter or []),
        "index_generation": generation,
        "ui_lang": ui_lang,
    }


@dataclass
class FeedbackLog:
    """The JSONL file feedback is appended to (``Settings.feedback_path``)."""

    path: Path

    def append(self, record: dict) -> None:
        """Append one record as one line (creates the folder and file when needed)."""
        from filelock import FileLock

        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False)
        with FileLock(str(path) + ".lock", timeout=10):
            with open(path, "a", encoding="utf-8") as f:
                f.write(line + "\n")


def read_feedback(path: Path) -> list[dict]:
    """The log's records, the latest per ``id``, in order of first appearance.

    Lines that are not valid JSON (a crash mid-write) are skipped.
    """
    path = Path(path)
    if not path.exists():
        return []
    latest: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        key = str(record.get("id") or len(latest))
        latest[key] = record
    return list(latest.values())
