"""A synthetic DHRD folder shaped like the real dataset (incidents, victims, perpetrators),
written from a corpus so that its truth is known: which incidents must match a review, which
are ambiguous and which match nothing. All values are invented; nothing is copied from the DHRD.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dhr.document import Document

INCIDENT_COLUMNS = ["incident_id", "csp", "region", "death_date", "multiple_victims",
                    "cause_of_death", "location_of_death", "intimate_partner_violence",
                    "coercive_control", "separation", "stalking"]
VICTIM_COLUMNS = ["victim_id", "incident_id", "age_at_death", "sex_of_victim",
                  "victim_ethnicity", "relationship_to_perpetrator", "victim_vuln_alcohol",
                  "victim_vuln_housing"]
PERP_COLUMNS = ["perpetrator_id", "incident_id", "age_at_fatal_incident", "sex_of_perpetrator",
                "perpetrator_ethnicity", "court_verdict", "perpetrator_vuln_substance_misuse"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
RELATIONSHIPS = ["Spouse (incl civil partner)", "Ex-partner", "Parent"]
VERDICTS = ["Murder", "Manslaughter", "Unknown"]


@dataclass
class DhrdTruth:
    matched: dict[str, str] = field(default_factory=dict)  # incident -> review_key
    ambiguous: set[str] = field(default_factory=set)
    unmatched: set[str] = field(default_factory=set)


def _month_name(date: str) -> str:
    return f"{MONTHS[int(date[5:7]) - 1]} {date[:4]}"


def write_dhrd(folder: Path, docs: list[Document]) -> DhrdTruth:
    """One incident per review with an area and a month of death (matched unless two reviews
    share area and month: then ambiguous), a second incident for one review (both ambiguous),
    one for a review known only by its year (ambiguous), one the dataset dates only by a year
(ambiguous), and three that match nothing (an unknown CSP; a known CSP in a month with no
review)."""
    folder.mkdir(parents=True, exist_ok=True)
    reviews: dict[str, tuple[str, str]] = {}
    for d in docs:
        key = d.review_key or d.id
        if d.review.area and d.review.date_of_death:
            reviews.setdefault(key, (d.review.area, d.review.date_of_death))
    by_place: dict[tuple[str, str], list[str]] = {}
    for key, place in reviews.items():
        by_place.setdefault(place, []).append(key)
    truth = DhrdTruth()
    incidents, victims, perps = [], [], []

    def add(csp: str, death: str, n: int) -> str:
        iid = f"INC-{n:04d}"
        flag = "True" if n % 2 else "False"
        incidents.append([iid, csp, "Synthetic region", death, "False", "unknown",
                          "residential_location", "True", flag, "False" if n % 2 else "True",
                          "False"])
        victims.append([f"VIC-{n:04d}", iid, "25-34", "Female", "White - British",
                        RELATIONSHIPS[n % 3], flag, "False"])
        perps.append([f"SUS-{n:04d}", iid, "35-44", "Male", "Unknown", VERDICTS[n % 3], "True"])
        return iid

    n = 1
    year_only = None
    for (area, date), keys in sorted(by_place.items()):
        if len(date) == 4:
            year_only = year_only or (area, date)
            continue
        iid = add(area, _month_name(date), n)
        n += 1
        same_year = [k for k, p in reviews.items() if p == (area, date[:4])]
        if len(keys) == 1 and not same_year:
            truth.matched[iid] = keys[0]
        else:
            truth.ambiguous.add(iid)
    if truth.matched:  # a second incident claiming a matched review: both become ambiguous
        first, key = max(truth.matched.items())
        area, date = reviews[key]
        truth.ambiguous |= {first, add(area, _month_name(date), n)}
        n += 1
        del truth.matched[first]
    if year_only:
        truth.ambiguous.add(add(year_only[0], f"March {year_only[1]}", n))
        n += 1
    truth.unmatched.add(add("Nowhere Synthetic Borough", "May 2019", n))
    n += 1
    some_area, some_date = next(iter(reviews.values()))
    truth.unmatched.add(add(some_area, "January 1990", n))
    n += 1
    # the dataset gives only a year: candidates of that area and year, never a match
    truth.ambiguous.add(add(some_area, some_date[:4], n))
    n += 1
    truth.unmatched.add(add(some_area, "1991", n))
    for name, header, rows in (("incidents.csv", INCIDENT_COLUMNS, incidents),
                               ("victims.csv", VICTIM_COLUMNS, victims),
                               ("perpetrators.csv", PERP_COLUMNS, perps)):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    (folder / "README.md").write_text("Synthetic DHRD-shaped test data: every value is invented.\n")
    return truth
