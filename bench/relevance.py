"""Search relevance: researcher queries over generated reviews, graded truth, nDCG@10 and recall@20.

The collection is the generator's ``heldout`` split with a seed no test uses (reviews the project
has not seen: other wordings, other names), plus a few non-review documents written here that
talk about the same subjects densely: a multi-agency protocol, a leaflet, a partnership annual
report and two one-page thematic reports. Every document says it is synthetic.

Truth, per query (each query names the themes, or abuse types, it is about):
- 3: a review document that is about the subject (the generator placed the theme's sentences in
  it) and recommends on it (one of its recommendations carries the theme);
- 2: a review document about the subject, without a recommendation on it, or one that
  recommends on it without being about it (a review of economic abuse that recommends training
  on coercive control, for the query ``coercive control``);
- 1: a review document that only mentions the query's words (a passing mention);
- 0: anything else, and every non-review document (``doc_type`` ``other``).

nDCG@10 uses gain 2^grade - 1 and the ideal ordering of all judged documents; recall@20 is the
share of documents graded 2 or 3 found in the first 20 (out of at most 20). The queries are split
in two halves: ``tuning`` (looked at while choosing the ranking) and ``held back`` (not looked
at), reported separately so that a ranking tuned to the first half shows it on the second.

The indexed Documents are the generator's truth (as in ``bench.search``): titles, sections,
recommendations, themes and abuse types as a perfect extractor would find them. ``--bare``
indexes the same documents without any of that (pages, doc_type and review facts only), the
floor for an extractor that finds no structure: ranking then rests on the full text, the words
typed together and the prior.

    python -m bench.relevance [--review-docs N] [--half tuning|held|both] [--bare]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import re
import statistics
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dhr.document import Document
from dhr.query import tokenize
from dhr.search.base import DocumentRequest

from .common import print_table

SEED = 2026          # not used by any test corpus
SPLIT = "heldout"    # wordings the tuning never saw in training data
REVIEW_DOCS = 150    # every one written from scratch (the generator's pool size)
NON_REVIEW = "other"


@dataclass(frozen=True)
class Query:
    q: str
    themes: tuple[str, ...] = ()
    abuse: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()   # recommendation words that count as recommending on it


# Researcher queries. Even positions are the tuning half, odd positions the held-back half.
QUERIES: list[Query] = [
    Query("risk assessment", ("risk_assessment",)),
    Query("information sharing", ("information_sharing",)),
    Query("coercive control", abuse=("coercive_control",), signals=("coercive", "controlling")),
    Query("marac referral", ("marac_mappa",)),
    Query("multi agency working", ("multi_agency_working",)),
    Query("domestic abuse training", ("training_awareness",)),
    Query("professional curiosity", ("professional_curiosity",)),
    Query("mental health assessment", ("mental_health",)),
    Query("alcohol", ("alcohol",)),
    Query("substance misuse alcohol", ("alcohol", "drugs")),
    Query("suicide self harm", ("suicide_self_harm",)),
    Query("older people dementia", ("older_people",)),
    Query("children safeguarding", ("children",)),
    Query("housing homelessness", ("housing",)),
    Query("learning disability", ("disability_neurodiversity",)),
    Query("interpreter language", ("equality_diversity",)),
    Query("carer assessment", ("carers",)),
    Query("perpetrator programme", ("perpetrator_management",)),
    Query("record keeping", ("record_keeping",)),
    Query("idva", ("specialist_services",)),
    Query("strangulation", ("strangulation",)),
    Query("adult children abuse of parents", ("adult_family_violence",)),
    Query("covid lockdown", ("covid19",)),
    Query("drug use", ("drugs",)),
    Query("routine enquiry", ("professional_curiosity",)),
    Query("clare's law disclosure", ("perpetrator_management",)),
    Query("dash risk checklist", ("risk_assessment",)),
    Query("economic abuse", abuse=("economic_abuse",), signals=("economic", "financial")),
]


def halves() -> dict[str, list[Query]]:
    return {"tuning": QUERIES[0::2], "held back": QUERIES[1::2]}


# -- the collection ----------------------------------------------------------------------------
SYNTHETIC = "Synthetic sample - not a real document. All names are invented."

NON_REVIEW_TEXTS: dict[str, list[str]] = {
    "Learning from Domestic Homicide Reviews: risk assessment and information sharing "
    "(thematic briefing)": [
        (f"{SYNTHETIC}\nThematic briefing: risk assessment and information sharing. This one-page "
        "briefing draws together themes on risk assessment and information sharing. Risk "
        "assessment should be dynamic: a risk assessment is repeated when circumstances change. "
        "Information sharing between agencies is lawful where it protects a person from serious "
        "harm, and information sharing agreements should say so. Practitioners should use the "
        "DASH risk assessment checklist, refer to MARAC, and record information sharing "
        "decisions. Risk assessment and information sharing remain the most frequent learning "
        "themes. Coercive control, controlling behaviour and professional curiosity are also "
        "discussed in the full thematic report.")],
    "Substance misuse, alcohol and mental health: a one-page thematic summary": [
        (f"{SYNTHETIC}\nThis summary brings together learning about substance misuse, alcohol and "
        "mental health. Alcohol and drug use, substance misuse and mental health problems are "
        "present in many reviews. Alcohol misuse does not cause abuse. Substance misuse services "
        "and mental health services should ask about domestic abuse. Drug use, alcohol use and "
        "self harm are recorded together. Older people, carers and housing are covered in other "
        "summaries. Training on coercive control and routine enquiry is available.")],
    "Multi-agency information sharing protocol for domestic abuse": [
        (f"{SYNTHETIC}\n1. Purpose. This protocol sets out how partner agencies share information "
        "about domestic abuse. Information sharing is governed by the Data Protection Act 2018. "
        "Each agency names an information sharing lead. Information may be shared without "
        "consent where there is a risk of serious harm."),
        ("2. Risk assessment. Agencies use the DASH risk identification checklist. A risk "
        "assessment graded high risk leads to a MARAC referral. Risk assessment is repeated "
        "after each incident. The IDVA service receives every high risk referral. Multi agency "
        "working is coordinated through the MASH and the MARAC."),
        ("3. Records. Record keeping standards: each agency records what was shared, with whom "
        "and why. Training on this protocol is part of domestic abuse training for all staff. "
        "Children, housing, mental health and substance misuse services are signatories."),
        "4. Review. This protocol is reviewed every two years by the partnership."],
    "Worried about someone? Domestic abuse help and support (leaflet)": [
        (f"{SYNTHETIC}\nDomestic abuse is not only physical violence. Coercive control is a "
        "pattern of controlling behaviour: checking your phone, controlling money (economic "
        "abuse), stopping you seeing friends. Strangulation or choking is a sign of high risk. "
        "An IDVA (independent domestic violence advisor) can help with safety planning, housing "
        "and a MARAC referral. Clare's Law lets you ask the police about a partner's past "
        "(domestic violence disclosure scheme). If you are a carer or an older person, or you "
        "have a learning disability, help is available. An interpreter can be arranged in "
        "your language. Call 999 in an emergency.")],
    "Community Safety Partnership annual report": [
        (f"{SYNTHETIC}\nIntroduction. This annual report describes the partnership's work over "
        "the year. The partnership commissioned two Domestic Homicide Reviews and published one."),
        ("Priorities. Domestic abuse, alcohol and drug use, substance misuse, anti-social "
        "behaviour, housing and homelessness, mental health, children and young people, "
        "covid recovery after lockdown, and serious violence including strangulation."),
        ("Learning. Reviews found gaps in risk assessment, information sharing, multi agency "
        "working, professional curiosity, record keeping and routine enquiry. The partnership "
        "delivered domestic abuse training to 400 staff, including coercive control and carer "
        "assessment awareness, and funded a perpetrator programme and IDVA posts."),
        ("Finance. The partnership budget and spending for the year, with economic abuse "
        "awareness funded through a grant. Suicide and self harm prevention is led by public "
        "health. Adult children abuse of parents and older people dementia are new areas."),
        "Next year. The partnership will continue its work on each of these priorities."],
}


def non_review_documents() -> list[dict[str, Any]]:
    out = []
    for title, pages in NON_REVIEW_TEXTS.items():
        pages = [f"{title}\n{p}" if i == 0 else p for i, p in enumerate(pages)]
        doc_id = hashlib.sha256(("\f".join(pages) + "\n").encode("utf-8")).hexdigest()
        out.append(Document.model_validate({
            "id": doc_id, "filename": re.sub(r"\W+", "-", title.lower())[:60] + ".txt",
            "format": "txt", "extractor_version": "bench", "page_count": len(pages),
            "doc_type": NON_REVIEW, "title": title, "pages": pages,
            "provenance": {"synthetic": True}}).model_dump(mode="json", by_alias=True))
    return out


def collection(n: int = REVIEW_DOCS) -> list[dict[str, Any]]:
    from samples.reports import generate_documents

    return list(generate_documents(n, seed=SEED, split=SPLIT)) + non_review_documents()


# -- truth and measures ------------------------------------------------------------------------
def _stems(text: str) -> set[str]:
    return {t[:4] for t in tokenize(text)}


def grade(doc: dict[str, Any], query: Query, stems: set[str]) -> int:
    if doc.get("doc_type") in (None, NON_REVIEW):
        return 0
    themes = {t["id"] for t in doc.get("themes", [])}
    about = bool(themes & set(query.themes)) or bool(
        set(doc.get("review", {}).get("abuse_types") or []) & set(query.abuse))
    recommends = any(set(rec.get("themes") or []) & set(query.themes)
                     or (query.signals and _stems(rec["text"]) & {s[:4] for s in query.signals})
                     for rec in doc.get("recommendations", []))
    if about or recommends:
        return 3 if about and recommends else 2
    words = {t[:4] for t in tokenize(query.q)} - {"abus", "of"}
    return 1 if words and words <= stems else 0


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    def dcg(gs: list[int]) -> float:
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gs[:k]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(d, 0) for d in ranked]) / ideal if ideal else 1.0


def recall(ranked: list[str], grades: dict[str, int], k: int = 20) -> float:
    relevant = {d for d, g in grades.items() if g >= 2}
    if not relevant:
        return 1.0
    return len(relevant & set(ranked[:k])) / min(k, len(relevant))


# -- running -----------------------------------------------------------------------------------
def engines() -> list[tuple[str, Any]]:
    from dhr.search.sqlite import SqliteBackend

    out: list[tuple[str, Any]] = [
        ("sqlite", SqliteBackend(Path(tempfile.mkdtemp()) / "relevance.sqlite"))]
    es_url = os.environ.get("DHR_ELASTICSEARCH_URL")
    if es_url:
        from dhr.config import ElasticsearchConfig
        from dhr.search.elasticsearch import ElasticsearchBackend

        out.append(("elasticsearch", ElasticsearchBackend(ElasticsearchConfig(
            url=es_url, index_prefix=f"rel{uuid.uuid4().hex[:8]}", request_timeout=120))))
    else:
        print("(no DHR_ELASTICSEARCH_URL: Elasticsearch skipped; run through `make bench`)")
    return out


def evaluate(backend: Any, queries: list[Query], docs: list[dict[str, Any]],
             stems: dict[str, set[str]]) -> list[dict[str, Any]]:
    rows = []
    for query in queries:
        grades = {d["id"]: grade(d, query, stems[d["id"]]) for d in docs}
        res = backend.search(DocumentRequest(q=query.q, page_size=20, facets=False))
        ranked = [r["id"] for r in res.results]
        relevant = sum(1 for g in grades.values() if g >= 2)
        rows.append({"q": query.q, "ndcg": ndcg(ranked, grades), "recall": recall(ranked, grades),
                     "total": res.total, "relevant": relevant,
                     "fallback": getattr(res, "fallback", None),
                     "top": [grades.get(d, 0) for d in ranked[:10]]})
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="bench.relevance")
    ap.add_argument("--review-docs", type=int, default=REVIEW_DOCS)
    ap.add_argument("--half", choices=["tuning", "held", "both"], default="both")
    ap.add_argument("--bare", action="store_true",
                    help="index without sections, recommendations, themes and abuse types")
    args = ap.parse_args(argv)

    docs = collection(args.review_docs)
    models = [Document.model_validate(d) for d in docs]
    if args.bare:
        models = [m.model_copy(update={
            "sections": [], "recommendations": [], "themes": [], "actions": [],
            "review": m.review.model_copy(update={"abuse_types": []})}) for m in models]
    stems = {d["id"]: _stems(" ".join(d["pages"])) for d in docs}
    wanted = {k: v for k, v in halves().items()
              if args.half == "both" or k.startswith(args.half)}
    summary: dict[str, Any] = {}
    per_query: dict[str, dict[str, dict[str, Any]]] = {}
    for name, backend in engines():
        backend.ensure_indices()
        backend.rebuild(iter(models))
        backend.refresh()
        for half, queries in wanted.items():
            rows = evaluate(backend, queries, docs, stems)
            for r in rows:
                per_query.setdefault(half, {}).setdefault(r["q"], {})[name] = r
            summary[(name, half)] = rows
        if hasattr(backend, "drop"):
            backend.drop()
        backend.close()

    names = sorted({n for n, _ in summary}, key=lambda n: n != "sqlite")
    for half, by_q in per_query.items():
        table = []
        for q, by_engine in by_q.items():
            row: list[Any] = [q, next(iter(by_engine.values()))["relevant"]]
            for n in names:
                r = by_engine.get(n)
                row += [r["ndcg"], r["recall"], r["total"],
                        "".join(str(g) for g in r["top"]) + (" fb" if r["fallback"] else "")]
            table.append(row)
        header = ["query", "rel"]
        for n in names:
            header += [f"{n} nDCG@10", "R@20", "hits", "top-10 grades"]
        print_table(f"relevance, {half} queries ({len(docs)} documents"
                    f"{', bare' if args.bare else ''})", header, table)
    overall = []
    for n in names:
        row: list[Any] = [n]
        every = []
        for half in wanted:
            rows = summary[(n, half)]
            every += rows
            row += [statistics.mean(r["ndcg"] for r in rows),
                    statistics.mean(r["recall"] for r in rows)]
        row += [statistics.mean(r["ndcg"] for r in every),
                statistics.mean(r["recall"] for r in every),
                sum(1 for r in every if r["total"] == 0 and r["relevant"])]
        overall.append(row)
    header = ["backend"]
    for half in wanted:
        header += [f"{half} nDCG@10", "R@20"]
    header += ["all nDCG@10", "R@20", "zero-hit queries with relevant docs"]
    print_table("relevance overall (mean over queries)", header, overall)
    return {"overall": overall}


if __name__ == "__main__":
    main()
