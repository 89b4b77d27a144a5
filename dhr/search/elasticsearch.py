"""Elasticsearch 8 backend (official ``elasticsearch`` client, 8.x).

- Index settings and mappings come from ``mappings/*.json``; synonyms from ``mappings/synonyms.txt``
  are inlined into the ``synonym_graph`` filter, so a cluster needs no files on its nodes.
- Physical indices are versioned (``<prefix>-documents-v1-<timestamp>``) behind aliases
  (``<prefix>-documents``, ``<prefix>-recommendations``); a rebuild fills new indices and swaps
  both aliases in one atomic ``_aliases`` call, so readers never see an empty index.
  https://www.elastic.co/guide/en/elasticsearch/reference/8.14/aliases.html
- Writes use a few concurrent ``streaming_bulk`` streams (``es_bulk.py``) with retries and
  per-item error reporting. A rebuild loads its new indices without replicas, refreshes or
  per-request fsync, checks that they hold every document, then restores all three, waits for
  the replicas and only then swaps the aliases; if a node is lost mid-load it stops, deletes
  what it built and leaves the old indices serving, so it can simply be run again.
- The client is given every node's URL: a request that fails on one node (connection refused or
  reset, timeout, 502/503/504) is retried at once on another, and searches never return partial
  results (a shard that no copy could answer is an error, retried, never a silently short list).
- Facets are multi-select: aggregations each filtered by the other facets, results narrowed by
  ``post_filter``. https://www.elastic.co/guide/en/elasticsearch/reference/8.14/filter-search-results.html#post-filter
- Pagination is ``search_after`` on (sort key, id), so there is no depth limit.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers

from ..config import ElasticsearchConfig
from ..document import Document
from ..enrichment.dhrd import DHRD_FACETS
from ..query import (
    SYNONYMS_PATH,
    And,
    AtLeast,
    MatchNone,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    positive_leaves,
)
from . import cursor as cursors
from .base import (
    DOC_FACETS,
    REC_FACETS,
    TAXONOMY_KIND,
    BackendUnavailable,
    DocumentRequest,
    IndexReport,
    RecommendationRequest,
    SearchBackend,
    SearchError,
    SearchResponse,
    _Request,
)
from .es_bulk import BULK_ACTIONS, BULK_BYTES, BULK_WORKERS, parallel_bulk
from .fields import (
    document_record,
    facet_list,
    recommendation_records,
    recommendation_result,
    with_copies,
)
from .highlight import POST, PRE, highlight_leaves, normalize_for_index, safe_snippet
from .ranking import KEY_WEIGHT, SUBJECT_WEIGHT, proximity_phrases, ranking_record

MAPPINGS_DIR = Path(__file__).resolve().parent.parent.parent / "mappings"
SCHEMA_VERSION = "1"
FACET_SIZE = 1000
FILTERED = "all-filters"  # aggregation name: not a facet name
# Reads are retried after these pauses (seconds) when the cluster fails them: about 15 s in all,
# longer than a cluster takes to notice a lost node and promote its replicas.
READ_RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0)
_READS = frozenset({"search", "count", "get", "mget"})


def load_index_body(kind: str, shards: int, replicas: int) -> dict[str, Any]:
    """Settings + mappings for ``kind`` (documents | recommendations) from mappings/."""
    body = json.loads((MAPPINGS_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    analysis = json.loads((MAPPINGS_DIR / "analysis.json").read_text(encoding="utf-8"))
    analysis.pop("_comment", None)
    body.pop("_comment", None)
    analysis["filter"]["dhr_synonyms"]["synonyms"] = _synonym_lines(SYNONYMS_PATH)
    index = body["settings"].setdefault("index", {})
    index["number_of_shards"] = shards
    index["number_of_replicas"] = replicas
    body["settings"]["analysis"] = analysis
    return body


def _synonym_lines(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


# -- query compilation -------------------------------------------------------------------------
def compile_query(node: Any, field: str = "text") -> dict[str, Any]:
    """Our syntax tree -> Elasticsearch query DSL (never query_string)."""
    if isinstance(node, Term):
        return {"match": {field: {"query": node.token}}}
    if isinstance(node, Phrase):
        target = f"{field}.exact" if node.exact else field
        return {"match_phrase": {target: {"query": " ".join(node.tokens)}}}
    if isinstance(node, Prefix):
        return {"prefix": {f"{field}.exact": {"value": node.prefix}}}
    if isinstance(node, MatchNone):
        return {"match_none": {}}
    if isinstance(node, Not):
        return {"bool": {"must_not": [compile_query(node.child, field)]}}
    if isinstance(node, Or):
        return {"bool": {"should": [compile_query(c, field) for c in node.children],
                         "minimum_should_match": 1}}
    if isinstance(node, AtLeast):
        return {"bool": {"should": [compile_query(c, field) for c in node.children],
                         "minimum_should_match": node.k}}
    assert isinstance(node, And)
    pos = [compile_query(c, field) for c in node.children if not isinstance(c, Not)]
    neg = [compile_query(c.child, field) for c in node.children if isinstance(c, Not)]
    clause: dict[str, Any] = {"must": pos or [{"match_all": {}}]}
    if neg:
        clause["must_not"] = neg
    return {"bool": clause}


def ranked_query(query: dict[str, Any], node: Any) -> dict[str, Any]:
    """``query`` (a bool that decides the matches) scored as dhr/search/ranking.py says: the
    full text, plus optional clauses on the key text and the subjects (and the words typed side
    by side as phrases), times the document's prior. The optional clauses add score only."""
    leaves = [*positive_leaves(node), *proximity_phrases(node)]

    def on(field: str, leaf: Any) -> dict[str, Any]:
        if isinstance(leaf, Term):
            return {"match": {field: {"query": leaf.token}}}
        if isinstance(leaf, Phrase):
            return {"match_phrase": {field: {"query": " ".join(leaf.tokens)}}}
        return {"prefix": {field: {"value": leaf.prefix}}}

    should: list[dict[str, Any]] = [on("text", p) for p in proximity_phrases(node)]
    for field, boost in (("key_text", KEY_WEIGHT), ("subjects", SUBJECT_WEIGHT)):
        if leaves:
            should.append({"bool": {"should": [on(field, leaf) for leaf in leaves],
                                    "boost": boost}})
    scored = {"bool": {**query["bool"], "should": should}} if should else query
    return {"function_score": {"query": scored, "boost_mode": "multiply",
                               "field_value_factor": {"field": "prior", "missing": 1.0}}}


def _highlight_query(node: Any) -> dict[str, Any] | None:
    """Which page words to mark. Pages are indexed once, stemmed (no exact copy: it doubled the
    cost of indexing for highlights only), so an exact phrase or a prefix is marked through its
    stemmed form; the document itself was matched exactly on ``text.exact``."""
    leaves = highlight_leaves(node)
    if not leaves:
        return None
    return {"bool": {"should": [_page_leaf(leaf) for leaf in leaves], "minimum_should_match": 1}}


def _page_leaf(leaf: Any) -> dict[str, Any]:
    if isinstance(leaf, Phrase):
        return {"match_phrase": {"pages.text": {"query": " ".join(leaf.tokens)}}}
    if isinstance(leaf, Prefix):
        return {"match_phrase_prefix": {"pages.text": {"query": leaf.prefix}}}
    return compile_query(leaf, "pages.text")


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"
    bulk_workers = BULK_WORKERS  # concurrent bulk requests
    bulk_actions = BULK_ACTIONS  # the size of one bulk request: at most this many actions...
    bulk_bytes = BULK_BYTES  # ...and this many bytes

    def __init__(self, cfg: ElasticsearchConfig, *, cursor_key: bytes = b"dhr-dev-key",
                 client: Elasticsearch | None = None):
        self.cfg = cfg
        self.cursor_key = cursor_key
        self.prefix = cfg.index_prefix
        self.alias = {"documents": f"{self.prefix}-documents",
                      "recommendations": f"{self.prefix}-recommendations"}
        # Every node is listed (no sniffing: the given URLs may be behind a proxy): a request that
        # fails on one node is retried on the next, so up to one try per node plus one.
        kwargs: dict[str, Any] = {"request_timeout": cfg.request_timeout,
                                  "max_retries": max(2, len(cfg.urls)),
                                  "retry_on_timeout": True}
        if cfg.api_key:
            kwargs["api_key"] = cfg.api_key
        elif cfg.username:
            kwargs["basic_auth"] = (cfg.username, cfg.password or "")
        if cfg.ca_certs:
            kwargs["ca_certs"] = str(cfg.ca_certs)
        if not cfg.verify_certs:
            kwargs["verify_certs"] = False
        self.es = client or Elasticsearch(cfg.urls, **kwargs)
        # Sends a search's count request while the hits request runs (the client is thread-safe).
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dhr-es")

    # -- plumbing --------------------------------------------------------------------------
    def _call(self, fn, *args, **kwargs):
        """Run one client call. The client itself tries the next node when one cannot be
        reached or answers 502/503/504. A read (search, count, get) that the cluster answers
        with another failure of its own (429, 500: a node that dies between a search's query
        and fetch phases fails the search with 500) is run again after a short pause, while the
        cluster notices the loss and promotes replicas; after the last try it is
        :class:`BackendUnavailable` (a 503 for an API user), never a server error. When no
        node can be reached at all, that is said at once."""
        name = fn.__name__
        if name == "search":
            # A shard whose copies all failed makes the search an error (retried), never a 200
            # with documents missing.
            kwargs.setdefault("allow_partial_search_results", False)
        pauses = READ_RETRY_PAUSES if name in _READS else ()
        for attempt in range(len(pauses) + 1):
            try:
                return self._call_once(fn, *args, **kwargs)
            except ApiError as err:
                status = err.meta.status
                if not (status == 429 or status >= 500) or name not in _READS:
                    raise
                if attempt == len(pauses):
                    raise BackendUnavailable(f"Elasticsearch error: {_reason(err)}") from None
            time.sleep(pauses[attempt])
        raise AssertionError("unreachable")

    def _call_once(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotFoundError as err:
            if _reason(err).startswith("no such index") and fn.__name__ == "search":
                raise BackendUnavailable("the search indices do not exist yet: run "
                                         "`dhr index --rebuild` (or `dhr serve`, which creates "
                                         "them)"
                                         ) from None
            raise
        except (TransportConnectionError, TransportError) as err:
            if isinstance(err, ApiError):
                raise
            raise BackendUnavailable(f"Elasticsearch is not reachable: {err}") from None

    def ping(self) -> bool:
        try:
            return bool(self.es.ping())
        except Exception:  # noqa: BLE001 - any failure means not ready
            return False

    def _new_index_name(self, kind: str) -> str:
        return (f"{self.prefix}-{kind}-v{SCHEMA_VERSION}-{time.strftime('%Y%m%d%H%M%S')}-"
                f"{time.time_ns() % 10**6:06d}")

    def _create_index(self, kind: str, **load_settings: Any) -> str:
        name = self._new_index_name(kind)
        body = load_index_body(kind, self.cfg.shards, self.cfg.replicas)
        body["settings"]["index"].update(load_settings)
        self._call(self.es.indices.create, index=name, settings=body["settings"],
                   mappings=body["mappings"])
        return name

    def _alias_targets(self, alias: str) -> list[str]:
        try:
            return sorted(self._call(self.es.indices.get_alias, name=alias).body)
        except NotFoundError:
            return []

    def ensure_indices(self) -> None:
        for kind, alias in self.alias.items():
            if self._alias_targets(alias):
                if kind == "documents" and not getattr(self, "_ranking_fields", False):
                    self._add_ranking_fields(alias)
                if kind == "recommendations" and not getattr(self, "_review_rec_field", False):
                    self._add_review_rec_field(alias)
                continue
            name = self._create_index(kind)
            self._call(self.es.indices.put_alias, index=name, name=alias)

    def _add_ranking_fields(self, alias: str) -> None:
        """Indices made before the ranking fields existed get them (adding fields is allowed on
        a live index; documents indexed earlier rank without them until `dhr index --rebuild`)."""
        props = load_index_body("documents", 1, 0)["mappings"]["properties"]
        # A refusal (e.g. a read-only API key) is fine: searching still works (ranking without
        # the fields); indexing new documents needs `dhr index --rebuild` with a key that may
        # manage.
        with contextlib.suppress(ApiError):
            self._call(self.es.indices.put_mapping, index=alias, properties={
                k: props[k] for k in ("key_text", "subjects", "prior", *DHRD_FACETS)})
        self._ranking_fields = True

    def _add_review_rec_field(self, alias: str) -> None:
        """Recommendation indices made before the review recommendation key get its field;
        their records are stamped by the next tracker sync (until then, each is its own
        group: see :meth:`search_recommendations`)."""
        with contextlib.suppress(ApiError):
            self._call(self.es.indices.put_mapping, index=alias,
                       properties={"review_rec": {"type": "keyword"}})
        self._review_rec_field = True

    def refresh(self) -> None:
        self._call(self.es.indices.refresh, index=list(self.alias.values()))

    def set_review_recommendations(self, keys: dict[str, str | None], *,
                                   refresh: bool = False) -> int:
        index = self.alias["recommendations"]
        actions = ({"_op_type": "update", "_index": index, "_id": rec_id,
                    "doc": {"review_rec": key or rec_id, "body": {"review_rec": key}}}
                   for rec_id, key in keys.items())
        stamped = 0
        for ok, item in helpers.streaming_bulk(self.es, actions, raise_on_error=False,
                                               raise_on_exception=False, chunk_size=500):
            info = item.get("update", {})
            if ok and info.get("result") == "updated":
                stamped += 1
            elif not ok and info.get("status") != 404:  # a record since deleted: skipped
                raise BackendUnavailable(f"Elasticsearch refused a stamp: {info.get('error')}")
        if refresh:
            self._call(self.es.indices.refresh, index=index)
        return stamped

    # -- writing -----------------------------------------------------------------------------
    def _old_rec_counts(self, index: str, ids: list[str]) -> dict[str, int]:
        """How many recommendations the indexed versions of these documents had (one mget)."""
        try:
            res = self.es.mget(index=index, ids=ids, source_includes=["rec_count"])
        except NotFoundError:
            return {}
        return {d["_id"]: int(d["_source"].get("rec_count") or 0)
                for d in res["docs"] if d.get("found")}

    def _actions(self, docs: Iterable[Document], targets: dict[str, str], stale: bool):
        if not stale:  # nothing to look up first: each document's actions at once
            for doc in docs:
                yield from self._batch_actions([doc], targets, stale)
            return
        batch: list[Document] = []  # a batch's old versions are looked up in one request
        for doc in docs:
            batch.append(doc)
            if len(batch) == 100:
                yield from self._batch_actions(batch, targets, stale)
                batch = []
        if batch:
            yield from self._batch_actions(batch, targets, stale)

    def _batch_actions(self, docs: list[Document], targets: dict[str, str], stale: bool):
        old_counts = (self._old_rec_counts(targets["documents"], [d.id for d in docs])
                      if stale else {})
        for doc in docs:
            rec = document_record(doc)
            recs = recommendation_records(doc)
            old_count = old_counts.get(doc.id, 0)
            body = doc.to_json_dict()
            body.pop("pages", None)
            source = {k: rec[k] for k in ("id", "title", "doc_type", "review_type", "death_type",
                                          "region", "area", "victim_sex", "victim_age_band",
                                          "abuse_types", "themes", "agencies", "pseudonym",
                                          "year", "date_key", "summary", *DHRD_FACETS)}
            source["text"] = normalize_for_index(rec["text"])
            source.update(ranking_record(doc, source["text"]))
            source["pages"] = [{"text": p} for p in doc.pages]
            source["rec_count"] = len(recs)
            source["body"] = body
            yield {"_op_type": "index", "_index": targets["documents"], "_id": doc.id,
                   "_source": source}
            for r in recs:
                yield {"_op_type": "index", "_index": targets["recommendations"], "_id": r["id"],
                       "_source": {
                           "id": r["id"], "document_id": r["document_id"],
                           "position": r["position"],
                           "agency": r["agency"], "scope": r["scope"], "area": r["area"],
                           "region": r["region"], "review_type": r["review_type"],
                           "themes": r["themes"], "year": r["year"], "date_key": r["date_key"],
                           "smart_score": r["smart_score"], "text": normalize_for_index(r["text"]),
                           # its own id until the tracker stamps its review recommendation:
                           # a record is its own group (collapse puts missing values together)
                           "review_rec": r["id"], "body": r}}
            for i in range(len(recs), old_count):  # recommendations the new version no longer has
                yield {"_op_type": "delete", "_index": targets["recommendations"],
                       "_id": f"{doc.id}-{i:03d}"}

    def _bulk(self, actions, refresh: bool, *, stop_if_unavailable: bool = False,
              sent: dict[str, set[str]] | None = None) -> IndexReport:
        """Send ``actions``; documents indexed and per-document failures in the report.

        ``stop_if_unavailable`` (rebuilds): stop at the first item the cluster could not take
        (a shard without an active copy, a full write queue after retries: status 429 or 5xx)
        and raise :class:`BackendUnavailable`, instead of waiting on every later request.
        ``sent`` collects the ids acknowledged per physical index."""
        report = IndexReport()
        unavailable: list[str] = []

        def on_result(ok: bool, item: dict[str, Any]) -> bool:
            op, info = next(iter(item.items()))
            if op == "delete":
                return True
            if ok:
                index = info.get("_index", "")
                if sent is not None:
                    sent.setdefault(index, set()).add(str(info.get("_id")))
                if index.startswith(self.alias["documents"]):
                    report.indexed += 1
                return True
            status = int(info.get("status") or 0)
            if stop_if_unavailable and (status == 429 or status >= 500):
                unavailable.append(f"{info.get('_id')}: {json.dumps(info.get('error'))[:300]}")
                return False
            report.failed.append({"id": str(info.get("_id")),
                                  "reason": json.dumps(info.get("error"))[:500]})
            return True

        try:
            # A shard with no active copy makes a bulk item wait up to `timeout` for one: keep
            # that inside the client's request timeout, so the answer (503 for those items)
            # arrives instead of a client-side timeout and a resend.
            parallel_bulk(self.es, actions, on_result=on_result, workers=self.bulk_workers,
                          chunk_actions=self.bulk_actions, chunk_bytes=self.bulk_bytes,
                          timeout=f"{max(1, int(self.cfg.request_timeout // 2))}s")
        except TransportConnectionError as err:
            raise BackendUnavailable(f"Elasticsearch is not reachable: {err}") from None
        except TransportError as err:
            if isinstance(err, ApiError):
                raise
            raise BackendUnavailable(f"Elasticsearch did not answer: {err}") from None
        if unavailable:
            raise BackendUnavailable("Elasticsearch could not take every document (a node or "
                                     f"shard unavailable): {unavailable[0]}")
        if refresh:
            self.refresh()
        return report

    def index_documents(self, docs: Iterable[Document], *, refresh: bool = False) -> IndexReport:
        self.ensure_indices()
        return self._bulk(self._actions(docs, self.alias, stale=True), refresh)

    def delete_documents(self, ids: Iterable[str], *, refresh: bool = False) -> int:
        deleted = 0
        actions = []
        for doc_id in ids:
            try:
                old = self._call(self.es.get, index=self.alias["documents"], id=doc_id,
                                 source_includes=["rec_count"])
            except NotFoundError:
                continue
            deleted += 1
            actions.append({"_op_type": "delete", "_index": self.alias["documents"], "_id": doc_id})
            for i in range(int(old["_source"].get("rec_count") or 0)):
                actions.append({"_op_type": "delete", "_index": self.alias["recommendations"],
                                "_id": f"{doc_id}-{i:03d}"})
        if actions:
            helpers.bulk(self.es, actions, raise_on_error=False)
        if refresh:
            self.refresh()
        return deleted

    def rebuild(self, docs: Iterable[Document]) -> IndexReport:
        """New versioned indices, filled, checked, then both aliases swapped in one atomic call.

        All or nothing: if the load cannot finish (a node lost, the cluster unreachable) or the
        new indices do not hold every document sent, they are deleted and
        :class:`BackendUnavailable` is raised; the aliases still point at the old indices, which
        keep serving, and the rebuild can be run again. Documents the cluster rejected for
        what they contain are reported in ``failed`` and the rebuild still completes."""
        # While loading an index nobody reads yet: no replicas (each would index every document
        # again; they are copied as files afterwards), no refreshes, no fsync per request.
        # A crash mid-load loses nothing that matters: the rebuild is run again.
        # https://www.elastic.co/guide/en/elasticsearch/reference/8.15/tune-for-indexing-speed.html
        load = {"number_of_replicas": 0, "refresh_interval": "-1", "translog.durability": "async"}
        new: dict[str, str] = {}
        try:
            for kind in self.alias:
                new[kind] = self._create_index(kind, **load)
            sent: dict[str, set[str]] = {}
            report = self._bulk(self._actions(docs, new, stale=False), refresh=False,
                                stop_if_unavailable=True, sent=sent)
            self._call(self.es.indices.refresh, index=list(new.values()))
            self._check_loaded(new, sent)
            self._call(self.es.indices.put_settings, index=list(new.values()), settings={
                "index": {"number_of_replicas": self.cfg.replicas, "refresh_interval": None,
                          "translog.durability": None}})
            self._call(self.es.indices.flush, index=list(new.values()))
            self._wait_for_replicas(list(new.values()))
            actions = []
            old_indices = []
            for kind, alias in self.alias.items():
                for old in self._alias_targets(alias):
                    actions.append({"remove": {"index": old, "alias": alias}})
                    old_indices.append(old)
                actions.append({"add": {"index": new[kind], "alias": alias}})
            self._call(self.es.indices.update_aliases, actions=actions)
        except BaseException:
            self._delete_quietly(list(new.values()))
            raise
        self._delete_quietly(old_indices)
        return report

    def _check_loaded(self, new: dict[str, str], sent: dict[str, set[str]]) -> None:
        """Every index holds as many documents as were acknowledged, on every shard. (Without
        replicas and fsync, a node that dies takes its last acknowledged writes with it.)"""
        for index in new.values():
            res = self._call(self.es.count, index=index)
            shards = res.get("_shards", {})
            if shards.get("failed") or shards.get("successful") != shards.get("total"):
                raise BackendUnavailable(f"the new index {index} lost a shard while loading "
                                         "(a node left the cluster); run the rebuild again")
            acknowledged = len(sent.get(index, ()))
            if int(res["count"]) != acknowledged:
                raise BackendUnavailable(
                    f"the new index {index} holds {res['count']} of the {acknowledged} "
                    "documents acknowledged (a node left the cluster); run the rebuild again")

    def _wait_for_replicas(self, indices: list[str]) -> None:
        """Wait (bounded) for the new indices' replicas, so that the indices readers switch to
        survive the loss of a node from the start. Green is only possible with more data nodes
        than replicas; on fewer, or if copying takes too long, go on: the data is complete on
        the primaries and the replicas keep recovering in the background."""
        if self.cfg.replicas == 0:
            return
        wait = max(60, int(self.cfg.request_timeout))
        try:
            nodes = int(self._call(self.es.cluster.health)["number_of_data_nodes"])
            if nodes > self.cfg.replicas:
                self.es.options(request_timeout=wait + 30).cluster.health(
                    index=indices, wait_for_status="green", timeout=f"{wait}s")
        except ApiError:
            pass  # a timed-out wait answers 408: not an error for the rebuild

    def _delete_quietly(self, indices: list[str]) -> None:
        for index in indices:
            # cleanup: the index may be gone already, or the cluster unreachable
            with contextlib.suppress(Exception):
                self.es.indices.delete(index=index)

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self.es.close()

    def drop(self) -> None:
        """Delete this prefix's indices (tests)."""
        for alias in self.alias.values():
            for name in self._alias_targets(alias):
                self.es.indices.delete(index=name)

    # -- reading -----------------------------------------------------------------------------
    def count(self) -> int:
        try:
            return int(self._call(self.es.count, index=self.alias["documents"])["count"])
        except NotFoundError:
            return 0

    def get_document(self, doc_id: str, *, pages: bool = False) -> dict[str, Any] | None:
        try:
            hit = self._call(self.es.get, index=self.alias["documents"], id=doc_id,
                             source_includes=["body", "pages"] if pages else ["body"])
        except NotFoundError:
            return None
        body = dict(hit["_source"]["body"])
        if pages:
            body["pages"] = [p["text"] for p in hit["_source"].get("pages", [])]
        return body

    def _filters(self, request: _Request, facets: dict[str, str], skip: str | None) -> list[dict]:
        return [{"terms": {facets[name]: values}} for name, values in request.filters.items()
                if name != skip]

    def _base_query(self, request: _Request) -> dict[str, Any]:
        must = [compile_query(request.query)] if request.query is not None else []
        filt: list[dict] = []
        if request.year_from is not None or request.year_to is not None:
            rng = {}
            if request.year_from is not None:
                rng["gte"] = request.year_from
            if request.year_to is not None:
                rng["lte"] = request.year_to
            filt.append({"range": {"year": rng}})
        if isinstance(request, RecommendationRequest) and request.smart_min is not None:
            filt.append({"range": {"smart_score": {"gte": request.smart_min}}})
        return {"bool": {"must": must or [{"match_all": {}}], "filter": filt}}

    def _sort(self, request: _Request) -> list[Any]:
        if request.sort == "relevance":
            return ["_score", {"id": "asc"}]
        order = "desc" if request.sort == "newest" else "asc"
        return [{"date_key": {"order": order, "missing": "_last"}}, {"id": "asc"}]

    def _run(self, index: str, request: _Request, facets: dict[str, str],
             source: list[str] | None = None,
             with_hits: Callable[[list[dict]], Any] | None = None):
        """Two requests sent at once: the page of hits (filters applied, no total) and the counts
        (no hits: the exact total and, if asked, the facets). ``with_hits`` (e.g. fetching
        highlights for the page) runs on the hits while the counts are still being computed, so
        latency is the slower of the two branches, not the sum. Returns (total, hits, facets,
        next cursor, what ``with_hits`` returned)."""
        query = self._base_query(request)
        all_filters = self._filters(request, facets, None)
        filtered = {"bool": {**query["bool"], "filter": query["bool"]["filter"] + all_filters}}
        if (request.sort == "relevance" and request.query is not None
                and index == self.alias["documents"]):
            filtered = ranked_query(filtered, request.query)
        hits_body: dict[str, Any] = {
            "query": filtered,
            "size": request.page_size + 1, "sort": self._sort(request),
            "track_total_hits": False, "_source": source or True,
        }
        if request.cursor:
            after = cursors.decode(request.cursor, request, self.cursor_key)
            if len(after) != 2:
                raise SearchError("invalid cursor", "cursor")
            hits_body["search_after"] = after
        counts_body = {"query": query, "size": 0, "track_total_hits": not all_filters,
                       "aggs": self._facet_aggs(request, facets, all_filters)}
        counted = self._pool.submit(self._search, index, counts_body)
        extra = None
        try:
            hits = self._search(index, hits_body)["hits"]["hits"]
            more = len(hits) > request.page_size
            hits = hits[:request.page_size]
            if with_hits is not None:
                extra = with_hits(hits)
        finally:
            counts = counted.result()
        next_cursor = None
        if more and hits:
            next_cursor = cursors.encode(list(hits[-1]["sort"]), request, self.cursor_key)
        found = counts.get("aggregations", {})
        total = found[FILTERED]["doc_count"] if all_filters else counts["hits"]["total"]["value"]
        out_facets: dict[str, list[dict]] = {}
        for name in facets if request.facets else []:
            agg = found[name] if name in request.filters else found.get(FILTERED, found).get(name)
            buckets = agg.get("v", agg)["buckets"]
            values = {str(b["key"]): b["doc_count"] for b in buckets}
            out_facets[name] = facet_list(name, values, request.filters.get(name, []),
                                          TAXONOMY_KIND.get(name))
        return total, hits, out_facets, next_cursor, extra

    def _facet_aggs(self, request: _Request, facets: dict[str, str],
                    all_filters: list[dict], *, per_group: bool = False) -> dict[str, Any]:
        """Multi-select facet counts with as few filter passes as possible: the facets without a
        filter of their own all count under every filter, so they share one ``filter`` agg
        (whose doc_count is also the total), or none when nothing is filtered; each filtered
        facet counts under the other facets' filters."""
        def terms(name: str) -> dict[str, Any]:
            agg: dict[str, Any] = {"terms": {"field": facets[name], "size": FACET_SIZE}}
            if per_group:  # counts of review recommendations, not of records
                agg["aggs"] = {"g": {"cardinality": {"field": "review_rec",
                                                     "precision_threshold": 40000}}}
            return agg

        shared = {n: terms(n) for n in facets if n not in request.filters} if request.facets else {}
        aggs: dict[str, Any] = {}
        if all_filters:
            aggs[FILTERED] = {"filter": {"bool": {"filter": all_filters}}, "aggs": shared}
        else:
            aggs.update(shared)
        for name in request.filters if request.facets else []:
            others = self._filters(request, facets, name)
            aggs[name] = ({"filter": {"bool": {"filter": others}}, "aggs": {"v": terms(name)}}
                          if others else terms(name))
        return aggs

    def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._call(self.es.search, index=index, **body)
        except ApiError as err:
            if err.meta.status == 400:
                raise SearchError(f"the search could not be run: {_reason(err)}", "q") from None
            raise BackendUnavailable(f"Elasticsearch error: {_reason(err)}") from None

    def search(self, request: DocumentRequest) -> SearchResponse:
        total, hits, facets, next_cursor, snippets = self._run(
            self.alias["documents"], request, DOC_FACETS, ["summary"],
            with_hits=(lambda hits: self._snippets_for([h["_id"] for h in hits], request.query))
            if request.snippets else None)
        results = []
        for hit in hits:
            summary = dict(hit["_source"]["summary"])
            summary["snippets"] = (snippets or {}).get(hit["_id"], [])
            results.append(summary)
        return SearchResponse(total, results, facets, next_cursor)

    def _snippets_for(self, ids: list[str], query: Any) -> dict[str, list[dict[str, Any]]]:
        """Page-numbered highlights for this page of hits only: a second, small request, so the
        nested page query is not evaluated for every matching document."""
        hq = _highlight_query(query) if query is not None else None
        if hq is None or not ids:
            return {}
        nested = {"nested": {
            "path": "pages", "query": hq, "score_mode": "max",
            "inner_hits": {"size": 3, "_source": False, "highlight": {
                "pre_tags": [PRE], "post_tags": [POST], "type": "unified",
                "fields": {"pages.text": {"number_of_fragments": 1, "fragment_size": 160}}}}}}
        res = self._call(self.es.search, index=self.alias["documents"], size=len(ids),
                         _source=False, query={"bool": {"filter": [{"ids": {"values": ids}}],
                                                        "must": [nested]}})
        return {h["_id"]: _snippets(h) for h in res["hits"]["hits"]}

    def search_recommendations(self, request: RecommendationRequest) -> SearchResponse:
        if request.by_review:
            return self._search_by_review(request)
        total, hits, facets, next_cursor, _ = self._run(self.alias["recommendations"], request,
                                                        REC_FACETS, ["body"])
        return SearchResponse(total, [recommendation_result(h["_source"]["body"]) for h in hits],
                              facets, next_cursor)

    def _search_by_review(self, request: RecommendationRequest) -> SearchResponse:
        """One hit per review recommendation: ``collapse`` on ``review_rec`` (each group's best
        copy, in the usual order), the total and the facet counts as ``cardinality`` of
        ``review_rec`` (exact up to the precision threshold, far above a facet's groups).
        Collapsed hits cannot use ``search_after`` with this sort, so the cursor carries the
        offset (pages go as deep as ``index.max_result_window`` groups)."""
        index = self.alias["recommendations"]
        query = self._base_query(request)
        all_filters = self._filters(request, REC_FACETS, None)
        filtered = {"bool": {**query["bool"], "filter": query["bool"]["filter"] + all_filters}}
        offset = 0
        if request.cursor:
            after = cursors.decode(request.cursor, request, self.cursor_key)
            if len(after) != 1 or not isinstance(after[0], int) or after[0] < 0:
                raise SearchError("invalid cursor", "cursor")
            offset = after[0]
        hits_body: dict[str, Any] = {
            "query": filtered, "from": offset, "size": request.page_size + 1,
            "sort": self._sort(request), "collapse": {"field": "review_rec"},
            "track_total_hits": False, "_source": ["body"]}
        groups = {"cardinality": {"field": "review_rec", "precision_threshold": 40000}}
        aggs = self._facet_aggs(request, REC_FACETS, all_filters, per_group=True)
        aggs["total-groups"] = ({"filter": {"bool": {"filter": all_filters}},
                                 "aggs": {"g": groups}} if all_filters else groups)
        counted = self._pool.submit(self._search, index, {"query": query, "size": 0,
                                                          "track_total_hits": False,
                                                          "aggs": aggs})
        try:
            hits = self._search(index, hits_body)["hits"]["hits"]
        finally:
            found = counted.result().get("aggregations", {})
        more = len(hits) > request.page_size
        hits = hits[:request.page_size]
        next_cursor = (cursors.encode([offset + len(hits)], request, self.cursor_key)
                       if more and hits else None)
        tg = found["total-groups"]
        total = int(tg.get("g", tg)["value"])
        out_facets: dict[str, list[dict]] = {}
        for name in REC_FACETS if request.facets else []:
            agg = found[name] if name in request.filters else found.get(FILTERED, found).get(name)
            buckets = agg.get("v", agg)["buckets"]
            values = {str(b["key"]): int(b["g"]["value"]) for b in buckets}
            out_facets[name] = facet_list(name, values, request.filters.get(name, []),
                                          TAXONOMY_KIND.get(name))
        results = [recommendation_result(h["_source"]["body"]) for h in hits]
        keys = [r["review_recommendation"] for r in results if r["review_recommendation"]]
        copies: list[dict[str, Any]] = []
        if keys:
            res = self._search(index, {"query": {"terms": {"review_rec": keys}},
                                       "size": 10000, "_source": ["body"]})
            copies = [recommendation_result(h["_source"]["body"]) for h in res["hits"]["hits"]]
        with_copies(results, copies)
        return SearchResponse(total, results, out_facets, next_cursor)

    def similar(self, doc_id: str, *, size: int = 10) -> list[dict[str, Any]]:
        # The matching field is not kept in _source, so give more_like_this the page text.
        try:
            hit = self._call(self.es.get, index=self.alias["documents"], id=doc_id,
                             source_includes=["pages"])
        except NotFoundError:
            return []
        text = normalize_for_index(" ".join(p["text"] for p in hit["_source"].get("pages", [])))
        if not text:
            return []
        query = {"bool": {
            "must": [{"more_like_this": {
                "fields": ["text"], "like": text[:100_000], "min_term_freq": 1,
                "min_doc_freq": 1, "max_query_terms": 25, "minimum_should_match": "10%"}}],
            "must_not": [{"ids": {"values": [doc_id]}}]}}
        res = self._call(self.es.search, index=self.alias["documents"], query=query,
                         size=size, _source=["summary"])
        return [h["_source"]["summary"] for h in res["hits"]["hits"]]

    def stats(self) -> dict[str, Any]:
        docs = self._call(self.es.search, index=self.alias["documents"], size=0, aggs={
            "by_year": {"terms": {"field": "year", "size": 500, "order": {"_key": "asc"}},
                        "aggs": {"themes": {"terms": {"field": "themes", "size": 100,
                                                      "order": {"_key": "asc"}}}}},
            "by_agency": {"terms": {"field": "agencies", "size": 100}},
            "by_review_type": {"terms": {"field": "review_type", "size": 20}},
        }, track_total_hits=True)
        recs = self._call(self.es.search, index=self.alias["recommendations"], size=0, aggs={
            "by_agency": {"terms": {"field": "agency", "size": 100}}}, track_total_hits=True)
        a = docs["aggregations"]

        def ordered(buckets, key, count_name):
            items = sorted(((b["key"], b["doc_count"]) for b in buckets),
                           key=lambda x: (-x[1], x[0]))
            return [{key: k, count_name: c} for k, c in items]

        return {
            "documents": docs["hits"]["total"]["value"],
            "recommendations": recs["hits"]["total"]["value"],
            "by_year": [{"year": b["key"], "count": b["doc_count"]}
                        for b in a["by_year"]["buckets"]],
            "themes_by_year": [{"year": b["key"], "theme": t["key"], "count": t["doc_count"]}
                               for b in a["by_year"]["buckets"] for t in b["themes"]["buckets"]],
            "by_agency": ordered(a["by_agency"]["buckets"], "agency", "documents"),
            "recommendations_by_agency": ordered(recs["aggregations"]["by_agency"]["buckets"],
                                                 "agency", "recommendations"),
            "by_review_type": ordered(a["by_review_type"]["buckets"], "review_type", "count"),
        }


def _snippets(hit: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    inner = hit.get("inner_hits", {}).get("pages", {}).get("hits", {}).get("hits", [])
    for page_hit in inner:
        fragments = page_hit.get("highlight", {}).get("pages.text")
        if fragments:
            out.append({"page": page_hit["_nested"]["offset"] + 1,
                        "html": safe_snippet(fragments[0])})
    return out


def _reason(err: ApiError) -> str:
    try:
        return err.body["error"]["root_cause"][0]["reason"][:300]
    except (KeyError, IndexError, TypeError):
        return str(err)[:300]
