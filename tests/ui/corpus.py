"""The corpus the web UI tests browse: generated synthetic reports, stored and indexed for real.

``samples.reports.generate_corpus`` writes report files (PDF, DOCX, HTML) with their
ground-truth Documents. Each file goes into a real :class:`dhr.store.CorpusStore` with a
sighting at a (never fetched) publication URL, as the crawler would record it; one file is then
marked withdrawn. The Documents are merged with their sightings by the pipeline's own
``ingest.merge.merge_document`` (source, review_key, values only the site states, one
disagreement between site and text), and the page
each review value was read from comes from the real understanding step
(``understanding.understand.understand_text``), kept only where it agrees with the truth. All people
and events are invented.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dhr.document import Document
from dhr.store import CorpusStore
from ingest.merge import merge_document

SEED = 11
N_REVIEWS = 9
FORMATS = ("pdf", "docx", "html")
SITE = "https://reviews.example.org/dhr/"
FIRST_SEEN, LAST_SEEN = "2024-03-01T10:00:00+00:00", "2025-01-15T09:30:00+00:00"


@dataclass(frozen=True)
class UiCorpus:
    docs: list[Document]
    withdrawn_id: str  # a file whose publication URL went offline
    store: CorpusStore
    urls: dict[str, str]  # document id -> the URL it was published at
    disputed_id: str  # a file whose publishing page gives another review type than its text


def _review_pages(doc: Document) -> dict[str, int]:
    from understanding.understand import understand_text

    found = understand_text(doc.pages, title=doc.title)
    truth = doc.review.model_dump(mode="json")
    pages: dict[str, int] = {}
    for field, page in found["review_pages"].items():
        head, _, tail = field.partition(".")
        want = truth.get(head) if not tail else (truth.get(head) or {}).get(tail)
        got = found["review"].get(head) if not tail else (found["review"].get(head) or {}).get(tail)
        if field == "chair":
            want, got = ((truth["chair"] or {}).get("name"),
                         (found["review"]["chair"] or {}).get("name"))
        if want is not None and want == got:
            pages[field] = page
    return pages


def build_ui_corpus(files_dir: Path, data_dir: Path) -> UiCorpus:
    from samples.reports import generate_corpus

    generate_corpus(files_dir, seed=SEED, n_reviews=N_REVIEWS, formats=FORMATS)
    store = CorpusStore(data_dir)
    docs: list[Document] = []
    files: dict[str, Path] = {}
    for truth in sorted(files_dir.rglob("*.truth.json")):
        stem = truth.name[: -len(".truth.json")]
        found = [p for p in truth.parent.glob(stem + ".*") if not p.name.endswith(".json")]
        assert len(found) == 1, f"{truth}: expected one report file, found {found}"
        doc = Document.model_validate(json.loads(truth.read_text(encoding="utf-8")))
        put = store.put(found[0].read_bytes(), ext=found[0].suffix.lstrip("."),
                        filename=doc.filename or found[0].name)
        assert put.sha256 == doc.id, f"{found[0]}: truth id is not the file's sha256"
        pages = _review_pages(doc)
        if pages:
            doc = doc.model_copy(update={"provenance": {**doc.provenance, "review": pages}})
        docs.append(doc)
        files[doc.id] = found[0]
    # Each file's page on the publishing site states its review (area, pseudonym, date of
    # death), as a library card does; short documents (action plans, letters) often do not.
    dates = {(d.review.area, d.review.pseudonym): d.review.date_of_death
             for d in docs if d.review.date_of_death}
    disputed = next(d for d in docs if d.review.review_type == "intimate_partner")
    urls: dict[str, str] = {}
    for doc in docs:
        urls[doc.id] = SITE + files[doc.id].name
        card = {"area": doc.review.area, "pseudonym": doc.review.pseudonym,
                "date_of_death": dates.get((doc.review.area, doc.review.pseudonym))}
        if doc.id == disputed.id:
            card["review_type"] = "adult_family"
        for seen_at in (FIRST_SEEN, LAST_SEEN):
            store.record_sighting(urls[doc.id], doc.id, source="example-council", seen_at=seen_at,
                                  metadata={k: v for k, v in card.items() if v})
    withdrawn = next(d for d in docs if d.doc_type == "overview_report" and d.format == "pdf")
    store.mark_offline(urls[withdrawn.id], http_status=404)
    merged = [merge_document(d, store.sightings_of(d.id)) for d in docs]
    return UiCorpus(merged, withdrawn.id, store, urls, disputed.id)
