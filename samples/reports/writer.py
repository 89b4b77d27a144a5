"""Fill phrase-bank templates with a case's facts (names, pronouns, agencies, dates).

Used by ``content.py``: one ``Writer`` per (case, document). It turns templates such as
"{V} attended {gp_primary_care}" into sentences, keeps a seeded random stream for choosing among
phrasings, and formats dates in the split's date phrasing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .case import Case

# Plain lists: calendar.month_name and day_name call strftime on every lookup.
MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bare_name(display: str) -> str:
    """Agency surface name without a leading article ("the Riverside Surgery" -> "Riverside
    Surgery")."""
    return display.removeprefix("the ")


def capitalise(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


class _Ctx(dict):
    def __missing__(self, key: str) -> Any:
        raise KeyError(f"template placeholder {{{key}}} is not known")


class Writer:
    def __init__(self, case: Case, purpose: str) -> None:
        self.case = case
        self.rng = case.rng(purpose)
        self.ctx = _Ctx(self._context())

    def date(self, d: dt.date, form: str | None = None) -> str:
        form = form or str(self.case.variant["date_form"])
        return form.format(d=d.day, dd=f"{d.day:02d}", day_ord=ordinal(d.day),
                           month=MONTHS[d.month], yyyy=d.year,
                           mm=f"{d.month:02d}", weekday=WEEKDAYS[d.weekday()])

    @staticmethod
    def month_year(d: dt.date) -> str:
        return f"{MONTHS[d.month]} {d.year}"

    def month(self, d: dt.date) -> str:
        return str(self.case.variant["date_month_form"]).format(
            month=MONTHS[d.month], yyyy=d.year, mm=f"{d.month:02d}")

    def fill(self, template: str, *, cap: bool = True, **extra: Any) -> str:
        if extra:
            self.ctx.update(extra)
        out = template.format_map(self.ctx)
        return capitalise(out) if cap else out

    def pick(self, options: list[str], k: int | None = None) -> Any:
        if k is None:
            return self.rng.choice(options)
        return self.rng.sample(options, min(k, len(options)))

    def _context(self) -> dict[str, Any]:
        c = self.case
        v, p = c.victim, c.perpetrator
        rng = c.rng("context")
        dod = c.date_of_death
        fem = v.sex == "female"
        pfem = p.sex == "female"
        notified = dod + dt.timedelta(days=rng.randint(3, 20))
        commissioned = notified + dt.timedelta(days=rng.randint(10, 40))
        first_meeting = commissioned + dt.timedelta(days=rng.randint(20, 60))
        completed = first_meeting + dt.timedelta(days=rng.randint(200, 500))
        target = completed + dt.timedelta(days=rng.randint(120, 360))
        ctx: dict[str, Any] = {
            "V": v.text, "P": p.text,
            "vshe": "she" if fem else "he", "vShe": "She" if fem else "He",
            "vher": "her" if fem else "his", "vHer": "Her" if fem else "His",
            "vhim": "her" if fem else "him", "vherself": "herself" if fem else "himself",
            "vwoman": "woman" if fem else "man",
            "pshe": "she" if pfem else "he", "pShe": "She" if pfem else "He",
            "pher": "her" if pfem else "his", "phim": "her" if pfem else "him",
            "pherself": "herself" if pfem else "himself", "pman": "woman" if pfem else "man",
            "rel": c.rel, "vrel": c.vrel, "area": c.area.name, "region": c.area.region,
            "age": v.age, "p_age": p.age, "ethnicity": v.ethnicity, "p_ethnicity": p.ethnicity,
            "year": dod.year, "year_m1": dod.year - 1, "year_m2": dod.year - 2,
            "year_m3": dod.year - 3,
            "chair": c.chair_name, "chair_pron": "She" if c.chair_sex == "female" else "He",
            "dod": self.date(dod), "dod_month": self.month(dod),
            "start_date": self.date(dt.date(dod.year - 3, dod.month, 1)),
            "notified": self.date(notified), "commissioned": self.date(commissioned),
            "first_meeting": self.date(first_meeting), "completed": self.date(completed),
            "qa_date": self.date(completed + dt.timedelta(days=rng.randint(60, 150))),
            "target_month": f"{MONTHS[target.month]} {target.year}",
            "target_fy": f"{target.year}/{(target.year + 1) % 100:02d}",
            "panel_meetings": rng.choice(("four", "five", "six", "seven")),
            "verdict": rng.choice(("murder", "manslaughter")), "min_term": rng.randint(12, 26),
            "family_member": rng.choice(("sister", "brother", "mother", "daughter", "cousin")),
            "birthplace": rng.choice(("a nearby town", "the north of England", "South Wales",
                                      "Scotland", "Northern Ireland",
                                      "another part of the county")),
            "workplace": rng.choice(("supermarket", "care home", "school kitchen", "bakery",
                                     "warehouse", "pharmacy")),
            "met_year": dod.year - rng.randint(2, 20),
            "p_job": rng.choice(("labourer", "delivery driver", "mechanic", "warehouse operative",
                                 "security guard", "chef")),
            "csp_short": c.area.name, "year_pub": completed.year,
        }
        for aid, name in c.agency_names.items():
            ctx[aid] = name
        ctx["csp"] = c.agency_names["community_safety_partnership"]
        self.completed, self.target = completed, target
        return ctx
