"""How a synthetic report words the review's facts at document level: the relationship between
the people, the abuse, themes said in other words, agencies named without a finding, and other
bodies' area names on the title page.

Used by ``content.py``. Each split has its own bank (``data/wording/{train,dev,heldout}.yaml``),
never sharing a sentence, so understanding rules written against train are measured on wording
they have not seen. A case whose report never states the relationship
(``Case.relationship_stated`` false) gets no relationship sentence, a people table that gives
roles only, and a null review type in its truth.
"""

from __future__ import annotations

from typing import Any

from . import banks
from .writer import Writer

_KIND = {"husband": "partner", "wife": "partner", "partner": "partner", "boyfriend": "partner",
         "girlfriend": "partner", "ex-partner": "former", "son": "child", "daughter": "child",
         "grandson": "child", "granddaughter": "child", "father": "parent", "mother": "parent",
         "brother": "sibling", "sister": "sibling", "lodger": "lodger", "housemate": "housemate",
         "live-in carer": "carer"}
# Abuse types whose wording implies a couple: not given to a case whose relationship is unstated.
COUPLE_ABUSE = ("separation", "forced_marriage", "faith_based_marriage")


def bank(split: str) -> dict[str, Any]:
    return banks.load(f"wording/{split}")


def _extra(w: Writer) -> dict[str, Any]:
    case = w.case
    rng = case.rng("wording")
    psex = case.perpetrator.sex
    # {relw}: the perpetrator's relation in one of the split's words for it ("spouse" for
    # "husband", "stepson" for "son"); the review type stays the same.
    words = bank(case.split)["relationship"].get("words") or {}
    relw = rng.choice([case.rel, *(words.get(case.rel) or ())])
    others = [o for o in _OTHERS if o != case.rel]
    other = rng.choice(others)
    return {"years": rng.choice(("two", "three", "six", "eight", "twelve", "twenty")),
            "pword": rng.choice(("partner", "husband" if psex == "male" else "wife")),
            "Rel": case.rel[:1].upper() + case.rel[1:],
            "relw": relw, "Relw": relw[:1].upper() + relw[1:],
            "other": other, "Other": other[:1].upper() + other[1:],
            "pparent": "father" if psex == "male" else "mother"}


# Relatives and others who are NOT the perpetrator, named in distractor sentences ("her son
# found her"): a report mentions many people besides the two the review type is about.
_OTHERS = ("son", "daughter", "sister", "brother", "mother", "father", "niece", "nephew",
           "grandson", "aunt", "cousin", "neighbour", "friend")


def relation_kind(rel: str) -> str:
    return _KIND[rel]


def relationship_sentences(w: Writer) -> list[str]:
    """One or two sentences that say how the victim and perpetrator were related (none when the
    report is silent about it), sometimes the homicide told with the relation (bank
    ``relationship.killing``), and often a sentence about someone else named by a relation
    (``relationship.distractors``: "her son found her" where the son is not the perpetrator)."""
    case = w.case
    b = bank(case.split)
    extra = _extra(w)
    rng = case.rng("relationship")
    # Someone else named by a relation (who is not the perpetrator), in every report that has
    # such wording, also where the relationship itself is never stated.
    distractors = b["relationship"].get("distractors") or []
    out = []
    if distractors and case.rng("distractor").random() < 0.7:
        out.append(w.fill(case.rng("distractor").choice(distractors), **extra))
    if not case.relationship_stated:
        return out
    kind = relation_kind(case.rel)
    pool = b["relationship"][kind]
    k = 1 if len(pool) < 2 or rng.random() < 0.5 else 2
    said = [w.fill(t, **extra) for t in rng.sample(pool, k)]
    # The homicide told with the relation ("killed by her son"), in some homicide reports.
    killing = (b["relationship"].get("killing") or {}).get(kind)
    if killing and case.death_type in ("homicide", "homicide_suicide") and rng.random() < 0.4:
        said[-1] = w.fill(rng.choice(killing), **extra)
    return said + out


def people_table_relation(w: Writer) -> str:
    """The relationship cell of the people table."""
    if not w.case.relationship_stated:
        return "Perpetrator"
    forms = bank(w.case.split)["people_table"]
    if isinstance(forms, list):
        forms = w.case.rng("people_table").choice(forms)
    return w.fill(forms, **_extra(w))


def people_table_other_row(w: Writer) -> list[str] | None:
    """A row of the people table for someone else named by a relation (a relative who is not
    the perpetrator: "Tom | Son of Jane"), in reports whose split's bank words it
    (``relationship.table_others``); None otherwise."""
    case = w.case
    forms = bank(case.split)["relationship"].get("table_others")
    rng = case.rng("table_other")
    if not forms or rng.random() < 0.4:
        return None
    other = rng.choice([o for o in _TABLE_OTHERS if o[0] != case.rel])
    names = banks.variants(case.split)["female_first_names" if other[1] == "female"
                                       else "male_first_names"]
    taken = {case.victim.text.strip("‘’"), case.perpetrator.text.strip("‘’")}
    name = rng.choice([n for n in names if n not in taken])
    if case.victim.text.startswith("‘"):
        name = f"‘{name}’"
    relation = w.fill(rng.choice(forms), other=other[0], Other=other[0].capitalize())
    return [
        name,
        relation,
        str(rng.randint(18, 60)),
        rng.choice(("White British", "Pakistani", "White Irish")),
    ]


# (relation, sex) of people in the table who are not the perpetrator
_TABLE_OTHERS = (("son", "male"), ("daughter", "female"), ("sister", "female"),
                 ("brother", "male"), ("mother", "female"), ("niece", "female"))


def abuse_sentence(w: Writer, abuse: str) -> str | None:
    """How the report describes one abuse type (named, or by behaviour only); None when the
    split's bank has no wording for it (the shared prose bank is used)."""
    case = w.case
    key = abuse
    if abuse == "separation" and relation_kind(case.rel) not in ("partner", "former"):
        key = "separation_other"
    pool = bank(case.split)["abuse"].get(key)
    if not pool:
        return None
    return w.fill(case.rng(f"abuse:{abuse}").choice(pool), **_extra(w))


def theme_paraphrases(w: Writer, theme: str) -> list[str]:
    return list(bank(w.case.split)["theme_paraphrases"].get(theme, ()))


# Agencies whose names carry a theme's words ("Riverside Housing Association").
_THEME_NAMED = {"housing": "housing", "mental_health_services": "mental_health",
                "substance_misuse_services": "drugs",
                "domestic_abuse_services": "specialist_services"}


def mention_sentences(w: Writer, agencies: list[str], k: int = 2) -> list[str]:
    """Sentences that name involved agencies without a finding about them (who contributed what),
    preferring agencies whose names carry the words of a theme the review is not about."""
    case = w.case
    rng = case.rng("mentions")
    named = [a for a in agencies if a in _THEME_NAMED and _THEME_NAMED[a] not in case.themes]
    pool = named or agencies or ["police"]
    templates = bank(case.split)["mentions"]
    return [w.fill(t, agency=case.agency_names[rng.choice(pool)].removeprefix("the "))
            for t in rng.sample(templates, min(k, len(templates)))]


def wider_area(force: str) -> str:
    """The area a police force is named after ("Lancashire Constabulary" -> "Lancashire")."""
    for suffix in (" Police Service", " Constabulary", " Police"):
        if force.endswith(suffix):
            force = force[: -len(suffix)]
            break
    return "London" if force == "Metropolitan" else force


def area_body_line(w: Writer) -> str:
    case = w.case
    template = case.rng("area_body").choice(bank(case.split)["area_bodies"])
    return w.fill(template, force=case.force_name, wider_area=wider_area(case.area.force))
