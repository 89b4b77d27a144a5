"""Generate the fixture websites: pages, report files, routes and a manifest of what to expect.

Four synthetic sites modelled on real publishing patterns (``../shared/data/sources.tsv`` lists
the real pages they imitate), all served by one server (``samples/sites/server.py``):

- ``northbridge`` (www.northbridge.gov.test, bare host, and northbridge-csp.org.test): a council
  listing with accordions ("Case of Eleena, March 2018"), a download sidebar ("Northbridge DHR5 -
  Exec Summary (pdf 531KB)"), numbered sub-pages ("A - 2018", "Case 23", "SBP1703"), a document
  landing page (/downloads/download/253/...) with extensionless file links, distractors
  (strategy, statutory guidance, annual report, protocol, thematic analysis, leaflet), a broken
  link ("DHR Overview April 2019"), redirects (one to another allowed host), an offsite link, a
  robots.txt disallowing /internal/, a slow file, a file that fails with 500 every other time,
  www/bare + tracking-parameter duplicates, and a sub-page beyond ``max_depth``;
- ``eastmoor`` (eastmoor-csp.org.test): a paginated register (?page=N) whose server ignores
  conditional requests and sends a new ETag every time, with a 429 + Retry-After, a sub-page per
  review, SAR and thematic-review distractors;
- ``westvale`` (westvale.gov.test): documents offered only in a ``<select>`` menu (needs the
  per-site ``SelectMenuSiteSpider``);
- ``homeoffice-library`` (homicide-review.homeoffice.test): the library's paginated search with
  cards and ``/download/<id>`` links (PDF and DOCX, a path-like Content-Disposition filename, a
  broken download).

Optionally a ``bulk`` site with N report links for the crawl benchmark. Everything is synthetic.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .documents import make_report

NORTHBRIDGE = "www.northbridge.gov.test"
NORTHBRIDGE_BARE = "northbridge.gov.test"
NORTHBRIDGE_CSP = "northbridge-csp.org.test"
EASTMOOR = "eastmoor-csp.org.test"
WESTVALE = "westvale.gov.test"
LIBRARY = "homicide-review.homeoffice.test"
ELSEWHERE = "elsewhere.test"
BULK = "www.bulk-borough.gov.test"

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
}


@dataclass
class _Builder:
    root: Path
    routes: dict[str, dict[str, dict]] = field(default_factory=dict)
    expected: dict[str, list[str]] = field(default_factory=dict)     # source -> URLs as linked
    never: dict[str, list[str]] = field(default_factory=dict)        # source -> URLs never fetched

    def _write(self, host: str, path: str, data: bytes) -> str:
        digest = hashlib.sha1(f"{host}{path}".encode()).hexdigest()[:12]
        rel = (f"{host}/"
               f"{digest}-{path.strip('/').replace('/', '_').replace('?', '_')[:60] or 'index'}")
        target = self.root / "files" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return rel

    def page(self, host: str, path: str, html: str, **route: Any) -> None:
        self.routes.setdefault(host, {})[path] = {
            "file": self._write(host, path, html.encode("utf-8")),
            "content_type": "text/html; charset=utf-8", **route}

    def text(self, host: str, path: str, text: str, **route: Any) -> None:
        self.routes.setdefault(host, {})[path] = {
            "file": self._write(host, path, text.encode()), "content_type": "text/plain", **route}

    def document(self, host: str, path: str, fmt: str, *, title: str, area: str, pseudonym: str,
                 content_type: str | None = None, filler: int = 0, **route: Any) -> None:
        data = make_report(fmt, title=title, area=area, pseudonym=pseudonym,
                           filler_paragraphs=filler)
        self.routes.setdefault(host, {})[path] = {
            "file": self._write(host, path, data),
            "content_type": content_type or CONTENT_TYPES[fmt], **route}

    def redirect(self, host: str, path: str, location: str, status: int = 301) -> None:
        self.routes.setdefault(host, {})[path] = {"redirect": location, "status": status}

    def expect(self, source: str, host: str, path: str) -> None:
        self.expected.setdefault(source, []).append(f"http://{host}:__PORT__{path}")

    def never_fetch(self, source: str, host: str, path: str) -> None:
        self.never.setdefault(source, []).append(f"http://{host}:__PORT__{path}")


def _council_page(title: str, main: str, aside: str = "", site: str = "Northbridge Council") -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title></head>
<body>
<div class="cookie-banner"><p>We use cookies to improve this website.</p>
  <button class="cookie-banner__accept">Accept additional cookies</button>
  <a href="/cookies">Cookie policy</a></div>
<header><a href="/">{site}</a>
  <nav><ul><li><a href="/bins">Bins and recycling</a></li><li>\
<a href="/council-tax">Council tax</a></li>
  <li><a href="/community-safety">Community safety</a></li></ul></nav></header>
<div class="layout">
<main id="content"><h1>{title}</h1>
<p class="synthetic-note">Synthetic fixture site for software tests. No real review or person.</p>
{main}
</main>
<aside class="related-downloads">{aside}</aside>
</div>
<footer><ul><li><a href="/privacy-notice">Privacy notice</a></li>
<li><a href="/accessibility-statement">Accessibility statement</a></li><li>\
<a href="/contact">Contact us</a></li></ul></footer>
</body></html>
"""


def _northbridge(b: _Builder) -> None:
    src, www, bare, csp = "northbridge", NORTHBRIDGE, NORTHBRIDGE_BARE, NORTHBRIDGE_CSP
    listing = "/community-safety/domestic-homicide-reviews"
    b.text(www, "/robots.txt", "User-agent: *\nDisallow: /internal/\n")
    b.text(bare, "/robots.txt", "User-agent: *\nDisallow: /internal/\n")
    b.text(csp, "/robots.txt", "User-agent: *\nAllow: /\n")
    main = f"""
<p>Domestic Homicide Reviews became a statutory requirement for Community Safety Partnerships in
April 2011. Reviews are carried out in line with the statutory guidance, and reports are
published here for twelve months after the Home Office Quality Assurance Panel has approved them;
older reports can be requested. Our protocol and policy documents explain how reviews are \
commissioned.</p>
<h2>Published reviews</h2>
<div class="accordion">
  <h3><button class="accordion__toggle" aria-expanded="false" aria-controls="p1">Case of Eleena, \
March 2018</button></h3>
  <div class="accordion__panel" id="p1"><ul>
    <li><a href="/media/2101/dhr-eleena-overview-report.pdf">Overview report (PDF, 1.2MB)</a></li>
    <li><a href="/media/2102/dhr-eleena-executive-summary.pdf">Executive summary</a></li>
    <li><a href="/media/2103/dhr-eleena-action-plan.docx">Action plan</a></li>
  </ul></div>
  <h3><button class="accordion__toggle" aria-expanded="false" aria-controls="p2">Case of Mr K, \
November 2019</button></h3>
  <div class="accordion__panel" id="p2"><ul>
    <li><a href="/downloads/download/253/domestic-homicide-review-mr-k">Domestic Homicide Review - \
Mr K: documents</a></li>
  </ul></div>
  <h3><button class="accordion__toggle" aria-expanded="false" aria-controls="p3">Adult C, \
2020</button></h3>
  <div class="accordion__panel" id="p3"><ul>
    <li><a href="/dhr/adult-c-overview">Adult C - Overview Report</a></li>
    <li><a href="/dhr/adult-c-summary">Adult C - Executive Summary</a></li>
    <li><a href="/dhr/adult-c-regional-copy">Adult C - Overview Report (regional archive copy)</a>\
</li>
  </ul></div>
</div>
<p><a href="/media/2199/dhr-overview-april-2019.pdf">DHR Overview April 2019</a></p>
<p>Read the <a \
href="http://{bare}:__PORT__/media/2105/northbridge-dhr5-exec-summary.pdf\
?utm_source=newsletter&amp;utm_medium=email">DHR5 executive summary</a>\
 as featured in our newsletter.</p>
<p><a href="/internal/dhr-drafts/draft-overview-report.pdf">Draft overview report (panel members \
only)</a></p>
<p>Copies are also held by the <a \
href="http://{ELSEWHERE}:__PORT__/dhr/northbridge-dhr5-overview-report.pdf">regional DHR \
archive</a>.</p>
<h2>How reviews are carried out</h2>
<ul>
  <li><a href="/downloads/download/254/domestic-homicide-review-protocol">Domestic Homicide Review \
Protocol</a></li>
  <li><a href="/media/2303/thematic-analysis-of-local-dhrs-2023.pdf">Thematic analysis of local \
reviews 2023 (pdf)</a></li>
</ul>
<nav class="pagination" aria-label="Pagination">\
<a href="{listing}/2">Older reviews: page 2</a> <a href="{listing}/2">Next ›</a></nav>
"""
    aside = """<h2>Documents</h2><ul>
<li><a href="/media/2105/northbridge-dhr5-exec-summary.pdf">Northbridge DHR5 - Exec Summary (pdf \
531KB)</a></li>
<li><a href="/media/2300/domestic-abuse-strategy-2021-2024.pdf">Domestic Abuse Strategy 2021-2024 \
(pdf 1MB)</a></li>
<li><a href="/media/2301/dhr-statutory-guidance.pdf">Statutory guidance for the conduct of \
DHRs</a></li>
<li><a href="/media/2302/csp-annual-report-2022.pdf">Community Safety Partnership Annual Report \
2022</a></li>
</ul>"""
    b.page(www, listing, _council_page("Domestic homicide reviews", main, aside))
    b.page(bare, listing, _council_page("Domestic homicide reviews", main, aside))
    page2 = f"""<p>Earlier reviews published by the partnership.</p>
<table class="documents"><tr><th>Review</th><th>Document</th></tr>
<tr><td>A - 2018</td><td><a href="/media/2130/a-2018.pdf">A - 2018</a></td></tr>
<tr><td>Case 23</td><td><a href="/media/2131/case-23-learning-brief.rtf">Case 23</a></td></tr>
<tr><td>B - 2016</td><td><a href="/media/2132/b-2016.odt">B - 2016</a></td></tr>
</table>
<nav class="pagination"><a href="{listing}">Previous</a> <a href="{listing}/3">3</a></nav>"""
    b.page(www, f"{listing}/2", _council_page("Domestic homicide reviews - page 2", page2))
    page3 = f"""<ul><li><a href="/media/2140/sbp1703.pdf">SBP1703</a></li>
<li><a href="/media/2141/support-after-a-homicide-leaflet.pdf">Leaflet: support for families after \
a homicide</a></li></ul>
<nav class="pagination"><a href="{listing}/2">Previous</a> <a href="{listing}/4">4</a></nav>"""
    b.page(www, f"{listing}/3", _council_page("Domestic homicide reviews - page 3", page3))
    page4 = (
        """<ul><li><a href="/media/2150/case-40-overview-report.pdf">Case 40 overview report</a>"""
        """</li></ul>""")
    b.page(www, f"{listing}/4", _council_page("Domestic homicide reviews - page 4", page4))
    landing = """<p>Documents for this review.</p><ul>
<li><a href="/downloads/file/1407/dhr-mr-k-overview-report">Download DHR Mr K Overview Report \
[pdf] 900KB</a></li>
<li><a href="/downloads/file/1408/home-office-letter-mr-k">Home Office feedback letter [docx]</a>\
</li>
</ul>"""
    b.page(www, "/downloads/download/253/domestic-homicide-review-mr-k",
           _council_page("Domestic Homicide Review - Mr K", landing))
    b.page(www, "/downloads/download/254/domestic-homicide-review-protocol",
           _council_page("Domestic Homicide Review Protocol",
                         '<a href="/downloads/file/1500/dhr-protocol">Download protocol [pdf]</a>'))

    area = "Northbridge"
    docs: list[tuple[str, str, str, str, dict[str, Any]]] = [
        ("/media/2101/dhr-eleena-overview-report.pdf", "pdf", "Overview Report", "Eleena", {}),
        ("/media/2102/dhr-eleena-executive-summary.pdf", "pdf", "Executive Summary", "Eleena",
         {"flaky": {"status": 500, "every": 2}}),
        ("/media/2103/dhr-eleena-action-plan.docx", "docx", "Action Plan", "Eleena",
         {"delay": 1.0}),
        ("/media/2105/northbridge-dhr5-exec-summary.pdf", "pdf", "DHR5 Executive Summary",
         "Adult E", {}),
        ("/media/2130/a-2018.pdf", "pdf", "Overview Report", "A", {}),
        ("/media/2131/case-23-learning-brief.rtf", "rtf", "Learning Brief", "Case 23", {}),
        ("/media/2132/b-2016.odt", "odt", "Overview Report", "B", {}),
        ("/media/2140/sbp1703.pdf", "pdf", "Overview Report SBP1703", "Adult F", {}),
    ]
    for path, fmt, title, who, route in docs:
        b.document(www, path, fmt, title=f"Domestic Homicide Review: {title}", area=area,
                   pseudonym=who, **route)
        b.expect(src, www, path)
    # The same file under the bare host (linked with tracking parameters): one record, one fetch.
    b.routes.setdefault(bare, {})["/media/2105/northbridge-dhr5-exec-summary.pdf"] = \
        b.routes[www]["/media/2105/northbridge-dhr5-exec-summary.pdf"]
    b.document(www, "/downloads/file/1407/dhr-mr-k-overview-report", "pdf",
               title="Domestic Homicide Review: Overview Report", area=area, pseudonym="Mr K",
               headers={"Content-Disposition": 'attachment; filename="DHR Mr K Overview '
                                               'Report.pdf"'})
    b.expect(src, www, "/downloads/file/1407/dhr-mr-k-overview-report")
    b.document(www, "/downloads/file/1408/home-office-letter-mr-k", "docx",
               title="Home Office Quality Assurance Panel feedback letter", area=area,
               pseudonym="Mr K",
               content_type="application/octet-stream",
               headers={"Content-Disposition": 'attachment; filename="../../letters/'
                                               'ho-letter-mr-k.docx"'})
    b.expect(src, www, "/downloads/file/1408/home-office-letter-mr-k")
    b.redirect(www, "/dhr/adult-c-overview", "/media/2120/adult-c-overview-report.pdf", 301)
    b.document(www, "/media/2120/adult-c-overview-report.pdf", "pdf",
               title="Domestic Homicide Review: Overview Report", area=area, pseudonym="Adult C")
    b.expect(src, www, "/dhr/adult-c-overview")
    b.redirect(www, "/dhr/adult-c-summary",
               f"http://{csp}:__PORT__/files/adult-c-executive-summary.pdf", 302)
    b.document(csp, "/files/adult-c-executive-summary.pdf", "pdf",
               title="Domestic Homicide Review: Executive Summary", area=area, pseudonym="Adult C")
    b.expect(src, www, "/dhr/adult-c-summary")
    # Present on the server but never to be fetched: distractors, robots-disallowed, offsite,
    # beyond max_depth.
    for path, title in (("/media/2300/domestic-abuse-strategy-2021-2024.pdf",
                         "Domestic Abuse Strategy"),
                        ("/media/2301/dhr-statutory-guidance.pdf", "Statutory guidance"),
                        ("/media/2302/csp-annual-report-2022.pdf", "Annual Report"),
                        ("/media/2303/thematic-analysis-of-local-dhrs-2023.pdf",
                         "Thematic analysis"),
                        ("/media/2141/support-after-a-homicide-leaflet.pdf", "Leaflet"),
                        ("/downloads/file/1500/dhr-protocol", "Protocol"),
                        ("/internal/dhr-drafts/draft-overview-report.pdf", "Draft overview report"),
                        ("/media/2150/case-40-overview-report.pdf", "Overview Report")):
        b.document(www, path, "pdf", title=title, area=area, pseudonym="-")
        b.never_fetch(src, www, path)
    b.never_fetch(src, www, "/downloads/download/254/domestic-homicide-review-protocol")
    b.never_fetch(src, www, f"{listing}/4")
    # A redirect to a host that is not one of the source's domains: never followed.
    b.redirect(www, "/dhr/adult-c-regional-copy",
               f"http://{ELSEWHERE}:__PORT__/dhr/adult-c-copy.pdf", 302)
    b.document(ELSEWHERE, "/dhr/adult-c-copy.pdf", "pdf", title="Overview Report", area=area,
               pseudonym="Adult C")
    b.never_fetch(src, ELSEWHERE, "/dhr/adult-c-copy.pdf")
    b.document(ELSEWHERE, "/dhr/northbridge-dhr5-overview-report.pdf", "pdf",
               title="Overview Report", area=area, pseudonym="Adult E")
    b.never_fetch(src, ELSEWHERE, "/dhr/northbridge-dhr5-overview-report.pdf")


def _eastmoor(b: _Builder) -> None:
    src, host = "eastmoor", EASTMOOR
    # an unreliable server: sha256 must decide
    route: dict[str, Any] = {"etag": "random", "conditional": False}
    site = "Safer Eastmoor Partnership"
    b.text(host, "/robots.txt", "User-agent: *\nDisallow:\n")
    rows1 = """<table class="register"><thead><tr><th>Title</th><th>Published</th>\
<th>Download</th></tr></thead><tbody>
<tr><td>Overview Report EM2101 (pdf 962kb)</td><td>May 2022</td><td>\
<a href="/assets/em2101-overview.pdf">Overview Report EM2101 (pdf 962kb)</a></td></tr>
<tr><td>Executive Summary EM2101 (pdf 369)</td><td>May 2022</td><td>\
<a href="/assets/em2101-summary.pdf">Executive Summary EM2101 (pdf 369)</a></td></tr>
<tr><td>Safeguarding Adult Review - Adult Q</td><td>June 2022</td><td>\
<a href="/assets/sar-adult-q.pdf">Download</a></td></tr>
</tbody></table>
<p><a href="/reviews/adult-d">Adult D (2021) - the partnership published an overview report and \
action plan</a></p>
<nav><a href="/reviews?page=2" rel="next">Next page</a></nav>"""
    b.page(host, "/reviews",
           _council_page("Domestic abuse related death reviews", rows1, site=site),
           **route)
    rows2 = """<table class="register"><tbody>
<tr><td>7 minute briefing - Adult H</td><td>\
<a href="/assets/adult-h-7-minute-briefing.docx">Download (docx)</a></td></tr>
<tr><td>Eastmoor thematic review of DHRs 2023</td><td>\
<a href="/assets/thematic-review-2023.pdf">Download</a></td></tr>
</tbody></table><nav><a href="/reviews?page=1">Previous page</a></nav>"""
    b.page(host, "/reviews?page=2", _council_page("Domestic abuse related death reviews - page 2",
                                                 rows2, site=site),
           flaky={"status": 429, "every": 2, "retry_after": 1}, **route)
    b.page(host, "/reviews?page=1", _council_page("Domestic abuse related death reviews", rows1,
                                                 site=site), **route)
    sub = """<p>Adult D died in 2021. The review was published in 2023.</p><ul>
<li><a href="/assets/adult-d-overview-report.pdf">Overview report</a></li>
<li><a href="/assets/adult-d-action-plan.docx">Action plan</a></li></ul>"""
    b.page(host, "/reviews/adult-d",
           _council_page("Domestic Homicide Review: Adult D", sub, site=site),
           **route)
    for path, fmt, title, who in (("/assets/em2101-overview.pdf", "pdf", "Overview Report",
                                   "EM2101"),
                                  ("/assets/em2101-summary.pdf", "pdf", "Executive Summary",
                                   "EM2101"),
                                  ("/assets/adult-h-7-minute-briefing.docx", "docx",
                                   "7 minute briefing", "Adult H"),
                                  ("/assets/adult-d-overview-report.pdf", "pdf", "Overview Report",
                                   "Adult D"),
                                  ("/assets/adult-d-action-plan.docx", "docx", "Action Plan",
                                   "Adult D")):
        b.document(host, path, fmt, title=f"Domestic Abuse Related Death Review: {title}",
                   area="Eastmoor", pseudonym=who, **route)
        b.expect(src, host, path)
    for path in ("/assets/sar-adult-q.pdf", "/assets/thematic-review-2023.pdf"):
        b.document(host, path, "pdf", title="Not a DHR", area="Eastmoor", pseudonym="-")
        b.never_fetch(src, host, path)


def _westvale(b: _Builder) -> None:
    src, host = "westvale", WESTVALE
    main = """<p>Choose a document to download.</p>
<form action="/go" method="get"><label for="doc">Domestic homicide review documents</label>
<select id="doc" name="doc">
  <option value="">Please choose</option>
  <option value="/docs/dhr-adult-g-overview-report.pdf">DHR Adult G overview report</option>
  <option value="/docs/dhr-adult-g-executive-summary.pdf">DHR Adult G executive summary</option>
  <option value="/docs/westvale-community-safety-strategy.pdf">Community safety strategy \
2022</option>
</select><button type="submit">Go</button></form>"""
    b.text(host, "/robots.txt", "User-agent: *\nDisallow:\n")
    b.page(host, "/council/community-safety/domestic-homicide-reviews",
           _council_page("Domestic homicide reviews", main, site="Westvale Borough Council"))
    for path, title in (("/docs/dhr-adult-g-overview-report.pdf", "Overview Report"),
                        ("/docs/dhr-adult-g-executive-summary.pdf", "Executive Summary")):
        b.document(host, path, "pdf", title=f"Domestic Homicide Review: {title}", area="Westvale",
                   pseudonym="Adult G")
        b.expect(src, host, path)
    b.document(host, "/docs/westvale-community-safety-strategy.pdf", "pdf", title="Strategy",
               area="Westvale", pseudonym="-")
    b.never_fetch(src, host, "/docs/westvale-community-safety-strategy.pdf")


# (pseudonym, CSP, region, uploaded, month/year of death, tags, formats)
_LIBRARY_CARDS = [
    ("Joan", "Preston", "North West", "June 2025", "November 2018", ["Intimate partner homicide"],
     ["pdf"]),
    ("Adult A", "Bristol", "South West", "June 2025", "March 2019", [], ["pdf"]),
    ("Marcus", "Norfolk", "East", "May 2025", "June 2020", ["Mental health (victim)"], ["docx"]),
    ("Mrs B", "East Sussex", "South East", "May 2025", "February 2017", [], ["pdf", "pdf"]),
    ("Tomasz", "Sheffield", "Yorkshire and Humber", "April 2025", "July 2020", [], ["pdf"]),
    ("Anna", "Salford", "North West", "April 2025", "January 2021", ["Familial homicide"], ["pdf"]),
    ("Mr C", "Shropshire", "West Midlands", "March 2025", "September 2021", [], ["pdf"]),
    ("Leah", "Cardiff", "Wales", "March 2025", "August 2019", [], ["pdf"]),
    ("Rose", "Dudley", "West Midlands", "February 2025", "2018", [], ["pdf"]),
    ("Patrick", "Leeds", "Yorkshire and Humber", "February 2025", "May 2016", [], ["broken"]),
    ("Nadia", "Tower Hamlets", "Greater London", "January 2025", "December 2020", [], ["pdf"]),
    ("Adult K", "Kent", "South East", "January 2025", "October 2019", ["Homicide-suicide"],
     ["pdf"]),
]


def _library(b: _Builder, rng: random.Random) -> None:
    src, host = "homeoffice-library", LIBRARY
    b.text(host, "/robots.txt", "User-agent: *\nDisallow: /cookies\n")
    cards = []
    for i, (name, csp, region, uploaded, death, tags, formats) in enumerate(_LIBRARY_CARDS):
        year = death.split()[-1]
        downloads = []
        for j, fmt in enumerate(formats):
            dl_id = hashlib.sha1(f"{name}{csp}{j}".encode()).hexdigest()[:24]
            label = f"{name} - {csp} - {year}/a - DHR" + (" - Executive Summary" if j else "")
            downloads.append({"id": dl_id, "name": label})
            path = f"/download/{dl_id}"
            if fmt == "broken":
                b.expected.setdefault(f"{src}:broken", []).append(f"http://{host}:__PORT__{path}")
                continue
            headers = {}
            ctype = CONTENT_TYPES[fmt]
            if fmt == "docx":
                ctype = "application/octet-stream"  # the type must come from the bytes
            elif i == 1:
                headers = {"Content-Disposition": 'attachment; filename="../../../etc/cron.d/'
                                                  'adult-a.pdf"'}
            else:
                headers = {"Content-Disposition": f'attachment; filename="{label}.pdf"'}
            b.document(host, path, fmt,
                       title="Domestic Homicide Review: "
                             f"{'Executive Summary' if j else 'Overview Report'}",
                       area=csp, pseudonym=name, content_type=ctype, headers=headers)
            b.expect(src, host, path)
        cards.append({"pseudonym": name, "csp": csp, "region": region, "uploaded": uploaded,
                      "death": death, "year": year, "tags": tags, "downloads": downloads})
    (b.root / "library.json").write_text(json.dumps({"host": host, "cards": cards}, indent=1),
                                         encoding="utf-8")


def _bulk(b: _Builder, n: int, rng: random.Random, per_page: int = 50) -> None:
    src, host = "bulk", BULK
    b.text(host, "/robots.txt", "User-agent: *\nDisallow:\n")
    pages = max(1, -(-n // per_page))
    listing = "/community-safety/dhr"
    for p in range(pages):
        rows = []
        for k in range(p * per_page, min(n, (p + 1) * per_page)):
            path = f"/media/{5000 + k}/dhr-{k + 1:04d}-overview-report.pdf"
            b.document(host, path, "pdf", title="Domestic Homicide Review: Overview Report",
                       area="Bulk Borough", pseudonym=f"Adult {k + 1}",
                       filler=rng.randint(150, 450))
            b.expect(src, host, path)
            rows.append(f'<li><a href="{path}">Review {k + 1:04d} - Overview Report (pdf)</a></li>')
        nav = " ".join(f'<a href="{listing}?page={q + 1}">{q + 1}</a>' for q in range(pages))
        html = _council_page("Domestic homicide reviews",
                             f"<ul>{''.join(rows)}</ul><nav class='pagination'>{nav}</nav>",
                             site="Bulk Borough Council")
        b.page(host, f"{listing}?page={p + 1}", html)
        if p == 0:
            b.page(host, listing, html)


def build_sites(root: str | Path, *, seed: int = 0, bulk_reports: int = 0) -> dict:
    """Write the fixture sites under ``root`` (replacing what is there); return the manifest."""
    root = Path(root)
    if (root / "files").exists():
        shutil.rmtree(root / "files")
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    b = _Builder(root)
    _northbridge(b)
    _eastmoor(b)
    _westvale(b)
    _library(b, rng)
    if bulk_reports:
        _bulk(b, bulk_reports, rng)
    sources = [
        {"name": "northbridge", "kind": "site",
         "start_urls": [f"http://{NORTHBRIDGE}:__PORT__/community-safety/domestic-homicide-reviews"],
         "area": "Northbridge", "allowed_domains": [NORTHBRIDGE_BARE, NORTHBRIDGE_CSP],
         "max_depth": 2},
        {"name": "eastmoor", "kind": "site", "start_urls": [f"http://{EASTMOOR}:__PORT__/reviews"],
         "area": "Eastmoor", "max_depth": 2},
        {"name": "westvale", "kind": "site", "spider": "SelectMenuSiteSpider",
         "start_urls": [f"http://{WESTVALE}:__PORT__/council/community-safety/domestic-homicide-reviews"],
         "area": "Westvale", "max_depth": 1},
        {"name": "homeoffice-library", "kind": "homeoffice_library",
         "start_urls": [f"http://{LIBRARY}:__PORT__/"], "page_size": 5},
    ]
    if bulk_reports:
        sources.append({"name": "bulk", "kind": "site", "area": "Bulk Borough", "max_depth": 1,
                        "start_urls": [f"http://{BULK}:__PORT__/community-safety/dhr"]})
    manifest = {"sources": sources, "expected": b.expected, "never": b.never,
                "hosts": sorted(set(b.routes) | {LIBRARY})}
    (root / "routes.json").write_text(json.dumps(b.routes, indent=1), encoding="utf-8")
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest
