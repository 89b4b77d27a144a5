"""Publish a generated sample corpus on fixture websites, for ``dhr demo`` and the end-to-end tests.

The fixture server (``samples/sites``) serves what a directory describes: ``routes.json`` (host ->
path -> file and headers), ``library.json`` (Home-Office-library-like search cards) and
``manifest.json`` (config ``sources`` entries and the URLs a correct crawl stores). This module
writes that directory for the realistic reports of ``samples.reports.generate_corpus``: about
half the reviews on a Home-Office-library-like site (cards with area, region, date of death and
tags, which the merge adds to the Documents), the rest on one council website per area (a
listing page, the area configured on the source). ``FixtureSites(root, rebuild=False)`` serves
the result. Everything is synthetic and says so.

The manifest also lists every published document (``documents``: URL as linked, source, file,
truth file, review id), so tests can compare what the API returns with the generator's truth.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LIBRARY_HOST = "homicide-review.homeoffice.test"
LISTING = "/community-safety/domestic-homicide-reviews"
CONTENT_TYPES = {"pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
LINK_TEXT = {"overview_report": "Overview report", "executive_summary": "Executive summary",
             "action_plan": "Action plan", "learning_brief": "Learning brief",
             "home_office_letter": "Home Office feedback letter"}
# Library tags for what the review's overview report says (the library's own tag names).
TAG_NAMES = {
    "review_type": {"intimate_partner": "Intimate partner homicide",
                    "adult_family": "Familial homicide"},
    "death_type": {"homicide_suicide": "Homicide-suicide"},
    "abuse_types": {"coercive_control": "Coercive control", "economic_abuse": "Economic abuse",
                    "physical_abuse": "Physical abuse", "emotional_abuse": "Emotional abuse",
                    "sexual_abuse": "Sexual abuse", "stalking": "Stalking",
                    "separation": "Separation", "children_present": "Children present"},
}
CORRUPT_PDF = (b"%PDF-1.4\n%synthetic corrupt file for tests\n1 0 obj\n<< /Type /Catalog /Pages 2 "
               b"0 R"
               b"\x00\x00\xff\xfe truncated")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


@dataclass(frozen=True)
class PublishedReview:
    review_id: str
    area: str
    pseudonym: str
    date_of_death: str | None
    files: list[Any]  # samples.reports.SampleFile


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def council_host(area: str) -> str:
    return f"www.{slug(area)}.gov.test"


def _month_year(date: str | None) -> str:
    if not date:
        return "Not known"
    if len(date) >= 7:
        return f"{_MONTHS[int(date[5:7]) - 1]} {date[:4]}"
    return date[:4]


def group_reviews(files: list[Any]) -> list[PublishedReview]:
    """The corpus's reviews (publishable documents only: PDF and DOCX, not the terms of
    reference)."""
    by_review: dict[str, list[Any]] = {}
    for f in files:
        if f.path.suffix.lstrip(".") in CONTENT_TYPES and f.doc_type in LINK_TEXT:
            by_review.setdefault(f.review_id, []).append(f)
    out = []
    for rid, group in by_review.items():
        truths = [json.loads(Path(f.truth_path).read_text("utf-8"))["review"] for f in group]
        main = next((t for t in truths if t.get("date_of_death")), truths[0])
        out.append(PublishedReview(rid, main["area"], main["pseudonym"], main.get("date_of_death"),
                                   group))
    return out


def build_corpus_sites(root: str | Path, files: list[Any], *, corrupt: bool = False,
                       library_every: int = 2) -> dict[str, Any]:
    """Write the sites for these generated files under ``root``; return the manifest.

    Every ``library_every``-th review goes on the library (0: none), the others on their area's
    council site. With ``corrupt``, the first council site also links a corrupt PDF (it must be
    quarantined while the rest is indexed).
    """
    root = Path(root)
    (root / "files").mkdir(parents=True, exist_ok=True)
    routes: dict[str, dict[str, dict]] = {}
    expected: dict[str, list[str]] = {}
    documents: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    councils: dict[str, list[tuple[PublishedReview, list[tuple[str, Any]]]]] = {}

    def put(host: str, path: str, data: bytes, **route: Any) -> None:
        digest = hashlib.sha1(f"{host}{path}".encode()).hexdigest()[:12]
        rel = f"{host}/{digest}-{slug(path)[:60] or 'index'}"
        target = root / "files" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != data:
            # unchanged bytes keep their mtime: conditional GETs answer 304
            target.write_bytes(data)
        routes.setdefault(host, {})[path] = {"file": rel, **route}

    reviews = group_reviews(files)
    for n, review in enumerate(reviews):
        on_library = library_every and n % library_every == 0
        if on_library:
            downloads = []
            for _j, f in enumerate(review.files):
                dl_id = hashlib.sha1(f"{review.review_id}:{f.doc_type}".encode()).hexdigest()[:24]
                ext = f.path.suffix.lstrip(".")
                label = (f"{review.pseudonym} - {review.area} - "
                         f"{(review.date_of_death or '')[:4]}/a"
                         f" - DHR - {LINK_TEXT[f.doc_type]}")
                path = f"/download/{dl_id}"
                put(LIBRARY_HOST, path, Path(f.path).read_bytes(), content_type=CONTENT_TYPES[ext],
                    headers={"Content-Disposition": f'attachment; filename="{f.path.name}"'})
                downloads.append({"id": dl_id, "name": label})
                url = f"http://{LIBRARY_HOST}:__PORT__{path}"
                expected.setdefault("homeoffice-library", []).append(url)
                documents.append(_doc_entry(url, "homeoffice-library", f, review))
            cards.append({"pseudonym": review.pseudonym, "csp": review.area,
                          "region": _truth_review(review)["region"] or "", "uploaded": "June 2025",
                          "death": _month_year(review.date_of_death),
                          "year": (review.date_of_death or "")[:4] or "unknown",
                          "tags": _tags(review), "downloads": downloads})
        else:
            links = []
            host = council_host(review.area)
            for f in review.files:
                ext = f.path.suffix.lstrip(".")
                path = f"/media/{slug(review.review_id)}/{f.path.name.lower()}"
                put(host, path, Path(f.path).read_bytes(), content_type=CONTENT_TYPES[ext])
                links.append((path, f))
                url = f"http://{host}:__PORT__{path}"
                expected.setdefault(slug(review.area), []).append(url)
                documents.append(_doc_entry(url, slug(review.area), f, review))
            councils.setdefault(review.area, []).append((review, links))

    sources: list[dict[str, Any]] = []
    corrupt_url = None
    for i, (area, items) in enumerate(sorted(councils.items())):
        host = council_host(area)
        extra = ""
        if corrupt and i == 0:
            path = "/media/archive/dhr-archived-overview-report.pdf"
            put(host, path, CORRUPT_PDF, content_type="application/pdf")
            corrupt_url = f"http://{host}:__PORT__{path}"
            expected[slug(area)].append(corrupt_url)
            extra = (f'<h2>Archive</h2><ul><li><a href="{path}">Domestic Homicide Review archive:'
                     " overview report (PDF)</a></li></ul>")
        put(host, "/robots.txt", b"User-agent: *\nDisallow:\n", content_type="text/plain")
        put(host, LISTING, _council_listing(area, items, extra).encode("utf-8"),
            content_type="text/html; charset=utf-8")
        sources.append({"name": slug(area), "kind": "site", "area": area, "max_depth": 1,
                        "start_urls": [f"http://{host}:__PORT__{LISTING}"]})
    if cards:
        put(LIBRARY_HOST, "/robots.txt", b"User-agent: *\nDisallow: /cookies\n",
            content_type="text/plain")
        sources.append({"name": "homeoffice-library", "kind": "homeoffice_library",
                        "start_urls": [f"http://{LIBRARY_HOST}:__PORT__/"], "page_size": 5})
    (root / "library.json").write_text(json.dumps({"host": LIBRARY_HOST, "cards": cards}, indent=1),
                                       encoding="utf-8")
    hosts = sorted(set(routes) | ({LIBRARY_HOST} if cards else set()))
    manifest = {"sources": sources, "expected": expected, "never": {}, "hosts": hosts,
                "documents": documents, "corrupt_url": corrupt_url,
                "note": "Synthetic sample sites and reports for dhr demo and tests. No real "
                        "review."}
    _write_if_changed(root / "routes.json", json.dumps(routes, indent=1))
    _write_if_changed(root / "manifest.json", json.dumps(manifest, indent=1))
    return manifest


def _truth_review(review: PublishedReview) -> dict[str, Any]:
    truths = [json.loads(Path(f.truth_path).read_text("utf-8"))["review"] for f in review.files]
    return next((t for t in truths if t.get("date_of_death")), truths[0])


def _tags(review: PublishedReview) -> list[str]:
    t = _truth_review(review)
    tags = [TAG_NAMES["review_type"].get(t.get("review_type") or ""),
            TAG_NAMES["death_type"].get(t.get("death_type") or "")]
    tags += [TAG_NAMES["abuse_types"].get(a) for a in t.get("abuse_types") or []]
    return [x for x in tags if x]


def _doc_entry(url: str, source: str, f: Any, review: PublishedReview) -> dict[str, Any]:
    return {"url": url, "source": source, "file": str(f.path), "truth": str(f.truth_path),
            "review_id": review.review_id, "doc_type": f.doc_type,
            "sha256": hashlib.sha256(Path(f.path).read_bytes()).hexdigest()}


def _council_listing(area: str, items: list[tuple[PublishedReview, list[tuple[str, Any]]]],
                     extra: str) -> str:
    from html import escape

    blocks = []
    for review, links in items:
        lis = "".join(
            f'<li><a href="{path}">{LINK_TEXT[f.doc_type]} '
            f'({f.path.suffix.lstrip(".").upper()})</a></li>'
            for path, f in links)
        when = _month_year(review.date_of_death)
        blocks.append(f"<h3>Domestic Homicide Review: {escape(review.pseudonym)} ({when})</h3>"
                      f"<ul>{lis}</ul>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Domestic homicide reviews | {escape(area)} \
Council</title></head>
<body><header><a href="/">{escape(area)} Council (synthetic sample site)</a></header>
<main><h1>Domestic homicide reviews</h1>
<p>Synthetic sample website for software demonstrations and tests. It describes no real review or \
person.</p>
<p>Reviews are published here after the Home Office Quality Assurance Panel has approved them.</p>
{''.join(blocks)}
{extra}
</main><footer><a href="/privacy-notice">Privacy notice</a></footer></body></html>
"""


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text("utf-8") != text:
        path.write_text(text, encoding="utf-8")
