"""The app for daily use in a real browser (issue 18): Debian's headless Chromium, the real app served on
loopback (the one ``test_app_server``'s harness starts, shared with ``test_app_browser``).

At 1400×900: a reload keeps the conversation; the export downloads Markdown and Word files holding the
answer and its sources; a network blip shows the reconnect notice in the chosen language and loses
neither the conversation nor the question being typed; English follows everywhere, Gradio's own texts
included, and survives a reload; the retrieval test, behind the admin login, shows ranks and scores.
At 390×844 (a phone): the question box stays at the bottom, a source opens as an overlay without moving
the page, and its back button (or the browser's back) closes it.

Screenshots are saved to ``tests/artifacts/daily-*.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import PLAN_ID
from test_app_browser import TIMEOUT, browser  # noqa: F401  (Chromium, its flags and the browser fixture)
from test_app_server import ADMIN_PASSWORD, shared_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEA_Q = "我们想去东南亚开拓市场，有什么支持？"
AFRICA_Q = "我们想去非洲开拓市场，有什么支持？"
UNANSWERABLE_Q = "办理APEC商务旅行卡要交多少费用？"
PLAN_TITLE = "湖南省外事港澳工作“十四五”发展规划"


@pytest.fixture(scope="module")
def app(tmp_path_factory, built_index_dir):
    return shared_app(tmp_path_factory, built_index_dir)


class Page:
    """One browser context (its own localStorage) with a page on the app."""

    def __init__(self, browser, app, artifacts: Path, width: int, height: int):
        self.artifacts = artifacts
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(app.url)
        self.page.wait_for_selector(".rag-chat")

    def shot(self, name: str, full_page: bool = False) -> None:
        self.page.wait_for_timeout(350)
        self.page.screenshot(path=str(self.artifacts / f"daily-{name}.png"), full_page=full_page)

    @property
    def box(self):
        return self.page.locator("#rag-question textarea")

    def ask(self, question: str, turn: int) -> None:
        self.box.fill(question)
        self.box.press("Enter")
        self.page.wait_for_selector(f'.rag-turn[data-turn="{turn}"][data-status="done"]')

    def answer_text(self, turn: int) -> str:
        return self.page.locator(f'.rag-turn[data-turn="{turn}"] .rag-answer-text').inner_text()

    def close(self) -> None:
        assert not self.errors, self.errors
        self.context.close()


@pytest.fixture(scope="module")
def desk(browser, app, artifacts):
    page = Page(browser, app, artifacts, 1400, 900)
    yield page
    page.close()


@pytest.fixture(scope="module")
def phone(browser, app, artifacts):
    page = Page(browser, app, artifacts, 390, 844)
    yield page
    page.close()


# ---------------------------------------------------------------- 1400×900
def test_reload_keeps_the_conversation(desk):
    page = desk.page
    assert page.locator("footer .show-api").inner_text().strip() == "通过 API 使用"  # Gradio's own link, in Chinese
    desk.ask(SEA_Q, 0)
    answer = desk.answer_text(0)
    # the citation names the document by its record: kind and publication date
    card = page.locator('.rag-turn[data-turn="0"] .rag-card').first
    assert PLAN_TITLE in card.inner_text() and "类别 规划" in card.inner_text() and "发布 2023-11-02" in card.inner_text()
    page.locator('.rag-turn[data-turn="0"] .rag-marker').first.click()
    viewer = page.locator(f'#rag-viewer .rag-viewer[data-doc="{PLAN_ID}"]')
    viewer.wait_for()
    head = viewer.locator(".rag-viewer-head").inner_text()
    assert PLAN_TITLE in head and "类别 规划" in head and "发布 2023-11-02" in head
    assert not page.locator(".rag-viewer-back").is_visible()  # the back button is a phone's
    desk.shot("desktop-answer")

    page.reload()
    page.wait_for_selector('.rag-turn[data-turn="0"][data-status="done"]')
    assert desk.answer_text(0) == answer
    assert page.locator(".rag-turn").count() == 1
    assert "已恢复上次的对话" in page.locator(".rag-restored").inner_text()
    desk.shot("desktop-reloaded")
    # the restored answer still opens its source
    page.locator('.rag-turn[data-turn="0"] .rag-marker').first.click()
    page.locator(f'#rag-viewer .rag-viewer[data-doc="{PLAN_ID}"] .rag-target').wait_for()


def test_export_downloads_the_answer_and_its_sources(desk, tmp_path):
    from docx import Document

    page = desk.page
    assert page.locator("#rag-export").inner_text().strip() == "导出"
    page.click("#rag-export")
    links = page.locator("#rag-export-files a[download]")
    links.first.wait_for()
    assert links.count() == 2
    answer = "".join(desk.answer_text(0).split())
    files = {}
    for i in range(2):
        with page.expect_download() as info:
            links.nth(i).click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        files[target.suffix] = target
    assert set(files) == {".md", ".docx"}
    md = files[".md"].read_text(encoding="utf-8")
    assert SEA_Q in md and f"**[1] {PLAN_TITLE}**" in md and "类别：规划；发布：2023-11-02" in md
    assert answer in "".join(md.split())
    word = "\n".join(p.text for p in Document(str(files[".docx"])).paragraphs)
    assert SEA_Q in word and PLAN_TITLE in word and "类别：规划；发布：2023-11-02" in word
    desk.shot("desktop-export")


def test_a_blip_loses_neither_the_conversation_nor_the_typed_question(desk):
    page = desk.page
    desk.box.fill(AFRICA_Q)
    page.evaluate("window.__beforeBlip = true")  # gone once the page has reloaded
    desk.context.set_offline(True)
    try:
        desk.box.press("Enter")
        toast = page.locator(".toast-body", has_text="与服务器的连接中断了")
        toast.wait_for(timeout=20_000)
        assert "Connection" not in toast.inner_text() and "连接中断" in toast.inner_text()
        desk.shot("desktop-blip")
    finally:
        desk.context.set_offline(False)
    # Gradio reloads the page once it reconnects: the conversation and the question come back
    page.wait_for_function(
        "q => { const t = document.querySelector('#rag-question textarea'); return !window.__beforeBlip && t && t.value === q && "
        "document.querySelectorAll('.rag-turn[data-status=\"done\"]').length === 1; }",
        arg=AFRICA_Q, timeout=30_000,
    )
    assert "已恢复您尚未发送的问题" in page.locator("#rag-head").inner_text()
    desk.shot("desktop-reconnected")
    desk.box.press("Enter")  # sent now, as typed during the blip
    page.wait_for_selector('.rag-turn[data-turn="1"][data-status="done"]')
    assert page.locator('.rag-turn[data-turn="1"]').get_attribute("data-q") == AFRICA_Q


def test_a_question_typed_but_not_sent_survives_a_reload(desk):
    page = desk.page
    typed = "那欧洲呢？"
    desk.box.fill(typed)
    page.reload()
    page.wait_for_selector('.rag-turn[data-turn="1"][data-status="done"]')
    page.wait_for_function("q => document.querySelector('#rag-question textarea').value === q", arg=typed)
    assert "已恢复您尚未发送的问题" in page.locator("#rag-head").inner_text()
    desk.box.fill("")


def test_english_follows_everywhere_and_survives_a_reload(desk):
    page = desk.page
    page.click("#rag-lang label:has-text('English')")
    page.wait_for_function("document.querySelector('#rag-export')?.innerText.trim() === 'Export'")
    page.wait_for_function("document.querySelector('footer .show-api')?.innerText.trim() === 'Use via API'")
    assert page.title() == "Policy Q&A Assistant"
    page.reload()
    page.wait_for_function("document.querySelector('footer .show-api')?.innerText.trim() === 'Use via API'")
    page.wait_for_function("document.querySelector('#rag-export')?.innerText.trim() === 'Export'")
    assert page.locator(".rag-turn").count() == 2
    assert "previous conversation was restored" in page.locator(".rag-restored").inner_text()
    card = page.locator('.rag-turn[data-turn="0"] .rag-card').first.inner_text()
    assert "Kind 规划" in card and "published 2023-11-02" in card
    desk.shot("desktop-english")
    page.click("#rag-lang label:has-text('中文')")
    page.wait_for_function("document.querySelector('footer .show-api')?.innerText.trim() === '通过 API 使用'")


def test_retrieval_test_behind_the_login_shows_scores(desk):
    page = desk.page
    page.get_by_role("tab", name="检索测试").click()
    assert "需要管理员登录" in page.locator("#rag-console-note").inner_text()
    assert not page.locator("#rag-console-box").is_visible()
    page.get_by_role("tab", name="文件管理").click()
    page.locator("#rag-admin-password input").fill(ADMIN_PASSWORD)
    page.click("#rag-admin-login")
    page.wait_for_selector("#rag-docs table")
    page.get_by_role("tab", name="检索测试").click()
    page.locator("#rag-console-q textarea").fill(UNANSWERABLE_Q)
    page.click("#rag-console-run")
    page.wait_for_selector(".rag-console-hit")
    first = page.locator('.rag-console-hit[data-rank="1"]')
    fused = float(first.locator(".rag-fused").inner_text())
    bm25_rank, bm25 = [x.strip() for x in first.locator(".rag-bm25").inner_text().split("/")]
    vector_rank, vector = [x.strip() for x in first.locator(".rag-vector").inner_text().split("/")]
    assert fused > 0 and float(vector) > 0.5 and (bm25_rank == "—" or int(bm25_rank) >= 1)
    assert page.locator(".rag-console-hit").count() >= 5
    assert "apec" in page.locator(".rag-console-query").inner_text().lower()
    deciding = page.locator('.rag-verdict[data-deciding="1"]')
    assert deciding.count() == 1 and deciding.get_attribute("data-code").startswith("gate.")
    assert deciding.get_attribute("data-code") in page.locator(".rag-console-outcome").inner_text()
    assert "不回答" in page.locator(".rag-console-outcome").inner_text()
    desk.shot("desktop-console", full_page=True)
    # the report follows the language too
    page.click("#rag-lang label:has-text('English')")
    page.wait_for_function("document.querySelector('#rag-console-out')?.innerText.includes('Fused rank')")
    assert "Outcome: not answered" in page.locator(".rag-console-outcome").inner_text()
    page.click("#rag-lang label:has-text('中文')")
    page.wait_for_function("document.querySelector('#rag-console-out')?.innerText.includes('融合排名')")


def test_targets_tab_shows_the_plans_table_and_downloads_it(desk):
    page = desk.page
    page.get_by_role("tab", name="目标完成情况").click()
    page.locator("#rag-targets-doc input").click()
    page.get_by_role("option", name=PLAN_TITLE, exact=False).first.click()
    page.click("#rag-targets-show")
    page.wait_for_selector("#rag-targets-out table")
    table = page.locator("#rag-targets-out table").inner_text()
    # The plan's 120-pair target, and the review reports no result for it.
    row = next(line for line in table.split("\n") if "120对" in line)
    assert "友好城市" in row and "文件未报告结果" in row
    links = page.locator("#rag-targets-files a")
    links.first.wait_for()
    assert links.count() == 2
    desk.shot("desktop-targets", full_page=True)
    page.get_by_role("tab", name="问答").click()


# ---------------------------------------------------------------- 390×844
def test_phone_question_box_stays_at_the_bottom_and_the_source_is_an_overlay(phone):
    page = phone.page
    row = page.locator("#rag-ask-row").bounding_box()
    assert abs(row["y"] + row["height"] - 844) <= 1  # the question box sits at the bottom of the screen
    phone.ask(SEA_Q, 0)
    page.wait_for_timeout(400)
    q_top = page.locator('.rag-turn[data-turn="0"] .rag-q').bounding_box()["y"]
    assert 0 <= q_top < 300  # the question and the start of its answer are on screen, not above it
    row = page.locator("#rag-ask-row").bounding_box()
    assert abs(row["y"] + row["height"] - 844) <= 1
    phone.shot("phone-answer")

    before = page.evaluate("scrollY")
    page.locator('.rag-turn[data-turn="0"] .rag-marker').first.click()
    page.locator(f'#rag-side .rag-viewer[data-doc="{PLAN_ID}"] .rag-target').wait_for()
    page.wait_for_timeout(400)
    side = page.locator("#rag-side").bounding_box()
    assert side["y"] == 0 and side["width"] == 390 and side["height"] >= 844  # over the whole screen
    assert page.evaluate("scrollY") == before  # no jump down the page
    back = page.locator(".rag-viewer-back")
    assert back.is_visible() and back.inner_text().strip() == "← 返回对话"
    head = page.locator("#rag-side .rag-viewer-head").inner_text()
    assert "类别 规划" in head and "发布 2023-11-02" in head
    target = page.locator("#rag-side .rag-target").bounding_box()
    assert 0 < target["y"] < 844  # the cited passage is in view
    phone.shot("phone-overlay")
    back.click()
    page.wait_for_timeout(300)
    assert not page.locator("#rag-side").is_visible()
    assert page.evaluate("scrollY") == before
    # the browser's back closes it too (and stays on the page)
    page.locator('.rag-turn[data-turn="0"] .rag-card-n').first.click()
    page.locator("#rag-side .rag-viewer-back").wait_for()
    page.go_back()
    page.wait_for_timeout(300)
    assert not page.locator("#rag-side").is_visible() and page.locator(".rag-turn").count() == 1
    phone.shot("phone-closed")


def test_phone_reload_keeps_the_conversation(phone):
    page = phone.page
    answer = phone.answer_text(0)
    page.reload()
    page.wait_for_selector('.rag-turn[data-turn="0"][data-status="done"]')
    assert phone.answer_text(0) == answer
    phone.shot("phone-reloaded")
