"""Oversight figures over HTTP: ``GET /api/v1/oversight`` (JSON), the ``/oversight`` page (charts,
each with its data table and a description in words) and its downloads ``/oversight.csv`` and
``/oversight.json``.

Figures come from :func:`accountability.oversight.oversight_figures`. Public figures for
everyone; the ``private`` part only for the oversight role and admins (a bearer token on the
API; the signed-in session on the page and downloads). Status figures follow the deployment's
``tracker.public_status``. Responses carrying private detail are ``Cache-Control: private,
no-store``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from accountability.accounts import Principal
from accountability.db import read_session
from accountability.oversight import LEVELS, NO_OWNER, figures_csv_rows, oversight_figures
from accountability.statuses import STATUSES

from .charts import Chart, bar_chart
from .errors import bad_request
from .ratelimit import rate_limited
from .security import require_json_acceptable
from .tracker_auth import bearer_principal, session_principal
from .tracker_state import tracker

oversight = Blueprint("oversight", __name__)
MAX_ORGANISATION_BARS = 15
LEVEL_LABELS = {"local": "Local", "regional": "Regional", "national": "National",
                "government_department": "Government departments", "other": "Other owners",
                NO_OWNER: "No owner named"}
KIND_LABELS = {"csp": "Community safety partnerships", "icb": "Integrated care boards",
               "nhs_trust": "NHS trusts", "police_force": "Police forces",
               "local_authority": "Local authorities", "probation": "Probation",
               "national_body": "National bodies",
               "government_department": "Government departments", "charity": "Charities",
               "other": "Other", "unregistered": "Not in the registry",
               NO_OWNER: "No owner named"}
STATUS_LABELS = {s: s.replace("_", " ").capitalize() for s in STATUSES}


def _no_params() -> None:
    if request.args:
        name = next(iter(request.args))
        raise bad_request(f"unknown parameter {name[:40]!r}: this endpoint takes none", name[:40])


def _figures(who: Principal | None) -> dict[str, Any]:
    with read_session(tracker().engine) as s:
        return oversight_figures(s, viewer=who, public_status=tracker().public_status)


def _cache(resp: Response, body: dict[str, Any]) -> Response:
    resp.headers["Cache-Control"] = "private, no-store" if "private" in body else "no-cache"
    return resp


@oversight.get("/api/v1/oversight")
@rate_limited
def api_figures() -> Response:
    require_json_acceptable()
    _no_params()
    body = _figures(bearer_principal(required=False))
    return _cache(jsonify(body), body)


@oversight.get("/oversight.json")
@rate_limited
def download_json() -> Response:
    _no_params()
    body = _figures(session_principal())
    resp = Response(json.dumps(body, indent=1), mimetype="application/json")
    resp.headers["Content-Disposition"] = 'attachment; filename="oversight.json"'
    return _cache(resp, body)


@oversight.get("/oversight.csv")
@rate_limited
def download_csv() -> Response:
    _no_params()
    body = _figures(session_principal())
    out = io.StringIO()
    csv.writer(out).writerows(figures_csv_rows(body))
    resp = Response(out.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = 'attachment; filename="oversight.csv"'
    return _cache(resp, body)


def _by_year(entry: dict[str, Any], years: list[str]) -> list[tuple[str, int]]:
    return [(y, int(entry["by_year"].get(y, 0))) for y in years]


def charts(body: dict[str, Any]) -> dict[str, Chart | None]:
    years: list[str] = body["years"]
    out: dict[str, Chart | None] = {
        "total": bar_chart("chart-oversight-by-year", "Recommendations by year of death",
                           _by_year(body["total"], years), unit="recommendations",
                           per="years", label_heading="Year of death",
                           value_heading="Recommendations"),
        "levels": bar_chart("chart-oversight-levels", "Recommendations by owner level",
                            [(LEVEL_LABELS[e["key"]], e["count"])
                             for e in body["by_owner_level"]], unit="recommendations",
                            per="owner levels", label_heading="Owner level",
                            value_heading="Recommendations", horizontal=True),
        "kinds": bar_chart("chart-oversight-kinds", "Recommendations by kind of owner",
                           [(KIND_LABELS.get(e["key"], e["key"].replace("_", " ").capitalize()),
                             e["count"]) for e in body["by_owner_kind"]],
                           unit="recommendations", per="kinds of owner",
                           label_heading="Kind of owner", value_heading="Recommendations",
                           horizontal=True),
        "no_owner": bar_chart("chart-oversight-no-owner", "Recommendations with no owner, by "
                              "year of death", _by_year(body["no_owner"], years),
                              unit="recommendations with no owner", per="years",
                              label_heading="Year of death", value_heading="No owner"),
        "organisations": bar_chart(
            "chart-oversight-organisations",
            f"Owner organisations with most recommendations (top {MAX_ORGANISATION_BARS})",
            [(o["name"], o["count"]) for o in body["by_organisation"][:MAX_ORGANISATION_BARS]],
            unit="recommendations", per="organisations", label_heading="Organisation",
            value_heading="Recommendations", horizontal=True),
        "smart": bar_chart("chart-oversight-smart", "Recommendations by SMART score",
                           [(f"Score {e['key']}", e["count"]) for e in body["smart"]],
                           unit="recommendations", per="scores", label_heading="SMART score",
                           value_heading="Recommendations"),
        "repeats": bar_chart("chart-oversight-repeats", "Repeated recommendations by year of "
                             "death", _by_year(body["repeats"], years),
                             unit="repeated recommendations", per="years",
                             label_heading="Year of death", value_heading="Repeats"),
        "status": None, "overdue": None,
    }
    if body["by_status"] is not None:
        out["status"] = bar_chart("chart-oversight-status", "Recommendations by status",
                                  [(STATUS_LABELS[e["key"]], e["count"])
                                   for e in body["by_status"]], unit="recommendations",
                                  per="statuses", label_heading="Status",
                                  value_heading="Recommendations", horizontal=True)
        out["overdue"] = bar_chart("chart-oversight-overdue", "Overdue recommendations by year "
                                   "of death", _by_year(body["overdue"], years),
                                   unit="overdue recommendations", per="years",
                                   label_heading="Year of death", value_heading="Overdue")
    return out


def year_table(entries: list[dict[str, Any]], labels: dict[str, str],
               years: list[str]) -> list[tuple[str, list[int], int]]:
    return [(labels.get(e["key"], e["key"]), [int(e["by_year"].get(y, 0)) for y in years],
             int(e["count"])) for e in entries]


@oversight.get("/oversight")
@rate_limited
def page() -> Response:
    _no_params()
    who = session_principal()
    body = _figures(who)
    years = body["years"]
    tables = {
        "levels": year_table(body["by_owner_level"], LEVEL_LABELS, years),
        "smart": year_table(body["smart"], {k: f"Score {k}" for k in ("0", "1", "2", "3")}
                            | {"unknown": "Not scored"}, years),
        "status": year_table(body["by_status"], STATUS_LABELS, years)
        if body["by_status"] is not None else None,
    }
    resp = Response(render_template(
        "oversight.html", body=body, charts=charts(body), tables=tables, years=years,
        level_labels=LEVEL_LABELS, levels=LEVELS, status_labels=STATUS_LABELS,
        signed_in=who is not None), mimetype="text/html")
    resp.headers["Content-Language"] = "en-GB"
    return _cache(resp, body)


def install(app: Any) -> None:
    app.register_blueprint(oversight)
