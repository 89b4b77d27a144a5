"""Merged table cells come out on the table's grid: a cell covered by the merged cell above is
empty (its text is printed once), and a cell spanning columns is followed by empty cells, so every
row lines up with the header (HTML rowspan/colspan, Word vertical and horizontal merges)."""

from __future__ import annotations

import io

import docx

from ingest.docx import extract_docx
from ingest.html import extract_html


def test_html_rowspan_and_colspan_keep_rows_on_the_grid():
    html = b"""<html><body><main><table>
    <tr><th>Recommendation</th><th>Action</th><th>Lead</th></tr>
    <tr><td rowspan="2">1. Review the policy.</td><td>Revise it.</td><td>Police</td></tr>
    <tr><td>Brief staff.</td><td>Police</td></tr>
    <tr><td colspan="2">Partnership actions</td><td>CSP</td></tr>
    <tr><td>2. Audit.</td><td rowspan="2">Audit records.</td><td rowspan="2">CCG</td></tr>
    <tr><td>3. Report.</td></tr>
    </table></main></body></html>"""
    (table,) = extract_html(html).tables
    assert table.rows == [["Recommendation", "Action", "Lead"],
                          ["1. Review the policy.", "Revise it.", "Police"],
                          ["", "Brief staff.", "Police"],
                          ["Partnership actions", "", "CSP"],
                          ["2. Audit.", "Audit records.", "CCG"],
                          ["3. Report.", "", ""]]


def test_word_vertical_merge_prints_the_text_once():
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    for j, head in enumerate(["Recommendation", "Action", "Lead"]):
        t.cell(0, j).text = head
    t.cell(1, 0).text = "1. Review the policy."
    t.cell(1, 1).text, t.cell(1, 2).text = "Revise it.", "Police"
    t.cell(2, 1).text, t.cell(2, 2).text = "Brief staff.", "Police"
    t.cell(1, 0).merge(t.cell(2, 0))
    buf = io.BytesIO()
    d.save(buf)
    (table,) = extract_docx(buf.getvalue()).tables
    assert table.rows == [["Recommendation", "Action", "Lead"],
                          ["1. Review the policy.", "Revise it.", "Police"],
                          ["", "Brief staff.", "Police"]]
