"""Theme rules: analysis and recommendations create themes; boilerplate does not."""

from __future__ import annotations

import pytest

from tests.understanding.helpers import doc
from understanding.agencies import find_agency_mentions
from understanding.themes import extract_themes, recommendation_themes

STATUTORY_PURPOSES = """1. Introduction
1.1 The purpose of a Domestic Homicide Review is to:
• establish what lessons are to be learned from the death regarding the way in which local \
professionals and organisations work individually and together to safeguard victims;
• identify clearly what those lessons are, both within and between agencies;
• apply those lessons to service responses, including changes to inform national and local \
policies and procedures as appropriate;
• prevent domestic abuse and homicide and improve service responses for all victims and their \
children by developing a co-ordinated multi-agency approach;
• contribute to a better understanding of the nature of domestic violence and abuse; and
• highlight good practice."""

TERMS_OF_REFERENCE = """2. Terms of Reference
2.1 The panel asked agencies to address these lines of enquiry:
• How did each agency identify and assess risk, including use of the DASH risk identification \
checklist, and was the case referred to MARAC?
• Was information sharing between agencies timely and effective, \
and did multi-agency working provide a co-ordinated response?
• What was known about mental health, alcohol and substance misuse, and how did agencies respond?
• Were there any issues relating to housing, homelessness or financial hardship?
• Did the Covid-19 pandemic affect how services were delivered?"""

ANALYSIS = """16. Analysis
16.1 No DASH risk assessment was completed after the second incident, \
and the risk was graded as standard.
16.2 The risk assessment was not reviewed when Joanne disclosed that Paul had threatened her.
16.3 Joanne's depression was treated without asking about her relationship; her mental health \
deteriorated."""


def ids(found) -> set[str]:
    return {t.id for t in found}


def test_statutory_purposes_and_terms_of_reference_create_no_theme() -> None:
    assert ids(extract_themes(doc(STATUTORY_PURPOSES, TERMS_OF_REFERENCE))) == set()


def test_analysis_creates_themes_with_evidence_pages() -> None:
    found = {t.id: t for t in extract_themes(doc(STATUTORY_PURPOSES, TERMS_OF_REFERENCE, ANALYSIS))}
    assert set(found) == {"risk_assessment", "mental_health"}
    assert found["risk_assessment"].mentions == 3  # DASH, risk assessment, risk assessment
    assert all(page == 3 for page, _ in found["risk_assessment"].evidence)
    assert found["risk_assessment"].evidence[0][1].startswith("16.1 No DASH risk assessment")


def test_one_recommendation_makes_its_main_theme() -> None:
    rec = {"text": "Lancashire Constabulary should ensure that every report of non-fatal "
                   "strangulation is treated as high risk.", "page": 9}
    rec["themes"] = recommendation_themes(rec["text"], "police")[1]
    assert rec["themes"][0] == "strangulation"
    assert ids(extract_themes(doc(ANALYSIS), recommendations=[rec])) >= {"strangulation"}


@pytest.mark.parametrize("text, agency, main", [
    ("Turning Point should ensure that alcohol treatment assessments ask about domestic abuse.",
     "substance_misuse_services", "alcohol"),
    ("Preston Housing Options should adopt a domestic abuse policy.", "housing", "housing"),
    ("All agencies should consider how partnership working could be strengthened.", None,
     "multi_agency_working"),
    ("Preston Safeguarding Children Partnership should publish guidance on joint procedures.",
     "safeguarding_board", "multi_agency_working"),
    ("HM Courts and Tribunals Service should ensure that the views of the victim are sought.",
     "courts_legal", None),
])
def test_recommendation_main_theme(text: str, agency: str | None, main: str | None) -> None:
    assert recommendation_themes(text, agency)[0] == main


def test_agency_names_are_not_theme_evidence() -> None:
    text = ("16. Analysis\n16.1 Rotherham Children's Social Care and Rotherham Housing Options "
            "attended. Rotherham Children's Social Care closed the case. Rotherham Housing Options "
            "wrote to her.")
    d = doc(text)
    spans = [(m.start, m.end) for m in find_agency_mentions(d.text) if " " in m.name]
    assert ids(extract_themes(d, spans)) == set()


def test_a_boilerplate_definition_covers_the_list_it_introduces() -> None:
    d = doc("2. Definitions\n2.1 The abuse can encompass, but is not limited to:\n"
            "• psychological abuse\n• physical abuse\n• sexual abuse\n• financial abuse\n"
            "3. Background\n3.1 Joanne worked in a bakery.")
    for phrase in ("psychological abuse", "financial abuse"):
        assert d.in_boilerplate(d.text.index(phrase))
    assert not d.in_boilerplate(d.text.index("Joanne worked"))
