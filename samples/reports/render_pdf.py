"""Draw paginated pages into a PDF with a text layer (reportlab), byte-for-byte reproducibly.

Renderer for the ``pdf`` and ``two_column_pdf`` formats (and the source of ``scanned_pdf``
images). Adds the page furniture a real report has and a perfect extractor must drop: the
security marking, a running header and a "Page N of M" footer. Metadata says the file is a
synthetic sample; ``invariant=1`` fixes dates and the document id so output is deterministic.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from .paginate import Line, Page, PageStyle, Placed

GREY = Color(0.85, 0.85, 0.85)
PRODUCER = "dhr-repository sample generator (samples.reports)"


@dataclass(frozen=True)
class Furniture:
    """Text repeated on every page that is not body text."""
    marking: str
    header: str
    footer: str          # template with {page} and {pages}

    def footer_text(self, page: int, pages: int) -> str:
        return self.footer.format(page=page, pages=pages)


def render_pdf(pages: list[Page], style: PageStyle, furniture: Furniture, *, title: str,
               subject: str = "Synthetic sample - not a real review", keywords: str = "") -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(style.width, style.height), invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setSubject(subject)
    c.setAuthor("Synthetic sample generator")
    c.setCreator(PRODUCER)
    c.setProducer(PRODUCER)
    c.setKeywords(keywords or "synthetic sample; domestic homicide review; not a real review")
    total = len(pages)
    for n, page in enumerate(pages, start=1):
        _furniture(c, style, furniture, n, total)
        for placed in page.placed:
            _draw(c, style, placed)
        c.showPage()
    c.save()
    return buf.getvalue()


def _y(style: PageStyle, top_offset: float) -> float:
    return style.height - top_offset


def _line(c: Canvas, style: PageStyle, x0: float, ln: Line) -> None:
    c.setFont(ln.font, ln.size)
    if ln.align == "center":
        c.drawCentredString(x0 + ln.width / 2, _y(style, ln.y), ln.text)
    elif ln.align == "right":
        c.drawRightString(x0 + ln.width, _y(style, ln.y), ln.text)
    else:
        c.drawString(x0 + ln.x, _y(style, ln.y), ln.text)


def _draw(c: Canvas, style: PageStyle, placed: Placed) -> None:
    from .blocks import Toc
    if placed.cells:
        c.setLineWidth(0.5)
        for cell in placed.cells:
            y = _y(style, cell.y + cell.h)
            if cell.header:
                c.setFillColor(GREY)
                c.rect(cell.x, y, cell.w, cell.h, stroke=1, fill=1)
                c.setFillColorRGB(0, 0, 0)
            else:
                c.rect(cell.x, y, cell.w, cell.h, stroke=1, fill=0)
            for ln in cell.lines:
                _line(c, style, placed.frame_x, ln)
        return
    block = placed.block
    for i, ln in enumerate(placed.lines):
        _line(c, style, placed.frame_x, ln)
        if isinstance(block, Toc):   # page number at the right edge of the contents line
            c.drawRightString(style.width - style.margin_x, _y(style, ln.y),
                              str(block.entries[i].page))


def _furniture(c: Canvas, style: PageStyle, f: Furniture, page: int, pages: int) -> None:
    c.setFont(style.font, 8.5)
    top = style.height - 34
    if f.marking:
        c.drawCentredString(style.width / 2, style.height - 20, f.marking)
    if f.header:
        if style.header_align == "right":
            c.drawRightString(style.width - style.margin_x, top, f.header)
        else:
            c.drawString(style.margin_x, top, f.header)
        c.setLineWidth(0.4)
        c.line(style.margin_x, top - 5, style.width - style.margin_x, top - 5)
    foot = f.footer_text(page, pages)
    if style.footer_align == "right":
        c.drawRightString(style.width - style.margin_x, 36, foot)
    else:
        c.drawCentredString(style.width / 2, 36, foot)
    if f.marking:
        c.drawCentredString(style.width / 2, 22, f.marking)
