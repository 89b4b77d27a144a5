"""The on-disk cache of compiled regular expressions (dhr/regex_cache.py): a pattern compiled
from a stored program is the same pattern, a damaged or foreign file is ignored, and the
extraction worker gives the same Document with the cache as without it."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dhr import regex_cache

PATTERNS = [
    (r"(?P<agency>police|probation)\s+(?:service|force)s?", re.IGNORECASE),
    (r"(?<![\w&])(?=[adm])(?:a(?:dult social care|gency)|domestic abuse|mash)(?![\w&])", 0),
    (r"""(?x) ^ \s* (\d{1,2}) [.)] \s+ (?P<body>.+?) \s* $""", re.MULTILINE),
    (r"(?i:café|naïve)\b|[\u0400-\u04ff]+", 0),
    (r"(a|b)*?c{2,5}(?=d)|\1?e", re.DOTALL),
]
TEXTS = ["The Police Services and the probation force met.", "MASH, agency and domestic abuse",
         " 12. A recommendation\n3) Another one \n", "Café naïve Привет", "abacccd e"]


def _behaviour(compiled: re.Pattern[str]) -> list[object]:
    return [compiled.pattern, compiled.flags, compiled.groups, dict(compiled.groupindex),
            [[m.span(), m.groups()] for text in TEXTS for m in compiled.finditer(text)]]


@pytest.fixture
def cache_file(tmp_path: Path):
    path = tmp_path / "cache" / "regex.marshal"
    yield path
    regex_cache.uninstall()


def _fresh(path: Path) -> regex_cache.RegexCache:
    regex_cache.uninstall()
    re.purge()  # re's own in-memory cache would answer before ours
    cache = regex_cache.install(path)
    assert cache is not None
    return cache


def test_a_pattern_from_a_stored_program_behaves_as_a_freshly_compiled_one(cache_file):
    expected = [_behaviour(re.compile(p, f)) for p, f in PATTERNS]
    first = _fresh(cache_file)
    assert [_behaviour(re.compile(p, f)) for p, f in PATTERNS] == expected
    assert first.save(force=True)
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600

    second = _fresh(cache_file)
    assert [_behaviour(re.compile(p, f)) for p, f in PATTERNS] == expected
    assert second.hits == len(PATTERNS)


def test_a_syntax_error_is_reported_as_usual(cache_file):
    _fresh(cache_file)
    with pytest.raises(re.error, match="missing \\)"):
        re.compile("(unclosed")


def test_a_damaged_or_foreign_file_is_ignored_and_replaced(cache_file):
    cache_file.parent.mkdir(parents=True)
    for content in (b"", b"not marshal data", b"\xe9" * 100):
        cache_file.write_bytes(content)
        cache = _fresh(cache_file)
        assert cache.stored == {}
        assert re.compile(PATTERNS[0][0], PATTERNS[0][1]).match("police force")
    assert cache.save(force=True)
    assert _fresh(cache_file).stored


def test_a_stored_program_the_engine_refuses_is_compiled_anew(cache_file):
    pattern, flags = PATTERNS[1]
    first = _fresh(cache_file)
    re.compile(pattern, flags)
    key = (pattern, flags)
    entry = first.used[key]
    first.used[key] = (entry[0], b"\xff\xff\xff\x7f" * 8, *entry[2:])  # a nonsense program
    assert first.save(force=True)
    second = _fresh(cache_file)
    assert re.compile(pattern, flags).search("the mash said") is not None
    assert second.hits == 0 and second.used[key] == entry


def test_turned_off_by_the_environment(monkeypatch, cache_file):
    regex_cache.uninstall()
    monkeypatch.setenv("DHR_REGEX_CACHE", "off")
    assert regex_cache.install(cache_file) is None


def test_no_home_directory_means_no_cache_not_an_error(monkeypatch):
    regex_cache.uninstall()
    monkeypatch.delenv("DHR_CACHE", raising=False)
    monkeypatch.delenv("DHR_REGEX_CACHE", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert regex_cache.install() is None
    assert re.compile("no (home|cache)").search("a run with no cache") is not None


def test_the_worker_extracts_the_same_document_with_and_without_the_cache(tmp_path: Path):
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "letter.pdf"  # a generated one-page text PDF
    page = canvas.Canvas(str(pdf))
    for i, line in enumerate(["Synthetic letter, generated for a test (not a real document).",
                              "The police and adult social care should review risk assessment.",
                              "Recommendation 1: routine enquiry about domestic abuse."]):
        page.drawString(72, 760 - 18 * i, line)
    page.showPage()
    page.save()
    env = dict(os.environ, DHR_CACHE=str(tmp_path / "cache"))
    run = [sys.executable, "-m", "orchestration.cli", "extract", str(pdf)]
    cwd = Path(__file__).resolve().parents[2]
    outputs = []
    for extra in ({"DHR_REGEX_CACHE": "off"}, {}, {}):  # without, filling it, reading it
        done = subprocess.run(run, env={**env, **extra}, cwd=cwd, capture_output=True,
                              check=True)
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0]["pages"]
    assert list((tmp_path / "cache" / "regex").glob("*.marshal"))


def test_a_cache_that_cannot_be_written_is_only_skipped(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    cache = _fresh(blocker / "regex.marshal")
    try:
        assert re.compile(PATTERNS[2][0], PATTERNS[2][1]).search(" 1. One\n") is not None
        assert cache.save(force=True) is False
    finally:
        regex_cache.uninstall()
