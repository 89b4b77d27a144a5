"""Write paginated pages as a Word document (python-docx), byte-for-byte reproducibly.

Renderer for the ``docx`` format. Uses real heading styles, list paragraphs, tables with a
repeated header row, a running header with the marking and a footer with PAGE/NUMPAGES fields,
and an explicit page break (``w:br w:type="page"``) wherever the paginator broke the page, so
text between page breaks equals the truth's page text. Core properties say the file is a
synthetic sample; the zip is rewritten with fixed timestamps for determinism.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from .blocks import Heading, Item, Para, Rec, Table, Title, Toc
from .paginate import Page, PageStyle
from .render_pdf import PRODUCER, Furniture

FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0, tzinfo=dt.UTC)
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def render_docx(pages: list[Page], style: PageStyle, furniture: Furniture, *, title: str) -> bytes:
    doc = new_docx()
    cp = doc.core_properties
    cp.title = title
    cp.subject = "Synthetic sample - not a real review"
    cp.author = "Synthetic sample generator"
    cp.last_modified_by = PRODUCER
    cp.comments = "Synthetic sample generated for testing; all names are invented."
    cp.keywords = "synthetic sample; domestic homicide review"
    cp.created = cp.modified = FIXED_TIME
    cp.last_printed = FIXED_TIME
    cp.revision = 1
    sec = doc.sections[0]
    if style.width > style.height:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10.5)
    _header_footer(sec, furniture)

    def para(text: str, style_id: str | None = None):
        # Setting the style id directly: python-docx's style-name lookup is slow per paragraph.
        p = doc.add_paragraph(text)
        if style_id:
            p._p.style = style_id
        return p
    for n, page in enumerate(pages):
        if n:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for placed in page.placed:
            b = placed.block
            if isinstance(b, Title):
                para(b.title, "Title")
                for line in b.lines:
                    para(line, "Subtitle")
            elif isinstance(b, Heading):
                para(b.label, f"Heading{min(b.level, 3)}")
            elif isinstance(b, Para):
                doc.add_paragraph(b.lines_text()[0])
            elif isinstance(b, Item):
                para(b.text, "ListNumber" if b.numbered else "ListBullet")
            elif isinstance(b, Rec):
                if b.prefix and b.own_line:
                    doc.add_paragraph().add_run(b.prefix).bold = True
                    doc.add_paragraph(b.text)
                else:
                    doc.add_paragraph(b.lines_text()[0])
            elif isinstance(b, Toc):
                for line in b.lines_text():
                    doc.add_paragraph(line)
            elif isinstance(b, Table) and placed.rows is not None:
                rows = b.rows[placed.rows[0]:placed.rows[1]]
                t = doc.add_table(rows=1 + len(rows), cols=len(b.columns))
                t._tbl.tblPr.style = "TableGrid"
                cells = t._cells
                ncol = len(b.columns)
                for j, col in enumerate(b.columns):
                    cells[j].text = col
                _repeat_header(t.rows[0])
                for i, row in enumerate(rows, start=1):
                    for j, val in enumerate(row):
                        cells[i * ncol + j].text = val
                _merge_cells(t, b, placed.rows[0])
    buf = io.BytesIO()
    doc.save(buf)
    return _fix_zip(buf.getvalue())


def _field(paragraph, instr: str) -> None:
    run = paragraph.add_run()
    for tag, attr in (("w:fldChar", "begin"), ("w:instrText", None), ("w:fldChar", "separate")):
        el = OxmlElement(tag)
        if attr:
            el.set(qn("w:fldCharType"), attr)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = instr
        run._r.append(el)
    paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _header_footer(sec, f: Furniture) -> None:
    head = sec.header.paragraphs[0]
    head.text = " - ".join(x for x in (f.marking, f.header) if x)
    foot = sec.footer.paragraphs[0]
    # Footer template "Page {page} of {pages}" becomes PAGE / NUMPAGES fields.
    template = f.footer
    while template:
        i_page, i_pages = template.find("{page}"), template.find("{pages}")
        hits = [(i, k) for i, k in ((i_page, "PAGE"), (i_pages, "NUMPAGES")) if i >= 0]
        if not hits:
            foot.add_run(template)
            break
        i, k = min(hits)
        if i:
            foot.add_run(template[:i])
        _field(foot, k)
        template = template[i + (6 if k == "PAGE" else 7):]


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _fix_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed member timestamps and order (python-docx stamps 'now')."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def _merge_cells(t, b: Table, first: int) -> None:
    """Vertically merge each cell of ``b.merged`` into the cell above it (on this page)."""
    for i, j in sorted(b.merged):
        k = i - first + 1   # row in the Word table (row 0 is the header)
        if 1 < k < len(t.rows):
            top = t.cell(k - 1, j)
            top.merge(t.cell(k, j))
