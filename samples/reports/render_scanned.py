"""Turn a text PDF into a "scanned" PDF: page images only, no text layer, slightly skewed and noisy.

Renderer for the ``scanned_pdf`` format: rasterises the text PDF with pdfium, degrades each page
a little like a photocopy (small rotation, speckle noise) from a seeded stream, and wraps
the images, JPEG-compressed, in a new PDF. Extractors must OCR every page (truth ``ocr_pages`` lists
them all).
"""

from __future__ import annotations

import io
import random
import time

import pypdfium2 as pdfium
from PIL import Image

from .render_pdf import PRODUCER

DPI = 200
FIXED_DATE = time.gmtime(1704067200)  # 2024-01-01T00:00:00Z


def render_scanned(text_pdf: bytes, *, title: str, seed: str, dpi: int = DPI) -> bytes:
    rng = random.Random(seed)
    src = pdfium.PdfDocument(text_pdf)
    try:
        images = [_degrade(src[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"), rng)
                  for i in range(len(src))]
    finally:
        src.close()
    buf = io.BytesIO()
    # Pillow embeds each page as a JPEG (DCTDecode); dates are fixed for reproducible bytes.
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=dpi,
                   quality=50, title=title, author="Synthetic sample generator",
                   subject="Synthetic sample - not a real review (scanned image copy)",
                   creator=PRODUCER, producer=PRODUCER, creationDate=FIXED_DATE, modDate=FIXED_DATE)
    return buf.getvalue()


def _degrade(img: Image.Image, rng: random.Random) -> Image.Image:
    angle = rng.uniform(-0.6, 0.6)
    img = img.rotate(angle, resample=Image.Resampling.NEAREST, expand=False, fillcolor=255)
    # Sparse dark speckles, as on a photocopy, from the seeded stream.
    w, h = img.size
    px = img.load()
    assert px is not None
    for _ in range(w * h // 4000):
        x, y = rng.randrange(w), rng.randrange(h)
        px[x, y] = rng.randint(60, 160)
    return img
