"""Elasticsearch as a cluster: losing one of three nodes loses no answer and no document.

A real 3-node cluster (one JVM per node, discovery on 127.0.0.1), indices with 3 shards and 1
replica, the sample corpus indexed from the store. A node is killed (SIGKILL) while searches run
through the HTTP API and straight through the backend, and again in the middle of a rebuild:

- every search answers, through the API with a 200, and with the same totals and facet counts as
  with all nodes up (the client retries another node; a search never returns partial results);
- the rebuild either finishes or stops cleanly (the old indices keep serving, nothing it built
  is left behind), and ``dhr index --rebuild`` run again finishes, even before the node is back;
- no document is lost, and the cluster is green again once the node has returned.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dhr.search import open_backend
from dhr.search.base import BackendUnavailable, DocumentRequest
from dhr.search.elasticsearch import ElasticsearchBackend
from orchestration.pipeline import rebuild_index
from search_api import create_app
from search_api.wsgi import BackgroundServer

from .conftest import N_DOCS, REPLICAS, SHARDS, cluster_config
from .escluster import EsCluster
from .load import API_QUERIES, QueryLoad, api_answer, direct_answer

pytestmark = [pytest.mark.slow, pytest.mark.elasticsearch]


@pytest.fixture(scope="module")
def served(cluster: EsCluster, corpus, tmp_path_factory: pytest.TempPathFactory):
    """The corpus indexed into the cluster from the store (``dhr index --rebuild``'s code path),
    served by the API; yields (config, config file, backend, API base URL)."""
    store, _docs = corpus
    path = tmp_path_factory.mktemp("cluster-config") / "config.yaml"
    config = cluster_config(store, cluster, path)
    backend = open_backend(config)
    assert isinstance(backend, ElasticsearchBackend)
    summary = rebuild_index(config, backend)
    assert summary == {"indexed": N_DOCS, "failed": 0}
    cluster.wait_for("green", nodes=3)
    settings = backend.es.indices.get_settings(index=backend.alias["documents"])
    index_settings = next(iter(settings.body.values()))["settings"]["index"]
    assert (int(index_settings["number_of_shards"]), int(index_settings["number_of_replicas"])) \
        == (SHARDS, REPLICAS)
    app = create_app(config, backend=backend, store=store)
    with BackgroundServer(app, threads=8) as server:
        yield config, path, backend, server.url
    backend.drop()
    backend.close()


def expected_answers(base_url: str, backend) -> tuple[dict, dict]:
    with requests.Session() as session:
        api = {}
        for name in API_QUERIES:
            status, got = api_answer(session, base_url, name)
            assert status == 200, got
            api[name] = got
    direct = {name: direct_answer(backend, name) for name in API_QUERIES}
    assert direct["everything"] == N_DOCS
    return api, direct


def assert_corpus_complete(backend: ElasticsearchBackend, docs) -> None:
    backend.refresh()
    assert backend.count() == N_DOCS
    ids = {d.id for d in docs}
    found = backend.es.mget(index=backend.alias["documents"], ids=sorted(ids),
                            source_includes=["id"])["docs"]
    assert {d["_id"] for d in found if d.get("found")} == ids
    recs = sum(len(d.recommendations) for d in docs)
    assert backend.es.count(index=backend.alias["recommendations"])["count"] == recs


def test_searches_keep_answering_when_the_master_node_is_lost(cluster: EsCluster, served, corpus):
    config, _, backend, base_url = served
    expected_api, expected_direct = expected_answers(base_url, backend)
    victim = cluster.master()  # the hardest node to lose: a new master must be elected too
    with QueryLoad(base_url, open_backend(config), expected_api, expected_direct) as load:
        load.wait_for_answers(10, since=0)
        cluster.kill(victim)
        killed_at = time.monotonic()
        cluster.wait_for("yellow", nodes=2)  # the cluster noticed; replicas took over
        load.wait_for_answers(20, since=killed_at)
        cluster.start(victim)
        returned_at = time.monotonic()
        load.wait_for_answers(10, since=returned_at)
        cluster.wait_for("green", nodes=3)
    assert not load.failures, load.failures[:5]
    after_kill = [a for a in load.since(killed_at) if a.at < returned_at]
    assert {a.query.split()[0] for a in after_kill} == {"api", "direct"}
    assert_corpus_complete(backend, corpus[1])


def gated(docs, first: int, opened: threading.Event, reached: threading.Event) -> Iterator:
    """Yield ``first`` documents, signal ``reached``, then wait for ``opened`` to yield the rest:
    the node is killed while the rebuild is mid-way, whatever the machine's speed."""
    for i, doc in enumerate(docs):
        if i == first:
            reached.set()
            assert opened.wait(timeout=300)
        yield doc


def test_a_rebuild_that_loses_a_node_stops_cleanly_and_runs_again(cluster: EsCluster, served,
                                                                   corpus):
    config, config_path, backend, base_url = served
    store, docs = corpus
    expected_api, expected_direct = expected_answers(base_url, backend)
    aliased_before = {backend.alias[k]: backend._alias_targets(backend.alias[k])
                      for k in backend.alias}
    rebuilder = ElasticsearchBackend(config.search.elasticsearch)
    rebuilder.bulk_bytes = 200_000  # many small requests, so the load is mid-way at the kill
    reached, opened = threading.Event(), threading.Event()
    stored = list(store.documents())
    outcome: dict = {}

    def rebuild() -> None:
        try:
            outcome["report"] = rebuilder.rebuild(gated(stored, N_DOCS // 2, opened, reached))
        except BackendUnavailable as err:
            outcome["stopped"] = str(err)
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = repr(err)

    with QueryLoad(base_url, open_backend(config), expected_api, expected_direct) as load:
        thread = threading.Thread(target=rebuild)
        thread.start()
        assert reached.wait(timeout=300)
        new_docs = wait_for_new_index(cluster, backend, aliased_before)
        holders = cluster.primary_holders(new_docs)
        master = cluster.master()
        victim = min(holders - {master} or holders)  # holds part of what is being built
        cluster.kill(victim)
        killed_at = time.monotonic()
        opened.set()
        thread.join(timeout=300)
        assert not thread.is_alive(), "the rebuild did not end"
        assert "error" not in outcome, outcome
        load.wait_for_answers(10, since=killed_at)

        print(f"rebuild with {victim} killed mid-load: {outcome}")  # which way it went (-s)
        if "stopped" in outcome:
            # Stopped cleanly: the aliases still name the old indices, which answered throughout,
            # and nothing the failed rebuild created is left.
            assert {a: backend._alias_targets(a) for a in aliased_before} == aliased_before
            assert set(all_indices(cluster, backend)) == {i for v in aliased_before.values()
                                                          for i in v}
        else:
            assert outcome["report"].indexed == N_DOCS and not outcome["report"].failed

        # Run again with the node still down: `dhr index --rebuild` finishes.
        rerun = run_rebuild_command(config_path)
        assert rerun.returncode == 0, rerun.stderr
        assert json.loads(rerun.stdout) == {"indexed": N_DOCS, "failed": 0}
        rerun_at = time.monotonic()
        load.wait_for_answers(5, since=rerun_at)

        cluster.start(victim)
        cluster.wait_for("green", nodes=3)
    assert not load.failures, load.failures[:5]
    assert_corpus_complete(backend, docs)
    assert set(all_indices(cluster, backend)) == {i for a in aliased_before
                                                  for i in backend._alias_targets(a)}
    assert backend.search(DocumentRequest()).total == N_DOCS


def wait_for_new_index(cluster: EsCluster, backend, aliased_before: dict, timeout: float = 120):
    """The documents index the rebuild is filling, once it holds some documents."""
    old = {i for v in aliased_before.values() for i in v}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [i for i in all_indices(cluster, backend)
                 if i not in old and i.startswith(backend.alias["documents"])]
        if fresh:
            stats = cluster.get(f"/{fresh[0]}/_stats/indexing")
            if stats["_all"]["primaries"]["indexing"]["index_total"] >= 20:
                return fresh[0]
        time.sleep(0.2)
    raise AssertionError("the rebuild's new index never received documents")


def all_indices(cluster: EsCluster, backend) -> list[str]:
    rows = cluster.get(f"/_cat/indices/{backend.prefix}-*", format="json")
    return sorted(r["index"] for r in rows)


def run_rebuild_command(config_path: Path) -> subprocess.CompletedProcess:
    # The cluster's URLs come from the file: drop the suite's single-node URL from the env.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DHR_ELASTICSEARCH")}
    dhr = Path(sys.executable).parent / "dhr"  # the installed command
    return subprocess.run([str(dhr), "index", "--rebuild", "--config", str(config_path)],
                          check=False, capture_output=True, text=True, timeout=300, env=env)
