"""The app's CSS and the small pieces of JavaScript its HTML components run."""

# Fonts installed on the machine only: nothing is fetched from the internet.
FONT_STACK = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "system-ui",
    "sans-serif",
]
MONO_STACK = ["Noto Sans Mono CJK SC", "DejaVu Sans Mono", "monospace"]

CSS = r"""
:root { --rag-accent: #1e40af; --rag-accent-soft: #dbeafe; --rag-quote: #fde68a; --rag-amber: #b45309; }
.gradio-container { max-width: 1380px !important; margin: 0 auto !important; }
#rag-header { align-items: center; gap: 12px; }
.rag-head-title { font-size: 1.45rem; font-weight: 700; color: var(--body-text-color); letter-spacing: .02em; }
.rag-head-title .rag-emblem { display: inline-block; width: 1.1em; height: 1.1em; border-radius: 4px; background: #b91c1c; margin-right: .45em; vertical-align: -0.12em; }
.rag-head-sub { color: var(--body-text-color-subdued); font-size: .92rem; margin-top: 2px; }
#rag-lang { flex: 0 0 auto !important; min-width: 0 !important; width: auto !important; }
#rag-lang .wrap { flex-wrap: nowrap; }

/* conversation */
#rag-chat { min-height: 440px; max-height: calc(100vh - 300px); overflow-y: auto !important; border: 1px solid var(--border-color-primary);
  border-radius: 12px; background: var(--background-fill-primary); padding: 6px 4px; }
.rag-chat { padding: 10px 14px; line-height: 1.75; font-size: 15px; color: var(--body-text-color); }
.rag-turn { margin: 0 0 22px; }
.rag-q { display: flex; justify-content: flex-end; margin-bottom: 8px; }
.rag-q-bubble { background: var(--rag-accent); color: #fff; padding: 8px 14px; border-radius: 14px 14px 2px 14px; max-width: 82%;
  white-space: pre-wrap; word-break: break-word; }
.rag-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.rag-a { border: 1px solid var(--border-color-primary); border-radius: 4px 14px 14px 14px; padding: 12px 16px;
  background: var(--background-fill-secondary); max-width: 96%; }
.rag-answer-text { font-size: 15.5px; word-break: break-word; }
.rag-searched { font-size: 12px; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.rag-searched q { font-style: normal; }
.rag-marker { display: inline-block; border: none; background: var(--rag-accent-soft); color: var(--rag-accent); font-weight: 600;
  font-size: 12px; line-height: 1.25; padding: 0 5px; margin: 0 2px; border-radius: 6px; cursor: pointer; vertical-align: .3em; }
.rag-marker:hover, .rag-marker:focus-visible { background: var(--rag-accent); color: #fff; outline: none; }
.rag-marker-dead { cursor: default; opacity: .7; }
.rag-caret { display: inline-block; width: 8px; height: 1.05em; background: var(--rag-accent); margin-left: 2px; vertical-align: -0.15em;
  animation: rag-blink 1s steps(2) infinite; }
@keyframes rag-blink { to { opacity: 0; } }
.rag-pending { color: var(--body-text-color-subdued); }
.rag-dots { display: inline-flex; gap: 4px; margin-right: 8px; vertical-align: middle; }
.rag-dots i { width: 6px; height: 6px; border-radius: 50%; background: var(--rag-accent); animation: rag-bounce 1s infinite ease-in-out; }
.rag-dots i:nth-child(2) { animation-delay: .15s; } .rag-dots i:nth-child(3) { animation-delay: .3s; }
@keyframes rag-bounce { 0%, 80%, 100% { transform: scale(.5); opacity: .4; } 40% { transform: scale(1); opacity: 1; } }
.rag-notices { margin: 8px 0 0; padding: 6px 10px 6px 26px; font-size: 12.5px; color: var(--rag-amber);
  background: rgba(245, 158, 11, .08); border-radius: 8px; }

/* citation cards */
.rag-cites { margin-top: 12px; display: grid; gap: 8px; }
.rag-cites-title { font-size: 12px; font-weight: 600; color: var(--body-text-color-subdued); letter-spacing: .08em; }
.rag-card { border: 1px solid var(--border-color-primary); border-left: 3px solid var(--rag-accent); border-radius: 8px;
  padding: 8px 12px; background: var(--background-fill-primary); font-size: 13.5px; line-height: 1.7; }
.rag-card.rag-active { box-shadow: 0 0 0 2px #f59e0b; }
.rag-card-head { display: flex; align-items: baseline; gap: 8px; }
.rag-card-n { border: none; background: var(--rag-accent); color: #fff; font-weight: 700; font-size: 12px; border-radius: 6px;
  padding: 0 6px; cursor: pointer; }
.rag-card-title { font-weight: 600; }
.rag-card-loc { color: var(--body-text-color-subdued); font-size: 12px; margin: 1px 0 4px; }
.rag-card-doc { color: var(--body-text-color-subdued); font-size: 12px; margin: 1px 0 0; }
.rag-card-old { margin-left: 6px; padding: 0 5px; border-radius: 3px; font-size: 11px; background: #fff4e5; color: #8a4b00; border: 1px solid #f0c27b; }
.rag-card-text { color: var(--body-text-color); }
mark.rag-quote { background: var(--rag-quote); color: #1f2937; padding: 0 1px; border-radius: 2px; }
.rag-link { border: none; background: none; color: var(--rag-accent); cursor: pointer; padding: 2px 0; font-size: 12.5px; }
.rag-link:hover { text-decoration: underline; }
.rag-flash { animation: rag-flash 1.6s ease-out; }
@keyframes rag-flash { 0% { box-shadow: 0 0 0 4px #f59e0b; } 100% { box-shadow: 0 0 0 0 rgba(245, 158, 11, 0); } }

/* abstention */
.rag-abstain { border: 1.5px dashed #d97706; background: rgba(251, 191, 36, .07); }
.rag-nf-badge { display: inline-flex; align-items: center; gap: 5px; background: #fef3c7; color: #92400e; font-weight: 700; border-radius: 999px;
  padding: 1px 12px; font-size: 13px; margin-bottom: 6px; }
.rag-nf-text { font-weight: 600; }
.rag-nf-hint { font-size: 12.5px; color: var(--body-text-color-subdued); margin: 8px 0 4px; }
.rag-related { display: grid; gap: 6px; }
.rag-card-related { border-left: 3px dashed #9ca3af; opacity: .92; }
.rag-card-related .rag-card-text { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.rag-related-tag { font-size: 11px; font-weight: 700; color: #6b7280; border: 1px solid #d1d5db; border-radius: 4px; padding: 0 5px; }
.rag-error { border-color: #fca5a5; background: rgba(254, 226, 226, .5); }
.rag-error-title { font-weight: 700; color: #b91c1c; }

/* answer actions */
.rag-actions { display: flex; gap: 6px; margin-top: 10px; align-items: center; }
.rag-act { border: 1px solid var(--border-color-primary); background: var(--background-fill-primary); border-radius: 8px;
  padding: 3px 10px; font-size: 13px; cursor: pointer; color: var(--body-text-color-subdued); display: inline-flex; align-items: center; gap: 5px; }
.rag-icon { flex: none; }
.rag-act:hover { border-color: var(--rag-accent); }
.rag-rate[aria-pressed="true"] { background: var(--rag-accent-soft); border-color: var(--rag-accent); color: var(--rag-accent); }
.rag-copy[data-copied="1"] { color: #15803d; border-color: #15803d; }

/* welcome, examples, corpus note */
.rag-welcome { padding: 18px 8px; }
.rag-welcome-title { font-size: 1.2rem; font-weight: 700; margin-bottom: 4px; }
.rag-welcome-body { color: var(--body-text-color-subdued); margin-bottom: 12px; }
.rag-note { font-size: 13px; border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 14px;
  background: var(--background-fill-secondary); line-height: 1.7; }
.rag-note ul { margin: 4px 0; padding-left: 20px; }
.rag-note-count { color: var(--body-text-color-subdued); font-size: 12px; margin-left: 4px; }
.rag-note-outro { color: var(--body-text-color-subdued); font-size: 12px; }
.rag-examples { font-size: 13px; }
.rag-examples-title { font-weight: 600; margin: 2px 0 6px; color: var(--body-text-color-subdued); }
.rag-persona { display: flex; gap: 8px; align-items: flex-start; margin-bottom: 6px; }
.rag-persona-label { flex: 0 0 92px; font-weight: 600; padding-top: 4px; color: var(--body-text-color); }
.rag-chips { display: flex; flex-wrap: wrap; gap: 6px; }
.rag-chip { border: 1px solid var(--border-color-primary); background: var(--background-fill-primary); color: var(--body-text-color);
  border-radius: 999px; padding: 3px 12px; cursor: pointer; font-size: 13px; text-align: left; }
.rag-chip:hover { border-color: var(--rag-accent); color: var(--rag-accent); }

/* source viewer */
#rag-side { position: sticky; top: 10px; align-self: flex-start; }
.rag-viewer { border: 1px solid var(--border-color-primary); border-radius: 12px; background: var(--background-fill-primary); overflow: hidden; }
.rag-viewer-empty { padding: 28px 20px; color: var(--body-text-color-subdued); text-align: center; line-height: 1.8; }
.rag-viewer-icon { color: #94a3b8; }
.rag-viewer-head { padding: 10px 14px; border-bottom: 1px solid var(--border-color-primary); background: var(--background-fill-secondary); }
.rag-viewer-title { font-weight: 700; font-size: 15px; }
.rag-viewer-meta { font-size: 12px; color: var(--body-text-color-subdued); }
.rag-viewer-loc { font-size: 12.5px; color: var(--rag-accent); margin-top: 2px; }
.rag-legend { font-size: 11.5px; color: var(--body-text-color-subdued); margin-top: 2px; }
.rag-viewer-body { position: relative; max-height: calc(100vh - 230px); min-height: 320px; overflow-y: auto; padding: 10px 16px 40px;
  font-size: 14px; line-height: 1.85; scroll-behavior: auto; }
.rag-p { margin: 0 0 .55em; text-indent: 2em; }
.rag-h { text-indent: 0; font-weight: 600; margin-top: .9em; }
.rag-h-chapter { font-size: 1.05em; font-weight: 700; }
.rag-h-box { color: #92400e; }
.rag-page-sep { text-align: center; color: #9ca3af; font-size: 11.5px; border-top: 1px dashed var(--border-color-primary); margin: 10px 0; }
.rag-target { background: rgba(251, 191, 36, .14); border-left: 4px solid #f59e0b; border-radius: 4px; padding: 4px 10px 1px; margin: 4px -10px 8px; }
.rag-target-note { font-size: 12px; color: var(--rag-amber); }

/* admin */
.rag-docs { width: 100%; border-collapse: collapse; font-size: 13.5px; }
.rag-docs th, .rag-docs td { border-bottom: 1px solid var(--border-color-primary); padding: 6px 8px; text-align: left; vertical-align: top; }
.rag-docs th { background: var(--background-fill-secondary); font-weight: 600; }
.rag-num { text-align: right !important; font-variant-numeric: tabular-nums; }
.rag-msg { border-radius: 8px; padding: 8px 12px; font-size: 14px; line-height: 1.6; }
.rag-msg-ok { background: rgba(34, 197, 94, .12); border: 1px solid #86efac; }
.rag-msg-error { background: rgba(239, 68, 68, .1); border: 1px solid #fca5a5; }
.rag-msg-info { background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.rag-msg small, .rag-detail { display: block; color: var(--body-text-color-subdued); font-size: 12px; }
#rag-feedback { border: 1px solid #f59e0b !important; }

/* the document record: kind, issuer, dates, 文号, address */
.rag-facts { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 12px; color: var(--body-text-color-subdued); margin: 2px 0; }
.rag-fact-k { color: #64748b; font-weight: 600; }
.rag-fact a { color: var(--rag-accent); word-break: break-all; }
.rag-viewer-bar { display: none; }
.rag-restored { font-size: 12.5px; color: #166534; background: rgba(34, 197, 94, .1); border: 1px solid #bbf7d0; border-radius: 8px;
  padding: 4px 10px; margin: 0 0 10px; }
.rag-head .rag-restored { margin: 6px 0 0; display: inline-block; }
#rag-chat-actions { gap: 6px; flex-wrap: nowrap; }
#rag-export-files { margin-top: 6px; }

/* the retrieval test */
.rag-console h4 { margin: 14px 0 6px; }
.rag-kv { border-collapse: collapse; font-size: 13.5px; }
.rag-kv th { text-align: left; padding: 4px 12px 4px 0; color: var(--body-text-color-subdued); font-weight: 600; vertical-align: top; white-space: nowrap; }
.rag-kv td { padding: 4px 0; }
.rag-term { display: inline-block; margin: 0 4px 4px 0; padding: 0 6px; border-radius: 4px; background: var(--rag-accent-soft); color: var(--rag-accent); }
.rag-console-text { font-size: 12.5px; color: var(--body-text-color); }
.rag-console-evidence { font-size: 13.5px; margin: 8px 0; }
.rag-console-evidence ol { padding-left: 22px; margin: 4px 0; }
.rag-verdict-pass { color: #15803d; }
.rag-verdict-refuse { color: #b91c1c; font-weight: 700; }
.rag-verdict[data-deciding="1"] td { background: rgba(239, 68, 68, .08); }

/* a phone (narrow screen): the question box stays at the bottom; the source opens over the page */
@media (max-width: 760px) {
  .gradio-container { padding-bottom: 150px !important; }
  #rag-chat { max-height: none; min-height: 300px; overflow-y: visible !important; }
  #rag-ask-row { position: fixed !important; left: 0; right: 0; bottom: 0; z-index: 900; margin: 0 !important;
    padding: 6px 8px calc(6px + env(safe-area-inset-bottom)); background: var(--background-fill-primary);
    border-top: 1px solid var(--border-color-primary); box-shadow: 0 -4px 14px rgba(15, 23, 42, .08); flex-wrap: nowrap !important; gap: 6px; }
  #rag-ask-row > .form, #rag-ask-row > div:first-child { min-width: 0 !important; flex: 1 1 auto !important; }
  #rag-ask-row > .column { min-width: 96px !important; flex: 0 0 96px !important; gap: 4px; }
  #rag-ask-row label > span:first-child, #rag-ask-row [data-testid="block-info"] { display: none; }
  #rag-side { display: none !important; }
  #rag-side.rag-overlay { display: block !important; position: fixed !important; inset: 0; z-index: 1000; margin: 0 !important;
    padding: 0; background: var(--background-fill-primary); overflow: hidden; max-width: none !important; width: 100vw; }
  #rag-side.rag-overlay .rag-viewer { border-radius: 0; border: none; height: 100vh; display: flex; flex-direction: column; }
  #rag-side.rag-overlay .rag-viewer-body { max-height: none; flex: 1 1 auto; min-height: 0; }
  .rag-viewer-bar { display: flex; position: sticky; top: 0; z-index: 2; padding: 8px 10px; background: var(--background-fill-primary);
    border-bottom: 1px solid var(--border-color-primary); }
  .rag-viewer-back { border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary); color: var(--rag-accent);
    border-radius: 8px; padding: 6px 14px; font-size: 15px; font-weight: 600; cursor: pointer; }
  .rag-persona { flex-direction: column; gap: 2px; }
  .rag-chat { padding: 8px 6px; }
  .rag-a { max-width: 100%; padding: 10px 12px; }
  #rag-chat-actions button { white-space: nowrap; font-size: 12px; padding: 2px 4px; min-width: 0 !important; }
}
"""

# Clicks inside the conversation: [n] markers and "open in document" open the
# source viewer (handled in Python); copy runs here, in the browser.
CHAT_JS = r"""
const copyText = async (text) => {
  try {
    if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
  } catch (e) {}
  const ta = document.createElement('textarea');
  ta.value = text; ta.setAttribute('readonly', ''); ta.style.position = 'fixed'; ta.style.opacity = '0';
  document.body.appendChild(ta); ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch (e) {}
  document.body.removeChild(ta);
  return ok;
};
// Bring a new question (and, when it is answered, its answer) to the top of the conversation box.
const box = element.closest('#rag-chat') || element.parentElement;
let lastCount = element.querySelectorAll('.rag-turn').length;
let lastStatus = '';
const follow = () => {
  const turns = element.querySelectorAll('.rag-turn');
  if (!turns.length) { lastCount = 0; return; }
  const last = turns[turns.length - 1];
  const status = last.dataset.status;
  if (turns.length !== lastCount || (status !== lastStatus && (status === 'done' || status === 'error'))) {
    if (window.matchMedia('(max-width: 760px)').matches) {
      // A phone: the page scrolls (the box does not), so bring the question to the top of the screen.
      window.scrollBy(0, last.getBoundingClientRect().top - 8);
    } else {
      box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    }
  }
  lastCount = turns.length;
  lastStatus = status;
};
// A question kept as a draft (see the header's script) is forgotten once the conversation shows it.
const forgetDraft = () => {
  let draft = '';
  try { draft = localStorage.getItem('rag-draft') || ''; } catch (e) { return; }
  if (!draft) return;
  const asked = Array.from(element.querySelectorAll('.rag-turn')).map((t) => t.dataset.q || '');
  if (asked.includes(draft.trim())) { try { localStorage.removeItem('rag-draft'); } catch (e) {} }
};
watch('value', () => requestAnimationFrame(() => { follow(); forgetDraft(); }));
element.addEventListener('click', async (ev) => {
  const el = ev.target.closest('[data-action]');
  if (!el || !element.contains(el)) return;
  const action = el.dataset.action;
  if (action === 'copy') {
    const src = el.parentElement.querySelector('textarea.rag-copy-src');
    const text = src ? src.value : '';
    window.__ragLastCopy = text;
    const ok = await copyText(text);
    const label = el.querySelector('.rag-copy-label');
    el.dataset.copied = ok ? '1' : '0';
    if (label) label.textContent = ok ? ('✓ ' + el.dataset.done) : el.dataset.label;
    setTimeout(() => { el.dataset.copied = ''; if (label) label.textContent = el.dataset.label; }, 2500);
    return;
  }
  if ((action === 'cite' || action === 'related') && window.__ragOpenViewer) window.__ragOpenViewer();
  if (action === 'cite') {
    element.querySelectorAll('.rag-card.rag-active').forEach((c) => c.classList.remove('rag-active'));
    const card = element.querySelector('#rag-t' + el.dataset.turn + '-c' + el.dataset.n);
    if (card) {
      card.classList.add('rag-active');
      card.classList.remove('rag-flash'); void card.offsetWidth; card.classList.add('rag-flash');
    }
  }
  trigger('click', {
    action: action,
    turn: Number(el.dataset.turn || -1),
    n: Number(el.dataset.n || 0),
    i: Number(el.dataset.i || 0),
    rating: el.dataset.rating || ''
  });
});
"""

EXAMPLES_JS = r"""
element.addEventListener('click', (ev) => {
  const el = ev.target.closest('[data-action="example"]');
  if (!el || !element.contains(el)) return;
  trigger('click', { q: el.dataset.q || el.textContent });
  const chat = document.querySelector('#rag-chat');
  if (chat && chat.getBoundingClientRect().top < 0) chat.scrollIntoView({ behavior: 'smooth', block: 'start' });
});
"""

# After the viewer's content changes: scroll its body to the highlighted passage.
VIEWER_JS = r"""
const show = () => {
  const body = element.querySelector('.rag-viewer-body');
  const target = element.querySelector('.rag-target');
  if (!body || !target) return;
  body.scrollTop = Math.max(0, target.offsetTop - 24);
  target.classList.remove('rag-flash'); void target.offsetWidth; target.classList.add('rag-flash');
  if (window.matchMedia('(max-width: 760px)').matches) return;  // a phone: the viewer opens over the page
  const r = element.getBoundingClientRect();
  if (r.top > window.innerHeight - 120 || r.bottom < 0) element.scrollIntoView({ behavior: 'smooth', block: 'start' });
};
watch('value', () => requestAnimationFrame(show));
requestAnimationFrame(show);
"""

NO_CLICK_JS = ""

# The header's script, for the whole page: Gradio's own texts (its locale, the reconnect notice) in the chosen
# language, the source overlay on a phone (open, back button, the browser's back, Escape), and the question
# being typed kept in localStorage so that a reload or a reconnect does not lose it.
GLUE_JS = r"""
const head = () => element.querySelector('.rag-head');
const EN_LOST = 'Connection to the server was lost';
// Only text nodes are changed (Svelte keeps its own markers in these elements).
const setText = (el, value) => {
  if (!el) return;
  const node = Array.from(el.childNodes).find((n) => n.nodeType === Node.TEXT_NODE && n.nodeValue.trim());
  if (node && node.nodeValue !== value) node.nodeValue = value;
};
const fix = () => {
  const h = head();
  if (!h) return;
  document.querySelectorAll('.toast-body').forEach((t) => {
    const text = t.querySelector('.toast-message-text, [data-testid="toast-text"]');
    if (text && (text.textContent.includes(EN_LOST) || t.dataset.ragConn === '1')) {
      t.dataset.ragConn = '1';
      setText(text, h.dataset.conn);
      setText(t.querySelector('.toast-title'), h.dataset.connTitle);
    }
  });
};
const apply = async () => {
  const h = head();
  if (!h) return;
  const lang = h.dataset.lang || 'zh';
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  if (h.dataset.pageTitle) document.title = h.dataset.pageTitle;
  try {
    const url = performance.getEntriesByType('resource').map((e) => e.name)
      .find((n) => /\/assets\/core-[\w-]+\.js(\?|$)/.test(n));
    if (url) {
      const core = await import(url);
      if (core.changeLocale) core.changeLocale(lang === 'zh' ? 'zh-CN' : 'en');
    }
  } catch (e) { console.debug('locale', e); }
  fix();
};
watch('value', apply);
apply();
if (!window.__ragGlue) {
  window.__ragGlue = true;
  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  const phone = () => window.matchMedia('(max-width: 760px)').matches;
  // The overlay is a class on the viewer's column (Gradio scopes the app's CSS to its container, so a
  // class on <body> would not reach it); the page behind it does not scroll while it is open.
  const side = () => document.getElementById('rag-side');
  const isOpen = () => !!(side() && side().classList.contains('rag-overlay'));
  window.__ragOpenViewer = () => {
    if (!phone() || !side() || isOpen()) return;
    side().classList.add('rag-overlay');
    document.body.style.overflow = 'hidden';
    try { history.pushState({ ragViewer: 1 }, ''); } catch (e) {}
  };
  window.__ragCloseViewer = (fromHistory) => {
    if (!isOpen()) return;
    side().classList.remove('rag-overlay');
    document.body.style.overflow = '';
    if (!fromHistory && history.state && history.state.ragViewer) history.back();
  };
  window.addEventListener('popstate', () => window.__ragCloseViewer(true));
  document.addEventListener('click', (ev) => {
    if (ev.target.closest('[data-action="close-viewer"]')) { ev.preventDefault(); window.__ragCloseViewer(false); }
  });
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') window.__ragCloseViewer(false); });
  // The question being typed: kept on every keystroke, put back into an empty box after a reload.
  const box = () => document.querySelector('#rag-question textarea');
  document.addEventListener('input', (ev) => {
    if (ev.target === box()) { try { localStorage.setItem('rag-draft', ev.target.value); } catch (e) {} }
  }, true);
  setTimeout(() => {
    const ta = box();
    let draft = '';
    try { draft = localStorage.getItem('rag-draft') || ''; } catch (e) {}
    if (ta && !ta.value && draft.trim()) {
      ta.value = draft;
      ta.dispatchEvent(new Event('input', { bubbles: true }));
      ta.dataset.restored = '1';
      const h = head();
      if (h && h.dataset.draft) {
        const note = document.createElement('div');
        note.className = 'rag-restored rag-draft-note';
        note.setAttribute('role', 'status');
        note.textContent = h.dataset.draft;
        h.appendChild(note);
        setTimeout(() => note.remove(), 8000);
      }
    }
  }, 1200);
}
"""
