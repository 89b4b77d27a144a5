"""Statuses of a review recommendation and the derived *overdue* (accountability.md).

``no_information`` is the default (nothing known). A target date is published as ``YYYY-MM``
or ``YYYY-MM-DD``; it has passed once its last day is over. *Overdue*: the target date has passed
and the status is not ``completed``, ``not_accepted`` or ``superseded``.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime

STATUSES = ("no_information", "not_started", "in_progress", "completed", "not_accepted",
            "superseded")
CLOSED = ("completed", "not_accepted", "superseded")
_DATE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?$")


def due_date(target: str | None) -> date | None:
    """The last day of a ``YYYY-MM`` target, or the day of ``YYYY-MM-DD``; None if unparseable."""
    m = _DATE.match(target or "")
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    day = int(m.group(3)) if m.group(3) else calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def valid_target(target: str) -> bool:
    return due_date(target) is not None


def today() -> date:
    return datetime.now(UTC).date()


def is_overdue(status: str, due: date | None, on: date | None = None) -> bool:
    return due is not None and due < (on or today()) and status not in CLOSED
