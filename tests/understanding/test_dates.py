"""Printed action-plan dates become ISO year-month, a year alone, or null (understanding.dates)."""

from __future__ import annotations

import pytest

from understanding.dates import find_date, find_dates, year_month


@pytest.mark.parametrize("printed, expected", [
    # a month and a year
    ("March 2024", "2024-03"),
    ("Mar 2024", "2024-03"),
    ("Sept. 2023", "2023-09"),
    ("Mar-24", "2024-03"),
    ("December '24", "2024-12"),
    ("03/2024", "2024-03"),
    ("3.2024", "2024-03"),
    ("03/24", "2024-03"),
    ("2024-03", "2024-03"),
    # a day, a month and a year (day first)
    ("31.03.24", "2024-03"),
    ("31/03/2024", "2024-03"),
    ("1-5-2025", "2025-05"),
    ("31st March 2024", "2024-03"),
    ("the 1st of June 2023", "2023-06"),
    ("2024-03-31", "2024-03"),
    # quarters: calendar, and UK financial year (April to March)
    ("Q1 2024", "2024-03"),
    ("Quarter 3 2024", "2024-09"),
    ("Q2 2024/25", "2024-09"),
    ("Q3 2024/25", "2024-12"),
    ("Q4 2024/25", "2025-03"),
    ("Q4 2023-24", "2024-03"),
    ("Q1 FY24/25", "2024-06"),
    ("Quarter 2 of 2024-25", "2024-09"),
    ("QI 2021", "2021-03"),                  # OCR of "Q1 2021"
    ("Ql 2024/25", "2024-06"),
    ("Qi 2022", "2022-03"),                  # OCR of "Q1 2022" in lower case (no crash)
    ("Quarter 3. 2019-20", "2019-12"),       # OCR's stray full stop
    # financial years
    ("2024/25", "2025-03"),
    ("FY 2024-25", "2025-03"),
    ("End of financial year 2024/25", "2025-03"),
    ("By the end of 17/18", "2018-03"),
    ("End of financial year", None),
    ("end of the financial year", None),
    # years without a month, seasons, ends of years, ranges
    ("2024", "2024"),
    ("Spring 2024", "2024"),
    ("Winter 2024/25", "2024"),
    ("End of 2024", "2024-12"),
    ("April 2024 - March 2025", "2025-03"),
    ("June 2024 to December 2024", "2024-12"),
    # no date at all
    ("Ongoing", None),
    ("Immediate", None),
    ("Within 6 months", None),
    ("TBC", None),
    ("", None),
    (None, None),
    ("2019-2021", None),
    ("32/13/2024", None),
])
def test_printed_dates(printed, expected):
    assert year_month(printed) == expected


def test_find_date_gives_where_the_date_is():
    text = "Complete - new guidance in use (June 2023)"
    hit = find_date(text)
    assert hit is not None and hit.value == "2023-06"
    assert text[hit.start:hit.end] == "June 2023"


def test_find_dates_reads_left_to_right():
    assert [h.value for h in find_dates("Drafted May 2023; signed off 12/09/2023")] == ["2023-05",
                                                                                        "2023-09"]
