"""The store of passages: its lifecycle (:mod:`.index`), manifest (:mod:`.manifest`),
writer lease (:mod:`.lease`) and shared errors and Chroma client (:mod:`.base`)."""

from rag.store.base import (
    IndexBusyError,
    IndexNotBuiltError,
    IndexUnavailableError,
    StoreDamagedError,
    StoreUnreachableError,
    is_unreachable,
    make_chroma_client,
)
from rag.store.index import Index, IngestReport, SentenceVectors
from rag.store.manifest import DocumentInfo, Manifest, ManifestError, passage_format

__all__ = [
    "DocumentInfo", "Index", "IndexBusyError", "IndexNotBuiltError", "IndexUnavailableError", "IngestReport",
    "Manifest", "ManifestError", "SentenceVectors", "StoreDamagedError", "StoreUnreachableError", "is_unreachable",
    "make_chroma_client", "passage_format",
]
