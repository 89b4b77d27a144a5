"""Synthetic review cases: who, where, when and what, before any document is written.

First step of the generator: ``make_cases(seed, n, split)`` draws ``n`` plausible, obviously
pseudonymous reviews from a seeded random stream, spreading them so that a 20-review corpus covers
every taxonomy value (review/death/abuse types, sexes, age bands, regions, themes, agencies, doc
types). ``content.py`` then writes documents from a ``Case``.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass, field
from typing import Any

from dhr.taxonomy import AGE_BANDS, age_band, ids

from . import banks

REVIEW_TYPES = ("intimate_partner", "adult_family", "household_member")
DEATH_TYPES = ("homicide", "suicide", "homicide_suicide", "other")
# Themes that only make sense for some cases are implied by the case, not drawn freely.
IMPLIED_THEMES = ("older_people", "adult_family_violence", "covid19")
SPLIT_SALT = {"train": 0x7A11, "heldout": 0x4E1D, "dev": 0xDE57}
AGE_RANGES = {"16-19": (17, 19), "20-24": (20, 24), "25-34": (25, 34), "35-44": (35, 44),
              "45-54": (45, 54), "55-64": (55, 64), "65+": (66, 88)}
ETHNICITIES = ("White British", "White British", "White British", "White Irish", "Black Caribbean",
               "Pakistani", "Indian", "Bangladeshi", "White Polish", "Black African",
               "mixed heritage")
SURNAMES = ("Ashworth", "Brennan", "Calloway", "Dunmore", "Elstow", "Farrant", "Greaves",
            "Holbrook", "Ingleby", "Jarrow", "Kettering", "Lindqvist", "Marlowe", "Northcott",
            "Oakley", "Pemberton")
CHAIR_FIRST = {"female": ("Alison", "Ruth", "Catherine", "Deborah", "Margaret"),
               "male": ("Andrew", "Philip", "Jonathan", "Richard", "Stuart")}


@dataclass
class Person:
    text: str          # how the report names them ("Jane", "Adult A", "‘Mary’")
    truth: str         # the pseudonym a perfect extractor reports
    sex: str           # female | male
    age: int
    ethnicity: str


@dataclass
class Case:
    review_id: str
    split: str
    index: int
    seed: int
    area: banks.Area
    force_name: str
    date_of_death: dt.date
    victim: Person
    perpetrator: Person
    rel: str           # perpetrator's relation to the victim ("husband", "son", "lodger")
    vrel: str          # victim's relation to the perpetrator ("wife", "mother", "landlady")
    review_type: str
    death_type: str
    abuse_types: list[str]
    themes: list[str]
    agencies: list[str]            # agency ids involved (chronology, IMRs)
    agency_names: dict[str, str]   # id -> surface name for this review ("the ..." kept)
    chair_name: str
    chair_sex: str
    chair_independent: bool
    family_involved: bool
    doc_types: list[str]
    variant: dict[str, Any] = field(default_factory=dict)  # YAML data of several shapes
    relationship_stated: bool = True   # False: the report never says how they were related

    @property
    def year(self) -> int:
        return self.date_of_death.year

    @property
    def age_band(self) -> str | None:
        return age_band(self.victim.age)

    def rng(self, purpose: str) -> random.Random:
        """An independent random stream for one purpose, so adding text elsewhere never shifts
        it."""
        return random.Random(f"{self.seed}:{self.split}:{self.index}:{purpose}")


def _rotation(rng: random.Random, values: tuple[str, ...] | list[str]) -> list[str]:
    vals = list(values)
    rng.shuffle(vals)
    return vals


def _relation(rng: random.Random, review_type: str, vsex: str,
              age: int) -> tuple[str, str, str, int]:
    """(perpetrator relation, victim relation, perpetrator sex, perpetrator age)."""
    if review_type == "intimate_partner":
        psex = "male" if vsex == "female" or rng.random() < 0.2 else "female"
        rel = rng.choice({"male": ("husband", "partner", "ex-partner", "boyfriend"),
                          "female": ("wife", "partner", "ex-partner", "girlfriend")}[psex])
        vrel = {"husband": "wife", "wife": "husband", "boyfriend": "girlfriend",
                "girlfriend": "boyfriend"}.get(rel, rel)
        if vrel in ("wife", "husband"):
            vrel = "wife" if vsex == "female" else "husband"
        if vrel in ("girlfriend", "boyfriend"):
            vrel = "girlfriend" if vsex == "female" else "boyfriend"
        return rel, vrel, psex, max(18, age + rng.randint(-4, 8))
    psex = "male" if rng.random() < 0.8 else "female"
    if review_type == "adult_family":
        parent = "mother" if vsex == "female" else "father"
        if age >= 62 and rng.random() < 0.3:
            return ("grandson" if psex == "male" else "granddaughter",
                    "grandmother" if vsex == "female" else "grandfather", psex,
                    age - rng.randint(42, 50))
        if age >= 40:
            return ("son" if psex == "male" else "daughter", parent, psex,
                    age - rng.randint(20, 32))
        sib = "sister" if vsex == "female" else "brother"
        if age < 25 and rng.random() < 0.5:
            return ("father" if psex == "male" else "mother",
                    "daughter" if vsex == "female" else "son", psex, age + rng.randint(20, 30))
        return ("brother" if psex == "male" else "sister", sib, psex, age + rng.randint(-5, 5))
    kind = rng.choice(("lodger", "housemate", "live-in carer"))
    vrel = {"lodger": "landlady" if vsex == "female" else "landlord", "housemate": "housemate",
            "live-in carer": "employer"}[kind]
    return kind, vrel, psex, rng.randint(24, 60)


def _person(rng: random.Random, var: dict, form: dict, sex: str, age: int, letter: str,
            case_no: int, used: set[str]) -> Person:
    names = var["female_first_names" if sex == "female" else "male_first_names"]
    first = rng.choice([n for n in names if n not in used] or names)
    used.add(first)
    title = {"female": rng.choice(("Mrs", "Ms")), "male": "Mr"}[sex]
    fill = {"first": first, "L": letter, "title": title, "case_no": case_no}
    return Person(form["text"].format(**fill), form["truth"].format(**fill), sex, age,
                  rng.choice(ETHNICITIES))


def _agency_names(rng: random.Random, split: str, area: banks.Area,
                  force_name: str) -> dict[str, str]:
    bank = banks.load("agencies")
    fill = {"area": area.name, "force": area.force, "force_heldout": force_name,
            "ambulance": area.ambulance}
    if split == "dev":   # dev names its agencies itself (dev.yaml), falling back to train's
        own = banks.variants("dev")["agency_names"]
        return {aid: rng.choice(own.get(aid) or bank[aid]["train"]).format(**fill)
                for aid in ids("agency")}
    return {aid: rng.choice(bank[aid][split]).format(**fill) for aid in ids("agency")}


def _doc_types(i: int) -> list[str]:
    docs = ["overview_report"]
    if i % 2 == 0:
        docs.append("executive_summary")
    if i % 3 == 0:
        docs.append("action_plan")
    if i % 4 == 1:
        docs.append("home_office_letter")
    if i % 5 == 2:
        docs.append("learning_brief")
    if i % 7 == 3:
        docs.append("other")
    return docs


def make_cases(seed: int, n: int, split: str = "train") -> list[Case]:
    """``n`` cases for a corpus; the same (seed, split) always gives the same cases."""
    var = banks.variants(split)
    rng = random.Random(seed * 1_000_003 + SPLIT_SALT[split])
    regions = _rotation(rng, ids("region"))
    rtypes, dtypes = _rotation(rng, REVIEW_TYPES), _rotation(rng, DEATH_TYPES)
    bands = _rotation(rng, AGE_BANDS)
    abuse = _rotation(rng, ids("abuse_type"))
    free_themes = _rotation(rng, [t for t in ids("theme") if t not in IMPLIED_THEMES])
    all_agencies = [a for a in ids("agency")]
    core = ("police", "gp_primary_care", "community_safety_partnership")
    optional = _rotation(rng, [a for a in all_agencies if a not in core])
    areas_by_region = {r: [a for a in banks.areas() if a.region == r] for r in regions}
    cases = []
    for i in range(n):
        crng = random.Random(f"{seed}:{split}:{i}:case")
        region = regions[i % len(regions)]
        area = crng.choice(areas_by_region[region])
        review_type = rtypes[i % 3]
        death_type = dtypes[(i + i // 12) % 4]
        band = bands[i % len(bands)]
        if review_type == "household_member" and band == "16-19":
            band = "25-34"
        age = crng.randint(*AGE_RANGES[band])
        vsex = "male" if i % 4 == 1 or (review_type == "adult_family" and i % 5 == 0) else "female"
        year = 2012 + (i * 5 + seed) % 13
        if i % 9 == 4:
            year = crng.choice((2020, 2021))
        day = crng.randint(1, 28)
        dod = dt.date(year, crng.randint(1, 12), day)
        rel, vrel, psex, page = _relation(crng, review_type, vsex, age)
        used: set[str] = set()
        letters = crng.sample(string.ascii_uppercase[:20], 2)
        case_no = crng.randint(3, 60)
        form = crng.choice(var["pseudonym_forms"])
        victim = _person(crng, var, form, vsex, age, letters[0], case_no, used)
        if form["id"] == "case_number":  # "Case 23" names the review; the perpetrator is "Adult B"
            form = {"text": "Adult {L}", "truth": "Adult {L}"}
        perp = _person(crng, var, form, psex, max(16, page), letters[1], case_no, used)
        abuse_types = {abuse[i % len(abuse)]}
        abuse_types.update(crng.sample(["coercive_control", "physical_abuse", "emotional_abuse",
                                        "separation", "economic_abuse"], crng.randint(1, 3)))
        themes = [free_themes[i % len(free_themes)], free_themes[(i + 9) % len(free_themes)]]
        themes += crng.sample([t for t in free_themes if t not in themes], crng.randint(2, 4))
        if band == "65+":
            themes.append("older_people")
        if review_type == "adult_family":
            themes.append("adult_family_violence")
        if year in (2020, 2021) and (i % 9 == 4 or crng.random() < 0.5):
            themes.append("covid19")
        if death_type == "suicide" and "suicide_self_harm" not in themes:
            themes.append("suicide_self_harm")
        agencies = list(core) + [optional[i % len(optional)], optional[(i + 11) % len(optional)]]
        agencies += crng.sample([a for a in optional if a not in agencies], crng.randint(3, 6))
        fpick = crng.randint(0, 5)
        force_name = banks.force_name(area.force, split, fpick)
        chair_sex = crng.choice(("female", "male"))
        case = Case(
            review_id=f"{split}-{seed}-{i:03d}", split=split, index=i, seed=seed, area=area,
            force_name=force_name, date_of_death=dod, victim=victim, perpetrator=perp, rel=rel,
            vrel=vrel, review_type=review_type, death_type=death_type,
            abuse_types=[a for a in ids("abuse_type") if a in abuse_types], themes=themes,
            agencies=agencies, agency_names=_agency_names(crng, split, area, force_name),
            chair_name=f"{crng.choice(CHAIR_FIRST[chair_sex])} {crng.choice(SURNAMES)}",
            chair_sex=chair_sex, chair_independent=i % 5 != 3, family_involved=i % 3 != 2,
            doc_types=_doc_types(i))
        case.variant = _pick_variants(crng, var)
        _silent_relationship(case)
        cases.append(case)
    return cases


def _silent_relationship(case: Case) -> None:
    """Some reports never say how the victim and the perpetrator were related (an adult family
    case is always said, through its themes); their abuse types then include none that implies
    a couple."""
    if case.index % 7 == 5 and case.review_type != "adult_family":
        case.relationship_stated = False
        case.abuse_types = [a for a in case.abuse_types
                            if a not in ("separation", "forced_marriage", "faith_based_marriage")]


def _pick_variants(rng: random.Random, var: dict) -> dict[str, Any]:
    """One wording per heading key and one page design for the whole review."""
    return {
        "headings": {k: rng.choice(v) for k, v in var["headings"].items()},
        "rec_groups": {k: rng.choice(v) for k, v in var["rec_groups"].items()},
        "year_heading": rng.choice(var["year_heading"]),
        "involvement_heading": rng.choice(var["involvement_heading"]),
        "theme_heading": rng.choice(var["theme_heading"]),
        "rec_style": rng.choice(var["rec_styles"]),
        "date_form": rng.choice(var["date_forms"]),
        "date_month_form": rng.choice(var["date_month_forms"]),
        "age_form": rng.choice(var["age_forms"]),
        "titles": {k: rng.choice(v) for k, v in var["titles"].items()},
        "marking": rng.choice(var["markings"]),
        "running_header": rng.choice(var["running_headers"]),
        "footer": rng.choice(var["footers"]),
    }
