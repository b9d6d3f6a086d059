"""The HTTP API: OpenAI-compatible chat (:mod:`rag.api.openai`), Dify retrieval (:mod:`rag.api.dify`),
API keys (:mod:`rag.api.keys`), mounted on the app's server by :mod:`rag.api.routes`."""
