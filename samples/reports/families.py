"""Recurring recommendation families: many reviews asking for the same change, with their truth.

Issue 16 measures how well the tracker groups recommendations that ask for the same change. This
module generates reviews whose recommendations are drawn from the families in
``data/families/families.yaml``, worded from the split's own bank (``train.yaml``, ``dev.yaml``,
``heldout.yaml``: never the same sentence in two splits), addressed to owners of the family's
kinds (a police force of the review's area, its council, an NHS body, the CSP, a housing
provider, a government department), framed in several ways ("X should ...", "That X ...", "It is
recommended that X ..."), numbered in the review's style and sometimes given a deadline. The
truth of each recommendation is its ``family``, or ``None`` when its family occurs only once in
the generated set (a one-off). Everything is synthetic: real area and organisation names, no
names of people.

    reviews = family_reviews(200, split="dev", seed=3)
    docs = family_documents(reviews)           # Document dicts for the tracker's sync
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from understanding.owner_registry import default_registry

from . import banks

FRAMES = ("{Owner} should {vp}.", "{Owner} to {vp}.", "That {owner} {vp}.",
          "It is recommended that {owner} {vp}.", "The review recommends that {owner} {vp}.",
          "{Owner} must {vp}.")
NUMBERING = ("{n}", "R{n}", "{s}.{n}", "Recommendation {n}", "{s}.{n}.1", "{n}.")
MONTHS = ("January", "March", "April", "June", "September", "October", "December")
NATIONAL = {"home_office": ["the Home Office"],
            "dhsc": ["the Department of Health and Social Care", "DHSC"],
            "nhs_england": ["NHS England"],
            "dwp": ["the Department for Work and Pensions", "DWP"]}


@dataclass
class FamilyRec:
    number: str
    text: str
    owner: str
    owner_id: str | None
    family: str | None
    themes: list[str]
    scope: str


@dataclass
class FamilyReview:
    review_key: str
    split: str
    area: str
    region: str
    year: int
    recommendations: list[FamilyRec] = field(default_factory=list)


def families(split: str | None = None) -> dict[str, dict[str, Any]]:
    """The family definitions; with ``split``, only the families worded in that split (a
    family with ``splits: [...]`` is generated only in those splits, e.g. the near-miss
    families added to train and dev for tuning)."""
    fams = dict(banks.load("families/families")["families"])
    if split is None:
        return fams
    return {f: spec for f, spec in fams.items() if split in spec.get("splits", banks.SPLITS)}


def wordings(split: str) -> dict[str, list[str]]:
    if split not in banks.SPLITS:
        raise ValueError(f"unknown split {split!r}: expected one of {', '.join(banks.SPLITS)}")
    return dict(banks.load(f"families/{split}"))


_OPT = re.compile(r"\[([^\[\]]*)\]")
_ALT = re.compile(r"\{([^{}]*\|[^{}]*)\}")


def expand(template: str, rng: random.Random) -> str:
    """Fill a wording: ``[x]`` kept or dropped, ``{a|b}`` one choice."""
    s = _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    s = _OPT.sub(lambda m: m.group(1) if rng.random() < 0.5 else "", s)
    return re.sub(r"\s+", " ", s).strip()


def _owner(kind: str, area: banks.Area, rng: random.Random) -> str:
    if kind == "police":
        force = area.force
        aliases = [a for o in default_registry() if o.name == force for a in o.aliases
                   if len(a) > 4]
        return rng.choice([force, force, *aliases])
    if kind == "council":
        return rng.choice([f"{area.name} Council", f"{area.name} Borough Council",
                           f"Adult Social Care in {area.name}", f"{area.name} Children's Services"])
    if kind == "health":
        icb = default_registry().icb_for_area(area.name)
        return rng.choice([f"{area.name} Hospitals NHS Foundation Trust",
                           f"GP practices in {area.name}",
                           f"the {area.region} Mental Health NHS Trust",
                           icb.name if icb else f"NHS {area.name} Integrated Care Board"])
    if kind == "csp":
        return rng.choice([f"the {area.name} Community Safety Partnership", f"{area.name} CSP",
                           f"the Safer {area.name} Partnership"])
    if kind == "housing":
        return rng.choice([f"{area.name} Homes", f"{area.name} Housing Association",
                           f"the housing provider in {area.name}"])
    if kind == "probation":
        return rng.choice(["the Probation Service", f"the {area.region} Probation Service"])
    return rng.choice(NATIONAL[kind])


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def family_reviews(n_reviews: int, *, split: str = "train", seed: int = 1,
                   per_review: tuple[int, int] = (6, 12)) -> list[FamilyReview]:
    """``n_reviews`` reviews of recommendations drawn from the families (deterministic)."""
    bank = wordings(split)
    fams = families(split)
    ids = sorted(fams)
    areas = banks.areas()
    registry = default_registry()
    rng = random.Random(f"families:{split}:{seed}")
    # Some families recur far more than others (Zipf-like weights, shuffled per seed).
    order = ids[:]
    rng.shuffle(order)
    weights = {f: 1.0 / (1 + i) ** 0.7 for i, f in enumerate(order)}
    out: list[FamilyReview] = []
    for i in range(n_reviews):
        area = rng.choice(areas)
        year = rng.randint(2012, 2024)
        review = FamilyReview(f"{split}-family-{seed}-{i:05d}", split, area.name, area.region,
                              year)
        k = min(rng.randint(*per_review), len(ids))
        chosen: list[str] = []
        while len(chosen) < k:
            f = rng.choices(ids, weights=[weights[x] for x in ids])[0]
            if f not in chosen:
                chosen.append(f)
        numbering = rng.choice(NUMBERING)
        section = rng.randint(10, 20)
        for n, fam in enumerate(chosen, start=1):
            spec = fams[fam]
            owner = _owner(rng.choice(spec["owners"]), area, rng)
            vp = expand(rng.choice(bank[fam]), rng)
            if rng.random() < 0.3:
                vp += rng.choice([f" by {rng.choice(MONTHS)} {year + rng.randint(1, 2)}",
                                  f" within {rng.choice(('three', 'six', 'twelve'))} months",
                                  " and report on progress to the partnership board"])
            frame = rng.choice(FRAMES)
            text = frame.format(Owner=_cap(owner), owner=owner, vp=vp)
            org = registry.resolve(owner)
            review.recommendations.append(FamilyRec(
                numbering.format(n=n, s=section), text, owner, org.id if org else None, fam,
                list(spec["themes"]), spec["scope"]))
        out.append(review)
    counts = Counter(r.family for rv in out for r in rv.recommendations)
    for rv in out:
        for r in rv.recommendations:
            if counts[r.family] < 2:
                r.family = None
    return out


def family_documents(reviews: list[FamilyReview]) -> list[dict[str, Any]]:
    """One overview-report Document dict per review (contract §2), for the tracker's sync."""
    import hashlib

    docs = []
    for rv in reviews:
        recs = [{"number": r.number, "text": r.text, "page": 30 + j,
                 "organisation": {"id": r.owner_id, "name": r.owner} if r.owner_id else None,
                 "organisations": [{"id": r.owner_id, "name": r.owner}] if r.owner_id else [],
                 "owner_source": "text" if r.owner_id else None, "scope": r.scope,
                 "themes": r.themes}
                for j, r in enumerate(rv.recommendations)]
        docs.append({
            "id": hashlib.sha256(rv.review_key.encode()).hexdigest(),
            "filename": f"{rv.review_key}.pdf", "format": "pdf",
            "extractor_version": "synthetic-truth/1", "page_count": 40,
            "doc_type": "overview_report", "title": f"Synthetic review {rv.review_key}",
            "review_key": rv.review_key,
            "review": {"area": rv.area, "region": rv.region, "date_of_death": str(rv.year),
                       "pseudonym": "Sam"},
            "recommendations": recs, "actions": [],
            "provenance": {"synthetic": True},
        })
    return docs
