"""Atom feeds (RFC 4287), generated with feedgen: an organisation's and any search's.

- ``/feeds/organisations/<id>.atom``: the organisation's new recommendations and their public
  status changes (:mod:`accountability.feeds`; never a non-public note);
- ``/feeds/search.atom?...``: the documents of a search, taking exactly the parameters of
  ``/search`` with the same validation (a bad query is a 400), newest first unless ``sort``
  says otherwise. Each entry's date is when the repository first saw the document.

Links are absolute under ``server.public_url`` when it is set, else relative to the site (a
feed reader resolves them against the feed's address); never built from the Host header.
Ids are name-based UUID URNs of stable ids, so a feed reader sees the same entry as the same
entry at every fetch. Pages link to their feed with ``<link rel="alternate"
type="application/atom+xml">`` (the ``feed_link`` macro of ``templates/_feeds.html``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from accountability.db import read_session
from accountability.feeds import entry_id, organisation, organisation_entries
from dhr.search.base import DocumentRequest
from dhr.search.fields import display_title_of

from . import ui_forms
from .admission import admitted
from .errors import ApiError, not_found
from .ratelimit import rate_limited
from .state import state
from .tracker_state import tracker

feeds = Blueprint("feeds", __name__)

ATOM = "application/atom+xml"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # the date of an empty feed, or of a date unknown
_ORG_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
FEED_PAGE_SIZE = 50


def _base() -> str:
    return state().config.server.public_url or ""


def _atom(fg: FeedGenerator) -> Response:
    resp = Response(fg.atom_str(pretty=True), mimetype=ATOM)
    resp.headers["Content-Language"] = "en-GB"
    return resp


def _feed(feed_id: str, title: str, self_url: str, page_url: str,
          updated: Iterable[datetime]) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.author({"name": "Domestic Homicide Review repository"})
    fg.link(href=self_url, rel="self", type=ATOM)
    fg.link(href=page_url, rel="alternate", type="text/html")
    fg.language("en-GB")
    fg.updated(max(updated, default=EPOCH))
    return fg


# -- an organisation's feed ---------------------------------------------------------------------
@feeds.get("/feeds/organisations/<org_id>.atom")
@rate_limited
def organisation_feed(org_id: str) -> Response:
    st = tracker()
    if not _ORG_ID.match(org_id):
        raise not_found("no such organisation")
    with read_session(st.engine) as s:
        org = organisation(s, org_id)
        if org is None:
            raise not_found("no such organisation")
        entries = organisation_entries(s, org_id, public_status=st.public_status)
    base = _base()
    fg = _feed(entry_id(f"organisation:{org_id}"),
               f"{org.name}: recommendations and their status",
               f"{base}/feeds/organisations/{org_id}.atom", f"{base}/organisations/{org_id}",
               [e.updated for e in entries] or [org.created_at])
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(e.id)
        fe.title(e.title)
        fe.link(href=f"{base}/recommendations/{e.recommendation_id}", rel="alternate",
                type="text/html")
        fe.updated(e.updated)
        if e.kind == "new_recommendation":
            fe.published(e.updated)
        fe.content(e.text, type="text")
        fe.category(term=e.kind)
    return _atom(fg)


# -- a search's feed ----------------------------------------------------------------------------
def _first_seen(result: dict[str, Any]) -> datetime:
    """When the repository first saw the document (its source's first sighting), else when
    its file was stored; the epoch when neither is known (a date must be given)."""
    seen = (result.get("source") or {}).get("first_seen")
    if not seen:
        info = state().store.file_info(result["id"]) if _has_store() else None
        seen = (info or {}).get("stored_at")
    try:
        when = datetime.fromisoformat(seen) if seen else EPOCH
    except ValueError:
        return EPOCH
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _has_store() -> bool:
    return state().config.data_dir.exists()


def _canonical(args: MultiDict) -> str:
    """The search's parameters in a fixed order (the feed's id does not depend on their order)."""
    pairs = sorted((k, v) for k, v in args.items(multi=True)
                   if k not in ("page", "cursor") and v != "")
    return urlencode(pairs)


@feeds.get("/feeds/search.atom")
@rate_limited
def search_feed() -> Response:
    form = ui_forms.parse(request.args, request.query_string or b"", "documents")
    if form.request is None:
        first = form.errors[0]
        raise ApiError(400, first.message, field=first.field)
    req = form.request
    assert isinstance(req, DocumentRequest)  # parsed as "documents" above
    req = dataclasses.replace(req, sort=req.sort if "sort" in request.args else "newest",
                              facets=False, snippets=False,
                              page_size=req.page_size if "page_size" in request.args
                              else FEED_PAGE_SIZE)
    with admitted(req):
        resp = state().backend.search_with_fallback(req)
    base = _base()
    query = _canonical(request.args)
    q = (req.q or "").strip()
    title = f"Domestic Homicide Reviews: {q}" if q else "Domestic Homicide Reviews: search"
    dated = [(r, _first_seen(r)) for r in resp.results]
    fg = _feed(entry_id(f"search:{query}"), title,
               f"{base}/feeds/search.atom" + (f"?{query}" if query else ""),
               f"{base}/search" + (f"?{query}" if query else ""), [d for _, d in dated])
    for r, when in dated:
        fe = fg.add_entry(order="append")
        fe.id(entry_id(f"document:{r['id']}"))
        fe.title(r.get("display_title") or display_title_of(r))
        fe.link(href=f"{base}/documents/{r['id']}", rel="alternate", type="text/html")
        fe.updated(when)
        fe.published(when)
        fe.summary(_describe(r), type="text")
    return _atom(fg)


def _describe(result: dict[str, Any]) -> str:
    review = result.get("review") or {}
    parts = [str(x) for x in (review.get("area"), (review.get("date_of_death") or "")[:4])
             if x]
    pages = result.get("page_count")
    if pages:
        parts.append(f"{pages} page{'s' if pages != 1 else ''}")
    return ", ".join(parts) or (result.get("title") or "")
