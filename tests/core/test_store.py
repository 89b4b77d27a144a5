"""The store: content-addressed, idempotent, atomic; a killed writer leaves it consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from dhr.store import CorpusStore, sha256_bytes


def test_put_is_content_addressed_and_idempotent(tmp_path):
    store = CorpusStore(tmp_path)
    first = store.put(b"%PDF-1.7 sample", ext="pdf", filename="../../etc/passwd")
    again = store.put(b"%PDF-1.7 sample", ext="pdf", filename="other.pdf")
    assert first.new and not again.new and first.sha256 == again.sha256
    assert first.path == tmp_path / "files" / first.sha256[:2] / f"{first.sha256}.pdf"
    assert first.path.read_bytes() == b"%PDF-1.7 sample"
    assert store.file_info(first.sha256)["filename"] == "passwd"  # never a path
    assert len(list(store.list_files())) == 1


def test_unsafe_extension_is_not_used(tmp_path):
    res = CorpusStore(tmp_path).put(b"x", ext="../../sh")
    assert res.path.suffix == ".bin"


def test_sightings_track_versions_and_withdrawal(tmp_path):
    store = CorpusStore(tmp_path)
    v1 = store.put(b"version one").sha256
    v2 = store.put(b"version two").sha256
    url = "https://example.org/dhr.pdf"
    assert store.record_sighting(url, v1, source="s",
                                 seen_at="2026-01-01T00:00:00Z").change == "new"
    assert store.record_sighting(url, v1, source="s",
                                 seen_at="2026-01-02T00:00:00Z").change == "unchanged"
    assert store.record_sighting(url, v2, source="s",
                                 seen_at="2026-01-03T00:00:00Z").change == "changed"
    assert store.mark_offline(url, http_status=404, when="2026-02-01T00:00:00Z")
    info = store.url_info(url)
    assert info["online"] is False and info["withdrawn_at"] == "2026-02-01T00:00:00Z"
    assert info["first_seen"] == "2026-01-01T00:00:00Z" and info["sha256"] == v2
    # both versions are kept, with their own first/last seen
    old = store.sightings_of(v1)
    assert old[0]["first_seen"] == "2026-01-01T00:00:00Z" and old[0]["current"] is False
    assert store.file_path(v1).exists() and store.file_path(v2).exists()


def test_documents_per_extractor_version(tmp_path):
    from dhr.document import Document

    store = CorpusStore(tmp_path)
    sha = store.put(b"doc").sha256
    assert store.pending_extraction("v1") == [sha]
    store.put_document(Document(id=sha, format="txt", extractor_version="v1", page_count=1,
                                pages=["a"]))
    assert store.pending_extraction("v1") == [] and store.pending_extraction("v2") == [sha]
    assert store.get_document(sha).extractor_version == "v1"
    assert [d.id for d in store.documents()] == [sha]
    assert store.pending_index("sqlite") == [sha]
    store.mark_indexed([sha], "sqlite", "v1")
    assert store.pending_index("sqlite") == []


KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time
    from dhr import store as st
    mode = sys.argv[2]
    if mode == "during-write":
        real = os.fsync
        def slow_fsync(fd):
            print("WRITING", flush=True); time.sleep(60); real(fd)
        st.os.fsync = slow_fsync
    else:  # after the file is in place, before the catalog row
        real_tx = st.CorpusStore._tx
        def slow_tx(self):
            print("WRITING", flush=True); time.sleep(60); return real_tx(self)
        st.CorpusStore._tx = slow_tx
    s = st.CorpusStore(sys.argv[1])
    s.put(b"x" * 5_000_000, ext="pdf")
""")


def _kill_mid_put(tmp_path: Path, mode: str) -> None:
    CorpusStore(tmp_path)  # schema exists before the writer starts
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(tmp_path), mode],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "WRITING"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def test_kill_during_file_write_leaves_no_partial_file(tmp_path):
    _kill_mid_put(tmp_path, "during-write")
    store = CorpusStore(tmp_path)
    assert list(store.files_dir.rglob("*.*")) == []  # nothing under a final name
    assert list(store.list_files()) == []
    assert store.repair()["temp_removed"] == 1
    res = store.put(b"x" * 5_000_000, ext="pdf")
    assert res.new and res.path.read_bytes() == b"x" * 5_000_000


def test_kill_between_file_and_catalog_is_repaired(tmp_path):
    _kill_mid_put(tmp_path, "before-catalog")
    store = CorpusStore(tmp_path)
    sha = sha256_bytes(b"x" * 5_000_000)
    assert store.file_info(sha) is None
    assert store.repair()["adopted"] == 1
    assert store.file_info(sha)["size"] == 5_000_000
    assert not store.put(b"x" * 5_000_000, ext="pdf").new
