"""The app in a real browser: Debian's headless Chromium driven by Playwright (no browser download).

One ``python app.py`` process (see ``test_app_server``) serves every test.
The chat tests run in order on one page, like a user's session: ask, see the
answer stream in with [n] markers, open a cited passage, ask a follow-up, ask
something the documents do not answer, try HTML in a question, copy, rate,
switch to English. The admin tests log in on a second page and upload a bad
file, the PDF fixture under another name (a duplicate), and a new PDF of
their own; ask about it; delete it.

Screenshots of every state are saved to ``tests/artifacts/app-*.png``.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import PDF_FIXTURE, PLAN_ID, REVIEW_ID
from test_app_server import ADMIN_PASSWORD, shared_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT = 45_000  # ms, for one answer on a busy 2-core machine

MULTI_Q = "我们公司想和日本、韩国的企业做产业链配套，有没有什么现成的平台可以用？"
SEA_Q = "我们想去东南亚开拓市场，有什么支持？"
UNANSWERABLE_Q = "办理APEC商务旅行卡要交多少费用？"
EVIL_Q = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2;alert(1)">湖南的国际友城有多少对？'
NEW_DOC_ID = "xiangjiang-dragon-boat-notice"
NEW_DOC_TITLE = "关于举办湘江国际龙舟邀请赛的通知"
NEW_DOC_Q = "湘江国际龙舟邀请赛由哪些单位联合主办？"

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (run `make browser`)", allow_module_level=True)


# ---------------------------------------------------------------- fixtures and helpers
@pytest.fixture(scope="module")
def app(tmp_path_factory, built_index_dir):
    return shared_app(tmp_path_factory, built_index_dir)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A Playwright page on the app, with the few actions the tests repeat."""

    def __init__(self, browser, app, artifacts: Path):
        self.app = app
        self.artifacts = artifacts
        self.context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.url.rstrip("/"))
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(app.url)
        self.page.wait_for_selector(".rag-chat")

    def shot(self, name: str) -> None:
        self.page.wait_for_timeout(350)  # let transitions settle
        self.page.screenshot(path=str(self.artifacts / f"app-{name}.png"))

    def watch_chat(self) -> None:
        """Record every state the newest turn passes through (status and answer length)."""
        self.page.evaluate(
            """() => {
              window.__ragSeen = [];
              const root = document.querySelector('#rag-chat');
              const record = () => {
                const turns = root.querySelectorAll('.rag-turn');
                const last = turns[turns.length - 1];
                if (!last) return;
                const text = (last.querySelector('.rag-answer-text') || {}).textContent || '';
                const entry = last.dataset.turn + '|' + last.dataset.status + '|' + text.length;
                if (window.__ragSeen[window.__ragSeen.length - 1] !== entry) window.__ragSeen.push(entry);
              };
              if (window.__ragObserver) window.__ragObserver.disconnect();
              window.__ragObserver = new MutationObserver(record);
              window.__ragObserver.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
            }"""
        )

    def seen(self, turn: int) -> list[tuple[str, int]]:
        out = []
        for entry in self.page.evaluate("window.__ragSeen || []"):
            t, status, length = entry.split("|")
            if int(t) == turn:
                out.append((status, int(length)))
        return out

    def ask(self, question: str, turn: int, *, press_enter: bool = True):
        self.watch_chat()
        box = self.page.locator("#rag-question textarea")
        box.fill(question)
        if press_enter:
            box.press("Enter")
        else:
            self.page.click("#rag-send")
        self.page.wait_for_selector(f'.rag-turn[data-turn="{turn}"][data-status="done"]')
        return self.page.locator(f'.rag-turn[data-turn="{turn}"]')

    def admin_message(self, selector: str, previous: str = "") -> tuple[str, str]:
        """Wait for a new message in an admin message area; returns (key, text)."""
        self.page.wait_for_function(
            "([sel, prev]) => { const m = document.querySelector(sel + ' .rag-msg');"
            " return m && m.dataset.stamp && m.dataset.stamp !== prev; }",
            arg=[selector, previous],
        )
        msg = self.page.locator(f"{selector} .rag-msg")
        return msg.get_attribute("data-key"), msg.inner_text()

    def stamp(self, selector: str) -> str:
        return self.page.evaluate(
            "(sel) => { const m = document.querySelector(sel + ' .rag-msg'); return m ? (m.dataset.stamp || '') : ''; }",
            selector,
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def chat(browser, app, artifacts):
    p = Page(browser, app, artifacts)
    yield p
    p.close()


@pytest.fixture(scope="module")
def admin(browser, app, artifacts):
    p = Page(browser, app, artifacts)
    yield p
    p.close()


def make_pdf(path: Path, title: str, pages: list[list[str]]) -> bool:
    """Write a real PDF with a Chinese text layer (matplotlib + Noto Sans CJK); False without the font."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties, findSystemFonts

    fonts = [f for f in findSystemFonts() if "NotoSansCJK" in f and "Regular" in f]
    if not fonts:
        return False
    font = FontProperties(fname=sorted(fonts)[0], size=11)
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path, metadata={"Title": title}) as pdf:
        for lines in pages:
            fig = Figure(figsize=(8.27, 11.69))
            y = 0.93
            for line in lines:
                for chunk in textwrap.wrap(line, 34) or [""]:
                    fig.text(0.08, y, chunk, fontproperties=font)
                    y -= 0.03
            pdf.savefig(fig)
    return True


# ---------------------------------------------------------------- chat
def test_start_page_offers_examples_corpus_note_and_filter(chat):
    page = chat.page
    assert page.locator(".rag-head-title").inner_text().strip() == "政策问答助手"
    note = page.locator(".rag-welcome .rag-note").inner_text()
    assert "2 份文件" in note and "十四五" in note
    for persona in ("official", "enterprise", "english"):
        assert page.locator(f'.rag-persona[data-persona="{persona}"] .rag-chip').count() >= 3
    page.click("#rag-filter input")
    options = page.locator("ul[role=listbox] li").all_inner_texts()
    assert any(PLAN_ID in o for o in options) and any(REVIEW_ID in o for o in options)
    page.keyboard.press("Escape")
    assert page.locator("button[role=tab]:has-text('文件管理')").count() == 1
    chat.shot("01-start")


def test_answer_streams_in_with_clickable_markers_and_cards(chat):
    turn = chat.ask(MULTI_Q, 0)
    seen = chat.seen(0)
    statuses = [s for s, _ in seen]
    assert statuses[0] == "pending" and statuses[-1] == "done"
    answer = turn.locator(".rag-answer-text")
    markers = answer.locator("button.rag-marker")
    n_markers = markers.count()
    assert n_markers >= 1
    if n_markers >= 2:  # one sentence per step: the partial answer was on screen before the whole
        lengths = [n for s, n in seen if s == "streaming"]
        assert lengths and 0 < lengths[0] < len(answer.inner_text())
    cards = turn.locator(".rag-cites .rag-card")
    assert cards.count() == len({markers.nth(i).get_attribute("data-n") for i in range(n_markers)})
    first = cards.first
    assert first.locator(".rag-card-title").inner_text().strip()
    assert first.locator(".rag-card-loc").inner_text().strip()
    assert first.locator(".rag-card-doc").inner_text().strip()  # issuer · date of the cited document
    assert first.locator("mark.rag-quote").count() >= 1
    chat.shot("02-answer-with-citations")


def test_clicking_a_marker_opens_the_highlighted_passage(chat):
    page = chat.page
    turn = page.locator('.rag-turn[data-turn="0"]')
    marker = turn.locator(".rag-answer-text button.rag-marker").first
    n = marker.get_attribute("data-n")
    card = turn.locator(f"#rag-t0-c{n}")
    quoted = card.locator("mark.rag-quote").first.inner_text().strip()
    title = card.locator(".rag-card-title").inner_text().strip()
    marker.click()
    page.wait_for_selector("#rag-viewer .rag-target")
    viewer = page.locator("#rag-viewer")
    assert viewer.locator(".rag-viewer-title").inner_text().strip() == title
    target = viewer.locator(".rag-target")
    assert quoted in target.locator("mark.rag-quote").first.inner_text()
    # the whole document is there, and it is scrolled so the cited passage is in view
    assert viewer.locator(".rag-p").count() > 40
    page.wait_for_timeout(300)
    inside = page.evaluate(
        """() => { const b = document.querySelector('#rag-viewer .rag-viewer-body').getBoundingClientRect();
                   const t = document.querySelector('#rag-viewer .rag-target').getBoundingClientRect();
                   return t.top >= b.top - 1 && t.top < b.bottom - 20; }"""
    )
    assert inside, "the highlighted passage is not scrolled into view"
    assert "rag-active" in (card.get_attribute("class") or "")
    chat.shot("03-source-viewer")


def test_follow_up_is_understood_and_the_rewrite_shown(chat):
    chat.ask(SEA_Q, 1)
    turn = chat.ask("那非洲呢？", 2)
    searched = turn.locator(".rag-searched").inner_text()
    assert "非洲" in searched and "开拓市场" in searched
    assert turn.locator(".rag-q-bubble").inner_text().strip().endswith("那非洲呢？")
    assert turn.locator('.rag-a[data-state="answer"] button.rag-marker').count() >= 1
    assert "非洲" in turn.locator(".rag-cites").inner_text()
    chat.shot("04-follow-up")


def test_unanswerable_question_abstains_visibly(chat):
    page = chat.page
    turn = chat.ask(UNANSWERABLE_Q, 3, press_enter=False)
    a = turn.locator(".rag-a")
    assert a.get_attribute("data-state") == "abstained"
    assert "文件中未找到" in a.locator(".rag-nf-badge").inner_text()
    assert a.locator(".rag-marker").count() == 0 and a.locator(".rag-cites").count() == 0
    related = a.locator(".rag-card-related")
    assert related.count() >= 1 and "可能相关" in related.first.inner_text()
    # abstention and answer look different
    styles = page.evaluate(
        """() => [document.querySelector('.rag-turn[data-turn="0"] .rag-a'), document.querySelector('.rag-turn[data-turn="3"] .rag-a')]
                 .map(e => getComputedStyle(e).borderTopStyle)"""
    )
    assert styles == ["solid", "dashed"]
    related.first.locator("button.rag-link").click()
    page.wait_for_function("document.querySelector('#rag-viewer .rag-viewer-body') !== null")
    chat.shot("05-abstention")


def test_html_in_a_question_is_shown_as_text(chat):
    page = chat.page
    turn = chat.ask(EVIL_Q, 4)
    bubble = turn.locator(".rag-q-bubble")
    assert "<script>window.__xss=1</script>" in bubble.inner_text()
    assert '<img src=x onerror="window.__xss=2;alert(1)">' in bubble.inner_text()
    assert page.evaluate("window.__xss === undefined")
    assert page.locator("#rag-chat img").count() == 0 and page.locator("#rag-chat script").count() == 0
    assert chat.dialogs == []
    chat.shot("06-html-question-as-text")


def test_copy_answer_with_sources_and_rate_it(chat, app):
    page = chat.page
    turn = page.locator('.rag-turn[data-turn="1"]')
    turn.locator("button.rag-copy").click()
    page.wait_for_function("document.querySelector('.rag-turn[data-turn=\"1\"] button.rag-copy').dataset.copied === '1'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"问：{SEA_Q}") and "出处：" in copied and "[1] " in copied and "“" in copied

    turn.locator("button.rag-rate-down").click()
    page.wait_for_selector("#rag-feedback-text textarea")
    assert turn.locator("button.rag-rate-down").get_attribute("aria-pressed") == "true"
    page.fill("#rag-feedback-text textarea", "只给了一条，希望列出全部支持措施")
    chat.shot("07-feedback")
    page.click("#rag-feedback-submit")
    page.wait_for_selector("#rag-feedback-text", state="hidden")
    records = [json.loads(line) for line in app.feedback_path.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 2 and records[-1]["id"] == records[-2]["id"]
    last = records[-1]
    assert last["rating"] == "down" and last["comment"] == "只给了一条，希望列出全部支持措施"
    assert last["question"] == SEA_Q and last["answer"] and last["citations"] and last["time"]


def test_english_interface_and_example_question(chat):
    page = chat.page
    page.click("#rag-lang label:has-text('English')")
    page.wait_for_function("document.querySelector('.rag-head-title').textContent.includes('Policy Q&A Assistant')")
    assert page.locator("#rag-send").inner_text().strip() == "Send"
    assert "Sources" in page.locator('.rag-turn[data-turn="0"] .rag-cites-title').inner_text()
    assert "Not found in the documents" in page.locator('.rag-turn[data-turn="3"] .rag-nf-badge').inner_text()
    chat.watch_chat()
    page.locator('.rag-persona[data-persona="english"] .rag-chip').first.click()
    page.wait_for_selector('.rag-turn[data-turn="5"][data-status="done"]', timeout=TIMEOUT)
    turn = page.locator('.rag-turn[data-turn="5"]')
    assert turn.locator(".rag-q-bubble").inner_text().strip().endswith("?")
    assert "streaming" in [s for s, _ in chat.seen(5)]  # an English answer has a lead line, then sentences
    assert turn.locator("button.rag-marker").count() >= 1
    chat.shot("08-english")
    page.click("#rag-lang label:has-text('中文')")
    page.wait_for_function("document.querySelector('.rag-head-title').textContent.includes('政策问答助手')")
    assert chat.errors == []


# ---------------------------------------------------------------- corpus management
def _upload(admin: Page, path: Path) -> tuple[str, str]:
    page = admin.page
    before = admin.stamp("#rag-upload-msg")
    chosen = page.locator(f'#rag-upload-file td.filename[aria-label="{path.name}"]').first
    page.set_input_files("#rag-upload-file input[type=file]", str(path))
    chosen.wait_for()  # uploaded to the server
    page.click("#rag-upload")
    result = admin.admin_message("#rag-upload-msg", before)
    chosen.wait_for(state="hidden")  # the app clears the file picker after every attempt
    page.wait_for_selector("#rag-upload-file input[type=file]", state="attached")
    return result


def _doc_rows(admin: Page) -> list[str]:
    return admin.page.locator("#rag-docs tbody tr").evaluate_all("rows => rows.map(r => r.dataset.doc)")


def test_admin_login(admin):
    page = admin.page
    page.click("button[role=tab]:has-text('文件管理')")
    page.fill("#rag-admin-password input", "not-the-password")
    page.click("#rag-admin-login")
    page.wait_for_selector("#rag-login-msg .rag-msg-error")
    assert "密码不正确" in page.locator("#rag-login-msg").inner_text()
    assert page.locator("#rag-upload").is_hidden()
    admin.shot("10-admin-login")
    page.fill("#rag-admin-password input", ADMIN_PASSWORD)
    page.click("#rag-admin-login")
    page.wait_for_selector("#rag-docs table")
    assert sorted(_doc_rows(admin)) == sorted([PLAN_ID, REVIEW_ID])
    table = page.locator("#rag-docs").inner_text()
    assert "段落数" in table and "索引时间" in table
    admin.shot("11-admin-documents")


def test_bad_uploads_show_a_clear_message_and_change_nothing(admin, app, tmp_path):
    from pypdf import PdfWriter

    rows = _doc_rows(admin)
    corpus = sorted(p.name for p in app.corpus_dir.iterdir())
    generation = app.get_json("/health")["generation"]

    duplicate = tmp_path / "plan-scan.pdf"
    shutil.copyfile(PDF_FIXTURE, duplicate)
    key, text = _upload(admin, duplicate)
    assert key == "err_duplicate" and "plan-scan.pdf" in text and "完全相同" in text and "十四五" in text
    admin.shot("12-upload-duplicate")

    scanned = tmp_path / "scanned-notice.pdf"
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    with open(scanned, "wb") as f:
        w.write(f)
    key, text = _upload(admin, scanned)
    # A blank page: OCR reads it too, and finds no writing.
    assert key == "err_no_text" and "没有可用的正文文字" in text
    admin.shot("13-upload-scanned")

    for name, data, expected in (("tool.exe", b"MZ\x90\x00", "err_unsupported"), ("empty.txt", b"", "err_empty"),
                                 ("broken.pdf", b"%PDF-1.4\ngarbage\n", "err_damaged")):
        path = tmp_path / name
        path.write_bytes(data)
        key, text = _upload(admin, path)
        assert key == expected and name in text, (name, key, text)
        assert "未改动" in text

    assert _doc_rows(admin) == rows
    assert sorted(p.name for p in app.corpus_dir.iterdir()) == corpus
    assert app.get_json("/health")["generation"] == generation


def test_upload_a_new_pdf_ask_about_it_then_delete_it(admin, app, tmp_path):
    page = admin.page
    pdf = tmp_path / f"{NEW_DOC_ID}.pdf"
    made = make_pdf(
        pdf,
        NEW_DOC_TITLE,
        [
            [
                NEW_DOC_TITLE,
                "一、活动概况",
                "湘江国际龙舟邀请赛由长沙市体育局和湖南省龙舟协会联合主办，邀请国际友好城市代表队参加，旨在以龙舟文化促进国际人文交流。",
                "比赛在橘子洲东侧水域举行，设男子组、女子组和混合组三个组别。",
            ],
            [
                "二、参赛要求",
                "每支代表队由二十二名队员组成，其中鼓手一名、舵手一名、划手二十名。",
                "外国代表队须由其所在城市的友好交流机构推荐，并提交队员名单和健康证明。",
            ],
        ],
    )
    if not made:  # no CJK font on this machine: the same content as a .txt file
        pdf = tmp_path / f"{NEW_DOC_ID}.txt"
        pdf.write_text(
            f"{NEW_DOC_TITLE}\n\n一、活动概况\n湘江国际龙舟邀请赛由长沙市体育局和湖南省龙舟协会联合主办，邀请国际友好城市代表队参加，"
            "旨在以龙舟文化促进国际人文交流。比赛在橘子洲东侧水域举行。\n\n二、参赛要求\n每支代表队由二十二名队员组成。\n",
            encoding="utf-8",
        )
    key, text = _upload(admin, pdf)
    assert key == "admin_uploaded", text
    assert NEW_DOC_TITLE in text
    assert NEW_DOC_ID in _doc_rows(admin)
    row = page.locator(f'#rag-docs tr[data-doc="{NEW_DOC_ID}"]').inner_text()
    assert NEW_DOC_TITLE in row and (pdf.name in row)
    assert app.get_json("/health")["documents"] == 3
    assert (app.corpus_dir / pdf.name).is_file()
    admin.shot("14-upload-ok")

    # answerable now, with the passage one click away
    page.click("button[role=tab]:has-text('问答')")
    turn = admin.ask(NEW_DOC_Q, 0)
    assert turn.locator(".rag-a").get_attribute("data-state") == "answer"
    assert NEW_DOC_TITLE in turn.locator(".rag-cites").inner_text()
    card = turn.locator(".rag-card", has_text=NEW_DOC_TITLE).first
    card.locator("button.rag-link").click()
    page.wait_for_selector("#rag-viewer .rag-target")
    assert page.locator("#rag-viewer .rag-viewer-title").inner_text().strip() == NEW_DOC_TITLE
    admin.shot("15-answer-from-upload")

    # delete it: confirm, gone from the list, the index and the answers
    page.click("button[role=tab]:has-text('文件管理')")
    page.click("#rag-delete-doc input")
    page.click(f"ul[role=listbox] li:has-text('{NEW_DOC_ID}')")
    page.click("#rag-delete")
    page.wait_for_selector("#rag-delete-yes")
    assert NEW_DOC_TITLE in page.locator("#rag-delete-confirm:visible").first.inner_text()
    admin.shot("16-delete-confirm")
    before = admin.stamp("#rag-delete-msg")
    page.click("#rag-delete-yes")
    key, text = admin.admin_message("#rag-delete-msg", before)
    assert key == "admin_deleted" and NEW_DOC_TITLE in text
    assert NEW_DOC_ID not in _doc_rows(admin)
    assert app.get_json("/health")["documents"] == 2
    assert not (app.corpus_dir / pdf.name).exists()
    admin.shot("17-deleted")

    page.click("button[role=tab]:has-text('问答')")
    turn = admin.ask(NEW_DOC_Q, 1)
    assert NEW_DOC_TITLE not in turn.inner_text()  # neither cited nor offered as possibly related
    assert admin.errors == [] and admin.dialogs == []
