"""Read a PDF page's text layer as lines with geometry and font hints, using PDFium.

Used by ``pdf.py`` (the fast path). PDFium's page text comes with its own line breaks, in
content-stream order; each line's text rectangles (runs split at gaps) give its extent, and wide
gaps between them count as table cells. The font size and weight of each line's first
character feed heading detection in ``sections.py``.
"""

from __future__ import annotations

import ctypes
import re

import pypdfium2.raw as pdfium_c

from ingest.layout import Line

_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
_FORCE_BOLD = 1 << 18


class _FontProbe:
    """Font size, boldness and baseline of a character of a text page (buffers reused)."""

    def __init__(self) -> None:
        self._buf = ctypes.create_string_buffer(256)
        self._flags = ctypes.c_int()
        self._flagsr = ctypes.byref(self._flags)
        self._bold: dict[tuple[bytes, int], bool] = {}
        self._ox, self._oy = ctypes.c_double(), ctypes.c_double()
        self._oxr, self._oyr = ctypes.byref(self._ox), ctypes.byref(self._oy)
        self.rect = (ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double())
        self.refs = tuple(ctypes.byref(v) for v in self.rect)

    def at_index(self, raw, idx: int) -> tuple[float | None, bool, float | None]:
        """(font size, bold, baseline y in PDF coordinates) of character ``idx`` of text page
        ``raw``."""
        if idx < 0:
            return None, False, None
        size = pdfium_c.FPDFText_GetFontSize(raw, idx) or None
        n = pdfium_c.FPDFText_GetFontInfo(raw, idx, self._buf, 256, self._flagsr)
        key = (self._buf.value if n else b"", self._flags.value)
        bold = self._bold.get(key)
        if bold is None:  # weight is a property of the font: look it up once per font
            name = key[0].decode("latin-1", "replace").lower()
            bold = self._bold[key] = (any(b in name for b in _BOLD_NAMES)
                                      or bool(key[1] & _FORCE_BOLD)
                                      or pdfium_c.FPDFText_GetFontWeight(raw, idx) >= 600)
        baseline = (self._oy.value
                    if pdfium_c.FPDFText_GetCharOrigin(raw, idx, self._oxr, self._oyr) else None)
        return size, bold, baseline


def page_text(raw) -> str:
    """All text of a PDFium text page (raw handle), one character per character index."""
    n = pdfium_c.FPDFText_CountChars(raw)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = pdfium_c.FPDFText_GetText(raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    return buf.raw[: max(got - 1, 0) * 2].decode("utf-16-le", errors="replace")


def bounded_text(raw, left: float, top: float, right: float, bottom: float) -> str:
    """Text of a PDFium text page (raw handle) inside a rectangle in PDF coordinates."""
    n = pdfium_c.FPDFText_GetBoundedText(raw, left, top, right, bottom, None, 0)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(n * 2)
    pdfium_c.FPDFText_GetBoundedText(raw, left, top, right, bottom,
                                     ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), n)
    return buf.raw[: n * 2].decode("utf-16-le", errors="replace").rstrip("\x00")


def page_lines(raw, page_height: float, probe: _FontProbe) -> list[Line]:
    """The lines of a PDFium text page (raw handle) in content-stream order, top-down coordinates.

    One ``FPDFText_GetText`` call gives the page text with PDFium's own line breaks; each
    line's character range then gives its rectangles (runs split at gaps, so table cells show)
    and its first character gives font size, weight and baseline. Linear in the characters.
    """
    text = page_text(raw)
    if not text:
        return []
    if len(text) != pdfium_c.FPDFText_CountChars(raw):  # surrogate pairs shift indices
        return page_lines_by_rects(raw, page_height, probe)
    l, t, r, b = probe.rect
    refs = probe.refs
    count_rects, get_rect = pdfium_c.FPDFText_CountRects, pdfium_c.FPDFText_GetRect
    lines: list[Line] = []
    for m in _LINE.finditer(text):
        segment = m.group(0)
        stripped = segment.strip()
        if not stripped:
            continue
        start = m.start()
        k = count_rects(raw, start, len(segment))
        x0 = x1 = top = bottom = None
        cells = 1
        for i in range(k):
            if not get_rect(raw, i, *refs):
                continue
            left, rtop, right, rbottom = l.value, t.value, r.value, b.value
            if x0 is None:
                x0, x1, top, bottom = left, right, rtop, rbottom
                continue
            if left - x1 > 1.2 * (max(0.1, rtop - rbottom)):  # type: ignore[operator]
                cells += 1
            x0 = min(x0, left)
            if right > x1:  # type: ignore[operator]  # noqa: PLR1730 - hot loop, no call
                x1 = right
            if rtop > top:  # type: ignore[operator]  # noqa: PLR1730
                top = rtop
            if rbottom < bottom:  # type: ignore[operator]  # noqa: PLR1730
                bottom = rbottom
        if x0 is None:
            continue
        size, bold, baseline = probe.at_index(raw, start + len(segment) - len(segment.lstrip()))
        lines.append(Line(stripped, x0, x1, page_height - top, page_height - bottom,  # type: ignore[operator,arg-type]
                          size, bold, cells, None,
                          page_height - baseline if baseline is not None else None))
    return lines


_LINE = re.compile(r"[^\r\n]+")


def page_lines_by_rects(raw, page_height: float, probe: _FontProbe) -> list[Line]:
    """Fallback: lines from PDFium's text rectangles, joined by baseline."""
    lines: list[Line] = []
    n = pdfium_c.FPDFText_CountRects(raw, 0, -1)
    l, t, r, b = probe.rect
    cur: Line | None = None
    for i in range(n):
        if not pdfium_c.FPDFText_GetRect(raw, i, *probe.refs):
            continue
        left, top, right, bottom = l.value, t.value, r.value, b.value
        text = bounded_text(raw, left, top, right, bottom)
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
        idx = pdfium_c.FPDFText_GetCharIndexAtPos(raw, left + min(1.0, (right - left) / 2),
                                                  bottom + (top - bottom) / 2, 2.0, 2.0)
        size, bold, baseline = probe.at_index(raw, idx)
        cur = Line(text=text, x0=left, x1=right, top=y0, bottom=y1, size=size, bold=bold,
                   baseline=page_height - baseline if baseline is not None else None)
        lines.append(cur)
    for ln in lines:
        ln.text = ln.text.strip()
    return lines
