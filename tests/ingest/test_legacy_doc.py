"""Legacy Word 97-2003 ``.doc`` and RTF extraction against the sample generator's ground truth.

The generator writes real Word binaries and RTF by converting its DOCX with LibreOffice
(``samples/reports/render_doc.py``, Debian package libreoffice-writer-nogui); the files are
converted once per module (two LibreOffice starts, about 6 s). Without LibreOffice these tests skip,
except under CI (``CI=true``), where a missing LibreOffice is a failure. Synthetic samples only.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import pytest

from ingest.clean import normalize_chars
from ingest.detect import detect
from ingest.errors import ExtractionError
from ingest.extract import extract_file, extract_structured, extract_structured_bytes
from samples.reports import DocBatch, generate_corpus
from samples.reports.render_doc import doc_writer_missing
from tests.ingest.truth import load_cases, norm_rows, similarity

TEXT_SIMILARITY = 0.97


def _require_libreoffice() -> None:
    missing = doc_writer_missing()
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the legacy .doc tests: {missing}")
    pytest.skip(missing)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict, dict]]:
    _require_libreoffice()
    out = tmp_path_factory.mktemp("doc-corpus")
    batch = DocBatch()  # one LibreOffice start per target for both splits
    files = generate_corpus(out, seed=5, n_reviews=2, formats=("doc", "rtf"), doc_batch=batch)
    files += generate_corpus(out, seed=6, n_reviews=2, split="heldout", formats=("rtf", "doc"),
                             doc_batch=batch)
    batch.flush()
    return load_cases(files)


@pytest.fixture(scope="module")
def extracted(corpus):
    return {path: extract_structured(path) for path, _, _ in corpus}


def test_generator_writes_real_word97_binaries_and_rtf(corpus) -> None:
    import olefile

    assert {p.suffix for p, _, _ in corpus} == {".doc", ".rtf"}
    assert {(t["doc_type"], p.suffix) for p, t, _ in corpus} >= {
        ("overview_report", ".doc"), ("action_plan", ".doc"), ("overview_report", ".rtf"),
        ("action_plan", ".rtf")}
    assert {layout["layout"] for _, _, layout in corpus} >= {"classic-doc", "serif-right-doc",
                                                             "classic-rtf"}
    for path, truth, _ in corpus:
        assert truth["format"] == "doc"  # contract §2 has no RTF: a word-processor document
        if path.suffix == ".rtf":
            assert path.read_bytes().startswith(b"{\\rtf1")
            assert b"{\\subject Synthetic sample - not a real review}" in path.read_bytes()
            continue
        data = path.read_bytes()
        assert data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), path.name
        with olefile.OleFileIO(data) as ole:
            assert ole.exists("WordDocument")
            ident, nfib = struct.unpack_from("<HH", ole.openstream("WordDocument").read(4))
            meta = ole.get_metadata()
        assert ident == 0xA5EC and nfib >= 193, path.name  # Word 97 file format or later
        assert b"Synthetic sample" in meta.subject and b"synthetic" in meta.comments.lower()


@pytest.mark.parametrize("suffix", [".doc", ".rtf"])
def test_detected_by_content_whatever_the_name(corpus, tmp_path: Path, suffix: str) -> None:
    path = next(p for p, t, _ in corpus if t["doc_type"] == "action_plan" and p.suffix == suffix)
    data = path.read_bytes()
    assert detect(data).format == suffix[1:]
    for name in ("renamed.pdf", "no_extension", "rtf_or_word.doc"):
        copy = tmp_path / name
        copy.write_bytes(data)
        doc = extract_file(copy)
        assert doc.format == "doc" and doc.filename == name
        assert (
            doc.page_count == json.loads(path.with_suffix(".truth.json").read_text())["page_count"])


def test_page_texts(corpus, extracted) -> None:
    for path, truth, _ in corpus:
        doc = extracted[path]
        assert doc.format == "doc"
        assert doc.page_count == truth["page_count"], path.name
        for n, (mine, expected) in enumerate(zip(doc.pages, truth["pages"], strict=False), 1):
            assert similarity(mine, expected) >= TEXT_SIMILARITY, f"{path.name} page {n}"


def test_paragraphs_kept_whole(corpus, extracted) -> None:
    for path, truth, _ in corpus:
        paragraphs = {p for page in extracted[path].pages for p in page.split("\n\n")}
        for expected in truth["pages"][0].split("\n")[:6]:
            if "|" not in expected and len(expected) > 40:  # body paragraphs of the first page
                assert normalize_chars(expected) in {
                    normalize_chars(p) for p in paragraphs}, path.name


def test_no_running_header_footer_or_marking_left(corpus, extracted) -> None:
    for path, truth, layout in corpus:
        header = normalize_chars(layout["running_header"])
        for n, text in enumerate(extracted[path].pages, 1):
            lines = [ln.strip() for ln in text.splitlines()]
            assert header not in text, f"{path.name} page {n}"
            assert layout["marking"] not in lines, f"{path.name} page {n}"
            footer = layout["running_footer"].format(page=n, pages=truth["page_count"])
            assert footer not in lines, f"{path.name} page {n}: {footer!r}"


def test_outline_titles_levels_and_pages(corpus, extracted) -> None:
    for path, truth, _ in corpus:
        mine = [(s.number, normalize_chars(s.title), s.page, s.level)
                for s in extracted[path].sections]
        expected = [(s["number"], normalize_chars(s["title"]), s["page"], s["level"])
                    for s in truth["sections"]]
        assert mine == expected, path.name


def test_tables_match_ground_truth(corpus, extracted) -> None:
    action_plan_tables = 0
    for path, _, layout in corpus:
        mine = [(t.page, norm_rows(t.rows)) for t in extracted[path].tables]
        assert len(mine) == len(layout["tables"]), path.name
        for table in layout["tables"]:
            assert (table["page"], norm_rows(table["rows"])) in mine, (
                f"{path.name} page {table['page']}")
            action_plan_tables += table["rows"][0][:3] == ["Recommendation", "Scope",
                                                           "Action to take"] or \
                "Lead agency" in table["rows"][0]
    assert action_plan_tables >= 3


def test_title_and_synthetic_metadata(corpus, extracted) -> None:
    for path, truth, _ in corpus:
        doc = extracted[path]
        assert normalize_chars(doc.title or "") == normalize_chars(truth["title"]), path.name
        assert "Synthetic sample" in doc.meta["subject"]
        assert "synthetic" in doc.meta["comments"].lower()
        assert doc.meta.get("container") == ("rtf" if path.suffix == ".rtf" else None)


def test_document_json_from_extract_file(corpus) -> None:
    path, truth, _ = next(c for c in corpus if c[1]["doc_type"] == "overview_report")
    doc = extract_file(path)
    assert doc.format == "doc" and doc.id == truth["id"] and doc.page_count == truth["page_count"]
    assert [s.title for s in doc.sections] == [s["title"] for s in truth["sections"]]


def _patched(data: bytes, offset: int, value: bytes) -> bytes:
    """The .doc with bytes of its WordDocument stream replaced (the stream starts at a sector)."""
    import olefile

    with olefile.OleFileIO(data) as ole:
        stream = ole.openstream("WordDocument").read()
    start = data.find(stream[:64])
    assert start > 0
    return data[:start + offset] + value + data[start + offset + len(value):]


def test_password_protected_doc_is_quarantined_as_encrypted(corpus) -> None:
    data = next(p for p, t, _ in corpus
                if t["doc_type"] == "action_plan" and p.suffix == ".doc").read_bytes()
    flags = data[data.find(b"\xec\xa5") + 0x0B]
    encrypted = _patched(data, 0x0B, bytes([flags | 0x01]))  # fEncrypted: bit 8 of the flags word
    assert detect(encrypted).format == "doc"
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(encrypted)
    assert err.value.reason == "encrypted"


def test_truncated_doc_is_corrupt_not_a_crash(corpus) -> None:
    data = next(p for p, t, _ in corpus
                if t["doc_type"] == "action_plan" and p.suffix == ".doc").read_bytes()
    for cut in (len(data) // 2, 4096):
        with pytest.raises(ExtractionError) as err:
            extract_structured_bytes(data[:cut])
        assert err.value.reason in ("corrupt", "empty"), cut


def test_generator_skips_doc_without_libreoffice(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no soffice on this PATH
    with caplog.at_level("WARNING"):
        files = generate_corpus(tmp_path / "out", seed=5, n_reviews=1,
                                formats=("doc", "html", "rtf"))
    assert files and {f.format for f in files} == {"html"}
    assert not list((tmp_path / "out").glob("*.doc")) and not list((tmp_path / "out").glob("*.rtf"))
    assert any("libreoffice-writer-nogui" in r.getMessage() for r in caplog.records)


def test_truncated_or_nested_rtf_is_a_clear_error_or_text(corpus) -> None:
    data = next(p for p, t, _ in corpus
                if t["doc_type"] == "action_plan" and p.suffix == ".rtf").read_bytes()
    half = extract_structured_bytes(data[: len(data) // 2])  # unclosed groups: the text so far
    assert half.format == "doc" and "Recommendation" in half.pages[0]
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(b"{\\rtf1" + b"{" * 100_000 + b"x")
    assert err.value.reason == "corrupt"
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(b"{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}}")
    assert err.value.reason == "empty"


@pytest.mark.timeout(60)
def test_damaged_summary_information_costs_nothing(corpus) -> None:
    """A property vector claiming 2^31 items (olefile's own parser loops over it for minutes):
    the title is dropped, the rest of the metadata and the text are read at once."""
    import uuid

    data = bytearray(next(p for p, t, _ in corpus
                          if t["doc_type"] == "action_plan" and p.suffix == ".doc").read_bytes())
    # SummaryInformation
    start = data.find(uuid.UUID("F29F85E0-4FF9-1068-AB91-08002B27B3D9").bytes_le) - 28
    section = start + struct.unpack_from("<I", data, start + 44)[0]
    for i in range(struct.unpack_from("<I", data, section + 4)[0]):
        pid, off = struct.unpack_from("<II", data, section + 8 + 8 * i)
        if pid == 2:  # title
            struct.pack_into("<II", data, section + off, 0x1000, 0x7FFFFFFF)
    doc = extract_structured_bytes(bytes(data))
    assert "title" not in doc.meta and "Synthetic sample" in doc.meta["subject"]
    assert doc.tables and doc.page_count >= 2


@pytest.mark.timeout(120)
@pytest.mark.parametrize("suffix", [".doc", ".rtf"])
def test_mutated_files_end_as_text_or_a_reason(corpus, suffix: str) -> None:
    """Random byte damage: every file is read or refused with a reason, quickly; never a crash."""
    import random
    import time

    base = next(p for p, t, _ in corpus
                if t["doc_type"] == "action_plan" and p.suffix == suffix).read_bytes()
    rng = random.Random(7)
    outcomes = set()
    for _ in range(40):
        data = bytearray(base)
        for _ in range(rng.choice((1, 5, 50))):
            data[rng.randrange(512 if suffix == ".doc" else 0, len(data))] = rng.randrange(256)
        t0 = time.perf_counter()
        try:
            extract_structured_bytes(bytes(data))
            outcomes.add("ok")
        except ExtractionError as exc:
            outcomes.add(exc.reason)
        assert time.perf_counter() - t0 < 10
    assert "ok" in outcomes and outcomes <= {"ok", "corrupt", "empty", "unsupported", "encrypted"}


def test_word6_95_goes_to_antiword_and_fails_clearly(corpus) -> None:
    """Files the Word 97 reader does not parse (here: a Word 97 file that claims the Word 6/95
    format) go to antiword; what antiword cannot read either is a clear refusal, not a crash."""
    data = next(p for p, t, _ in corpus
                if t["doc_type"] == "action_plan" and p.suffix == ".doc").read_bytes()
    fib = data.find(b"\xec\xa5")
    old = data[:fib + 2] + struct.pack("<H", 104) + data[fib + 4:]  # nFib 104 = Word 6/95
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(old)
    assert "antiword" in err.value.message
    assert err.value.reason == ("corrupt" if shutil.which("antiword") else "unsupported")


def test_doc_reads_exactly_like_its_docx_list_numbers_included(corpus, extracted,
                                                               tmp_path: Path) -> None:
    """The .doc is LibreOffice's conversion of the generator's DOCX: both extractions agree page
    for page, including the list numbers Word draws but never stores in the text."""
    from samples.reports import generate_review

    docx = {f.path.stem: f.path
            for f in generate_review(tmp_path, seed=5, index=0, formats=("docx",))}
    checked = 0
    for path, _, _ in corpus:
        if path.suffix == ".doc" and path.stem in docx:
            mine, theirs = extracted[path], extract_structured(docx[path.stem])
            assert mine.pages == theirs.pages, path.name
            assert [(t.page, t.rows) for t in mine.tables] == [(t.page, t.rows)
                                                               for t in theirs.tables]
            checked += 1
    assert checked >= 2
    # Bullets exist only as Word list numbering (the text and the truth have none).
    bullets = [(path, n) for path, truth, _ in corpus if path.suffix == ".doc"
               for n, page in enumerate(extracted[path].pages) if "\n\n• " in page
               or page.startswith("• ")]
    assert bullets
    assert all("•" not in truth["pages"][n] for path, truth, _ in corpus for p, n in bullets
               if p == path)
