"""A conversation with its citations, as Markdown and as a Word (.docx) file, for a briefing note.

Each answered question is written with its answer (the ``[n]`` markers kept),
then its sources: the document's title, kind, issuer, dates, 文号 and, where
known, the original's address (from the document record), the locator, and
the sentences the answer quotes. An answer the documents do not give is
written as such, with the passages that came nearest.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from rag.app.render import record_facts, short_locator, with_ocr_mark
from rag.app.texts import tr


class ExportError(ValueError):
    """Nothing to export (no answered question yet)."""


def _answered(turns: list[dict], lang: str) -> list[dict]:
    """The answered turns; :class:`ExportError` when there are none."""
    answered = [t for t in turns or [] if t.get("status") == "done" and t.get("result")]
    if not answered:
        raise ExportError(tr(lang, "export_empty"))
    return answered


def _title_of(doc_id: str, cit: dict, records: dict) -> str:
    record = records.get(doc_id)
    doc = cit.get("document") or {}
    return (record.title if record is not None else "") or doc.get("title") or cit.get("doc_title") or doc_id


def _facts_text(doc_id: str, cit: dict, records: dict, lang: str) -> str:
    record = records.get(doc_id)
    sep = "：" if lang == "zh" else ": "
    if record is not None:
        pairs = record_facts(record, lang)
    else:  # no longer indexed: what the answer recorded of it
        doc = cit.get("document") or {}
        pairs = [(tr(lang, k), doc.get(f)) for k, f in (("fact_kind", "kind"), ("fact_issuer", "issuer"),
                                                        ("date_published", "date"), ("fact_number", "doc_number"))]
    return ("；" if lang == "zh" else "; ").join(f"{k}{sep}{v}" for k, v in pairs if v)


def _answer_text(result: dict) -> str:
    answer = result.get("answer") or ""
    if result.get("abstained"):
        return answer.split("\n", 1)[0]
    return answer


def _stamp(now: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(now if now is not None else time.time()))


def export_markdown(turns: list[dict], lang: str, records: dict | None = None, now: float | None = None) -> str:
    """The conversation as Markdown. ``records``: each indexed document's record by id.

    Raises :class:`ExportError` when no question has been answered yet."""
    records = records or {}
    answered = _answered(turns, lang)
    sep = "：" if lang == "zh" else ": "
    lines = [f"# {tr(lang, 'export_title')}", "", f"{tr(lang, 'export_exported')}{sep}{_stamp(now)}", ""]
    for i, turn in enumerate(answered, 1):
        result = turn["result"]
        lines += [f"## {i}. {_md_inline(turn.get('question', ''))}", ""]
        searched = result.get("searched")
        if searched and searched != result.get("question"):
            lines += [f"*{tr(lang, 'searched_prefix')} {_md_inline(searched)}*", ""]
        if result.get("abstained"):
            lines += [f"**{tr(lang, 'export_answer')}**{sep}{tr(lang, 'export_not_found')}。" if lang == "zh"
                      else f"**{tr(lang, 'export_answer')}**{sep}{tr(lang, 'export_not_found')}.", ""]
        else:
            lines += [f"**{tr(lang, 'export_answer')}**{sep}", "", _answer_text(result).replace("\n", "  \n"), ""]
        for notice in result.get("notices") or []:
            lines += [f"> {_md_inline(notice)}", ""]
        citations = result.get("citations") or []
        if citations:
            lines += [f"### {tr(lang, 'export_sources')}", ""]
            for c in citations:
                doc_id = c.get("doc", "")
                title = _title_of(doc_id, c, records)
                lines.append(f"**[{c.get('n')}] {_md_inline(title)}** — {_md_inline(with_ocr_mark(short_locator(c.get('locator', ''), title), c))}  ")
                facts = _facts_text(doc_id, c, records, lang)
                if facts:
                    lines.append(_md_inline(facts))
                lines.append("")
                for q in c.get("quoted") or []:
                    lines += [f"> {_md_inline(q)}", ""]
        elif result.get("related"):
            lines += [f"### {tr(lang, 'export_related')}", ""]
            for r in result["related"]:
                doc_id = r.get("doc", "")
                title = _title_of(doc_id, r, records)
                lines.append(f"- **{_md_inline(title)}** — {_md_inline(with_ocr_mark(short_locator(r.get('locator', ''), title), r))}")
                facts = _facts_text(doc_id, r, records, lang)
                if facts:
                    lines.append(f"  {_md_inline(facts)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_inline(text: str) -> str:
    """One line of text for Markdown: newlines become spaces, characters Markdown would read as markup
    at a line's start are escaped."""
    text = re.sub(r"\s*\n\s*", " ", str(text or "")).strip()
    return re.sub(r"([\\`*_#<>|])", r"\\\1", text)


def export_docx(turns: list[dict], lang: str, path: str | Path, records: dict | None = None, now: float | None = None) -> Path:
    """The conversation as a Word file at ``path`` (same content as :func:`export_markdown`).

    Raises :class:`ExportError` when no question has been answered yet."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    records = records or {}
    answered = _answered(turns, lang)
    sep = "：" if lang == "zh" else ": "
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    doc.add_heading(tr(lang, "export_title"), level=0)
    doc.add_paragraph(f"{tr(lang, 'export_exported')}{sep}{_stamp(now)}")
    for i, turn in enumerate(answered, 1):
        result = turn["result"]
        doc.add_heading(f"{i}. {turn.get('question', '')}", level=1)
        searched = result.get("searched")
        if searched and searched != result.get("question"):
            doc.add_paragraph().add_run(f"{tr(lang, 'searched_prefix')} {searched}").italic = True
        p = doc.add_paragraph()
        p.add_run(f"{tr(lang, 'export_answer')}{sep}").bold = True
        p.add_run(tr(lang, "export_not_found") if result.get("abstained") else _answer_text(result))
        for notice in result.get("notices") or []:
            doc.add_paragraph(notice).runs[0].font.color.rgb = RGBColor(0xB4, 0x53, 0x09)
        citations = result.get("citations") or []
        items = citations or result.get("related") or []
        if items:
            doc.add_heading(tr(lang, "export_sources" if citations else "export_related"), level=2)
        for c in items:
            doc_id = c.get("doc", "")
            title = _title_of(doc_id, c, records)
            p = doc.add_paragraph()
            if citations:
                p.add_run(f"[{c.get('n')}] ").bold = True
            p.add_run(title).bold = True
            p.add_run(f" — {with_ocr_mark(short_locator(c.get('locator', ''), title), c)}")
            facts = _facts_text(doc_id, c, records, lang)
            if facts:
                run = doc.add_paragraph().add_run(facts)
                run.font.size = Pt(9.5)
                run.font.color.rgb = RGBColor(0x47, 0x55, 0x69)
            for q in c.get("quoted") or []:
                doc.add_paragraph(f"“{q}”" if lang == "zh" else f"“{q}”", style="Quote")
    path = Path(path)
    doc.save(path)
    return path


def export_files(turns: list[dict], lang: str, records: dict | None = None, folder: str | Path | None = None,
                 now: float | None = None) -> tuple[Path, Path]:
    """Write the conversation as ``policy-qa-<time>.md`` and ``.docx`` into ``folder`` (a new temporary
    folder when None); returns both paths. Raises :class:`ExportError` when nothing is answered yet."""
    markdown = export_markdown(turns, lang, records, now)
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="rag-export-"))
    folder.mkdir(parents=True, exist_ok=True)
    stem = "policy-qa-" + time.strftime("%Y%m%d-%H%M%S", time.localtime(now if now is not None else time.time()))
    md_path = folder / f"{stem}.md"
    md_path.write_text(markdown, encoding="utf-8")
    docx_path = export_docx(turns, lang, folder / f"{stem}.docx", records, now)
    return md_path, docx_path
