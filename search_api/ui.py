"""The web UI blueprint (issue 8): server-rendered pages over the same search layer as the API.

Pages (contract.md section 4): ``/`` home, ``/about`` (search help, accessibility), ``/search``
results with facets, ``/documents/<id>``
one document and its review, ``/recommendations`` the recommendations explorer, ``/trends``
charts, and exports of the current list (``/search.csv``, ``/search.json``,
``/recommendations.csv``, ``/recommendations.json``). Templates follow the GOV.UK Design System
(``templates/``, assets built by ``frontend/build.sh``); no page needs JavaScript. Query strings
are parsed by the API's rules (:mod:`search_api.ui_forms`); a bad one gives a 400 page with an
error summary, an unknown document a 404 page, and a failure of the search engine a 503 page,
all in HTML. The app's security headers (CSP without inline script or style) apply to every page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from werkzeug.exceptions import HTTPException

from dhr.document import DOCUMENT_ID_PATTERN
from dhr.enrichment.dhrd import DHRD_FACETS
from dhr.enrichment.store import dhrd_tags_for
from dhr.search.base import (
    BackendUnavailable,
    DocumentRequest,
    RecommendationRequest,
    SearchError,
    SearchResponse,
)
from dhr.search.fields import display_title_of

from . import (
    charts,
    explorer_tracked,
    ratelimit,
    ui_export,
    ui_forms,
    ui_review,
    ui_text,
    ui_tracking,
)
from .admission import admit_streaming, admitted
from .errors import ApiError
from .ratelimit import rate_limited
from .state import state

log = logging.getLogger(__name__)

ui = Blueprint("ui", __name__, template_folder="templates")

_ID_RE = re.compile(DOCUMENT_ID_PATTERN)
RECENT_REVIEWS = 8
SIMILAR_REVIEWS = 5
NAVIGATION = (("ui.home", "Home"), ("ui.search", "Search reviews"),
              ("ui.recommendations", "Recommendations"), ("ui.trends", "Trends"),
              ("oversight.page", "Oversight"))


@ui.record_once
def _install(setup_state: Any) -> None:
    ui_text.register(setup_state.app.jinja_env)
    setup_state.app.jinja_env.globals["navigation"] = NAVIGATION


def _raw_query() -> bytes:
    return request.query_string or b""


def _page(template: str, status: int = 200, **context: Any) -> Response:
    resp = Response(render_template(template, **context), status=status,
                    mimetype="text/html")
    resp.headers["Content-Language"] = "en-GB"
    return resp


# -- pages --------------------------------------------------------------------------------------
@ui.get("/")
@rate_limited
def home() -> Response:
    backend = state().backend
    overview = backend.search(DocumentRequest(page_size=1))
    newest = backend.search(DocumentRequest(sort="newest", page_size=40, facets=False))
    recent: list[dict[str, Any]] = []
    for result in newest.results:  # one entry per review: its first (newest) document
        if not any(ui_review.same_review(result, r) for r in recent):
            recent.append(result)
        if len(recent) >= RECENT_REVIEWS:
            break
    return _page("home.html", total=overview.total, themes=overview.facets.get("theme") or [],
                 areas=len(overview.facets.get("area") or []), recent=recent)


def _list_page(kind: str) -> Response:
    """The search page and the recommendations explorer: same shape, different facets."""
    backend = state().backend
    is_recs = kind == "recommendations"
    path = "/recommendations" if is_recs else "/search"
    legends = ui_forms.REC_FACET_LEGENDS if is_recs else ui_forms.DOC_FACET_LEGENDS
    form = ui_forms.parse(request.args, _raw_query(), kind)
    if is_recs and isinstance(form.request, RecommendationRequest):
        # Each review recommendation once, however many documents print it (the API's
        # /api/v1/recommendations stays one result per printed copy).
        form.request = replace(form.request, by_review=True)
    resp: SearchResponse | None = None
    if form.request is not None:
        try:
            with admitted(form.request):
                resp = (backend.search_recommendations_with_fallback(form.request)  # type: ignore[arg-type]
                        if is_recs else backend.search_with_fallback(form.request))  # type: ignore[arg-type]
        except SearchError as err:  # e.g. a cursor from another search
            form.errors.append(ui_forms.field_error(err.field, err.message, kind))
    if resp is None:  # show the form with the whole collection's facets
        resp = (backend.search_recommendations(RecommendationRequest(page_size=1,
                                                                     by_review=True)) if is_recs
                else backend.search(DocumentRequest(page_size=1)))
        resp = SearchResponse(0, [], resp.facets, None)
    tracking = ui_tracking.tracking_for(resp.results) if is_recs else {}
    shown, copies = ui_tracking.collapse(resp.results, tracking)
    page_size = form.request.page_size if form.request else ui_forms.params.DEFAULT_PAGE_SIZE
    first = (form.page - 1) * page_size + 1
    context = {
        "form": form, "errors": form.errors, "resp": resp, "path": path,
        "facet_groups": ui_forms.facet_groups(resp.facets, form, legends),
        "selected": ui_forms.selected_filters(path, form, resp.facets, legends),
        "clear_url": ui_forms.url_with(path, form.args, drop=tuple(legends) + (
            "year", "year_from", "year_to", "smart_min", "cursor", "page")),
        "first": first, "last": first + len(resp.results) - 1,
        "next_url": ui_forms.next_page_url(path, form, resp.next_cursor) if resp.next_cursor
        else None,
        "first_page_url": ui_forms.url_with(path, form.args, drop=("cursor", "page"))
        if form.args.get("cursor") else None,
        "csv_url": ui_forms.export_url(path + ".csv", form),
        "json_url": ui_forms.export_url(path + ".json", form),
        "sorts": ui_forms.SORT_LABELS, "years": _year_bounds(resp.facets),
        "max_rows": ui_export.MAX_ROWS, "tracking": tracking, "shown": shown,
        "progress": ui_tracking.progress_options() if is_recs else None,
        "copies": copies,
        # The search's Atom feed (search_api/feeds.py), linked from the page's head.
        "feed_url": ui_forms.url_with("/feeds/search.atom", form.args, drop=("cursor", "page"))
        if form.request is not None and not is_recs else None,
    }
    return _page("recommendations.html" if is_recs else "search.html",
                 status=400 if form.errors else 200, **context)


def _year_bounds(facets: dict[str, list[dict[str, Any]]]) -> tuple[int, int] | None:
    years = [int(v["value"]) for v in facets.get("year") or [] if str(v["value"]).isdigit()]
    return (min(years), max(years)) if years else None


@ui.get("/search")
@rate_limited
def search() -> Response:
    return _list_page("documents")


@ui.get("/recommendations")
@rate_limited
def recommendations() -> Response:
    if explorer_tracked.wanted(request.args):  # status, owner, overdue: review level
        return explorer_tracked.page()
    return _list_page("recommendations")


@ui.get("/documents/<doc_id>")
@rate_limited
def document(doc_id: str) -> Response:
    st = state()
    doc = st.backend.get_document(doc_id) if _ID_RE.match(doc_id) else None
    suppressed = None
    if doc is None and _ID_RE.match(doc_id):
        from .takedown_web import privileged_view  # admins and oversight see it, marked

        doc, suppressed = privileged_view(doc_id)
    if doc is None:
        return _error_page(404, "Page not found",
                           "There is no document at this address. If you typed the address, "
                           "check it is correct; document addresses end in 64 letters and "
                           "numbers.")
    store = st.store
    return _page(
        "document.html", doc=doc, display_title=display_title_of(doc), suppressed=suppressed,
        rows=ui_review.metadata_rows(doc),
        disagreements=ui_review.disagreements(doc),
        corrections=ui_review.corrections(doc),
        others=ui_review.other_documents(st.backend, doc),
        similar=st.backend.similar(doc_id, size=SIMILAR_REVIEWS),
        sources=ui_review.sources(store, doc), file=ui_review.file_info(store, doc_id),
        dhrd=dhrd_tags_for(doc.get("review_key") or doc_id, st.config.data_dir),
        dhrd_legends=DHRD_FACETS)


@ui.get("/about")
def about() -> Response:
    return _page("about.html")


@ui.get("/trends")
@rate_limited
def trends() -> Response:
    return _page("trends.html", **charts.trend_charts(state().backend.stats()))


# -- exports ------------------------------------------------------------------------------------
def _export(kind: str, fmt: str) -> Response:
    form = ui_forms.parse(request.args, _raw_query(), kind)
    if form.request is None:
        return _error_page(400, "There is a problem with this export",
                           "The export link is not valid.", errors=form.errors)
    backend = state().backend
    is_recs = kind == "recommendations"
    if is_recs and isinstance(form.request, RecommendationRequest):
        form.request = replace(form.request, by_review=True)  # the page's list: review level
    base_url = state().config.server.public_url or ""  # never the request's Host header

    def to_row(result: dict[str, Any]) -> dict[str, Any]:
        return (ui_export.recommendation_row if is_recs else ui_export.document_row)(
            result, base_url)

    results = ui_export.iter_results(backend, form.request, before_next_page=_charge_export_page)
    name = f"dhr-{'recommendations' if is_recs else 'search'}-{date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        body = ui_export.stream_csv(results, to_row, ui_export.REC_COLUMNS if is_recs
                                    else ui_export.DOC_COLUMNS)
        mimetype = "text/csv"
    else:
        query = {k: (v if len(v) > 1 else v[0]) for k, v in form.args.lists()
                 if k not in ("cursor", "page", "page_size", "facets")}
        body = ui_export.stream_json(results, to_row, query)
        mimetype = "application/json"
    resp = Response(stream_with_context(body), mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "no-store"
    return admit_streaming(resp)  # an export is expensive: a slot until its last row is sent


def _charge_export_page() -> None:
    """Each page of an export after the first is one more request against the rate limit."""
    charged = ratelimit.charge()
    if charged is not None and not charged[1].allowed:
        limiter, decision = charged
        raise ui_export.ExportStopped(
            f"the rate limit was reached ({limiter.per_minute} requests a minute; each "
            f"{ui_export.EXPORT_PAGE_SIZE} rows of an export count as one); retry after "
            f"{decision.retry_after} s")


@ui.get("/search.csv")
@rate_limited
def search_csv() -> Response:
    return _export("documents", "csv")


@ui.get("/search.json")
@rate_limited
def search_json() -> Response:
    return _export("documents", "json")


@ui.get("/recommendations.csv")
@rate_limited
def recommendations_csv() -> Response:
    if explorer_tracked.wanted(request.args):
        return explorer_tracked.export("csv")
    return _export("recommendations", "csv")


@ui.get("/recommendations.json")
@rate_limited
def recommendations_json() -> Response:
    if explorer_tracked.wanted(request.args):
        return explorer_tracked.export("json")
    return _export("recommendations", "json")


# -- errors (HTML for every page of this blueprint) ---------------------------------------------
def _error_page(status: int, title: str, message: str, *,
                errors: list[ui_forms.FieldError] | None = None,
                headers: dict[str, str] | None = None) -> Response:
    resp = _page("error.html", status=status, title=title, message=message,
                 errors=errors or [])
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


@ui.errorhandler(Exception)
def _ui_error(err: Exception) -> Response:
    if isinstance(err, ApiError):
        if err.status == 429:
            return _error_page(429, "Too many requests",
                               "You have made a lot of requests in a short time. Wait a minute, "
                               "then try again.", headers=err.headers)
        if err.status == 503:
            return _error_page(503, "Sorry, the service is busy",
                               ui_forms.friendly(None, err.message), headers=err.headers)
        return _error_page(err.status, "There is a problem", err.message)
    if isinstance(err, SearchError):
        return _error_page(400, "There is a problem", ui_forms.friendly(err.field, err.message))
    if isinstance(err, BackendUnavailable):
        log.warning("search backend unavailable: %s", err)
        return _error_page(503, "Sorry, the service is unavailable",
                           "Search is not available at the moment. Try again later.",
                           headers={"Retry-After": "30"})
    if isinstance(err, HTTPException):
        status = err.code or 500
        if status == 404:
            return _error_page(404, "Page not found", "If you typed the address, check it is "
                               "correct.")
        return _error_page(status, err.name, err.description or err.name)
    log.exception("unhandled error on %s %s", request.method, request.full_path)
    return _error_page(500, "Sorry, there is a problem with the service",
                       "Try again later.")
