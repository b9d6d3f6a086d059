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

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")

# A file larger than this is refused before it is read (a 50 MB upload is refused
# with a message; a policy document is rarely above a few MB unless it is a scan).
MAX_FILE_BYTES = 40 * 1024 * 1024

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


@dataclass
class RawDocument:
    """A document's extracted lines, before cleaning."""

    doc_id: str
    path: Path
    lines: list[RawLine]
    title: str | None = None
    sha256: str = ""
    page_count: int | None = None
    meta: dict = field(default_factory=dict)


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


def _load_pdf(path: Path, data: bytes) -> RawDocument:
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
        lines: list[RawLine] = []
        for number, page in enumerate(reader.pages, start=1):
            for line in (page.extract_text() or "").splitlines():
                lines.append(RawLine(line, number))
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
    if not any(line.text.strip() for line in lines):
        raise DocumentError(
            f"{path.name}: the PDF has no text layer (a scan?); it needs OCR before it can be indexed."
        )
    return RawDocument(doc_id_for(path), path, lines, title=title, page_count=page_count)


def _load_docx(path: Path, data: bytes) -> RawDocument:
    import io

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, PackageNotFoundError, KeyError… on an untrusted file
        raise DocumentError(f"{path.name}: the Word file is damaged and cannot be read (is it really .docx?).") from exc
    lines = [RawLine(p.text) for p in document.paragraphs]
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
    text = soup.get_text("\n")
    return RawDocument(doc_id_for(path), path, [RawLine(t) for t in text.splitlines()], title=title)


_LOADERS = {
    ".txt": _load_text,
    ".md": _load_text,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
    ".html": _load_html,
    ".htm": _load_html,
}


def load_document(path: Path) -> RawDocument:
    """Read one file into a :class:`RawDocument`, or raise :class:`DocumentError`."""
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
    if size > MAX_FILE_BYTES:
        raise DocumentError(
            f"{path.name}: the file is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB. "
            "Split it into smaller documents (a scanned PDF needs OCR first anyway)."
        )
    data = path.read_bytes()
    document = _LOADERS[suffix](path, data)
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
