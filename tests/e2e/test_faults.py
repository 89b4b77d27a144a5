"""Fault tolerance with real processes: nothing fetched is ever lost, no run blocks the next.

- ``dhr nightly`` stopped with SIGTERM, then SIGKILLed, in the middle of a crawl: the next run
  takes the stale lock over, stops the crawler the killed run left behind, resumes, and ends
  with every file stored and indexed exactly once;
- a stored file whose extractor version is out of date is extracted and indexed again;
- a second run while one holds the lock exits at once with a clear message;
- Elasticsearch unreachable: files stored, Documents extracted, indexing pending, exit 1; the
  next run (Elasticsearch back) indexes the backlog;
- ``dhr ingest`` SIGKILLed mid-index: the embedded index holds whole batches only (one
  transaction each) and the next run completes it.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dhr.config import Config, config_from_dict
from dhr.lock import RunLock, read_holder
from dhr.store import CorpusStore
from orchestration.demo_sites import LISTING
from orchestration.nightly import lock_path, run_nightly
from samples.sites import FixtureSites

from .conftest import (
    Api,
    drop_es,
    load_report,
    nightly_config,
    publish,
    review_files,
    run_dhr,
    start_dhr,
)

SLOW = 6.0  # seconds each report file takes to serve while a run is to be interrupted


def _doc_routes(sites: FixtureSites) -> list[tuple[str, str]]:
    out = []
    for e in sites.manifest["documents"]:
        host, _, path = e["url"].split("://", 1)[1].replace(":__PORT__", "").partition("/")
        out.append((host, "/" + path))
    return out


def _wait_for_listings(sites: FixtureSites, since: int, timeout: float = 90) -> None:
    """Until both sources' listing pages were served after log entry ``since``, and a moment
    more: the report files are then being downloaded (each takes ``SLOW`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        paths = {r["path"] for r in sites.requests[since:] if r["status"] == 200}
        if LISTING in paths and any(p.startswith("/?") for p in paths):
            time.sleep(1.0)
            return
        time.sleep(0.05)
    raise AssertionError(f"the listing pages were not served within {timeout}s")


def _crawler_processes(cfg: Config) -> list[int]:
    jobdir = str(Path(cfg.data_dir) / "crawl-jobs")
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"crawler.run" in args and jobdir.encode() in args:
                found.append(int(entry.name))
    return found


@dataclass
class Interrupted:
    cfg: Config
    sites: FixtureSites
    results: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def interrupted(corpus_files, tmp_path_factory) -> Interrupted:
    """Night A: SIGTERM mid-crawl. Night B: SIGKILL mid-crawl. Night C: completes.
    Night D: after the stored Documents were marked as made by an older extractor."""
    tmp = tmp_path_factory.mktemp("interrupted")
    sites = publish(tmp / "sites", review_files(corpus_files, 2)).start()
    # One request at a time per site, so that an interrupted run leaves files to fetch.
    cfg = nightly_config(tmp, sites, "sqlite", concurrent_requests_per_domain=1)
    run = Interrupted(cfg, sites)
    routes = _doc_routes(sites)
    try:
        for host, path in routes:
            sites.set_route(host, path, delay=SLOW)
        # Night A: SIGTERM (systemd stop, kill) while report files are downloading.
        proc = start_dhr("nightly", "--report", str(tmp / "night-a.json"), config=cfg)
        _wait_for_listings(sites, 0)
        t = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        run.results["a"] = {"code": proc.returncode, "stderr": err, "stdout": out,
                            "stop_s": time.monotonic() - t, "crawlers": _crawler_processes(cfg),
                            "report": load_report(tmp / "night-a.json")}
        # Night B: SIGKILL (OOM killer, power cut) as soon as its crawler has started.
        proc = start_dhr("nightly", config=cfg)
        deadline = time.monotonic() + 60
        while not _crawler_processes(cfg) and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.kill()
        proc.wait(timeout=30)  # (not communicate(): the orphan keeps the output pipes open)
        run.results["b"] = {"pid": proc.pid, "holder": read_holder(lock_path(cfg)),
                            "orphans": _crawler_processes(cfg)}
        for host, path in routes:
            sites.set_route(host, path, delay=0)
        # Night C: completes what A and B left.
        run.results["c"] = {"report": run_nightly(cfg, quiet=True),
                            "crawlers": _crawler_processes(cfg)}
        proc.communicate(timeout=30)
        # Night D: the Documents were made by an older extractor: extract and index them again.
        with sqlite3.connect(Path(cfg.data_dir) / "catalog.sqlite") as db:
            db.execute("UPDATE files SET extractor_version='0.0.0-old' WHERE status='extracted'")
        run.results["d"] = {"report": run_nightly(cfg, quiet=True)}
        yield run
    finally:
        sites.stop()


def test_sigterm_stops_the_run_promptly_with_a_report(interrupted: Interrupted) -> None:
    a = interrupted.results["a"]
    assert a["code"] == 1, a["stderr"]
    assert a["stop_s"] < SLOW + 30
    assert a["report"]["interrupted"] is True
    assert "interrupted" in a["report"]["failures"][0]["reason"]
    assert a["crawlers"] == []  # the crawler child stopped with it


def test_sigkilled_run_leaves_its_record_in_the_lock(interrupted: Interrupted) -> None:
    b = interrupted.results["b"]
    assert b["holder"]["pid"] == b["pid"]
    assert b["orphans"], "the killed run's crawler should outlive it (that is what is tested)"


def test_next_run_takes_the_stale_lock_over_and_stops_the_orphan(interrupted: Interrupted) -> None:
    b, c = interrupted.results["b"], interrupted.results["c"]
    lock = c["report"]["lock"]
    assert lock["stale_taken_over"]["pid"] == b["pid"]
    assert set(lock["stopped_orphans"]) == set(b["orphans"])
    assert c["crawlers"] == []


def test_after_interruptions_every_file_is_stored_and_indexed_once(
        interrupted: Interrupted) -> None:
    c = interrupted.results["c"]["report"]
    assert c["exit_code"] == 0, c["failures"]
    cfg = interrupted.cfg
    store = CorpusStore(cfg.data_dir)
    files = list(store.list_files())
    published = {e["sha256"] for e in interrupted.sites.manifest["documents"]}
    assert {f.sha256 for f in files} == published
    assert all(len(f.urls) == 1 and f.status == "extracted" for f in files)
    with Api(cfg) as api:
        found = api.all("/api/v1/search")
    assert sorted(r["id"] for r in found) == sorted(published)


def test_outdated_extractor_version_is_extracted_and_indexed_again(
        interrupted: Interrupted) -> None:
    d = interrupted.results["d"]["report"]
    n = len(interrupted.sites.manifest["documents"])
    assert d["exit_code"] == 0
    assert (d["stages"]["crawl"]["downloaded"], d["stages"]["extract"]["re_extracted"]) == (0, n)
    assert d["stages"]["index"]["indexed"] == n
    from ingest.extract import EXTRACTOR_VERSION

    store = CorpusStore(interrupted.cfg.data_dir)
    assert {f.extractor_version for f in store.list_files()} == {EXTRACTOR_VERSION}


def test_a_second_run_exits_at_once_while_the_lock_is_held(tmp_path: Path) -> None:
    raw = {"storage": {"data_dir": str(tmp_path / "data")},
           "sources": [{"name": "nowhere", "kind": "site", "start_urls": ["http://127.0.0.1:9/"]}]}
    path = tmp_path / "config.yaml"
    import yaml

    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    cfg = config_from_dict(raw, path, env={})
    with RunLock(lock_path(cfg)):
        t = time.monotonic()
        done = run_dhr("nightly", "--report", str(tmp_path / "r.json"), config=cfg, timeout=60)
        elapsed = time.monotonic() - t
    assert done.returncode == 1
    assert f"another run is in progress (pid {os.getpid()}" in done.stderr
    assert elapsed < 20
    report = load_report(tmp_path / "r.json")
    assert report["lock"]["held_by"]["pid"] == os.getpid() and report["stages"] == {}
    assert not (tmp_path / "data" / "crawl-jobs").exists()  # it did nothing


@pytest.mark.elasticsearch
def test_elasticsearch_down_leaves_a_backlog_the_next_run_indexes(
        corpus_files, tmp_path: Path, es_url: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    with publish(tmp_path / "sites", review_files(corpus_files, 2)) as sites:
        n = len(sites.manifest["documents"])
        down = nightly_config(tmp_path, sites, "elasticsearch", closed, prefix="e2edown")
        first = run_nightly(down, quiet=True)
        up = nightly_config(tmp_path, sites, "elasticsearch", es_url,
                            prefix=f"e2eback{os.getpid()}")
        try:
            second = run_nightly(up, quiet=True)
            with Api(up) as api:
                found = api.all("/api/v1/search")
        finally:
            drop_es(up)
    assert first["exit_code"] == 1
    assert (first["stages"]["extract"]["extracted"],
            first["stages"]["index"]["left_pending"]) == (n, n)
    assert "not reachable" in first["stages"]["index"]["error"]
    assert second["exit_code"] == 0
    assert (second["stages"]["extract"]["extracted"], second["stages"]["index"]["indexed"]) == (0,
                                                                                                n)
    assert second["stages"]["index"]["left_pending"] == 0
    assert sorted(r["id"] for r in found) == sorted(e["sha256"]
                                                    for e in sites.manifest["documents"])


def _seed_store(cfg: Config, n: int) -> list[str]:
    """A store holding ``n`` extracted Documents that are not indexed yet."""
    from dhr.document import Document
    from ingest.extract import EXTRACTOR_VERSION
    from samples.reports import generate_documents

    store = CorpusStore(cfg.data_dir)
    ids = []
    for i, raw in enumerate(generate_documents(n, seed=5)):
        put = store.put(("\f".join(raw["pages"]) + f"\n[{i}]").encode(), ext="txt",
                        filename=f"sample-{i:04d}.txt")
        doc = Document.from_json_dict({**raw, "id": put.sha256, "filename": f"sample-{i:04d}.txt",
                                       "format": "txt", "extractor_version": EXTRACTOR_VERSION})
        store.put_document(doc)
        ids.append(put.sha256)
    store.close()
    return ids


def _index_count(path: Path) -> int | None:
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return None


def test_sigkill_mid_index_keeps_whole_batches_and_the_next_run_completes(tmp_path: Path) -> None:
    from orchestration.pipeline import INDEX_BATCH

    raw = {"storage": {"data_dir": str(tmp_path / "data")}, "search": {"backend": "sqlite"}}
    path = tmp_path / "config.yaml"
    import yaml

    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    cfg = config_from_dict(raw, path, env={})
    n = 3 * INDEX_BATCH
    ids = _seed_store(cfg, n)
    index = Path(cfg.data_dir) / "index.sqlite"
    proc = start_dhr("ingest", config=cfg)
    deadline = time.monotonic() + 240
    killed_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        count = _index_count(index)
        if count and count < n:
            proc.kill()
            killed_at = count
            break
        time.sleep(0.05)
    proc.communicate(timeout=30)
    assert killed_at is not None, "ingest finished before it could be killed mid-index"
    after_kill = _index_count(index)
    assert after_kill is not None and after_kill % INDEX_BATCH == 0 and 0 < after_kill < n
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = run_dhr("ingest", config=cfg, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _index_count(index) == n
    store = CorpusStore(cfg.data_dir)
    assert store.pending_index("sqlite") == []
    with Api(cfg) as api:
        found = api.all("/api/v1/search")
    assert sorted(r["id"] for r in found) == sorted(ids)


def test_nightly_without_enabled_sources_is_a_configuration_error(tmp_path: Path) -> None:
    import yaml

    raw = {"storage": {"data_dir": str(tmp_path / "data")},
           "sources": [{"name": "off", "kind": "site", "enabled": False,
                        "start_urls": ["http://127.0.0.1:9/"]}]}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    done = run_dhr("nightly", config=config_from_dict(raw, path, env={}), timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("dhr: error: ") and "no enabled sources" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
