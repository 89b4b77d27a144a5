"""Link rules (crawler/rules.yaml via crawler/parsing/links.py), one case per row."""

from __future__ import annotations

import pytest

from crawler.parsing.links import classify_link

# The review page URL carries no signal itself, so that pagination and sub-page rules show.
PAGE = "https://www.example.gov.test/community-safety/published-reviews"
OTHER = "https://www.example.gov.test/news"

CASES = [
    # url, text, page_is_review, context, heading, expected kind, reason starts with
    ("/media/1/x.pdf", "Case of Eleena, March 2018", False, "", "", "report",
     "signal: case of eleena"),
    ("/media/1/x.pdf", "A - 2018", True, "", "", "report", "document on a review page"),
    ("/media/1/x.pdf", "A - 2018", False, "", "", "skip", "document without review signal"),
    ("/media/1/x.pdf", "Sefton DHR5 - Exec Summary (pdf 531KB)", False, "", "", "report",
     "signal: dhr5"),
    ("/media/1/x.pdf", "SBP1703", True, "", "", "report", "document on a review page"),
    ("/media/1/x.pdf", "Case 23", False, "", "Domestic homicide reviews", "report",
     "context signal"),
    ("/media/1/x.pdf", "DHR Overview April 2019", False, "", "", "report", "signal: dhr"),
    ("/media/1/x.pdf", "Download", False, "Adult H 7 minute briefing Download", "", "report",
     "context signal"),
    ("/media/1/x.pdf", "Download", False, "Safeguarding Adult Review - Adult Q Download", "",
     "skip", "distractor"),
    ("/media/1/x.pdf", "Domestic abuse related death review: Adult J", False, "", "", "report",
     "signal"),
    ("/media/1/x.pdf", "DARDR 2025/01 overview", False, "", "", "report", "signal: dardr"),
    ("/media/1/x.pdf", "Home Office Quality Assurance Panel letter", False, "", "", "report",
     "signal"),
    ("/media/1/x.pdf", "Learning brief: Adult K", False, "", "", "report",
     "signal: learning brief"),
    ("/media/1/x.pdf", "Domestic Homicide Review Protocol", True, "", "", "skip",
     "distractor: protocol"),
    ("/media/1/x.pdf", "Statutory guidance for the conduct of DHRs", True, "", "", "skip",
     "distractor: guidance"),
    ("/media/1/x.pdf", "Community Safety Partnership Annual Report 2022", True, "", "", "skip",
     "distractor: annual report"),
    ("/media/1/x.pdf", "Thematic analysis of DHRs", True, "", "", "skip", "distractor: thematic"),
    ("/media/1/x.pdf", "Support leaflet for families", True, "", "", "skip", "distractor: leaflet"),
    ("/media/1/x.pdf", "Child Safeguarding Practice Review: Child P", True, "", "", "skip",
     "distractor"),
    ("/media/1/tracker.xlsx", "Action plan tracker", True, "", "", "skip", "file type .xlsx"),
    ("/downloads/download/253/domestic-homicide-review-adult-a", "Adult A", False, "", "", "page",
     "signal"),
    ("/downloads/file/1407/dhr-adult-a-overview-report", "Download", False, "", "", "report",
     "signal"),
    ("/download/684157cdf4c2783a29ce67a1", "Download", True, "", "", "report",
     "document on a review page"),
    ("?page=2", "2", True, "", "", "page", "pagination"),
    ("?page=2", "Next", True, "", "", "page", "pagination"),
    ("/news?page=2", "Next", False, "", "", "skip", "no review signal"),
    (PAGE + "/2019-reviews", "2019", True, "", "", "page", "sub-page of a review page"),
    ("/community-safety/hate-crime", "Hate crime", True, "", "", "skip", "no review signal"),
    # A long paragraph that mentions guidance in passing does not veto its link.
    ("/media/1/x.pdf", "overview report", True,
     ("The partnership publishes each overview report for twelve months after the Home Office has"
     " approved it, in line with the statutory guidance, and then removes it from this website;"
     " copies can be requested from the partnership."), "", "report", "signal: overview report"),
]


@pytest.mark.parametrize(("href", "text", "is_review", "context", "heading", "kind", "reason"),
                         CASES,
                         ids=[f"{c[1][:30]}->{c[5]}" for c in CASES])
def test_classify_link(href: str, text: str, is_review: bool, context: str, heading: str,
                       kind: str, reason: str) -> None:
    from urllib.parse import urljoin

    page = PAGE if is_review else OTHER
    cand = classify_link(urljoin(page, href), text, page_url=page, page_is_review=is_review,
                         context=context, heading=heading)
    assert (cand.kind, cand.reason[:len(reason)]) == (kind, reason), cand
