"""Legacy Word (.doc, Word 97-2003 binary) extraction: pages, headings, lists and tables.

Registered for format ``doc``. Word 97-2003 files are read in Python (``doc_word97.py``):
paragraphs in order with their style (``heading N`` keeps its level, ``title``, lists), tables
as rows of cells (and one text block per row, like ``docx.py``), pages at page-break
characters and "page break before" paragraphs, headers/footers/footnotes never in the body,
title and other summary properties as metadata. Older or odd files (Word 6/95, structures the
reader does not understand) fall back to the ``antiword`` command (Debian package antiword),
which gives paragraphs without pages or tables. antiword needs a seekable file, so the bytes go
to a private temporary directory under a fixed name (nothing derived from the input is a path).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile

from ingest.doc_word97 import CELL_END, PAGE_BREAK, Encrypted, NotWord97, Paragraph, read_word97
from ingest.errors import ExtractionError, Reason
from ingest.extracted import Block, RawDocument, Table
from ingest.txt import text_blocks

ANTIWORD_TIMEOUT = 120.0
_HEADING = re.compile(r"^heading\s*(\d)$")
_TITLE_NOISE = re.compile(r"^(untitled|title|document\d*|\s*)$|\.(docx?|pdf)$", re.IGNORECASE)

log = logging.getLogger(__name__)


def extract_doc(content: bytes) -> RawDocument:
    try:
        parsed = read_word97(content)
    except Encrypted as exc:
        raise ExtractionError("encrypted", str(exc)) from exc
    except NotWord97 as exc:
        log.info("Word 97 reader declined (%s); using antiword", exc)
        raw = extract_doc_antiword(content)
        raw.meta.setdefault("warnings", []).append(f"read with antiword: {exc}")
        return raw
    return build_from_paragraphs(parsed.paragraphs, parsed.meta)


def build_from_paragraphs(paragraphs: list[Paragraph], meta: dict, *,
                          fmt: str = "doc") -> RawDocument:
    """Pages, blocks and tables from word-processor paragraphs (Word 97 binary or RTF)."""
    return _Builder(fmt).build(paragraphs, meta)


class _Builder:
    """Paragraphs of the main story -> pages of blocks and tables."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.pages: list[list[Block]] = [[]]
        self.tables: list[Table] = []
        self.rows: list[list[str]] = []
        self.cells: list[str] = []
        self.cell_parts: list[str] = []
        self.table_page = 1

    def build(self, paragraphs: list[Paragraph], meta: dict) -> RawDocument:
        for para in paragraphs:
            in_table = para.props.in_table or (para.end == CELL_END)
            if not in_table:
                self._close_table()
            if para.props.page_break_before and self._page_has_text():
                self._new_page()
            if in_table:
                self._cell_paragraph(para)
            else:
                self._paragraph(para)
        self._close_table()
        while len(self.pages) > 1 and not self.pages[-1]:
            self.pages.pop()
        title = (meta.get("title") or "").strip()
        return RawDocument(format=self.fmt, pages=self.pages, tables=self.tables,
                           title=title if title and not _TITLE_NOISE.search(title) else None,
                           meta={k: v for k, v in meta.items() if k != "title"})

    def _page_has_text(self) -> bool:
        return bool(self.pages[-1]) or bool(self.rows) or bool(self.cells)

    def _new_page(self) -> None:
        if self.rows or self.cells:  # a table broken across pages: one table per page
            self._close_table()
        self.pages.append([])

    def _paragraph(self, para: Paragraph) -> None:
        kind, level = _kind(para)
        label = para.label
        if label == "•" and kind == "body":
            kind = "list"
        parts = para.text.split(PAGE_BREAK)
        for i, part in enumerate(parts):
            text = part.strip()
            if text:
                if label:  # the number belongs to the paragraph's first words
                    text, label = f"{label} {text}", ""
                self.pages[-1].append(Block(text=text, kind=kind, level=level))  # type: ignore[arg-type]
            if i < len(parts) - 1:
                self._new_page()

    def _cell_paragraph(self, para: Paragraph) -> None:
        text = para.text.replace(PAGE_BREAK, " ").strip()
        if para.end != CELL_END:
            if text:
                self.cell_parts.append(text)
            return
        if para.props.row_end:
            self._end_row()
            return
        if text:
            self.cell_parts.append(text)
        if not self.rows and not self.cells:
            self.table_page = len(self.pages)
        self.cells.append("\n".join(self.cell_parts))
        self.cell_parts = []

    def _end_row(self) -> None:
        cells, self.cells = self.cells, []
        if any(cells):
            self.rows.append(cells)
            self.pages[-1].append(Block(text=" ".join(c.replace("\n", " ") for c in cells if c),
                                        kind="table"))

    def _close_table(self) -> None:
        if self.cells or self.cell_parts:  # a row whose end mark is missing
            if self.cell_parts:
                self.cells.append("\n".join(self.cell_parts))
                self.cell_parts = []
            self._end_row()
        if self.rows:
            self.tables.append(Table(page=self.table_page, rows=self.rows))
        self.rows = []


def _kind(para: Paragraph) -> tuple[str, int | None]:
    style = para.style
    m = _HEADING.match(style)
    if m:
        return "heading", int(m.group(1))
    if para.props.outline_level is not None and para.props.outline_level < 6:
        return "heading", para.props.outline_level + 1
    if style == "title":
        return "title", None
    if style.startswith(("toc", "contents")):
        return "toc", None
    if style.startswith("list"):
        return "list", None
    return "body", None


def extract_doc_antiword(content: bytes) -> RawDocument:
    """Paragraph text through antiword (no pages, tables as ``|``-separated text)."""
    exe = shutil.which("antiword")
    if exe is None:
        raise ExtractionError("unsupported",
                              "this legacy .doc needs antiword (Debian package antiword)")
    with tempfile.TemporaryDirectory(prefix="dhr-doc-") as tmp:
        path = os.path.join(tmp, "input.doc")
        with open(path, "wb") as fh:
            fh.write(content)
        env = dict(os.environ, ANTIWORDHOME=os.environ.get("ANTIWORDHOME", "/usr/share/antiword"))
        try:
            proc = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", path], capture_output=True,
                                  timeout=ANTIWORD_TIMEOUT, env=env, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError("timeout", "antiword did not finish") from exc
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not proc.stdout.strip():
        lowered = err.lower()
        if "encrypt" in lowered or "password" in lowered:
            raise ExtractionError("encrypted", "the Word document is password-protected")
        first = err.splitlines()[0] if err else f"exit status {proc.returncode}"
        reason: Reason = "empty" if proc.returncode == 0 else "corrupt"
        raise ExtractionError(reason, f"antiword: {first.replace(path, 'input.doc')}")
    text = proc.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    pages = [text_blocks(page) for page in text.split("\f")]
    while len(pages) > 1 and not pages[-1]:
        pages.pop()
    return RawDocument(format="doc", pages=pages)
