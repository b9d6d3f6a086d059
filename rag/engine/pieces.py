"""e5's tokenizer in a fifth of the memory: the same Unigram pieces, run by sentencepiece.

The ``tokenizers`` library holds XLM-R's 250,002 pieces in a trie of hash maps:
~290 MB resident for a process that embeds one question. sentencepiece keeps the
same pieces and scores in a double-array trie (~70 MB). :func:`build` writes a
sentencepiece model from the export's ``tokenizer.json``:

* the pieces, scores and special pieces, in the same order, so ids are equal;
* the normaliser as a table of per-character rules, read from ``tokenizer.json``'s
  own normaliser applied to every code point (so it is that normaliser, character
  by character), compiled by sentencepiece's trainer from a rule file;
* sentencepiece's whitespace handling (collapse runs, a leading ``▁``), which is
  what the Metaspace pre-tokenizer does.

Two things a per-character table cannot do are left to ``tokenizers`` itself,
loaded only when a text needs it: NFKC composing characters across each other
(``e`` + U+0301), and special-token names written in the text (``<s>``). A text
that ends in white space gets the final ``▁`` piece ``tokenizers`` gives it.
:class:`Pieces` checks each text for these cases; the ids are the ones
``tokenizers`` makes (checked on every passage and question of the corpora).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import unicodedata
from pathlib import Path

log = logging.getLogger(__name__)

#: Files written beside the export's ``tokenizer.json``.
SPM_FILE = "tokenizer.spm"
SPM_META_FILE = "tokenizer.spm.json"
_SPM_VERSION = 1
_SEPARATOR = "\x00"  # the normaliser leaves it alone: code points are normalised in joined slices


def _source_stamp(tokenizer_json: Path) -> str:
    import hashlib

    return hashlib.sha256(tokenizer_json.read_bytes()).hexdigest()


def _per_character(normalizer) -> dict[int, str]:
    """Every code point whose normalised form differs from itself, with that form."""
    if normalizer.normalize_str(_SEPARATOR) != _SEPARATOR:
        raise RuntimeError("The normaliser changes the separator; per-character rules cannot be read.")
    changed: dict[int, str] = {}
    step = 1 << 14
    for lo in range(1, 0x110000, step):
        cps = [cp for cp in range(lo, min(lo + step, 0x110000)) if not 0xD800 <= cp <= 0xDFFF]
        if not cps:
            continue
        out = normalizer.normalize_str(_SEPARATOR.join(map(chr, cps))).split(_SEPARATOR)
        if len(out) != len(cps):
            raise RuntimeError("A code point's normal form spans the separator.")
        changed.update((cp, got) for cp, got in zip(cps, out) if got != chr(cp))
    return changed


def _charsmap(rules: dict[int, str], workdir: Path) -> bytes:
    """sentencepiece's compiled normaliser for ``rules`` (made by its trainer from a rule file)."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    tsv = workdir / "rules.tsv"
    tsv.write_text("".join(f"{cp:X}\t{' '.join(f'{ord(c):X}' for c in text)}\n"
                           for cp, text in sorted(rules.items())), encoding="utf-8")
    sample = workdir / "sample.txt"
    sample.write_text("ab cd ef\n" * 20, encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(sample), model_prefix=str(workdir / "rules"), vocab_size=10,
                                   model_type="char", normalization_rule_tsv=str(tsv), minloglevel=2)
    tiny = pb.ModelProto()
    tiny.ParseFromString((workdir / "rules.model").read_bytes())
    return tiny.normalizer_spec.precompiled_charsmap


def build(onnx_dir: Path) -> Path:
    """Write ``tokenizer.spm`` (and its notes) from ``onnx_dir/tokenizer.json``; returns the model's path."""
    from sentencepiece import sentencepiece_model_pb2 as pb
    from tokenizers import Tokenizer

    onnx_dir = Path(onnx_dir)
    source = onnx_dir / "tokenizer.json"
    spec = json.loads(source.read_text(encoding="utf-8"))
    model = spec["model"]
    if model.get("type") != "Unigram":
        raise ValueError(f"{source} is not a Unigram tokenizer")
    hf = Tokenizer.from_file(str(source))
    rules = _per_character(hf.normalizer)
    specials = {t["content"]: t["id"] for t in spec.get("added_tokens", []) if t.get("special")}
    unk = model["unk_id"]
    work = Path(tempfile.mkdtemp(prefix=".spm-", dir=onnx_dir))
    try:
        proto = pb.ModelProto()
        proto.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
        proto.trainer_spec.vocab_size = len(model["vocab"])
        proto.trainer_spec.unk_id = unk
        proto.trainer_spec.bos_id = proto.trainer_spec.eos_id = proto.trainer_spec.pad_id = -1
        kind = pb.ModelProto.SentencePiece
        for i, (piece, score) in enumerate(model["vocab"]):
            row = proto.pieces.add()
            row.piece, row.score = piece, float(score)
            row.type = kind.UNKNOWN if i == unk else kind.CONTROL if piece in specials else kind.NORMAL
        norm = proto.normalizer_spec
        norm.name = "tokenizer.json"
        norm.precompiled_charsmap = _charsmap(rules, work)
        norm.add_dummy_prefix = norm.remove_extra_whitespaces = norm.escape_whitespaces = True
        (work / SPM_FILE).write_bytes(proto.SerializeToString())
        meta = {
            "version": _SPM_VERSION,
            "source": _source_stamp(source),
            "specials": specials,
            "bos": hf.token_to_id(spec["post_processor"]["single"][0]["SpecialToken"]["id"]),
            "eos": hf.token_to_id(spec["post_processor"]["single"][-1]["SpecialToken"]["id"]),
            "space_piece": hf.token_to_id("\u2581"),
            # characters that normalise to text ending in a space, or to nothing
            "to_space": sorted(cp for cp, t in rules.items() if t.endswith(" ")),
            "to_nothing": sorted(cp for cp, t in rules.items() if t == ""),
        }
        (work / SPM_META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        os.replace(work / SPM_FILE, onnx_dir / SPM_FILE)  # the model first: the notes say it is complete
        os.replace(work / SPM_META_FILE, onnx_dir / SPM_META_FILE)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return onnx_dir / SPM_FILE


def _ready(onnx_dir: Path) -> dict | None:
    try:
        meta = json.loads((onnx_dir / SPM_META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (meta.get("version") != _SPM_VERSION or meta.get("source") != _source_stamp(onnx_dir / "tokenizer.json")
            or not (onnx_dir / SPM_FILE).is_file()):
        return None
    return meta


class Pieces:
    """Token ids of texts as ``tokenizers`` makes them from ``tokenizer.json``, with sentencepiece's memory.

    ``encode(texts)`` returns, for each text, ``[bos] + pieces + [eos]`` cut to
    ``max_tokens``. The sentencepiece model is built on first use when missing or
    older than ``tokenizer.json`` (a few seconds, once).
    """

    def __init__(self, onnx_dir: Path, max_tokens: int = 512) -> None:
        import sentencepiece as spm

        self.onnx_dir = Path(onnx_dir)
        self.max_tokens = max_tokens
        meta = _ready(self.onnx_dir)
        if meta is None:
            build(self.onnx_dir)
            meta = _ready(self.onnx_dir)
            if meta is None:
                raise RuntimeError(f"{self.onnx_dir / SPM_FILE} could not be written")
        self._spm = spm.SentencePieceProcessor(model_file=str(self.onnx_dir / SPM_FILE))
        self._bos, self._eos, self._space = meta["bos"], meta["eos"], meta["space_piece"]
        self.pad = int(meta["specials"].get("<pad>", 0))
        self._specials = tuple(meta["specials"])
        self._to_space = frozenset(map(chr, meta["to_space"])) | {" "}
        self._to_nothing = "".join(map(chr, meta["to_nothing"]))
        self._reference = None
        self._reference_lock = threading.Lock()

    def _needs_reference(self, text: str) -> bool:
        """Whether ``text`` has what the per-character table cannot reproduce (see the module)."""
        if any(s in text for s in self._specials):
            return True
        if text.isascii():
            return False
        return unicodedata.normalize("NFKC", text) != "".join(unicodedata.normalize("NFKC", c) for c in text)

    def _ends_in_space(self, text: str) -> bool:
        """Whether the normalised text ends in a space (``tokenizers`` then ends with a lone ``▁``)."""
        stripped = text.rstrip(self._to_nothing)
        return bool(stripped) and stripped[-1] in self._to_space

    def _reference_tokenizer(self):
        with self._reference_lock:
            if self._reference is None:
                from tokenizers import Tokenizer

                log.info("loading tokenizer.json for a text that needs it")
                self._reference = Tokenizer.from_file(str(self.onnx_dir / "tokenizer.json"))
                self._reference.enable_truncation(self.max_tokens)
            return self._reference

    def encode(self, texts: list[str]) -> list[list[int]]:
        """The token ids of each of ``texts``, special tokens included."""
        out = []
        room = self.max_tokens - 2
        for text in texts:
            if self._needs_reference(text):
                out.append(self._reference_tokenizer().encode(text, add_special_tokens=True).ids)
                continue
            ids = self._spm.encode(text)
            if self._ends_in_space(text):
                ids.append(self._space)
            out.append([self._bos, *ids[:room], self._eos])
        return out
