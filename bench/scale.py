"""Scale benchmark: the product over 1k, 10k and 100k passages (real documents + synthetic filler).

    python bench/scale.py prepare            # make the filler documents and cache their vectors (resumable)
    python bench/scale.py run [--sizes …]    # ingest + query each size, in fresh processes
    python bench/scale.py report             # bench/scale.png and the markdown table
    python bench/scale.py all                # the three in order

What is measured, per size: ingest throughput (passages/s) through the product's
own ``Index.ingest``, index size on disk, query latency p50/p95 by stage over the
bundled questions, peak memory (RSS) of the ingest and of the serving process,
and Recall@5 / MRR@10 (plus the other answer figures) of ``ours`` on the
bundled questions, which must hold up as distractors grow.

**The filler.** Synthetic documents in the register of the bundled plan:
chapters (第X章), sections (第X节) and boxes (专栏N) whose headings are spliced
from the real headings' verbs and objects, paragraphs of sentences that each join
2–4 *clauses* drawn at random from different sentences of the real corpus, with
every number redrawn (same number of digits; years 2016–2035) and every place
name the corpus mentions (jieba's ``ns`` tag, less the common words it mislabels,
:data:`NOT_PLACES`) swapped for a random province, city or country. A
sentence or heading that shares 12 or more consecutive characters with any gold
quote of the evaluation set, once every place name and number on both sides is
masked, is thrown away, so filler never repeats an answer with only its place or
figure changed ("打造成河北面向加纳乃至济南的历史之窗" is a second answer to a
question about the 蒙达尔纪 memorial's "windows", not a distractor); filler
documents also have their own ids, so a filler passage can never count as
relevant. Sentences come from a pool (:data:`SENTENCE_POOL`) that paragraphs
draw from with replacement: at 100k passages a filler sentence recurs ~15–20 times,
like boilerplate does in real collections. Titles say "合成文本".

**The vectors** (modes of ``--plan``). The real model embeds ~6–10 passages/s
on this 2-core machine, so the product's full ingest of 100k passages (and their
~600k answer sentences) takes hours. ``full``: the product's ``Index.ingest``
with the real model on every text (the real ingest throughput; run at 1k).
``realcache``: the same vectors again from the cache (re-measures queries with
newer code). ``trunc64``: filler passages without a real vector are embedded
once by the real model cut to 64 tokens (:func:`embed_truncated`, cached,
resumable). ``derived``: a filler passage vector is the length-weighted mean of
its sentences' vectors (:func:`proxy_vector`) — cheap, but measured to be far too
strong a distractor (:func:`measure_fidelity`; bench/RESULTS.md), so not a
quality figure. Filler *sentences* always come from one cache of the real model
at full length. With vectors from a cache, ingest throughput is the product's
ingest without embedding, reported beside the measured embedding rate.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
FILLER_DIR = CACHE / "filler"
RESULTS = BENCH / "scale_results.json"
PLOT = BENCH / "scale.png"
DATASET = ROOT / "eval" / "questions.jsonl"
CORPUS = ROOT / "corpus"

SEED = 20250301
SENTENCE_POOL = 30_000
HEADING_POOL = 1_000
MAX_SIZE = 100_000
SIZES = [1_000, 10_000, 100_000]
DEFAULT_PLAN = "0:real,1000:full,1000:derived,10000:trunc64,10000:derived,100000:derived"
TRUNC_TOKENS = 64
# A filler sentence or heading sharing this many consecutive characters with a gold quote — after every
# place name and number on both sides is masked — repeats an answer and is not used.
GOLD_COPY_CHARS = 12
GOLD_FILTER = "places-and-numbers-masked, not-places kept"
STAGES = ["embed", "keyword", "vector", "fusion", "answer"]

# Places a filler sentence may name instead of the corpus's own.
EXTRA_PLACES = """江西 湖北 广东 广西 贵州 四川 云南 浙江 福建 江苏 安徽 河南 河北 山东 山西 陕西 甘肃 辽宁 吉林 黑龙江 海南 重庆 天津
内蒙古 宁夏 青海 新疆 西藏 南昌 武汉 广州 南宁 贵阳 成都 昆明 杭州 福州 南京 合肥 郑州 济南 西安 兰州 沈阳 长春 哈尔滨 海口
越南 老挝 柬埔寨 泰国 缅甸 马来西亚 印度尼西亚 菲律宾 新加坡 日本 韩国 蒙古 俄罗斯 哈萨克斯坦 乌兹别克斯坦 巴基斯坦 印度 斯里兰卡
孟加拉国 尼泊尔 土耳其 伊朗 沙特阿拉伯 阿联酋 埃及 埃塞俄比亚 肯尼亚 坦桑尼亚 南非 尼日利亚 加纳 塞内加尔 摩洛哥 阿尔及利亚 安哥拉
赞比亚 津巴布韦 莫桑比克 马达加斯加 巴西 阿根廷 智利 秘鲁 墨西哥 古巴 美国 加拿大 英国 法国 德国 意大利 西班牙 葡萄牙 荷兰 比利时
瑞士 奥地利 波兰 捷克 匈牙利 塞尔维亚 希腊 芬兰 瑞典 挪威 丹麦 爱尔兰 澳大利亚 新西兰 斐济""".split()
# Words jieba tags as place names (ns) in the corpus that are not places: kept as they are in the filler
# (a filler that swapped 友城, 城市 or 海关 for a country would not read like the corpus).
NOT_PLACES = set("""三中 四中 三国 五国 上市 入口 入口关 兴湘 共和国 加大力度 十强县 百强县 友城 城市 外国 多角度 大国 大洲
四大洲 五大洲 大湾 广大干部 归国 惠港 惠澳 新区 智联 治港 海关 深度 港澳同胞 四海 山水 重卡 马克思列宁主义 东道国
内陆地区 两州 北道 越国 哈马 德岛""".split())
DOC_KINDS = ["外事工作“十四五”发展规划", "对外开放工作要点", "国际交流合作年度报告", "外事港澳工作回顾", "友好城市建设实施方案",
             "涉外服务工作指引", "对外合作专项行动计划"]
VERBS = ["推进", "深化", "拓展", "加强", "构建", "打造", "提升", "完善", "健全", "服务", "促进", "优化", "扩大", "积极参与"]
CN_NUM = "一二三四五六七八九十"


# ------------------------------------------------------------------ small helpers


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


from bench_pipeline import peak_rss_mb, rss_mb  # noqa: E402  (bench/ is the script's folder)


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20


def percentile(xs: list[float], q: float) -> float | None:
    s = sorted(xs)
    return round(s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))], 2) if s else None


def settings_for(index_dir: Path, corpus_dir: Path):
    from rag.settings import Settings

    return Settings(index_dir=index_dir, corpus_dir=corpus_dir, llm_base_url=None, llm_model=None, chroma_host=None)


# ------------------------------------------------------------------ the filler


class FillerMaker:
    """Synthetic documents in the corpus's register (see the module doc)."""

    def __init__(self, seed: int = SEED) -> None:
        import jieba.posseg as pseg

        from rag.cleaning import clean_document
        from rag.evaluation import load_dataset, norm
        from rag.headings import classify_heading
        from rag.loaders import load_document
        from rag.passages import split_sentences

        self.rng = random.Random(seed)
        texts, headings = [], []
        for path in sorted(CORPUS.glob("*.txt")):
            doc = clean_document(load_document(path))
            for p in doc.paragraphs:
                h = classify_heading(p.text)
                if h is not None:
                    tail = re.sub(r"^(第[一二三四五六七八九十\d]+[章节]|专栏\s*[\d—\-]+)\s*", "", h.label_text).strip()
                    if 4 <= len(tail) <= 24:
                        headings.append(tail)
                else:
                    texts.append(p.text)
        corpus = "\n".join(texts)
        places = {w for w, flag in pseg.cut(corpus) if flag == "ns" and len(w) >= 2} - NOT_PLACES
        self.places = sorted(places | set(EXTRA_PLACES))
        self._place_re = re.compile("|".join(sorted(map(re.escape, places), key=len, reverse=True))) if places else None
        clauses = []
        for t in texts:
            for s in split_sentences(t):
                for c in re.split(r"[,，、:：]", s.rstrip("。！？；!?;")):
                    c = c.strip(" “”\"")
                    if 4 <= len(c) <= 40 and re.search(r"[\u4e00-\u9fff]", c) and not re.match(r"^\d{1,2}[.．、]", c):
                        clauses.append(c)
        self.clauses = clauses
        self.headings = sorted(set(headings))
        # Every place name either side may use is masked with the numbers, so "建设湖南与友好省州北卡罗来纳州的…"
        # and its filler twin "建设肯尼亚与友好省州丹麦的…" compare equal.
        names = sorted(set(places) | set(EXTRA_PLACES), key=len, reverse=True)
        self._any_place_re = re.compile("|".join(map(re.escape, names)))
        grams: set[str] = set()
        for q in load_dataset(DATASET):
            for g in q.gold:
                quote = self._masked(g.get("quote", ""))
                grams.update(quote[i : i + GOLD_COPY_CHARS] for i in range(0, max(0, len(quote) - GOLD_COPY_CHARS + 1)))
        self.gold_grams = grams
        self.rejected = 0
        self.rejected_headings = 0
        self.pool = self._sentence_pool(SENTENCE_POOL)
        self.heading_pool = sorted({self._new_heading() for _ in range(HEADING_POOL)})

    def _numbers(self, text: str, rng: random.Random) -> str:
        def redraw(m: re.Match) -> str:
            s, unit = m.group(1), m.group(2)
            if unit == "月":
                return str(rng.randint(1, 12)) + unit
            if unit == "日":
                return str(rng.randint(1, 28)) + unit
            unit = unit or ""
            if len(s) == 4 and s[:2] in ("19", "20"):
                return str(rng.randint(2016, 2035)) + unit
            if len(s) == 1:
                return str(rng.randint(1, 9)) + unit
            return str(rng.randint(10 ** (len(s) - 1), 10 ** len(s) - 1)) + unit

        return re.sub(r"(\d+)(月|日)?", redraw, text)

    def _swap(self, text: str, rng: random.Random) -> str:
        text = self._numbers(text, rng)
        if self._place_re is not None:
            text = self._place_re.sub(lambda m: rng.choice(EXTRA_PLACES), text)
        return text

    def _masked(self, text: str) -> str:
        from rag.evaluation import norm

        return re.sub(r"\d+", "#", self._any_place_re.sub("@", norm(text)))

    def _copies_gold(self, sentence: str) -> bool:
        """Whether ``sentence`` repeats GOLD_COPY_CHARS characters of a gold quote, places and numbers aside."""
        s = self._masked(sentence)
        n = GOLD_COPY_CHARS
        return any(s[i : i + n] in self.gold_grams for i in range(0, max(0, len(s) - n + 1)))

    def _new_sentence(self, rng: random.Random) -> str:
        k = rng.choice([2, 3, 3, 4])
        return ",".join(self._swap(rng.choice(self.clauses), rng) for _ in range(k)) + "。"

    def _sentence_pool(self, n: int) -> list[str]:
        pool, seen = [], set()
        while len(pool) < n:
            s = self._new_sentence(self.rng)  # drawn in full before the check: a rejection costs no draws
            if s in seen:
                continue
            if self._copies_gold(s):
                self.rejected += 1
                continue
            seen.add(s)
            pool.append(s)
        return pool

    def heading(self) -> str:
        return self.rng.choice(self.heading_pool)

    def _new_heading(self) -> str:
        while True:
            a = self.rng.choice(self.headings)
            b = self.rng.choice(self.headings)
            verb = self.rng.choice(VERBS) if self.rng.random() < 0.6 else a[:2]
            h = self._swap(verb + b[2:], self.rng)[:24]
            if not self._copies_gold(h):  # e.g. a 板块 title of the review with another verb
                return h
            self.rejected_headings += 1

    def paragraph(self) -> str:
        return "".join(self.rng.choice(self.pool) for _ in range(self.rng.randint(1, 4)))

    def document(self, i: int) -> str:
        lines = [f"{self.rng.choice(EXTRA_PLACES)}{self.rng.choice(DOC_KINDS)}（合成文本{i:05d}）", ""]
        box = 0
        for c in range(self.rng.randint(2, 4)):
            lines += [f"第{CN_NUM[c]}章 {self.heading()}", ""]
            for s in range(self.rng.randint(2, 4)):
                lines += [f"第{CN_NUM[s]}节 {self.heading()}", ""]
                for _ in range(self.rng.randint(2, 6)):
                    lines += [self.paragraph(), ""]
                if self.rng.random() < 0.25:
                    box += self.rng.randint(1, 3)
                    lines += [f"专栏{box} {self.heading()}行动", ""]
                    for _ in range(self.rng.randint(1, 2)):
                        lines += [self.paragraph(), ""]
        return "\n".join(lines)


def real_documents() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file())


def passages_of(path: Path):
    """The passages the product makes of a file (same code path as ingest)."""
    from rag.cleaning import clean_document
    from rag.loaders import load_document
    from rag.passages import build_passages
    from rag.settings import Settings

    s = Settings()
    return build_passages(clean_document(load_document(path)), s.passage_min_chars, s.passage_max_chars)


def make_filler(target_passages: int = MAX_SIZE) -> dict:
    """Write filler documents until real + filler passages reach ``target_passages``; returns the manifest."""
    manifest_path = FILLER_DIR / "manifest.json"
    if manifest_path.is_file():
        m = json.loads(manifest_path.read_text())
        if m.get("target") >= target_passages and m.get("seed") == SEED and m.get("pool") == SENTENCE_POOL \
                and m.get("heading_pool") == HEADING_POOL and m.get("gold_filter") == GOLD_FILTER:
            return m
    shutil.rmtree(FILLER_DIR, ignore_errors=True)
    (FILLER_DIR / "docs").mkdir(parents=True)
    real = sum(len(passages_of(p)) for p in real_documents())
    log(f"real corpus: {real} passages; making filler up to {target_passages}")
    maker = FillerMaker()
    docs, total, i = [], real, 0
    while total < target_passages:
        i += 1
        path = FILLER_DIR / "docs" / f"filler-{i:05d}.txt"
        path.write_text(maker.document(i), encoding="utf-8")
        n = len(passages_of(path))
        total += n
        docs.append({"file": path.name, "passages": n, "cumulative": total})
        if i % 500 == 0:
            log(f"  {i} filler documents, {total} passages")
    m = {"seed": SEED, "pool": SENTENCE_POOL, "heading_pool": HEADING_POOL, "gold_filter": GOLD_FILTER,
         "target": target_passages, "real_passages": real, "documents": docs,
         "clauses": len(maker.clauses), "headings": len(maker.headings), "places": len(maker.places),
         "rejected_sentences": maker.rejected, "rejected_headings": maker.rejected_headings}
    manifest_path.write_text(json.dumps(m, ensure_ascii=False, indent=1))
    log(f"filler: {len(docs)} documents, {total - real} passages; {maker.rejected} pool sentences and "
        f"{maker.rejected_headings} headings rejected as copies of gold quotes")
    return m


def corpus_for(size: int, manifest: dict) -> Path:
    """A folder with the real documents and the filler prefix that makes ``size`` passages (hard links)."""
    folder = CACHE / f"corpus-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for p in real_documents():
        os.link(p, folder / p.name)
    if size > 0:
        for d in manifest["documents"]:
            os.link(FILLER_DIR / "docs" / d["file"], folder / d["file"])
            if d["cumulative"] >= size:
                break
    return folder


# ------------------------------------------------------------------ vector cache


class VectorCache:
    """text hash → vector, stored as chunk files under one folder (append-only, resumable)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.index: dict[str, tuple[int, int]] = {}
        self.chunks: list[np.ndarray] = []
        for f in sorted(folder.glob("chunk-*.npz")):
            z = np.load(f)
            c = len(self.chunks)
            self.chunks.append(z["vectors"])
            for row, h in enumerate(z["hashes"]):
                self.index[str(h)] = (c, row)

    def __contains__(self, h: str) -> bool:
        return h in self.index

    def get(self, h: str) -> np.ndarray | None:
        at = self.index.get(h)
        return None if at is None else self.chunks[at[0]][at[1]]

    def add(self, hashes: list[str], vectors: np.ndarray) -> None:
        c = len(self.chunks)
        np.savez(self.folder / f"chunk-{c:05d}.npz", hashes=np.array(hashes), vectors=vectors.astype(np.float32))
        self.chunks.append(vectors.astype(np.float32))
        for row, h in enumerate(hashes):
            self.index[h] = (c, row)


def filler_passages(manifest: dict):
    """Every filler passage, in document order (same code path as ingest)."""
    for d in manifest["documents"]:
        yield from passages_of(FILLER_DIR / "docs" / d["file"])


def proxy_vector(sentences: list[str], vectors: list[np.ndarray]) -> np.ndarray:
    """A passage vector from its sentences' vectors: the length-weighted mean, normalised.

    e5 pools a passage by averaging its tokens, so the average of its sentences'
    vectors weighted by their length approximates it, less the attention across
    sentences (measured against the real thing by :func:`measure_fidelity`).
    """
    w = np.array([max(1, len(x)) for x in sentences], dtype=np.float32)
    v = (np.asarray(vectors, dtype=np.float32) * w[:, None]).sum(axis=0)
    return v / (np.linalg.norm(v) or 1.0)


def embed_filler(manifest: dict, batch: int = 512) -> dict:
    """Embed the filler's unique sentences with the real model; derive its passage vectors from them."""
    from rag.embedding import get_embedder
    from rag.index import _answer_sentences

    sent_cache = VectorCache(CACHE / "vectors-sentences")
    passages = list(filler_passages(manifest))
    unique: dict[str, None] = {}
    for p in passages:
        for x in _answer_sentences(p.text):
            unique.setdefault(x)
    todo = [t for t in unique if sha(t) not in sent_cache]
    log(f"filler: {len(passages)} passages, {len(unique)} unique sentences, {len(todo)} still to embed")
    rate = None
    if todo:
        emb = get_embedder()
        todo.sort(key=len)  # similar lengths batch together (less padding)
        started = time.perf_counter()
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            sent_cache.add([sha(t) for t in part], emb.encode_passages(part))
            done = i + len(part)
            rate = done / (time.perf_counter() - started)
            log(f"  embedded {done}/{len(todo)} sentences ({rate:.0f}/s, ~{(len(todo) - done) / rate / 60:.0f} min left)")
    proxy_dir = CACHE / "vectors-passages"
    proxy = VectorCache(proxy_dir)
    missing = [p for p in passages if sha(p.embedding_text()) not in proxy]
    for i in range(0, len(missing), 20000):
        part = missing[i : i + 20000]
        vecs = []
        for p in part:
            ss = _answer_sentences(p.text)
            vecs.append(proxy_vector(ss, [sent_cache.get(sha(x)) for x in ss]))
        proxy.add([sha(p.embedding_text()) for p in part], np.asarray(vecs))
    log(f"filler passage vectors: {len(passages)} (derived from sentence vectors)")
    return {"filler_passages": len(passages), "unique_sentences": len(unique),
            "sentence_embedding_rate_per_s": None if rate is None else round(rate, 1)}


class CachedEmbedder:
    """The product's embedder, with vectors for known texts taken from caches.

    Texts in no cache are embedded by the real model at full length (and kept in
    the ``full`` cache, so the real documents are embedded once across runs).
    """

    def __init__(self, real, caches: list[VectorCache], full: VectorCache | None) -> None:
        self.real = real
        self.caches = caches
        self.full = full
        self.name = real.name
        self.embed_s = 0.0
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return self.real.dim

    def encode_queries(self, texts):
        return self.real.encode_queries(texts)

    def encode_passages(self, texts, show_progress=None):
        texts = list(texts)
        out = np.zeros((len(texts), self.real.dim), dtype=np.float32)
        missing = []
        for i, t in enumerate(texts):
            h = sha(t)
            v = next((c.get(h) for c in [*self.caches, *([self.full] if self.full else [])] if h in c), None)
            if v is None:
                missing.append(i)
            else:
                out[i] = v
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            started = time.perf_counter()
            vecs = self.real.encode_passages([texts[i] for i in missing], show_progress=False)
            self.embed_s += time.perf_counter() - started
            out[missing] = vecs
            if self.full is not None:
                self.full.add([sha(texts[i]) for i in missing], vecs)
        return out

    # LangChain's Embeddings interface (the store is handed it; ingest passes vectors itself).
    def embed_documents(self, texts):
        return self.encode_passages(texts).tolist()

    def embed_query(self, text):
        return self.real.embed_query(text)


def harvest_full(size: int = 1000) -> int:
    """Keep the real model's vectors of the ``full`` run (passages and sentences) in the ``vectors-real`` cache."""
    from rag.index import Index

    index_dir = CACHE / f"index-{size}-full"
    if not index_dir.is_dir():
        return 0
    idx = Index(settings_for(index_dir, CACHE / f"corpus-{size}"))
    manifest = idx.read_manifest()
    cache = VectorCache(CACHE / "vectors-real")
    added = 0
    for name in idx._names(manifest.generation):
        got = idx.client.get_collection(name).get(include=["documents", "embeddings"])
        new = [(sha(d), e) for d, e in zip(got["documents"], got["embeddings"]) if sha(d) not in cache]
        if new:
            cache.add([h for h, _ in new], np.asarray([e for _, e in new], dtype=np.float32))
            added += len(new)
    return added


def embed_truncated(size: int, batch: int = 256) -> dict:
    """Embed the filler passages of one size that have no real vector yet, with the real model cut to TRUNC_TOKENS."""
    from rag.embedding import get_embedder

    manifest = json.loads((FILLER_DIR / "manifest.json").read_text())
    real = VectorCache(CACHE / "vectors-real")
    trunc = VectorCache(CACHE / f"vectors-trunc{TRUNC_TOKENS}")
    texts = []
    for d in manifest["documents"]:
        texts += [p.embedding_text() for p in passages_of(FILLER_DIR / "docs" / d["file"])]
        if d["cumulative"] >= size:
            break
    todo = sorted({t for t in texts if sha(t) not in real and sha(t) not in trunc}, key=len)
    log(f"size {size}: {len(texts)} filler passages, {len(texts) - len(todo)} with a vector, {len(todo)} to embed at {TRUNC_TOKENS} tokens")
    rate = None
    if todo:
        emb = get_embedder()
        emb._model.max_seq_length = TRUNC_TOKENS
        emb.batch_size = 64
        started = time.perf_counter()
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            trunc.add([sha(t) for t in part], emb.encode_passages(part))
            rate = (i + len(part)) / (time.perf_counter() - started)
            if (i // batch) % 8 == 0:
                log(f"  {i + len(part)}/{len(todo)} ({rate:.1f}/s)")
    return {"filler_passages": len(texts), "embedded_truncated": len(todo), "rate_per_s": rate}


# ------------------------------------------------------------------ workers (one fresh process each)


def worker_ingest(size: int, mode: str) -> dict:
    """Build the index of one size from scratch.

    ``mode``: ``full`` — the real model embeds everything (the product's ingest);
    ``trunc64`` — filler passages embedded by the real model cut to 64 tokens
    (or, for those in the 1k run, its full vectors); ``derived`` — filler passage
    vectors derived from sentence vectors; ``realcache`` — the real model's vectors
    kept from the ``full`` run (to re-measure queries with newer code quickly);
    ``real`` — no filler (size 0). Filler
    sentences always come from the sentence cache (real model, full length).
    """
    from rag.embedding import get_embedder
    from rag.index import Index

    manifest = json.loads((FILLER_DIR / "manifest.json").read_text())
    corpus = corpus_for(size, manifest)
    index_dir = CACHE / f"index-{size}-{mode}"
    shutil.rmtree(index_dir, ignore_errors=True)
    real = get_embedder()
    rss_model = rss_mb()
    if mode == "full":
        embedder = CachedEmbedder(real, [], None)
    else:
        caches = [VectorCache(CACHE / "vectors-real")]
        if mode == "trunc64":
            caches.append(VectorCache(CACHE / f"vectors-trunc{TRUNC_TOKENS}"))
        elif mode == "realcache":  # every vector the real model's, from earlier runs (1k: the ``full`` run)
            pass
        elif mode == "derived":
            caches.append(VectorCache(CACHE / "vectors-passages"))
        caches.append(VectorCache(CACHE / "vectors-sentences"))
        embedder = CachedEmbedder(real, caches, VectorCache(CACHE / "vectors-real"))
    rss_cache = rss_mb()
    started = time.perf_counter()
    report = Index(settings_for(index_dir, corpus), embedder=embedder).ingest(corpus)
    seconds = time.perf_counter() - started
    return {
        "size": size, "mode": mode, "passages": report.passages, "documents": len(report.added),
        "ingest_s": round(seconds, 2), "embed_s": round(embedder.embed_s, 2),
        "vectors_from_cache": embedder.hits, "vectors_embedded": embedder.misses,
        "passages_per_s": round(report.passages / seconds, 2),
        "passages_per_s_without_embedding": round(report.passages / max(1e-9, seconds - embedder.embed_s), 2),
        "index_mb": round(dir_mb(index_dir), 1),
        "rss_after_model_mb": round(rss_model, 1), "rss_cache_mb": round(rss_cache - rss_model, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def worker_query(size: int, mode: str) -> dict:
    """Open one size's index in a fresh process and ask every bundled question."""
    from rag.embedding import get_embedder
    from rag.evaluation import load_dataset, ours_answer_fn, run_system, summarise
    from rag.pipeline import Assistant

    index_dir = CACHE / f"index-{size}-{mode}"
    embedder = get_embedder()
    rss_model = rss_mb()
    started = time.perf_counter()
    assistant = Assistant(settings_for(index_dir, CACHE / f"corpus-{size}"), embedder=embedder)
    open_s = time.perf_counter() - started
    rss_open = rss_mb()
    questions = load_dataset(DATASET)
    for q in questions[:3]:
        assistant.ask(q.question)
    results = run_system(ours_answer_fn(assistant, 5), questions, progress=False)
    s = summarise(questions, results, 5)["overall"]
    stages = {st: {"p50": percentile([r["timings_ms"].get(st, 0.0) for r in results], 0.5),
                   "p95": percentile([r["timings_ms"].get(st, 0.0) for r in results], 0.95)} for st in STAGES}
    real_docs = {p.stem for p in real_documents()}
    top5 = [p["doc"] for r in results for p in r["retrieved"][:5]]
    keys = ["recall@5", "mrr@10", "ndcg@10", "fact_recall", "citation_precision", "citation_support",
            "abstention_accuracy", "false_abstention", "latency_p50_ms", "latency_p95_ms"]
    return {
        "size": size, "mode": mode, "passages": len(assistant.index.passages), "open_s": round(open_s, 2),
        "metrics": {k: s.get(k) for k in keys}, "ci": {k: s["ci"].get(k) for k in ("recall@5", "mrr@10")},
        "stages_ms": stages,
        "filler_share_of_top5": round(sum(1 for d in top5 if d not in real_docs) / max(1, len(top5)), 4),
        "rss_after_model_mb": round(rss_model, 1), "rss_after_open_mb": round(rss_open, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def spawn_plain(kind: str, size: int):
    """Run a preparation step in a fresh process (stderr passed through), return its JSON."""
    cmd = [sys.executable, str(Path(__file__).resolve()), f"_{kind}", str(size), "-"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def spawn(kind: str, size: int, mode: str) -> dict:
    """Run a worker in a fresh Python process (so peak memory is its own) and return its JSON."""
    cmd = [sys.executable, str(Path(__file__).resolve()), f"_{kind}", str(size), mode]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ commands


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "unknown")
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "(unset: one per core)")}


def cmd_prepare(args) -> None:
    manifest = make_filler(MAX_SIZE)
    info = embed_filler(manifest)
    fidelity = measure_fidelity()
    meta = {"manifest": {k: v for k, v in manifest.items() if k != "documents"}, "filler_documents": len(manifest["documents"]),
            **info, "fidelity": fidelity}
    (CACHE / "prepare.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    log(f"prepared: {json.dumps(meta, ensure_ascii=False)}")


def measure_fidelity(n: int = 160) -> dict:
    """How close the derived filler passage vectors are to the real model's, and the real embedding rate.

    For ``n`` filler passages: the real model's full-length vectors (timed: the
    product's embedding rate for passages), the cosine between real and derived
    vectors, and — what matters for a distractor — whether the bundled questions
    rank these passages the same way with either (mean Spearman correlation).
    """
    from rag.embedding import get_embedder
    from rag.evaluation import load_dataset

    manifest = json.loads((FILLER_DIR / "manifest.json").read_text())
    proxy = VectorCache(CACHE / "vectors-passages")
    ps = []
    for p in filler_passages(manifest):
        ps.append(p)
        if len(ps) >= n:
            break
    texts = [p.embedding_text() for p in ps]
    emb = get_embedder()
    emb.encode_passages(texts[:8])
    t = time.perf_counter()
    real = emb.encode_passages(texts)
    rate = len(texts) / (time.perf_counter() - t)
    derived = np.asarray([proxy.get(sha(x)) for x in texts])
    cos = np.sum(real * derived, axis=1)
    qs = [q.question for q in load_dataset(DATASET)][::4]
    qv = emb.encode_queries(qs)

    def ranks(a: np.ndarray) -> np.ndarray:
        return np.argsort(np.argsort(a, axis=1), axis=1).astype(float)

    ra, rb = ranks(qv @ real.T), ranks(qv @ derived.T)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    rho = np.sum(ra * rb, axis=1) / np.sqrt(np.sum(ra**2, axis=1) * np.sum(rb**2, axis=1))
    return {
        "passages_compared": len(texts),
        "real_model_passages_per_s": round(rate, 1),
        "cosine_derived_vs_real_mean": round(float(cos.mean()), 4),
        "cosine_derived_vs_real_p05": round(float(np.percentile(cos, 5)), 4),
        "question_similarity_real_mean": round(float((qv @ real.T).mean()), 4),
        "question_similarity_derived_mean": round(float((qv @ derived.T).mean()), 4),
        "spearman_question_ranking_mean": round(float(rho.mean()), 4),
    }


def code_version() -> str:
    """The commit whose code ran (``SCALE_CODE`` when run from an exported copy without .git)."""
    if os.environ.get("SCALE_CODE"):
        return os.environ["SCALE_CODE"]
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", "rag"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("+uncommitted rag/ changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cmd_run(args) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() and not args.fresh else {"runs": []}
    results["machine"] = machine()
    prep = CACHE / "prepare.json"
    if prep.is_file():
        results["prepare"] = json.loads(prep.read_text())
    plan = [(int(x.split(":")[0]), x.split(":")[1]) for x in args.plan.split(",")]
    for size, mode in plan:
        if mode in ("trunc64", "realcache"):
            log(f"harvested {spawn_plain('harvest', 1000)} real vectors of the 1k run")
            if mode == "trunc64":
                log(f"truncated embedding: {spawn_plain('truncate', size)}")
        log(f"size {size} ({mode}): ingest")
        load_before = os.getloadavg()[0]
        ing = spawn("ingest", size, mode)
        log(f"  {json.dumps(ing)}")
        log(f"size {size} ({mode}): queries")
        qry = spawn("query", size, mode)
        log(f"  {json.dumps(qry, ensure_ascii=False)}")
        results["runs"] = [r for r in results["runs"] if not (r["size"] == size and r["mode"] == mode)]
        results["runs"].append({"size": size, "mode": mode, "ingest": ing, "query": qry,
                                "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                                "at": time.strftime("%Y-%m-%d %H:%M"), "code": code_version()})
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1))
        if not args.keep_index and size >= 10_000:
            shutil.rmtree(CACHE / f"index-{size}-{mode}", ignore_errors=True)
            shutil.rmtree(CACHE / f"corpus-{size}", ignore_errors=True)
    cmd_report(args)


MODE_ORDER = {"real": 0, "full": 1, "realcache": 2, "trunc64": 3, "derived": 4}
MODE_TEXT = {
    "real": "real model (bundled documents only)",
    "full": "real model, every text (product ingest)",
    "trunc64": "filler passages: real model at 64 tokens (1k ones full); sentences: real model",
    "derived": "filler passages: derived from sentence vectors; sentences: real model",
}


def table(results: dict) -> str:
    rows = sorted(results["runs"], key=lambda r: (r["size"], MODE_ORDER.get(r["mode"], 9)))
    head = ("| corpus | passages | filler vectors | ingest passages/s | ingest s | index MB | query p50 / p95 ms "
            "| embed | keyword | vector | fusion | answer (p50 / p95 ms) | Recall@5 | MRR@10 | fact recall | "
            "abstention acc. | filler in top 5 | peak RSS ingest / serve MB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        i, q = r["ingest"], r["query"]
        m = q["metrics"]
        st = q["stages_ms"]
        name = "bundled only" if r["size"] == 0 else f"{r['size'] // 1000}k"
        emb = {"real": "–", "full": "real model (all)", "realcache": "real model (all), from cache",
               "trunc64": "real model, 64 tokens", "derived": "derived"}.get(r["mode"], r["mode"])
        # "with embedding" when the model embedded a real share of the texts, not the few a cache lacked
        if i.get("vectors_embedded", 0) > 0.05 * (i.get("vectors_embedded", 0) + i.get("vectors_from_cache", 0)):
            rate = f"{i['passages_per_s']:.1f} (with embedding)"
        else:
            rate = f"{i['passages_per_s_without_embedding']:.0f} (no embedding)"
        lines.append(
            f"| {name} | {q['passages']} | {emb} | {rate} | {i['ingest_s']:.0f} | {i['index_mb']:.0f} | "
            f"{m['latency_p50_ms']:.0f} / {m['latency_p95_ms']:.0f} | "
            + " | ".join(f"{st[s]['p50']:.1f} / {st[s]['p95']:.1f}" for s in STAGES)
            + f" | {m['recall@5']:.3f} | {m['mrr@10']:.3f} | {m['fact_recall']:.3f} | {m['abstention_accuracy']:.3f} | "
            f"{q['filler_share_of_top5']:.2f} | {i['peak_rss_mb']:.0f} / {q['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def cmd_report(args) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = json.loads(RESULTS.read_text())
    allruns = sorted(results["runs"], key=lambda r: r["size"])
    base = next((r for r in allruns if r["size"] == 0), None)
    series = {
        "derived filler vectors": [r for r in allruns if r["mode"] == "derived"],
        "real-model filler vectors": [r for r in allruns if r["mode"] in ("realcache", "trunc64")
                                      or (r["mode"] == "full" and not any(x["mode"] == "realcache" and x["size"] == r["size"] for x in allruns))],
    }
    if not any(series.values()):
        print("no runs yet")
        return
    fig, axes = plt.subplots(1, 3, figsize=(17, 5))
    # 1. Latency by stage (one point per index built; the vectors' origin barely matters here).
    ax = axes[0]
    runs = [r for r in allruns if r["size"] > 0]
    by_size: dict[int, dict] = {}
    for r in runs:  # one run per size: prefer the largest-vector-fidelity one, fall back to derived
        cur = by_size.get(r["size"])
        prefer = {"realcache": 0, "trunc64": 1, "full": 2, "real": 3, "derived": 4}
        if cur is None or prefer.get(r["mode"], 9) < prefer.get(cur["mode"], 9):
            by_size[r["size"]] = r
    pts = [by_size[k] for k in sorted(by_size)]
    n = [r["query"]["passages"] for r in pts]
    ax.loglog(n, [r["query"]["metrics"]["latency_p95_ms"] for r in pts], "o-", color="black", lw=2, label="total p95")
    ax.loglog(n, [r["query"]["metrics"]["latency_p50_ms"] for r in pts], "o--", color="black", label="total p50")
    for s in STAGES:
        ax.loglog(n, [max(0.01, r["query"]["stages_ms"][s]["p95"]) for r in pts], ".-", label=f"{s} p95")
    ax.axhline(300, color="red", lw=0.8, ls=":", label="300 ms target (p95)")
    ax.set_xlabel("passages in the index (log)")
    ax.set_ylabel("ms per question (log)")
    ax.set_title("Query latency by stage, no LLM")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    # 2. Ingest and size.
    ax = axes[1]
    ax.loglog(n, [r["ingest"]["index_mb"] for r in pts], "s-", label="index on disk (MB)")
    ax.loglog(n, [r["query"]["peak_rss_mb"] for r in pts], "^-", label="peak RSS while serving (MB)")
    ax.loglog(n, [r["ingest"]["passages_per_s_without_embedding"] for r in pts], "o-",
              label="ingest passages/s without embedding")
    full = next((r for r in allruns if r["mode"] == "full"), None)
    if full:
        ax.loglog([full["query"]["passages"]], [full["ingest"]["passages_per_s"]], "r*", ms=12,
                  label="ingest passages/s with the real model (1k)")
    ax.set_xlabel("passages in the index (log)")
    ax.set_title("Ingest and size")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    # 3. Quality.
    ax = axes[2]
    colours = {"recall@5": "tab:blue", "mrr@10": "tab:orange"}
    for label, rs in series.items():
        if not rs:
            continue
        style = "o-" if label.startswith("real") else "s--"
        for key in ("recall@5", "mrr@10"):
            ax.semilogx([r["query"]["passages"] for r in rs], [r["query"]["metrics"][key] for r in rs], style,
                        color=colours[key], mfc="white" if style.startswith("s") else colours[key],
                        label=f"{key}, {label}")
    if base:
        for key in ("recall@5", "mrr@10"):
            ax.axhline(base["query"]["metrics"][key], lw=0.8, ls=":", color=colours[key])
        r5 = base["query"]["metrics"]["recall@5"]
        ax.axhspan(r5 - 0.03, r5, color="grey", alpha=0.15, label="Recall@5 within 3 points of no filler")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("passages in the index (log)")
    ax.set_title("ours on the bundled questions (dotted: no filler)")
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)
    plt.close(fig)
    text = table(results)
    print(text)
    results_md = BENCH / "RESULTS.md"
    if results_md.is_file():
        md = results_md.read_text(encoding="utf-8")
        begin, end = "<!-- scale-table:begin -->", "<!-- scale-table:end -->"
        if begin in md and end in md:
            md = md[: md.index(begin) + len(begin)] + "\n" + text + "\n" + md[md.index(end):]
            results_md.write_text(md, encoding="utf-8")
    log(f"wrote {PLOT}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("_ingest", "_query", "_harvest", "_truncate"):
        if argv[0] == "_harvest":
            out = harvest_full(int(argv[1]))
        elif argv[0] == "_truncate":
            out = embed_truncated(int(argv[1]))
        else:
            fn = worker_ingest if argv[0] == "_ingest" else worker_query
            out = fn(int(argv[1]), argv[2])
        print(json.dumps(out, ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(description="Scale benchmark (see the module doc).")
    parser.add_argument("command", choices=["prepare", "run", "report", "all"])
    parser.add_argument("--plan", default=DEFAULT_PLAN,
                        help="comma-separated size:mode runs; modes: real (size 0), full, trunc64, derived")
    parser.add_argument("--fresh", action="store_true", help="forget earlier runs in scale_results.json")
    parser.add_argument("--keep-index", action="store_true", help="keep the 10k/100k indexes in bench/.cache")
    args = parser.parse_args(argv)
    if args.command in ("prepare", "all"):
        cmd_prepare(args)
    if args.command in ("run", "all"):
        cmd_run(args)
    if args.command == "report":
        cmd_report(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
