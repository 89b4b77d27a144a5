"""Public entry points: generate a corpus of synthetic DHR files with their ground truth.

Ties the steps together: ``case.make_cases`` -> ``content.write_document`` -> ``paginate`` ->
a renderer per format -> ``truth.build_document``. Each file ``<name>.<ext>`` gets
``<name>.truth.json`` (a valid contract §2 Document) and ``<name>.layout.json`` (page furniture,
table rows, contents pages, layout name, split) side by side. Same arguments, same bytes.
Legacy ``doc`` and ``rtf`` are opt-in (not in ``ALL_FORMATS``, so existing corpora keep their
files): the DOCX rendering converted by LibreOffice in one batch per call (``render_doc.py``);
without LibreOffice those files are skipped with a warning, never faked. An RTF file's truth
says format ``doc``, as its Document will (contract §2 has no RTF).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .blocks import Heading, PageBreak, Toc
from .case import Case, make_cases
from .content import DocContent, write_document
from .paginate import Page, PageStyle, Placed, ReportlabMetrics, paginate, paginate_estimate
from .truth import build_document, build_layout

log = logging.getLogger(__name__)

ALL_FORMATS = ("pdf", "docx", "html", "scanned_pdf", "two_column_pdf")
OPTIONAL_FORMATS = ("doc", "rtf")  # need LibreOffice; only when asked for
CONVERTED = frozenset(OPTIONAL_FORMATS)  # rendered as DOCX, then converted
EXTENSIONS = {"pdf": "pdf", "two_column_pdf": "pdf", "scanned_pdf": "pdf", "docx": "docx",
              "doc": "doc", "rtf": "rtf", "html": "html", "txt": "txt"}
DOC_FORMAT = {"pdf": "pdf", "two_column_pdf": "pdf", "scanned_pdf": "pdf", "docx": "docx",
              "doc": "doc", "rtf": "doc", "html": "html", "txt": "txt"}
SPLIT_STYLES = {
    "train": PageStyle(name="classic"),
    "heldout": PageStyle(name="serif-right", font="Times-Roman", bold="Times-Bold", size=11.0,
                         leading=14.5, header_align="right", footer_align="right",
                         margin_x=70.0),
    # dev: a typical Word document (Times 12 pt, one-inch margins), headers centred.
    "dev": PageStyle(name="word-default", font="Times-Roman", bold="Times-Bold", size=12.0,
                     leading=15.0, margin_x=72.0, margin_top=84.0, table_size=9.0,
                     header_align="center", footer_align="right"),
}


@dataclass(frozen=True)
class SampleFile:
    path: Path
    truth_path: Path
    review_id: str
    doc_type: str
    format: str
    layout: str


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-")


def _style(case: Case, fmt: str, content: DocContent) -> PageStyle:
    base = SPLIT_STYLES[case.split]
    kw: dict[str, Any] = {}
    if fmt == "two_column_pdf":
        kw.update(name=f"{base.name}-two-column", columns=2, size=base.size - 1.0,
                  leading=base.leading - 1.5)
    if content.landscape:
        kw.update(name=f"{kw.get('name', base.name)}-landscape", width=base.height,
                  height=base.width)
    return PageStyle(**{**base.__dict__, **kw}) if kw else base


def _furniture(case: Case, content: DocContent):
    from .render_pdf import Furniture
    v = case.variant
    header = str(v["running_header"]).format(marking=v["marking"], doc_label=content.doc_label,
                                             area=case.area.name, V=case.victim.text)
    return Furniture(str(v["marking"]), header, str(v["footer"]))


def _single_page(blocks) -> Page:
    """All body blocks on one page (HTML), without contents or page breaks."""
    page = Page()
    for b in blocks:
        if isinstance(b, (Toc, PageBreak)) or (isinstance(b, Heading) and not b.in_toc):
            continue
        placed = Placed(b, 0.0)
        if hasattr(b, "rows") and hasattr(b, "columns"):
            placed.rows, placed.header_row = (0, len(b.rows)), True
        page.placed.append(placed)
    return page


def _file_name(case: Case, content: DocContent, fmt: str) -> str:
    return f"{case.review_id}_{_slug(case.area.name)}_{content.doc_type.replace('_', '-')}"


def _render(case: Case, content: DocContent, fmt: str, metrics) -> tuple[bytes, list[Page], str]:
    """(file bytes, pages as the truth sees them, layout name)."""
    if fmt == "html":
        from .render_html import render_html
        data = render_html(content.blocks, title=content.title, area=case.area.name,
                           site_note="Synthetic sample website - not a real council.")
        return data, [_single_page(content.blocks)], "council-web-page"
    style = _style(case, fmt if fmt != "scanned_pdf" else "pdf", content)
    if fmt == "txt":
        pages = paginate_estimate(content.blocks)
        return "\f".join(p.text() for p in pages).encode("utf-8") + b"\n", pages, "plain-text"
    pages = paginate(
        content.blocks, style, metrics, split=fmt in ("pdf", "two_column_pdf", "scanned_pdf")
    )
    furniture = _furniture(case, content)
    if fmt == "docx" or fmt in CONVERTED:  # doc/rtf: these DOCX bytes, converted later in a batch
        from .render_docx import render_docx
        return (render_docx(pages, style, furniture, title=content.title), pages,
                f"{style.name}-{fmt}")
    from .render_pdf import render_pdf
    data = render_pdf(pages, style, furniture, title=content.title)
    if fmt == "scanned_pdf":
        from .render_scanned import render_scanned
        data = render_scanned(data, title=content.title,
                              seed=f"{case.review_id}:{content.doc_type}")
        return data, pages, f"{style.name}-scanned"
    return data, pages, style.name


def _write_json(path: Path, obj: Any, *, compact: bool = False) -> None:
    # Compact output uses json's C encoder (text_only corpora are large); indented is for people.
    text = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) if compact
            else json.dumps(obj, ensure_ascii=False, indent=1))
    path.write_text(text + "\n", encoding="utf-8")


def generate_review(out_dir: Path, *, seed: int = 1, index: int = 0, split: str = "train",
                    formats: tuple[str, ...] = ALL_FORMATS, text_only: bool = False,
                    case: Case | None = None,
                    doc_batch: DocBatch | None = None) -> list[SampleFile]:
    """Write every document of review number ``index`` of the (seed, split) stream. With
    ``doc_batch``, ``doc``/``rtf`` files (and their truth) are written by ``doc_batch.flush()``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    case = case or make_cases(seed, index + 1, split)[index]
    for f in formats:
        if f not in EXTENSIONS:
            raise ValueError(f"unknown format {f!r}: expected some of "
                             f"{', '.join(ALL_FORMATS + OPTIONAL_FORMATS)}, txt")
    batch = doc_batch if doc_batch is not None else DocBatch()
    metrics = ReportlabMetrics() if not text_only else None
    out: list[SampleFile] = []
    for j, doc_type in enumerate(case.doc_types):
        content = write_document(case, doc_type)
        fmt = "txt" if text_only else formats[(case.index * 3 + j) % len(formats)]
        if fmt in CONVERTED and batch.skip():
            continue
        data, pages, layout = _render(case, content, fmt, metrics)
        name = _file_name(case, content, fmt)
        path = out_dir / f"{name}.{EXTENSIONS[fmt]}"
        job = _Job(case, content, fmt, pages, layout, path, out_dir / f"{name}.truth.json",
                   text_only)
        if fmt in CONVERTED:
            batch.add(job, data)
        else:
            job.write(data)
        out.append(SampleFile(path, job.truth_path, case.review_id, doc_type, fmt, layout))
    if doc_batch is None:
        batch.flush()
    return out


@dataclass
class _Job:
    """One rendered file waiting for its bytes to be written with its truth and layout."""

    case: Case
    content: DocContent
    fmt: str
    pages: list[Page]
    layout: str
    path: Path
    truth_path: Path
    text_only: bool

    def write(self, data: bytes) -> None:
        case, content, fmt, pages = self.case, self.content, self.fmt, self.pages
        self.path.write_bytes(data)
        texts = [p.text(markers=fmt not in ("docx", "html") and fmt not in CONVERTED,
                        html_lists=fmt == "html") for p in pages]
        doc = build_document(case, content, pages, doc_id=hashlib.sha256(data).hexdigest(),
                             filename=self.path.name, fmt=DOC_FORMAT[fmt], ocr=fmt == "scanned_pdf",
                             texts=texts)
        _write_json(self.truth_path, doc, compact=self.text_only)
        if not self.text_only:
            furn = _furniture(case, content) if fmt not in ("html",) else None
            _write_json(self.path.with_suffix(".layout.json"), build_layout(
                case, content, pages, fmt=fmt, layout=self.layout,
                marking=furn.marking if furn else "", header=furn.header if furn else "",
                footer=furn.footer if furn else ""))


class DocBatch:
    """DOCX renderings waiting for one LibreOffice run per target that turns them into ``.doc``
or ``.rtf``."""

    def __init__(self) -> None:
        self.jobs: list[tuple[_Job, bytes]] = []
        self._missing: str | None | bool = False  # False = not checked yet

    def skip(self) -> bool:
        if self._missing is False:
            from .render_doc import doc_writer_missing
            self._missing = doc_writer_missing()
            if self._missing:
                log.warning("%s", self._missing)
        return bool(self._missing)

    def add(self, job: _Job, docx: bytes) -> None:
        self.jobs.append((job, docx))

    def flush(self) -> None:
        if not self.jobs:
            return
        from .render_doc import docx_to_doc
        for target in sorted({job.fmt for job, _ in self.jobs}):
            jobs = [(i, job, docx) for i, (job, docx) in enumerate(self.jobs) if job.fmt == target]
            converted = docx_to_doc({str(i): docx for i, _, docx in jobs}, target=target)
            for i, job, _ in jobs:
                job.write(converted[str(i)])
        self.jobs = []


def generate_corpus(out_dir: Path, *, seed: int = 1, n_reviews: int = 20, split: str = "train",
                    formats: tuple[str, ...] = ALL_FORMATS, text_only: bool = False,
                    doc_batch: DocBatch | None = None) -> list[SampleFile]:
    """Write ``n_reviews`` reviews (about 2.5 documents each) with truth files into ``out_dir``.
    With ``doc_batch``, ``doc``/``rtf`` files are written by ``doc_batch.flush()``."""
    out: list[SampleFile] = []
    batch = doc_batch if doc_batch is not None else DocBatch()
    for case in make_cases(seed, n_reviews, split):
        out.extend(generate_review(out_dir, seed=seed, index=case.index, split=split,
                                   formats=formats, text_only=text_only, case=case,
                                   doc_batch=batch))
    if doc_batch is None:
        batch.flush()
    return out
