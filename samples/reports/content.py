"""Write each document of a review as blocks, following the Home Office templates.

Second step of the generator (after ``case.py``): ``write_document(case, doc_type)`` returns the
title, the blocks (headings, numbered paragraphs, lists, tables, recommendations) and the review
facts the document states. The overview report follows the Home Office overview report template
in order; boilerplate (statutory purposes, terms of reference) names many themes on purpose, while
the case's real themes are placed, tagged, in analysis, lessons and recommendations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dhr.taxonomy import label

from . import banks, wording
from .action_plans import action_plan_table
from .blocks import Block, Heading, Item, PageBreak, Para, Rec, Table, Title, Toc, TocEntry
from .case import Case
from .owners import abbreviation_paras, layout_blocks
from .recommendations import DraftRec, build_recommendations
from .writer import Writer, bare_name

DOC_LABELS = {"overview_report": "Overview Report", "executive_summary": "Executive Summary",
              "action_plan": "Action Plan", "learning_brief": "Learning Brief",
              "home_office_letter": "Home Office QA Panel Letter", "other": "Terms of Reference"}
# Agencies that take part in the review or receive national recommendations, not services that
# had contact with the victim.
NOT_INVOLVED = ("community_safety_partnership", "home_office", "central_government")
SYNTHETIC_NOTE = "Synthetic sample - not a real review. All names are invented."


@dataclass
class DocContent:
    doc_type: str
    title: str
    blocks: list[Block]
    review: dict[str, Any]
    doc_label: str
    landscape: bool = False
    tables: list[Table] = field(default_factory=list)


class _Doc:
    """Accumulates blocks with section and paragraph numbering."""

    def __init__(self, w: Writer) -> None:
        self.w = w
        self.blocks: list[Block] = []
        self.section = 0
        self.para_no = 0
        self.numbered = True

    def heading(self, key_or_title: str, *, level: int = 1, number: bool = True) -> None:
        heads = self.w.case.variant["headings"]
        title = heads.get(key_or_title, key_or_title)  # type: ignore[union-attr]
        if level == 1 and number:
            self.section += 1
            self.para_no = 0
            self.blocks.append(Heading(title, str(self.section), 1))
        else:
            self.blocks.append(Heading(title, None, level))

    def para(self, text: str, tags: list[tuple[str, str]] | None = None) -> None:
        num = None
        if self.numbered and self.section:
            self.para_no += 1
            num = f"{self.section}.{self.para_no}"
        self.blocks.append(Para(text, num, list(tags or [])))

    def paras(self, templates: list[str]) -> None:
        for t in templates:
            self.para(self.w.fill(t))

    def items(self, texts: list[str], tags: list[tuple[str, str]] | None = None,
              numbered: bool = False) -> None:
        for k, t in enumerate(texts, start=1):
            self.blocks.append(Item(t, f"{k}." if numbered else "•",
                                    [x for x in (tags or []) if x[1] == t]))


def _theme_sentences(w: Writer, theme: str, kind: str, k: int) -> list[tuple[str, str]]:
    bank = banks.load("themes")[theme]
    pool = list(bank.get(kind, []))
    if w.case.split == "heldout" and kind == "analysis":
        pool += bank.get("heldout", [])
    if kind == "analysis":
        pool += wording.theme_paraphrases(w, theme)
    return [(theme, w.fill(s)) for s in w.pick(pool, k)]


def _review_truth(case: Case, *, full: bool, fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """What the document states about the review; unstated fields stay null."""
    has = (lambda f: full or f in fields)
    return {
        "pseudonym": case.victim.truth,
        "area": case.area.name,
        "region": case.area.region,
        "date_of_death": case.date_of_death.strftime("%Y-%m") if has("date_of_death") else None,
        "review_type": (case.review_type if has("review_type") and case.relationship_stated
                        else None),
        "death_type": case.death_type if has("death_type") else None,
        "victim": {"age": case.victim.age if has("victim") else None,
                   "age_band": case.age_band if has("victim") else None,
                   "sex": case.victim.sex if has("victim") else None},
        "abuse_types": list(case.abuse_types) if has("abuse_types") else [],
        "chair": {"name": case.chair_name if has("chair") else None,
                  "independent": case.chair_independent if has("chair") else None},
        "family_involved": case.family_involved if has("family_involved") else None,
    }


def _title_block(w: Writer, doc_type: str) -> Title:
    case = w.case
    title = w.fill(case.variant["titles"][doc_type], csp=w.ctx["csp"])
    lines = [w.ctx["csp"]]
    if doc_type in ("overview_report", "executive_summary"):
        lines.append(f"Chair and author: {case.chair_name}")
    lines.append(wording.area_body_line(w))
    lines.append(f"Report completed: {w.month_year(w.completed)}")
    lines.append(SYNTHETIC_NOTE)
    return Title(title, lines)


def _facts(d: _Doc) -> None:
    """Background paragraphs: circumstances, age, abuse types (the facts a metadata extractor
    needs)."""
    w, case = d.w, d.w.case
    prose = banks.prose(case.split)
    d.para(w.fill(prose["circumstances"][case.death_type]))
    d.para(" ".join([w.fill(case.variant["age_form"]), w.fill("{P} was {p_age} years old."),
                     *wording.relationship_sentences(w)]))
    _abuse_paras(d)


def _abuse_paras(d: _Doc) -> None:
    """One paragraph per abuse type of the case, in the split's wording."""
    w = d.w
    prose = banks.prose(w.case.split)
    for abuse in w.case.abuse_types:
        d.para(wording.abuse_sentence(w, abuse) or w.fill(prose["abuse"][abuse]))


def _recs_list(d: _Doc, recs: list[DraftRec], grouped: bool) -> None:
    laid_out = layout_blocks(d.w.case, recs, d.section)   # owners.py: the review's own layout
    if laid_out is not None:
        d.blocks.extend(laid_out)
        return
    last = None
    for r in recs:
        if grouped and r.group != last:
            d.heading(d.w.case.variant["rec_groups"][r.group], level=2)
            last = r.group
        d.blocks.append(Rec(r.prefix, r.text, r.truth, r.own_line))


def _overview(w: Writer, recs: list[DraftRec]) -> DocContent:
    case = w.case
    prose = banks.prose(case.split)
    d = _Doc(w)
    d.blocks.append(_title_block(w, "overview_report"))
    d.blocks.append(PageBreak())
    toc = Toc([])
    d.blocks.append(Heading(case.variant["headings"]["contents"], None, 1, in_toc=False))
    d.blocks.append(toc)
    d.blocks.append(PageBreak())
    d.heading("introduction")
    d.paras(w.pick(prose["introduction"], 4))
    sp = prose["statutory_purposes"]
    d.para(w.fill(sp["intro"]))
    d.items([w.fill(t, cap=False) for t in sp["items"]])
    d.heading("timescales")
    d.paras(prose["timescales"][:2] + w.pick(prose["timescales"][2:], 1))
    d.heading("confidentiality")
    d.paras(prose["confidentiality"])
    other_row = wording.people_table_other_row(w)   # someone else named by a relation
    d.blocks.append(Table(["Pseudonym", "Relationship", "Age", "Ethnicity"],
                          [[case.victim.text, "Victim", str(case.victim.age),
                            case.victim.ethnicity],
                           [case.perpetrator.text, wording.people_table_relation(w),
                            str(case.perpetrator.age), case.perpetrator.ethnicity],
                           *([other_row] if other_row else [])],
                          [1.5, 2.5, 0.6, 1.6]))
    d.heading("terms_of_reference")
    tor = prose["terms_of_reference"]
    d.para(w.fill(tor["intro"]))
    d.items([w.fill(t) for t in tor["items"]], numbered=True)
    d.para(w.fill(tor["outro"]))
    d.heading("methodology")
    d.paras(prose["methodology"])
    d.heading("family_involvement")
    fam = prose["family_involvement"]
    d.paras(fam["involved"] if case.family_involved else fam["declined"])
    if case.death_type == "homicide":
        d.paras(fam["perpetrator"])
    d.heading("contributors")
    d.para(w.fill(prose["contributors_intro"]))
    d.paras(abbreviation_paras(case))
    involved = [a for a in case.agencies if a not in NOT_INVOLVED]
    d.items([(f"{bare_name(case.agency_names[a])} - "
              f"{'IMR' if i % 3 != 2 else 'summary of involvement'}")
             for i, a in enumerate(involved)])
    d.heading("panel")
    d.para(w.fill(prose["panel_intro"]))
    roles = ("Head of Service", "Safeguarding Lead", "Detective Inspector", "Service Manager",
             "Named Nurse for Safeguarding", "Team Manager", "Operations Manager")
    panel_rows = [["Independent Chair and Author", "Independent"]]
    panel_rows += [[w.rng.choice(roles), bare_name(case.agency_names[a])]
                   for a in ["community_safety_partnership", *involved, "domestic_abuse_services"]
                   if a != "other"][:12]
    d.blocks.append(Table(["Role", "Agency"], panel_rows, [2.0, 3.0]))
    d.heading("author")
    auth = prose["author"]
    d.para(w.fill(w.pick(auth["independent"] if case.chair_independent
                         else auth["not_independent"])))
    d.heading("parallel_reviews")
    par = prose["parallel_reviews"]
    d.paras(([par[0]] if case.death_type == "homicide" else []) + par[1:])
    d.heading("equality")
    d.paras(prose["equality"])
    if "equality_diversity" in case.themes:
        tags = _theme_sentences(w, "equality_diversity", "analysis", 2)
        d.para(" ".join(s for _, s in tags), tags)
    d.heading("dissemination")
    dis = prose["dissemination"]
    d.para(w.fill(dis["intro"]))
    d.items([w.fill(t, cap=False) for t in dis["items"]])
    d.heading("background")
    d.paras(w.pick(prose["background"], 4))
    _facts(d)
    # Chronology: the bulk of a real report.
    d.heading("chronology")
    d.paras(prose["chronology_intro"])
    events = _events(w, int(w.rng.triangular(30, 420, 70)))
    year = None
    for when, text, tags in events:
        if when.year != year:
            year = when.year
            d.heading(str(case.variant["year_heading"]).format(year=year), level=2)
        extra = " " + w.fill(w.pick(prose["analysis_filler"])) if w.rng.random() < 0.35 else ""
        d.para(text + extra, tags)
    d.heading("overview")
    for a in involved[: w.rng.randint(4, 8)]:
        d.heading(str(case.variant["involvement_heading"]).format(
            agency=bare_name(case.agency_names[a])), level=2)
        for _ in range(w.rng.randint(1, 3)):
            d.para(" ".join(w.fill(s) for s in w.pick(prose["analysis_filler"], 3)))
    d.heading("analysis")
    d.para(" ".join(wording.mention_sentences(w, involved)))
    for theme in case.themes:
        d.heading(str(case.variant["theme_heading"]).format(theme=label("theme", theme)), level=2)
        for _ in range(w.rng.randint(2, 4)):
            tags = _theme_sentences(w, theme, "analysis", w.rng.randint(1, 2))
            fill = [w.fill(s) for s in w.pick(prose["analysis_filler"], w.rng.randint(1, 3))]
            d.para(" ".join([s for _, s in tags] + fill), tags)
    d.heading("conclusions")
    d.paras(prose["conclusions"])
    d.heading("lessons")
    for theme in case.themes:
        tags = _theme_sentences(w, theme, "lessons", 1)
        d.para(tags[0][1], tags)
    d.heading("recommendations")
    d.numbered = False
    _recs_list(d, recs, grouped=True)
    d.blocks.append(PageBreak())
    d.blocks.append(Heading(case.variant["headings"]["action_plan"], None, 1))
    table = action_plan_table(w, recs, "overview_report")
    table.recs = {}   # the appendix repeats the list; the list is the recommendations' source
    d.blocks.append(table)
    toc.entries = [TocEntry(b.label) for b in d.blocks if isinstance(b, Heading) and b.level == 1
                   and b.in_toc]
    return DocContent("overview_report", d.blocks[0].title, d.blocks,  # type: ignore[union-attr]
                      _review_truth(case, full=True), DOC_LABELS["overview_report"])


def _event_fits(event: Any, case: Case) -> bool:
    """An event tagged with a theme or an abuse type is used only when the case has it (an event
    that describes abuse is evidence of that abuse type)."""
    if isinstance(event, str):
        return True
    return (("theme" not in event or event["theme"] in case.themes)
            and ("abuse" not in event or event["abuse"] in case.abuse_types))


def _events(w: Writer, n: int) -> list[tuple[dt.date, str, list[tuple[str, str]]]]:
    """``n`` dated chronology entries: (date, text, theme tags)."""
    case = w.case
    bank = banks.load("prose")["events"]
    usable: dict[str, list[Any]] = {}
    for aid in case.agencies:
        ok = [e for e in bank.get(aid, []) if _event_fits(e, case)]
        if ok:
            usable[aid] = ok
    agencies = sorted(usable) or ["police"]
    start = case.date_of_death - dt.timedelta(days=3 * 365)
    span = (case.date_of_death - start).days - 10
    days = sorted(w.rng.sample(range(span), min(n, span)))
    out = []
    for day in days:
        when = start + dt.timedelta(days=day)
        event = w.pick(usable.get(w.rng.choice(agencies), bank["police"][:1]))
        text = w.fill(event if isinstance(event, str) else event["text"], date=w.date(when))
        tags = [] if isinstance(event, str) or "theme" not in event else [(event["theme"], text)]
        out.append((when, text, tags))
    return out


def _executive_summary(w: Writer, recs: list[DraftRec]) -> DocContent:
    case = w.case
    prose = banks.prose(case.split)
    d = _Doc(w)
    d.blocks.append(_title_block(w, "executive_summary"))
    d.blocks.append(PageBreak())
    d.heading("es_intro")
    d.paras(w.pick(prose["introduction"], 3))
    d.paras(abbreviation_paras(case))
    d.paras(prose["timescales"][:1] + prose["methodology"][:1])
    fam = prose["family_involvement"]
    d.para(w.fill((fam["involved"] if case.family_involved else fam["declined"])[0]))
    auth = prose["author"]
    d.para(w.fill(auth["independent"][0] if case.chair_independent else auth["not_independent"][0]))
    d.heading("es_summary")
    d.paras(w.pick(prose["background"], 2))
    _facts(d)
    for _, text, tags in _events(w, w.rng.randint(6, 12)):
        d.para(text, tags)
    d.heading("es_findings")
    for theme in case.themes:
        tags = _theme_sentences(w, theme, "analysis", 2)
        d.para(" ".join(s for _, s in tags), tags)
    d.heading("es_conclusions")
    d.paras(prose["conclusions"][:3])
    d.heading("es_recommendations")
    d.numbered = False
    _recs_list(d, recs, grouped=False)
    return DocContent("executive_summary", d.blocks[0].title, d.blocks,  # type: ignore[union-attr]
                      _review_truth(case, full=True), DOC_LABELS["executive_summary"])


def _action_plan(w: Writer, recs: list[DraftRec]) -> DocContent:
    case = w.case
    title = w.fill(case.variant["titles"]["action_plan"])
    d = _Doc(w)
    d.numbered = False
    d.blocks.append(Title(title, [w.ctx["csp"], SYNTHETIC_NOTE]))
    d.para(w.fill("This action plan sets out how agencies in {area} will respond to the "
                  "recommendations of the Domestic Homicide Review concerning {V}. Progress is "
                  "monitored by {csp}."))
    d.paras(abbreviation_paras(case))
    table = action_plan_table(w, recs, "action_plan")
    d.blocks.append(table)
    return DocContent("action_plan", title, d.blocks, _review_truth(case, full=False),
                      DOC_LABELS["action_plan"], landscape=True)


def _learning_brief(w: Writer, recs: list[DraftRec]) -> DocContent:
    case = w.case
    prose = banks.prose(case.split)
    d = _Doc(w)
    d.numbered = False
    d.blocks.append(Title(w.fill(case.variant["titles"]["learning_brief"]),
                          [w.ctx["csp"], SYNTHETIC_NOTE]))
    d.paras(prose["learning_brief"]["intro"])
    d.paras(abbreviation_paras(case))
    d.heading("lb_case", number=False)
    d.para(w.fill(prose["circumstances"][case.death_type]))
    d.para(" ".join([w.fill(case.variant["age_form"]), *wording.relationship_sentences(w)]))
    _abuse_paras(d)
    d.heading("lb_learning", number=False)
    for theme in case.themes:
        tags = _theme_sentences(w, theme, "lessons", 1)
        d.items([tags[0][1]], tags)
    d.heading("lb_practice", number=False)
    d.items([w.fill(t) for t in prose["learning_brief"]["questions"]])
    d.heading("lb_recommendations", number=False)
    _recs_list(d, recs, grouped=False)
    return DocContent("learning_brief", d.blocks[0].title, d.blocks,  # type: ignore[union-attr]
                      _review_truth(case, full=False, fields=(
                          "date_of_death", "review_type", "death_type", "victim", "abuse_types")),
                      DOC_LABELS["learning_brief"])


def _letter(w: Writer) -> DocContent:
    case = w.case
    prose = banks.prose(case.split)["letter"]
    d = _Doc(w)
    d.numbered = False
    title = w.fill(case.variant["titles"]["home_office_letter"], csp=w.ctx["csp"])
    d.blocks.append(Title(title, ["Home Office", "Public Protection Unit", "2 Marsham Street",
                                  "London SW1P 4DF", SYNTHETIC_NOTE]))
    d.para(w.fill("{chair}, Chair, {csp}"))
    d.para(w.fill("Dear {chair},"))
    d.para(w.fill(prose["opening"]))
    d.paras(w.pick(prose["positives"], 2))
    d.para("The QA Panel felt there were some aspects of the report which may benefit from "
           "further analysis, or be revised, which you will wish to consider:")
    d.items([w.fill(t) for t in w.pick(prose["improvements"], 3)])
    d.paras(prose["closing"])
    d.para("Yours sincerely,")
    d.para("Chair of the Home Office DHR Quality Assurance Panel")
    review = _review_truth(case, full=False)
    review["chair"]["name"] = case.chair_name   # named as addressee; independence not stated
    return DocContent("home_office_letter", title, d.blocks, review,
                      DOC_LABELS["home_office_letter"])


def _terms_of_reference(w: Writer) -> DocContent:
    case = w.case
    prose = banks.prose(case.split)
    d = _Doc(w)
    d.blocks.append(_title_block(w, "other"))
    d.heading("introduction")
    d.para(w.fill("{csp} commissioned this Domestic Homicide Review following the death of {V} on "
                  "{dod}."))
    d.paras(prose["tor_doc"])
    sp = prose["statutory_purposes"]
    d.para(w.fill(sp["intro"]))
    d.items([w.fill(t, cap=False) for t in sp["items"]])
    d.heading("terms_of_reference")
    tor = prose["terms_of_reference"]
    d.para(w.fill(tor["intro"]))
    d.items([w.fill(t) for t in tor["items"]], numbered=True)
    d.para(w.fill(tor["outro"]))
    return DocContent("other", d.blocks[0].title, d.blocks,  # type: ignore[union-attr]
                      _review_truth(case, full=False, fields=("date_of_death",)),
                      DOC_LABELS["other"])


def write_document(case: Case, doc_type: str) -> DocContent:
    """The content of one document of ``case`` (deterministic for the case's seed)."""
    w = Writer(case, doc_type)
    recs = build_recommendations(Writer(case, "recommendations"))
    if doc_type == "overview_report":
        return _overview(w, recs)
    if doc_type == "executive_summary":
        return _executive_summary(w, recs)
    if doc_type == "action_plan":
        return _action_plan(w, recs)
    if doc_type == "learning_brief":
        return _learning_brief(w, recs)
    if doc_type == "home_office_letter":
        return _letter(w)
    if doc_type == "other":
        return _terms_of_reference(w)
    raise ValueError(f"unknown doc_type {doc_type!r}")
