"""Read a PDF page's text layer as lines with geometry and font hints, using PDFium.

Used by ``pdf.py`` (the fast path). PDFium groups characters into text rectangles (runs on one
line, in content-stream order); consecutive rectangles on the same baseline become one line,
and wide gaps between them count as table cells. The font size and weight of each line's first
character feed heading detection in ``sections.py``.
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.layout import Line

_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
_FORCE_BOLD = 1 << 18


class _FontProbe:
    """Font size and boldness of the character at a point of a text page."""

    def __init__(self) -> None:
        self._buf = ctypes.create_string_buffer(256)
        self._flags = ctypes.c_int()
        self._ox, self._oy = ctypes.c_double(), ctypes.c_double()

    def probe(self, textpage: pdfium.PdfTextPage, x: float, y: float) -> tuple[float | None, bool, float | None]:
        """(font size, bold, baseline y in PDF coordinates) of the character at (x, y)."""
        idx = pdfium_c.FPDFText_GetCharIndexAtPos(textpage.raw, x, y, 2.0, 2.0)
        if idx < 0:
            return None, False, None
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, idx) or None
        weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, idx)
        n = pdfium_c.FPDFText_GetFontInfo(textpage.raw, idx, self._buf, 256, ctypes.byref(self._flags))
        name = self._buf.value.decode("latin-1", "replace").lower() if n else ""
        bold = weight >= 600 or any(b in name for b in _BOLD_NAMES) or bool(self._flags.value & _FORCE_BOLD)
        baseline = None
        if pdfium_c.FPDFText_GetCharOrigin(textpage.raw, idx, ctypes.byref(self._ox), ctypes.byref(self._oy)):
            baseline = self._oy.value
        return size, bold, baseline


def page_lines(textpage: pdfium.PdfTextPage, page_height: float, probe: _FontProbe) -> list[Line]:
    """The page's text lines in content-stream order (top-down coordinates)."""
    lines: list[Line] = []
    n = textpage.count_rects()
    cur: Line | None = None
    for i in range(n):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if not text.strip():
            continue
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        y0, y1 = page_height - top, page_height - bottom
        h = max(y1 - y0, 0.1)
        if cur is not None:
            overlap = min(cur.bottom, y1) - max(cur.top, y0)
            gap = left - cur.x1
            if overlap >= 0.5 * min(h, cur.height) and gap > -2.0:
                if gap > 1.2 * max(h, cur.height):
                    cur.cells += 1
                    sep = " "
                elif gap > 0.15 * h and not cur.text.endswith(" ") and not text.startswith(" "):
                    sep = " "
                else:
                    sep = ""
                cur.text = cur.text + sep + text
                cur.x1 = max(cur.x1, right)
                cur.top, cur.bottom = min(cur.top, y0), max(cur.bottom, y1)
                continue
        size, bold, baseline = probe.probe(textpage, left + min(1.0, (right - left) / 2), bottom + (top - bottom) / 2)
        cur = Line(text=text, x0=left, x1=right, top=y0, bottom=y1, size=size, bold=bold,
                   baseline=page_height - baseline if baseline is not None else None)
        lines.append(cur)
    for ln in lines:
        ln.text = ln.text.strip()
    return lines
