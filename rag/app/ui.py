"""The Gradio interface: chat with cited answers, a source viewer, feedback and document management.

All rendering is in :mod:`rag.app.render` (escaped HTML built by hand); all
work is in :mod:`rag.app.service`. This module wires components to them.

(No ``from __future__ import annotations`` here: ``gr.api`` reads the API
function's type hints at run time.)
"""

import hashlib
import hmac
import logging
import time
import uuid
from pathlib import Path

import gradio as gr

from rag.app.assets import CHAT_JS, EXAMPLES_JS, GLUE_JS, VIEWER_JS
from rag.app.conversation import restored_conversation, stored_conversation
from rag.app.render import (
    esc,
    render_chat,
    render_console,
    render_docs_table,
    render_targets,
    render_examples,
    render_message,
    render_viewer,
)
from rag.app.guard import client_address, remove_upload, upload_temp_root
from rag.app.service import AppService, Outcome
from rag.app.texts import tr
from rag.pipeline import QuestionError, clean_question

log = logging.getLogger("rag.app")

MAX_LOGIN_FAILURES = 5
LOCKOUT_SECONDS = 60
LIGHT = "light"  # concurrency group of quick events (opening a source, feedback)
MAX_THREADS = 16  # worker threads for all events
QUEUE_SIZE = 64  # requests waiting beyond this are refused with "queue full" rather than piling up


def new_session() -> dict:
    return {
        "turns": [],
        "lang": "zh",
        "admin": False,
        "fails": 0,
        "locked_until": 0.0,
        "fb_turn": None,
        "viewer": None,
        "pending_delete": None,
    }


STORAGE_KEY = "rag-conversation"  # the localStorage key of the conversation (gr.BrowserState)


def _header(lang: str) -> str:
    """The page header; its data attributes carry the texts the page's script puts in Gradio's own
    notices (the reconnect toast, the API link) in the chosen language."""
    return (
        f'<div class="rag-head" data-lang="{lang}" data-conn-title="{esc(tr(lang, "conn_lost_title"))}" '
        f'data-conn="{esc(tr(lang, "conn_lost"))}" data-api="{esc(tr(lang, "api_link"))}" '
        f'data-page-title="{esc(tr(lang, "page_title"))}" data-draft="{esc(tr(lang, "draft_restored"))}">'
        f'<div class="rag-head-title"><span class="rag-emblem" aria-hidden="true"></span>'
        f'{esc(tr(lang, "title"))}</div><div class="rag-head-sub">{esc(tr(lang, "subtitle"))}</div></div>'
    )


def _doc_choices(service: AppService) -> list[tuple[str, str]]:
    return service.filter_choices()


def _outcome_html(outcome: Outcome, lang: str, name: str | None = None) -> str:
    """An admin action's result as a message box, in the session's language."""
    if outcome.key.startswith("err_"):
        text = tr(lang, outcome.key, **_safe_params(outcome.key, outcome.params, lang))
        if name:
            text = tr(lang, "admin_rejected", name=name, reason=text)
        text += " " + tr(lang, "err_unchanged_suffix")
    else:
        text = tr(lang, outcome.key, **_safe_params(outcome.key, outcome.params, lang))
    body = esc(text)
    if outcome.detail and not outcome.ok:
        body += f'<span class="rag-detail">{esc(outcome.detail)}</span>'
    for name, key, message in outcome.extra:
        reason = tr(lang, key, **_safe_params(key, {"suffix": Path(name).suffix}, lang))
        body += f'<span class="rag-detail">• {esc(tr(lang, "admin_rejected", name=name, reason=reason))} ({esc(message)})</span>'
    kind = "ok" if outcome.ok else "error"
    role = ' role="alert"' if kind == "error" else ' role="status"'
    stamp = uuid.uuid4().hex[:8]  # lets a reader (or a test) tell two identical messages apart
    return f'<div class="rag-msg rag-msg-{kind}" data-key="{esc(outcome.key)}" data-stamp="{stamp}"{role}>{body}</div>'


def _safe_params(key: str, params: dict, lang: str) -> dict:
    """Parameters for a message, with defaults for placeholders the outcome did not fill."""
    import string

    text = tr(lang, key)
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    out = {name: "" for name in names}
    out.update({k: v for k, v in params.items() if k in names})
    for name in ("p", "a", "u", "d", "n"):
        if name in names and out[name] == "":
            out[name] = 0
    if "s" in names and out["s"] == "":
        out["s"] = 0.0
    return out


def build_demo(service: AppService) -> gr.Blocks:
    """The whole app as a :class:`gr.Blocks` (not yet launched or mounted)."""
    settings = service.settings
    admin_enabled = bool(settings.admin_password)
    limit = max(1, int(settings.concurrency_limit))
    docs0 = service.documents()

    with gr.Blocks(title=tr("zh", "page_title"), analytics_enabled=False, fill_width=False) as demo:
        sess = gr.State(new_session())
        # The conversation kept in the browser's localStorage: back after a reload or a reconnect. The key and
        # the secret are fixed per deployment, so a copy written before a server restart still opens.
        stored = gr.BrowserState(
            {}, storage_key=STORAGE_KEY,
            secret=hashlib.sha256(f"rag-conversation:{settings.index_dir}".encode("utf-8")).hexdigest()[:32],
        )

        with gr.Row(elem_id="rag-header", equal_height=True):
            header = gr.HTML(_header("zh"), js_on_load=GLUE_JS, apply_default_css=False, elem_id="rag-head")
            lang_radio = gr.Radio(
                choices=[("中文", "zh"), ("English", "en")],
                value="zh",
                label=f"{tr('zh', 'lang_label')} / Language",
                show_label=False,
                container=False,
                elem_id="rag-lang",
                scale=0,
                min_width=190,
            )

        with gr.Tabs(elem_id="rag-tabs"):
            with gr.Tab(tr("zh", "tab_chat"), id="chat", elem_id="rag-tab-chat") as chat_tab:
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=380):
                        chat = gr.HTML(
                            render_chat([], "zh", docs0),
                            elem_id="rag-chat",
                            js_on_load=CHAT_JS,
                            apply_default_css=False,
                            autoscroll=False,
                        )
                        with gr.Group(visible=False, elem_id="rag-feedback") as fb_box:
                            fb_prompt = gr.HTML("", apply_default_css=False, js_on_load=None)
                            fb_text = gr.Textbox(
                                label=tr("zh", "feedback_label"),
                                placeholder=tr("zh", "feedback_placeholder"),
                                lines=2,
                                max_lines=6,
                                elem_id="rag-feedback-text",
                            )
                            with gr.Row():
                                fb_submit = gr.Button(tr("zh", "feedback_submit"), variant="primary", size="sm", elem_id="rag-feedback-submit")
                                fb_skip = gr.Button(tr("zh", "feedback_skip"), size="sm", elem_id="rag-feedback-skip")
                        with gr.Row(equal_height=True, elem_id="rag-ask-row"):
                            question = gr.Textbox(
                                label=tr("zh", "input_label"),
                                placeholder=tr("zh", "input_placeholder"),
                                lines=1,
                                max_lines=6,
                                scale=6,
                                elem_id="rag-question",
                                autofocus=True,
                            )
                            with gr.Column(scale=1, min_width=110):
                                send = gr.Button(tr("zh", "send"), variant="primary", elem_id="rag-send")
                                with gr.Row(elem_id="rag-chat-actions"):
                                    clear = gr.Button(tr("zh", "new_chat"), elem_id="rag-clear", size="sm", min_width=40)
                                    export = gr.Button(tr("zh", "export"), elem_id="rag-export", size="sm", min_width=40)
                        export_files = gr.File(
                            label=tr("zh", "export_files"), file_count="multiple", visible=False, interactive=False,
                            elem_id="rag-export-files", height=110,
                        )
                        doc_filter = gr.Dropdown(
                            choices=_doc_choices(service),
                            value=[],
                            multiselect=True,
                            label=tr("zh", "filter_label"),
                            info=tr("zh", "filter_info"),
                            elem_id="rag-filter",
                        )
                        examples = gr.HTML(
                            render_examples("zh"), elem_id="rag-examples", js_on_load=EXAMPLES_JS, apply_default_css=False
                        )
                    with gr.Column(scale=2, min_width=340, elem_id="rag-side"):
                        viewer = gr.HTML(
                            render_viewer("zh"), elem_id="rag-viewer", js_on_load=VIEWER_JS, apply_default_css=False
                        )

            with gr.Tab(tr("zh", "tab_targets"), id="targets", elem_id="rag-tab-targets") as targets_tab:
                targets_hint = gr.Markdown(tr("zh", "targets_hint"))
                with gr.Row(equal_height=True):
                    targets_doc = gr.Dropdown(
                        choices=[], value=None, label=tr("zh", "targets_doc"), elem_id="rag-targets-doc", scale=4
                    )
                    targets_show = gr.Button(tr("zh", "targets_show"), variant="primary", elem_id="rag-targets-show", scale=1)
                targets_out = gr.HTML("", apply_default_css=False, js_on_load=None, elem_id="rag-targets-out")
                targets_files = gr.File(
                    label=tr("zh", "targets_files"), file_count="multiple", visible=False, interactive=False,
                    elem_id="rag-targets-files",
                )

            admin = {}
            if admin_enabled:
                with gr.Tab(tr("zh", "tab_admin"), id="admin", elem_id="rag-tab-admin") as admin_tab:
                    admin["tab"] = admin_tab
                    with gr.Column(visible=True, elem_id="rag-login") as login_box:
                        admin["login_title"] = gr.Markdown(f"### {tr('zh', 'admin_login_title')}")
                        admin["password"] = gr.Textbox(
                            label=tr("zh", "admin_password"), type="password", elem_id="rag-admin-password", max_lines=1
                        )
                        admin["login"] = gr.Button(tr("zh", "admin_login"), variant="primary", elem_id="rag-admin-login")
                        admin["login_msg"] = gr.HTML("", apply_default_css=False, js_on_load=None, elem_id="rag-login-msg")
                    admin["login_box"] = login_box
                    with gr.Column(visible=False, elem_id="rag-manage") as manage_box:
                        admin["manage_box"] = manage_box
                        with gr.Row(equal_height=True):
                            admin["docs_title"] = gr.Markdown(f"### {tr('zh', 'admin_docs_title')}")
                            admin["refresh"] = gr.Button(tr("zh", "admin_refresh"), size="sm", scale=0, elem_id="rag-admin-refresh")
                            admin["logout"] = gr.Button(tr("zh", "admin_logout"), size="sm", scale=0, elem_id="rag-admin-logout")
                        admin["table"] = gr.HTML("", apply_default_css=False, js_on_load=None, elem_id="rag-docs")
                        with gr.Row(equal_height=False):
                            with gr.Column(scale=1, min_width=320):
                                admin["upload_title"] = gr.Markdown(f"#### {tr('zh', 'admin_upload_title')}")
                                admin["file"] = gr.File(
                                    label=tr("zh", "admin_upload_label"),
                                    file_count="single",
                                    type="filepath",
                                    elem_id="rag-upload-file",
                                    height=140,
                                )
                                admin["upload_hint"] = gr.Markdown(tr("zh", "admin_upload_hint"))
                                admin["upload"] = gr.Button(tr("zh", "admin_upload_button"), variant="primary", elem_id="rag-upload")
                                admin["upload_msg"] = gr.HTML("", apply_default_css=False, js_on_load=None, elem_id="rag-upload-msg")
                            with gr.Column(scale=1, min_width=320):
                                admin["delete_title"] = gr.Markdown(f"#### {tr('zh', 'admin_delete_title')}")
                                admin["delete_dd"] = gr.Dropdown(
                                    choices=[], value=None, label=tr("zh", "admin_delete_label"), elem_id="rag-delete-doc"
                                )
                                admin["delete"] = gr.Button(tr("zh", "admin_delete_button"), variant="stop", elem_id="rag-delete")
                                with gr.Group(visible=False, elem_id="rag-delete-confirm") as confirm_box:
                                    admin["confirm_text"] = gr.HTML("", apply_default_css=False, js_on_load=None)
                                    with gr.Row():
                                        admin["confirm_yes"] = gr.Button(tr("zh", "admin_delete_yes"), variant="stop", size="sm", elem_id="rag-delete-yes")
                                        admin["confirm_no"] = gr.Button(tr("zh", "admin_cancel"), size="sm", elem_id="rag-delete-no")
                                admin["confirm_box"] = confirm_box
                                admin["delete_msg"] = gr.HTML("", apply_default_css=False, js_on_load=None, elem_id="rag-delete-msg")
                                admin["reindex_title"] = gr.Markdown(f"#### {tr('zh', 'admin_reindex_title')}")
                                admin["reindex_hint"] = gr.Markdown(tr("zh", "admin_reindex_hint", folder=f"`{settings.corpus_dir}`"))
                                admin["reindex"] = gr.Button(tr("zh", "admin_reindex_button"), elem_id="rag-reindex")
                                admin["reindex_msg"] = gr.HTML("", apply_default_css=False, js_on_load=None, elem_id="rag-reindex-msg")
                with gr.Tab(tr("zh", "tab_console"), id="console", elem_id="rag-tab-console") as console_tab:
                    admin["console_tab"] = console_tab
                    admin["console_note"] = gr.HTML(
                        render_message(tr("zh", "console_login_first"), "info"), apply_default_css=False, js_on_load=None,
                        elem_id="rag-console-note",
                    )
                    with gr.Column(visible=False, elem_id="rag-console-box") as console_box:
                        admin["console_box"] = console_box
                        admin["console_title"] = gr.Markdown(f"### {tr('zh', 'console_title')}")
                        admin["console_hint"] = gr.Markdown(tr("zh", "console_hint"))
                        with gr.Row(equal_height=True):
                            admin["console_q"] = gr.Textbox(
                                label=tr("zh", "console_question"), lines=1, max_lines=3, scale=6, elem_id="rag-console-q"
                            )
                            admin["console_run"] = gr.Button(
                                tr("zh", "console_run"), variant="primary", scale=1, elem_id="rag-console-run"
                            )
                        admin["console_out"] = gr.HTML("", apply_default_css=False, js_on_load=None, elem_id="rag-console-out")

        # ---------------------------------------------------------------- chat
        def docs_now():
            return service.documents()

        def respond(text, doc_ids, s):
            lang = s["lang"]
            q = (text or "").strip()
            try:
                clean_question(q)
            except QuestionError as exc:
                gr.Warning(str(exc))
                yield gr.skip(), gr.skip(), s, gr.skip()
                return
            history = [t["question"] for t in s["turns"] if t.get("status") == "done"]
            turn = {
                "id": uuid.uuid4().hex[:12],
                "question": q,
                "status": "pending",
                "partial": "",
                "result": None,
                "error": None,
                "rating": None,
                "feedback_id": None,
                "doc_filter": list(doc_ids or []),
            }
            s["turns"].append(turn)
            docs = docs_now()
            yield render_chat(s["turns"], lang, docs), "", s, stored_conversation(s["turns"], lang)
            try:
                for ev in service.stream(q, history, list(doc_ids or [])):
                    if ev.kind == "searching":
                        turn["searched"] = ev.searched
                        continue
                    if ev.kind == "delta":
                        turn["status"] = "streaming"
                        turn["partial"] = ev.text
                    elif ev.kind == "done":  # shown by the last update below, with the stored copy
                        turn["status"] = "done"
                        turn["result"] = ev.result
                        continue
                    yield render_chat(s["turns"], lang, docs), gr.skip(), s, gr.skip()
            except QuestionError as exc:
                turn["status"], turn["error"] = "error", str(exc)
            except Exception:  # noqa: BLE001 - the user sees a message, the log the traceback
                log.exception("answering failed")
                turn["status"], turn["error"] = "error", tr(lang, "error_internal")
            if turn["status"] != "done" and turn["status"] != "error":
                turn["status"], turn["error"] = "error", tr(lang, "error_internal")
            yield render_chat(s["turns"], lang, docs), gr.skip(), s, stored_conversation(s["turns"], lang)

        answer_events = dict(
            concurrency_limit=limit,
            concurrency_id="answer",
            api_visibility="private",
            show_progress="hidden",
            trigger_mode="once",
        )
        question.submit(respond, [question, doc_filter, sess], [chat, question, sess, stored], **answer_events)
        send.click(respond, [question, doc_filter, sess], [chat, question, sess, stored], **answer_events)

        def ask_example(evt: gr.EventData, doc_ids, s):
            q = str(getattr(evt, "_data", {}).get("q") or "").strip()
            if not q:
                yield gr.skip(), gr.skip(), s, gr.skip()
                return
            yield from respond(q, doc_ids, s)

        examples.click(ask_example, [doc_filter, sess], [chat, question, sess, stored], **answer_events)

        def clear_chat(s):
            s["turns"] = []
            s["fb_turn"] = None
            s["viewer"] = None
            lang = s["lang"]
            return (
                render_chat([], lang, docs_now()), render_viewer(lang), gr.update(visible=False), "", s,
                stored_conversation([], lang), gr.update(value=None, visible=False),
            )

        clear.click(
            clear_chat, [sess], [chat, viewer, fb_box, question, sess, stored, export_files],
            api_visibility="private", queue=False,
        )

        # ---------------------------------------------------------------- export
        def export_chat(s):
            lang = s["lang"]
            try:
                md_path, docx_path = service.export(s["turns"], lang)
            except ValueError as exc:  # nothing answered yet
                gr.Warning(str(exc))
                return gr.update(value=None, visible=False)
            return gr.update(value=[str(md_path), str(docx_path)], visible=True, label=tr(lang, "export_files"))

        def targets_choices():
            return gr.update(choices=service.target_documents())

        def show_targets(doc_id, s):
            lang = s["lang"]
            if not doc_id:
                return render_message(tr(lang, "targets_pick"), "info"), gr.update(visible=False)
            rows, files = service.target_table(doc_id, lang)
            return render_targets(rows, lang), gr.update(
                value=[str(f) for f in files] or None, visible=bool(files), label=tr(lang, "targets_files")
            )

        targets_tab.select(targets_choices, None, [targets_doc], api_visibility="private", queue=False)
        targets_show.click(
            show_targets, [targets_doc, sess], [targets_out, targets_files], concurrency_limit=4, concurrency_id=LIGHT,
            api_visibility="private",
        )

        export.click(
            export_chat, [sess], [export_files], concurrency_limit=4, concurrency_id=LIGHT, api_visibility="private",
            show_progress="hidden",
        )

        # ---------------------------------------------------------------- clicks in the conversation
        def open_passage(s, passage: dict, quoted: list[str]) -> str:
            lang = s["lang"]
            doc = service.document(passage.get("doc", ""))
            s["viewer"] = {"passage": passage, "quoted": quoted}
            if doc is None:
                return render_viewer(lang, missing=True)
            return render_viewer(lang, doc, passage, quoted, record=service.record(passage.get("doc", "")))

        def on_chat_click(evt: gr.EventData, s):
            data = getattr(evt, "_data", None) or {}
            action = data.get("action")
            lang = s["lang"]
            turns = s["turns"]
            try:
                i = int(data.get("turn", -1))
            except (TypeError, ValueError):
                i = -1
            if not (0 <= i < len(turns)) or not turns[i].get("result"):
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s
            turn = turns[i]
            result = turn["result"]
            if action == "cite":
                n = int(data.get("n") or 0)
                cit = next((c for c in result.get("citations", []) if int(c["n"]) == n), None)
                if cit is None:
                    return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s
                return open_passage(s, cit, cit.get("quoted") or []), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s
            if action == "related":
                j = int(data.get("i") or 0)
                related = result.get("related", [])
                if not (0 <= j < len(related)):
                    return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s
                return open_passage(s, related[j], []), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s
            if action == "rate":
                rating = data.get("rating")
                if rating not in ("up", "down"):
                    return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s
                turn["feedback_id"] = service.record_feedback(
                    result, rating, feedback_id=turn.get("feedback_id"), doc_filter=turn.get("doc_filter"), ui_lang=lang
                )
                turn["rating"] = rating
                s["fb_turn"] = i
                prompt = tr(lang, "feedback_prompt", n=i + 1, rating=tr(lang, "rate_" + rating))
                return (
                    gr.skip(),
                    render_chat(turns, lang, docs_now()),
                    gr.update(visible=True),
                    render_message(prompt, "info"),
                    gr.update(value=""),
                    s,
                )
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s

        def on_chat_click_kept(evt: gr.EventData, s):
            out = on_chat_click(evt, s)
            data = getattr(evt, "_data", None) or {}
            kept = stored_conversation(s["turns"], s["lang"]) if data.get("action") == "rate" else gr.skip()
            return (*out, kept)

        chat.click(
            on_chat_click_kept,
            [sess],
            [viewer, chat, fb_box, fb_prompt, fb_text, sess, stored],
            concurrency_limit=8,
            concurrency_id=LIGHT,
            api_visibility="private",
            show_progress="hidden",
        )

        def submit_comment(comment, s):
            i = s.get("fb_turn")
            turns = s["turns"]
            if i is None or not (0 <= i < len(turns)) or not turns[i].get("rating"):
                return gr.update(visible=False), "", s
            turn = turns[i]
            if (comment or "").strip():
                service.record_feedback(
                    turn["result"], turn["rating"], comment=comment, feedback_id=turn.get("feedback_id"),
                    doc_filter=turn.get("doc_filter"), ui_lang=s["lang"],
                )
                gr.Info(tr(s["lang"], "feedback_thanks"), duration=3)
            s["fb_turn"] = None
            return gr.update(visible=False), "", s

        fb_submit.click(
            submit_comment, [fb_text, sess], [fb_box, fb_text, sess],
            concurrency_limit=8, concurrency_id=LIGHT, api_visibility="private",
        )
        fb_text.submit(
            submit_comment, [fb_text, sess], [fb_box, fb_text, sess],
            concurrency_limit=8, concurrency_id=LIGHT, api_visibility="private",
        )

        def skip_comment(s):
            s["fb_turn"] = None
            return gr.update(visible=False), "", s

        fb_skip.click(skip_comment, [sess], [fb_box, fb_text, sess], api_visibility="private", queue=False)

        # ---------------------------------------------------------------- language
        lang_outputs = [header, chat, examples, viewer, question, send, clear, doc_filter, fb_text, fb_submit, fb_skip, chat_tab,
                        export, export_files, targets_tab, targets_hint, targets_doc, targets_show, targets_files]
        admin_text_keys = [
            ("login_title", "md3", "admin_login_title"),
            ("password", "label", "admin_password"),
            ("login", "value", "admin_login"),
            ("docs_title", "md3", "admin_docs_title"),
            ("refresh", "value", "admin_refresh"),
            ("logout", "value", "admin_logout"),
            ("upload_title", "md4", "admin_upload_title"),
            ("file", "label", "admin_upload_label"),
            ("upload_hint", "md", "admin_upload_hint"),
            ("upload", "value", "admin_upload_button"),
            ("delete_title", "md4", "admin_delete_title"),
            ("delete_dd", "label", "admin_delete_label"),
            ("delete", "value", "admin_delete_button"),
            ("confirm_yes", "value", "admin_delete_yes"),
            ("confirm_no", "value", "admin_cancel"),
            ("reindex_title", "md4", "admin_reindex_title"),
            ("reindex_hint", "md", "admin_reindex_hint"),
            ("reindex", "value", "admin_reindex_button"),
            ("console_tab", "label", "tab_console"),
            ("console_title", "md3", "console_title"),
            ("console_hint", "md", "console_hint"),
            ("console_q", "label", "console_question"),
            ("console_run", "value", "console_run"),
        ]
        if admin_enabled:
            lang_outputs += [admin["tab"], admin["table"], admin["console_note"], admin["console_out"]] + [
                admin[name] for name, _, _ in admin_text_keys
            ]

        def set_language(lang, s):
            lang = lang if lang in ("zh", "en") else "zh"
            s["lang"] = lang
            docs = docs_now()
            v = s.get("viewer")
            if v:
                doc_id = v["passage"].get("doc", "")
                doc = service.document(doc_id)
                viewer_html = (
                    render_viewer(lang, doc, v["passage"], v["quoted"], record=service.record(doc_id))
                    if doc else render_viewer(lang, missing=True)
                )
            else:
                viewer_html = render_viewer(lang)
            notice = tr(lang, "restored") if s.pop("restored", False) else ""
            out = [
                _header(lang),
                render_chat(s["turns"], lang, docs, notice),
                render_examples(lang),
                viewer_html,
                gr.update(label=tr(lang, "input_label"), placeholder=tr(lang, "input_placeholder")),
                gr.update(value=tr(lang, "send")),
                gr.update(value=tr(lang, "new_chat")),
                gr.update(label=tr(lang, "filter_label"), info=tr(lang, "filter_info")),
                gr.update(label=tr(lang, "feedback_label"), placeholder=tr(lang, "feedback_placeholder")),
                gr.update(value=tr(lang, "feedback_submit")),
                gr.update(value=tr(lang, "feedback_skip")),
                gr.update(label=tr(lang, "tab_chat")),
                gr.update(value=tr(lang, "export")),
                gr.update(label=tr(lang, "export_files")),
                gr.update(label=tr(lang, "tab_targets")),
                gr.update(value=tr(lang, "targets_hint")),
                gr.update(label=tr(lang, "targets_doc")),
                gr.update(value=tr(lang, "targets_show")),
                gr.update(label=tr(lang, "targets_files")),
            ]
            if admin_enabled:
                out += [
                    gr.update(label=tr(lang, "tab_admin")),
                    render_docs_table(docs, lang) if s["admin"] else "",
                    render_message(tr(lang, "console_login_first"), "info") if not s["admin"] else "",
                    render_console(s["console"], lang) if s["admin"] and s.get("console") is not None else gr.skip(),
                ]
                for name, kind, key in admin_text_keys:
                    text = tr(lang, key, folder=f"`{settings.corpus_dir}`") if key == "admin_reindex_hint" else tr(lang, key)
                    if kind == "md3":
                        out.append(gr.update(value=f"### {text}"))
                    elif kind == "md4":
                        out.append(gr.update(value=f"#### {text}"))
                    elif kind == "md":
                        out.append(gr.update(value=text))
                    elif kind == "label":
                        out.append(gr.update(label=text))
                    else:
                        out.append(gr.update(value=text))
            return [*out, s, stored_conversation(s["turns"], lang)]

        lang_radio.change(
            set_language, [lang_radio, sess], [*lang_outputs, sess, stored], api_visibility="private", queue=False,
            show_progress="hidden",
        )

        # ---------------------------------------------------------------- page load
        def on_load(s, kept):
            """A new page (first visit, reload, reconnect): the conversation and language the browser kept come
            back; a question that was being answered when the connection broke goes back into the box."""
            docs = docs_now()
            pending, notice = "", ""
            lang_update = gr.skip()
            if not s["turns"]:
                turns, lang, pending = restored_conversation(kept)
                s["turns"] = turns
                if lang and lang != s["lang"]:
                    lang_update = gr.update(value=lang)  # its change event re-renders everything in that language
                    s["restored"] = bool(turns)  # …and shows the note again, in that language
                if turns:
                    notice = tr(lang or s["lang"], "restored")
            return (
                gr.update(choices=_doc_choices(service)), render_chat(s["turns"], s["lang"], docs, notice), s, lang_update,
                gr.update(value=pending) if pending else gr.skip(),
            )

        demo.load(
            on_load, [sess, stored], [doc_filter, chat, sess, lang_radio, question], api_visibility="private", queue=False,
            show_progress="hidden",
        )

        # ---------------------------------------------------------------- API
        def ask(question: str, history: list[str] | None = None, doc_ids: list[str] | None = None) -> dict:
            """Answer a question from the indexed documents, with citations.

            Returns the same JSON object as `rag ask --json` (answer, abstained,
            citations, retrieved, related, searched, notices, mode, …). `history`
            holds the user's earlier questions in this conversation, oldest
            first, so that a follow-up such as "那非洲呢？" is understood;
            `doc_ids` restricts the search to some documents.
            """
            try:
                return service.ask(question, history or [], doc_ids or [])
            except QuestionError as exc:
                raise gr.Error(str(exc)) from exc

        gr.api(ask, api_name="ask", concurrency_limit=limit, concurrency_id="answer")

        # ---------------------------------------------------------------- admin
        if admin_enabled:
            password = settings.admin_password or ""

            def refreshed_admin(lang):
                docs = docs_now()
                choices = [(f"{d.title}（{d.doc_id}）", d.doc_id) for d in docs]
                return (
                    render_docs_table(docs, lang),
                    gr.update(choices=choices, value=None),
                    gr.update(choices=choices),
                    render_chat([], lang, docs),
                )

            def login(pw, s, request: gr.Request):
                lang = s["lang"]
                # Limited per client address and for the account on the server (rag.app.guard), answered at once.
                ok, wait = service.guard.check(pw or "", password, client_address(request))
                if wait:
                    msg = render_message(tr(lang, "admin_locked", s=wait), "error")
                    return gr.skip(), gr.skip(), "", msg, gr.skip(), gr.skip(), s
                if ok:
                    s["admin"], s["fails"] = True, 0
                    docs = docs_now()
                    choices = [(f"{d.title}（{d.doc_id}）", d.doc_id) for d in docs]
                    return (
                        gr.update(visible=False),
                        gr.update(visible=True),
                        "",
                        "",
                        render_docs_table(docs, lang),
                        gr.update(choices=choices, value=None),
                        s,
                    )
                log.warning("failed admin login", extra={"event": "admin_login_failed"})
                return gr.skip(), gr.skip(), "", render_message(tr(lang, "admin_bad_password"), "error"), gr.skip(), gr.skip(), s

            login_outputs = [
                admin["login_box"], admin["manage_box"], admin["password"], admin["login_msg"],
                admin["table"], admin["delete_dd"], sess,
            ]
            admin_events = dict(concurrency_limit=1, concurrency_id="admin", api_visibility="private")
            login_events = dict(queue=False, api_visibility="private")  # never waits in (or fills) the queue
            admin["login"].click(login, [admin["password"], sess], login_outputs, **login_events)
            admin["password"].submit(login, [admin["password"], sess], login_outputs, **login_events)

            def logout(s):
                s["admin"] = False
                return gr.update(visible=True), gr.update(visible=False), "", "", "", "", "", s

            admin["logout"].click(
                logout, [sess],
                [admin["login_box"], admin["manage_box"], admin["table"], admin["upload_msg"], admin["delete_msg"],
                 admin["reindex_msg"], admin["login_msg"], sess],
                api_visibility="private", queue=False,
            )

            refresh_outputs = [admin["table"], admin["delete_dd"], doc_filter, chat]

            def refresh(s):
                if not s["admin"]:
                    return gr.skip(), gr.skip(), gr.skip(), gr.skip()
                table, dd, flt, welcome = refreshed_admin(s["lang"])
                return table, dd, flt, (welcome if not s["turns"] else gr.skip())

            admin["refresh"].click(refresh, [sess], refresh_outputs, api_visibility="private", queue=False)

            def progress_cb(progress, lang):
                def cb(frac, key):
                    progress(min(max(frac, 0.0), 1.0), desc=tr(lang, key))
                return cb

            def upload(file_path, s, request: gr.Request, progress=gr.Progress()):
                lang = s["lang"]
                if not s["admin"] or not service.guard.is_admin(client_address(request)):
                    remove_upload(file_path, upload_temp_root())
                    return render_message(tr(lang, "admin_required"), "error"), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                if not file_path:
                    return render_message(tr(lang, "admin_no_file"), "error"), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                progress(0.01, desc=tr(lang, "progress_reading"))
                name = Path(file_path).name
                try:
                    outcome = service.upload(file_path, name, on_progress=progress_cb(progress, lang))
                finally:
                    remove_upload(file_path, upload_temp_root())  # copied into the corpus (or refused)
                msg = _outcome_html(outcome, lang, name=name)
                if not outcome.ok:
                    return msg, gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
                table, dd, flt, welcome = refreshed_admin(lang)
                return msg, table, dd, flt, (welcome if not s["turns"] else gr.skip()), None

            admin["upload"].click(
                upload, [admin["file"], sess],
                [admin["upload_msg"], admin["table"], admin["delete_dd"], doc_filter, chat, admin["file"]],
                show_progress="full", show_progress_on=[admin["upload_msg"]], **admin_events,
            )

            def ask_delete(doc_id, s):
                lang = s["lang"]
                if not s["admin"]:
                    return gr.update(visible=False), "", render_message(tr(lang, "admin_required"), "error"), s
                if not doc_id:
                    return gr.update(visible=False), "", render_message(tr(lang, "admin_no_doc"), "error"), s
                info = next((d for d in docs_now() if d.doc_id == doc_id), None)
                if info is None:
                    return gr.update(visible=False), "", render_message(tr(lang, "admin_unknown_doc", doc=doc_id), "error"), s
                s["pending_delete"] = doc_id
                text = tr(lang, "admin_delete_confirm", title=info.title, doc=doc_id)
                return gr.update(visible=True), render_message(text, "info"), "", s

            admin["delete"].click(
                ask_delete, [admin["delete_dd"], sess],
                [admin["confirm_box"], admin["confirm_text"], admin["delete_msg"], sess],
                api_visibility="private", queue=False,
            )

            def cancel_delete(s):
                s["pending_delete"] = None
                return gr.update(visible=False), "", s

            admin["confirm_no"].click(
                cancel_delete, [sess], [admin["confirm_box"], admin["confirm_text"], sess], api_visibility="private", queue=False
            )

            def do_delete(s, progress=gr.Progress()):
                lang = s["lang"]
                doc_id = s.get("pending_delete")
                s["pending_delete"] = None
                if not s["admin"]:
                    return gr.update(visible=False), render_message(tr(lang, "admin_required"), "error"), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s
                if not doc_id:
                    return gr.update(visible=False), render_message(tr(lang, "admin_no_doc"), "error"), gr.skip(), gr.skip(), gr.skip(), gr.skip(), s
                progress(0.2, desc=tr(lang, "progress_deleting"))
                outcome = service.delete(doc_id)
                table, dd, flt, welcome = refreshed_admin(lang)
                return (
                    gr.update(visible=False), _outcome_html(outcome, lang), table, dd, flt,
                    (welcome if not s["turns"] else gr.skip()), s,
                )

            admin["confirm_yes"].click(
                do_delete, [sess],
                [admin["confirm_box"], admin["delete_msg"], admin["table"], admin["delete_dd"], doc_filter, chat, sess],
                show_progress="full", show_progress_on=[admin["delete_msg"]], **admin_events,
            )

            def reindex(s, progress=gr.Progress()):
                lang = s["lang"]
                if not s["admin"]:
                    return render_message(tr(lang, "admin_required"), "error"), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                outcome = service.reindex(on_progress=progress_cb(progress, lang))
                table, dd, flt, welcome = refreshed_admin(lang)
                return _outcome_html(outcome, lang), table, dd, flt, (welcome if not s["turns"] else gr.skip())

            admin["reindex"].click(
                reindex, [sess],
                [admin["reindex_msg"], admin["table"], admin["delete_dd"], doc_filter, chat],
                show_progress="full", show_progress_on=[admin["reindex_msg"]], **admin_events,
            )

            # ------------------------------------------------------------ retrieval test (检索测试)
            def console_shown(s):
                """The console for an administrator, the login hint for anyone else (checked on opening the tab)."""
                lang = s["lang"]
                if s["admin"]:
                    return "", gr.update(visible=True)
                return render_message(tr(lang, "console_login_first"), "info"), gr.update(visible=False)

            admin["console_tab"].select(
                console_shown, [sess], [admin["console_note"], admin["console_box"]], api_visibility="private", queue=False,
            )

            def run_console(text, s):
                lang = s["lang"]
                if not s["admin"]:
                    return render_message(tr(lang, "admin_required"), "error"), s
                try:
                    report = service.retrieval_test(text)
                except QuestionError as exc:
                    return render_message(str(exc), "error"), s
                s["console"] = report  # shown again in the other language when the language changes
                return render_console(report, lang), s

            console_events = dict(concurrency_limit=limit, concurrency_id="answer", api_visibility="private")
            console_io = ([admin["console_q"], sess], [admin["console_out"], sess])
            admin["console_run"].click(run_console, *console_io, **console_events)
            admin["console_q"].submit(run_console, *console_io, **console_events)

    # Bounded worker threads (Gradio's default is 40): every answer event is limited to
    # `limit` at a time anyway, and fewer threads keep memory flat on a small machine.
    demo.max_threads = MAX_THREADS
    demo.queue(default_concurrency_limit=limit, max_size=QUEUE_SIZE)
    return demo
