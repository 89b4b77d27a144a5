"""Takedown in the core: what an admin suppressed is never indexed, served or re-published.

The tracker (``accountability/takedown.py``) keeps who suppressed what, why and when, and the
audit entry; this module applies a suppression where every public answer comes from: the
store's ``withheld`` table (files, a review's ``review_key``, the URLs that served them) and
the search index of whichever backend is configured (the documents and their recommendations
are deleted from it, so search, facet counts, stats, similar documents and exports no longer
see them). Nothing is deleted from the store: the file, its extracted versions and its
sightings stay, and :func:`release` indexes the documents again.

Every writer of the index goes through :func:`publishable` (``orchestration/pipeline.py``: ingest,
nightly, ``dhr index --rebuild``), so a suppressed document found again by the crawler (same
bytes, or a new version at the same URL) or re-extracted by a new extractor stays out.

:func:`erase` is the hard deletion a legal order asks for: the file's bytes and extracted
Documents go, a tombstone keeps its sha256, URLs and the reason so it is never fetched or stored
again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .document import Document
from .search.base import SearchBackend
from .store import CorpusStore


@dataclass
class Withheld:
    """What one suppression covers, resolved against the store."""

    sha256s: list[str] = field(default_factory=list)
    review_keys: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


def publishable(store: CorpusStore, docs: Iterable[Document | None]) -> list[Document]:
    """The Documents the public may see: not withheld, nor of a withheld review.

    A document newly found to belong to a withheld review (a new version, a regrouping) is
    withheld too, under the same suppression, so later runs skip it without reading it."""
    keys = store.withheld_review_keys()
    out: list[Document] = []
    for doc in docs:
        if doc is None:
            continue
        if doc.review_key and doc.review_key in keys:
            _inherit_review(store, doc)
            continue
        if store.is_withheld(doc.id):
            continue
        out.append(doc)
    return out


def withdraw_late(store: CorpusStore, backend: SearchBackend, docs: list[Document]) -> set[str]:
    """After indexing ``docs``: remove again any that an admin suppressed meanwhile (between
    :func:`publishable` and the write), and return their ids so they are not recorded as
    indexed. Suppression withholds in the store before it deletes from the index, so one of the
    two always sees the other."""
    late = store.withheld_among([(d.id, d.review_key) for d in docs])
    if late:
        backend.delete_documents(sorted(late), refresh=True)
    return late


def _inherit_review(store: CorpusStore, doc: Document) -> None:
    for suppression in store.suppressions_of_review(doc.review_key or ""):
        store.withhold(suppression, sha256s=[doc.id])


def resolve(store: CorpusStore, *, document: str | None = None,
            review_key: str | None = None, versions: bool = False) -> Withheld:
    """The files, review keys and URLs a suppression of ``document`` or ``review_key`` covers:
    a review covers every current document with that key; with ``versions`` (hard deletion)
    every other version its URLs served too."""
    found = Withheld()
    if document:
        found.sha256s.append(document)
    if review_key:
        found.review_keys.append(review_key)
        found.sha256s += [d.id for d in store.documents() if d.review_key == review_key
                          and d.id not in found.sha256s]
    for sha in found.sha256s:
        for seen in store.sightings_of(sha):
            if seen["url"] not in found.urls:
                found.urls.append(seen["url"])
    if versions:
        found.sha256s += [s for s in store.versions_at(found.urls) if s not in found.sha256s]
    return found


def withhold(store: CorpusStore, backend: SearchBackend, suppression: str,
             what: Withheld) -> int:
    """Withhold in the store, then delete from the index at once (refreshed, so the next
    search no longer finds it). Returns how many indexed documents were removed."""
    store.withhold(suppression, sha256s=what.sha256s, review_keys=what.review_keys,
                   urls=what.urls)
    return backend.delete_documents(what.sha256s, refresh=True)


def release(store: CorpusStore, backend: SearchBackend, suppression: str) -> int:
    """End a suppression and index its documents again (those nothing else withholds).
    Returns how many were indexed."""
    shas = store.release(suppression)
    docs = publishable(store, (store.get_document(s) for s in shas))
    if not docs:
        return 0
    report = backend.index_documents(docs, refresh=True)
    bad = {f["id"] for f in report.failed}
    for d in docs:
        if d.id not in bad:
            store.mark_indexed([d.id], backend.name, d.extractor_version)
    backend.refresh()
    return len(docs) - len(bad)


def erase(store: CorpusStore, backend: SearchBackend, suppression: str, reason: str,
          what: Withheld) -> int:
    """Hard deletion (a legal order): tombstone, remove from the index, erase the bytes and
    extracted Documents. The files stay withheld. Returns how many files were erased."""
    store.withhold(suppression, sha256s=what.sha256s, review_keys=what.review_keys,
                   urls=what.urls)
    store.tombstone(suppression, reason, sha256s=what.sha256s, urls=what.urls)
    backend.delete_documents(what.sha256s, refresh=True)
    return sum(store.erase_file(s) for s in what.sha256s)
