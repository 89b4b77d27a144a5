"""``dhr export DIR --format csv|parquet``: the research dataset, on SQLite and PostgreSQL.

The tracker world's two reviews are put in a real store (their Documents with file bytes whose
sha256 is the Document id), a synthetic DHRD folder matches one of them, and updates add a
public and a non-public note. The export must hold every table with the codebook describing
every column, join on stable keys, carry the DHRD licence, and hold nothing private.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from accountability.research_export import TABLES, ExportError, export_dataset
from accountability.sync import sync_documents
from dhr.store import CorpusStore
from orchestration.cli import cli
from orchestration.dhrd_import import import_dhrd

from .conftest import bearer, standard_review
from .docs import document

PRIVATE = "PRIVATE-NOTE-export-5d1e: named member of staff"
PUBLIC = "Public note: training delivered"


def _write_dhrd(folder: Path) -> None:
    folder.mkdir()
    (folder / "incidents.csv").write_text(
        "incident_id,csp,region,death_date,multiple_victims,coercive_control\n"
        "INC-0001,Bolton,North West,March 2022,False,True\n"
        "INC-0002,Nowhere Synthetic,North West,May 2019,False,False\n")
    (folder / "victims.csv").write_text(
        "victim_id,incident_id,age_at_death,relationship_to_perpetrator,victim_vuln_alcohol\n"
        "VIC-0001,INC-0001,25-34,Ex-partner,True\n")
    (folder / "perpetrators.csv").write_text(
        "perpetrator_id,incident_id,sex_of_perpetrator,court_verdict\n"
        "SUS-0001,INC-0001,Male,Murder\n")


@pytest.fixture
def research(tmp_path, cfg, engine, world, client):
    docs = [*standard_review(), document("b-overview", review_key="review-b", year="2022-03",
                                         recs=[("1", "Agencies should share risk.", [])])]
    sync_documents(engine, docs[3:])
    store = CorpusStore(cfg.data_dir)
    for label, doc in zip(("overview", "summary", "plan", "b-overview"), docs, strict=True):
        assert store.put(label.encode(), ext="pdf", filename=f"{label}.pdf").sha256 == doc.id
        store.put_document(doc)
    store.close()
    _write_dhrd(tmp_path / "dhrd")
    result = import_dhrd(cfg, tmp_path / "dhrd", None)
    assert result.report.counts()["matched"] == 1
    post = "/api/v1/review-recommendations/{}/updates"
    client.post(post.format(world.recs["1"]), headers=bearer(world.tokens["gmp"]),
                json={"status": "completed", "note": PUBLIC, "public": True})
    client.post(post.format(world.recs["3"]), headers=bearer(world.tokens["gmp"]),
                json={"status": "in_progress", "note": PRIVATE, "public": False})
    return docs


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_csv_export_has_every_table_a_codebook_line_per_column_and_stable_keys(
        tmp_path, cfg, engine, research, world):
    out = tmp_path / "out"
    counts = export_dataset(cfg.data_dir, engine, out, fmt="csv", progress=lambda m: None)
    assert set(counts) == set(TABLES)
    codebook = read_csv(out / "codebook.csv")
    for table in TABLES:
        rows = read_csv(out / f"{table}.csv")
        assert len(rows) == counts[table]
        with (out / f"{table}.csv").open() as fh:
            header = next(csv.reader(fh))
        assert header == [c["column"] for c in codebook if c["table"] == table]
    assert all(c["type"] and c["meaning"] for c in codebook)
    reviews = {r["review_key"]: r for r in read_csv(out / "reviews.csv")}
    assert set(reviews) == {"review-a", "review-b"}
    documents = {d["document_id"]: d for d in read_csv(out / "documents.csv")}
    assert set(documents) == {d.id for d in research}
    recs = {r["review_recommendation_id"]: r for r in read_csv(out / "recommendations.csv")}
    assert set(world.recs.values()) <= set(recs)
    assert all(r["review_key"] in reviews for r in recs.values())
    assert all(d["review_key"] in reviews for d in documents.values())
    for a in read_csv(out / "appearances.csv"):
        assert a["review_recommendation_id"] in recs and a["document_id"] in documents
    actions = read_csv(out / "actions.csv")
    assert actions and all(a["review_recommendation_id"] in recs for a in actions
                           if a["review_recommendation_id"])
    no_owner = [r for r in recs.values() if r["review_key"] == "review-b"]
    assert [r["no_owner"] for r in no_owner] == ["true"]
    assert recs[world.recs["2"]]["owner_levels"] == "government_department"
    assert recs[world.recs["1"]]["status"] == "completed"
    themes = read_csv(out / "themes.csv")
    assert all(t["document_id"] in documents for t in themes)
    tags = read_csv(out / "dhrd_tags.csv")
    assert {(t["review_key"], t["tag"], t["value"]) for t in tags} >= {
        ("review-b", "dhrd_relationship", "Ex-partner"), ("review-b", "dhrd_verdict", "Murder")}
    assert reviews["review-b"]["dhrd_incident_ids"] == "INC-0001"
    readme = (out / "README.md").read_text()
    assert "CC-BY-4.0" in readme and "Cook" in readme
    groups = {g["recurring_group_id"]: g for g in read_csv(out / "recurring_groups.csv")}
    grouped = [r["recurring_group_id"] for r in read_csv(out / "recommendations.csv")
               if r["recurring_group_id"]]
    assert grouped and set(grouped) <= set(groups)  # a stable join key
    assert all(g["label"] and int(g["size"]) >= 1 for g in groups.values())


def test_the_export_holds_nothing_private(tmp_path, cfg, engine, research):
    out = tmp_path / "out"
    export_dataset(cfg.data_dir, engine, out, fmt="csv", progress=lambda m: None)
    everything = "".join(p.read_text() for p in out.iterdir())
    assert PRIVATE not in everything and "@example.org" not in everything
    assert PUBLIC in (out / "updates.csv").read_text()


def test_parquet_holds_the_same_rows_as_csv(tmp_path, cfg, engine, research):
    import pyarrow.parquet as pq

    export_dataset(cfg.data_dir, engine, tmp_path / "c", fmt="csv", progress=lambda m: None)
    export_dataset(cfg.data_dir, engine, tmp_path / "p", fmt="parquet", progress=lambda m: None)
    for table, columns in TABLES.items():
        got = pq.read_table(tmp_path / "p" / f"{table}.parquet").to_pylist()
        want = read_csv(tmp_path / "c" / f"{table}.csv")
        assert len(got) == len(want), table
        for g, w in zip(got, want, strict=True):
            for c in columns:
                v = g[c.name]
                text = "" if v is None else ("true" if v is True else "false" if v is False
                                             else str(v))
                assert text == w[c.name], (table, c.name)


def test_statuses_and_updates_are_left_out_where_the_deployment_keeps_them_private(
        tmp_path, cfg, engine, research):
    out = tmp_path / "out"
    export_dataset(cfg.data_dir, engine, out, fmt="csv", public_status=False,
                   progress=lambda m: None)
    assert {r["status"] for r in read_csv(out / "recommendations.csv")} == {""}
    assert read_csv(out / "updates.csv") == []


def test_the_command_reports_progress_and_refuses_a_folder_that_is_not_empty(
        tmp_path, cfg, research):
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps({"storage": {"data_dir": str(cfg.data_dir)},
                                "tracker": {"database_url": cfg.tracker_database_url}}))
    runner = CliRunner()
    out = runner.invoke(cli, ["export", str(tmp_path / "ds"), "--format", "csv", "--config",
                              str(path)])
    assert out.exit_code == 0, out.output
    assert "wrote recommendations.csv" in out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["rows"]["reviews"] == 2
    again = runner.invoke(cli, ["export", str(tmp_path / "ds"), "--config", str(path)])
    assert again.exit_code == 2 and "not an empty folder" in again.stderr
    bad = runner.invoke(cli, ["export", str(tmp_path / "x"), "--format", "xlsx", "--config",
                              str(path)])
    assert bad.exit_code == 2 and not (tmp_path / "x").exists()
    with pytest.raises(ExportError):
        export_dataset(cfg.data_dir, None, tmp_path / "y", fmt="xlsx")  # type: ignore[arg-type]
