"""A small repository for the takedown tests, on each search backend and each tracker database.

Three synthetic reviews (no real names; each Document says it is synthetic), stored, indexed and
synced into the tracker exactly as ingest does it:

- ``rk-keep``: an overview report and an executive summary that stay public throughout;
- ``rk-partial``: an overview report that stays public, and an executive summary that printed
  an unredacted name (:data:`NAME`) and a recommendation found nowhere else: the document an
  admin suppresses on its own;
- ``rk-whole``: an overview report and an action plan of a review a family asked to withdraw
  (pseudonym :data:`PSEUDONYM`): the review an admin suppresses whole.

Accounts: an admin, an oversight user and an editor (with write tokens), plus the admin's
read-scope token.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from accountability.accounts import add_user, create_token
from accountability.db import create_tracker_engine, read_session, upgrade
from accountability.models import Appearance, ReviewRecommendation
from accountability.organisations import seed_registry
from accountability.sync import sync_store
from dhr.document import Document
from dhr.search import open_backend
from dhr.store import CorpusStore
from orchestration.pipeline import index_pending
from tests.conftest import make_config
from tests.tracker.conftest import (  # noqa: F401 - fixtures shared with the tracker suite
    PASSWORD,
    fast_password_hashing,
    pg_server,
)

NAME = "Quillon Marchbank"          # the unredacted name, only in the suppressed summary
NAME_QUERY = "Quillon"               # what a searcher types (echoed by search pages)
UNIQUE_REC = ("Tarnwick Housing Trust to record every report of abuse from a tenant and "
              "review its tenancy enforcement policy with the partnership.")
PSEUDONYM = "Zephyrine"             # the review suppressed whole
REVIEW_WORD = "Brackenfold"          # a word only that review's documents use
WHOLE, PARTIAL, KEEP = "rk-whole", "rk-partial", "rk-keep"
SITE = "https://www.example-council.gov.test/dhr/"

GMP = {"id": "greater-manchester-police", "name": "Greater Manchester Police"}
HOME_OFFICE = {"id": "home-office", "name": "Home Office"}


def file_bytes(label: str, text: str) -> bytes:
    return f"Synthetic test file {label} (not a real report). {text}".encode()


def make_document(label: str, *, review_key: str, pseudonym: str, area: str, doc_type: str,
                  text: str, recs: list[tuple[str, str, dict]],
                  extractor_version: str = "1.0.0") -> Document:
    sha = hashlib.sha256(file_bytes(label, text)).hexdigest()
    return Document.model_validate({
        "id": sha, "filename": f"{label}.pdf", "format": "pdf",
        "extractor_version": extractor_version, "page_count": 2, "doc_type": doc_type,
        "title": f"Domestic Homicide Review: {doc_type.replace('_', ' ')} ({pseudonym})",
        "review_key": review_key,
        "review": {"pseudonym": pseudonym, "area": area, "date_of_death": "2020"},
        "pages": [text, "Synthetic page two: lessons on risk assessment."],
        "recommendations": [
            {"number": n, "text": t, "page": 2, "organisation": owner,
             "organisations": [owner], "owner_source": "text"} for n, t, owner in recs],
        "provenance": {"synthetic": True},
    })


def corpus() -> dict[str, tuple[Document, bytes]]:
    keep_recs = [("1", ("Greater Manchester Police to brief response officers on coercive "
                  "control at every domestic abuse call."), GMP)]
    partial_recs = [("1", ("The Home Office to publish guidance on sharing risk information "
                     "between areas."), HOME_OFFICE)]
    whole_recs = [("1", (f"Greater Manchester Police to review {REVIEW_WORD} station's "
                   "handling of repeat calls."), GMP),
                  ("2", f"The Home Office to fund a {REVIEW_WORD} advocacy service.",
                   HOME_OFFICE)]
    specs = {
        "keep-overview": {"review_key": KEEP, "pseudonym": "Robin", "area": "Bolton",
                              "doc_type": "overview_report", "recs": keep_recs,
                              "text": "The review of the death of Robin in Bolton."},
        "keep-summary": {"review_key": KEEP, "pseudonym": "Robin", "area": "Bolton",
                             "doc_type": "executive_summary", "recs": keep_recs,
                             "text": "Executive summary of the review of the death of Robin."},
        "partial-overview": {"review_key": PARTIAL, "pseudonym": "Sam", "area": "Oldham",
                                 "doc_type": "overview_report", "recs": partial_recs,
                                 "text": "The review of the death of Sam in Oldham."},
        "partial-summary": {"review_key": PARTIAL, "pseudonym": "Sam", "area": "Oldham",
                                "doc_type": "executive_summary",
                                "recs": [*partial_recs, ("2", UNIQUE_REC, GMP)],
                                "text": f"Executive summary. Sam's neighbour {NAME} called "
                                     "the police twice."},
        "whole-overview": {"review_key": WHOLE, "pseudonym": PSEUDONYM, "area": "Wigan",
                               "doc_type": "overview_report", "recs": whole_recs,
                               "text": f"The review of the death of {PSEUDONYM} near "
                                    f"{REVIEW_WORD}."},
        "whole-plan": {"review_key": WHOLE, "pseudonym": PSEUDONYM, "area": "Wigan",
                           "doc_type": "action_plan", "recs": whole_recs,
                           "text": f"Action plan for the review of {PSEUDONYM}, {REVIEW_WORD}."},
    }
    out = {}
    for label, spec in specs.items():
        doc = make_document(label, **spec)  # type: ignore[arg-type]
        out[label] = (doc, file_bytes(label, spec["text"]))  # type: ignore[index]
    return out


@dataclass
class World:
    cfg: object
    engine: object
    backend: object
    app: object
    docs: dict[str, Document]
    tokens: dict[str, str]
    recs: dict[str, list[str]] = field(default_factory=dict)  # review_key -> rec ids
    partial_only_rec: str = ""  # the recommendation printed only in the suppressed summary

    @property
    def store(self) -> CorpusStore:
        return self.app.extensions["dhr"].store

    def id(self, label: str) -> str:
        return self.docs[label].id


PEOPLE = {"admin": ("admin@example.org", "home-office", "admin"),
          "oversight": ("oversight@example.org", "domestic-abuse-commissioner", "oversight"),
          "editor": ("gmp-editor@example.org", "greater-manchester-police", "editor")}


def build_world(tmp_path: Path, backend_name: str, es_url: str | None, db_url: str) -> World:
    from search_api.app import create_app

    cfg = make_config(tmp_path, backend_name, es_url, tracker={"database_url": db_url})
    store = CorpusStore(cfg.data_dir)
    docs = {}
    for label, (doc, content) in corpus().items():
        assert store.put(content, ext="pdf", filename=doc.filename).sha256 == doc.id
        store.record_sighting(SITE + doc.filename, doc.id, source="council")
        store.put_document(doc)
        docs[label] = doc
    backend = open_backend(cfg)
    index_pending(store, backend)
    engine = create_tracker_engine(db_url)
    upgrade(engine)
    seed_registry(engine)
    sync_store(engine, cfg.data_dir)
    tokens = {}
    for key, (email, org, role) in PEOPLE.items():
        add_user(engine, email, PASSWORD, org, role)
        tokens[key] = create_token(engine, email, scope="write")[0]
    tokens["admin_read"] = create_token(engine, "admin@example.org", scope="read")[0]
    app = create_app(cfg, backend=backend, store=store, tracker_engine=engine)
    app.config["TESTING"] = False  # CSRF and rate limits stay on, as in production
    world = World(cfg, engine, backend, app, docs, tokens)
    with read_session(engine) as s:
        for r in s.scalars(select(ReviewRecommendation)):
            world.recs.setdefault(r.review_key, []).append(r.id)
        partial_summary = docs["partial-summary"].id
        only = [r.id for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == PARTIAL))
            if {a.document_id for a in s.scalars(select(Appearance).where(
                Appearance.recommendation_id == r.id))} == {partial_summary}]
    assert len(only) == 1, "the summary's own recommendation is one review recommendation"
    world.partial_only_rec = only[0]
    return world


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("pg_server").create_database()


@pytest.fixture(params=["sqlite", "elasticsearch"])
def world(request, tmp_path: Path, db_url: str):
    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    w = build_world(tmp_path, request.param, es_url, db_url)
    yield w
    w.engine.dispose()
    if request.param == "elasticsearch":
        from tests.conftest import _drop_es

        _drop_es(w.cfg)


@pytest.fixture
def sqlite_world(tmp_path: Path, db_url: str):
    """The world on the embedded search backend only (both databases)."""
    w = build_world(tmp_path, "sqlite", None, db_url)
    yield w
    w.engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
