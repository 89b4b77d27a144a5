"""Deterministic synthetic Domestic Homicide Review reports with ground truth.

``generate_corpus(out_dir, seed=, n_reviews=, split=, formats=, text_only=)`` writes report files
(text PDF, scanned PDF, two-column PDF, DOCX, council web page; on request legacy Word ``.doc``
and RTF through LibreOffice; or plain text when ``text_only``) and a ``.truth.json`` Document
(contract §2) plus ``.layout.json`` per file.
``generate_documents(n, seed)`` yields Document dicts quickly for index benchmarks. Every file
says it is a synthetic sample; no real person or report is described. Wording lives in
``data/*.yaml``; the train and heldout splits use disjoint phrasing and layout variants.
"""

from .bulk import generate_documents
from .corpus import (
           ALL_FORMATS,
           OPTIONAL_FORMATS,
           DocBatch,
           SampleFile,
           generate_corpus,
           generate_review,
)

__all__ = ["ALL_FORMATS", "OPTIONAL_FORMATS", "DocBatch", "SampleFile", "generate_corpus",
           "generate_documents", "generate_review"]
