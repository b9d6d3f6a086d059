"""The store of passages: its lifecycle (:mod:`.index`), manifest (:mod:`.manifest`),
writer lease (:mod:`.lease`) and shared errors and Chroma client (:mod:`.base`)."""

from rag.store.base import (
    IndexBusyError,
    IndexNotBuiltError,
    IndexUnavailableError,
    make_chroma_client,
)
from rag.store.index import Index, IngestReport, SentenceVectors
from rag.store.manifest import DocumentInfo, Manifest, passage_format

__all__ = [
    "DocumentInfo", "Index", "IndexBusyError", "IndexNotBuiltError", "IndexUnavailableError", "IngestReport",
    "Manifest", "SentenceVectors", "make_chroma_client", "passage_format",
]
