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
