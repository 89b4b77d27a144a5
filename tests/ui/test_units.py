"""The web UI's small pieces on their own: snippet markup, charts, export cells, form errors."""

from __future__ import annotations

import json

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from search_api import charts, ui_export, ui_forms
from search_api.ui_text import date_of_death, safe_snippet

SNIPPETS = [
    # (search layer's html, expected markup)
    ("a <mark>risk</mark> b", "a <mark>risk</mark> b"),
    ("&lt;b&gt; <mark>x</mark> &amp; &#39;y&#39;", "&lt;b&gt; <mark>x</mark> &amp; &#39;y&#39;"),
    ("\u2026plain text\u2026", "\u2026plain text\u2026"),
    # Anything else is shown as text, with the mark tags dropped.
    ("<script>alert(1)</script> <mark>x</mark>", "&lt;script&gt;alert(1)&lt;/script&gt; x"),
    ('<mark onclick="x()">y</mark>', "&lt;mark onclick=&#34;x()&#34;&gt;y"),
    ("<mark><mark>x</mark></mark>", "x"),
    ("a </mark> b", "a  b"),
    ("AT&T <mark>x</mark>", "AT&amp;T x"),
]


@pytest.mark.parametrize(("html", "expected"), SNIPPETS)
def test_snippets_allow_only_mark(html, expected):
    out = safe_snippet(html)
    assert isinstance(out, Markup)
    assert str(out) == expected


@pytest.mark.parametrize(("value", "shown"), [
    ("2019-04", "April 2019"), ("2019", "2019"), (None, "Not known"), ("2019-13", "2019")])
def test_date_of_death_display(value, shown):
    assert date_of_death(value) == shown


def test_chart_labels_are_escaped_and_described():
    chart = charts.bar_chart("c1", "Title <b>", [("<script>", 3), ("B & C", 7)],
                             unit="documents", per="agencies", label_heading="Agency",
                             value_heading="Documents", horizontal=True)
    svg = str(chart.svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "B &amp; C" in svg
    assert 'role="img" aria-labelledby="c1-title c1-desc"' in svg
    assert "<title id=\"c1-title\">Title &lt;b&gt;</title>" in svg
    assert chart.description == ("10 documents in total across 2 agencies. "
                                 "The largest is B & C with 7.")
    assert svg.count('class="dhr-chart__bar"') == 2


def test_trend_charts_fill_missing_years_and_rank_themes():
    stats = {"documents": 5, "recommendations": 9,
             "by_year": [{"year": 2015, "count": 2}, {"year": 2018, "count": 3}],
             "themes_by_year": [{"year": 2015, "theme": "housing", "count": 1},
                                {"year": 2018, "theme": "alcohol", "count": 2},
                                {"year": 2018, "theme": "housing", "count": 2}],
             "by_agency": [], "recommendations_by_agency": [{"agency": "police",
                                                            "recommendations": 4}],
             "by_review_type": []}
    out = charts.trend_charts(stats)
    assert out["documents_by_year"].rows == [("2015", 2), ("2016", 0), ("2017", 0), ("2018", 3)]
    assert [c.title for c in out["theme_charts"]] == [
        "Housing and homelessness: documents by year", "Alcohol: documents by year"]
    assert out["theme_table"].rows[0] == ("Housing and homelessness", [1, 0, 0, 2], 3)
    assert out["recommendations_by_agency"].rows == [("Police", 4)]
    assert out["review_types"].rows == [] and "No documents" in out["review_types"].description


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM", "'@SUM"),
    ("plain", "plain"), (None, ""), (True, "true"), (["a", "b"], "a;b"), (3, "3"),
    # full-width and small forms, which spreadsheets also read as formula signs
    ("\uff1dHYPERLINK(\"x\")", "'\uff1dHYPERLINK(\"x\")"), ("\uff0b1", "'\uff0b1"),
    ("\uff0d2", "'\uff0d2"), ("\uff20SUM", "'\uff20SUM"), ("\ufe66x", "'\ufe66x"),
    ("\u22122", "'\u22122"), (" =1+1", "' =1+1"), ("\u3000\uff1d1", "'\u3000\uff1d1"),
    ("\n=1", "'\n=1"), ("a = b", "a = b"), ("e-mail", "e-mail")])
def test_export_cells_cannot_run_as_formulas(value, cell):
    assert ui_export._cell(value) == cell


def test_json_export_is_valid_json_when_the_search_fails_part_way():
    def results():
        yield {"id": "a" * 64}, False
        raise RuntimeError("engine went away")

    body = "".join(ui_export.stream_json(results(), lambda r: {"id": r["id"]}, {"q": "x"}))
    data = json.loads(body)
    assert data["results"] == [{"id": "a" * 64}] and "error" in data


def test_form_errors_come_from_the_api_rules_and_link_to_their_field():
    form = ui_forms.parse(MultiDict([("year_from", "abc")]), b"year_from=abc", "documents")
    assert form.request is None
    assert [(e.field, e.target) for e in form.errors] == [("year_from", "year_from")]
    assert form.errors[0].message == "Year from must be a year in numbers, like 2019"
    form = ui_forms.parse(MultiDict([("theme", "nope")]), b"theme=nope", "documents")
    assert form.errors[0].target == "facet-theme"
    form = ui_forms.parse(MultiDict([("q", "risk"), ("page", "3")]), b"q=risk&page=3",
                          "documents")
    assert not form.errors and form.page == 3 and form.request.q == "risk"


def test_links_keep_parameters_and_drop_only_what_they_change():
    args = MultiDict([("q", "a b"), ("theme", "x"), ("theme", "y"), ("cursor", "c"), ("page", "2")])
    assert ui_forms.url_with("/search", args, drop=("cursor", "page"), remove=("theme", "x")) \
        == "/search?q=a+b&theme=y"
    form = ui_forms.ParsedForm(args=args, request=None, page=2)
    assert ui_forms.next_page_url("/search", form, "n") == \
        "/search?q=a+b&theme=x&theme=y&cursor=n&page=3"
    assert ui_forms.export_url("/search.csv", form) == "/search.csv?q=a+b&theme=x&theme=y"
