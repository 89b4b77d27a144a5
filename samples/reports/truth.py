"""Ground truth for one generated file: the Document JSON a perfect extractor would produce.

Last step of the generator, run after pagination and rendering: reads the placed blocks of each
page to build the contract §2 Document (clean page text without running headers, footers, page
numbers or markings; sections; recommendations with pages; themes with evidence; agencies with
mention counts) plus a ``.layout.json`` with what the Document has no field for (the page
furniture, table rows, table-of-contents pages).

Definitions a scorer should know: a theme mention is one sentence the generator placed to
express that theme (analysis, lessons, findings, recommendations), never boilerplate such as the
statutory purposes or terms of reference; an agency mention is one occurrence of the agency's
surface name (as listed in ``agencies[].name``) in the page text; ``review`` holds only what the
document itself states (region follows from the area); page text joins blocks with newlines and
does not hard-wrap paragraphs, so compare it with whitespace collapsed.
"""

from __future__ import annotations

from typing import Any

from dhr.document import SCHEMA_ID

from .blocks import Heading, Item, Para, Rec, Table, Toc
from .case import Case
from .content import DocContent
from .owners import owner_layout
from .paginate import Page
from .writer import bare_name

EXTRACTOR_VERSION = "synthetic-truth/1"
MAX_EVIDENCE = 3


def page_texts(pages: list[Page]) -> list[str]:
    return [p.text() for p in pages]


def build_document(case: Case, content: DocContent, pages: list[Page], *, doc_id: str,
                   filename: str, fmt: str, ocr: bool = False,
                   texts: list[str] | None = None) -> dict[str, Any]:
    texts = texts if texts is not None else page_texts(pages)
    sections: list[dict[str, Any]] = []
    recs: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    theme_hits: dict[str, list[tuple[int, str]]] = {}
    for n, page in enumerate(pages, start=1):
        for placed in page.placed:
            b = placed.block
            if isinstance(b, Heading) and b.in_toc:
                sections.append({"title": b.title, "number": b.number, "page": n, "level": b.level})
            elif isinstance(b, (Para, Item)):
                for theme, sentence in b.tags:
                    theme_hits.setdefault(theme, []).append((n, sentence))
            elif isinstance(b, Rec) and not placed.continues:   # an entry is on the page it starts
                recs.append({**b.rec, "page": n})
                for theme in b.rec["themes"]:
                    theme_hits.setdefault(theme, []).append((n, b.text))
            elif isinstance(b, Table) and (b.recs or b.actions) and placed.rows:
                for i in range(*placed.rows):
                    if i == placed.rows[0] and placed.continues:   # a row is on the page it starts
                        continue
                    if i in b.actions:
                        actions.append({**b.actions[i], "page": n})
                    if i in b.recs:
                        recs.append({**b.recs[i], "page": n})
                        for theme in b.recs[i]["themes"]:
                            theme_hits.setdefault(theme, []).append((n, b.recs[i]["text"]))
    themes = [{"id": t, "mentions": len(hits),
               "evidence": [{"page": p, "text": s} for p, s in hits[:MAX_EVIDENCE]]}
              for t, hits in sorted(theme_hits.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    return {
        "schema": SCHEMA_ID,
        "id": doc_id,
        "filename": filename,
        "format": fmt,
        "extractor_version": EXTRACTOR_VERSION,
        "page_count": len(texts),
        "ocr_pages": list(range(1, len(texts) + 1)) if ocr else [],
        "doc_type": content.doc_type,
        "title": content.title,
        "review": content.review,
        "agencies": count_agencies(case, texts),
        "themes": themes,
        "recommendations": recs,
        "actions": actions,
        "sections": sections,
        "pages": texts,
        "source": None,
        "review_key": None,
        # How the generator printed owners and numbering (scorers group recommendations by it).
        "provenance": {"sample_owner_patterns": owner_layout(case)},
    }


def count_agencies(case: Case, texts: list[str]) -> list[dict[str, Any]]:
    """Agencies named in the text: surface name, whole-word mentions and first page."""
    out: list[dict[str, Any]] = []
    joined = "\f".join(texts)
    for aid, display in case.agency_names.items():
        name = bare_name(display)
        if name not in joined:   # fast reject; most of the 25 names are absent
            continue
        total, first = 0, None
        for n, t in enumerate(texts, start=1):
            k = _count_words(t, name)
            if k:
                total += k
                first = first or n
        if total:
            out.append({"id": aid, "name": name, "mentions": total, "page": first})
    out.sort(key=lambda a: (-a["mentions"], a["id"]))
    return out


def _count_words(text: str, name: str) -> int:
    """Occurrences of ``name`` not inside a longer word (str.find is much faster than a regex)."""
    k, i, n = 0, text.find(name), len(name)
    while i >= 0:
        before = text[i - 1] if i else " "
        after = text[i + n] if i + n < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            k += 1
        i = text.find(name, i + n)
    return k


def build_layout(case: Case, content: DocContent, pages: list[Page], *, fmt: str, layout: str,
                 marking: str, header: str, footer: str) -> dict[str, Any]:
    tables = []
    toc_pages = []
    split_entries: list[dict[str, Any]] = []
    for n, page in enumerate(pages, start=1):
        for placed in page.placed:
            b = placed.block
            if isinstance(b, Table) and placed.rows:
                rows = ([b.columns] if placed.header_row else []) + placed.table_rows()
                # continues: the first row is the rest of the last row of the page before
                tables.append({"page": n, "rows": rows, "header_row": placed.header_row,
                               "continues": placed.continues})
            if isinstance(b, Rec) and placed.continues:   # an entry carried on over the page
                split_entries.append({"page": n, "prefix": b.prefix, "text": b.text})
            if isinstance(b, Toc):
                toc_pages.append(n)
    return {
        "review_id": case.review_id,
        "split": case.split,
        "format": fmt,
        "layout": layout,
        "marking": marking or None,
        "running_header": header or None,
        "running_footer": footer or None,
        "toc_pages": toc_pages,
        "tables": tables,
        "split_entries": split_entries,
        "synthetic": True,
    }
