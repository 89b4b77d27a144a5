"""Recommendation owners and the ways real reports print recommendations (issue 14, contract 2a):
numbering that restarts under agency headings, multi-level numbers, stem sentences with clauses,
owners from the text, a heading or the lead column, two owners, abbreviations, the review's own
partnership and board, HTML lists and tables. Each pattern has a positive and a negative case."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.extract import extract_bytes
from understanding.abbreviations import find_abbreviations
from understanding.owners import OwnerResolver, assign_owners, text_owners
from understanding.understand import understand_text

SOUTHAMPTON_INTRO = ("Domestic Homicide Review into the death of Jane\n"
                     "Southampton Community Safety Partnership\n"
                     "1. Introduction\n"
                     "1.1 This review was commissioned by Southampton Community Safety Partnership "
                     "following the death of Jane in Southampton in May 2021.\n")


def recs(*pages: str, **kw: Any) -> list[dict[str, Any]]:
    return understand_text(list(pages), **kw)["recommendations"]


def owner(rec: dict[str, Any]) -> str | None:
    return (rec["organisation"] or {}).get("id")


def summary(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["number"], owner(r), r["owner_source"], r["agency"]) for r in found]


def test_numbering_restarts_under_each_agency_heading_and_the_heading_owns() -> None:
    found = recs(SOUTHAMPTON_INTRO + "12. Recommendations\n"
                 "Greater Manchester Police\n"
                 "1. To audit the use of DASH risk assessments at repeat incidents within six "
                 "months.\n"
                 "2. Review the training given to call handlers on coercive control.\n"
                 "National Probation Service\n"
                 "1. Ensure that MAPPA eligibility is considered for every domestic abuse "
                 "offender.\n"
                 "13. Glossary")
    assert summary(found) == [
        ("1", "greater-manchester-police", "heading", "police"),
        ("2", "greater-manchester-police", "heading", "police"),
        ("1", "probation-service", "heading", "probation")]
    assert not any(r["text"][:1].isdigit() for r in found)


def test_a_sentence_that_names_its_agent_is_owned_by_it_not_by_the_heading() -> None:
    found = recs(SOUTHAMPTON_INTRO + "12. Recommendations\nGreater Manchester Police\n"
                 "1. The Home Office should publish guidance on repeat incidents by March 2025.\n"
                 "13. Glossary")
    assert summary(found) == [("1", "home-office", "text", "home_office")]


@pytest.mark.parametrize("lines, numbers", [
    (("15. Recommendations\n15.1 Multi-agency recommendations\n"
     "15.1.1 All agencies should consider how information is shared at MARAC.\n"
     "15.2 Kent Police\n15.2.1 Review the guidance on repeat incidents within six months.\n"
     "15.2.2 Audit the use of DVPNs and report the results to the partnership.\n16. Glossary"),
     [("15.1.1", None, None), ("15.2.1", "kent-police", "heading"),
      ("15.2.2", "kent-police", "heading")]),
    (("10. Recommendations\n10.1 Single agency recommendations\n10.1.3 Kent Police\n"
     "10.1.3.4 Review the guidance on repeat incidents within six months.\n11. Glossary"),
     [("10.1.3.4", "kent-police", "heading")]),
])
def test_three_and_four_level_numbers_with_an_agency_level(lines: str, numbers: list) -> None:
    found = recs(SOUTHAMPTON_INTRO + lines)
    assert [(r["number"], owner(r), r["owner_source"]) for r in found] == numbers


@pytest.mark.parametrize("line, number", [
    ("8.1 Kent Police should review the guidance on repeat incidents.", "8.1"),
    ("R1 Kent Police should review the guidance on repeat incidents.", "R1"),
    ("1 Kent Police should review the guidance on repeat incidents.", "1"),
    ("17.4 Kent Police should review the guidance on repeat incidents.", "17.4"),
])
def test_section_prefixed_decimals_codes_and_plain_integers(line: str, number: str) -> None:
    found = recs(SOUTHAMPTON_INTRO + f"17. Recommendations\n{line}\n18. Glossary")
    assert summary(found) == [(number, "kent-police", "text", "police")]


STEM = ("12. Recommendations\nThe review panel recommends that:\n"
        "(a) Kent Police ensure that every repeat incident is risk assessed;\n"
        "(b) the Home Office include coercive control in its statutory guidance; and\n"
        "(c) all agencies consider how information is shared at MARAC.\n13. Glossary")


def test_a_stem_sentence_is_not_a_recommendation_but_each_clause_is() -> None:
    found = recs(SOUTHAMPTON_INTRO + STEM)
    assert [r["text"] for r in found] == [
        "Kent Police ensure that every repeat incident is risk assessed",
        "the Home Office include coercive control in its statutory guidance",
        "all agencies consider how information is shared at MARAC."]
    assert summary(found) == [("a", "kent-police", "text", "police"),
                              ("b", "home-office", "text", "home_office"),
                              ("c", None, None, None)]


def test_stem_clauses_split_across_a_page_break() -> None:
    first, second = STEM.split("(b) ")
    found = recs(SOUTHAMPTON_INTRO + first.rstrip("\n"), "(b) " + second)
    assert [r["number"] for r in found] == ["a", "b", "c"]
    assert [r["page"] for r in found] == [1, 2, 2]


def test_a_clause_continuing_over_the_page_stays_one_recommendation() -> None:
    found = recs(SOUTHAMPTON_INTRO + "12. Recommendations\nThe review panel recommends that:\n"
                 "(a) Kent Police ensure that every repeat incident",
                 "is risk assessed by a supervisor;\n(b) the Home Office include coercive control "
                 "in its statutory guidance.\n13. Glossary")
    assert [r["text"] for r in found] == [
        "Kent Police ensure that every repeat incident is risk assessed by a supervisor",
        "the Home Office include coercive control in its statutory guidance."]


def test_a_list_under_a_sentence_that_is_not_a_stem_stays_inside_its_recommendation() -> None:
    found = recs(SOUTHAMPTON_INTRO + "12. Recommendations\n"
                 "1. Kent Police should review its domestic abuse policy so that:\n"
                 "a) repeat incidents are risk assessed;\nb) supervisors check the assessment.\n"
                 "13. Glossary")
    assert len(found) == 1 and found[0]["text"].endswith("supervisors check the assessment.")


def test_no_named_agent_takes_the_lead_column_else_no_owner() -> None:
    found = recs(SOUTHAMPTON_INTRO + "12. Recommendations\n"
                 "1. For consideration to be given to a review of the MARAC referral pathway.\n"
                 "Lead agency: Hampshire and Isle of Wight Constabulary\n"
                 "2. For consideration to be given to a multi-agency audit of repeat cases.\n"
                 "13. Glossary")
    assert summary(found)[0][:3] == ("1", "hampshire-and-isle-of-wight-constabulary",
                                     "action_plan")
    assert summary(found)[1][:3] == ("2", None, None)


def test_a_table_lead_column_owns_a_recommendation_without_an_agent() -> None:
    table = ("Recommendation | Lead agency | Target date\n"
             "1. Review the MARAC referral pathway and brief all staff. | Kent Police | March "
             "2024\n"
             "2. Audit the referral pathway every year. | All agencies | March 2025")
    found = recs("Action Plan\n" + table)
    assert [(r["number"], owner(r), r["owner_source"]) for r in found] == [
        ("1", "kent-police", "action_plan"), ("2", None, None)]


def test_owner_from_extracted_action_rows_by_number() -> None:
    actions = [{"recommendation": "1", "lead": {"id": "cps", "name": "Crown Prosecution Service"}}]
    found = recs(SOUTHAMPTON_INTRO + "12. Recommendations\n"
                 "1. For consideration to be given to the views of victims before any case is "
                 "discontinued.\n13. Glossary", actions=actions)
    assert summary(found)[0][:3] == ("1", "cps", "action_plan")
    assert summary(recs(SOUTHAMPTON_INTRO + "12. Recommendations\n1. For consideration to be "
                        "given to the views of victims.\n13. Glossary"))[0][:3] == ("1", None, None)


@pytest.mark.parametrize("sentence, owners", [
    (("The CSP seeks assurance from Hampshire and Isle of Wight Constabulary that its DASH "
     "training is complete."), ["southampton-csp", "hampshire-and-isle-of-wight-constabulary"]),
    (("Southampton Community Safety Partnership should seek assurance from the National Probation "
     "Service that MAPPA is considered."), ["southampton-csp", "probation-service"]),
    ("Kent Police and the Crown Prosecution Service should jointly review charging decisions.",
     ["kent-police", "cps"]),
    ("Hampshire and Isle of Wight Constabulary and the CPS should jointly review charging.",
     ["hampshire-and-isle-of-wight-constabulary", "cps"]),
    ("Devon and Cornwall Police should review charging decisions.", ["devon-and-cornwall-police"]),
    ("The CSP seeks assurance from the housing provider that tenancy checks include abuse.",
     ["southampton-csp"]),          # a kind of service is no organisation
])
def test_two_owners(sentence: str, owners: list[str]) -> None:
    found = recs(SOUTHAMPTON_INTRO + f"12. Recommendations\n1. {sentence}\n13. Glossary")
    assert [o["id"] for o in found[0]["organisations"]] == owners
    assert owner(found[0]) == owners[0] and found[0]["owner_source"] == "text"


def test_abbreviations_introduced_once_are_used_alone_afterwards() -> None:
    text = (SOUTHAMPTON_INTRO +
            "1.2 Greater Manchester Police (GMP) and Cornwall Partnership NHS Foundation Trust "
            "(CFT) contributed.\n12. Recommendations\n1. GMP should review its DASH training.\n"
            "2. CFT should audit its risk assessments within six months.\n13. Glossary")
    found = recs(text)
    assert summary(found) == [
        ("1", "greater-manchester-police", "text", "police"),
        ("2", "cornwall-partnership-nhs-foundation-trust", "text", "mental_health_services")]


def test_the_documents_own_definition_wins_over_the_registry() -> None:
    text = (SOUTHAMPTON_INTRO + "1.2 Mid-Point Services (MPS) is a local housing charity.\n"
            "12. Recommendations\n1. MPS should review its tenancy policy.\n13. Glossary")
    assert owner(recs(text)[0]) is None


@pytest.mark.parametrize("subject, org_id", [
    ("MPS", "metropolitan-police-service"), ("GMP", "greater-manchester-police"),
    ("the Met", "metropolitan-police-service"), ("the ICB", "nhs-hampshire-and-isle-of-wight-icb"),
    ("the CCG", "nhs-hampshire-and-isle-of-wight-icb"), ("the CSP", "southampton-csp"),
    ("the Partnership", None), ("MOPAC", "mopac"), ("OPCC", None),
    ("KMPT", "kent-and-medway-nhs-and-social-care-partnership-trust"),
    ("the police", None), ("the GP surgery", None), ("the Home Office QA Panel", None),
])
def test_common_abbreviations_without_introduction(subject: str, org_id: str | None) -> None:
    found = recs(SOUTHAMPTON_INTRO + f"12. Recommendations\n1. {subject[:1].upper()}{subject[1:]} "
                 "should review its policy on domestic abuse.\n13. Glossary")
    assert owner(found[0]) == org_id


def test_find_abbreviations_needs_matching_initials() -> None:
    found = find_abbreviations("Greater Manchester Police (GMP) attended (see page 4) in (2019). "
                               "KMPT (Kent and Medway NHS and Social Care Partnership Trust) and "
                               "the Probation Service (PS). The officer (DC) was present.\n"
                               "IDVA - Independent Domestic Violence Adviser")
    assert found == {"GMP": "Greater Manchester Police",
                     "KMPT": "Kent and Medway NHS and Social Care Partnership Trust",
                     "PS": "Probation Service",
                     "IDVA": "Independent Domestic Violence Adviser"}


def test_a_local_group_is_not_the_national_body_it_shares_words_with() -> None:
    resolver = OwnerResolver(area="Southampton")
    assert resolver.owner("Southampton Women's Aid").organisation is None
    assert resolver.owner("Women's Aid").organisation.id == "womens-aid-federation"
    assert [o.organisation.id for o in text_owners(
        "Safeguarding leads in Kent Police should review supervision.",
        resolver)] == ["kent-police"]


def test_the_area_is_the_partnerships_not_the_police_forces() -> None:
    text = (SOUTHAMPTON_INTRO + "1.2 Hampshire and Isle of Wight Constabulary attended the "
            "address. Hampshire and Isle of Wight Constabulary referred the case to MARAC.\n")
    review = understand_text([text])["review"]
    assert review["area"] == "Southampton" and review["region"] == "South East"


def test_assign_owners_without_hints_and_without_area() -> None:
    found = [{"number": "1", "text": "The CSP should review the MARAC protocol.", "agency": None}]
    assign_owners(found)
    assert found[0]["organisation"] is None and found[0]["organisations"] == []
    assert found[0]["agency"] is None    # agency types come from recommendations, not owners


HTML = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>DHR</title></head>
<body><main><h1>Domestic Homicide Review: Executive Summary</h1>
<p>This review was commissioned by Southampton Community Safety Partnership.</p>
<h2>Recommendations</h2>
<ol><li>Kent Police should review the guidance on repeat incidents within six months.</li>
<li>The Home Office should publish guidance on domestic homicide reviews.</li></ol>
<h2>Action plan</h2>
<table><tr><th>No.</th><th>Recommendation</th><th>Lead agency</th></tr>
<tr><td>3</td><td>Audit the MARAC referral pathway every year.</td><td>Crown Prosecution \
Service</td></tr>
</table></main></body></html>"""


def test_html_list_and_table_recommendations_take_the_list_number() -> None:
    doc = extract_bytes(HTML.encode("utf-8"), filename="summary.html").to_json_dict()
    got = [(r["number"], r["text"][:20], owner(r), r["owner_source"])
           for r in doc["recommendations"]]
    assert got == [("1", "Kent Police should r", "kent-police", "text"),
                   ("2", "The Home Office shou", "home-office", "text"),
                   ("3", "Audit the MARAC refe", "cps", "action_plan")]


def test_ocr_runs_a_heading_into_its_stem_sentence_and_an_agency_heading_into_its_item() -> None:
    found = recs(SOUTHAMPTON_INTRO + "5. Recommendations made by the Review Having considered "
                 "the findings, the DHR panel recommends that:\n"
                 "(a) Kent Police ensure that every repeat incident is risk assessed;\n"
                 "(b) the Home Office include coercive control in its statutory guidance.\n"
                 "Recommendations for Adults and Communities, Southampton City Council 1) Revise "
                 "its assessment framework so that carers are seen alone.\n6. Glossary")
    assert [(r["number"], r["agency"], owner(r)) for r in found] == [
        ("a", "police", "kent-police"), ("b", "home_office", "home-office"),
        ("1", "adult_social_care", None)]


def test_a_heading_that_only_looks_numbered_is_not_an_agency_heading() -> None:
    found = recs(SOUTHAMPTON_INTRO + "12. Recommendations\n12.1 Kent Police should review the "
                 "guidance on repeat incidents.\n12.2 Audit the use of DVPNs every year.\n13. "
                 "Glossary")
    assert [(r["number"], owner(r), r["owner_source"]) for r in found] == [
        ("12.1", "kent-police", "text"), ("12.2", None, None)]


@pytest.mark.parametrize("stem", ["The panel makes the following recommendations:",
                                  "It is recommended that:",
                                  "The DHR panel recommends to the partnership that:"])
def test_stem_wordings_with_bulleted_or_numbered_clauses(stem: str) -> None:
    found = recs(SOUTHAMPTON_INTRO + f"12. Recommendations\n{stem}\n"
                 "• Kent Police ensure that every repeat incident is risk assessed;\n"
                 "• the Home Office include coercive control in its statutory guidance.\n13. "
                 "Glossary")
    assert [owner(r) for r in found] == ["kent-police", "home-office"]
    assert all(r["number"] is None for r in found)


def test_a_recommendation_ending_in_so_that_is_not_a_stem() -> None:
    found = recs(SOUTHAMPTON_INTRO + "12. Recommendations\n1. It is recommended that Kent Police "
                 "review its policy so that:\n• repeat incidents are risk assessed;\n"
                 "• supervisors check the assessment.\n13. Glossary")
    assert len(found) == 1 and found[0]["text"].endswith("supervisors check the assessment.")


def test_a_force_named_after_another_csp_area_does_not_make_the_area() -> None:
    text = ("Domestic Homicide Review into the death of Jane\nSouth Norfolk Community Safety "
            "Partnership\n1. Introduction\n1.1 This review was commissioned by South Norfolk "
            "Community Safety Partnership.\n" +
            "1.2 Norfolk Constabulary attended the address in May 2021.\n" * 6)
    review = understand_text([text])["review"]
    assert review["area"] == "South Norfolk"


@pytest.mark.parametrize("abbr", ["GMP", "KMPT", "PS", "IDVA", "CFT", "XYZ", "DC"])
def test_one_abbreviation_is_looked_up_as_the_whole_scan_finds_it(abbr: str) -> None:
    from understanding.abbreviations import defined_in
    text = ("Greater Manchester Police (GMP) attended (see page 4). KMPT (Kent and Medway NHS and "
            "Social Care Partnership Trust) and the Probation Service (PS). The officer (DC) was "
            "present. Cornwall Partnership NHS Foundation Trust (the CFT) later.\n"
            "IDVA - Independent Domestic Violence Adviser")
    assert defined_in(text, abbr) == find_abbreviations(text).get(abbr)
