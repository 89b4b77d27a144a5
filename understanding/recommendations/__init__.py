"""Recommendations of a report: numbered/lettered lists in recommendation sections and rows of
action-plan tables, merged without duplicates, each with number, whole text, addressee agency,
scope, page, source and SMART signals.

Part of report understanding (``understanding.understand``). Rules are
``rules/recommendations.yaml``
(item markers, scope headings, table column names) and ``rules/smart.yaml``.

Lists: every section whose heading is a recommendations heading (``sections.yaml``) is read
line by line; a line opening with a marker ("Recommendation 3:", "3.", "R3", "a)", a bullet) or
"It is recommended that" starts an item; a line that continues an unfinished sentence (also the
first line of the next page) is joined to it. Sub-headings set the scope (single-agency /
multi-agency -> local, national, regional) or the addressee (a heading that is an agency name).
Tables: a header row is recognised by its column names (number, recommendation, lead agency,
action, target date, ...); tables without a header that follow one are its continuation on the
next page, and a row without a number whose text continues the previous row is joined back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from understanding.doctext import DocText
from understanding.recommendations.addressees import addressee
from understanding.recommendations.common import RecFound
from understanding.recommendations.lists import extract_list_recommendations
from understanding.recommendations.merging import merge
from understanding.recommendations.tables import (
    _header_map,
    extract_table_recommendations,
    pipe_tables,
)
from understanding.smart import smart_signals

__all__ = ["RecFound", "_header_map", "addressee", "extract_list_recommendations",
           "extract_recommendations", "extract_table_recommendations", "merge", "pipe_tables"]


def extract_recommendations(doc: DocText, tables: Sequence[Any] = (),
                            doc_type: str | None = None, *, owner_hints: bool = False,
                            ) -> list[dict[str, Any]]:
    """All recommendations as contract dicts (number, text, agency, agency_name, scope, page,
    source, smart). An action plan without tables is read as one list. ``owner_hints`` adds
    ``_heading`` and ``_lead`` (the agency heading and lead column) for ``understanding.owners``."""
    tabled = extract_table_recommendations(tables or pipe_tables(doc))
    listed = extract_list_recommendations(doc, whole=doc_type == "action_plan" and not tabled)
    out = []
    for r in merge(listed, tabled):
        smart = smart_signals(r.text, r.agency is not None or r.agency_name is not None)
        out.append({"number": r.number, "text": r.text, "agency": r.agency,
                    "agency_name": r.agency_name, "scope": r.scope, "page": r.page,
                    "source": r.source, "smart": smart.model_dump()})
        if owner_hints:
            out[-1].update({"_heading": r.heading_name, "_lead": r.lead_name})
    return out
