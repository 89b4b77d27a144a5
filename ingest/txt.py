"""Plain-text extraction: form feeds separate pages, blank lines separate paragraphs.

Registered for format ``txt``. A page's first and last short lines are marked as edge blocks
so running headers and page numbers in text dumps of reports are cleaned like a PDF's.
"""

from __future__ import annotations

import re

from ingest.detect import decode_text
from ingest.errors import ExtractionError
from ingest.extracted import Block, RawDocument

_PARAGRAPHS = re.compile(r"\n[ \t]*\n+")


def extract_txt(content: bytes) -> RawDocument:
    text = decode_text(content)
    if text is None:
        raise ExtractionError("unsupported", "binary data, not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = [text_blocks(page) for page in text.split("\f")]
    while len(pages) > 1 and not pages[-1]:
        pages.pop()  # a trailing form feed does not start a page
    return RawDocument(format="txt", pages=pages)


def text_blocks(text: str) -> list[Block]:
    """Paragraph blocks of a page of text, with its outer short lines marked as edges."""
    blocks = [Block(text=p.strip("\n")) for p in _PARAGRAPHS.split(text) if p.strip()]
    if len(blocks) >= 2:
        for block, edge in ((blocks[0], "top"), (blocks[-1], "bottom")):
            if "\n" not in block.text and len(block.text) <= 100:
                block.edge, block.edge_rank = edge, 0  # type: ignore[assignment]
    return blocks
