"""DOCX extraction with python-docx: body paragraphs and tables in order, pages where Word
recorded them.

Registered for format ``docx``. Headings keep their level (heading styles, outline levels),
list paragraphs get the number Word would draw (``docx_numbering.py``), tables come out both as
rows of cells and as one text block per row. Headers, footers and footnotes are never read.
What Word would not print is left out: deleted and moved-away tracked changes, hidden runs,
the compatibility copy of drawings (``mc:Fallback``). Text boxes become their own blocks after
the paragraph that anchors them. Page
boundaries: Word's rendered page breaks (``w:lastRenderedPageBreak``) when the file has them,
otherwise explicit page breaks, "page break before" and non-continuous section breaks.
Zip bombs are refused before decompression (``zipguard.py``).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from ingest.docx_numbering import Numbering, W
from ingest.errors import ExtractionError
from ingest.extracted import Block, RawDocument, Table
from ingest.zipguard import check_zip

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
TXBX = W + "txbxContent"
# Containers whose text Word does not show in the body: deleted or moved-away revisions, the
# fallback copy of drawings (the text boxes inside a drawing are read once, from mc:Choice).
_UNSHOWN = frozenset((W + "del", W + "moveFrom", MC_FALLBACK))
_TEXT_TAGS = (W + "t", W + "tab", W + "br", W + "cr", W + "lastRenderedPageBreak",
              W + "noBreakHyphen", W + "sym")
_SPECIAL_TAGS = (W + "del", W + "moveFrom", MC_FALLBACK, TXBX, W + "vanish")
_HEADING_NAME = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_TITLE_NOISE = re.compile(r"^(untitled|title|document\d*|\s*)$|\.(docx?|pdf)$", re.IGNORECASE)


@dataclass
class _Style:
    level: int | None = None  # heading level
    kind: str = "body"
    page_break_before: bool = False
    num: tuple[str, int] | None = None


class _PageBreak:
    """Marker inside a paragraph's text pieces."""


BREAK = _PageBreak()


def extract_docx(content: bytes) -> RawDocument:
    check_zip(content)
    import docx  # python-docx; imported here so PDF-only workers do not load it

    try:
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError("corrupt",
                              f"not a readable Word document ({type(exc).__name__})") from exc
    except Exception as exc:
        raise ExtractionError(
            "corrupt", f"not a readable Word document ({type(exc).__name__}: {exc})") from exc
    return _Reader(document).read()


class _Reader:
    def __init__(self, document) -> None:
        self.document = document
        self.body = document.element.body
        self.styles = _styles(document)
        try:
            numbering_el = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering_el = None
        self.numbering = Numbering(numbering_el)
        self.rendered = next(self.body.iter(W + "lastRenderedPageBreak"), None) is not None
        self.pages: list[list[Block]] = [[]]
        self.tables: list[Table] = []
        self.section_breaks = self._section_break_types()

    def read(self) -> RawDocument:
        self._container(self.body)
        while len(self.pages) > 1 and not self.pages[-1]:
            self.pages.pop()
        title = _meta_title(self.document)
        props = self.document.core_properties
        meta = {k: str(v) for k, v in (("author", props.author), ("created", props.created),
                                       ("modified", props.modified), ("subject", props.subject),
                                       ("keywords", props.keywords)) if v}
        return RawDocument(format="docx", pages=self.pages, tables=self.tables, title=title,
                           meta=meta)

    # -- walking the body -------------------------------------------------------------------
    def _container(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == W + "p":
                self._paragraph(child)
            elif tag == W + "tbl":
                self._table(child)
            elif tag == W + "sdt":
                content = child.find(W + "sdtContent")
                if content is not None:
                    self._container(content)
            elif tag in (W + "ins", W + "customXml", W + "smartTag"):
                self._container(child)

    def _new_page(self) -> None:
        self.pages.append([])

    def _paragraph(self, p) -> None:
        style = self._paragraph_style(p)
        if not self.rendered and style.page_break_before and self.pages[-1]:
            self._new_page()
        num = _direct_num(p) or style.num
        label = self.numbering.label(*num) if num is not None else ""
        kind = style.kind
        if label == "•" and kind == "body":
            kind = "list"
        text_parts: list[str] = []
        for piece in self._pieces(p) + [None]:
            if isinstance(piece, str):
                text_parts.append(piece)
                continue
            text = "".join(text_parts).strip()
            text_parts = []
            if text:
                if label:  # the number belongs to the paragraph's first words
                    text, label = f"{label} {text}", ""
                self.pages[-1].append(Block(text=text, kind=kind, level=style.level))  # type: ignore[arg-type]
            if piece is BREAK:
                self._new_page()
        if next(p.iter(TXBX), None) is not None:
            self._text_boxes(p)
        sect = p.find(W + "pPr/" + W + "sectPr")
        if sect is not None and not self.rendered:
            kind = self.section_breaks.pop(0) if self.section_breaks else "nextPage"
            if kind != "continuous":
                self._new_page()

    def _pieces(self, p) -> list[str | _PageBreak]:
        special = next(p.iter(*_SPECIAL_TAGS), None) is not None
        out: list[str | _PageBreak] = []
        for el in p.iter(*_TEXT_TAGS):
            if special and not _shown(el, p):
                continue
            tag = el.tag
            if tag == W + "t":
                out.append(el.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag == W + "br":
                if el.get(W + "type") == "page":
                    if not self.rendered:
                        out.append(BREAK)
                else:
                    out.append("\n")
            elif tag == W + "cr":
                out.append("\n")
            elif tag == W + "lastRenderedPageBreak":
                if self.rendered:
                    out.append(BREAK)
            elif tag == W + "noBreakHyphen":
                out.append("-")
        return out

    def _text_boxes(self, p) -> None:
        """Paragraphs of the text boxes anchored in ``p``, as blocks after it."""
        for box in p.iter(TXBX):
            if _outermost_shown_box(box, p):
                self._container(box)

    def _table(self, tbl) -> None:
        from docx.table import Table as DocxTable

        rows: list[list[str]] = []
        start_page = len(self.pages)
        for row in DocxTable(tbl, self.document._body).rows:
            if (self.rendered and next(row._tr.iter(W + "lastRenderedPageBreak"), None) is not None
                and rows):
                self._new_page()
            cells: list[str] = []
            seen: set[int] = set()
            try:
                row_cells = row.cells
            except Exception:  # noqa: BLE001, S112 - a row with malformed grid spans is skipped
                continue
            for cell in row_cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(self._cell_text(cell._tc, row._tr))
            if any(cells):
                rows.append(cells)
                self.pages[-1].append(Block(text=" ".join(c.replace("\n", " ") for c in cells if c),
                                            kind="table"))
        if rows:
            self.tables.append(Table(page=start_page, rows=rows))

    def _cell_text(self, tc: Any, tr: Any) -> str:
        """A cell's paragraphs, one per line; "" under a vertically merged cell (its text is
        printed once, above)."""
        if next(tc.iterancestors(W + "tr"), None) is not tr:
            return ""
        paragraphs = list(tc.iter(W + "p"))
        if next(tc.iter(MC_FALLBACK), None) is not None:
            paragraphs = [p for p in paragraphs if not _in_fallback(p, tc)]
        texts = ("".join(x for x in self._pieces(p) if isinstance(x, str)).strip()
                 for p in paragraphs)
        return "\n".join(t for t in texts if t)

    # -- styles -------------------------------------------------------------------------------
    def _paragraph_style(self, p) -> _Style:
        ppr = p.find(W + "pPr")
        style = _Style()
        if ppr is not None:
            sid = ppr.find(W + "pStyle")
            if sid is not None:
                style = self.styles.get(sid.get(W + "val", ""), _Style())
            outline = ppr.find(W + "outlineLvl")
            if outline is not None and (outline.get(W + "val") or "").isdigit():
                lvl = int(outline.get(W + "val")) + 1
                if lvl <= 6:
                    style = _Style(level=lvl, kind="heading",
                                   page_break_before=style.page_break_before, num=style.num)
            pbb = ppr.find(W + "pageBreakBefore")
            if pbb is not None and pbb.get(W + "val", "true") not in ("0", "false"):
                style = _Style(style.level, style.kind, True, style.num)
        return style

    def _section_break_types(self) -> list[str]:
        """Start type of each section after the first, in order (for paragraph-level sectPr)."""
        types: list[str] = []
        for sect in self.body.iter(W + "sectPr"):
            t = sect.find(W + "type")
            types.append(t.get(W + "val", "nextPage") if t is not None else "nextPage")
        return types[1:]


def _outermost_shown_box(box, p) -> bool:
    for anc in box.iterancestors():
        if anc is p:
            return True
        if anc.tag in (MC_FALLBACK, TXBX):
            return False
    return True


def _in_fallback(el, stop) -> bool:
    for anc in el.iterancestors():
        if anc is stop:
            return False
        if anc.tag == MC_FALLBACK:
            return True
    return False


def _shown(el, p) -> bool:
    """Whether Word shows text element ``el`` of paragraph ``p`` in the paragraph itself (not in a
    deleted or moved-away revision, a hidden run, a text box or a drawing's fallback copy)."""
    for anc in el.iterancestors():
        if anc is p:
            return True
        tag = anc.tag
        if tag in _UNSHOWN or tag == TXBX:
            return False
        if tag == W + "r":
            vanish = anc.find(W + "rPr/" + W + "vanish")
            if vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off"):
                return False
    return True


def _direct_num(p) -> tuple[str, int] | None:
    numpr = p.find(W + "pPr/" + W + "numPr")
    if numpr is None:
        return None
    num_id = numpr.find(W + "numId")
    ilvl = numpr.find(W + "ilvl")
    if num_id is None:
        return None
    try:
        return num_id.get(W + "val", "0"), int(ilvl.get(W + "val", "0")) if ilvl is not None else 0
    except ValueError:
        return None


def _styles(document) -> dict[str, _Style]:
    """Paragraph styles resolved through ``basedOn``: heading level, list/TOC kind, page break
    before, numbering."""
    out: dict[str, _Style] = {}
    try:
        styles = list(document.styles)
    except Exception:  # noqa: BLE001
        return out
    for st in styles:
        try:
            if st.type != 1:  # WD_STYLE_TYPE.PARAGRAPH
                continue
            resolved = _Style()
            chain: list[Any] = []
            cur = st
            while cur is not None and len(chain) < 20:
                chain.append(cur)
                cur = cur.base_style
            for s in reversed(chain):  # base first, so derived styles override
                _apply_style(resolved, s)
            out[st.style_id] = resolved
        except Exception:  # noqa: BLE001, S112 - a broken style must not lose the document
            continue
    return out


def _apply_style(resolved: _Style, s: Any) -> None:
    """What one style in a ``basedOn`` chain sets: its name's kind and level, then its
    paragraph properties (outline level, page break before, numbering)."""
    name = (s.name or "").strip()
    m = _HEADING_NAME.match(name)
    if m:
        resolved.level, resolved.kind = int(m.group(1)), "heading"
    elif name.lower() == "title":
        resolved.level, resolved.kind = None, "title"
    elif name.lower().startswith("toc"):
        resolved.kind = "toc"
    elif name.lower().startswith("list"):
        resolved.kind = "list"
    ppr = s.element.find(W + "pPr")
    if ppr is None:
        return
    outline = ppr.find(W + "outlineLvl")
    if outline is not None and (outline.get(W + "val") or "").isdigit() and \
            int(outline.get(W + "val")) < 6:
        resolved.level, resolved.kind = int(outline.get(W + "val")) + 1, "heading"
    if ppr.find(W + "pageBreakBefore") is not None:
        resolved.page_break_before = ppr.find(W + "pageBreakBefore").get(W + "val", "true") \
            not in ("0", "false")
    numpr = ppr.find(W + "numPr")
    if numpr is not None and numpr.find(W + "numId") is not None:
        ilvl = numpr.find(W + "ilvl")
        lvl = ilvl.get(W + "val", "0") if ilvl is not None else "0"
        resolved.num = (numpr.find(W + "numId").get(W + "val", "0"),
                        int(lvl) if lvl.isdigit() else 0)


def _meta_title(document) -> str | None:
    try:
        title = (document.core_properties.title or "").strip()
    except Exception:  # noqa: BLE001
        return None
    return title if title and not _TITLE_NOISE.search(title) else None
