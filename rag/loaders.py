"""Step 1 of the data's path: a file on disk → raw lines with their page numbers.

Each loader returns a :class:`RawDocument`: the document's id (its file name
without extension, which is how citations and evaluation sets name it), a title
if the file carries one, and its lines in reading order, each tagged with the
page it stands on (PDF only). Cleaning and structure come later
(:mod:`rag.cleaning`, :mod:`rag.passages`).

Failures are reported as :class:`DocumentError` with a message meant for a
person: which file, what is wrong, what to do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

# Pictures of pages (a photographed notice, a scan) are read by OCR (rag.ocr); keep in step with rag.ocr.IMAGE_SUFFIXES.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm") + IMAGE_SUFFIXES

# A file larger than this is refused before it is read (a 50 MB upload is refused
# with a message; a policy document is rarely above a few MB unless it is a scan).
MAX_FILE_BYTES = 40 * 1024 * 1024
# A scan is pictures: a 300-page scanned PDF at 150 dpi is about 100 MB. PDFs and pictures may be this large
# (read one page at a time, so memory does not grow with the page count).
MAX_SCAN_BYTES = 160 * 1024 * 1024

# Extracted text longer than this (about 2,000 pages of Chinese) is refused: embedding it
# would occupy the single writer for an hour on a 2-core server. Split such a file.
MAX_TEXT_CHARS = 3_000_000

# Longest stem kept by :func:`safe_upload_name` (file systems allow 255 bytes; CJK is 3 bytes each).
MAX_NAME_CHARS = 80


class DocumentError(ValueError):
    """A file that cannot be turned into text; the message says why, for a person."""


@dataclass
class RawLine:
    """One line of a document as extracted, before cleaning."""

    text: str
    page: int | None = None  # 1-based page number, PDFs only
    confidence: float | None = None  # recognition confidence (0–1) of a line read by OCR; None for a text layer


@dataclass
class RawDocument:
    """A document's extracted lines, before cleaning."""

    doc_id: str
    path: Path
    lines: list[RawLine]
    title: str | None = None
    sha256: str = ""
    page_count: int | None = None
    meta: dict = field(default_factory=dict)  # "ocr": what OCR read (see _ocr_meta)


def doc_id_for(path: Path) -> str:
    """The id a document is known by: its file name without the extension."""
    return path.stem


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (used to skip unchanged documents)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def decode_text(data: bytes, name: str = "file") -> str:
    """Decode bytes of a text file, detecting UTF-8 (with or without BOM), UTF-16 and GB18030.

    Chinese government files are often GBK/GB18030 rather than UTF-8; GB18030 is a
    superset of GBK and GB2312, so it is the one to try. Bytes that are none of
    these (a binary file with a ``.txt`` name) raise :class:`DocumentError`.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{name}: this looks like a binary file, not text (it contains NUL bytes).")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _looks_like_text(str(best)):
        return str(best)
    raise DocumentError(f"{name}: cannot tell the text encoding; save it as UTF-8 or GB18030.")


def _looks_like_text(text: str) -> bool:
    """Reject decodings that are mostly control characters (binary data)."""
    if not text:
        return True
    sample = text[:20000]
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\r\n\f") or 0x7F <= ord(c) < 0xA0)
    return bad / len(sample) < 0.01


def _load_text(path: Path, data: bytes) -> RawDocument:
    text = decode_text(data, path.name)
    lines = [RawLine(line) for line in text.splitlines()]
    return RawDocument(doc_id_for(path), path, lines)


def _load_pdf(path: Path, data: bytes, on_page=None) -> RawDocument:
    """A PDF's lines page by page: a page's text layer, or OCR for a page with none (or too little)."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    from pypdf.errors import DependencyError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                # Many "encrypted" PDFs only restrict printing and open with an empty password.
                if not reader.decrypt(""):
                    raise FileNotDecryptedError("password required")
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise DocumentError(
                    f"{path.name}: the PDF is encrypted with a password; remove the password and upload it again."
                ) from exc
            except DependencyError as exc:
                # AES encryption needs the `cryptography` package, which is not installed.
                raise DocumentError(
                    f"{path.name}: the PDF is encrypted (AES) and cannot be opened here; "
                    "save an unencrypted copy (e.g. print to PDF) and upload that."
                ) from exc
        texts = [page.extract_text() or "" for page in reader.pages]
        title = None
        if reader.metadata and reader.metadata.title:
            title = str(reader.metadata.title).strip() or None
        page_count = len(reader.pages)
    except DocumentError:
        raise
    except Exception as exc:  # PdfReadError and friends, and any other parser failure
        # A third-party parser on an untrusted file: whatever goes wrong is "damaged",
        # never a crash of the whole ingest.
        raise DocumentError(
            f"{path.name}: the PDF is damaged and cannot be read ({exc.__class__.__name__}); "
            "open it in a PDF viewer and save a new copy."
        ) from exc
    from rag.ocr import MIN_TEXT_LAYER_CHARS

    # Pages whose text layer is missing or nearly so (a scan, a stamped page) are read by OCR.
    to_read = [n for n, text in enumerate(texts, start=1) if len(re.findall(r"\w", text)) < MIN_TEXT_LAYER_CHARS]
    read = _ocr_pdf_pages(path, data, to_read, on_page) if to_read else {}
    lines: list[RawLine] = []
    for number, text in enumerate(texts, start=1):
        page = read.get(number)
        if page is not None and page.chars >= _MIN_READ_CHARS and page.chars > len(re.findall(r"\w", text)):
            lines += [RawLine(("  " if indented else "") + t, number, c) for t, indented, c in page.lines]
        else:
            lines += [RawLine(line, number) for line in text.splitlines()]
    if len(re.findall(r"\w", "".join(line.text for line in lines))) < _MIN_READ_CHARS:
        raise DocumentError(
            f"{path.name}: no text could be read on any of its {page_count} page(s), not even by OCR "
            "(blank pages, or pictures without writing)."
        )
    meta = {"ocr": _ocr_meta(read, page_count)} if read else {}
    return RawDocument(doc_id_for(path), path, lines, title=title, page_count=page_count, meta=meta)


# A document from which fewer letters than this could be read holds no text (a stray mark read off a photo).
_MIN_READ_CHARS = 4


def _ocr_pdf_pages(path: Path, data: bytes, numbers: list[int], on_page) -> dict:
    """Render the given pages (1-based) one at a time and read them by OCR: page number → OcrPage."""
    import pypdfium2 as pdfium

    from rag.ocr import RENDER_DPI, read_pages

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # pdfium refuses a file pypdf could parse: its pages cannot be drawn
        raise DocumentError(
            f"{path.name}: the PDF's pages without a text layer cannot be drawn for OCR ({exc.__class__.__name__}); "
            "open it in a PDF viewer and save a new copy."
        ) from exc

    def render(number: int):
        page = pdf[number - 1]
        try:
            return page.render(scale=RENDER_DPI / 72).to_pil()
        finally:
            page.close()

    try:
        pages = read_pages([(n, lambda n=n: render(n)) for n in numbers], path.name, on_page)
    finally:
        pdf.close()
    return {p.number: p for p in pages}


def _ocr_meta(read: dict, page_count: int) -> dict:
    """What the document record keeps of OCR: the pages read, each one's confidence, the blank ones."""
    from rag.ocr import LOW_CONFIDENCE, low_confidence_pages

    confidences = {n: round(p.confidence, 4) for n, p in read.items() if p.chars >= _MIN_READ_CHARS}
    return {
        "pages": sorted(confidences),
        "confidence": {str(n): c for n, c in sorted(confidences.items())},
        "low": low_confidence_pages(confidences),
        "floor": LOW_CONFIDENCE,
        "blank": sorted(n for n, p in read.items() if p.chars < _MIN_READ_CHARS),
        "page_count": page_count,
    }


def _load_image(path: Path, data: bytes, on_page=None) -> RawDocument:
    """A picture of a page (or a multi-page TIFF), read by OCR; each frame is a page."""
    import io
    import warnings

    from PIL import Image, ImageSequence, UnidentifiedImageError

    from rag.ocr import read_pages

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
            frames = getattr(image, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentError(
            f"{path.name}: the picture is too large to read ({exc.__class__.__name__}); "
            "scan or photograph it at a lower resolution."
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DocumentError(
            f"{path.name}: the picture is damaged or is not a {path.suffix.lstrip('.').upper()} image; "
            "save a new copy and upload it again."
        ) from exc

    def frame(index: int):
        image.seek(index)
        return image.copy()

    try:
        pages = read_pages([(n + 1, lambda n=n: frame(n)) for n in range(frames)], path.name, on_page)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DocumentError(
            f"{path.name}: the picture is damaged part-way and cannot be read; save a new copy and upload it again."
        ) from exc
    finally:
        image.close()
    lines = [RawLine(("  " if indented else "") + t, p.number, c) for p in pages for t, indented, c in p.lines]
    if len(re.findall(r"\w", "".join(line.text for line in lines))) < _MIN_READ_CHARS:  # none, or a stray mark
        what = "the picture" if frames == 1 else f"any of the {frames} pages"
        raise DocumentError(
            f"{path.name}: no text could be read in {what} (no writing, or too blurred or too small to read)."
        )
    read = {p.number: p for p in pages}
    return RawDocument(doc_id_for(path), path, lines, page_count=frames, meta={"ocr": _ocr_meta(read, frames)})


def _load_docx(path: Path, data: bytes) -> RawDocument:
    import io

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, PackageNotFoundError, KeyError… on an untrusted file
        raise DocumentError(f"{path.name}: the Word file is damaged and cannot be read (is it really .docx?).") from exc
    # A Word paragraph is a paragraph of its own, punctuated or not ("一是聚焦全方位扩大内需，着力提消费促投资" titling
    # what follows): a blank line after each, as a web page's blocks have.
    lines = [line for p in document.paragraphs for line in (RawLine(p.text), RawLine(""))]
    for table in document.tables:
        for row in table.rows:
            lines.append(RawLine(" ".join(cell.text.strip() for cell in row.cells)))
    title = document.core_properties.title or None
    return RawDocument(doc_id_for(path), path, lines, title=title)


def _load_html(path: Path, data: bytes) -> RawDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data, path.name), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else None
    # A table row is one line, its cells side by side (an information table's "标　　题：" and its
    # value stay together); only rows of plain cells, so a layout table holding the body's paragraphs is not flattened.
    for row in soup.find_all("tr"):
        if row.find(["tr", "p", "div", "br", "li", "table"]) is None:
            cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
            row.replace_with(soup.new_string("\n" + "  ".join(c for c in cells if c) + "\n"))
    return RawDocument(doc_id_for(path), path, [RawLine(t) for t in _html_lines(soup)], title=title)


# Elements that start a line of their own; the rest (span, b, a, font …) run on inside their line.
_HTML_BLOCKS = ("p", "div", "li", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                "blockquote", "pre", "section", "article", "dd", "dt", "title")


def _html_lines(soup) -> list[str]:
    """The page's text, one line per block element or ``<br>``: an inline element inside a paragraph
    ("…迁址新建<span>的请示…收悉</span>") continues its line, as a browser shows it. The source's own line
    breaks and indentation are white space, as in a browser."""
    from bs4 import NavigableString

    for node in list(soup.find_all(string=True)):
        if type(node) is NavigableString:  # text, not a comment or a doctype
            collapsed = re.sub(r"\s+", " ", str(node))
            if collapsed != str(node):
                node.replace_with(collapsed)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return [line.strip() for line in soup.get_text("").split("\n")]


_LOADERS = {
    ".txt": _load_text,
    ".md": _load_text,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
    ".html": _load_html,
    ".htm": _load_html,
    **dict.fromkeys(IMAGE_SUFFIXES, _load_image),
}


def load_document(path: Path, on_page=None) -> RawDocument:
    """Read one file into a :class:`RawDocument`, or raise :class:`DocumentError`.

    ``on_page`` (optional) hears of every page read by OCR (a :class:`rag.ocr.PageProgress`);
    it may raise (e.g. KeyboardInterrupt) to stop a long scan.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _LOADERS:
        raise DocumentError(
            f"{path.name}: unsupported file type '{suffix or '(none)'}'; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}."
        )
    if not path.is_file():
        raise DocumentError(f"{path}: no such file.")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(f"{path.name}: the file is empty.")
    limit = MAX_SCAN_BYTES if suffix == ".pdf" or suffix in IMAGE_SUFFIXES else MAX_FILE_BYTES
    if size > limit:
        raise DocumentError(
            f"{path.name}: the file is {size / 2**20:.0f} MB; the limit is {limit / 2**20:.0f} MB. "
            "Split it into smaller documents, or scan at a lower resolution."
        )
    data = path.read_bytes()
    loader = _LOADERS[suffix]
    document = loader(path, data, on_page) if loader in (_load_pdf, _load_image) else loader(path, data)
    chars = sum(len(line.text) for line in document.lines)
    if chars > MAX_TEXT_CHARS:
        raise DocumentError(
            f"{path.name}: the file holds {chars / 1e6:.1f} million characters of text; the limit is "
            f"{MAX_TEXT_CHARS / 1e6:.0f} million. Split it into smaller documents."
        )
    document.sha256 = hashlib.sha256(data).hexdigest()
    return document


def safe_upload_name(name: str) -> str:
    """A file name safe to store in the corpus folder: no folders, no traversal, no control characters.

    ``../../etc/passwd`` becomes ``passwd``; ``C:\\x\\a.pdf`` becomes ``a.pdf``;
    a name that is nothing but dots or slashes is refused.
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".").strip()
    if not base:
        raise DocumentError(f"'{name}' is not a usable file name.")
    stem, dot, suffix = base.rpartition(".")
    if dot and len(stem) > MAX_NAME_CHARS:
        base = stem[:MAX_NAME_CHARS].rstrip() + "." + suffix[:10]
    elif not dot and len(base) > MAX_NAME_CHARS:
        base = base[:MAX_NAME_CHARS]
    return base


def upload_destination(folder: Path, name: str) -> Path:
    """Where an uploaded file called ``name`` is stored inside ``folder`` — never outside it.

    Raises :class:`DocumentError` for an unusable name or an unsupported type, so an
    upload is refused before anything is written.
    """
    base = safe_upload_name(name)
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"{base}: unsupported file type '{suffix or '(none)'}'; supported: {', '.join(SUPPORTED_SUFFIXES)}."
        )
    root = Path(folder).resolve()
    dest = (root / base).resolve()
    if dest.parent != root:
        raise DocumentError(f"'{name}' is not a usable file name.")
    return dest
