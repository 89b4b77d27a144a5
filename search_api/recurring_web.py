"""Pages for recurring recommendations: ``/recurring`` (groups, largest first, a page at a time)
and ``/recurring/<id>`` (one group: what it asks for, where and when, owner kinds, status mix and
every member, oldest first). GOV.UK Design System markup; statuses only for those allowed to
read them (``tracker.public_status`` or signed in). Data from :mod:`accountability.recurring`.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request

from accountability.db import read_session
from accountability.permissions import can_read_status
from accountability.recurring import CursorError, group_detail, list_groups

from .tracker_auth import session_principal
from .tracker_state import tracker

recurring_web = Blueprint("recurring_web", __name__, template_folder="templates")
GROUP_ID = re.compile(r"^rg-[0-9a-f]{16}$")
PAGE = 20
STATUS_LABELS = {"no_information": "No information", "not_started": "Not started",
                 "in_progress": "In progress", "completed": "Completed",
                 "not_accepted": "Not accepted", "superseded": "Superseded"}


@recurring_web.get("/recurring")
def groups() -> str:
    cursor = request.args.get("cursor") or None
    if cursor is not None and len(cursor) > 500:
        abort(400)
    who = session_principal()
    show = can_read_status(who, tracker().public_status)
    try:
        with read_session(tracker().engine) as s:
            body = list_groups(s, show_status=show, page_size=PAGE, cursor=cursor, viewer=who)
    except CursorError:
        abort(400)
    return render_template("recurring.html", body=body, labels=STATUS_LABELS)


@recurring_web.get("/recurring/<group_id>")
def group(group_id: str) -> str:
    if not GROUP_ID.match(group_id):
        abort(404)
    who = session_principal()
    show = can_read_status(who, tracker().public_status)
    with read_session(tracker().engine) as s:
        body = group_detail(s, group_id, show_status=show, viewer=who)
    if body is None:
        abort(404)
    return render_template("recurring_group.html", group=body, labels=STATUS_LABELS)
