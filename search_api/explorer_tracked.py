"""The recommendations explorer filtered by progress: status, owner and overdue.

When ``/recommendations`` (or its ``.csv`` / ``.json`` export) is asked for ``status``, ``owner``
or ``overdue``, the list comes from the tracker, one entry per review recommendation (however
many documents print it), through :func:`accountability.queries.list_recommendations` with the
API's rules (``status`` and ``owner`` repeatable, ``overdue=true|false``, ``q`` words in the
text, ``year_from``/``year_to``). The search index's facets (theme, agency, scope...) describe
printed copies, not review recommendations, so they do not apply here and the page says so.
Statuses follow the deployment's ``tracker.public_status``; a bad parameter is a 400 page with an
error summary.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template, request
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from accountability.db import read_session
from accountability.models import OrganisationRow, RecommendationOwner
from accountability.queries import CursorError, RecFilters, list_recommendations
from accountability.statuses import STATUSES

from .tracker_auth import session_principal
from .tracker_state import tracker
from .ui_export import MAX_ROWS, Row, stream_csv, stream_json

TRACKER_PARAMS = ("status", "owner", "overdue")
PAGE_SIZE = 20
COLUMNS = ("id", "review_key", "number", "text", "owners", "owner_ids", "status", "target_date",
           "overdue", "documents", "url")
LABELS = {"no_information": "No information", "not_started": "Not started",
          "in_progress": "In progress", "completed": "Completed",
          "not_accepted": "Not accepted", "superseded": "Superseded"}


def wanted(args: MultiDict[str, str]) -> bool:
    """True when the explorer is asked to filter by progress (and there is a tracker: a
    search-only server answers these parameters as unknown ones)."""
    from .ui_tracking import _tracker_exists

    return any(args.get(k) for k in TRACKER_PARAMS) and _tracker_exists()


def _parse(args: MultiDict[str, str]) -> tuple[RecFilters, dict[str, str]]:
    errors: dict[str, str] = {}
    status = [s for s in args.getlist("status") if s]
    if any(s not in STATUSES for s in status):
        errors["progress-status"] = "Choose statuses from the list"
        status = [s for s in status if s in STATUSES]
    owner = [o[:100] for o in args.getlist("owner") if o][:20]
    raw = args.get("overdue", "")
    overdue = {"": None, "true": True, "false": False, "yes": True, "no": False}.get(raw)
    if raw and overdue is None:
        errors["progress-overdue"] = "Choose whether to show overdue recommendations"
    years: dict[str, int | None] = {}
    for name in ("year_from", "year_to"):
        value = (args.get(name) or "").strip()
        years[name] = int(value) if value.isdigit() and 1900 <= int(value) <= 2100 else None
        if value and years[name] is None:
            errors[name] = "Enter a year as 4 numbers, like 2019"
    q = (args.get("q") or "").strip()[:500] or None
    if q and "\x00" in q:
        errors["q"] = "Enter words to search for"
        q = None
    return RecFilters(q=q, owner=owner, status=status, overdue=overdue,
                      year_from=years["year_from"], year_to=years["year_to"]), errors


def _owners(session: Any) -> list[tuple[str, str]]:
    """Organisations that own at least one recommendation, by name (for the owner list)."""
    rows = session.execute(select(OrganisationRow.id, OrganisationRow.name)
                           .join(RecommendationOwner,
                                 RecommendationOwner.organisation_id == OrganisationRow.id)
                           .group_by(OrganisationRow.id, OrganisationRow.name)
                           .order_by(OrganisationRow.name)
                           .having(func.count() > 0)).all()
    return [(r[0], r[1]) for r in rows]


def page() -> Response:
    filters, errors = _parse(request.args)
    cursor = request.args.get("cursor") or None
    who = session_principal()
    public = tracker().public_status
    listing: dict[str, Any] = {"total": 0, "results": [], "next_cursor": None}
    with read_session(tracker().engine) as s:
        if not errors:
            try:
                listing = list_recommendations(s, filters, viewer=who, public_status=public,
                                               page_size=PAGE_SIZE, cursor=cursor)
            except CursorError:
                errors["q"] = "The page link is not valid: start the search again"
        owners = _owners(s)
    args = request.args
    base = [(k, v) for k, v in args.items(multi=True) if k not in ("cursor",)]

    next_url = ("/recommendations?" + urlencode(base + [("cursor", listing["next_cursor"])])
                if listing["next_cursor"] else None)
    export = urlencode([(k, v) for k, v in base if k != "page_size"])
    html = render_template(
        "recommendations_tracked.html", filters=filters, errors=errors, listing=listing,
        owners=owners, statuses=[(s, LABELS[s]) for s in STATUSES], next_url=next_url,
        overdue_value=args.get("overdue", ""), first_page=bool(cursor),
        clear_url="/recommendations" + (f"?{urlencode({'q': filters.q})}" if filters.q else ""),
        csv_url=f"/recommendations.csv?{export}", json_url=f"/recommendations.json?{export}",
        status_shown=public or who is not None, max_rows=MAX_ROWS,
        ignored=[k for k in args if k in ("theme", "agency", "scope", "region", "area",
                                          "review_type", "smart_min")])
    resp = Response(html, status=400 if errors else 200, mimetype="text/html")
    resp.headers["Content-Language"] = "en-GB"
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _rows(engine: Any, filters: RecFilters, who: Any, public: bool) -> Any:
    """Every matching review recommendation (up to MAX_ROWS, then a cut marker)."""
    cursor = None
    sent = 0
    while True:
        with read_session(engine) as s:
            listing = list_recommendations(s, filters, viewer=who, public_status=public,
                                           page_size=100, cursor=cursor)
        for r in listing["results"]:
            if sent >= MAX_ROWS:
                yield r, True
                return
            sent += 1
            yield r, False
        cursor = listing["next_cursor"]
        if not cursor:
            return


def _row(r: dict[str, Any], base_url: str) -> Row:
    return {"id": r["id"], "review_key": r["review_key"], "number": r["number"],
            "text": r["text"], "owners": [o["name"] for o in r["owners"]],
            "owner_ids": [o["id"] for o in r["owners"] if o["id"]], "status": r["status"],
            "target_date": r["target_date"], "overdue": r["overdue"],
            "documents": [d["id"] for d in r["documents"]],
            "url": f"{base_url}/recommendations/{r['id']}"}


def export(fmt: str) -> Response:
    filters, errors = _parse(request.args)
    if errors:
        resp = Response(render_template("tracker_message.html", title="There is a problem with "
                                        "this export", message=next(iter(errors.values()))),
                        status=400, mimetype="text/html")
        return resp
    base_url = tracker().config.server.public_url or ""
    rows = _rows(tracker().engine, filters, session_principal(), tracker().public_status)
    name = f"dhr-recommendations-{date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        body = stream_csv(rows, lambda r: _row(r, base_url), COLUMNS)
        mimetype = "text/csv"
    else:
        query = {k: (v if len(v) > 1 else v[0]) for k, v in request.args.lists()
                 if k not in ("cursor", "page", "page_size")}
        body = stream_json(rows, lambda r: _row(r, base_url), query)
        mimetype = "application/json"
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
