"""URL identity, file-type detection, safety checks and source health: small pure pieces."""

from __future__ import annotations

import pytest

from crawler.filetypes import detect_document_type, disposition_filename
from crawler.health import assess
from crawler.rules import load_rules
from crawler.safety import RefusedAddress, check_address, is_private_address
from crawler.spiders.homeoffice_library import search_page_url
from crawler.urls import canonical_url, default_allowed_domains, host_in_domains
from dhr.config import SourceConfig
from samples.sites.documents import make_report


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.preston.gov.uk/media/1/dhr.pdf", "https://preston.gov.uk/media/1/dhr.pdf"),
    ("https://preston.gov.uk/media/1/dhr.pdf?utm_source=x&utm_medium=email",
     "https://preston.gov.uk/media/1/dhr.pdf"),
    ("https://PRESTON.gov.uk:443/media/1/dhr.pdf#page=3", "https://preston.gov.uk/media/1/dhr.pdf"),
    ("https://preston.gov.uk/doc?id=7&fbclid=abc&b=2", "https://preston.gov.uk/doc?b=2&id=7"),
    ("https://hillingdon.lbhill1-prd.gosshosted.com/article/2671/DHR",
     "https://hillingdon.gov.uk/article/2671/DHR"),
])
def test_duplicates_share_one_catalog_url(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


def test_different_documents_keep_different_urls() -> None:
    assert canonical_url("https://x.gov.uk/doc?id=7") != canonical_url("https://x.gov.uk/doc?id=8")
    assert canonical_url("https://x.gov.uk/A.pdf") != canonical_url("https://x.gov.uk/a.pdf")


def test_allowed_domains_default_to_start_hosts_without_www() -> None:
    domains = default_allowed_domains(["https://www.preston.gov.uk/article/1153/x"])
    assert domains == ["preston.gov.uk"]
    assert host_in_domains("www.preston.gov.uk", domains)
    assert host_in_domains("democracy.preston.gov.uk", domains)
    assert not host_in_domains("evilpreston.gov.uk", domains)


def test_library_pages_are_walked_with_page_number_and_size() -> None:
    url = search_page_url("https://homicide-review.homeoffice.gov.uk/?Keywords%5B%5D=x", 3, 100)
    assert url == ("https://homicide-review.homeoffice.gov.uk/?Keywords%5B%5D=x"
                   "&pagination%5BpageNumber%5D=3&pagination%5BpageSize%5D=100")


@pytest.mark.parametrize("fmt", ["pdf", "docx", "odt", "rtf"])
def test_document_type_comes_from_the_bytes(fmt: str) -> None:
    body = make_report(fmt, title="t", area="a", pseudonym="p")
    assert detect_document_type(body, "application/octet-stream", None) == fmt
    assert detect_document_type(body, "text/html", "report.bin") == fmt


def test_legacy_word_is_told_from_other_ole_files() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 3000
    assert detect_document_type(ole + "WordDocument".encode("utf-16-le"), None, None) == "doc"
    assert detect_document_type(ole + "Workbook".encode("utf-16-le"), "application/msword",
                                None) is None


def test_web_pages_and_lying_headers_are_not_documents() -> None:
    assert detect_document_type(b"<!DOCTYPE html><html></html>", "application/pdf", "x.pdf") is None
    assert detect_document_type(b"not really a pdf", "application/pdf", None) is None
    assert detect_document_type(b"\x89PNG\r\n", "image/png", None) is None


@pytest.mark.parametrize(("header", "name"), [
    ('attachment; filename="DHR Overview.pdf"', "DHR Overview.pdf"),
    ('attachment; filename="../../../etc/cron.d/x.pdf"', "x.pdf"),
    ('attachment; filename="..\\\\..\\\\windows\\\\x.docx"', "x.docx"),
    ("attachment; filename*=UTF-8''Adult%20%C3%89%20summary.pdf", "Adult É summary.pdf"),
    ("inline", None),
])
def test_content_disposition_gives_a_display_name_never_a_path(header: str,
                                                               name: str | None) -> None:
    assert disposition_filename(header) == name


@pytest.mark.parametrize(("ip", "private"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.10", True), ("169.254.169.254", True),
    ("::1", True), ("fe80::1", True), ("0.0.0.0", True), ("::ffff:127.0.0.1", True),
    ("93.184.216.34", False), ("2a00:1450:4009:81f::200e", False),
])
def test_private_addresses(ip: str, private: bool) -> None:
    assert is_private_address(ip) is private


def test_private_address_refused_unless_allowed() -> None:
    with pytest.raises(RefusedAddress, match="non-public address 169.254.169.254"):
        check_address("metadata.internal", "169.254.169.254", allow_private=False)
    check_address("www.northbridge.gov.test", "127.0.0.1", allow_private=True)


SOURCE = SourceConfig(name="preston", kind="site", start_urls=["https://preston.gov.uk/dhr"])


def test_health_empty_source_is_a_failure() -> None:
    problems = assess(SOURCE, report_links=0, finish_reason="finished", start_failed=[],
                      baseline=None, rules=load_rules())
    assert problems == ["no report links found, but the source should have results"]


def test_health_far_fewer_than_last_good_run_is_a_failure() -> None:
    baseline = {"last_ok_report_links": 40, "last_ok_at": "2026-01-01T00:00:00Z"}
    problems = assess(SOURCE, report_links=12, finish_reason="finished", start_failed=[],
                      baseline=baseline, rules=load_rules())
    assert problems and "far fewer than 40" in problems[0]
    assert assess(SOURCE, report_links=35, finish_reason="finished", start_failed=[],
                  baseline=baseline, rules=load_rules()) == []


def test_health_source_without_expected_results_may_be_empty() -> None:
    quiet = SOURCE.model_copy(update={"should_have_results": False})
    assert assess(quiet, report_links=0, finish_reason="finished", start_failed=[],
                  baseline=None, rules=load_rules()) == []


def test_health_interrupted_and_unreachable_sources_fail() -> None:
    problems = assess(SOURCE, report_links=3, finish_reason="shutdown", start_failed=[],
                      baseline=None, rules=load_rules())
    assert problems == ["crawl did not finish (shutdown); run again to resume"]
    problems = assess(SOURCE, report_links=0, finish_reason="finished",
                      start_failed=[{"url": "https://preston.gov.uk/dhr", "reason": "HTTP 503"}],
                      baseline=None, rules=load_rules())
    assert problems == ["no start page could be fetched: https://preston.gov.uk/dhr (HTTP 503)"]
