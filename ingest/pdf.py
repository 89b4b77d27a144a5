"""PDF extraction: PDFium text per page (fast path), ruled tables from PDFium paths (pdfplumber
only where those are not enough), OCR where there is no usable text layer.

Registered for format ``pdf`` in ``registry.py``. Pages come out as blocks with geometry hints
(``layout.py``); cleaning and structure happen later, the same way for every format. PDFs
encrypted with an empty user password open normally; a password-protected one raises
``ExtractionError("encrypted")``.
"""

from __future__ import annotations

import logging
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.errors import ExtractionError
from ingest.extracted import Block, RawDocument, Table
from ingest.layout import lines_to_blocks
from ingest.ocr import OCRUnavailable, ocr_page_with_tables, text_quality
from ingest.pdf_grid import find_grids
from ingest.pdf_lines import _FontProbe, page_lines
from ingest.pdf_tables import MIN_PATHS, extract_tables, looks_like_table, page_objects

log = logging.getLogger(__name__)

MAX_PAGES = 5000
MIN_TEXT_CHARS = 15  # fewer non-space characters than this is "no text layer"
MIN_QUALITY = 0.6
SCANNED_IMAGE_SHARE = 0.6  # a page mostly covered by an image...
SCANNED_MAX_CHARS = 200  # ...with only a little text (a stamp, a page number) is a scan

_METADATA_TITLE_NOISE = re.compile(
    r"^(untitled|\(?anonymous\)?|title|document\d*|microsoft word - .*|slide \d+|\s*)$"
    r"|\.(docx?|pdf|rtf|odt)$", re.IGNORECASE
)


def extract_pdf(content: bytes, *, ocr: bool = True, tables: bool = True) -> RawDocument:
    pdf = _open(content)
    reader = _PdfPages(pdf, ocr=ocr, tables=tables)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise ExtractionError("empty", "the PDF has no pages")
        if n_pages > MAX_PAGES:
            raise ExtractionError("too_large", f"{n_pages} pages (limit {MAX_PAGES})")
        meta = _metadata(pdf)
        for index in range(n_pages):
            reader.read_page(index)
    finally:
        pdf.close()
    pages, found, warnings = reader.pages, reader.found, reader.warnings
    if reader.plumber_pages:
        more, table_warnings = extract_tables(content, reader.plumber_pages)
        found = sorted(found + more, key=lambda t: (t.page, t.bbox[1] if t.bbox else 0))
        warnings += table_warnings
    _mark_table_blocks(pages, found)
    if warnings:
        meta["warnings"] = warnings[:50]
    return RawDocument(format="pdf", pages=pages, tables=found, title=meta.get("title"),
                       meta=meta, ocr_pages=reader.ocr_pages, has_layout=True)


class _PdfPages:
    """Reads a PDF page by page: the lines of its text layer (or of OCR, for a scanned page or
    one whose text is garbage) and the tables ruled on it."""

    def __init__(self, pdf: pdfium.PdfDocument, *, ocr: bool, tables: bool) -> None:
        self.pdf = pdf
        self.ocr = ocr
        self.tables = tables
        self.probe = _FontProbe()
        self.pages: list[list[Block]] = []
        self.found: list[Table] = []
        self.plumber_pages: list[int] = []   # ruled some other way: read with pdfplumber
        self.ocr_pages: list[int] = []
        self.warnings: list[str] = []

    def read_page(self, index: int) -> None:
        # Raw PDFium handles: the helper objects cost more than the parsing on small pages.
        page = pdfium_c.FPDF_LoadPage(self.pdf.raw, index)
        if not page:
            self.warnings.append(f"page {index + 1}: cannot be loaded")
            self.pages.append([])
            return
        try:
            width, height = pdfium_c.FPDF_GetPageWidthF(page), pdfium_c.FPDF_GetPageHeightF(page)
            textpage = pdfium_c.FPDFText_LoadPage(page)
            lines: list = []
            chars, garbage, image_share = 0, False, 0.0
            if textpage:
                try:
                    lines, chars, garbage, image_share = self._text_layer(
                        index, page, textpage, width, height)
                finally:
                    pdfium_c.FPDFText_ClosePage(textpage)
            else:
                _, image_share = page_objects(page, width, height)
            lines = self._ocr_if_needed(index, lines, chars, garbage, image_share)
            self.pages.append(lines_to_blocks(lines, height))
        finally:
            pdfium_c.FPDF_ClosePage(page)

    def _text_layer(self, index: int, page, textpage, width: float,
                    height: float) -> tuple[list, int, bool, float]:
        """(lines, characters, whether the text is garbage, share of the page in images); the
        page's ruled tables are collected on the way."""
        lines = page_lines(textpage, height, self.probe)
        text = "".join(ln.text for ln in lines)
        chars = len(text) - text.count(" ")
        garbage = chars > 0 and text_quality(text) < MIN_QUALITY
        usable = chars >= MIN_TEXT_CHARS and not garbage
        # One line of several cells may be the header of a ruled table whose
        # cells all wrap (each cell is then its own line): look for its grid.
        wants_tables = self.tables and usable and any(ln.cells > 1 for ln in lines)
        paths, image_share = (page_objects(page, width, height)
                              if wants_tables or chars < SCANNED_MAX_CHARS else (0, 0.0))
        if wants_tables and paths >= MIN_PATHS:
            grids = find_grids(page, textpage, height)
            if grids:
                self.found += [Table(page=index + 1, rows=g.rows, bbox=g.bbox) for g in grids]
            elif looks_like_table(lines, paths):
                self.plumber_pages.append(index + 1)  # ruled some other way: pdfplumber
        return lines, chars, garbage, image_share

    def _ocr_if_needed(self, index: int, lines: list, chars: int, garbage: bool,
                       image_share: float) -> list:
        """The page's lines: OCR'd when it is scanned, or has no usable text but images or
        garbage glyphs; garbage alone is dropped."""
        usable = chars >= MIN_TEXT_CHARS and not garbage
        scanned = image_share >= SCANNED_IMAGE_SHARE and chars < SCANNED_MAX_CHARS
        if self.ocr and (scanned or (not usable and (image_share > 0.05 or garbage))):
            try:
                recognised, ocr_tables = _ocr(self.pdf, index)
                if recognised or garbage or not lines:
                    lines = recognised
                    self.ocr_pages.append(index + 1)
                    self.found += ocr_tables
            except OCRUnavailable as exc:
                self.warnings.append(f"page {index + 1}: {exc}")
                if garbage:
                    lines = []
        elif garbage:
            lines = []  # garbage glyph codes are worse than nothing in a search index
        return lines


def _ocr(pdf: pdfium.PdfDocument, index: int) -> tuple[list, list[Table]]:
    page = pdf[index]
    try:
        return ocr_page_with_tables(page, page_no=index + 1)
    finally:
        page.close()


def _open(content: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractionError("encrypted", "the PDF needs a password to open") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractionError("encrypted",
                                  "the PDF uses an unsupported security handler") from exc
        raise ExtractionError("corrupt", f"PDFium cannot read the PDF ({exc})") from exc


def _metadata(pdf: pdfium.PdfDocument) -> dict:
    try:
        raw = pdf.get_metadata_dict(skip_empty=True)
    except Exception:  # noqa: BLE001 - metadata is optional
        raw = {}
    meta = {k.lower(): v.strip() for k, v in raw.items() if isinstance(v, str) and v.strip()}
    title = meta.pop("title", None)
    if title and not _METADATA_TITLE_NOISE.search(title) and len(title) >= 8:
        meta["title"] = title
    elif title:
        meta["metadata_title"] = title
    return meta


def _mark_table_blocks(pages: list[list[Block]], tables: list[Table]) -> None:
    """Blocks inside a table's area are table text (header cells are not headings)."""
    for table in tables:
        if table.bbox is None:
            continue
        x0, top, x1, bottom = table.bbox
        for block in pages[table.page - 1]:
            if block.bbox is None:
                continue
            cx, cy = (block.bbox[0] + block.bbox[2]) / 2, (block.bbox[1] + block.bbox[3]) / 2
            if x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1:
                block.kind = "table"
