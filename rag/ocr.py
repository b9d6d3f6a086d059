"""Reading text from pictures of pages: scanned PDF pages and photographed or scanned notices.

The recogniser is PP-OCRv4 (Chinese detection and recognition), as shipped inside the
``rapidocr-onnxruntime`` wheel (nothing is downloaded), run by OpenVINO (ONNX Runtime
when OpenVINO is missing). It is loaded
on first use only, so answering questions never loads it.

A page is read in three steps: the recogniser finds the text lines and reads each with a
confidence (0–1); the lines are put in reading order (a slightly rotated photo is
straightened first; two columns are read left column first, a line spanning both
columns — a title — where it stands); each line is given to cleaning
(:mod:`rag.cleaning`) as a PDF's text line would be, indented when it starts to the
right of its column's margin, so paragraphs, running headers, page numbers and
headings are found by the same rules as for a text PDF.

Pages are read one at a time (one page image in memory); a caller can follow progress
and stop a long scan between pages (:class:`PageProgress`).
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

# Resolution a PDF page without a text layer is rendered at for reading (A4: 1241 × 1754 pixels).
RENDER_DPI = 150

# A PDF page whose text layer holds fewer characters than this (letters, digits, CJK) is read by OCR.
MIN_TEXT_LAYER_CHARS = 20

# Pages read with a mean confidence below this are listed in the ingest report and the admin table.
LOW_CONFIDENCE = 0.90

# A picture larger than this (pixels on its longer side) is scaled down before reading:
# a 12-megapixel phone photo reads as well at this size, in a fraction of the memory.
MAX_SIDE = 3500


@dataclass
class OcrLine:
    """One recognised line: its text, its box (x0, y0, x1, y1 in pixels, straightened) and confidence."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float

    @property
    def height(self) -> float:
        """The box's height in pixels (about the height of one character)."""
        return self.y1 - self.y0


@dataclass
class OcrPage:
    """What was read on one page, in reading order: ``(text, indented, confidence)`` per line."""

    number: int
    lines: list[tuple[str, bool, float]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def chars(self) -> int:
        """How many characters were read (spaces aside)."""
        return sum(len(t.replace(" ", "")) for t, _, _ in self.lines)

    @property
    def confidence(self) -> float | None:
        """The mean confidence of the page's characters, or None when nothing was read."""
        n = self.chars
        if not n:
            return None
        return sum(len(t.replace(" ", "")) * c for t, _, c in self.lines) / n


@dataclass
class PageProgress:
    """Progress through the pages of one file that need reading: done of total, time taken so far."""

    name: str
    done: int
    total: int
    elapsed: float

    @property
    def eta(self) -> float:
        """Seconds still to go, from the mean time per page so far."""
        return (self.total - self.done) * self.elapsed / self.done if self.done else 0.0

    def message(self) -> str:
        """One line for a person: "plan.pdf: OCR page 3 of 16, about 40 s left"."""
        left = self.eta
        when = f"about {left / 60:.0f} min left" if left >= 90 else f"about {left:.0f} s left"
        return f"{self.name}: OCR page {self.done} of {self.total}, {when}"


# Detection looks at the page scaled down to at most this many pixels on its longer side (an A4 page
# at 150 dpi: 1754 → 1100; characters stay ~16 px high): 38 % of the full size's pixels, and the
# lines it finds are still cut out of the full-size picture for reading.
DET_MAX_SIDE = 1100

# Each text line is narrowed to this fraction of its width before it is read: the recogniser's cost
# grows with the line's width, and a Chinese character 48 px high still reads right at ~29 px wide
# (16 pages, clean and photo: accuracy unchanged at 0.7 and 0.6; at 0.5, pages 2–3 lose 0.4 points).
REC_SQUEEZE = 0.6

# Recogniser input widths are padded up to one of a few sizes — in steps of an eighth of the width's
# power of two (1024–2048 px: steps of 128), at least REC_MIN_WIDTH (as PaddleOCR pads a short line):
# the runtime keeps what it prepared for each shape seen (~6 MB a shape), so few shapes keep memory
# bounded on a long scan, for ~5 % more work than steps of 32 px.
REC_WIDTH_STEPS = 8
REC_MIN_WIDTH = 320

_ENGINE = None
_ENGINE_LOCK = threading.Lock()


def ocr_threads() -> int:
    """How many cores OCR uses: ``RAG_OCR_THREADS``, else every core (at most 4)."""
    value = os.environ.get("RAG_OCR_THREADS", "").strip()
    if value and int(value) > 0:
        return int(value)
    return max(1, min(4, os.cpu_count() or 1))


def engine():
    """The recogniser, loaded once per process (about 1 s; its models come with the package).

    The pipeline (finding lines, cutting them out, decoding characters) is RapidOCR's; the two
    networks are run by OpenVINO when it is installed (1.6–1.8× faster than ONNX Runtime on
    this CPU), else by ONNX Runtime. Lines are read one per core at a time
    (:func:`ocr_threads`, ``RAG_OCR_THREADS``).
    """
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _build_engine(ocr_threads())
        return _ENGINE


def _build_engine(threads: int, use_openvino: bool = True):
    """RapidOCR with its detector and recogniser networks swapped for faster runners.

    ``use_openvino=False`` runs them on ONNX Runtime even when OpenVINO is installed.
    """
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    det, rec = ocr.text_det, ocr.text_rec
    det.infer = _runner(_model_path("Det"), threads, 1, use_openvino)
    det.get_preprocess = lambda longest: DetPreProcess(DET_MAX_SIDE, "max", det.mean, det.std)
    ocr.text_rec = LineReader(_runner(_model_path("Rec"), threads, threads, use_openvino), rec.postprocess_op)
    return ocr


def _model_path(part: str) -> str:
    """Where the wheel keeps the ONNX model of one part ("Det", "Rec") of the pipeline."""
    from pathlib import Path

    import rapidocr_onnxruntime

    name = {"Det": "ch_PP-OCRv4_det_infer.onnx", "Rec": "ch_PP-OCRv4_rec_infer.onnx"}[part]
    return str(Path(rapidocr_onnxruntime.__file__).parent / "models" / name)


def _runner(path: str, threads: int, streams: int, use_openvino: bool = True):
    """The fastest runner available for one ONNX model: OpenVINO's, else ONNX Runtime's."""
    try:
        import openvino  # noqa: F401
    except ImportError:
        use_openvino = False
    if not use_openvino:
        return OrtRunner(path, threads)
    return OpenVinoRunner(path, threads, streams)


class OpenVinoRunner:
    """One network compiled by OpenVINO for the CPU, in ``streams`` parallel streams over ``threads`` cores.

    Called with one input it returns ``[output]`` (as an ONNX Runtime session does);
    :meth:`map` runs many inputs, ``streams`` at a time (OpenVINO lets go of the GIL).
    """

    def __init__(self, path: str, threads: int, streams: int):
        from rag.engine.runtimes import compile_openvino

        self.streams = max(1, min(streams, threads))
        self.model = compile_openvino(path, threads, self.streams, "f32")
        self._request = self.model.create_infer_request()
        self._lock = threading.Lock()  # an infer request serves one call at a time

    def __call__(self, array):
        with self._lock:
            return [self._request.infer([array])[0].copy()]

    def map(self, arrays: list) -> list:
        """The outputs of many inputs, in order."""
        import openvino as ov

        if self.streams == 1 or len(arrays) < 2:
            return [self(a)[0] for a in arrays]
        out = [None] * len(arrays)
        queue = ov.AsyncInferQueue(self.model, self.streams)

        def done(request, i):
            out[i] = request.get_output_tensor(0).data.copy()

        queue.set_callback(done)
        for i, array in enumerate(arrays):
            queue.start_async([array], userdata=i)
        queue.wait_all()
        return out


class OrtRunner:
    """One network on ONNX Runtime, with its memory arena kept between calls (shapes vary line to line)."""

    def __init__(self, path: str, threads: int):
        from rag.engine.runtimes import ort_session

        self.session = ort_session(path, threads)
        self.input = self.session.get_inputs()[0].name

    def __call__(self, array):
        return self.session.run(None, {self.input: array})

    def map(self, arrays: list) -> list:
        """The outputs of many inputs, in order."""
        return [self(a)[0] for a in arrays]


class LineReader:
    """Reads cut-out text lines: each scaled to 48 px high, narrowed by :data:`REC_SQUEEZE`, read alone.

    Lines are not batched: padding a batch to its widest line costs more than it saves on
    this CPU (6 lines of 1920 px: 1.7 s in one batch, 1.3 s one by one). Takes RapidOCR's
    recogniser's place (same call, same form of result).
    """

    HEIGHT = 48

    def __init__(self, runner, decode):
        self.runner = runner
        self.decode = decode

    def __call__(self, crops: list, return_word_box: bool = False) -> tuple[list, float]:
        started = time.perf_counter()
        outputs = self.runner.map([self.prepare(c) for c in crops])
        results = [ctc_read(o[0], self.decode.character) for o in outputs]
        return results, time.perf_counter() - started

    def prepare(self, crop):
        """One line image (BGR, any size) → the recogniser's input, 1 × 3 × 48 × width, values −1…1."""
        import cv2
        import numpy as np

        h, w = crop.shape[:2]
        width = max(1, math.ceil(self.HEIGHT * w / max(1, h) * REC_SQUEEZE))
        padded = padded_width(width)
        line = cv2.resize(crop, (width, self.HEIGHT)).astype(np.float32).transpose(2, 0, 1) / 127.5 - 1.0
        out = np.zeros((1, 3, self.HEIGHT, padded), dtype=np.float32)
        out[0, :, :, :width] = line
        return out


# A character read with less than this probability is checked against the word list.
UNSURE = 0.95
# What probability the recogniser must give an alternative for it to be tried: a character
# (a look-alike: 螯/鳌 0.26, 奥/舆 0.43), or a dash for the numeral 一 (a flat stroke either way).
ALTERNATIVE = {"han": 0.2, "—": 0.01}
# A word read is kept unless a look-alike makes one this many times as frequent in the dictionary.
RARER_WORD = 50


def ctc_read(probs, characters: list[str]) -> tuple[str, float]:
    """One line's recogniser output (time steps x classes, softmax) → ``(text, mean confidence)``.

    The best class at each step, repeats merged and blanks dropped, as the recogniser's own
    decoder does. Then a character read with little certainty (below :data:`UNSURE`) that forms
    no word of the dictionary with its neighbours is replaced by the recogniser's runner-up when
    that forms one (:func:`lexicon_fix`): look-alikes such as 亚/业 ("东北业地区") and 干/千
    ("乌千达") are told apart by the words they make.
    """
    import numpy as np

    best = probs.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= best != 0  # the blank
    steps = np.flatnonzero(keep)
    if not len(steps):
        return "", 0.0
    conf = probs[steps, best[steps]]
    chars = [characters[i] for i in best[steps]]
    options: dict[int, list[str]] = {}
    for k in np.flatnonzero(conf < UNSURE):
        row = probs[steps[k]]
        ranked = np.argsort(row)[::-1][1:4]
        alts = [characters[i] for i in ranked if i != 0 and i < len(characters)
                and row[i] >= ALTERNATIVE["han" if _is_han(characters[i]) else "—"]]
        alts = [a for a in alts if _is_han(a) or a == "—"]
        if alts:
            options[int(k)] = alts
    if options:
        chars = lexicon_fix(chars, options)
    return "".join(_missed_marks(probs, characters, steps, chars)), float(conf.mean())


def _missed_marks(probs, characters: list[str], steps, chars: list[str]) -> list[str]:
    """``chars`` with a punctuation mark put back where the recogniser let a blank win over it.

    A thin mark beside a wide one is often lost: "“外事无小事”，严格" is read "…小事”严格" with the
    comma at 0.43 against the blank. Between two Chinese characters read (the first may be a closing
    quote or bracket instead), a mark whose probability (its full- and half-width forms together)
    reaches :data:`MISSED_MARK` at a blank step is put back.

    A quote is not put back beside a quote: its glyph leaves probability in the blank after it where
    no second quote stands ("十四五”期间": 0.19). Such a place, and a quote read over two steps in a
    row (two quotes, "”“", merged into one by the decoder), is marked :data:`MAYBE_QUOTE` instead:
    :func:`settle_quotes` puts a quote there only when the page's quotes do not pair up without it.
    """
    columns = _mark_columns(tuple(characters))
    if not columns or not len(steps):
        return chars
    best = probs.argmax(axis=1)
    quote = columns.get('"', [])
    out: list[str] = []

    def quote_in(gap) -> bool:
        return bool(quote) and len(gap) and float(gap[:, quote].sum(axis=1).max()) >= MAYBE_QUOTE_TRACE

    if quote_in(_blanks(probs[: steps[0]])):
        out.append(MAYBE_QUOTE)
    for k, ch in enumerate(chars):
        if ch in _SENTENCE_MARKS and quote_in(probs[steps[k] : steps[k] + 1]):
            out.append(MAYBE_QUOTE)  # a quote beside the mark, its glyph read as the mark's: "信[”]，"
        out.append(ch)
        end = steps[k + 1] if k + 1 < len(steps) else len(probs)
        if ch in QUOTE_CHARS and steps[k] + 1 < end and best[steps[k] + 1] == best[steps[k]]:
            out.append(MAYBE_QUOTE)  # the quote's class held over two steps: "”“" read as one
            continue
        gap = _blanks(probs[steps[k] + 1 : end])
        if not len(gap):
            continue
        if k + 1 < len(steps) and (_is_han(ch) or ch in _CLOSERS) and _is_han(chars[k + 1]):
            scores = {mark: float(gap[:, cols].sum(axis=1).max()) for mark, cols in columns.items()
                      if not (mark == '"' and ch in QUOTE_CHARS)}
            mark, score = max(scores.items(), key=lambda kv: kv[1], default=("", 0.0))
            if score >= MISSED_MARK:
                out.append(mark)
                continue
        if quote_in(gap):
            out.append(MAYBE_QUOTE)
    return out


def _blanks(gap):
    """The steps of ``gap`` where the blank won (not a character's repeats)."""
    return gap[gap.argmax(axis=1) == 0]


# A mark the decoder dropped is put back when it had at least this probability at a blank step.
MISSED_MARK = 0.1
# Where a quote may have been lost (see :func:`_missed_marks`); :func:`settle_quotes` removes every one.
MAYBE_QUOTE = "\ue000"
QUOTE_CHARS = '“”"'
# The least probability of a quote at a step that makes the place a MAYBE_QUOTE.
MAYBE_QUOTE_TRACE = 0.05
_SENTENCE_MARKS = "，,、；;：:。"
_SENTENCE_END_RE = re.compile("[。；！？]")

# Marks that can be put back, with the forms the recogniser has for each; closing marks they may follow.
# A quote is put back straight ("): :func:`fix_punctuation` then turns it the way the quotes before it say.
_MARK_FORMS = {"，": "，,", "、": "、", "；": "；;", "：": "：:", "。": "。", '"': '“”"'}
_CLOSERS = "”’）》」』\")"  # a straight quote: fix_punctuation has not yet told opening from closing


@lru_cache(maxsize=4)
def _mark_columns(characters: tuple) -> dict[str, list[int]]:
    """The recogniser's classes for each mark of :data:`_MARK_FORMS` (class 0 is the blank)."""
    index = {c: i for i, c in enumerate(characters) if i}
    return {mark: [index[f] for f in forms if f in index] for mark, forms in _MARK_FORMS.items()
            if any(f in index for f in forms)}


def lexicon_fix(chars: list[str], options: dict[int, list[str]]) -> list[str]:
    """``chars`` with an unsure character replaced by an alternative of ``options`` (position → the
    recogniser's runner-ups) when the character makes no dictionary word of 2–4 characters with its
    neighbours and the alternative does, or only a word :data:`RARER_WORD` times rarer than the
    alternative's; an unsure 一 that makes no word, with a dash as runner-up, is the dash."""
    from rag.wordcut import word_frequency

    out = list(chars)

    def word_at(i: int, c: str) -> int:
        best = 0
        for size in (2, 3, 4):
            for start in range(max(0, i - size + 1), min(i, len(out) - size) + 1):
                word = "".join(out[start:i]) + c + "".join(out[i + 1 : start + size])
                best = max(best, word_frequency(word))
        return best

    for i, alts in options.items():
        if not _is_han(out[i]):
            continue
        # A word the dictionary barely knows ("公项", 3) gives way to a look-alike's common one ("公顷", 739).
        floor = word_at(i, out[i]) * RARER_WORD
        if floor and all(word_at(i, a) <= floor for a in alts if _is_han(a)):
            continue
        scored = [(word_at(i, a), a) for a in alts if _is_han(a)]
        scored = [x for x in scored if x[0] > floor]
        if scored:
            out[i] = max(scored)[1]
        elif out[i] == "一" and "—" in alts:  # a dash between words ("中国—非洲"), read as the numeral
            out[i] = "—"
    return out


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def padded_width(width: int) -> int:
    """The recogniser input width a line ``width`` pixels wide is padded to (:data:`REC_WIDTH_STEPS`)."""
    if width <= REC_MIN_WIDTH:
        return REC_MIN_WIDTH
    step = max(32, 2 ** int(math.log2(width)) // REC_WIDTH_STEPS)
    return math.ceil(width / step) * step


def prepare_image(image):
    """A PIL image made ready to read: upright (EXIF orientation), RGB, at most :data:`MAX_SIDE` pixels."""
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            from PIL import Image

            background = Image.new("RGB", image.size, "white")
            background.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[-1])
            image = background
        else:
            image = image.convert("RGB")
    longest = max(image.size)
    if longest > MAX_SIDE:
        scale = MAX_SIDE / longest
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    return image


def read_image(image, number: int = 1) -> OcrPage:
    """Read one page image (a PIL image) into an :class:`OcrPage` (lines in reading order)."""
    page = _read_marked(image, number)
    page.lines = settle_quotes(page.lines)
    return page


def _read_marked(image, number: int) -> OcrPage:
    """:func:`read_image` with the places a quote may have been lost still marked (:data:`MAYBE_QUOTE`)."""
    import numpy as np

    started = time.perf_counter()
    image = prepare_image(image)
    # The recogniser takes OpenCV's channel order (BGR).
    array = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
    result, _ = engine()(array, use_cls=False)
    lines = _straighten(result or [])
    page = OcrPage(number, reading_order(lines), time.perf_counter() - started)
    return page


def _straighten(result: list) -> list[OcrLine]:
    """Recogniser output (quadrilateral, text, score) → :class:`OcrLine` boxes, rotated level.

    A photo taken a degree or two askew has every line's box tilted the same way; turning
    the boxes back by the median tilt of the long lines keeps margins and rows straight.
    """
    tilts = []
    for quad, text, _ in result:
        (ax, ay), (bx, by) = quad[0], quad[1]
        if bx - ax > 3 * max(1.0, abs(quad[3][1] - quad[0][1])):
            tilts.append(math.atan2(by - ay, bx - ax))
    tilt = sorted(tilts)[len(tilts) // 2] if tilts else 0.0
    cos, sin = math.cos(-tilt), math.sin(-tilt)
    out = []
    for quad, text, score in result:
        text = fix_punctuation(str(text).strip())
        if not text:
            continue
        pts = [(x * cos - y * sin, x * sin + y * cos) for x, y in quad]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        out.append(OcrLine(text, min(xs), min(ys), max(xs), max(ys), float(score)))
    return out


_CJK = r"\u3400-\u9fff"
_PAGE_NUMBER_RE = re.compile(r"[一—\-－–_]{1,2}\s*(\d{1,4})\s*[一—\-－–_]{1,2}")
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


def fix_punctuation(text: str) -> str:
    """Chinese punctuation where the recogniser wrote its Latin look-alike next to Chinese text.

    "规划,根据" → "规划，根据"; "二○三五年" → "二〇三五年"; "专栏8 一1" → "专栏8—1"; a straight quote closing
    a “ → ”, one opening a quote → “.
    """
    text = re.sub(
        rf"(?<=[{_CJK}）”》])([,;:?!])|([,;:?!])(?=[{_CJK}（“《])",
        lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)],
        text,
    )
    text = re.sub(r"(?<=[〇一二三四五六七八九])[○O０0](?=[〇○一二三四五六七八九])|(?<=[一二])[○O０0]", "〇", text)  # 二〇三五年
    text = re.sub(r"(?<=\d)\s*一\s*(?=\d)", "—", text)  # a dash between numbers read as 一: "专栏8 一1", "2020一2025"
    text = re.sub(rf"(?<=[{_CJK}])\(|\((?=[{_CJK}])", "（", text)
    text = re.sub(rf"(?<=[{_CJK}])\)|\)(?=[{_CJK}，。；、])", "）", text)
    out, open_quote = [], False
    for ch in text:
        if ch == "“":
            open_quote = True
        elif ch == "”":
            open_quote = False
        elif ch == '"':
            ch = "”" if open_quote else "“"
            open_quote = not open_quote
        out.append(ch)
    return "".join(out)


def pair_quotes(text: str) -> str:
    """A paragraph's double quotes set to open and close in turn (“…”“…”), when there is an even number.

    The recogniser often reads a closing quote as an opening one (“三高四新“战略); in Chinese type
    they alternate. An odd count means one was dropped or a quotation runs on into the next
    paragraph: which one is wrong is then unknown, and the text is left as read.
    """
    marks = [i for i, ch in enumerate(text) if ch in "“”"]
    if not marks or len(marks) % 2:
        return text
    chars = list(text)
    for n, i in enumerate(marks):
        chars[i] = "“" if n % 2 == 0 else "”"
    return "".join(chars)


def settle_quotes(lines: list[tuple[str, bool, float]]) -> list[tuple[str, bool, float]]:
    """Lines in reading order with each :data:`MAYBE_QUOTE` place settled: a quote or nothing.

    In Chinese type double quotes come in pairs, so a paragraph (here: an indented line and the
    lines up to the next one) that holds an odd number of them lost one. Of the places where the
    recogniser saw a trace of a quote (:func:`_missed_marks`), the one whose quote makes the
    shortest quotations when the paragraph's quotes are paired in turn gets it ("走出去”[“]请进来”":
    3 + 3 characters, where a quote put elsewhere would pair the text between quotations instead).
    A paragraph whose quotes already pair up, or where no place gives quotations of at most
    :data:`LONGEST_QUOTATION` characters, gets none.
    """
    if not any(MAYBE_QUOTE in text for text, _, _ in lines):
        return lines
    out: list[tuple[str, bool, float]] = []
    start = 0
    for end in range(1, len(lines) + 1):
        if end == len(lines) or lines[end][1]:
            texts = _settle_paragraph([text for text, _, _ in lines[start:end]])
            out += [(text, indented, confidence) for text, (_, indented, confidence) in zip(texts, lines[start:end])]
            start = end
    return out


def _settle_paragraph(texts: list[str]) -> list[str]:
    """One paragraph's lines settled as :func:`settle_quotes` says."""
    whole = "\n".join(texts)
    if MAYBE_QUOTE not in whole:
        return texts
    quotes = [i for i, ch in enumerate(whole) if ch in QUOTE_CHARS]
    chosen, best = None, None
    if len(quotes) % 2:
        for place in (i for i, ch in enumerate(whole) if ch == MAYBE_QUOTE):
            marks = sorted(quotes + [place])
            pairs = [(marks[n], marks[n + 1]) for n in range(0, len(marks), 2)]
            if max(b - a for a, b in pairs) > LONGEST_QUOTATION:
                continue
            # A quotation ends no sentence inside it ("“智享。不断完善“" pairs the wrong quotes), then the shortest.
            cost = (sum(bool(_SENTENCE_END_RE.search(whole, a + 1, max(a + 1, b - 1))) for a, b in pairs),
                    sum(b - a for a, b in pairs))
            if best is None or cost < best:
                chosen, best = place, cost
    if chosen is not None:
        opening = sum(i < chosen for i in quotes) % 2 == 0
        if opening and whole[chosen + 1 : chosen + 2] in tuple(_SENTENCE_MARKS):  # "，[“]" rather than "[“]，"
            whole = whole[:chosen] + whole[chosen + 1] + "“" + whole[chosen + 2 :]
        else:
            whole = whole[:chosen] + ("“" if opening else "”") + whole[chosen + 1 :]
    return whole.replace(MAYBE_QUOTE, "").split("\n")


# The longest quotation (characters) a quote put back by settle_quotes may make.
LONGEST_QUOTATION = 80


def reading_order(lines: list[OcrLine]) -> list[tuple[str, bool, float]]:
    """Recognised boxes → lines in reading order: ``(text, indented, confidence)``.

    Boxes on one row are joined left to right. When the page is set in two columns (a
    clear gutter that most boxes keep to one side of), the rows between two spanning lines
    are read left column first, then right. A line is indented when it starts more than
    a character's height right of its column's margin.
    """
    if not lines:
        return []
    height = sorted(l.height for l in lines)[len(lines) // 2] or 1.0
    gutter = _gutter(lines, height)
    out: list[tuple[str, bool, float]] = []
    if gutter is None:
        return _column_rows(lines, height)
    # Bands of two-column text between lines that span the gutter.
    spanning = sorted((l for l in lines if l.x0 < gutter < l.x1), key=lambda l: l.y0)
    rest = [l for l in lines if not (l.x0 < gutter < l.x1)]
    cuts = [l.y0 for l in spanning] + [math.inf]
    start = -math.inf
    for i, cut in enumerate(cuts):
        band = [l for l in rest if start <= (l.y0 + l.y1) / 2 < cut]
        left = [l for l in band if l.x1 <= gutter]
        right = [l for l in band if l.x0 >= gutter]
        out += _column_rows(left, height) + _column_rows(right, height)
        if i < len(spanning):
            out += _column_rows([spanning[i]], height, margin=min(l.x0 for l in lines))
            start = spanning[i].y1
    return out


def _gutter(lines: list[OcrLine], height: float) -> float | None:
    """The x of the gap between two columns, or None for a page of one column."""
    x0, x1 = min(l.x0 for l in lines), max(l.x1 for l in lines)
    width = x1 - x0
    if width <= 0 or len(lines) < 6:
        return None
    best, best_crossing = None, None
    for k in range(30, 71, 2):  # candidate gutters across the middle of the text block
        g = x0 + width * k / 100
        crossing = sum(1 for l in lines if l.x0 < g < l.x1)
        if best_crossing is None or crossing < best_crossing:
            best, best_crossing = g, crossing
    left = sum(1 for l in lines if l.x1 <= best)
    right = sum(1 for l in lines if l.x0 >= best)
    # Two columns: both sides hold several lines, side by side, and few lines cross the gap.
    if left < 3 or right < 3 or best_crossing > 0.15 * len(lines):
        return None
    # … and the two sides are side by side (not a few short lines beside each other, as a signature's).
    side_by_side = sum(
        1 for a in lines if a.x1 <= best and any(b.x0 >= best and abs(a.y0 - b.y0) < 2 * height for b in lines)
    )
    return best if side_by_side >= max(3, 0.5 * min(left, right)) else None


def _column_rows(lines: list[OcrLine], height: float, margin: float | None = None) -> list[tuple[str, bool, float]]:
    """The boxes of one column as rows, top to bottom, each row's boxes left to right."""
    if not lines:
        return []
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda l: (l.y0 + l.y1) / 2):
        centre = (line.y0 + line.y1) / 2
        if rows:
            last = rows[-1]
            last_centre = sum((l.y0 + l.y1) / 2 for l in last) / len(last)
            if abs(centre - last_centre) < 0.5 * height:
                last.append(line)
                continue
        rows.append([line])
    starts = sorted(min(l.x0 for l in row) for row in rows)
    if margin is None:
        margin = starts[len(starts) // 10]  # the column's left edge (a low percentile: ignores a stray box)
    out = []
    for row in rows:
        row.sort(key=lambda l: l.x0)
        text = row[0].text
        for a, b in zip(row, row[1:]):
            text += (" " if b.x0 - a.x1 > 0.8 * height else "") + b.text
        m = _PAGE_NUMBER_RE.fullmatch(text)
        if m:  # "一3一": a page number whose dashes were read as 一
            text = f"— {m.group(1)} —"
        chars = sum(len(l.text) for l in row) or 1
        confidence = sum(len(l.text) * l.confidence for l in row) / chars
        out.append((text, row[0].x0 - margin > height, confidence))
    return out


def read_pages(
    pages: list[tuple[int, Callable[[], object]]],
    name: str,
    on_page: Callable[[PageProgress], None] | None = None,
) -> list[OcrPage]:
    """Read pages one at a time: ``pages`` are (page number, a function giving that page's image).

    Each image is made, read and let go before the next, so memory does not grow with the
    number of pages. ``on_page`` hears of each page read (it may raise to stop the scan).
    Quotes lost in reading are settled paragraph by paragraph once the pages are read, a
    paragraph going on over the break between two pages that follow each other (:func:`settle_quotes`).
    """
    out = []
    started = time.perf_counter()
    for i, (number, make_image) in enumerate(pages, start=1):
        image = make_image()
        try:
            out.append(_read_marked(image, number))
        finally:
            close = getattr(image, "close", None)
            if close:
                close()
            del image
        if on_page is not None:
            on_page(PageProgress(name, i, len(pages), time.perf_counter() - started))
    first = 0
    for end in range(1, len(out) + 1):  # runs of pages that follow each other
        if end == len(out) or out[end].number != out[end - 1].number + 1:
            run = out[first:end]
            settled = iter(settle_quotes([line for page in run for line in page.lines]))
            for page in run:
                page.lines = [next(settled) for _ in page.lines]
            first = end
    return out


def low_confidence_pages(confidences: dict[int, float], floor: float = LOW_CONFIDENCE) -> list[int]:
    """The pages read with a mean confidence below ``floor``, in page order."""
    return sorted(p for p, c in confidences.items() if c is not None and c < floor)


def normalise_for_comparison(text: str) -> str:
    """Text reduced for a character comparison: compatibility forms unified (，→ ,), no whitespace."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def character_accuracy(read: str, reference: str) -> float:
    """1 − (edit distance ÷ reference length), both normalised (:func:`normalise_for_comparison`).

    The usual measure of OCR quality: 0.97 is three characters wrong, missing or extra per hundred.
    """
    a, b = normalise_for_comparison(read), normalise_for_comparison(reference)
    if not b:
        return 1.0 if not a else 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return max(0.0, 1.0 - previous[-1] / len(b))
