"""A suppression survives everything that writes the index: ``dhr index --rebuild``, a new
extractor version re-extracting the file, a new document of a suppressed review. Hard deletion
(a legal order) removes the file, its versions and index entries, keeps a tombstone and the
audit entry, and the bytes are never stored again. The ``dhr takedown`` commands. Both search
backends and both tracker databases where the index is involved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from accountability.audit import verify
from dhr.store import TombstonedError
from orchestration.cli import cli
from orchestration.pipeline import index_pending, store_local_files
from tests.tracker.helpers import audit_entries, detail

from .conftest import NAME, NAME_QUERY, REVIEW_WORD, SITE, WHOLE, bearer, file_bytes, make_document


def config_file(world, tmp_path: Path) -> Path:
    cfg = world.cfg
    raw = {"storage": {"data_dir": str(cfg.data_dir)},
           "search": {"backend": cfg.search.backend},
           "tracker": {"database_url": cfg.tracker.database_url}}
    if cfg.search.backend == "elasticsearch":
        raw["search"]["elasticsearch"] = {"url": cfg.search.elasticsearch.urls[0],
                                          "index_prefix": cfg.search.elasticsearch.index_prefix}
    path = tmp_path / "takedown-config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def run(args: list[str], config: Path, **kw):
    result = CliRunner().invoke(cli, [*args, "--config", str(config)], **kw)
    return result


def api_total(world, q: str) -> int:
    return world.app.test_client().get(f"/api/v1/search?q={q}").get_json()["total"]


def test_rebuild_re_extraction_and_new_documents_keep_it_suppressed(world, tmp_path):
    client = world.app.test_client()
    admin = bearer(world.tokens["admin"])
    doc = world.id("partial-summary")
    for body in ({"document": doc, "category": "unredacted_personal_data", "reason": "Name."},
                 {"review_key": WHOLE, "category": "family_request", "reason": "Family."}):
        assert client.post("/api/v1/admin/suppressions", json=body,
                           headers=admin).status_code == 201
    assert (api_total(world, NAME_QUERY), api_total(world, REVIEW_WORD)) == (0, 0)
    docs_before = client.get("/api/v1/facets").get_json()["total"]

    result = run(["index", "--rebuild"], config_file(world, tmp_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["indexed"] == docs_before
    world.backend.refresh()
    assert (api_total(world, NAME_QUERY), api_total(world, REVIEW_WORD)) == (0, 0)
    assert client.get(f"/api/v1/documents/{doc}").status_code == 404

    # A new extractor version re-extracts the suppressed file; a new letter of the withdrawn
    # review is ingested.
    store = world.store
    old = world.docs["partial-summary"]
    store.put_document(old.model_copy(update={"extractor_version": "2.0.0"}))
    store.invalidate_index([doc])
    letter = make_document("whole-letter", review_key=WHOLE, pseudonym="Zephyrine", area="Wigan",
                           doc_type="home_office_letter", recs=[],
                           text=f"Letter about the review near {REVIEW_WORD}.")
    store.put(file_bytes("whole-letter", f"Letter about the review near {REVIEW_WORD}."),
              ext="pdf", filename="whole-letter.pdf")
    store.put_document(letter)
    summary = index_pending(store, world.backend)
    assert summary["indexed"] == 0 and summary["failed"] == []
    assert (api_total(world, NAME_QUERY), api_total(world, REVIEW_WORD)) == (0, 0)
    assert client.get(f"/api/v1/documents/{letter.id}").status_code == 404
    assert letter.id in store.withheld_files()  # withheld with its review, not read again
    assert index_pending(store, world.backend)["pending"] == 0
    # Nothing was deleted: the files, both extracted versions and the sightings are there.
    assert store.has_file(doc) and store.get_document(doc, "1.0.0") is not None
    assert store.get_document(doc, "2.0.0") is not None
    assert [s["url"] for s in store.sightings_of(doc)] == [SITE + "partial-summary.pdf"]
    assert verify(world.engine).ok


def test_hard_deletion_keeps_a_tombstone_and_never_stores_the_file_again(world, tmp_path):
    client = world.app.test_client()
    admin = bearer(world.tokens["admin"])
    doc = world.id("partial-summary")
    content = file_bytes("partial-summary", f"Executive summary. Sam's neighbour {NAME} called "
                         "the police twice.")
    sup = client.post("/api/v1/admin/suppressions", headers=admin, json={
        "document": doc, "category": "legal_request", "reason": "Court order pending."})
    sup_id = sup.get_json()["id"]
    resp = client.post(f"/api/v1/admin/suppressions/{sup_id}/delete", headers=admin,
                       json={"reason": "Order of the court, ref. SYN-0001 (synthetic)",
                             "confirm": True})
    assert resp.status_code == 200 and resp.get_json()["state"] == "deleted"
    store = world.store
    assert not store.has_file(doc) and store.get_document(doc) is None
    assert not list(store.files_dir.rglob(f"{doc}.*"))
    tomb = {(t["kind"], t["value"]): t for t in store.tombstones()}
    assert tomb[("sha256", doc)]["reason"] == "Order of the court, ref. SYN-0001 (synthetic)"
    assert ("url", SITE + "partial-summary.pdf") in tomb
    entry = [e for e in audit_entries(world.engine) if e.action == "takedown.delete"]
    assert len(entry) == 1 and detail(entry[0])["sha256"] == [doc]
    assert client.get(f"/api/v1/documents/{doc}").status_code == 404
    assert client.get(f"/api/v1/documents/{doc}/file").status_code == 404
    assert api_total(world, NAME_QUERY) == 0
    # Deleted cannot be restored, and the bytes are never stored again, from any path.
    assert client.post(f"/api/v1/admin/suppressions/{sup_id}/restore", headers=admin,
                       json={"reason": "Oops."}).status_code == 409
    with pytest.raises(TombstonedError):
        store.put(content, ext="pdf")
    local = tmp_path / "incoming" / "copy.pdf"
    local.parent.mkdir()
    local.write_bytes(content)
    assert store_local_files(store, [local.parent]) == []
    assert not store.has_file(doc)
    files = run(["files", "--json"], config_file(world, tmp_path))
    rows = {json.loads(line)["sha256"]: json.loads(line) for line in files.output.splitlines()}
    assert rows[doc]["status"] == "deleted"
    # Rebuilding the index does not bring it back.
    assert run(["index", "--rebuild"], config_file(world, tmp_path)).exit_code == 0
    world.backend.refresh()
    assert api_total(world, NAME_QUERY) == 0
    assert verify(world.engine).ok


def test_the_takedown_commands(sqlite_world, tmp_path):
    world = sqlite_world
    config = config_file(world, tmp_path)
    doc = world.id("partial-summary")
    made = run(["takedown", "suppress", "--document", doc, "--category",
                "unredacted_personal_data", "--reason", "The summary names a neighbour."], config)
    assert made.exit_code == 0, made.output
    sup = json.loads(made.output)
    assert sup["state"] == "active" and sup["documents"] == [doc]
    assert world.app.test_client().get(f"/api/v1/documents/{doc}").status_code == 404
    listed = run(["takedown", "list", "--json"], config)
    assert [json.loads(line)["id"] for line in listed.output.splitlines()] == [sup["id"]]
    assert run(["takedown", "suppress", "--document", doc, "--category", "superseded",
                "--reason", "again"], config).exit_code == 2  # already suppressed
    assert run(["takedown", "suppress", "--review", "no-such-review", "--category",
                "superseded", "--reason", "x"], config).exit_code == 2
    assert run(["takedown", "delete", sup["id"], "--reason", "order"], config).exit_code == 2
    synced = run(["takedown", "sync"], config)
    assert synced.exit_code == 0 and json.loads(synced.output)["suppressions"] == 1
    back = run(["takedown", "restore", sup["id"], "--reason", "A redacted copy replaced it."],
               config)
    assert back.exit_code == 0 and json.loads(back.output)["state"] == "restored"
    assert world.app.test_client().get(f"/api/v1/documents/{doc}").status_code == 200
    assert [e.action for e in audit_entries(world.engine) if e.action.startswith("takedown")] \
        == ["takedown.suppress", "takedown.restore"]
    assert all(e.actor.startswith("cli") for e in audit_entries(world.engine)
               if e.action.startswith("takedown"))


def test_a_document_suppressed_while_a_batch_is_being_indexed_is_withdrawn_again(sqlite_world):
    """The nightly run read a batch before the admin suppressed one of its documents and writes
    it after: the indexer looks again once it has written, removes it and does not record it
    as indexed (so the suppression wins whichever comes first)."""
    from dhr.takedown import withdraw_late

    world = sqlite_world
    store, backend = world.store, world.backend
    doc = world.docs["partial-summary"]
    store.withhold("sup-0000000000000001", sha256s=[doc.id])  # the store step of a suppression
    backend.index_documents([doc])                              # ... the late write of the batch
    assert api_total(world, NAME_QUERY) == 1
    assert withdraw_late(store, backend, [doc, world.docs["keep-overview"]]) == {doc.id}
    assert api_total(world, NAME_QUERY) == 0
    assert world.app.test_client().get(
        f"/api/v1/documents/{world.id('keep-overview')}").status_code == 200
