"""Every facet value the API returns can be sent back as a filter of the same name, and the
DHRD enrichment (``dhr dhrd import``) tags reviews as facets, on both search backends.

The corpus's Documents are put in a real store with their review keys, a synthetic DHRD folder
is written from them (tests/api/dhrd_fixture.py: its truth says which incidents must match),
imported through :func:`orchestration.dhrd_import.import_dhrd` (which indexes the store into the
backend), and served over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dhr.enrichment.dhrd import DHRD_FACETS
from dhr.enrichment.store import EnrichmentStore, dhrd_tags_for
from dhr.search import open_backend
from dhr.store import CorpusStore
from ingest.merge import link_review_keys
from orchestration.dhrd_import import ImportResult, import_dhrd
from search_api import create_app
from search_api.wsgi import BackgroundServer

from .conftest import BACKENDS, Api, make_config
from .corpus import CorpusItem
from .dhrd_fixture import DhrdTruth, write_dhrd


class Enriched(Api):
    truth: DhrdTruth
    result: ImportResult


@pytest.fixture(scope="module", params=BACKENDS)
def enriched(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
             api_corpus: list[CorpusItem]) -> Iterator[Enriched]:
    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    data_dir = tmp_path_factory.mktemp(f"facets-{request.param}")
    config = make_config(data_dir, request.param, es_url)
    store = CorpusStore(data_dir)
    keys = link_review_keys([{"id": i.doc.id, "review": i.doc.review.model_dump(mode="json")}
                             for i in api_corpus])
    docs = []
    for item in api_corpus:
        store.put(item.path.read_bytes(), ext=item.path.suffix, filename=item.doc.filename)
        doc = item.doc.model_copy(update={"review_key": keys[item.doc.id]})
        store.put_document(doc)
        docs.append(doc)
    truth = write_dhrd(data_dir / "dhrd-in", docs)
    backend = open_backend(config)
    backend.ensure_indices()
    result = import_dhrd(config, data_dir / "dhrd-in", backend)
    backend.refresh()
    app = create_app(config, backend=backend, store=store)
    with BackgroundServer(app, threads=4) as server, requests.Session() as session:
        api = Enriched(request.param, server.url, session, api_corpus, backend, config)
        api.truth, api.result = truth, result
        api.docs_with_keys = docs  # type: ignore[attr-defined]
        yield api
    if hasattr(backend, "drop"):
        backend.drop()
    backend.close()


def _walk(api: Api, path: str, facets: dict[str, list[dict]]) -> int:
    checked = 0
    for name, values in facets.items():
        for v in values:
            if v["count"] == 0:
                continue
            body = api.json(path, [(name, v["value"]), ("page_size", 1)])
            assert body["total"] == v["count"], (api.backend_name, path, name, v)
            listed = {str(x["value"]): x["count"] for x in body["facets"][name]}
            assert listed[str(v["value"])] == v["count"], (name, v)
            checked += 1
    return checked


def test_every_facet_value_returned_by_facets_is_a_filter_with_the_same_count(enriched):
    body = enriched.json("/api/v1/facets")
    assert set(body["facets"]) >= {"year", *DHRD_FACETS}
    assert "smart_score" in body["recommendations"]["facets"]
    checked = _walk(enriched, "/api/v1/search", body["facets"])
    checked += _walk(enriched, "/api/v1/recommendations", body["recommendations"]["facets"])
    assert checked > 20
    years = body["facets"]["year"]
    assert years and _walk(enriched, "/api/v1/search", {"year": years[:1]}) == 1


def test_facets_of_a_filtered_search_are_filters_too(enriched):
    first = enriched.json("/api/v1/search", [("q", "review")])
    facets = {k: v for k, v in first["facets"].items() if k != "year"}
    for name, values in facets.items():
        for v in values[:3]:
            if v["count"] == 0:
                continue
            body = enriched.json("/api/v1/search", [("q", "review"), (name, v["value"])])
            assert body["total"] == v["count"], (enriched.backend_name, name, v)


def test_year_and_smart_score_filters_are_accepted_and_checked(enriched):
    years = [int(v["value"]) for v in enriched.json("/api/v1/facets")["facets"]["year"]]
    year = years[0]
    expected = {d.id for d in enriched.docs if d.review.year_of_death == year}
    got = {r["id"] for r in enriched.all_results("/api/v1/search", [("year", str(year))])}
    assert got == expected
    assert enriched.get("/api/v1/search", [("year", "twenty")]).status_code == 400
    assert enriched.get("/api/v1/search", [("year", "٢٠٢٠")]).status_code == 400
    recs = enriched.json("/api/v1/recommendations", [("smart_score", "2")])
    assert all(r["smart"]["score"] == 2 for r in recs["results"])


def test_dhrd_import_reports_matched_ambiguous_and_unmatched_as_the_truth_says(enriched):
    report = enriched.result.report
    assert {m["incident_id"]: m["review_key"] for m in report.matched} == enriched.truth.matched
    assert {m["incident_id"] for m in report.ambiguous} == enriched.truth.ambiguous
    assert {m["incident_id"] for m in report.unmatched} == enriched.truth.unmatched
    assert enriched.truth.matched and enriched.truth.ambiguous
    assert all(m["candidates"] for m in report.ambiguous)


def test_dhrd_tags_are_facets_that_select_exactly_the_matched_reviews(enriched):
    matched_keys = set(enriched.truth.matched.values())
    expected = {d.id for d in enriched.docs_with_keys if d.review_key in matched_keys}
    facets = enriched.json("/api/v1/facets")["facets"]
    relationship = facets["dhrd_relationship"]
    assert relationship, "the matched reviews' relationships are a facet"
    got: set[str] = set()
    for v in relationship:
        got |= {r["id"] for r in enriched.all_results(
            "/api/v1/search", [("dhrd_relationship", v["value"])])}
    assert got == expected
    # "Unknown" is not a tag (the dataset's codebook: missing is not absent)
    assert all(v["value"] != "Unknown" for vs in facets.values() for v in vs
               if vs is facets["dhrd_verdict"] or vs is facets["dhrd_perpetrator_ethnicity"])


def test_dhrd_tags_for_a_review_carry_the_licence_and_attribution(enriched):
    incident, key = min(enriched.truth.matched.items())
    tags = dhrd_tags_for(key, enriched.config.data_dir)
    assert tags is not None and tags.incident_ids == (incident,)
    assert tags.licence == "CC-BY-4.0" and "Cook" in tags.attribution
    assert "dhrd_relationship" in tags.tags and tags.rows()
    assert dhrd_tags_for("no such review", enriched.config.data_dir) is None


def test_the_enrichment_survives_reextraction_and_a_rebuilt_index(enriched):
    """Re-extraction writes new Documents; the enrichment lives apart and is merged again."""
    from orchestration.pipeline import index_pending

    store = CorpusStore(enriched.config.data_dir)
    for doc in enriched.docs_with_keys:
        store.put_document(doc.model_copy(update={"extractor_version": "next"}))
    index_pending(store, enriched.backend)
    assert EnrichmentStore(enriched.config.data_dir).matched_review_keys() == set(
        enriched.truth.matched.values())
    facets = enriched.json("/api/v1/facets")["facets"]
    assert sum(v["count"] for v in facets["dhrd_relationship"]) > 0


def test_an_import_from_a_folder_that_is_not_the_dhrd_is_a_clear_error(tmp_path: Path):
    from click.testing import CliRunner

    from orchestration.cli import cli

    (tmp_path / "config.yaml").write_text(f"storage: {{data_dir: {tmp_path / 'data'}}}\n")
    (tmp_path / "notdhrd").mkdir()
    out = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.yaml"), "dhrd", "import",
                                   str(tmp_path / "notdhrd"), "--no-index"])
    assert out.exit_code == 2, out.output
    assert "incidents.csv" in out.output and "Traceback" not in out.output


def test_the_document_page_shows_its_reviews_dhrd_tags_with_attribution(enriched):
    key = min(enriched.truth.matched.values())
    doc = next(d for d in enriched.docs_with_keys if d.review_key == key)
    tags = dhrd_tags_for(key, enriched.config.data_dir)
    assert tags is not None
    page = enriched.get(f"/documents/{doc.id}")
    assert page.status_code == 200
    assert "In the Domestic Homicide Review Dataset" in page.text
    relationship = tags.tags["dhrd_relationship"][0]
    assert relationship in page.text and "CC-BY-4.0" in page.text
    unmatched = next(d for d in enriched.docs_with_keys
                     if d.review_key not in set(enriched.truth.matched.values()))
    assert "In the Domestic Homicide Review Dataset" not in enriched.get(
        f"/documents/{unmatched.id}").text
    search = enriched.get("/search", [("dhrd_relationship", relationship)])
    assert search.status_code == 200
    assert "relationship to perpetrator (DHRD)" in search.text


def test_without_a_folder_the_last_imports_incidents_are_matched_again(enriched):
    again = import_dhrd(enriched.config, None, enriched.backend)
    assert again.report.counts() == enriched.result.report.counts()
    assert again.reindexed == 0  # nothing changed: nothing re-indexed


def test_the_search_page_takes_a_year_filter_and_shows_it_with_a_removal_link(enriched):
    year = enriched.json("/api/v1/facets")["facets"]["year"][0]
    page = enriched.get("/search", [("year", year["value"])])
    assert page.status_code == 200
    assert f"{year['count']} result" in page.text
    assert "Year of death" in page.text and "dhr-selected__link" in page.text


def test_a_rebuilt_index_keeps_the_dhrd_facets(enriched):
    from orchestration.pipeline import rebuild_index

    before = enriched.json("/api/v1/facets")["facets"]["dhrd_relationship"]
    rebuild_index(enriched.config, enriched.backend)
    enriched.backend.refresh()
    assert enriched.json("/api/v1/facets")["facets"]["dhrd_relationship"] == before
