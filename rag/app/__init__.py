"""The Gradio app: cited answers in a chat, a source viewer, feedback, and document management.

``python app.py`` (or ``make run``) starts it; :func:`rag.app.server.main` is the entry point.
Modules: :mod:`~rag.app.texts` (every word shown, zh/en), :mod:`~rag.app.render`
(escaped HTML), :mod:`~rag.app.service` (answering, sources, feedback, admin —
no Gradio), :mod:`~rag.app.ui` (the Blocks), :mod:`~rag.app.server` (FastAPI,
``/health``, host and port).
"""
