"""Recommendation rules: lists, headings, tables split over pages, merging, addressees."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.understanding.helpers import doc
from understanding.recommendations import (
    addressee,
    extract_list_recommendations,
    extract_recommendations,
    extract_table_recommendations,
)


@dataclass
class Table:  # the shape of ingest.extracted.Table
    page: int
    rows: list[list[str]]


def texts(recs) -> list[str]:
    return [r.text for r in recs]


@pytest.mark.parametrize("lines, number", [
    ("Recommendation 3: Lancashire Constabulary to review its DASH training by March 2024.", "3"),
    ("Recommendation 3 - Lancashire Constabulary to review its DASH training by March 2024.", "3"),
    ("3. Lancashire Constabulary to review its DASH training by March 2024.", "3"),
    ("R3 Lancashire Constabulary to review its DASH training by March 2024.", "R3"),
    ("c) Lancashire Constabulary to review its DASH training by March 2024.", "c"),
    ("Recommendation 3\nLancashire Constabulary to review its DASH training by March 2024.", "3"),
])
def test_numbered_and_lettered_items(lines: str, number: str) -> None:
    recs = extract_list_recommendations(doc(f"12. Recommendations\n{lines}\n13. Glossary"))
    assert [(r.number, r.text, r.agency) for r in recs] == [
        (number, "Lancashire Constabulary to review its DASH training by March 2024.", "police")]


def test_it_is_recommended_that_sentences() -> None:
    recs = extract_list_recommendations(doc(
        "Recommendations\nThe panel makes the following recommendations.\n"
        "It is recommended that the CSP commissions a review of MARAC attendance."))
    assert [(r.number, r.agency) for r in recs] == [(None, "community_safety_partnership")]
    assert recs[0].text.startswith("It is recommended that the CSP")


def test_headings_set_scope_and_intro_lines_are_not_recommendations() -> None:
    recs = extract_list_recommendations(doc(
        "19. Recommendations\nThe following recommendations are made by the panel.\n"
        "Single-Agency Recommendations\n1) Preston Housing Options should adopt a policy on "
        "management moves.\nMulti-Agency Recommendations\n2) All agencies should consider how "
        "partnership working could be strengthened.\nNational Recommendations\n3) The Department "
        "of Health and Social Care should issue statutory guidance.\nAppendix A: Action Plan"))
    assert [(r.number, r.agency, r.scope) for r in recs] == [
        ("1", "housing", "local"), ("2", None, "local"), ("3", "central_government", "national")]


def test_a_recommendation_continues_over_a_page_break() -> None:
    d = doc("Recommendations\n1. Lancashire Constabulary should ensure that officers who",
            "attend domestic incidents complete a DASH risk assessment.\n2. The CCG should audit "
            "GP referrals.")
    recs = extract_list_recommendations(d)
    assert texts(recs) == [("Lancashire Constabulary should ensure that officers who attend "
                            "domestic "
                           "incidents complete a DASH risk assessment."),
                           "The CCG should audit GP referrals."]
    assert [r.page for r in recs] == [1, 2]


def test_agency_sub_headings_address_the_items_below_them() -> None:
    recs = extract_list_recommendations(doc(
        "Single agency recommendations\nLancashire Constabulary\n"
        "1. Review the guidance on repeat incidents within six months.\n"
        "Adult Social Care\n2. Ensure carers' assessments include a private conversation."))
    assert [(r.number, r.agency) for r in recs] == [("1", "police"), ("2", "adult_social_care")]


def test_text_outside_recommendation_sections_is_not_read() -> None:
    recs = extract_list_recommendations(doc(
        "16. Analysis\n1. The police should have completed a DASH form.\n17. Conclusions"))
    assert recs == []


@pytest.mark.parametrize("text, expected", [
    ("Lancashire Constabulary should ensure that...", ("police", "Lancashire Constabulary")),
    ("That the CSP writes to the Home Office.", ("community_safety_partnership", "CSP")),
    ("It is recommended that the Riverside Medical Practice audits its records.",
     ("gp_primary_care", "Riverside Medical Practice")),
    ("Homes for Newcastle Housing Association should adopt a policy.",
     ("housing", "Homes for Newcastle Housing Association")),
    ("All agencies should consider how information could be shared.", (None, None)),
    ("Partners should review raising awareness among staff.", (None, None)),
    ("Training on coercive control should be given to GPs.", (None, None)),
])
def test_addressee(text: str, expected: tuple[str | None, str | None]) -> None:
    assert addressee(text) == expected


HEADER = ["Rec No.", "Recommendation", "Action", "Lead Agency", "Target date", "Outcome"]


@pytest.mark.parametrize("header", [
    HEADER,
    ["No", "Recommendations", "Key actions", "Lead", "Timescale", "Evidence"],
    ["Ref", "Recommendation", "Actions to be taken", "Responsible agency", "By when",
     "Measure of success"],
    ["#", "DHR recommendation", "How", "Owner", "Deadline", "Progress"],
])
def test_action_plan_header_variants(header: list[str]) -> None:
    table = Table(3, [header, ["1", "Improve referrals to MARAC.", "Audit", "Kent Police",
                               "March 2024", ""]])
    recs = extract_table_recommendations([table])
    assert [(r.number, r.text, r.agency, r.source, r.page) for r in recs] == [
        ("1", "Improve referrals to MARAC.", "police", "table", 3)]


def test_a_row_split_across_pages_is_joined_back() -> None:
    tables = [Table(5, [HEADER, ["1", "The CCG should commission training for all", "Train",
                                 "Kent and Medway ICB", "2024", ""]]),
              Table(6, [["", "GP practices on routine enquiry.", "", "", "", ""],
                        ["2", "The CSP should publish the review.", "Publish", ("Safer Kent "
                         "Partnership"), "2024", ""]])]
    recs = extract_table_recommendations(tables)
    assert [(r.number, r.text, r.agency) for r in recs] == [
        ("1", "The CCG should commission training for all GP practices on routine enquiry.",
         "health_commissioner"),
        ("2", "The CSP should publish the review.", "community_safety_partnership")]


@pytest.mark.parametrize("header", [True, False], ids=["header repeated", "no header"])
@pytest.mark.parametrize(
    "marker, where",
    [("", None), ("(continued)", "text"), ("(Cont.)", "number"), ("continued", "text")],
)
def test_a_row_broken_over_a_page_is_one_recommendation(header, marker, where) -> None:
    """The rest of a row at the top of the next page, under a repeated header or not, marked
    "(continued)" (in the number cell or before the text) or not, with its lead cell carrying
    on too, joins the row above (the rule action-plan rows follow)."""
    rest = ["", "domestic homicide reviews in a central library.", "reviews.", "Justice", "", ""]
    if where == "number":
        rest[0] = marker
    elif where == "text":
        rest[1] = f"{marker} {rest[1]}"
    tables = [
        Table(
            5,
            [
                HEADER,
                [
                    "1",
                    "Kent Police should review DASH training.",
                    "Review",
                    "Kent Police",
                    "2024",
                    "",
                ],
                [
                    "2",
                    "The Ministry of Justice should issue guidance on the publication of",
                    "Issue guidance on publishing",
                    "Ministry of",
                    "2025",
                    "",
                ],
            ],
        ),
        Table(
            6,
            ([HEADER] if header else [])
            + [
                rest,
                [
                    "3",
                    "The CSP should publish the review.",
                    "Publish",
                    "Safer Kent Partnership",
                    "2024",
                    "",
                ],
            ],
        ),
    ]
    recs = extract_table_recommendations(tables)
    assert [(r.number, r.text, r.page) for r in recs] == [
        ("1", "Kent Police should review DASH training.", 5),
        ("2", ("The Ministry of Justice should issue guidance on the publication of domestic "
               "homicide reviews in a central library."), 5),
        ("3", "The CSP should publish the review.", 6)]
    assert (recs[1].lead_name, recs[1].scope) == ("Ministry of Justice", "national")


def test_a_numbered_row_at_the_top_of_a_page_is_a_recommendation_of_its_own() -> None:
    tables = [Table(5, [HEADER, ["1", "Kent Police should review DASH training within six months",
                                 "Review", "Kent Police", "2024", ""]]),
              Table(6, [HEADER, ["2", "The CSP should publish the review.", "Publish",
                                 "Safer Kent Partnership", "2024", ""]])]
    assert [r.number for r in extract_table_recommendations(tables)] == ["1", "2"]


def test_further_actions_of_one_recommendation_are_not_new_recommendations() -> None:
    table = Table(2, [HEADER, ["1", "Kent Police should review DASH training.", "Audit", ("Kent "
                               "Police"), "2024", ""], ["", "", "Brief staff", "", "2024", ""]])
    assert len(extract_table_recommendations([table])) == 1


def test_list_and_table_versions_merge_without_duplicates() -> None:
    d = doc("Recommendations\n1. All agencies should ensure that staff ask about domestic abuse.\n"
            "2. Kent Police should review DASH training.")
    tables = [Table(2, [HEADER,
                        ["1", "All agencies should ensure that staff ask about domestic abuse.",
                         "Audit", "Kent Community Safety Partnership", "2024", ""],
                        ["2", "Kent Police should review DASH training.", "Train", "Kent Police",
                         "2024", ""],
                        ["3", "The Home Office should update the statutory guidance.", "",
                         "Home Office", "2025", ""]])]
    recs = extract_recommendations(d, tables)
    assert [(r["number"], r["source"], r["agency"], r["scope"]) for r in recs] == [
        ("1", "list", "community_safety_partnership", "local"),
        ("2", "list", "police", "local"),
        ("3", "table", "home_office", "national")]
    assert recs[1]["smart"] == {"specific": True, "measurable": False, "time_bound": False,
                                "score": 1}


def test_a_number_wrapped_onto_a_new_line_is_not_a_new_item() -> None:
    d = doc("Recommendations\n1. The CCG should audit compliance through a dip sample of",
            "20 cases, reporting the results to the CSP.\n2. Kent Police should review training.")
    recs = extract_list_recommendations(d)
    assert [(r.number, r.text) for r in recs] == [
        ("1", ("The CCG should audit compliance through a dip sample of 20 cases, reporting the "
              "results to the CSP.")),
        ("2", "Kent Police should review training.")]


def test_two_items_merged_by_the_layout_are_split() -> None:
    d = doc("Recommendations\n6) All agencies should consider how partnership working could be "
            "strengthened. 7) Kent Police should review training.")
    recs = extract_list_recommendations(d)
    assert [(r.number, r.text) for r in recs] == [
        ("6", "All agencies should consider how partnership working could be strengthened."),
        ("7", "Kent Police should review training.")]


def test_table_of_contents_lines_are_not_recommendations() -> None:
    d = doc("Contents\n18. Lessons Learned 13\n19. Recommendations 14\nAppendix A: Action Plan 15",
            "19. Recommendations\n1. Kent Police should review training.")
    assert [r.text for r in extract_list_recommendations(d)] == [
        "Kent Police should review training."]


@pytest.mark.parametrize("text, expected", [
    ("The DHR panel recommends that Kent Police reviews its training.", ("police", "Kent Police")),
    ("In order to improve referrals, Kent Police should review its training.",
     ("police", "Kent Police")),
    ("Training on coercive control should be commissioned by the CCG.",
     ("health_commissioner", "CCG")),
])
def test_addressee_after_a_lead_in_or_in_the_passive(text: str, expected: tuple[str, str]) -> None:
    assert addressee(text) == expected


def test_labelled_lines_give_the_lead_agency_and_end_the_text() -> None:
    recs = extract_list_recommendations(doc(
        "Recommendations\nRecommendation One\nReferrals to MARAC are audited every quarter.\n"
        "Lead agency: Kent Police\nTarget date: March 2025\n"
        "Recommendation Two\nThe CSP should publish a local protocol.\nLead: Safer Kent "
        "Partnership"))
    assert [(r.number, r.text, r.agency) for r in recs] == [
        ("1", "Referrals to MARAC are audited every quarter.", "police"),
        ("2", "The CSP should publish a local protocol.", "community_safety_partnership")]


def test_a_recommendation_title_line_is_not_part_of_its_text() -> None:
    recs = extract_list_recommendations(doc(
        "Recommendations\nRecommendation 1: Risk assessment\nKent Police should repeat the DASH "
        "risk assessment after every incident.\n2.\nThe CSP should publish the review."))
    assert [(r.number, r.text) for r in recs] == [
        ("1", "Kent Police should repeat the DASH risk assessment after every incident."),
        ("2", "The CSP should publish the review.")]


def test_tab_separated_action_plan_rows() -> None:
    d = doc("Action plan\nNo\tRecommendation\tLead agency\tTarget date\n"
            "1\tKent Police should review DASH training.\tKent Police\tMarch 2025")
    recs = extract_recommendations(d)
    assert [(r["number"], r["source"], r["agency"]) for r in recs] == [("1", "table", "police")]


def test_an_action_plan_written_as_a_list() -> None:
    d = doc("Domestic Homicide Review Action Plan: Joanne\nSafer Kent Partnership\n"
            "Recommendation 1\nKent Police should review DASH training.\nLead agency: Kent Police\n"
            "Action: Deliver training to all response officers.\nTarget date: May 2025\n"
            "Recommendation 2\nAll agencies should consider how information could be shared.\n"
            "Lead agency: Safer Kent Partnership")
    recs = extract_recommendations(d, doc_type="action_plan")
    assert [(r["number"], r["text"], r["agency"]) for r in recs] == [
        ("1", "Kent Police should review DASH training.", "police"),
        ("2", "All agencies should consider how information could be shared.",
         "community_safety_partnership")]


def test_columns_are_inferred_when_the_header_names_nothing_known() -> None:
    table = Table(4, [["", "Learning", "Who", "Progress"],
                      ["1.", "Kent Police should review DASH training for all officers.",
                       "Kent Police", "Green"],
                      ["2.", "The CCG should commission routine enquiry training for GPs.",
                       "Kent and Medway ICB", "Amber"]])
    recs = extract_table_recommendations([table])
    assert [(r.number, r.agency) for r in recs] == [("1", "police"), ("2", "health_commissioner")]


@pytest.mark.parametrize("text, expected", [
    ("To improve the police response, the CCG should fund training.",
     ("health_commissioner", "CCG")),
    ("Housing providers should adopt a domestic abuse policy.", ("housing", "Housing providers")),
    ("Kent Police and Kent County Council should agree a protocol.", ("police", "Kent Police")),
])
def test_addressee_is_the_subject_of_the_recommending_verb(text: str, expected: tuple) -> None:
    assert addressee(text) == expected


def test_a_heading_run_into_its_first_items_is_split() -> None:
    d = doc("Key learning\nStaff should ask.\n"
            "Recommendations 1) Gwent Police should review training. 2) The CSP should publish the "
            "review.\nMulti-Agency Recommendations 3) All agencies should share information.")
    recs = extract_list_recommendations(d)
    assert [(r.number, r.text, r.scope) for r in recs] == [
        ("1", "Gwent Police should review training.", "local"),
        ("2", "The CSP should publish the review.", "local"),
        ("3", "All agencies should share information.", "local")]


# ----- failure modes found on the dev split ----------------------------------------------------
@pytest.mark.parametrize("contents, body_heading", [
    # The contents page ends on a recommendations entry whose next entry and first body headings
    # are worded in ways no rule names: the entry must not open a recommendations section.
    ("19. Recommendations of the Review 27\nDHR Action Plan 29",
     "1. Introduction and Background to the Review"),
    ("Summary of Recommendations ..... 31\nAnnex B ..... 33", "Preface"),
    ("18. Learning Identified 26\n19. Recommendations and Action Plan 27", "1. Timeframe"),
])
def test_a_contents_entry_does_not_open_a_recommendations_section(contents: str,
                                                                   body_heading: str) -> None:
    d = doc(f"Contents Page\n{contents}",
            f"{body_heading}\n1.1 The review panel offers its condolences to the family.\n"
            "1.2 The review considers contact from March 2016 to the date of the death.\n"
            "2. Confidentiality and Anonymity\n2.1 Pseudonyms have been used throughout.",
            "19. Recommendations of the Review\n1. Kent Police should review training.")
    assert [r.text for r in extract_list_recommendations(d)] == [
        "Kent Police should review training."]


def test_a_heading_with_a_page_number_but_no_contents_around_it_is_still_read() -> None:
    d = doc("Summary of Recommendations 12\n1. Kent Police should review training.")
    assert [r.text for r in extract_list_recommendations(d)] == [
        "Kent Police should review training."]


@pytest.mark.parametrize("heading, expected", [
    ("Actions Agreed", 1), ("Agreed Actions", 1), ("Recommendations from the DHR", 1),
    ("Actions arising", 1),
    ("Action Taken", 0),             # a report of what was done, not what is recommended
    ("Questions for Practitioners", 0),
])
def test_learning_brief_recommendation_headings(heading: str, expected: int) -> None:
    d = doc(f"Learning Briefing\n{heading}\n• Kent Police should ensure that a Domestic Violence "
            "Protection Notice is considered at every arrest for a domestic abuse offence.")
    assert len(extract_list_recommendations(d)) == expected


def _plan(*rows: list[str]) -> list[Table]:
    header = ["Rec", "Local / Regional / National", "Action", "Responsible agency/organisation",
              "Milestones", "By when", "Progress/RAG"]
    return [Table(1, [header, *[list(r) for r in rows]])]


def test_rows_that_differ_only_by_a_deadline_are_two_recommendations() -> None:
    recs = extract_recommendations(doc("Action Plan"), _plan(
        [("7. It is recommended that the Ministry of Justice issue statutory guidance on the "
         "publication of domestic homicide reviews in a central library."), "National",
         "Issue guidance.", "Ministry of Justice", "Guidance drafted", "January 2021", "Ongoing"],
        [("8. It is recommended that the Ministry of Justice issue statutory guidance on the "
         "publication of domestic homicide reviews in a central library before the end of "
         "March 2021."), "National", "Issue guidance.", "Ministry of Justice", "Guidance drafted",
         "March 2021", "Completed"]))
    assert [(r["number"], r["scope"]) for r in recs] == [("7", "national"), ("8", "national")]


def test_a_table_row_repeated_with_the_same_number_is_one_recommendation() -> None:
    row = [("Recommendation 7: Organisations represented on the panel should explore how "
           "information could be shared more effectively."), "Local", "Consider sharing.",
           "All partner agencies", "Working group set up", "April 2025", "In progress"]
    recs = extract_recommendations(doc("Action Plan"), _plan(row, row))
    assert [(r["number"], r["agency"]) for r in recs] == [("7", None)]


@pytest.mark.parametrize("text, expected", [
    ("It is recommended that We Are With You ensure that assessments ask about domestic abuse.",
     ("substance_misuse_services", "We Are With You")),
    ("It is recommended that Nottingham Royal Infirmary introduce routine enquiry.",
     ("acute_hospital", "Nottingham Royal Infirmary")),
    ("Safer Merton should review the MARAC operating protocol.",
     ("community_safety_partnership", "Safer Merton")),
    ("Sefton Safeguarding Adults Partnership Board should develop joint guidance.",
     ("safeguarding_board", "Sefton Safeguarding Adults Partnership Board")),
    ("Adult Social Care, Kent County Council should ensure that carers are assessed.",
     ("adult_social_care", "Adult Social Care")),
    # negatives: a police team and a programme are no partnership; a council after a clause
    ("The Safer Neighbourhood Team should visit the address after every call.", (None, None)),
    ("To improve the response to carers, Kent County Council should fund an IDVA post.",
     ("local_authority", "Kent County Council")),
    ("Kent Police should work with the Probation Service to review MAPPA referrals.",
     ("police", "Kent Police")),
])
def test_addressee_in_names_seen_on_the_dev_split(text: str, expected: tuple) -> None:
    assert addressee(text) == expected


def test_that_clauses_are_recommendations_in_lists_and_tables() -> None:
    d = doc("Recommendations\n1. That Forest of Dean Homes adopt a domestic abuse policy that "
            "includes management moves.\n2. That was the last contact any agency had with her.\n"
            "3. The review notes that agencies worked well together.")
    assert [(r.number, r.agency) for r in extract_list_recommendations(d)] == [("1", "housing")]
    recs = extract_recommendations(doc("Action Plan"), _plan(
        ["2. That the Home Office maintain a national repository of recommendations.", "National",
         "Maintain a repository.", "Home Office", "Scoping", "2025", "Ongoing"],
        ["Note", "", "Progress is reported to the board.", "", "", "", ""]))
    assert [(r["number"], r["agency"], r["scope"]) for r in recs] == [
        ("2", "home_office", "national")]


@pytest.mark.parametrize("head, scope", [
    ("Agency Recommendations", "local"),
    ("Recommendations for Individual Agencies", "local"),
    ("Recommendations for the Community Safety Partnership", "local"),
    ("National Recommendation(s)", "national"),
    ("Recommendations with National Implications", "national"),
    ("Recommendations for the Department for Education", "national"),
])
def test_a_scope_heading_run_into_a_coded_item_by_ocr(head: str, scope: str) -> None:
    d = doc(f"19. Recommendations\n{head} R1 Kent Police should review the guidance on repeat "
            "incidents.\nR2 Kent County Council should fund an IDVA post.")
    recs = extract_list_recommendations(d)
    assert [(r.number, r.text[:11], r.scope) for r in recs] == [
        ("R1", "Kent Police", scope), ("R2", "Kent County", scope)]


def test_a_sentence_that_mentions_r1_mid_line_is_not_split() -> None:
    d = doc("Recommendations\n1. Kent Police should review progress against R1 and R2 of the "
            "previous review by March 2025.")
    assert [r.text[:40] for r in extract_list_recommendations(d)] == [
        "Kent Police should review progress again"]


def test_a_regional_action_under_a_local_heading_is_regional() -> None:
    d = doc("Recommendations\nMulti-Agency Recommendations\n1. Kent Community Safety Partnership "
            "should review the MARAC protocol, jointly with the other partnerships in the region.\n"
            "2. Kent County Council should fund an IDVA post.")
    assert [r.scope for r in extract_list_recommendations(d)] == ["regional", "local"]


@pytest.mark.parametrize("body, expected", [
    # bullets under "so that:" stay inside the recommendation, all of them
    (("1. Kent Police should review its domestic abuse policy so that:\n• repeat victims are "
     "identified;\n• DASH forms are quality assured; and\n• supervisors review every high-risk "
     "case.\n2. Kent County Council should fund an IDVA post."),
     [("1", "supervisors review every high-risk case."), ("2", "fund an IDVA post.")]),
    (("1. Kent Police should:\na) review the DASH training for call handlers;\nb) audit 20 cases "
     "by March 2025.\n2. Kent County Council should fund an IDVA post."),
     [("1", "audit 20 cases by March 2025."), ("2", "fund an IDVA post.")]),
    # negative: top-level items of the same kind as the first are new recommendations
    ("a) Kent Police should review training.\nb) Kent County Council should fund an IDVA post.",
     [("a", "review training."), ("b", "fund an IDVA post.")]),
])
def test_sub_points_stay_inside_their_recommendation(body: str, expected: list) -> None:
    recs = extract_list_recommendations(doc(f"Recommendations\n{body}"))
    assert [(r.number, r.text[-len(end):])
            for r, (_, end) in zip(recs, expected, strict=False)] == expected
    assert len(recs) == len(expected)


@pytest.mark.parametrize("furniture",
                         ["OFFICIAL\nPage 12 of 30", "- 12 -", "OFFICIAL - SENSITIVE\n12"])
def test_page_furniture_inside_a_recommendation_is_skipped(furniture: str) -> None:
    d = doc("Recommendations\n1. Kent Police should review the DASH training for call handlers and "
            "audit",
            f"{furniture}\nthe quality of risk assessments by March 2025.\n2. Kent County Council "
            "should fund an IDVA post.")
    assert texts(extract_list_recommendations(d)) == [
        ("Kent Police should review the DASH training for call handlers and audit the quality of "
        "risk assessments by March 2025."), "Kent County Council should fund an IDVA post."]


@pytest.mark.parametrize("lead_column", ["Responsible agency/organisation", "Lead agency / partner",
                                         "Organisation/Agency responsible"])
def test_lead_columns_named_with_alternatives(lead_column: str) -> None:
    rows = [["Ref", "DHR Recommendation", lead_column, "Key actions", "Timescale", "Outcome"],
            ["R1", "Review the DASH training for call handlers.", "Kent Police", "Review", "2025",
             ""],
            ["R2", "Fund an IDVA post in the emergency department.", "Kent County Council", "Fund",
             "2025", ""]]
    recs = extract_table_recommendations([Table(1, rows)])
    assert [(r.number, r.agency) for r in recs] == [("R1", "police"), ("R2", "local_authority")]


def test_columns_in_another_order() -> None:
    rows = [["Lead agency", "No.", "Recommendation", "Action", "By when", "Progress/RAG"],
            ["Kent Police", "1", "Kent Police should review the DASH training.", "Review", "2025",
             "Green"],
            ["Kent County Council", "2", "Fund an IDVA post in the emergency department.", "Fund",
             "2025", "Amber"]]
    recs = extract_table_recommendations([Table(1, rows)])
    assert [(r.number, r.agency) for r in recs] == [("1", "police"), ("2", "local_authority")]
