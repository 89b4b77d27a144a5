"""Small real input files for the extraction tests, built on the fly (synthetic wording only).

PDFs with reportlab (running header, footer with page numbers, a protective marking, numbered
headings and paragraphs, a ruled table), DOCX with python-docx, and the malformed inputs the
robustness tests need (truncated, broken xref, encrypted, zip bomb, renamed binaries).
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.enum.text import WD_BREAK
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

HEADER = "Domestic Homicide Review - Overview Report (synthetic sample)"
BODY_1 = ("1.1 This synthetic review examines the contact that agencies had with Adult A before "
          "the death, and what could be learned from it. The panel met six times and considered "
          "reports from each agency involved.")
BODY_2 = "2.1 The terms of reference asked each agency to describe its contact and its assessments."
BODY_3 = "3.1 Adult A was seen by the practice nurse in March, and by the housing officer in May."


def report_pdf(pages: int = 3, *, marking: str = "OFFICIAL", title: str = "Synthetic Sample Review",
               table: bool = True) -> bytes:
    """A small report: cover title, numbered sections on pages 1..n, running header and footer."""
    styles = getSampleStyleSheet()
    buf = io.BytesIO()

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, 815, marking)
        canvas.drawString(72, 803, HEADER)
        canvas.drawCentredString(297, 30, f"Page {doc.page} of {pages}")
        canvas.restoreState()

    doc = BaseDocTemplate(buf, pagesize=A4, title=title, author="synthetic sample generator",
                          subject="Synthetic sample - not a real review")
    doc.addPageTemplates([PageTemplate(frames=[Frame(72, 72, 451, 690)], onPage=furniture)])
    story = [Paragraph(title, styles["Title"]),
             Paragraph("1. Introduction", styles["Heading1"]),
             Paragraph(BODY_1, styles["BodyText"])]
    if table:
        story.append(Table(
            [["Recommendation", "Lead agency", "Target date"],
             ["Review the training on risk assessment", "Police", "March 2024"],
             ["Audit referrals to MARAC", "Community Safety Partnership", "June 2024"]],
            style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)])))
    for n in range(2, pages + 1):
        story += [PageBreak(),
                  Paragraph(f"""{n}. {['', '', 'Terms of Reference', 'Chronology', 'Analysis',
                                       'Conclusions'][min(n, 5)]}""",
                            styles["Heading1"]),
                  Paragraph(BODY_2 if n == 2 else BODY_3.replace("3.1", f"{n}.1"),
                            styles["BodyText"])]
    doc.build(story)
    return buf.getvalue()


def encrypted_pdf(source: bytes, *, user_password: str,
                  owner_password: str = "owner-secret") -> bytes:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(source))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def broken_xref_pdf(source: bytes) -> bytes:
    """Same PDF with its cross-reference offsets scrambled (readers must rebuild them)."""
    head, sep, tail = source.rpartition(b"xref")
    lines = tail.split(b"\n")
    scrambled = [b"%010d 00000 n " % (7 * i + 3) if ln.endswith((b" n ", b" n"))
                 else ln for i, ln in enumerate(lines)]
    return head + sep + b"\n".join(scrambled)


def report_docx(*, with_numbering: bool = True) -> bytes:
    d = docx.Document()
    d.core_properties.title = "Synthetic Sample Review: Overview Report"
    d.core_properties.comments = "Synthetic sample - not a real review"
    d.sections[0].header.paragraphs[0].text = f"OFFICIAL - {HEADER}"
    d.sections[0].footer.paragraphs[0].text = "Footer text that must not appear"
    d.add_paragraph("Synthetic Sample Review", style="Title")
    d.add_heading("Introduction", level=1)
    d.add_paragraph(BODY_1)
    if with_numbering:
        d.add_paragraph("The first line of enquiry", style="List Number")
        d.add_paragraph("The second line of enquiry", style="List Number")
    d.add_paragraph("A bulleted point", style="List Bullet")
    p = d.add_paragraph("Text before the page break.")
    p.add_run().add_break(WD_BREAK.PAGE)
    p.add_run("Text after the page break.")
    d.add_heading("Terms of Reference", level=1)
    d.add_heading("Scope of the review", level=2)
    table = d.add_table(rows=3, cols=3)
    for i, row in enumerate([["Recommendation", "Lead agency", "Target date"],
                             ["Review the training on risk assessment", "Police", "March 2024"],
                             ["Audit referrals to MARAC", "Community Safety Partnership",
                              "June 2024"]]):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    d.add_paragraph("OFFICIAL")
    d.add_page_break()
    d.add_heading("Chronology", level=1)
    d.add_paragraph(BODY_3)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def zip_bomb_docx(size_mb: int = 24) -> bytes:
    """A DOCX-shaped zip whose document.xml inflates ~1000:1 to ``size_mb`` MB of spaces."""
    buf = io.BytesIO()
    chunk = b" " * (1024 * 1024)
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            for _ in range(size_mb):
                fh.write(chunk)
    return buf.getvalue()
