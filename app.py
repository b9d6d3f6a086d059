"""Start the policy Q&A web app: ``python app.py`` (``make run`` sets everything up first).

Listens on ``GRADIO_SERVER_NAME``:``GRADIO_SERVER_PORT`` (default 127.0.0.1:7860)
and uses the default settings (``index/`` built by ``make setup``; ``RAG_*``
environment variables override them, e.g. ``RAG_ADMIN_PASSWORD`` to enable the
document-management tab). ``/health`` reports the index generation and document count.
"""

import sys

from rag.app.server import main

if __name__ == "__main__":
    sys.exit(main())
