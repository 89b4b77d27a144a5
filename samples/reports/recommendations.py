"""Write a review's recommendations: text, lead agency, scope, SMART flags and numbering.

Called once per case by ``content.py``; the same recommendations then appear in the overview
report (as a list under single-agency / multi-agency / national headings), the executive summary,
the learning brief and the action plan (as table rows). Each carries its truth (contract §2
Recommendation): SMART flags follow from the phrases used (a named lead and concrete action =
specific, an audit or reporting measure = measurable, a deadline = time-bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import banks
from .owners import apply_owner_plan
from .writer import Writer, bare_name, capitalise

MULTI_AGENCY_LEADS = ("community_safety_partnership", "safeguarding_board", "local_authority",
                      "health_commissioner")
GROUPS = ("single", "multi", "national")


@dataclass
class DraftRec:
    group: str
    number: str | None
    prefix: str
    own_line: bool
    text: str
    truth: dict[str, Any]
    action: str          # short action for the action plan's "Action to take" column
    # Owner and layout (``owners.py``): the addressee's agency id and name as printed, the
    # recommendation after "<agency> should", or the vague opener; ``parts`` numbers it in a
    # multi-level layout (group, agency, item).
    agency: str | None = None
    display: str | None = None
    body: str = ""
    opener: str | None = None
    parts: tuple[int, ...] = ()


def _letter(n: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26]


def build_recommendations(w: Writer) -> list[DraftRec]:
    case, rng = w.case, w.rng
    var = banks.variants(case.split)
    bank = banks.load("recommendations")
    style = case.variant["rec_style"]
    picks: list[tuple[str, dict]] = []
    for theme in case.themes:
        options = bank.get(theme) or []
        if options:
            picks.append((theme, rng.choice(options)))
    rng.shuffle(picks)
    picks = picks[: rng.randint(4, 7)]
    general = [g for g in bank["general"]]
    picks.append(("general", general[case.index % len(general)]))
    if case.index % 2 == 0:   # a national recommendation in about half the reviews
        nat = [g for g in general if g.get("scope") == "national"]
        picks.append(("general", nat[case.index % len(nat)]))
    drafts: list[dict[str, Any]] = []
    regional_done = any(spec.get("scope") == "regional" for _, spec in picks)
    for theme, spec in picks:
        aid = spec["agency"]
        display = case.agency_names[aid]
        time_bound = rng.random() < 0.55
        measurable = rng.random() < 0.45
        tail = ""
        if measurable:
            tail += " " + w.fill(rng.choice(var["measure_phrases"]), cap=False)
        if time_bound:
            tail += " " + w.fill(rng.choice(var["time_phrases"]), cap=False)
        scope = spec.get("scope", "local")
        action = spec["action"]
        if (scope == "local" and aid in MULTI_AGENCY_LEADS and not regional_done
            and case.index % 3 == 1):
            # a partnership-level action taken up across the region
            scope, regional_done = "regional", True
            action += f", jointly with the other partnerships in the {case.area.region} region"
        group = "national" if scope == "national" else (
            "multi" if aid in MULTI_AGENCY_LEADS else "single")
        drafts.append({"group": group, "agency": aid, "display": display, "body": action + tail,
                       "scope": scope, "specific": True, "measurable": measurable,
                       "time_bound": time_bound, "themes": [] if theme == "general" else [theme],
                       "action": spec["action"]})
    for _ in range(rng.randint(1, 2)):   # vague, agency-less recommendations
        spec = rng.choice(bank["vague"])
        time_bound = rng.random() < 0.25
        tail = (" " + w.fill(rng.choice(var["time_phrases"]), cap=False)) if time_bound else ""
        opener = rng.choice(var["vague_openers"])
        drafts.append({"group": "multi", "agency": None, "display": None, "opener": opener,
                       "body": spec["text"] + tail, "scope": "local", "specific": False,
                       "measurable": False, "time_bound": time_bound, "themes": [spec["theme"]],
                       "action": "consider " + spec["text"]})
    drafts.sort(key=lambda d: GROUPS.index(d["group"]))
    out: list[DraftRec] = []
    for n, d in enumerate(drafts, start=1):
        it_is = bool(style.get("sentence"))
        if d["agency"]:
            subject = d["display"]
            text = (f"{style['sentence']}{subject} {d['body']}." if it_is
                    else f"{capitalise(subject)} should {d['body']}.")
        else:
            opener = d["opener"]
            text = (f"{style['sentence']}{opener[0].lower()}{opener[1:]} {d['body']}." if it_is
                    else f"{opener} {d['body']}.")
        number = style["number"].format(n=n, a=_letter(n)) if style["number"] else None
        prefix = style["prefix"].format(n=n, a=_letter(n))
        score = int(d["specific"]) + int(d["measurable"]) + int(d["time_bound"])
        truth = {
            "number": number, "text": text, "agency": d["agency"],
            "agency_name": bare_name(d["display"]) if d["display"] else None,
            "scope": d["scope"], "page": None, "source": "list",
            "smart": {"specific": d["specific"], "measurable": d["measurable"],
                      "time_bound": d["time_bound"], "score": min(score, 3)},
            "themes": d["themes"],
        }
        out.append(DraftRec(d["group"], number, prefix, bool(style.get("own_line")), text, truth,
                            capitalise(d["action"]), d["agency"], d["display"], d["body"],
                            d.get("opener")))
    return apply_owner_plan(w, out)
