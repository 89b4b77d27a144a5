"""Enrichment at indexing time: Documents carry their review's DHRD tags into the index.

The stored Document never holds them (they live in the enrichment store); the indexer wraps
each Document as an :class:`EnrichedDocument`, whose ``enrichment`` field is left out of the
Document JSON but read by :func:`dhr.search.fields.document_record` as facet values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import Field

from ..document import Document
from .dhrd import DHRD_FACETS
from .store import DhrdTags, EnrichmentStore


class EnrichedDocument(Document):
    enrichment: dict[str, list[str]] = Field(default_factory=dict, exclude=True)


def enrichment_values(doc: Document) -> dict[str, list[str]]:
    """Facet name -> values for every DHRD facet (empty lists when the review has none)."""
    extra = getattr(doc, "enrichment", None) or {}
    return {name: list(extra.get(name) or []) for name in DHRD_FACETS}


def with_tags(doc: Document, tags: DhrdTags | None) -> Document:
    if tags is None:
        return doc
    enriched = EnrichedDocument.model_construct(**dict(doc), enrichment=dict(tags.tags))
    return enriched


def enrich(docs: Iterable[Document], data_dir: str | Path) -> Iterator[Document]:
    """The Documents, each with its review's DHRD tags when the enrichment store has any."""
    store = EnrichmentStore(data_dir)
    if not store.exists():
        yield from docs
        return
    try:
        by_review = store.tags_by_review()
    finally:
        store.close()
    for doc in docs:
        yield with_tags(doc, by_review.get(doc.review_key or doc.id))
