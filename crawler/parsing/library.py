"""Read a Home Office DHR Library search page: its result cards and how many results there are.

Pure functions over HTML, used by ``crawler/spiders/homeoffice_library.py`` and tested against a
saved page with golden JSON. The library (homicide-review.homeoffice.gov.uk) lists each review as
a ``<section aria-label="DHR result ...">`` card: a title (the pseudonym), captioned values
(CSP, CSP region, upload month, date of death), sometimes tags, and ``/download/<id>`` buttons
without a file extension. Captions are mapped to metadata fields by ``library_card_fields`` in
``crawler/rules.yaml``; CSS selectors can be overridden per source (``selectors`` in config.yaml)
if the library changes its markup.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urljoin

from parsel import Selector

from ..rules import Rules, load_rules
from .links import clean_text

DEFAULT_SELECTORS: dict[str, str] = {
    "card": "section[aria-label^='DHR result']",
    "title": "h3",
    "title_caption": ".govuk-caption-m",
    "field": ".govuk-grid-column-one-quarter",
    "field_label": ".govuk-caption-m",
    "field_value": ".dhrr-results-card--detail-value",
    "tag": ".govuk-tag",
    "download": "a[href*='/download/']",
    "next": "#nextButton a, a[rel='next']",
}

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_TOTAL = re.compile(
    r"(?i)showing\s+(?:results\s+)?\d+\s+(?:to|-)\s+\d+\s+of\s+(\d+)|(\d+)\s+results?\b")


@dataclass
class LibraryCard:
    label: str                     # the card's full label, e.g. "Diana - Bristol - 2018/a - DHR"
    pseudonym: str | None
    area: str | None               # Community Safety Partnership
    region: str | None
    upload_month: str | None       # ISO "2025-06"
    date_of_death: str | None      # ISO "2018-11" or "2018"
    tags: list[str] = field(default_factory=list)
    downloads: list[dict[str, str]] = field(default_factory=list)  # [{"url", "label"}]
    raw: dict[str, str] = field(default_factory=dict)  # caption -> value as shown

    def metadata(self) -> dict:
        """What the store records with each downloaded file (merged into the Document at ingest)."""
        return {k: v for k, v in {
            "title": self.label, "pseudonym": self.pseudonym, "area": self.area,
            "region": self.region, "upload_month": self.upload_month,
            "date_of_death": self.date_of_death, "tags": self.tags or None,
        }.items() if v}

    def to_json_dict(self) -> dict:
        return asdict(self)


@dataclass
class LibraryPage:
    cards: list[LibraryCard]
    total_results: int | None
    next_url: str | None


def month_to_iso(text: str | None) -> str | None:
    """'November 2018' -> '2018-11'; '2018' -> '2018'; anything else -> None (never guessed)."""
    t = clean_text(text).lower()
    m = re.fullmatch(r"([a-z]+)\.?\s+(\d{4})", t)
    if m:
        month = _MONTHS.get(m.group(1)) or next(
            (n for name, n in _MONTHS.items() if len(m.group(1)) >= 3
             and name.startswith(m.group(1))),
            None)
        return f"{m.group(2)}-{month:02d}" if month else None
    m = re.fullmatch(r"(\d{1,2})/(\d{4})", t)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    return t if re.fullmatch(r"(19|20)\d{2}", t) else None


def _card(node: Selector, page_url: str, sel: dict[str, str], rules: Rules) -> LibraryCard:
    label = clean_text(node.attrib.get("aria-label", ""))
    label = re.sub(r"(?i)^dhr result\s*", "", label)
    raw: dict[str, str] = {}
    title = node.css(sel["title"])
    if title:
        caption = clean_text(" ".join(title[0].css(sel["title_caption"] + " ::text").getall()))
        tags_in_title = {clean_text(t) for t in title[0].css(sel["tag"] + " ::text").getall()}
        own = [clean_text(t) for t in title[0].xpath("./text()").getall()]
        name = clean_text(" ".join(t for t in own if t and t not in tags_in_title))
        raw[caption.lower() or "title"] = name
    for f in node.css(sel["field"]):
        key = clean_text(" ".join(f.css(sel["field_label"] + " ::text").getall())).lower()
        value = clean_text(" ".join(f.css(sel["field_value"] + " ::text").getall()))
        if key:
            raw[key] = value
    fields: dict[str, str | None] = {}
    for key, value in raw.items():
        target = rules.library_card_fields.get(key)
        if target and value and target not in fields:
            fields[target] = value
    tags = []
    for t in node.css(sel["tag"] + " ::text").getall():
        t = clean_text(t)
        if t and t not in tags:
            tags.append(t)
    downloads: dict[str, dict[str, str]] = {}
    for a in node.css(sel["download"]):
        url = urljoin(page_url, a.attrib.get("href", ""))
        # "View" and "Download" buttons share the URL; the download attribute names the file best.
        if url in downloads and not a.attrib.get("download"):
            continue
        dl_label = clean_text(a.attrib.get("download") or a.attrib.get("aria-label")
                              or " ".join(a.css("::text").getall()))
        dl_label = re.sub(r"(?i)^(download|view)\s+|\s+in a new tab$", "", dl_label)
        downloads[url] = {"url": url, "label": dl_label}
    return LibraryCard(
        label=label or fields.get("pseudonym") or "",
        pseudonym=fields.get("pseudonym"),
        area=fields.get("area"),
        region=fields.get("region"),
        upload_month=month_to_iso(fields.get("upload_month")),
        date_of_death=month_to_iso(fields.get("date_of_death")),
        tags=tags, downloads=list(downloads.values()), raw=raw,
    )


def parse_library_page(html: str | bytes, page_url: str, selectors: dict[str, str] | None = None,
                       rules: Rules | None = None) -> LibraryPage:
    rules = rules or load_rules()
    sel = {**DEFAULT_SELECTORS, **(selectors or {})}
    doc = Selector(text=html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    cards = [_card(n, page_url, sel, rules) for n in doc.css(sel["card"])]
    total = None
    body_text = clean_text(" ".join(doc.xpath("//main//text() | //body//text()").getall()))
    m = _TOTAL.search(body_text)
    if m:
        total = int(m.group(1) or m.group(2))
    nxt = next((a.attrib["href"] for a in doc.css(sel["next"]) if a.attrib.get("href")), None)
    return LibraryPage(cards, total, urljoin(page_url, nxt) if nxt else None)
