"""HTML extraction: main content with headings and lists; navigation, banners, footers removed."""

from __future__ import annotations

from ingest.extract import extract_structured_bytes

PAGE = b"""<!doctype html><html><head><title>DHR Adult A | Synthetic Council</title>
<script>var tracking = 1;</script><style>p {color: red}</style></head><body>
<div id="cookie-banner">We use cookies on this site. <button>Accept all cookies</button></div>
<header class="site-header"><nav><a href="/">Home</a> <a \
href="/services">Services</a></nav></header>
<div class="breadcrumbs">Home &gt; Community safety</div>
<main id="main-content">
<h1>Domestic Homicide Review: Adult A (synthetic sample)</h1>
<p>This <strong>synthetic</strong> page publishes a review.</p>
<h2>1. Introduction</h2>
<p>1.1 The panel met six times.</p>
<ol><li>First line of enquiry</li><li>Second line of enquiry</li></ol>
<ul><li>A bullet point</li></ul>
<h3>1.2 Scope</h3><p>Line one<br>line two</p>
<table><tr><th>Recommendation</th><th>Lead agency</th></tr>
<tr><td>Review training</td><td>Police</td></tr></table>
<aside>Related pages: housing, council tax</aside>
</main>
<footer>Copyright Synthetic Council. <a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_main_content_only() -> None:
    doc = extract_structured_bytes(PAGE)
    text = doc.pages[0]
    assert doc.format == "html" and doc.page_count == 1
    for boilerplate in ("cookies", "Services", "breadcrumbs", "Community safety", "Copyright",
                        "Privacy", "Related pages", "tracking", "color"):
        assert boilerplate not in text


def test_headings_lists_and_paragraphs_in_order() -> None:
    blocks = extract_structured_bytes(PAGE).pages[0].split("\n\n")
    assert blocks == [
        "Domestic Homicide Review: Adult A (synthetic sample)",
        "This synthetic page publishes a review.",
        "1. Introduction", "1.1 The panel met six times.",
        "1. First line of enquiry", "2. Second line of enquiry", "• A bullet point",
        "1.2 Scope", "Line one line two", "Recommendation Lead agency", "Review training Police"]


def test_title_outline_and_tables() -> None:
    doc = extract_structured_bytes(PAGE)
    assert doc.title == "Domestic Homicide Review: Adult A (synthetic sample)"
    assert [(s.number, s.title, s.level) for s in doc.sections] == [("1", "Introduction", 1),
                                                                    ("1.2", "Scope", 2)]
    assert [t.rows for t in doc.tables] == [[["Recommendation", "Lead agency"],
                                             ["Review training", "Police"]]]


def test_page_without_main_element_uses_body() -> None:
    doc = extract_structured_bytes(b"<html><body><nav>Menu</nav><p>Only paragraph.</p></body></"
                                   b"html>")
    assert doc.pages == ["Only paragraph."]


def test_title_from_title_element_without_site_suffix() -> None:
    doc = extract_structured_bytes(b"<html><head><title>Overview report - Synthetic Council</title>"
                                   b"</head>"
                                   b"<body><p>Text of the report.</p></body></html>")
    assert doc.title == "Overview report"
