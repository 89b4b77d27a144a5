"""SMART signals of a recommendation: specific, measurable, time-bound, and their count.

Part of report understanding (``understanding.recommendations``). Research with review chairs found
that broad recommendations diffuse responsibility; these signals let users see how concrete a
recommendation is. Rules are ``rules/smart.yaml``:
- specific: the recommendation names an organisation (its addressee) and a concrete action
  (the verb after "should" / "must" / "to" is not a vague one such as "consider");
- measurable: it names an output or measure (audit, report, number, percentage, evidence);
- time_bound: it names a date or a timescale.
``score`` is the number of signals present (0-3).
"""

from __future__ import annotations

import re
from functools import cache

from dhr.document import Smart
from understanding.lowercase import AnyCase
from understanding.rules import compile_any, load


@cache
def _rules() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    d = load("smart")
    vague = re.compile(rf"(?:{compile_any(d['vague_only']).pattern})\b", re.IGNORECASE)
    return (compile_any(d["concrete_actions"], words=True), vague,
            compile_any(d["measurable"], words=True), compile_any(d["time_bound"], words=True))


@cache
def _any_case() -> tuple[AnyCase, ...]:
    """The rules above (and the strong modal), each run on the lower-cased text where it can."""
    return tuple(AnyCase(p) for p in (*_rules(), _strong_modal()))


@cache
def _strong_modal() -> re.Pattern[str]:
    return re.compile(load("smart")["strong_modal"], re.IGNORECASE)


def starts_with_action(text: str) -> bool:
    """Whether a text opens with an action verb, as imperative recommendations do ("Review the
    guidance...", "Consider...")."""
    concrete, vague, _, _ = _rules()
    return bool(concrete.match(text) or vague.match(text))


def concrete_action(text: str) -> bool:
    """Whether the recommendation asks for a concrete action rather than a vague one."""
    concrete, vague, _, _, modal = _any_case()
    m = modal.search(text)
    if m:
        pattern, source = vague.source(text)
        return not pattern.match(source, m.end())
    # No "should": the first action verb decides, whether after a bare "to" ("Kent Police to
    # review...") or in the subjunctive ("It is recommended that the CCG ensure that ... is
    # considered", "the DWP train work coaches to recognise ...").
    c, v = concrete.search(text), vague.search(text)
    return c is not None and (v is None or c.start() < v.start())


def smart_signals(text: str, names_organisation: bool) -> Smart:
    """SMART signals of a recommendation's text; ``names_organisation``: an addressee was found."""
    _, _, measurable, time_bound, _ = _any_case()
    specific = names_organisation and concrete_action(text)
    m = bool(measurable.search(text))
    t = bool(time_bound.search(text))
    return Smart(specific=specific, measurable=m, time_bound=t,
                 score=int(specific) + int(m) + int(t))
