"""The web UI's search forms: query string -> search request, error messages, links, facet lists.

Pages take the same parameters as the JSON API (contract.md section 4), so they are parsed by the
API's own :mod:`search_api.params` (one parser, one set of rules). The UI adds only ``page``, a
display counter carried by the "Next page" links, which is removed before parsing. A parameter
the parser rejects becomes an :class:`FieldError` for the GOV.UK error summary (a 400 page,
never a 500). Links (pagination, "remove this filter", exports) are built from the current
query string so every search stays a shareable URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from dhr.enrichment.dhrd import DHRD_FACETS
from dhr.search.base import DocumentRequest, RecommendationRequest, SearchError

from . import params
from .errors import ApiError

UI_ONLY = ("page",)
MAX_PAGE = 10_000
# Facets shown in the sidebar, in order, with their legends.
DOC_FACET_LEGENDS = {
    "theme": "Theme", "agency": "Agency involved", "abuse_type": "Type of abuse",
    "review_type": "Review type", "death_type": "Type of death", "region": "Region",
    "area": "Area", "doc_type": "Document type", "victim_sex": "Victim sex",
    "victim_age_band": "Victim age",
    **DHRD_FACETS,  # tags from the DHRD dataset (dhr.enrichment), for matched reviews
}
REC_FACET_LEGENDS = {
    "agency": "Addressed to", "theme": "Theme", "scope": "Scope", "region": "Region",
    "area": "Area", "review_type": "Review type", "smart_score": "SMART score",
}
SORT_LABELS = {"relevance": "Most relevant", "newest": "Newest first", "oldest": "Oldest first"}
FACET_TAXONOMY = {"abuse_type": "abuse_type", "agency": "agency", "doc_type": "doc_type",
                  "review_type": "review_type", "death_type": "death_type", "region": "region",
                  "theme": "theme", "victim_sex": "victim_sex",
                  "victim_age_band": "victim_age_band", "scope": "scope"}
SHOWN_VALUES = 8  # values listed before "Show more"
FIELD_NAMES = {"q": "Search", "year_from": "Year from", "year_to": "Year to", "sort": "Sort by",
               "smart_min": "Minimum SMART score", "page_size": "Results per page",
               "cursor": "Page link", "page": "Page"}


@dataclass(frozen=True)
class FieldError:
    field: str | None
    message: str
    target: str = "search-form"  # the id of the control the error summary links to


def _target(field_name: str | None, kind: str) -> str:
    controls = ["q", "year_from", "year_to", "sort"] + (["smart_min"] if kind == "recommendations"
                                                         else [])
    legends = REC_FACET_LEGENDS if kind == "recommendations" else DOC_FACET_LEGENDS
    if field_name in controls:
        return str(field_name)
    if field_name in legends:
        return f"facet-{field_name}"
    return "search-form"


def field_error(field_name: str | None, message: str, kind: str) -> FieldError:
    return FieldError(field_name, friendly(field_name, message), _target(field_name, kind))


@dataclass
class ParsedForm:
    """A page's parsed query: the request (None if invalid), its errors and the raw values."""

    args: MultiDict
    request: DocumentRequest | RecommendationRequest | None
    errors: list[FieldError] = field(default_factory=list)
    page: int = 1

    def values(self, name: str) -> list[str]:
        return self.args.getlist(name)

    def value(self, name: str) -> str:
        return self.args.get(name, "") or ""

    def selected(self, name: str, value: str) -> bool:
        return value in self.args.getlist(name)

    @property
    def has_filters(self) -> bool:
        return any(k not in ("q", "sort", "page_size", "cursor", "page", "facets")
                   and any(v for v in self.args.getlist(k)) for k in self.args)


def parse(args: MultiDict, raw_query: bytes, kind: str) -> ParsedForm:
    """Parse a page's query string with the API's rules; never raises for client input."""
    api_args = MultiDict([(k, v) for k, v in args.items(multi=True) if k not in UI_ONLY])
    form = ParsedForm(args=args, request=None)
    errors: list[FieldError] = []
    page_raw = args.get("page", "")
    if page_raw:
        if page_raw.isdigit() and 1 <= int(page_raw) <= MAX_PAGE:
            form.page = int(page_raw)
        else:
            errors.append(FieldError("page", f"Page must be a number between 1 and {MAX_PAGE}"))
    try:
        if kind == "recommendations":
            form.request = params.recommendation_request(api_args, raw_query)
        else:
            form.request = params.document_request(api_args, raw_query)
    except ApiError as err:
        if err.status != 400:
            raise
        errors.append(field_error(err.field, err.message, kind))
    except SearchError as err:
        errors.append(field_error(err.field, err.message, kind))
    form.errors = errors
    if errors:
        form.request = None
    return form


def friendly(field_name: str | None, message: str) -> str:
    """A GOV.UK-style sentence for the error summary, from the parser's message."""
    if field_name in ("year_from", "year_to"):
        name = FIELD_NAMES[field_name]
        if "integer" in message:
            return f"{name} must be a year in numbers, like 2019"
        if "after" in message:
            return "Year from must be the same as or before year to"
        return f"{name} must be a year between 1900 and 2100"
    if field_name == "cursor":
        return "The page link is not valid or has expired; start the search again"
    text = message.strip()
    if field_name in FIELD_NAMES and not text.lower().startswith(field_name):
        text = f"{FIELD_NAMES[field_name]}: {text}"
    return text[:1].upper() + text[1:]


# -- links --------------------------------------------------------------------------------------
def url_with(path: str, args: MultiDict, *, drop: tuple[str, ...] = (),
             remove: tuple[str, str] | None = None, **set_values: Any) -> str:
    """``path`` with the current parameters, minus ``drop`` names and one (name, value) pair,
    with ``set_values`` replacing their names. Empty values are left out."""
    pairs = []
    for key, value in args.items(multi=True):
        if key in drop or key in set_values or value == "":
            continue
        if remove is not None and (key, value) == remove:
            continue
        pairs.append((key, value))
    for key, value in set_values.items():
        if value is not None and value != "":
            pairs.append((key, str(value)))
    query = urlencode(pairs)
    return f"{path}?{query}" if query else path


def next_page_url(path: str, form: ParsedForm, cursor: str) -> str:
    return url_with(path, form.args, cursor=cursor, page=form.page + 1)


def export_url(path: str, form: ParsedForm) -> str:
    return url_with(path, form.args, drop=("cursor", "page", "page_size", "facets"))


# -- facet lists --------------------------------------------------------------------------------
@dataclass
class FacetOption:
    id: str
    value: str
    label: str
    count: int
    checked: bool


@dataclass
class FacetGroup:
    name: str
    legend: str
    shown: list[FacetOption]
    more: list[FacetOption]


def facet_groups(facets: dict[str, list[dict[str, Any]]], form: ParsedForm,
                 legends: dict[str, str]) -> list[FacetGroup]:
    """Sidebar groups: the top values (and every ticked one) first, the rest under "more"."""
    groups = []
    for name, legend in legends.items():
        values = facets.get(name) or []
        selected = form.values(name)
        options = [FacetOption(id=f"{name}-{i}", value=str(v["value"]), label=str(v["label"]),
                               count=int(v["count"]), checked=str(v["value"]) in selected)
                   for i, v in enumerate(values)]
        listed = {o.value for o in options}
        for value in selected:  # ticked in the URL but absent from the counts
            if value and value not in listed:
                options.append(FacetOption(id=f"{name}-{len(options)}", value=value,
                                           label=value, count=0, checked=True))
        if not options:
            continue
        shown = [o for i, o in enumerate(options) if i < SHOWN_VALUES or o.checked]
        more = [o for i, o in enumerate(options) if i >= SHOWN_VALUES and not o.checked]
        groups.append(FacetGroup(name, legend, shown, more))
    return groups


@dataclass(frozen=True)
class SelectedFilter:
    legend: str
    label: str
    remove_url: str


def selected_filters(path: str, form: ParsedForm, facets: dict[str, list[dict[str, Any]]],
                     legends: dict[str, str]) -> list[SelectedFilter]:
    """Each active filter with a link that removes just that one."""
    from .ui_text import facet_label

    out = []
    for name, legend in legends.items():
        labels = {str(v["value"]): str(v["label"]) for v in facets.get(name) or []}
        for value in form.values(name):
            if not value:
                continue
            shown = labels.get(value) or facet_label(FACET_TAXONOMY.get(name, ""), value)
            out.append(SelectedFilter(legend, shown, url_with(
                path, form.args, drop=("cursor", "page"), remove=(name, value))))
    for value in form.values("year"):  # a year facet value sent back as a filter (?year=2020)
        if value:
            out.append(SelectedFilter("Year of death", value, url_with(
                path, form.args, drop=("cursor", "page"), remove=("year", value))))
    for name, legend in (("year_from", "Year from"), ("year_to", "Year to"),
                         ("smart_min", "Minimum SMART score")):
        value = form.value(name)
        if value:
            out.append(SelectedFilter(legend, value, url_with(
                path, form.args, drop=("cursor", "page", name))))
    return out
