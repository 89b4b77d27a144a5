"""Merging listed and tabled recommendations: a table row completes the listed recommendation it
repeats (agency, number, lead) and a table-only row is kept."""

from __future__ import annotations

import difflib
from dataclasses import replace

from dhr.text import alnum_key
from understanding.recommendations.common import RecFound


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sm.real_quick_ratio() >= 0.9 and sm.quick_ratio() >= 0.9 and sm.ratio() >= 0.9


def merge(listed: list[RecFound], tabled: list[RecFound]) -> list[RecFound]:
    """List recommendations, each completed from its table row, plus table-only ones."""
    out = list(listed)
    norms = [alnum_key(r.text) for r in listed]
    by_norm = {n: i for i, n in enumerate(norms)}
    for t in tabled:
        tn = alnum_key(t.text)
        i = by_norm.get(tn)
        if i is None:
            # Near matches complete a listed recommendation, or repeat a table row of the same
            # number; two rows numbered differently are two recommendations even when one only
            # adds a deadline to the other ("... central library." / "... library by May 2021.").
            i = next((j for j, n in enumerate(norms)
                      if (j < len(listed) or t.number is None or out[j].number in (None, t.number))
                      and (_same(n, tn) or
                           (len(tn) > 40 and (n.startswith(tn) or tn.startswith(n))))),
                     None)
        if i is None:
            out.append(t)
            norms.append(tn)
            continue
        r = out[i]
        if t.agency is not None and r.agency != t.agency:
            r = replace(r, agency=t.agency, agency_name=t.agency_name)
        if r.number is None and t.number:
            r = replace(r, number=t.number)
        if r.lead_name is None and t.lead_name:
            r = replace(r, lead_name=t.lead_name)
        out[i] = r
    return out
