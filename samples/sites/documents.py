"""Small, real report files for the fixture websites: PDF (text layer), DOCX, ODT and RTF.

Every file says in its metadata and its first line that it is a synthetic sample describing no real
person. The PDF writer is a few lines of standard PDF (Helvetica text, one content stream per page)
so that a thousand files for the crawl benchmark take a fraction of a second; ingestion tests use
the richer corpus from ``samples.reports``.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

SYNTHETIC_NOTE = ("Synthetic sample document generated for software testing. It describes no real"
                  " person, death or review.")

_BODY = [
    "1. Introduction",
    "This overview report sets out the work of the review panel and the learning identified.",
    "2. Terms of reference",
    "The panel agreed terms of reference covering contact with agencies in the period reviewed.",
    "3. Involvement of family and friends",
    "The chair wrote to the family, who were invited to contribute to the review.",
    "4. Analysis",
    "Agencies had contact on several occasions; information was not always shared.",
    "5. Recommendations",
    "Recommendation 1: The Community Safety Partnership should review information sharing.",
    "Recommendation 2: GP practices should adopt routine enquiry about domestic abuse.",
]


def report_lines(title: str, area: str, pseudonym: str, *, filler_paragraphs: int = 0) -> list[str]:
    lines = [title, f"{area} Community Safety Partnership", f"Review concerning '{pseudonym}'",
             SYNTHETIC_NOTE, ""] + _BODY
    for i in range(filler_paragraphs):
        lines += [(f"Appendix paragraph {i + 1}: chronology entry summarising agency contact with"
                  f" {pseudonym}; the panel considered what was known and what could have been "
                  "done.")]
    return lines


def _pdf_text(s: str) -> str:
    s = s.encode("latin-1", "replace").decode("latin-1")
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(lines: list[str], *, title: str, lines_per_page: int = 48) -> bytes:
    """A valid multi-page PDF with a real text layer and an Info dictionary."""
    pages = [lines[i:i + lines_per_page] for i in range(0, max(len(lines), 1),
                                                        lines_per_page)] or [[]]
    objects: list[bytes] = []

    def add(body: str | bytes) -> int:
        objects.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objects)

    catalog = add("")  # placeholders, filled once the page ids are known
    pages_id = add("")
    font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    page_ids = []
    for page in pages:
        ops = ["BT", "/F1 10 Tf", "14 TL", "56 790 Td"]
        ops += [f"({_pdf_text(line)}) Tj T*" for line in page]
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1", "replace")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 595 842]"
                            f" /Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R "
                            ">>"))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()
    info = add(f"<< /Title ({_pdf_text(title)}) /Subject ({_pdf_text(SYNTHETIC_NOTE)})"
               " /Producer (dhr-repository samples.sites) >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, catalog, info, xref))
    return out.getvalue()


def make_docx(lines: list[str], *, title: str) -> bytes:
    import datetime

    from docx import Document

    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.comments = SYNTHETIC_NOTE
    doc.core_properties.author = "dhr-repository samples"
    fixed = datetime.datetime(2024, 1, 1)
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    doc.add_heading(lines[0] if lines else title, level=1)
    for line in lines[1:]:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def make_odt(lines: list[str], *, title: str) -> bytes:
    paras = "".join(f"<text:p>{escape(line)}</text:p>" for line in lines)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{paras}</office:text></office:body></office:document-content>")
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"><office:meta>'
        f"<dc:title>{escape(title)}</dc:title><dc:description>{escape(SYNTHETIC_NOTE)}"
        "</dc:description></office:meta></office:document-meta>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        'vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        def put(name: str, data: str, method: int = zipfile.ZIP_DEFLATED) -> None:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            zf.writestr(info, data)
        put("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        put("content.xml", content)
        put("meta.xml", meta)
        put("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def make_rtf(lines: list[str], *, title: str) -> bytes:
    def esc(s: str) -> str:
        s = s.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
        return "".join(c if ord(c) < 128 else f"\\u{ord(c)}?" for c in s)

    body = "\\par\n".join(esc(line) for line in lines)
    return (f"{{\\rtf1\\ansi\\deff0{{\\fonttbl{{\\f0 Helvetica;}}}}"
            f"{{\\info{{\\title {esc(title)}}}{{\\doccomm {esc(SYNTHETIC_NOTE)}}}}}\n"
            f"\\f0\\fs20 {body}\\par\n}}").encode("ascii")


MAKERS = {"pdf": make_pdf, "docx": make_docx, "odt": make_odt, "rtf": make_rtf}


def make_report(fmt: str, *, title: str, area: str, pseudonym: str,
                filler_paragraphs: int = 0) -> bytes:
    lines = report_lines(title, area, pseudonym, filler_paragraphs=filler_paragraphs)
    return MAKERS[fmt](lines, title=title)
