"""OCR of PDF pages without a usable text layer, with the Tesseract command-line tool.

Called by ``pdf.py`` for scanned pages. The page is rendered by PDFium to a greyscale bitmap,
piped to ``tesseract`` (Debian package ``tesseract-ocr``) on stdin, and its TSV output is read
back as lines with geometry (in PDF points, top-down) so the same paragraph grouping and
running-header removal apply as for text-layer pages, and as tables rebuilt from the word boxes
and ruling lines (``ocr_tables.py``). Nothing is written to disk.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from functools import lru_cache

import pypdfium2 as pdfium

from ingest.extracted import Table
from ingest.layout import Line
from ingest.ocr_tables import parse_boxes, tables_and_lines

log = logging.getLogger(__name__)

OCR_DPI = 300
OCR_LANG = "eng"
OCR_TIMEOUT = 120.0


# Called after each OCR'd page: the worker uses it to tell the parent it is making progress, so
# a long scanned report is not mistaken for a hang.
progress_hook: Callable[[], None] | None = None


class OCRUnavailable(RuntimeError):
    """Tesseract is not installed or failed on a page."""


@lru_cache(maxsize=1)
def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def ocr_page(page: pdfium.PdfPage, *, dpi: int = OCR_DPI,
             timeout: float = OCR_TIMEOUT) -> list[Line]:
    """Lines of text recognised on a rendered page."""
    return ocr_page_with_tables(page, dpi=dpi, timeout=timeout)[0]


def ocr_page_with_tables(page: pdfium.PdfPage, *, page_no: int = 1, dpi: int = OCR_DPI,
                         timeout: float = OCR_TIMEOUT) -> tuple[list[Line], list[Table]]:
    """Lines of text recognised on a rendered page, and its tables rebuilt from the word boxes
    (``ocr_tables.py``) as ``Table``s of page ``page_no``."""
    exe = tesseract_path()
    if exe is None:
        raise OCRUnavailable("tesseract is not installed (Debian package tesseract-ocr)")
    scale = dpi / 72.0
    image = page.render(scale=scale, grayscale=True).to_pil()
    buf = io.BytesIO()
    image.convert("L").save(buf, format="PPM")  # uncompressed: cheaper than PNG to encode
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per worker; parallelism is ours
    try:
        proc = subprocess.run(
            [exe, "stdin", "stdout", "-l", OCR_LANG, "--dpi", str(dpi), "--psm", "3",
             "-c", "tessedit_do_invert=0", "tsv"],
            input=buf.getvalue(), capture_output=True, timeout=timeout, env=env, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OCRUnavailable(f"tesseract took longer than {timeout:.0f}s on a page") from exc
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OCRUnavailable(f"tesseract failed: {msg[-1] if msg else proc.returncode}")
    if progress_hook is not None:
        progress_hook()
    tsv = proc.stdout.decode("utf-8", "replace")
    lines = parse_tsv(tsv, scale)
    try:
        found = tables_and_lines(lines, *parse_boxes(tsv, scale), page_no)
    except Exception:  # a table we cannot rebuild must not lose the page text
        log.debug("OCR tables failed on page %s", page_no, exc_info=True)
        return lines, []
    return found.lines, found.tables


def parse_tsv(tsv: str, scale: float) -> list[Line]:
    """Tesseract TSV (one row per word) -> lines, coordinates converted from pixels to points."""
    lines: dict[tuple[int, int, int], Line] = {}
    order: list[tuple[int, int, int]] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            block, par, line = int(cols[2]), int(cols[3]), int(cols[4])
            left, top, width, height = (int(c) / scale for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        if conf < 0:
            continue
        key = (block, par, line)
        word = cols[11].strip()
        if key not in lines:
            # Tesseract's own blocks split paragraphs too eagerly; layout.py regroups by geometry.
            lines[key] = Line(text=word, x0=left, x1=left + width, top=top, bottom=top + height)
            order.append(key)
        else:
            ln = lines[key]
            ln.text += " " + word
            ln.x1 = max(ln.x1, left + width)
            ln.top, ln.bottom = min(ln.top, top), max(ln.bottom, top + height)
    return [lines[k] for k in order]


_BAD = re.compile(r"[\ue000-\uf8ff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def text_quality(text: str) -> float:
    """Share of non-space characters that look like real text (0..1). Unmapped glyphs come out
    as private-use, replacement or control characters, or pdfminer-style ``(cid:NN)``. Judged on
    a sample of the page: this runs on every page of every PDF."""
    text = text[:4000]
    total = len(text) - text.count(" ") - text.count("\n") - text.count("\t")
    if total <= 0:
        return 0.0
    bad = len(_BAD.findall(text)) + text.count("(cid:") * 6
    letters = sum(text.count(c) for c in _LETTERS)
    if letters >= 20 and sum(text.count(c) for c in "AEIOUYaeiouy") / letters < 0.15:
        return min(1.0 - bad / total, 0.3)  # Latin-script text without vowels: mapped garbage
    return max(0.0, 1.0 - bad / total)
