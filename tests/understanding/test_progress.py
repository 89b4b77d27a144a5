"""Progress text of an action-plan row becomes a status, a completion date and an outcome
(understanding.progress)."""

from __future__ import annotations

import pytest

from understanding.progress import read_progress


@pytest.mark.parametrize("printed, status, completed, outcome", [
    # completed, with and without a date and an outcome
    ("Complete - new guidance in use (June 2023)", "completed", "2023-06", "New guidance in use"),
    ("Completed March 2023: audit reported to the board", "completed", "2023-03",
     "Audit reported to the board"),
    ("Done - revised pathway launched, 09/2024", "completed", "2024-09",
     "Revised pathway launched"),
    ("Achieved in September 2014. Learning event held", "completed", "2014-09",
     "Learning event held"),
    ("Closed 31/03/2025 - checklist embedded", "completed", "2025-03", "Checklist embedded"),
    ("Fully implemented (May 2024): audit found full compliance", "completed", "2024-05",
     "Audit found full compliance"),
    ("Complete", "completed", None, None),
    ("RAG: Green", "completed", None, None),
    ("New procedure in place", "completed", None, "New procedure in place"),
    ("Actioned - protocol live", "completed", None, "Protocol live"),
    ("Business as usual", "completed", None, None),
    ("Blue", "completed", None, None),
    # in progress
    ("Ongoing", "in_progress", None, None),
    ("On-going", "in_progress", None, None),
    ("In progress: policy drafted", "in_progress", None, "Policy drafted"),
    ("Underway - draft protocol out for consultation", "in_progress", None,
     "Draft protocol out for consultation"),
    ("Amber: task and finish group meeting monthly", "in_progress", None,
     "Task and finish group meeting monthly"),
    ("Not yet complete - training booked for June 2024", "in_progress", None,
     "Training booked for June 2024"),
    ("Partially complete: pilot running in two teams", "in_progress", None,
     "Pilot running in two teams"),
    ("Work in progress", "in_progress", None, None),
    ("Delayed - awaiting funding", "in_progress", None, "Awaiting funding"),
    # not started
    ("Not yet started", "not_started", None, None),
    ("Not commenced", "not_started", None, None),
    ("Red - no progress yet", "not_started", None, None),
    ("Yet to start", "not_started", None, None),
    ("Not yet due", "not_started", None, None),
    # not accepted, superseded
    ("Not accepted", "not_accepted", None, None),
    ("Not accepted by the Home Office", "not_accepted", None, "The Home Office"),
    ("Rejected: outside the scope of the review", "not_accepted", None,
     "Outside the scope of the review"),
    ("Superseded by the county domestic abuse strategy", "superseded", None,
     "The county domestic abuse strategy"),
    ("Replaced by national guidance issued since", "superseded", None,
     "National guidance issued since"),
    # nothing to read
    ("", None, None, None),
    (None, None, None, None),
    ("See covering letter", None, None, "See covering letter"),
])
def test_progress_text(printed, status, completed, outcome):
    got = read_progress(printed)
    assert (got.status, got.completed_date, got.outcome) == (status, completed, outcome)


@pytest.mark.parametrize("printed, status, completed, outcome", [
    ("June 2023 - guidance issued", "completed", "2023-06", "Guidance issued"),
    ("31/05/2024: revised pathway launched", "completed", "2024-05", "Revised pathway launched"),
    ("Screening tool adopted in every team (Mar 2024)", "completed", "2024-03",
     "Screening tool adopted in every team"),
    ("Ongoing", "in_progress", None, None),
    ("", None, None, None),
])
def test_date_of_completion_and_outcome_column(printed, status, completed, outcome):
    """In a "Date of completion and outcome" column, a date with no status word means done."""
    got = read_progress(printed, completion_column=True)
    assert (got.status, got.completed_date, got.outcome) == (status, completed, outcome)


def test_a_date_in_progress_text_is_no_completion_date_unless_completed():
    got = read_progress("Ongoing - review due March 2025")
    assert got.status == "in_progress" and got.completed_date is None
    assert got.outcome == "Review due March 2025"
