"""Tables in PDFs: a cheap test for which pages have table structure, and pdfplumber on those only.

Called by ``pdf.py``. pdfplumber (pdfminer) is about two orders of magnitude slower than PDFium,
so it runs only on pages where PDFium already saw several lines split into aligned cells and
enough ruling (path objects) to draw a grid, such as action plans in the Home Office template.
"""

from __future__ import annotations

import io
import logging
import re

import pypdfium2.raw as pdfium_c

from ingest.extracted import Table
from ingest.layout import Line

log = logging.getLogger(__name__)

MIN_CELL_LINES = 2  # lines with two or more cells
MIN_PATHS = 4  # ruling lines / rectangles
MAX_OBJECTS_SCANNED = 5000


def page_objects(raw, width: float, height: float) -> tuple[int, float]:
    """(number of path objects, share of the page area covered by images) of a raw page."""
    n = min(pdfium_c.FPDFPage_CountObjects(raw), MAX_OBJECTS_SCANNED)
    area = max(width * height, 1.0)
    paths, image_area = 0, 0.0
    left, bottom, right, top = (pdfium_c.FS_FLOAT(), pdfium_c.FS_FLOAT(), pdfium_c.FS_FLOAT(),
                                pdfium_c.FS_FLOAT())
    for i in range(n):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
        elif (kind in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM)
              and pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)):
            w = max(0.0, min(right.value, width) - max(left.value, 0.0))
            h = max(0.0, min(top.value, height) - max(bottom.value, 0.0))
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE or (pdfium_c.FPDFFormObj_CountObjects(obj) > 0
                                                       and _form_has_image(obj)):
                image_area += w * h
    return paths, min(image_area / area, 1.0)


def _form_has_image(form) -> bool:
    n = min(pdfium_c.FPDFFormObj_CountObjects(form), 50)
    return any(pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFFormObj_GetObject(form, i))
               == pdfium_c.FPDF_PAGEOBJ_IMAGE for i in range(n))


def looks_like_table(lines: list[Line], paths: int) -> bool:
    return sum(1 for ln in lines if ln.cells > 1) >= MIN_CELL_LINES and paths >= MIN_PATHS


def extract_tables(content: bytes, pages: list[int],
                   password: str | None = None) -> tuple[list[Table], list[str]]:
    """Tables on the given 1-based pages with pdfplumber; (tables, warnings). Never raises."""
    if not pages:
        return [], []
    import pdfplumber  # imported lazily: most documents never need it

    tables: list[Table] = []
    warnings: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(content), pages=pages, password=password or "") as pdf:
            for page in pdf.pages:
                try:
                    for found in page.find_tables():
                        rows = [[_cell(c) for c in row] for row in found.extract() if row]
                        rows = [r for r in rows if any(r)]
                        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                            tables.append(Table(page=page.page_number, rows=rows,
                                                bbox=_bbox(found.bbox)))
                except Exception as exc:  # noqa: BLE001 - a bad page must not lose the document
                    warnings.append(f"tables on page {page.page_number}: {type(exc).__name__}")
                finally:
                    page.close()
    except Exception as exc:
        log.debug("pdfplumber failed", exc_info=True)
        warnings.append(f"tables: pdfplumber could not open the file ({type(exc).__name__})")
    return tables, warnings


def _bbox(box: tuple[float, ...]) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = box
    return (x0, top, x1, bottom)


def _cell(value: str | None) -> str:
    if not value:
        return ""
    return re.sub(r"[ \t]+", " ", value).strip()  # line breaks stay: clean.py joins them
