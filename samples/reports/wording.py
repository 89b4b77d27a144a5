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
    return {"years": rng.choice(("two", "three", "six", "eight", "twelve", "twenty")),
            "pword": rng.choice(("partner", "husband" if psex == "male" else "wife")),
            "Rel": case.rel[:1].upper() + case.rel[1:],
            "pparent": "father" if psex == "male" else "mother"}


def relation_kind(rel: str) -> str:
    return _KIND[rel]


def relationship_sentences(w: Writer) -> list[str]:
    """One or two sentences that say how the victim and perpetrator were related (none when the
    report is silent about it)."""
    case = w.case
    if not case.relationship_stated:
        return []
    pool = bank(case.split)["relationship"][relation_kind(case.rel)]
    rng = case.rng("relationship")
    k = 1 if len(pool) < 2 or rng.random() < 0.5 else 2
    return [w.fill(t, **_extra(w)) for t in rng.sample(pool, k)]


def people_table_relation(w: Writer) -> str:
    """The relationship cell of the people table."""
    if not w.case.relationship_stated:
        return "Perpetrator"
    return w.fill(bank(w.case.split)["people_table"], **_extra(w))


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
