"""fixture sites -> ``dhr nightly`` -> API, on both backends, over three nights.

Night 1 finds everything (and one corrupt file); night 2 finds nothing new and must do nothing;
before night 3 a council takes a report down, which must then show as offline, never deleted.
The nights run once per backend (module-scoped, they are the slow part); each test checks one
behaviour of one night against the generator's ground truth.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dhr.config import Config
from dhr.store import CorpusStore
from orchestration.nightly import run_nightly
from samples.sites import FixtureSites

from .conftest import Api, Truth, drop_es, load_report, nightly_config, publish, truth_of


@dataclass
class Nights:
    cfg: Config
    sites: FixtureSites
    truth: Truth
    api: Api
    reports: list[dict[str, Any]] = field(default_factory=list)
    requests: list[list[dict[str, Any]]] = field(default_factory=list)  # server log per night
    snapshots: list[dict[str, Any]] = field(default_factory=list)       # API state after a night
    withdrawn_sha: str | None = None
    report_file: Path | None = None


def _snapshot(api: Api) -> dict[str, Any]:
    search = api.json("/api/v1/search", {"page_size": 1})
    return {"total": search["total"], "facets": search["facets"],
            "docs": {r["id"]: r for r in api.all("/api/v1/search")}}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("elasticsearch",
                                                               marks=pytest.mark.elasticsearch)])
def nights(request: pytest.FixtureRequest, corpus_files, tmp_path_factory) -> Nights:
    backend = request.param
    es_url = request.getfixturevalue("es_url") if backend == "elasticsearch" else None
    tmp = tmp_path_factory.mktemp(f"nights-{backend}")
    sites = publish(tmp / "sites", corpus_files, corrupt=True).start()
    cfg = nightly_config(tmp, sites, backend, es_url)
    api = Api(cfg).__enter__() if backend == "sqlite" else None
    n = Nights(cfg, sites, truth_of(sites), api)  # type: ignore[arg-type]
    try:
        for night in range(3):
            if night == 2:  # a council takes a report down: the URL now answers 404
                # (from the council with most reports, so that the crawl stays healthy)
                per_site = Counter(e["source"] for e in n.truth.documents)
                council = max((s for s in per_site if s != "homeoffice-library"), key=per_site.get)
                entry = next(e for e in n.truth.documents if e["source"] == council)
                host, path = _host_path(entry["url"], sites.port)
                sites.remove_file(host, path)
                n.withdrawn_sha = entry["sha256"]
            sites.clear_log()
            report_file = tmp / f"night-{night + 1}.json"
            n.reports.append(run_nightly(cfg, report_path=report_file, quiet=True))
            n.report_file = report_file
            n.requests.append(sites.requests)
            if n.api is None:  # Elasticsearch: serve once the indices exist
                n.api = Api(cfg).__enter__()
            n.snapshots.append(_snapshot(n.api))
        yield n
    finally:
        if n.api is not None:
            n.api.__exit__()
        sites.stop()
        drop_es(cfg)


def _host_path(url: str, port: int) -> tuple[str, str]:
    rest = url.split("://", 1)[1].replace(f":{port}", "").replace(":__PORT__", "")
    host, _, path = rest.partition("/")
    return host, "/" + path


# -- night 1 ----------------------------------------------------------------------------------
def test_first_night_stores_every_published_file_once(nights: Nights) -> None:
    store = CorpusStore(nights.cfg.data_dir)
    files = list(store.list_files())
    published = {e["sha256"] for e in nights.truth.documents}
    corrupt = 1
    assert len(files) == len(published) + corrupt
    assert published <= {f.sha256 for f in files}
    assert all(len(f.urls) == 1 for f in files), [f.urls for f in files if len(f.urls) != 1]


def test_first_night_quarantines_the_corrupt_file_and_says_why(nights: Nights) -> None:
    report = nights.reports[0]
    extract = report["stages"]["extract"]
    assert [q["file"] for q in extract["quarantined"]] == ["dhr-archived-overview-report.pdf"]
    assert extract["quarantined"][0]["reason"].startswith("corrupt")
    assert report["exit_code"] == 1  # partial: one file failed, the rest done
    assert [f["stage"] for f in report["failures"]] == ["extract"]


def test_first_night_report_counts_every_stage(nights: Nights) -> None:
    report = nights.reports[0]
    n = len(nights.truth.documents)
    st = report["stages"]
    assert (st["crawl"]["new"], st["crawl"]["changed"], st["crawl"]["failed"]) == (n + 1, 0, 0)
    assert (st["extract"]["extracted"], st["extract"]["re_extracted"]) == (n, 0)
    assert (st["index"]["indexed"], st["index"]["left_pending"]) == (n, 0)
    assert all(s["duration_s"] >= 0 for s in st.values())
    assert report["changes"] is True
    reports_dir = Path(nights.cfg.data_dir) / "reports"
    assert Path(report["report_file"]).parent == reports_dir


def test_search_returns_exactly_the_published_documents(nights: Nights) -> None:
    truth = nights.truth.by_id()
    docs = nights.snapshots[0]["docs"]
    assert set(docs) == set(truth)
    assert {i: d["doc_type"] for i, d in docs.items()} == {i: t["doc_type"]
                                                           for i, t in truth.items()}


def test_facets_match_the_truth_merged_with_the_sources(nights: Nights) -> None:
    t = nights.truth
    facets = {k: {v["value"]: v["count"] for v in vals}
              for k, vals in nights.snapshots[0]["facets"].items()}
    entries = t.documents
    assert facets["doc_type"] == Counter(t.doc(e)["doc_type"] for e in entries)
    assert facets["area"] == Counter(t.doc(e)["review"]["area"] for e in entries)
    assert facets["region"] == Counter(t.doc(e)["review"]["region"] for e in entries)
    years = Counter(str(y) for y in (t.expected_year(e) for e in entries) if y)
    assert {str(k): v for k, v in facets["year"].items()} == years


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_recommendations_are_those_of_the_stored_documents(nights: Nights) -> None:
    store = CorpusStore(nights.cfg.data_dir)
    want = Counter((d.id, _norm(r.text)) for d in store.documents() for r in d.recommendations)
    got = Counter((r["document_id"], _norm(r["text"]))
                  for r in nights.api.all("/api/v1/recommendations"))
    assert got == want


def test_recommendations_match_the_truth(nights: Nights) -> None:
    # Distinct texts per document: a report may repeat a recommendation word for word.
    truth = nights.truth.by_id()
    want = {(i, _norm(r["text"])) for i, d in truth.items() for r in d["recommendations"]}
    got = {(r["document_id"], _norm(r["text"])) for r in nights.api.all("/api/v1/recommendations")}
    assert got == want
    one = next(d for d in truth.values() if d["recommendations"])
    phrase = '"' + " ".join(one["recommendations"][0]["text"].split()[2:8]) + '"'
    found = nights.api.json("/api/v1/recommendations", {"q": phrase, "page_size": 100})
    assert one["id"] in {r["document_id"] for r in found["results"]}


def test_a_phrase_from_a_report_finds_it(nights: Nights) -> None:
    truth = nights.truth.by_id()
    doc_id, doc = next((i, d) for i, d in truth.items() if d["doc_type"] == "overview_report")
    words = " ".join(doc["pages"][2].split()).split(" ")[10:17]
    result = nights.api.json("/api/v1/search", {"q": '"' + " ".join(words) + '"'})
    assert doc_id in {r["id"] for r in result["results"]}


def test_library_card_metadata_is_merged_with_provenance(nights: Nights) -> None:
    t = nights.truth
    lib = [e for e in t.documents if e["source"] == "homeoffice-library"
           and not t.doc(e)["review"]["date_of_death"]]
    assert lib, "the corpus should have a library document that does not state the year"
    for e in lib:
        doc = nights.api.json(f"/api/v1/documents/{e['sha256']}")
        assert doc["review"]["date_of_death"] == t.review_date(e["review_id"])
        assert doc["provenance"]["fields"]["review.date_of_death"]["from"] == "source"
        assert doc["source"]["site"] == "homicide-review.homeoffice.test"


def test_a_reviews_documents_share_one_review_key(nights: Nights) -> None:
    t = nights.truth
    keys: dict[str, set[str]] = {}
    for e in t.documents:
        doc = nights.api.json(f"/api/v1/documents/{e['sha256']}")
        keys.setdefault(e["review_id"], set()).add(doc["review_key"])
    assert all(len(k) == 1 and None not in k for k in keys.values()), keys
    assert len({next(iter(k)) for k in keys.values()}) == len(keys)


# -- night 2: nothing changed -------------------------------------------------------------------
def test_second_night_downloads_extracts_and_indexes_nothing(nights: Nights) -> None:
    report = nights.reports[1]
    st = report["stages"]
    assert report["exit_code"] == 0 and report["failures"] == []
    assert (st["crawl"]["downloaded"], st["crawl"]["bytes_downloaded"]) == (0, 0)
    assert st["crawl"]["unchanged"] == len(nights.truth.documents) + 1
    assert (st["extract"]["pending"], st["extract"]["extracted"]) == (0, 0)
    assert (st["sources"]["remerged"], st["sources"]["relinked"]) == (0, 0)
    assert st["index"]["indexed"] == 0
    assert report["changes"] is False
    assert any("no changes" in line for line in report["summary"])


def test_second_night_fetches_no_file_body(nights: Nights) -> None:
    files = {e["url"].split(":__PORT__")[-1] for e in nights.truth.documents}
    bodies = [r for r in nights.requests[1] if r["path"] in files and r["bytes"]]
    assert bodies == []


def test_second_night_leaves_the_index_as_it_was(nights: Nights) -> None:
    assert nights.snapshots[1] == nights.snapshots[0]


def test_report_file_is_the_returned_report(nights: Nights) -> None:
    assert nights.report_file is not None
    assert load_report(nights.report_file) == nights.reports[2]


# -- night 3: a report taken down ------------------------------------------------------------------
def test_withdrawn_report_stays_searchable_and_shows_offline(nights: Nights) -> None:
    sha = nights.withdrawn_sha
    report = nights.reports[2]
    assert report["stages"]["crawl"]["withdrawn"] == 1
    assert report["stages"]["sources"]["withdrawn_documents"] == [sha]
    assert report["stages"]["index"]["indexed"] == 1
    assert sha in nights.snapshots[2]["docs"]
    doc = nights.api.json(f"/api/v1/documents/{sha}")
    assert doc["source"]["online"] is False
    others = [d for i, d in nights.snapshots[2]["docs"].items() if i != sha]
    assert all(d["source"]["online"] is True for d in others)
