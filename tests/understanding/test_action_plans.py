"""Action-plan rows from tables of any layout (understanding.action_plans): column names in any
order and wording, merged recommendation cells, rows split over pages, dates, progress, and the link
to the review's recommendations."""

from __future__ import annotations

import pytest

from ingest.extracted import Table
from understanding.action_plans import column_kind, extract_actions, header_columns, resolve_lead
from understanding.owners import OwnerResolver
from understanding.understand import understand_text

REC_1 = "Kent Police should review its domestic abuse risk assessment training for call handlers."
REC_2 = "The CCG should audit GP recording of MARAC information within six months."
RECS = [{"number": "1", "text": REC_1}, {"number": "2", "text": REC_2}]

HOME_OFFICE = ["Recommendation", "Scope", "Action to take", "Lead agency", "Key milestones",
               "Target date", "Date of completion and outcome"]


def rows_of(*tables: Table, recs=RECS) -> list[dict]:
    return extract_actions(list(tables), recs)


def test_home_office_template():
    table = Table(3, [HOME_OFFICE,
                      [f"1. {REC_1}", "Local", "Revise the training package.", "Kent Police",
                       "Package drafted; staff trained", "March 2024",
                       "Complete - new guidance in use (June 2023)"],
                      [f"2. {REC_2}", "Local", "Audit twenty records.", "NHS Kent and Medway ICB",
                       "Audit tool agreed", "Q2 2024/25", "Ongoing"]])
    first, second = rows_of(table)
    assert first == {"recommendation": "1", "action": "Revise the training package.",
                     "lead": {"id": "kent-police", "name": "Kent Police"},
                     "lead_name": "Kent Police", "milestones": "Package drafted; staff trained",
                     "target_date": "2024-03", "completed_date": "2023-06",
                     "outcome": "New guidance in use", "status": "completed", "page": 3}
    assert (second["recommendation"], second["target_date"], second["status"],
            second["completed_date"]) == ("2", "2024-09", "in_progress", None)


def test_short_progress_table():
    table = Table(1,
                  [["Ref", "Recommendation", "Lead organisation", "Target date", "Progress update"],
                      ["1", REC_1, "Kent Police", "31.03.24", "Not yet started"],
                      ["2", REC_2, "Kent and Medway CCG", "End of financial year", "Not accepted"]])
    a, b = rows_of(table)
    assert (a["recommendation"], a["action"], a["lead_name"], a["target_date"], a["status"]) == \
        ("1", None, "Kent Police", "2024-03", "not_started")
    assert (b["recommendation"], b["target_date"], b["status"]) == ("2", None, "not_accepted")


@pytest.mark.parametrize("header", [
    ["Agency", "Ref", "Recommendation", "Action to be taken", "By when",
     "Completed (date and outcome)"],
    ["Owner", "No.", "DHR recommendation", "Agreed actions", "Due date", "RAG status and update"],
    ["Responsible organisation", "Rec No.", "Learning identified", "Steps to be taken", "Timeframe",
     "Latest update"],
])
def test_reordered_and_renamed_columns(header):
    table = Table(2,
                  [header, ["Kent Police", "1", REC_1, "Revise the package.", "Mar-24", "Ongoing"]])
    (row,) = rows_of(table)
    assert (row["lead_name"], row["recommendation"], row["action"], row["target_date"]) == \
        ("Kent Police", "1", "Revise the package.", "2024-03")
    assert row["status"] == "in_progress"


def test_a_column_headed_like_a_number_that_holds_the_text_is_the_recommendation():
    table = Table(1,
                  [["Rec", "Action", "Responsible agency/organ isation", "By when", "Progress/RAG"],
                      [f"R2 {REC_2}", "Audit twenty records.", "Kent and Medway CCG", "Spring 2025",
                       "Green: completed"]])
    (row,) = rows_of(table, recs=[{"number": "R2", "text": REC_2}])
    assert (row["recommendation"], row["lead_name"], row["target_date"], row["status"]) == \
        ("R2", "Kent and Medway CCG", "2025", "completed")


@pytest.mark.parametrize("repeat", [False, True], ids=["blank (PDF, HTML)", "repeated (Word)"])
def test_merged_recommendation_cell_gives_a_row_per_action(repeat):
    table = Table(4, [HOME_OFFICE,
                      [f"1. {REC_1}", "Local", "Revise the training package.", "Kent Police", "",
                       "March 2024", "Ongoing"],
                      [f"1. {REC_1}" if repeat else "", "Local" if repeat else "",
                       "Brief staff on the revised procedure.", "", "", "June 2024",
                       "Not yet started"]])
    a, b = rows_of(table)
    assert (a["recommendation"], b["recommendation"]) == ("1", "1")
    assert b["action"] == "Brief staff on the revised procedure."
    assert b["lead_name"] == "Kent Police"    # the merged lead is the lead of both actions
    assert (b["target_date"], b["status"]) == ("2024-06", "not_started")


def test_row_split_over_pages_is_joined_and_the_header_repeat_is_skipped():
    page_3 = Table(3, [HOME_OFFICE,
                       [f"1. {REC_1}", "Local", "Revise the training package and", "Kent Police",
                        "", "March 2024", "Ongoing"]])
    page_4 = Table(4, [HOME_OFFICE,
                       ["", "", "brief every call handler.", "", "", "", ""],
                       [f"2. {REC_2}", "Local", "Audit twenty records.", "Kent and Medway CCG", "",
                        "2024", "Complete"]])
    a, b = rows_of(page_3, page_4)
    assert a["action"] == "Revise the training package and brief every call handler."
    assert (a["page"], b["page"]) == (3, 4)
    assert (b["recommendation"], b["target_date"]) == ("2", "2024")


SHORT = ["Ref", "Recommendation", "Lead organisation", "Target date", "Progress update"]


@pytest.mark.parametrize("header", [True, False], ids=["header repeated", "no header"])
@pytest.mark.parametrize("marker", ["", "(continued)", "(Cont.)", "cont'd"])
def test_a_row_broken_over_a_page_with_its_lead_and_date_carrying_on_is_one_row(header, marker):
    page_3 = Table(
        3,
        [
            HOME_OFFICE,
            [
                f"1. {REC_1}",
                "Local",
                "Revise the training package and",
                "Kent and Medway",
                "",
                "End of financial",
                "Work has started:",
            ],
        ],
    )
    rest = [marker, "", "brief every call handler.", "CCG", "", "year 2023/24", "package drafted"]
    page_4 = Table(
        4,
        ([HOME_OFFICE] if header else [])
        + [
            rest,
            [
                f"2. {REC_2}",
                "Local",
                "Audit twenty records.",
                "Kent Police",
                "",
                "2024",
                "Complete",
            ],
        ],
    )
    a, b = rows_of(page_3, page_4)
    assert a["action"] == "Revise the training package and brief every call handler."
    assert (a["lead_name"], a["target_date"], a["status"]) == (
        "Kent and Medway CCG",
        "2024-03",
        "in_progress",
    )
    assert (a["recommendation"], a["page"]) == ("1", 3)
    assert (b["recommendation"], b["lead_name"], b["page"]) == ("2", "Kent Police", 4)


def test_a_numbered_row_or_a_merged_cell_action_at_the_top_of_a_page_is_a_row_of_its_own():
    page_1 = Table(
        1, [SHORT, ["1", f"{REC_1[:-1]} within six months", "Kent Police", "May 2024", "Ongoing"]]
    )
    page_2 = Table(2, [SHORT, ["2", REC_2, "Kent and Medway CCG", "June 2024", "Complete"]])
    assert [r["recommendation"] for r in rows_of(page_1, page_2)] == ["1", "2"]
    merged_1 = Table(1, [HOME_OFFICE, [f"1. {REC_1}", "Local", "Revise the training package.",
                                       "Kent Police", "", "March 2024", "Ongoing"]])
    merged_2 = Table(2, [HOME_OFFICE, ["", "", "Brief every call handler.", "Kent Police", "",
                                       "June 2024", "Not started"]])
    a, b = rows_of(merged_1, merged_2)
    assert a["action"] == "Revise the training package."
    assert (b["recommendation"], b["action"], b["status"]) == (
        "1",
        "Brief every call handler.",
        "not_started",
    )


def test_a_table_without_header_on_the_next_page_goes_on():
    page_1 = Table(1, [["Ref", "Recommendation", "Lead", "Target date", "Progress"],
                       ["1", REC_1, "Kent Police", "May 2024", "Ongoing"]])
    page_2 = Table(2, [["2", REC_2, "Kent and Medway CCG", "June 2024", "Complete (July 2024)"]])
    first, b = rows_of(page_1, page_2)
    assert first["page"] == 1
    assert ((b["recommendation"], b["page"], b["status"], b["completed_date"]) == (
        "2", 2, "completed", "2024-07"))


@pytest.mark.parametrize("rows", [
    [["Role", "Agency"], ["Detective Inspector", "Kent Police"]],
    [["Pseudonym", "Relationship", "Age"], ["Adult A", "Victim", "43"]],
    [["No.", "Recommendation", "Lead agency"], ["1", REC_1, "Kent Police"]],
], ids=["panel", "pseudonyms", "recommendations without actions"])
def test_tables_that_are_not_action_plans(rows):
    assert rows_of(Table(1, rows)) == []


def test_rows_link_by_number_then_by_text():
    recs = [{"number": "R1", "text": REC_1}, {"number": "R2", "text": REC_2}]
    table = Table(1, [["No.", "Recommendation", "Lead", "Target date", "Update"],
                      ["1", REC_2, "Kent and Medway CCG", "2025", "Ongoing"],
                      ["R1", "Training for call handlers", "Kent Police", "2025", "Ongoing"]])
    a, b = rows_of(table, recs=recs)
    assert a["recommendation"] == "R2"       # "1" is no recommendation's number: by its text
    assert b["recommendation"] == "R1"       # by number
    assert rows_of(table, recs=[])[0]["recommendation"] == "1"   # nothing to link to: as printed


@pytest.mark.parametrize("label, kind", [
    ("Recommendation", "recommendation"), ("Scope", "scope"), ("Action to take", "action"),
    ("Lead agency", "lead"), ("Key milestones", "milestones"), ("Target date", "target_date"),
    ("Date of completion and outcome", "completion"), ("Ref", "number"),
    ("Progress update", "progress"), ("Lead organisation", "lead"), ("By when", "target_date"),
    ("Local / Regional / National", "scope"), ("Target completion date", "target_date"),
    ("Completion date and outcome", "completion"), ("Position statement", "progress"),
    ("Accountable organisation", "lead"), ("Panel recommendation", "recommendation"),
    ("Patient name", None),
])
def test_column_header_synonyms(label, kind):
    assert column_kind(label) == kind


def test_header_needs_an_anchor_and_a_detail():
    assert header_columns(["Lead agency", "Target date", "Progress"]) is None
    assert header_columns(["Recommendation", "Lead agency", "Target date"]) is not None


@pytest.mark.parametrize("printed, org_id", [
    ("Kent Police", "kent-police"),
    ("Home Office", "home-office"),
    ("All partner agencies", None),
    ("the GP surgery", None),
    ("N/A", None),
    ("", None),
])
def test_lead_is_resolved_through_the_registry(printed, org_id):
    lead = resolve_lead(printed)
    assert (lead["id"] if lead else None) == org_id


def test_lead_abbreviation_introduced_by_the_report():
    resolver = OwnerResolver({"KP": "Kent Police"}, area=None)
    table = Table(1, [["Ref", "Recommendation", "Lead", "Target date"],
                      ["1", REC_1, "KP", "May 2024"]])
    (row,) = extract_actions([table], RECS, resolver)
    assert row["lead_name"] == "KP" and row["lead"]["id"] == "kent-police"


def test_understanding_reads_action_rows_from_text_tables():
    page = ("Action plan\n"
            "Ref | Recommendation | Lead organisation | Target date | Progress update\n"
            f"1 | {REC_1} | Kent Police | 03/2024 | Completed March 2024: training delivered\n")
    result = understand_text([page])
    (row,) = result["actions"]
    assert (row["recommendation"], row["lead_name"], row["target_date"], row["status"],
            row["completed_date"], row["outcome"]) == \
        ("1", "Kent Police", "2024-03", "completed", "2024-03", "Training delivered")


def test_a_row_gives_its_lead_to_an_owner_only_when_its_number_names_one_recommendation():
    from understanding.understand import _unambiguous

    recs = [{"number": "1", "text": REC_1}, {"number": "2", "text": REC_2},
            # numbering restarts
            {"number": "1", "text": "Agencies may wish to consider training."}]
    rows = [{"recommendation": "1", "lead": {"id": "kent-police", "name": "Kent Police"}},
            {"recommendation": "2", "lead": None}]
    assert _unambiguous(rows, recs) == [rows[1]]
