"""HTML for the app, built here and nowhere else.

Every piece of text that comes from a document, a question or an answer goes
through :func:`esc` (``html.escape``) before it is placed in markup; the only
markup is what these functions write themselves. So a question such as
``<img src=x onerror=alert(1)>`` is shown as those characters, never run.

Turns (one question and its answer) are plain dicts kept in the session:

    {"id", "question", "status": "pending"|"streaming"|"done"|"error",
     "partial": str, "result": Result.to_dict() | None, "error": str | None,
     "rating": None|"up"|"down", "feedback_id": str | None}
"""

from __future__ import annotations

import html
import re
import time
from typing import Iterable

from rag.app.texts import EXAMPLES, PERSONAS, tr

_MARKER_RE = re.compile(r"\[(\d{1,2})\]")


def _svg(path: str, size: int = 16) -> str:
    return (
        f'<svg class="rag-icon" viewBox="0 0 24 24" width="{size}" height="{size}" aria-hidden="true" focusable="false">'
        f'<path fill="currentColor" d="{path}"/></svg>'
    )


# Icons as inline SVG (Material Design paths): no emoji font needed on the machine.
ICON_UP = _svg("M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z")
ICON_DOWN = _svg("M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z")
ICON_COPY = _svg("M16 1H4c-1.1 0-2 .9-2 2v14h2V3h12V1zm3 4H8c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h11c1.1 0 2-.9 2-2V7c0-1.1-.9-2-2-2zm0 16H8V7h11v14z")
ICON_DOC = _svg("M14 2H6c-1.1 0-1.99.9-1.99 2L4 20c0 1.1.89 2 1.99 2H18c1.1 0 2-.9 2-2V8l-6-6zm2 16H8v-2h8v2zm0-4H8v-2h8v2zm-3-5V3.5L18.5 9H13z", 36)
ICON_NOT_FOUND = _svg("M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zM4 12c0-4.42 3.58-8 8-8 1.85 0 3.55.63 4.9 1.69L5.69 16.9C4.63 15.55 4 13.85 4 12zm8 8c-1.85 0-3.55-.63-4.9-1.69L18.31 7.1C19.37 8.45 20 10.15 20 12c0 4.42-3.58 8-8 8z", 14)
_WS_RE = re.compile(r"\s+")


def esc(text) -> str:
    """Escape any value for use as HTML text or a quoted attribute value."""
    return html.escape("" if text is None else str(text), quote=True)


_ADDRESS_FIELDS = ("原文链接", "原文地址", "原文网址", "网址", "链接", "来源网址", "url", "URL", "source_url", "address")


def source_address(record) -> str:
    """The original's web address when the document record knows it (its information table), else ""."""
    if record is None:
        return ""
    fields = getattr(record, "fields", None) or {}
    for key in _ADDRESS_FIELDS:
        value = str(fields.get(key) or "").strip()
        if value.startswith(("http://", "https://")):
            return value
    name = str(getattr(record, "source_name", "") or "")
    return name if name.startswith(("http://", "https://")) else ""


def record_facts(record, lang: str) -> list[tuple[str, str]]:
    """What a citation, the source viewer and an export show of a document, as (label, value) pairs:
    kind, issuer, each date the document states (成文, 发布, 施行), 文号 and, where known, the original's address.

    ``record`` is a :class:`rag.documents.DocumentRecord` (None gives nothing)."""
    if record is None:
        return []
    facts = []
    if record.kind:
        facts.append((tr(lang, "fact_kind"), record.kind))
    if record.issuer:
        facts.append((tr(lang, "fact_issuer"), record.issuer))
    for key, value in (("date_written", record.written), ("date_published", record.published),
                       ("date_effective", record.effective)):
        if value:
            facts.append((tr(lang, key), value))
    if record.doc_number:
        facts.append((tr(lang, "fact_number"), record.doc_number))
    address = source_address(record)
    if address:
        facts.append((tr(lang, "fact_address"), address))
    return facts


def facts_html(record, lang: str, cls: str = "rag-facts") -> str:
    """:func:`record_facts` as a line of labelled facts (the address as a link opening in a new tab)."""
    items = []
    for label, value in record_facts(record, lang):
        if value.startswith(("http://", "https://")):
            shown = f'<a href="{esc(value)}" target="_blank" rel="noopener noreferrer">{esc(value)}</a>'
        else:
            shown = esc(value)
        items.append(f'<span class="rag-fact"><span class="rag-fact-k">{esc(label)}</span> {shown}</span>')
    return f'<div class="{cls}">{"".join(items)}</div>' if items else ""


def short_locator(locator: str, title: str | None) -> str:
    """The locator without the document title it starts with ("第二章 … › 第3段")."""
    if title and locator.startswith(title):
        rest = locator[len(title) :].lstrip(" ›")
        return rest or locator
    return locator


def with_ocr_mark(locator: str, item: dict) -> str:
    """A citation's locator followed by its OCR mark ("… › 第3页 · OCR识别 96%") when its text was read by OCR."""
    return f"{locator} · {item['ocr']}" if item.get("ocr") else locator


def _norm_map(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and for each kept character its index in ``text``."""
    kept, index = [], []
    for i, c in enumerate(text):
        if not c.isspace():
            kept.append(c)
            index.append(i)
    return "".join(kept), index


def find_spans(text: str, sentences: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of ``sentences`` in ``text`` (whitespace-insensitive), merged and sorted."""
    norm, index = _norm_map(text)
    spans = []
    for sentence in sentences:
        needle = _WS_RE.sub("", sentence or "")
        if len(needle) < 2:
            continue
        start = norm.find(needle)
        while start >= 0:
            end = start + len(needle)
            spans.append((index[start], index[end - 1] + 1))
            start = norm.find(needle, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def mark_sentences(text: str, sentences: Iterable[str], tag: str = "mark") -> str:
    """``text`` escaped, with each of ``sentences`` found in it wrapped in ``<mark>``."""
    out, pos = [], 0
    for a, b in find_spans(text, sentences):
        out.append(esc(text[pos:a]))
        out.append(f'<{tag} class="rag-quote">{esc(text[a:b])}</{tag}>')
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def answer_html(text: str, turn: int, citations: dict[int, dict] | None, live: bool = True) -> str:
    """The answer text escaped, each ``[n]`` naming a citation turned into a button."""
    citations = citations or {}
    out, pos = [], 0
    for m in _MARKER_RE.finditer(text):
        out.append(esc(text[pos : m.start()]))
        n = int(m.group(1))
        cit = citations.get(n)
        if cit is not None and live:
            title = f"[{n}] {cit.get('locator', '')}"
            out.append(
                f'<button type="button" class="rag-marker" data-action="cite" data-turn="{turn}" '
                f'data-n="{n}" title="{esc(title)}" aria-label="{esc(title)}">[{n}]</button>'
            )
        else:
            out.append(f'<span class="rag-marker rag-marker-dead">[{n}]</span>')
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def sentence_prefixes(text: str) -> list[str]:
    """Growing prefixes of an answer, one more sentence (ending at its ``[n]``, or a line) each time."""
    cuts = [m.end() for m in re.finditer(r"(\[\d{1,2}\])+|\n", text)]
    prefixes = [text[:c] for c in cuts if 0 < c < len(text)]
    return [p for i, p in enumerate(prefixes) if p.strip() and (i == 0 or p != prefixes[i - 1])] + [text]


# ---------------------------------------------------------------- plain text (copy)
def plain_text(turn: dict, lang: str) -> str:
    """An answer with its sources as plain text, for the clipboard."""
    result = turn.get("result") or {}
    lines = [f"{tr(lang, 'plain_q')}：{turn.get('question', '')}" if lang == "zh" else f"Q: {turn.get('question', '')}"]
    searched = result.get("searched")
    if searched and searched != result.get("question"):
        lines.append(f"（{tr(lang, 'searched_prefix')}{searched}）" if lang == "zh" else f"({tr(lang, 'searched_prefix')} {searched})")
    answer = result.get("answer", "")
    if result.get("abstained"):
        answer = answer.split("\n", 1)[0]
    lines.append(f"{tr(lang, 'plain_a')}：{answer}" if lang == "zh" else f"A: {answer}")
    if result.get("citations"):
        lines.append("")
        lines.append(f"{tr(lang, 'plain_sources')}：" if lang == "zh" else f"{tr(lang, 'plain_sources')}:")
        for c in result["citations"]:
            lines.append(f"[{c['n']}] {with_ocr_mark(c.get('locator', ''), c)}")
            for q in c.get("quoted") or []:
                lines.append(f"    “{q}”")
    elif result.get("related"):
        lines.append("")
        lines.append(f"{tr(lang, 'plain_related')}：" if lang == "zh" else f"{tr(lang, 'plain_related')}:")
        for r in result["related"]:
            lines.append(f"- {r.get('locator', '')}")
    return "\n".join(lines)


# ---------------------------------------------------------------- conversation
def _card(turn: int, c: dict, titles: dict[str, str], lang: str, records: dict | None = None) -> str:
    record = (records or {}).get(c.get("doc", ""))
    doc = c.get("document") or {}
    title = (record.title if record else "") or doc.get("title") or c.get("doc_title") or titles.get(c.get("doc", ""), c.get("doc", ""))
    n = int(c["n"])
    if record is not None:
        facts_block = facts_html(record, lang, "rag-facts rag-card-doc")
    else:  # the document is no longer indexed: what the answer recorded of it
        facts = " · ".join(x for x in (doc.get("kind"), doc.get("issuer"), doc.get("date"), doc.get("doc_number")) if x)
        facts_block = f'<div class="rag-card-doc">{esc(facts)}</div>' if facts else ""
    old = f'<span class="rag-card-old">{esc(tr(lang, "not_latest"))}</span>' if doc.get("superseded") else ""
    return (
        f'<div class="rag-card" id="rag-t{turn}-c{n}" data-turn="{turn}" data-n="{n}">'
        f'<div class="rag-card-head"><button type="button" class="rag-card-n" data-action="cite" '
        f'data-turn="{turn}" data-n="{n}">[{n}]</button>'
        f'<span class="rag-card-title">{esc(title)}</span>{old}</div>'
        + facts_block
        + f'<div class="rag-card-loc">{esc(with_ocr_mark(short_locator(c.get("locator", ""), title), c))}</div>'
        f'<div class="rag-card-text">{mark_sentences(c.get("text", ""), c.get("quoted") or [])}</div>'
        f'<button type="button" class="rag-link" data-action="cite" data-turn="{turn}" data-n="{n}">'
        f'{esc(tr(lang, "open_source"))} →</button></div>'
    )


def _related_card(turn: int, i: int, r: dict, titles: dict[str, str], lang: str, records: dict | None = None) -> str:
    record = (records or {}).get(r.get("doc", ""))
    title = titles.get(r.get("doc", ""), r.get("doc", ""))
    return (
        f'<div class="rag-card rag-card-related" data-turn="{turn}" data-i="{i}">'
        f'<div class="rag-card-head"><span class="rag-related-tag">{esc(tr(lang, "related_title"))}</span>'
        f'<span class="rag-card-title">{esc(title)}</span></div>'
        + facts_html(record, lang, "rag-facts rag-card-doc") +
        f'<div class="rag-card-loc">{esc(with_ocr_mark(short_locator(r.get("locator", ""), title), r))}</div>'
        f'<div class="rag-card-text">{esc(r.get("text", "")).replace(chr(10), "<br>")}</div>'
        f'<button type="button" class="rag-link" data-action="related" data-turn="{turn}" data-i="{i}">'
        f'{esc(tr(lang, "open_source"))} →</button></div>'
    )


def _notices(notices: list[str], lang: str) -> str:
    if not notices:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notices)
    return f'<ul class="rag-notices" aria-label="{esc(tr(lang, "notice"))}">{items}</ul>'


def _actions(turn_i: int, turn: dict, lang: str) -> str:
    rating = turn.get("rating")
    def thumb(value: str, icon: str) -> str:  # icon: trusted SVG markup
        pressed = "true" if rating == value else "false"
        label = tr(lang, "rated_" + value) if rating == value else tr(lang, "rate_" + value)
        return (
            f'<button type="button" class="rag-act rag-rate rag-rate-{value}" data-action="rate" '
            f'data-turn="{turn_i}" data-rating="{value}" aria-pressed="{pressed}" title="{esc(label)}" '
            f'aria-label="{esc(label)}">{icon}</button>'
        )
    copy = tr(lang, "copy")
    return (
        '<div class="rag-actions">'
        + thumb("up", ICON_UP)
        + thumb("down", ICON_DOWN)
        + f'<button type="button" class="rag-act rag-copy" data-action="copy" data-turn="{turn_i}" '
        f'data-label="{esc(copy)}" data-done="{esc(tr(lang, "copied"))}">{ICON_COPY}'
        f'<span class="rag-copy-label">{esc(copy)}</span></button>'
        + f'<textarea class="rag-copy-src" hidden readonly aria-hidden="true">{esc(plain_text(turn, lang))}</textarea>'
        + "</div>"
    )


def render_turn(i: int, turn: dict, lang: str, titles: dict[str, str], records: dict | None = None) -> str:
    """One question and its answer (in whatever state it is)."""
    q = (
        f'<div class="rag-q"><div class="rag-q-bubble"><span class="rag-sr">{esc(tr(lang, "you"))}: </span>'
        f"{esc(turn.get('question', '')).replace(chr(10), '<br>')}</div></div>"
    )
    status = turn.get("status")
    result = turn.get("result") or {}
    searched = result.get("searched") or turn.get("searched")
    searched_html = ""
    if searched and searched != (result.get("question") or turn.get("question")):
        searched_html = (
            f'<div class="rag-searched"><span>{esc(tr(lang, "searched_prefix"))}</span> '
            f"<q>{esc(searched)}</q></div>"
        )
    if status == "error":
        a = (
            f'<div class="rag-a rag-error" data-state="error" role="alert">'
            f'<div class="rag-error-title">{esc(tr(lang, "error_title"))}</div>'
            f"<div>{esc(turn.get('error', ''))}</div></div>"
        )
    elif status in ("pending", "streaming") and not turn.get("partial"):
        a = (
            f'<div class="rag-a rag-pending" data-state="pending" aria-live="polite">{searched_html}'
            f'<span class="rag-dots" aria-hidden="true"><i></i><i></i><i></i></span>'
            f"{esc(tr(lang, 'searching' if status == 'pending' else 'writing'))}</div>"
        )
    elif status in ("pending", "streaming"):
        cits = {int(c["n"]): c for c in result.get("citations", [])} if result else {}
        a = (
            f'<div class="rag-a rag-streaming" data-state="streaming" aria-live="polite">{searched_html}'
            f'<div class="rag-answer-text">{answer_html(turn["partial"], i, cits, live=bool(cits))}'
            f'<span class="rag-caret" aria-hidden="true"></span></div></div>'
        )
    elif result.get("abstained"):
        related = "".join(_related_card(i, j, r, titles, lang, records) for j, r in enumerate(result.get("related", [])))
        first_line = (result.get("answer") or "").split("\n", 1)[0]
        a = (
            f'<div class="rag-a rag-abstain" data-state="abstained">{searched_html}'
            f'<div class="rag-nf-badge">{ICON_NOT_FOUND} {esc(tr(lang, "notfound_badge"))}</div>'
            f'<div class="rag-nf-text">{esc(first_line)}</div>'
            + _notices(result.get("notices", []), lang)
            + (
                f'<div class="rag-nf-hint">{esc(tr(lang, "notfound_hint"))}</div><div class="rag-related">{related}</div>'
                if related
                else ""
            )
            + _actions(i, turn, lang)
            + "</div>"
        )
    else:
        cits = {int(c["n"]): c for c in result.get("citations", [])}
        cards = "".join(_card(i, c, titles, lang, records) for c in result.get("citations", []))
        a = (
            f'<div class="rag-a rag-answer" data-state="answer">{searched_html}'
            f'<div class="rag-answer-text">{answer_html(result.get("answer", ""), i, cits)}</div>'
            + _notices(result.get("notices", []), lang)
            + (
                f'<div class="rag-cites"><div class="rag-cites-title">{esc(tr(lang, "citations_title"))}</div>{cards}</div>'
                if cards
                else ""
            )
            + _actions(i, turn, lang)
            + "</div>"
        )
    return f'<div class="rag-turn" data-turn="{i}" data-status="{esc(status)}" data-q="{esc(turn.get("question", "").strip())}">{q}{a}</div>'


def render_welcome(lang: str, docs: list, examples: bool = True) -> str:
    return (
        '<div class="rag-welcome">'
        f'<div class="rag-welcome-title">{esc(tr(lang, "welcome_title"))}</div>'
        f'<div class="rag-welcome-body">{esc(tr(lang, "welcome_body"))}</div>'
        + render_corpus_note(docs, lang)
        + "</div>"
    )


def render_chat(turns: list[dict], lang: str, docs: list | None = None, notice: str = "") -> str:
    """The whole conversation (or the welcome panel when it is empty); ``notice``, when given, is shown
    above it (that the conversation was restored from the browser)."""
    docs = docs or []
    titles = {d.doc_id: d.title for d in docs}
    records = {d.doc_id: d.document_record() for d in docs if hasattr(d, "document_record")}
    if not turns:
        body = render_welcome(lang, docs)
    else:
        body = "".join(render_turn(i, t, lang, titles, records) for i, t in enumerate(turns))
    if notice:
        body = f'<div class="rag-restored" role="status">{esc(notice)}</div>' + body
    return f'<div class="rag-chat" lang="{"zh-CN" if lang == "zh" else "en"}">{body}</div>'


def render_examples(lang: str) -> str:
    """Example questions per persona, as clickable chips."""
    groups = []
    for persona in PERSONAS:
        chips = "".join(
            f'<button type="button" class="rag-chip" data-action="example" data-q="{esc(q)}">{esc(q)}</button>'
            for q in EXAMPLES[persona]
        )
        groups.append(
            f'<div class="rag-persona" data-persona="{persona}"><span class="rag-persona-label">'
            f'{esc(tr(lang, "persona_" + persona))}</span><div class="rag-chips">{chips}</div></div>'
        )
    return (
        f'<div class="rag-examples"><div class="rag-examples-title">{esc(tr(lang, "examples_title"))}</div>'
        + "".join(groups)
        + "</div>"
    )


def render_corpus_note(docs: list, lang: str) -> str:
    """A short note on what the corpus contains."""
    if not docs:
        return f'<div class="rag-note"><b>{esc(tr(lang, "corpus_title"))}</b>：{esc(tr(lang, "corpus_empty"))}</div>'
    total = sum(d.passages for d in docs)
    items = "".join(
        f'<li><span class="rag-note-doc">{esc(d.title)}</span> '
        f'<span class="rag-note-count">{d.passages} {esc(tr(lang, "passages_unit"))}</span></li>'
        for d in docs
    )
    sep = "：" if lang == "zh" else ": "
    return (
        f'<div class="rag-note"><b>{esc(tr(lang, "corpus_title"))}</b>{sep}'
        f'{esc(tr(lang, "corpus_intro", n=len(docs), p=total))}<ul>{items}</ul>'
        f'<div class="rag-note-outro">{esc(tr(lang, "corpus_outro"))}</div></div>'
    )


# ---------------------------------------------------------------- source viewer
def locate_passage(paragraphs: list[str], passage_text: str, locator: str = "") -> tuple[int, int] | None:
    """The paragraphs (first, last index) a passage was cut from, or None.

    A passage is one or more consecutive paragraphs, or a piece of a long one,
    joined by newlines. When the same text occurs twice, the occurrence under
    the headings the locator names wins.
    """
    from rag.headings import classify_heading

    lines = [_WS_RE.sub("", ln) for ln in passage_text.split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        return None
    paras = [_WS_RE.sub("", p) for p in paragraphs]
    candidates = []
    for i, p in enumerate(paras):
        if lines[0] not in p:
            continue
        j, ok = i, True
        for line in lines[1:]:
            if line in paras[j]:  # another piece of the same long paragraph
                continue
            if j + 1 < len(paras) and line in paras[j + 1]:
                j += 1
            else:
                ok = False
                break
        if ok:
            candidates.append((i, j))
    if not candidates:
        return None
    if len(candidates) == 1 or not locator:
        return candidates[0]
    flat = _WS_RE.sub("", locator)

    def score(c: tuple[int, int]) -> int:
        hits = 0
        for k in range(c[0] - 1, -1, -1):
            h = classify_heading(paragraphs[k])
            if h is not None and _WS_RE.sub("", h.label_text) in flat:
                hits += 1
            if h is not None and h.kind in ("chapter",):
                break
        return hits

    return max(candidates, key=score)


def _viewer_bar(lang: str) -> str:
    """The viewer's top bar on a phone (where it opens as an overlay): a back button."""
    return (
        f'<div class="rag-viewer-bar"><button type="button" class="rag-viewer-back" data-action="close-viewer" '
        f'aria-label="{esc(tr(lang, "viewer_back"))}">← {esc(tr(lang, "viewer_back"))}</button></div>'
    )


def render_viewer(
    lang: str,
    doc=None,
    passage: dict | None = None,
    quoted: list[str] | None = None,
    missing: bool = False,
    record=None,
) -> str:
    """The source viewer: the whole document, the cited passage highlighted (``.rag-target``).

    ``doc`` is a :class:`rag.cleaning.CleanDocument`; ``passage`` a citation or
    related-passage dict (``doc``, ``locator``, ``text``); ``record`` the document's
    :class:`rag.documents.DocumentRecord` (title, kind, issuer, dates, 文号, address).
    A viewer showing a document carries ``data-open="1"``: on a phone it covers the screen
    until its back button is pressed.
    """
    if missing:
        return f'<div class="rag-viewer rag-viewer-empty" data-open="1">{_viewer_bar(lang)}{esc(tr(lang, "viewer_missing"))}</div>'
    if doc is None or passage is None:
        return (
            f'<div class="rag-viewer rag-viewer-empty"><div class="rag-viewer-icon">{ICON_DOC}</div>'
            f'{esc(tr(lang, "viewer_empty"))}</div>'
        )
    from rag.headings import classify_heading

    quoted = quoted or []
    texts = [p.text for p in doc.paragraphs]
    span = locate_passage(texts, passage.get("text", ""), passage.get("locator", ""))
    meta = []
    if doc.source_name:
        meta.append(esc(tr(lang, "fact_file")) + " " + esc(doc.source_name))
    if doc.page_count:
        meta.append(esc(tr(lang, "viewer_pages", n=doc.page_count)))
    title = (record.title if record is not None and record.title else "") or doc.title
    head = (
        '<div class="rag-viewer-head">'
        f'<div class="rag-viewer-title">{esc(title)}</div>'
        + facts_html(record, lang, "rag-facts rag-viewer-facts")
        + f'<div class="rag-viewer-meta">{" · ".join(meta)}</div>'
        f'<div class="rag-viewer-loc">{esc(with_ocr_mark(short_locator(passage.get("locator", ""), doc.title), passage))}</div>'
        + (
            f'<div class="rag-legend"><mark class="rag-quote">&nbsp;&nbsp;&nbsp;</mark> {esc(tr(lang, "quoted_legend"))}</div>'
            if quoted
            else ""
        )
        + "</div>"
    )
    body = []
    if span is None:
        body.append(
            f'<div class="rag-target" id="rag-target"><div class="rag-target-note">'
            f'{esc(tr(lang, "viewer_passage_missing"))}</div>'
            f'<p class="rag-p">{mark_sentences(passage.get("text", ""), quoted)}</p></div>'
        )
    page = None
    for k, para in enumerate(doc.paragraphs):
        if para.page is not None and para.page != page:
            if page is not None:
                body.append(f'<div class="rag-page-sep">{esc(tr(lang, "viewer_page", n=para.page))}</div>')
            page = para.page
        if span is not None and k == span[0]:
            body.append('<div class="rag-target" id="rag-target">')
        h = classify_heading(para.text)
        cls = f"rag-p rag-h rag-h-{h.kind}" if h is not None else "rag-p"
        inside = span is not None and span[0] <= k <= span[1]
        content = mark_sentences(para.text, quoted) if inside else esc(para.text)
        body.append(f'<p class="{cls}" data-i="{k}">{content}</p>')
        if span is not None and k == span[1]:
            body.append("</div>")
    return (
        f'<div class="rag-viewer" data-doc="{esc(doc.doc_id)}" data-open="1">{_viewer_bar(lang)}{head}'
        f'<div class="rag-viewer-body" tabindex="0">{"".join(body)}</div></div>'
    )


# ---------------------------------------------------------------- admin
def render_docs_table(docs: list, lang: str) -> str:
    """The indexed documents as a table."""
    if not docs:
        return f'<div class="rag-note">{esc(tr(lang, "corpus_empty"))}</div>'
    head = "".join(
        f"<th>{esc(tr(lang, k))}</th>"
        for k in ("col_title", "col_id", "col_source", "col_dates", "col_passages", "col_pages", "col_indexed")
    )
    rows = []
    for d in docs:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(d.indexed_at)) if d.indexed_at else ""
        record = d.document_record()
        title = esc(d.title)
        if record.title_from == "file name":  # no title found in the document: say so
            title += f' <span class="rag-tag">{esc(tr(lang, "title_from_file_name"))}</span>'
        if record.ocr_summary():  # read by OCR: which pages, and those read with low confidence
            title += f' <span class="rag-tag rag-tag-ocr">{esc(record.ocr_summary())}</span>'
        # Each date as the document states it (成文, 发布, 施行); none is guessed.
        dates = "<br>".join(
            f"{esc(tr(lang, key))} {esc(value)}"
            for key, value in (("date_written", record.written), ("date_published", record.published),
                               ("date_effective", record.effective))
            if value
        ) or "—"
        rows.append(
            f'<tr data-doc="{esc(d.doc_id)}"><td>{title}</td><td><code>{esc(d.doc_id)}</code></td>'
            f"<td>{esc(d.source_name)}</td><td>{dates}</td><td class=\"rag-num\">{d.passages}</td>"
            f"<td class=\"rag-num\">{esc(d.pages or '—')}</td><td>{esc(when)}</td></tr>"
        )
    return f'<table class="rag-docs"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def render_targets(rows: list[dict], lang: str) -> str:
    """The 目标完成情况 table: target, result, verdict and both sources per row."""
    if not rows:
        return f'<div class="rag-note">{esc(tr(lang, "targets_none"))}</div>'
    head = "".join(f"<th>{esc(h)}</th>" for h in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in row.values()) + "</tr>" for row in rows)
    return f'<table class="rag-docs rag-targets"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_message(text: str, kind: str = "info") -> str:
    """A status message box (kind: info, ok, error)."""
    if not text:
        return ""
    role = ' role="alert"' if kind == "error" else ' role="status"'
    return f'<div class="rag-msg rag-msg-{kind}"{role}>{esc(text).replace(chr(10), "<br>")}</div>'


# ---------------------------------------------------------------- retrieval test (检索测试)
def _num(value, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_console(report, lang: str) -> str:
    """A :class:`rag.app.console.ConsoleReport` as HTML: the question analysed, the ranked passages with
    their BM25, vector and fused ranks and scores, and each gate rule's verdict with its reason code."""
    none = esc(tr(lang, "console_none"))
    sep = "：" if lang == "zh" else ": "

    def row(label: str, value: str) -> str:
        return f'<tr><th>{esc(label)}</th><td>{value or none}</td></tr>'

    def chips(items) -> str:
        return "".join(f'<code class="rag-term">{esc(t)}</code>' for t in items)

    analysis = (
        f'<h4>{esc(tr(lang, "console_query"))}</h4><table class="rag-kv rag-console-query">'
        + row(tr(lang, "console_searched"), esc(report.searched))
        + row(tr(lang, "console_parts"), "<br>".join(esc(p) for p in report.parts))
        + row(tr(lang, "console_terms"), chips(report.terms))
        + row(tr(lang, "console_topic"), chips(report.topic_terms))
        + row(tr(lang, "console_fields"), "<br>".join(f"<code>{esc(k)}</code> {esc(v)}" for k, v in report.conditions))
        + "</table>"
    )
    head = "".join(
        f"<th>{esc(tr(lang, k))}</th>"
        for k in ("console_rank", "console_fused", "console_bm25", "console_vector", "console_passage")
    )
    rows = []
    for p in report.passages:
        bm25 = f"{p.bm25_rank if p.bm25_rank is not None else '—'} / {_num(p.bm25, 3)}"
        vec = f"{p.vector_rank if p.vector_rank is not None else '—'} / {_num(p.vector, 4)}"
        text = p.text if len(p.text) <= 160 else p.text[:160] + "…"
        rows.append(
            f'<tr class="rag-console-hit" data-rank="{p.rank}" data-doc="{esc(p.doc)}">'
            f'<td class="rag-num">{p.rank}</td><td class="rag-num rag-fused">{_num(p.fused, 4)}</td>'
            f'<td class="rag-num rag-bm25">{esc(bm25)}</td><td class="rag-num rag-vector">{esc(vec)}</td>'
            f'<td><div class="rag-card-title">{esc(p.title)}</div>'
            f'<div class="rag-card-loc">{esc(short_locator(p.locator, p.title))}</div>'
            f'<div class="rag-console-text">{esc(text)}</div></td></tr>'
        )
    passages = (
        f'<h4>{esc(tr(lang, "console_passages"))}</h4>'
        f'<table class="rag-docs rag-console-passages"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    outcome_key = "console_outcome_answer" if report.answered else "console_outcome_abstain"
    outcome = esc(tr(lang, outcome_key)) + (f" <code>{esc(report.abstain_reason)}</code>" if report.abstain_reason else "")
    evidence = "".join(f"<li>{esc(s)}</li>" for s in report.evidence) or f"<li>{none}</li>"
    vrows = []
    for v in report.verdicts:
        verdict = tr(lang, "console_pass") if v.passed else tr(lang, "console_refuse") if not v.error else "error"
        note = esc(v.reason or v.error or "")
        if v.deciding:
            note += f' <b>{esc(tr(lang, "console_deciding"))}</b>'
        deciding = ' data-deciding="1"' if v.deciding else ""
        vrows.append(
            f'<tr class="rag-verdict" data-code="{esc(v.code)}" data-passed="{"1" if v.passed else "0"}"'
            f'{deciding}><td><code>{esc(v.code)}</code></td>'
            f'<td class="rag-verdict-{"pass" if v.passed else "refuse"}">{esc(verdict)}</td><td>{note}</td></tr>'
        )
    gate = (
        f'<h4>{esc(tr(lang, "console_gate"))}</h4>'
        f'<div class="rag-msg rag-msg-{"ok" if report.answered else "info"} rag-console-outcome">{outcome}</div>'
        f'<div class="rag-console-evidence"><b>{esc(tr(lang, "console_gate_evidence"))}</b>{sep}<ol>{evidence}</ol></div>'
        f'<table class="rag-docs rag-console-gate"><thead><tr><th>{esc(tr(lang, "console_rule"))}</th>'
        f'<th>{esc(tr(lang, "console_verdict"))}</th><th>{esc(tr(lang, "console_reason"))}</th></tr></thead>'
        f'<tbody>{"".join(vrows)}</tbody></table>'
    )
    return f'<div class="rag-console" lang="{"zh-CN" if lang == "zh" else "en"}">{analysis}{passages}{gate}</div>'
