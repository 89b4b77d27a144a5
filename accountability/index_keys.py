"""The search index's recommendation records, stamped with the review recommendation they print.

The index holds one record per recommendation per document (``dhr.search.fields``); the
tracker holds each review recommendation once, with its appearances (document, number, text).
:func:`review_keys` matches the two, document by document: a record is the appearance of the
same document with the same wording (as extraction gave it, which is what the tracker keeps),
else the one appearance of that document with the same number; anything else is left unstamped
(``None``: it is listed on its own). :func:`stamp_index` writes the keys with
:meth:`dhr.search.base.SearchBackend.set_review_recommendations`, so the recommendations
explorer can list each review recommendation once on either backend. Run after every tracker
sync (ingest, nightly, ``dhr tracker sync``): re-indexing a document clears its keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from dhr import corrections as core_corrections
from dhr.document import Document
from dhr.search.base import SearchBackend
from dhr.search.fields import recommendation_records

from .db import read_session
from .matching import normalise_number
from .models import Appearance


def _extracted_texts(doc: Document) -> list[str]:
    """Each recommendation's text as extraction gave it (the tracker's appearances keep that;
    the index shows the corrected text), position for position."""
    corrected = [r.text for r in doc.recommendations]
    if not any(isinstance(c, dict) and c.get("field") in core_corrections.REC_FIELDS
               for c in doc.provenance.get("corrections") or []):
        return corrected
    raw = core_corrections.strip(doc.to_json_dict()).get("recommendations") or []
    if len(raw) != len(corrected):
        return corrected
    return [str(r.get("text") or "") for r in raw]


def _match(records: list[dict[str, Any]], texts: list[str],
           appearances: list[tuple[str | None, str, str]]) -> dict[str, str | None]:
    """{record id: recommendation id or None} for one document's records."""
    out: dict[str, str | None] = {r["id"]: None for r in records}
    left = list(appearances)
    for r, text in zip(records, texts, strict=True):
        for a in left:
            if a[1] == text.strip() or a[1] == (r["text"] or "").strip():
                out[r["id"]] = a[2]
                left.remove(a)
                break
    for r in records:
        if out[r["id"]] is not None:
            continue
        number = normalise_number(r["number"])
        same = [a for a in left if number is not None and normalise_number(a[0]) == number]
        if len(same) == 1:
            out[r["id"]] = same[0][2]
            left.remove(same[0])
    return out


def review_keys(engine: Engine, documents: Iterable[Document]) -> dict[str, str | None]:
    """{index record id: review recommendation id, or None} for these Documents' records."""
    docs = list(documents)
    by_doc: dict[str, list[tuple[str | None, str, str]]] = defaultdict(list)
    ids = [d.id for d in docs]
    with read_session(engine) as s:
        for i in range(0, len(ids), 500):
            for doc_id, number, text, rec_id in s.execute(
                    select(Appearance.document_id, Appearance.number, Appearance.text,
                           Appearance.recommendation_id)
                    .where(Appearance.document_id.in_(ids[i:i + 500]))
                    .order_by(Appearance.id)):
                by_doc[doc_id].append((number, text, rec_id))
    keys: dict[str, str | None] = {}
    for doc in docs:
        records = recommendation_records(doc)
        keys.update(_match(records, _extracted_texts(doc), by_doc.get(doc.id, [])))
    return keys


def stamp_index(engine: Engine, backend: SearchBackend, documents: Iterable[Document], *,
                batch: int = 500) -> dict[str, int]:
    """Stamp the index's records of these Documents; returns counts (records seen, changed)."""
    seen = changed = 0
    chunk: list[Document] = []

    def flush() -> None:
        nonlocal seen, changed
        keys = review_keys(engine, chunk)
        seen += len(keys)
        changed += backend.set_review_recommendations(keys)
        chunk.clear()

    for doc in documents:
        chunk.append(doc)
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    backend.refresh()
    return {"index_records": seen, "index_records_stamped": changed}
