"""HTML as older council sites publish it: paragraphs separated only by ``<br><br>``, whole pages
laid out in tables (with a real data table nested inside), article headers holding the title,
Word "Save as HTML" cells with paragraphs, line breaks inside cells and headings."""

from __future__ import annotations

from ingest.extract import extract_structured_bytes

BR_PAGE = b"""<html><body><div id="content"><h1>Overview Report (synthetic sample)</h1>
<h2>1. Introduction</h2>
1.1 The panel met six times.<br><br>1.2 The chair was independent
of all agencies.<br/> <br/>1.3 Agencies provided chronologies.<br>
</div></body></html>"""

LAYOUT_PAGE = b"""<html><head><title>DHR | Synthetic Borough</title></head><body>
<table width="100%"><tr><td class="leftnav"><a href="/">Home</a><br><a href="/bins">Bins</a></td>
<td><h1>Overview Report (synthetic sample)</h1><h2>1. Introduction</h2><p>1.1 The panel met six \
times.</p>
<table border="1"><tr><th>Recommendation</th><th>Lead<br>agency</th></tr>
<tr><td><p class="MsoNormal">Audit</p><p \
class="MsoNormal">referrals</p></td><td>Police</td></tr></table>
<h2>2. Analysis<br>and findings</h2><p>2.1 The analysis \
follows.</p></td></tr></table></body></html>"""

ARTICLE_PAGE = b"""<html><body><header class="site-header">Synthetic Borough Council</header>
<main><article><header><h1>Executive Summary (synthetic sample)</h1><p>Published 2020</p></header>
<h2>1. Introduction</h2><p>1.1 Text of the summary.</p></article></main>
<footer>Contact us</footer></body></html>"""


def test_double_line_breaks_separate_paragraphs() -> None:
    doc = extract_structured_bytes(BR_PAGE)
    assert doc.pages[0].split("\n\n") == [
        "Overview Report (synthetic sample)", "1. Introduction", "1.1 The panel met six times.",
        "1.2 The chair was independent of all agencies.", "1.3 Agencies provided chronologies."]
    assert [(s.number, s.title) for s in doc.sections] == [("1", "Introduction")]


def test_layout_table_is_walked_as_a_page_and_its_data_table_kept() -> None:
    doc = extract_structured_bytes(LAYOUT_PAGE)
    assert doc.title == "Overview Report (synthetic sample)"
    assert [(s.number, s.title) for s in doc.sections] == [("1", "Introduction"),
                                                           ("2", "Analysis and findings")]
    assert [t.rows for t in doc.tables] == [[["Recommendation", "Lead agency"],
                                             ["Audit referrals", "Police"]]]
    blocks = doc.pages[0].split("\n\n")
    assert "1.1 The panel met six times." in blocks and "2.1 The analysis follows." in blocks
    assert "Home" not in doc.pages[0] and "Bins" not in doc.pages[0]


def test_article_header_keeps_the_title_site_header_goes() -> None:
    doc = extract_structured_bytes(ARTICLE_PAGE)
    assert doc.title == "Executive Summary (synthetic sample)"
    assert doc.pages[0].startswith("Executive Summary (synthetic sample)")
    assert "Council" not in doc.pages[0] and "Contact us" not in doc.pages[0]


WORD_HTML = b"""<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=Content-Type content="text/html; charset=windows-1252">
<!--[if gte mso \
9]><xml><o:DocumentProperties><o:Author>Synthetic</o:Author></o:DocumentProperties></xml><![endif]-->
<style><!-- p.MsoNormal {margin:0} --></style></head>
<body lang=EN-GB><div class=WordSection1><h1>Overview Report (synthetic sample)</h1><h2>1. \
Introduction</h2>
<p class=MsoNormal>1.1 Caf\xe9 \x93quoted\x94 text<o:p></o:p></p>
<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><![if !supportLists]><span \
style='mso-list:Ignore'>1.<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><![endif]>First point</p>
<p class=MsoNormal>&nbsp;</p>
<table class=MsoTableGrid border=1><tr><td><p class=MsoNormal><b>Recommendation</b></p></td><td><p \
class=MsoNormal>Lead agency</p></td></tr>
<tr><td><p class=MsoNormal>Audit</p><p class=MsoNormal>referrals</p></td><td><p \
class=MsoNormal>Police</p></td></tr></table>
</div></body></html>"""


def test_word_save_as_html_page() -> None:
    doc = extract_structured_bytes(WORD_HTML)
    assert doc.pages[0].split("\n\n") == [
        "Overview Report (synthetic sample)", "1. Introduction", '1.1 Caf\u00e9 "quoted" text',
        "1. First point",
        "Recommendation Lead agency", "Audit referrals Police"]
    assert [t.rows for t in doc.tables] == [[["Recommendation", "Lead agency"],
                                             ["Audit referrals", "Police"]]]


def test_encoding_when_the_page_does_not_say_or_says_wrong() -> None:
    body = ("<main><h1>Caf\u00e9 review (synthetic sample)</h1><p>\u2018Adult A\u2019 text.</p>"
            "</main>")
    undeclared_utf8 = f"<html><body>{body}</body></html>".encode()
    mislabelled = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode(
        "cp1252")
    for content in (undeclared_utf8, mislabelled):
        assert extract_structured_bytes(content).pages == [
            "Caf\u00e9 review (synthetic sample)\n\n'Adult A' text."]
