"""Server-side charts for the trends page: plain SVG bar charts, each with its data as a table.

No JavaScript and no external chart service. Each chart is an ``<svg role="img">`` labelled by
its ``<title>`` and a ``<desc>`` that states the figures in words (largest value, total), so a
screen reader gets the point of the chart; the template shows the same rows as a table. Every
bar carries its value as text, so no reading is needed from the axis and no meaning depends on
colour. Text in the SVG is escaped here; the CSS (``static/app.css``) styles the classes.

:func:`bar_chart` builds one chart from ``(label, value)`` rows; :func:`trend_charts` turns the
search backend's ``stats()`` into the charts the trends page shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from dhr.taxonomy import label

MAX_AGENCY_BARS = 15
SMALL_MULTIPLES = 6


@dataclass
class Chart:
    id: str
    title: str
    description: str
    label_heading: str  # the data table's first column heading
    value_heading: str
    rows: list[tuple[str, int]]
    svg: Markup


def _fmt(n: int) -> str:
    return f"{n:,}"


def describe(rows: list[tuple[str, int]], unit: str, per: str) -> str:
    """The chart's message in words, for its ``<desc>``."""
    if not rows:
        return f"No {unit} to show."
    total = sum(v for _, v in rows)
    top = max(rows, key=lambda r: r[1])
    return (f"{_fmt(total)} {unit} in total across {len(rows)} {per}. "
            f"The largest is {top[0]} with {_fmt(top[1])}.")


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value``."""
    if value <= 5:
        return max(value, 1)
    step = 10 ** (len(str(value)) - 1)
    for mult in (1, 2, 2.5, 5, 10):
        top = int(mult * step)
        if top >= value:
            return top
    return value


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, int]], *, unit: str, per: str,
              label_heading: str, value_heading: str, horizontal: bool = False,
              small: bool = False) -> Chart:
    desc = describe(rows, unit, per)
    svg = (_horizontal if horizontal else _vertical)(chart_id, title, desc, rows, small)
    return Chart(chart_id, title, desc, label_heading, value_heading, rows, svg)


def _open_svg(chart_id: str, title: str, desc: str, width: int, height: int, cls: str) -> str:
    return (f'<svg class="dhr-chart {cls}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'xmlns="http://www.w3.org/2000/svg" focusable="false">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>')


def _vertical(chart_id: str, title: str, desc: str, rows: list[tuple[str, int]],
              small: bool) -> Markup:
    n = max(len(rows), 1)
    width = 320 if small else 640
    height = 180 if small else 300
    left, right, top, bottom = 36, 8, 22, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _, v in rows), default=0))
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    parts = [_open_svg(chart_id, title, desc, width, height, "dhr-chart--small" if small else "")]
    for frac in (0, 0.5, 1):  # gridlines with their values
        y = top + plot_h * (1 - frac)
        parts.append(f'<line class="dhr-chart__grid" x1="{left}" x2="{width - right}" '
                     f'y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="dhr-chart__axis" x="{left - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{_fmt(round(top_value * frac))}</text>')
    label_every = max(1, int(n / (6 if small else 12) + 0.999))
    for i, (name, value) in enumerate(rows):
        h = plot_h * value / top_value if top_value else 0
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h - h
        parts.append(f'<rect class="dhr-chart__bar" x="{x:.1f}" y="{y:.1f}" '
                     f'width="{bar_w:.1f}" height="{h:.1f}"/>')
        if value and (not small or n <= 16):
            parts.append(f'<text class="dhr-chart__value" x="{x + bar_w / 2:.1f}" '
                         f'y="{y - 5:.1f}" text-anchor="middle">{_fmt(value)}</text>')
        if i % label_every == 0:
            parts.append(f'<text class="dhr-chart__label" x="{x + bar_w / 2:.1f}" '
                         f'y="{top + plot_h + 18}" text-anchor="middle">{escape(name)}</text>')
    parts.append(f'<line class="dhr-chart__axis-line" x1="{left}" x2="{width - right}" '
                 f'y1="{top + plot_h}" y2="{top + plot_h}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _horizontal(chart_id: str, title: str, desc: str, rows: list[tuple[str, int]],
                small: bool) -> Markup:
    width, row_h, left, right, top = 640, 28, 250, 56, 8
    height = top * 2 + row_h * max(len(rows), 1)
    plot_w = width - left - right
    top_value = max((v for _, v in rows), default=0) or 1
    parts = [_open_svg(chart_id, title, desc, width, height, "dhr-chart--horizontal")]
    for i, (name, value) in enumerate(rows):
        y = top + i * row_h
        w = plot_w * value / top_value
        shown = name if len(name) <= 38 else name[:37] + "\u2026"
        parts.append(f'<text class="dhr-chart__label" x="{left - 8}" y="{y + row_h / 2 + 5:.1f}" '
                     f'text-anchor="end">{escape(shown)}</text>')
        parts.append(f'<rect class="dhr-chart__bar" x="{left}" y="{y + 4}" width="{w:.1f}" '
                     f'height="{row_h - 8}"/>')
        parts.append(f'<text class="dhr-chart__value" x="{left + w + 6:.1f}" '
                     f'y="{y + row_h / 2 + 5:.1f}">{_fmt(value)}</text>')
    parts.append(f'<line class="dhr-chart__axis-line" x1="{left}" x2="{left}" y1="{top}" '
                 f'y2="{height - top}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _year_span(years: list[int]) -> list[int]:
    return list(range(min(years), max(years) + 1)) if years else []


@dataclass
class ThemeYearTable:
    years: list[int]
    rows: list[tuple[str, list[int], int]]  # theme label, count per year, total


def trend_charts(stats: dict[str, Any]) -> dict[str, Any]:
    """The trends page's charts from ``SearchBackend.stats()``."""
    by_year = {int(r["year"]): int(r["count"]) for r in stats.get("by_year") or []
               if r.get("year") is not None}
    years = _year_span(list(by_year))
    docs_by_year = bar_chart(
        "chart-documents-by-year", "Documents by year of death",
        [(str(y), by_year.get(y, 0)) for y in years], unit="documents", per="years",
        label_heading="Year of death", value_heading="Documents")

    theme_counts: dict[str, dict[int, int]] = {}
    for r in stats.get("themes_by_year") or []:
        if r.get("year") is None:
            continue
        theme_counts.setdefault(str(r["theme"]), {})[int(r["year"])] = int(r["count"])
    theme_years = _year_span(sorted({y for c in theme_counts.values() for y in c}) or years)
    ranked = sorted(theme_counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    theme_charts = [
        bar_chart("chart-theme-" + re.sub(r"[^a-z0-9_-]", "-", theme.lower()),
                  f"{label('theme', theme)}: documents by year",
                  [(str(y), counts.get(y, 0)) for y in theme_years], unit="documents", per="years",
                  label_heading="Year of death", value_heading="Documents", small=True)
        for theme, counts in ranked[:SMALL_MULTIPLES]]
    theme_table = ThemeYearTable(theme_years, [
        (label("theme", theme), [counts.get(y, 0) for y in theme_years], sum(counts.values()))
        for theme, counts in ranked])

    rec_agencies = [(label("agency", str(r["agency"])), int(r["recommendations"]))
                    for r in (stats.get("recommendations_by_agency") or [])[:MAX_AGENCY_BARS]
                    if r.get("agency")]
    recs_chart = bar_chart(
        "chart-recommendations-by-agency", "Recommendations by the agency they are addressed to",
        rec_agencies, unit="recommendations", per="agencies", label_heading="Agency",
        value_heading="Recommendations", horizontal=True)
    doc_agencies = [(label("agency", str(r["agency"])), int(r["documents"]))
                    for r in (stats.get("by_agency") or [])[:MAX_AGENCY_BARS] if r.get("agency")]
    agencies_chart = bar_chart(
        "chart-documents-by-agency", "Documents that mention each agency", doc_agencies,
        unit="document mentions", per="agencies", label_heading="Agency", value_heading="Documents",
        horizontal=True)
    review_types = [(label("review_type", str(r["review_type"])), int(r["count"]))
                    for r in stats.get("by_review_type") or [] if r.get("review_type")]
    types_chart = bar_chart(
        "chart-review-types", "Documents by review type", review_types, unit="documents",
        per="review types", label_heading="Review type", value_heading="Documents", horizontal=True)
    return {"documents": stats.get("documents", 0),
            "recommendations": stats.get("recommendations", 0),
            "documents_by_year": docs_by_year, "theme_charts": theme_charts,
            "theme_table": theme_table, "recommendations_by_agency": recs_chart,
            "documents_by_agency": agencies_chart, "review_types": types_chart}
