"""Scans made at test time from the bundled plan's PDF (no binary test data is stored).

The plan's PDF fixture is drawn page by page with pdfium (as a scanner would see it);
from those pictures come an image-only PDF (a clean scan), a photo-like copy (turned
a degree or two, blurred, grainy), pages in two columns, and PDFs that mix text pages
with scanned ones. ``bench/bench_ocr.py`` uses the same helpers.
"""

from __future__ import annotations

import random
from pathlib import Path

PLAN_PDF = Path(__file__).resolve().parent / "fixtures" / "hunan-foreign-affairs-plan-2021-2025.pdf"
PLAN_TITLE = "湖南省外事港澳工作“十四五”发展规划"
DPI = 150


def render_page(number: int, dpi: int = DPI, pdf_path: Path = PLAN_PDF):
    """Page ``number`` (1-based) of a PDF drawn as an RGB PIL image at ``dpi``."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[number - 1]
        image = page.render(scale=dpi / 72).to_pil().convert("RGB")
        page.close()
        return image
    finally:
        pdf.close()


def page_text(number: int, pdf_path: Path = PLAN_PDF) -> str:
    """The text layer of page ``number`` (1-based): what a perfect reading of its picture gives."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[number - 1]
        text = page.get_textpage().get_text_range()
        page.close()
        return text
    finally:
        pdf.close()


def region_text(number: int, box: tuple[int, int, int, int], dpi: int = DPI, pdf_path: Path = PLAN_PDF) -> str:
    """The text layer inside ``box`` (left, top, right, bottom in pixels of the page drawn at ``dpi``)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[number - 1]
        height = page.get_height()
        k = 72 / dpi
        left, top, right, bottom = box
        text = page.get_textpage().get_text_bounded(left * k, height - bottom * k, right * k, height - top * k)
        page.close()
        return text
    finally:
        pdf.close()


def photo_like(image, seed: int = 1, angle: float = 1.5):
    """A phone photo of a printed page: turned ``angle`` degrees, slightly blurred, grainy, unevenly lit."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    turned = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=(236, 236, 230))
    blurred = turned.filter(ImageFilter.GaussianBlur(0.8))
    pixels = np.asarray(blurred).astype(np.float32)
    h, w = pixels.shape[:2]
    light = np.linspace(0.88, 1.0, w, dtype=np.float32)[None, :, None]  # darker towards one side
    pixels = pixels * light + rng.normal(0, 9, pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def save_image_pdf(images: list, path: Path, title: str = PLAN_TITLE, dpi: int = DPI) -> Path:
    """Pictures as an image-only PDF (no text layer), one page each, titled like the original."""
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=dpi, title=title)
    return path


def save_mixed_pdf(pages: list[tuple[str, int]], path: Path, pdf_path: Path = PLAN_PDF) -> Path:
    """A PDF of ("text", n) pages copied from the original and ("scan", n) pages replaced by their picture."""
    import io

    from pypdf import PdfReader, PdfWriter

    original = PdfReader(str(pdf_path))
    writer = PdfWriter()
    for kind, number in pages:
        if kind == "text":
            writer.add_page(original.pages[number - 1])
        else:
            buf = io.BytesIO()
            render_page(number, pdf_path=pdf_path).save(buf, "PDF", resolution=DPI)
            writer.add_page(PdfReader(buf).pages[0])
    writer.add_metadata({"/Title": str(original.metadata.title) if original.metadata else ""})
    with open(path, "wb") as f:
        writer.write(f)
    return path


def two_columns(left, right, gap: int = 60):
    """Two pictures of text set side by side as one two-column page (the left is read first)."""
    from PIL import Image

    height = max(left.height, right.height)
    page = Image.new("RGB", (left.width + gap + right.width, height), "white")
    page.paste(left, (0, 0))
    page.paste(right, (left.width + gap, 0))
    return page


def noise_image(width: int = 1200, height: int = 900, seed: int = 5):
    """A picture with no writing: smooth shapes and grain (a photo of a wall, say)."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (200, 190, 170))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(60, 250)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    pixels = np.asarray(image).astype(np.int16) + np.random.default_rng(seed).integers(-6, 7, (height, width, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def text_rows(image) -> list[tuple[int, int]]:
    """The (top, bottom) pixel rows of each line of print on a page picture, top to bottom."""
    import numpy as np

    ink = (np.asarray(image.convert("L")) < 160).any(axis=1)
    rows, start = [], None
    for y, inked in enumerate(ink):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            rows.append((start, y))
            start = None
    if start is not None:
        rows.append((start, len(ink)))
    return [r for r in rows if r[1] - r[0] >= 5]


def line_box(image, first: int, count: int, margin: int = 8) -> tuple[int, int, int, int]:
    """The box (left, top, right, bottom) holding lines ``first`` … ``first + count - 1`` (0-based) of a page picture."""
    rows = text_rows(image)
    top, bottom = rows[first][0] - margin, rows[first + count - 1][1] + margin
    return 0, max(0, top), image.width, min(image.height, bottom)


def keep_lines(image, count: int):
    """A page picture with everything below its first ``count`` lines painted white (a short page)."""
    from PIL import ImageDraw

    page = image.copy()
    _, _, _, bottom = line_box(image, 0, count)
    ImageDraw.Draw(page).rectangle((0, bottom, page.width, page.height), fill="white")
    return page
