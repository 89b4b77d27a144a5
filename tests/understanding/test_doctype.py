"""Document-type rules: title block, letter structure and action-plan tables."""

from __future__ import annotations

import pytest

from tests.understanding.helpers import doc
from understanding.doctype import classify_doc_type

REPORT_SECTIONS = "\n".join(f"{i}. {t}\nText of the section." for i, t in enumerate(
    ["Introduction", "Timescales", "Confidentiality", "Terms of Reference", "Methodology",
     "Chronology", "Analysis", "Conclusions", "Recommendations"], start=1))


@pytest.mark.parametrize("first_page, expected", [
    ("Domestic Homicide Review\nOverview Report into the death of Joanne", "overview_report"),
    ("Executive Summary: Domestic Homicide Review into the death of Joanne", "executive_summary"),
    ("Executive Summary of the Overview Report into the death of Joanne", "executive_summary"),
    ("Domestic Homicide Review Action Plan: Joanne", "action_plan"),
    ("Seven Minute Briefing\nLearning from the DHR into the death of Joanne", "learning_brief"),
    ("Learning Brief: Domestic Homicide Review Nadia", "learning_brief"),
    (("Home Office\n2 Marsham Street\nDear Ms Smith,\nThank you for submitting the report to the "
     "Home Office Quality Assurance Panel.\nYours sincerely,"), "home_office_letter"),
    ("Domestic Homicide Review Nadia: Terms of Reference", "other"),
])
def test_title_signals(first_page: str, expected: str) -> None:
    assert classify_doc_type(doc(first_page), None, has_action_table=False)[0] == expected


def test_a_long_report_with_the_template_sections_is_an_overview_report() -> None:
    pages = ["Safer Preston Partnership\nReview of the death of Adult A"] + [REPORT_SECTIONS] * 13
    assert classify_doc_type(doc(*pages), None, has_action_table=False)[0] == "overview_report"


def test_a_short_document_that_is_an_action_plan_table() -> None:
    assert classify_doc_type(doc("Safer Preston Partnership\nProgress update"), None,
                             has_action_table=True)[0] == "action_plan"


def test_unknown_without_signals() -> None:
    assert classify_doc_type(doc("Minutes of the meeting held on 3 May"), None, False)[0] is None
