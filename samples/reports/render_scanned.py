"""Turn a text PDF into a "scanned" PDF: page images only, no text layer, slightly skewed and noisy.

Renderer for the ``scanned_pdf`` format: rasterises the text PDF with pdfium, degrades each page
a little like a photocopy (small rotation, speckle noise, blur) from a seeded stream, and wraps
the JPEG images in a new PDF. Extractors must OCR every page (truth ``ocr_pages`` lists them all).
"""

from __future__ import annotations

import io
import random

import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .render_pdf import PRODUCER

DPI = 200


def render_scanned(text_pdf: bytes, *, title: str, seed: str, dpi: int = DPI) -> bytes:
    rng = random.Random(seed)
    src = pdfium.PdfDocument(text_pdf)
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setSubject("Synthetic sample - not a real review (scanned image copy)")
    c.setAuthor("Synthetic sample generator")
    c.setCreator(PRODUCER)
    c.setProducer(PRODUCER)
    try:
        for i in range(len(src)):
            page = src[i]
            w_pt, h_pt = page.get_size()
            img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            img = _degrade(img, rng)
            jpg = io.BytesIO()
            img.save(jpg, format="JPEG", quality=70, optimize=False)
            c.setPageSize((w_pt, h_pt))
            c.drawImage(ImageReader(io.BytesIO(jpg.getvalue())), 0, 0, width=w_pt, height=h_pt)
            c.showPage()
    finally:
        src.close()
    c.save()
    return buf.getvalue()


def _degrade(img: Image.Image, rng: random.Random) -> Image.Image:
    angle = rng.uniform(-0.6, 0.6)
    img = img.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    # Sparse dark speckles, as on a photocopy, from the seeded stream.
    w, h = img.size
    px = img.load()
    for _ in range(w * h // 4000):
        x, y = rng.randrange(w), rng.randrange(h)
        px[x, y] = rng.randint(60, 160)
    return img.filter(ImageFilter.GaussianBlur(0.5))
