"""Isolation: every input ends as a Document or a quarantine reason, within time and memory
limits, and a bad file never stops a batch. Malformed inputs are generated here."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhr.document import Document
from ingest.errors import Quarantined
from ingest.extract import extract_isolated, extract_many
from ingest.worker import WorkerPool
from tests.ingest.builders import (
    broken_xref_pdf,
    encrypted_pdf,
    report_docx,
    report_pdf,
    zip_bomb_docx,
)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("batch")
    pdf = report_pdf(2)
    files = {
        "good.pdf": (pdf, "pdf"),
        "good.docx": (report_docx(), "docx"),
        "no-extension": (pdf, "pdf"),
        "zero-byte.pdf": (b"", "empty"),
        "truncated.pdf": (pdf[:400], "corrupt"),
        "broken-xref.pdf": (broken_xref_pdf(pdf), "pdf"),
        "renamed-image.pdf": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16, "unsupported"),
        "renamed-binary.docx": (bytes(range(256)) * 64, "unsupported"),
        "zip-bomb.docx": (zip_bomb_docx(), "too_large"),
        "password.pdf": (encrypted_pdf(pdf, user_password="secret"), "encrypted"),
        "empty-password.pdf": (encrypted_pdf(pdf, user_password=""), "pdf"),
        "../../looks-like-a-path.txt": (b"Plain text report.", "txt"),
    }
    expected = {}
    for name, (data, outcome) in files.items():
        path = folder / name.replace("../", "dotdot-")
        path.write_bytes(data)
        expected[path.name] = outcome
    return folder, expected


def test_every_file_accounted_for(batch) -> None:
    folder, expected = batch
    outcomes = {}
    for path, outcome in extract_many(sorted(folder.iterdir()), processes=2, timeout=60):
        outcomes[path.name] = outcome.format if isinstance(outcome, Document) else outcome.reason
    assert outcomes == expected


def test_timeout_is_quarantined_and_the_pool_carries_on(tmp_path: Path) -> None:
    slow = tmp_path / "report.pdf"
    slow.write_bytes(report_pdf(40))
    quick = tmp_path / "quick.txt"
    quick.write_bytes(b"A short synthetic note.")
    with WorkerPool(processes=1, timeout=0.05) as pool:
        first = pool.run(slow)
        pool.timeout = 30  # the killed worker was replaced: the same pool serves the next file
        second = pool.run(quick)
    assert isinstance(first, Quarantined) and first.reason == "timeout"
    assert isinstance(second, Document) and second.pages == ["A short synthetic note."]


def test_memory_limit_is_quarantined_as_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes((b"word " * 20 + b"\n\n") * 400_000)  # 42 MB of paragraphs
    small = tmp_path / "small.pdf"
    small.write_bytes(report_pdf(1))
    assert isinstance(extract_isolated(small, memory_mb=250), Document)
    outcome = extract_isolated(big, memory_mb=250)
    assert isinstance(outcome, Quarantined) and outcome.reason == "too_large"


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    outcome = extract_isolated(tmp_path / "absent.pdf")
    assert isinstance(outcome, Quarantined) and outcome.reason == "corrupt"


# A one-off extraction (`dhr extract`) forks its worker straight from the calling process when
# that process is lean, instead of starting a fork server: the same limits must hold there.
_LEAN_RUN = """
import json, sys
from pathlib import Path
from ingest import worker
from ingest.extract import extract_isolated
from dhr.document import Document
path, timeout, memory_mb = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
lean = worker.lean_fork_possible(memory_mb)
outcome = extract_isolated(path, timeout=timeout, memory_mb=memory_mb)
print(json.dumps({"lean": lean, "outcome": outcome.format if isinstance(outcome, Document)
                  else outcome.reason}))
"""


def _lean_extract(path: Path, timeout: float = 60, memory_mb: int = 2048) -> dict:
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _LEAN_RUN, str(path), str(timeout),
                           str(memory_mb)],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_a_lean_one_off_extraction_forks_and_keeps_the_time_limit(tmp_path: Path) -> None:
    slow = tmp_path / "report.pdf"
    slow.write_bytes(report_pdf(40))
    assert _lean_extract(slow, timeout=0.05) == {"lean": True, "outcome": "timeout"}
    assert _lean_extract(slow) == {"lean": True, "outcome": "pdf"}


def test_a_lean_one_off_extraction_forks_and_keeps_the_memory_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes((b"word " * 20 + b"\n\n") * 400_000)  # 42 MB of paragraphs
    small = tmp_path / "small.pdf"
    small.write_bytes(report_pdf(1))
    assert _lean_extract(small, memory_mb=400) == {"lean": True, "outcome": "pdf"}
    assert _lean_extract(big, memory_mb=400) == {"lean": True, "outcome": "too_large"}


def test_a_caller_with_threads_or_a_large_address_space_uses_the_fork_server() -> None:
    import threading

    from ingest.worker import lean_fork_possible

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not lean_fork_possible(2048)  # a forked child could inherit a lock held
    finally:
        stop.set()
        thread.join()
    assert not lean_fork_possible(1)  # this process alone is larger than a quarter of 1 MB


def test_the_extract_command_prints_the_document_or_a_one_line_error(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    letter = tmp_path / "letter.pdf"
    letter.write_bytes(report_pdf(1))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(report_pdf(1)[:400])
    (tmp_path / "config.yaml").write_text(f"storage:\n  data_dir: {tmp_path / 'data'}\n")

    def dhr(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "orchestration.cli", "extract", *args],
                              check=False,
                              cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    good = dhr(str(letter))
    assert good.returncode == 0, good.stderr
    document = json.loads(good.stdout)
    assert (document["filename"], document["format"], document["page_count"]) == ("letter.pdf",
                                                                                  "pdf", 1)
    bad = dhr(str(broken))
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("dhr: error: ") and "cannot extract (corrupt)" in bad.stderr
