"""Recommendation owners and the ways reports lay recommendations out, with their truth.

Called by ``recommendations.build_recommendations`` (``apply_owner_plan``) and by ``content.py``
when it writes a recommendations section (``layout_blocks``), an action plan row
(``table_truth``) or a document's opening paragraphs (``abbreviation_paras``). Per review it picks
from ``data/owners.yaml`` (train and dev have their own wordings; heldout keeps the template
layout): a layout (agency headings with numbering that restarts, multi-level numbers, a stem
sentence with lettered clauses), abbreviations introduced once and used alone afterwards, a
short form used without introduction ("the ICB"), and a recommendation with two owners ("the CSP
seeks assurance from the police that ..."). The truth of each recommendation gets
``organisation``, ``organisations`` and ``owner_source`` (contract 2a) from the organisation
registry: the organisation the generator meant, or null when it named none or one the registry
does not hold (a local surgery, a council).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from understanding.owner_registry import Organisation, default_registry

from . import banks
from .blocks import Block, Heading, Para, Rec
from .writer import bare_name, capitalise

if TYPE_CHECKING:
    from .case import Case
    from .recommendations import DraftRec
    from .writer import Writer

# The overview report's recommendations section number (content._overview's 19th numbered
# heading): action plans print multi-level numbers as the overview does.
OVERVIEW_REC_SECTION = 19
_SMALL = {"and", "of", "the", "for", "&", "on", "upon", "in"}
_NOT_ABBREVIATIONS = {"GP", "ASC", "CSC", "CSP", "SAB", "NHS", "AE", "HO", "DA", "IT"}


@dataclass
class OwnerPlan:
    layout: dict[str, Any] = field(default_factory=lambda: {"id": "grouped"})
    abbreviations: dict[str, str] = field(default_factory=dict)     # agency id -> "EP"
    generic: dict[str, str] = field(default_factory=dict)           # agency id -> "the ICB"
    two_owner: str | None = None
    bank: dict[str, Any] = field(default_factory=dict)


def _bank(split: str) -> dict[str, Any]:
    return banks.load("owners").get(split) or {}


_PLANS: dict[tuple[str, int, int], OwnerPlan] = {}


def owner_plan(case: Case) -> OwnerPlan:
    """The review's owner and layout choices (its own random stream, so other text is unchanged)."""
    key = (case.split, case.seed, case.index)
    if key in _PLANS:
        return _PLANS[key]
    bank = _bank(case.split)
    plan = OwnerPlan(bank=bank)
    if bank:
        rng = case.rng("owner_plan")
        plan.layout = dict(rng.choice(bank["layouts"]))
        if rng.random() < 0.5:
            plan.abbreviations = _abbreviations(case, rng.random() < 0.5)
        if rng.random() < 0.5:
            plan.generic = {aid: rng.choice(v)
                            for aid, v in bank.get("generic_subjects", {}).items()}
        if rng.random() < 0.45:
            plan.two_owner = rng.choice(bank["two_owner"])
    _PLANS[key] = plan
    return plan


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w'’\-]*", name)
                   if w.lower() not in _SMALL and w[0].isupper())


def _abbreviations(case: Case, more: bool) -> dict[str, str]:
    reg = default_registry()
    out: dict[str, str] = {}
    force = reg.resolve(case.area.force)
    known = [a for a in (force.aliases if force else ()) if a.isupper() and 2 <= len(a) <= 5]
    out["police"] = known[0] if known else _initials(bare_name(case.agency_names["police"]))
    if more:
        for aid in ("community_safety_partnership", "mental_health_services", "housing",
                    "acute_hospital"):
            name = bare_name(case.agency_names[aid])
            abbr = _initials(name)
            if len(abbr) < 2 or abbr in _NOT_ABBREVIATIONS or abbr in out.values():
                continue
            other = reg.resolve(abbr)
            if other is not None and other != owner_org(case, aid, case.agency_names[aid]):
                continue
            out[aid] = abbr
    return {aid: a for aid, a in out.items() if len(a) >= 2 and a not in _NOT_ABBREVIATIONS}


def ref(org: Organisation | None) -> dict[str, str] | None:
    return {"id": org.id, "name": org.name} if org else None


def owner_org(case: Case, aid: str | None, display: str | None) -> Organisation | None:
    """The registry organisation a recommendation to ``display`` (agency ``aid``) is owned by."""
    if not aid or not display:
        return None
    reg = default_registry()
    if aid == "community_safety_partnership":
        return reg.csp_for_area(case.area.name)
    if aid == "police":
        return reg.resolve(case.area.force)
    name = bare_name(display)
    org = reg.resolve(name)
    if org is None and aid == "health_commissioner":
        # "NHS <area> ICB", "<area> Clinical Commissioning Group", "the ICB": the area's board
        # (its name or a former CCG's holds the area's name).
        org = reg.icb_for_area(case.area.name)
    return org


def _owner_truth(orgs: list[Organisation | None], source: str | None) -> dict[str, Any]:
    found = [o for o in orgs if o is not None]
    unique = list(dict.fromkeys(found))
    return {"organisation": ref(unique[0]) if unique else None,
            "organisations": [ref(o) for o in unique],
            "owner_source": source if unique else None}


def apply_owner_plan(w: Writer, recs: list[DraftRec]) -> list[DraftRec]:
    """Owners, subjects, numbers and texts of the review's recommendations after its plan."""
    case = w.case
    plan = owner_plan(case)
    layout = plan.layout["id"]
    out: list[DraftRec] = []
    for r in recs:
        orgs = [owner_org(case, r.agency, r.display)]
        source = "text"
        subject = plan.abbreviations.get(r.agency or "") or plan.generic.get(r.agency or "")
        text = r.text
        if subject and r.display:
            for old in (capitalise(r.display), r.display):
                if old in text:
                    text = text.replace(old, capitalise(subject) if text.startswith(old)
                                        else subject, 1)
                    break
        if layout in ("agency_headings", "multilevel") and r.group == "single" and r.agency:
            text, source = capitalise(r.body) + ".", "heading"
        truth = {**r.truth, "text": text, **_owner_truth(orgs, source)}
        out.append(replace(r, text=text, truth=truth))
    if plan.two_owner:
        out = _with_two_owner(w, out, plan)
        if layout == "grouped":
            out = _renumber_grouped(case, out)
    if layout == "stem":
        out = [_as_clause(r, plan) for r in out]
    return _number(out, plan, OVERVIEW_REC_SECTION)


def _with_two_owner(w: Writer, recs: list[DraftRec], plan: OwnerPlan) -> list[DraftRec]:
    from .recommendations import DraftRec

    case = w.case
    a, b = case.agency_names["community_safety_partnership"], case.agency_names["police"]
    a_say = plan.abbreviations.get("community_safety_partnership") or a
    b_say = plan.abbreviations.get("police") or b
    body = plan.two_owner.format(a="{a}", b=b_say)           # type: ignore[union-attr]
    text = capitalise(body.format(a=a_say)) + "."
    sentence = case.variant["rec_style"].get("sentence") if plan.layout["id"] == "grouped" else None
    if sentence:
        said = re.sub(r"\s(?:should|to)\s(?=\w+\s+assurance)", " ", body.format(a=a_say))
        text = f"{sentence}{said}."
    orgs = [owner_org(case, "community_safety_partnership", a), owner_org(case, "police", b)]
    template = next((r for r in recs if r.group == "multi"), recs[0])
    truth = {**template.truth, "text": text, "agency": "community_safety_partnership",
             "agency_name": bare_name(a), "scope": "local",
             "smart": {"specific": True, "measurable": False, "time_bound": False, "score": 1},
             "themes": [], **_owner_truth(orgs, "text")}
    rest = re.sub(r"^\{a\}\s+(?:should\s+|to\s+)?", "", body)
    rec = DraftRec("multi", None, "", template.own_line, text, truth,
                   "Seek assurance and report it to the partnership",
                   "community_safety_partnership",
                   a, rest.replace("seeks", "seek"), None)
    at = next((i for i, r in enumerate(recs) if r.group == "national"), len(recs))
    return recs[:at] + [rec] + recs[at:]


def _renumber_grouped(case: Case, recs: list[DraftRec]) -> list[DraftRec]:
    """The template's numbering again after a recommendation was added."""
    style = case.variant["rec_style"]
    out = []
    for n, r in enumerate(recs, start=1):
        number = style["number"].format(n=n, a=_letter(n)) if style["number"] else None
        prefix = style["prefix"].format(n=n, a=_letter(n))
        out.append(replace(r, number=number, prefix=prefix, own_line=bool(style.get("own_line")),
                           truth={**r.truth, "number": number}))
    return out


def _as_clause(r: DraftRec, plan: OwnerPlan) -> DraftRec:
    """A recommendation as a clause of the stem sentence: "Kent Police review ..." (the verb in
    the subjunctive), "all agencies consider ..."."""
    if r.agency and r.display:
        subject = plan.abbreviations.get(r.agency) or plan.generic.get(r.agency) or r.display
        body = re.sub(r"^(?:should|to)\s+", "", r.body)
        text = f"{subject} {body}"
    else:
        opener = (r.opener or "All agencies should consider").replace(" should ", " ")
        text = f"{opener[0].lower()}{opener[1:]} {r.body}"
    text = re.sub(r"\s+", " ", text).strip()
    return replace(r, text=text, truth={**r.truth, "text": text})


def _groups(recs: list[DraftRec], plan: OwnerPlan) -> list[tuple[str, list[int]]]:
    """(group key, indexes) in order: each single agency its own group under headings layouts."""
    out: list[tuple[str, list[int]]] = []
    for i, r in enumerate(recs):
        key = (f"agency:{r.agency}" if plan.layout["id"] in ("agency_headings", "multilevel")
               and r.group == "single" and r.agency else r.group)
        if out and out[-1][0] == key:
            out[-1][1].append(i)
        elif any(k == key for k, _ in out):
            next(ix for k, ix in out if k == key).append(i)
        else:
            out.append((key, [i]))
    return out


def _number(recs: list[DraftRec], plan: OwnerPlan, section: int) -> list[DraftRec]:
    layout = plan.layout
    if layout["id"] == "grouped":
        return recs
    out = list(recs)
    if layout["id"] == "stem":
        for k, r in enumerate(recs, start=1):
            num = layout["number"].format(k=k, a=_letter(k))
            out[k - 1] = _numbered(r, num, layout["prefix"].format(k=k, a=_letter(k)))
        return out
    groups = _groups(recs, plan)
    single_no = 0
    for g, (key, ix) in enumerate(groups, start=1):
        if key.startswith("agency:"):
            single_no += 1
        for k, i in enumerate(ix, start=1):
            if layout["id"] == "agency_headings":
                num, prefix = layout["number"].format(k=k), layout["prefix"].format(k=k)
            elif layout.get("depth") == 4:
                top = _top_groups(groups)
                if key.startswith("agency:"):
                    num = f"{section}.{top.index('single') + 1}.{single_no}.{k}"
                else:
                    num = f"{section}.{top.index(key) + 1}.{k}"
                prefix = num
            else:
                num = prefix = f"{section}.{g}.{k}"
            out[i] = _numbered(recs[i], num, prefix)
    return out


def _top_groups(groups: list[tuple[str, list[int]]]) -> list[str]:
    top: list[str] = []
    for key, _ in groups:
        k = "single" if key.startswith("agency:") else key
        if k not in top:
            top.append(k)
    return top


def _numbered(r: DraftRec, number: str, prefix: str) -> DraftRec:
    return replace(r, number=number, prefix=prefix, own_line=False,
                   truth={**r.truth, "number": number})


def _letter(n: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26]


def layout_blocks(case: Case, recs: list[DraftRec], section: int) -> list[Block] | None:
    """The blocks of a recommendations section in the review's layout (None: the template's
    grouping, written by content.py). ``section`` is the document's section number."""
    plan = owner_plan(case)
    layout = plan.layout
    if layout["id"] == "grouped":
        return None
    section = section or OVERVIEW_REC_SECTION
    recs = _number(recs, plan, section) if layout["id"] == "multilevel" else recs
    blocks: list[Block] = []
    if layout["id"] == "stem":
        blocks.append(Para(layout["stem"]))
        # In PDFs the clause list often runs over a page: one clause breaks over the page foot.
        rng = case.rng(f"stem_break:{section}")
        broken = rng.randint(1, len(recs)) if len(recs) > 1 and rng.random() < 0.7 else 0
        for k, r in enumerate(recs, start=1):
            end = "." if k == len(recs) else ("; and" if k == len(recs) - 1 else ";")
            # The last clause ends the sentence: its full stop is part of it, as for any other
            # recommendation; the separators between clauses are not.
            truth = ({**r.truth, "text": r.text.rstrip(".") + "."} if k == len(recs)
                     else r.truth)
            blocks.append(Rec(r.prefix, r.text.rstrip(".") + end, truth, False, may_break=True,
                              break_inside=k == broken))
        return blocks
    groups = _groups(recs, plan)
    top_done: set[str] = set()
    top = _top_groups(groups)
    single_no = 0
    for g, (key, ix) in enumerate(groups, start=1):
        first = recs[ix[0]]
        if key.startswith("agency:"):
            single_no += 1
            name = bare_name(first.display or "")
            title = layout.get("heading", "{agency}").format(agency=name)
        else:
            title = str(case.variant["rec_groups"][key])
        if layout["id"] == "multilevel":
            if layout.get("depth") == 4:
                tkey = "single" if key.startswith("agency:") else key
                t = top.index(tkey) + 1
                if tkey not in top_done:
                    top_done.add(tkey)
                    ttitle = str(case.variant["rec_groups"][tkey])
                    blocks.append(Heading(ttitle, f"{section}.{t}", 2))
                if key.startswith("agency:"):
                    blocks.append(Heading(title, f"{section}.{t}.{single_no}", 3))
            else:
                blocks.append(Heading(title, f"{section}.{g}", 2))
        else:
            blocks.append(Heading(title, None, 2))
        for i in ix:
            r = recs[i]
            blocks.append(Rec(r.prefix, r.text, r.truth, False))
    return blocks


def table_truth(r: DraftRec) -> dict[str, Any]:
    """An action plan row's truth: the lead column names the owner the text does not."""
    truth = {**r.truth, "source": "table"}
    if truth.get("owner_source") == "heading":
        truth["owner_source"] = "action_plan"
    return truth


def abbreviation_paras(case: Case) -> list[str]:
    """The sentence introducing the review's abbreviations (empty when it uses none)."""
    plan = owner_plan(case)
    if not plan.abbreviations:
        return []
    items = [plan.bank["abbreviation_item"].format(full=bare_name(case.agency_names[aid]),
                                                   abbr=abbr)
             for aid, abbr in plan.abbreviations.items()]
    joined = ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]
    return [plan.bank["abbreviation_intro"].format(items=joined)]


def owner_layout(case: Case) -> dict[str, Any]:
    """What ``.layout.json`` says about the review's owner patterns (scorers group by it)."""
    plan = owner_plan(case)
    return {"layout": plan.layout["id"], "abbreviations": sorted(plan.abbreviations.values()),
            "generic": sorted(plan.generic.values()), "two_owner": plan.two_owner is not None}
