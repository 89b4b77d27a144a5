"""Which extractor reads which format.

``extract.py`` detects the format of the bytes (``detect.py``) and asks this registry for the
function that turns them into a ``RawDocument``. Adding a format is one line here and one module.
Modules are imported lazily so a worker only loads what its file needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ingest.extracted import RawDocument

Extractor = Callable[[bytes], RawDocument]

EXTRACTORS: dict[str, tuple[str, str]] = {
    "pdf": ("ingest.pdf", "extract_pdf"),
    "docx": ("ingest.docx", "extract_docx"),
    "doc": ("ingest.doc", "extract_doc"),
    "rtf": ("ingest.rtf", "extract_rtf"),  # Document format "doc": contract §2 has no RTF
    "html": ("ingest.html", "extract_html"),
    "txt": ("ingest.txt", "extract_txt"),
}


def extractor_for(fmt: str) -> Extractor | None:
    entry = EXTRACTORS.get(fmt)
    if entry is None:
        return None
    module, name = entry
    return getattr(importlib.import_module(module), name)
