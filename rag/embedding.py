"""Kept so that ``from rag.embedding import ...`` keeps working: the engines live in :mod:`rag.engine`."""

from rag.engine import (  # noqa: F401
    DEFAULT_MODEL_DIR,
    MARKER_FILE,
    Embedder,
    ModelNotPreparedError,
    export_onnx,
    get_embedder,
    is_prepared,
    prepare_all,
    prepare_model,
    source_model_file,
)

__all__ = ["DEFAULT_MODEL_DIR", "MARKER_FILE", "Embedder", "ModelNotPreparedError", "export_onnx",
           "get_embedder", "is_prepared", "prepare_all", "prepare_model", "source_model_file"]
