"""Reading the Domestic Homicide Review Dataset (DHRD) and turning its rows into review tags.

The DHRD (Cook & Cook, CC-BY-4.0) describes incidents (CSP, month of death, circumstances),
victims and perpetrators from Home Office DHR Library metadata. :func:`read_dataset` reads the
three CSV files (``incidents.csv``, ``victims.csv``, ``perpetrators.csv``) and joins them per
incident; :func:`incident_tags` gives the facet values a matched review carries
(:data:`DHRD_FACETS`): relationship, verdict, victim and perpetrator characteristics and the
incident's recorded circumstances. "Unknown" and empty values are not tags (the codebook: a
missing value means not recorded, not absent).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

LICENCE = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = ("Cook, D., & Cook, E. A. (2026). The Domestic Homicide Review Dataset (DHRD) for "
               "England and Wales [Data set]. Zenodo. https://doi.org/10.5281/zenodo.21108268. "
               "Licensed CC BY 4.0; matched to this repository's reviews by CSP and month of "
               "death, values unchanged, 'Unknown' values left out.")
DATASET_FILES = ("incidents.csv", "victims.csv", "perpetrators.csv")

# Facet name -> legend. Every one is a document facet and a filter of /api/v1/search.
DHRD_FACETS: dict[str, str] = {
    "dhrd_relationship": "Victim's relationship to perpetrator (DHRD)",
    "dhrd_verdict": "Court verdict (DHRD)",
    "dhrd_victim_age_band": "Victim age (DHRD)",
    "dhrd_victim_ethnicity": "Victim ethnicity (DHRD)",
    "dhrd_victim_vulnerability": "Victim vulnerability (DHRD)",
    "dhrd_perpetrator_sex": "Perpetrator sex (DHRD)",
    "dhrd_perpetrator_age_band": "Perpetrator age (DHRD)",
    "dhrd_perpetrator_ethnicity": "Perpetrator ethnicity (DHRD)",
    "dhrd_perpetrator_vulnerability": "Perpetrator vulnerability (DHRD)",
    "dhrd_circumstance": "Circumstances recorded (DHRD)",
}
# Single-valued facet -> (file, column).
_SINGLE = {
    "dhrd_relationship": ("victim", "relationship_to_perpetrator"),
    "dhrd_verdict": ("perpetrator", "court_verdict"),
    "dhrd_victim_age_band": ("victim", "age_at_death"),
    "dhrd_victim_ethnicity": ("victim", "victim_ethnicity"),
    "dhrd_perpetrator_sex": ("perpetrator", "sex_of_perpetrator"),
    "dhrd_perpetrator_age_band": ("perpetrator", "age_at_fatal_incident"),
    "dhrd_perpetrator_ethnicity": ("perpetrator", "perpetrator_ethnicity"),
}
# Boolean incident columns that are circumstances (True -> a tag named after the column).
CIRCUMSTANCES = ("intimate_partner_violence", "familial_homicide", "parricide",
                 "homicide_suicide", "children_present", "coercive_control", "economic_abuse",
                 "faith_based_marriage", "forced_marriage", "honour_based_violence",
                 "physical_abuse", "emotional_abuse", "separation", "sexual_abuse", "stalking",
                 "multiple_victims")
_UNKNOWN = {"", "unknown", "not known", "none recorded", "n/a", "na"}
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}


class DatasetError(ValueError):
    """The DHRD files are missing or not in the expected shape (a one-line reason)."""


@dataclass
class Incident:
    incident_id: str
    csp: str
    region: str | None
    death_month: str | None  # YYYY-MM, or None when the dataset does not say
    incident: dict[str, str]
    victim: dict[str, str] | None = None
    perpetrators: list[dict[str, str]] = field(default_factory=list)

    @property
    def death_year(self) -> str | None:
        """The year of death: of the month, else a date that is a bare year (``2015``)."""
        if self.death_month:
            return self.death_month[:4]
        raw = (self.incident.get("death_date") or "").strip()
        return raw if re.fullmatch(r"\d{4}", raw) else None

    def record(self) -> dict[str, object]:
        return {"incident": self.incident, "victim": self.victim,
                "perpetrators": self.perpetrators}


def death_month(text: str | None) -> str | None:
    """``September 2018`` (or ``09-2018``, ``2018-09``) -> ``2018-09``; None if not a month."""
    t = (text or "").strip()
    m = re.fullmatch(r"([A-Za-z]+)\s+(\d{4})", t)
    if m and m.group(1).lower() in _MONTHS:
        return f"{m.group(2)}-{_MONTHS[m.group(1).lower()]:02d}"
    m = re.fullmatch(r"(\d{1,2})-(\d{4})", t)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return t
    return None


def _read_csv(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise DatasetError(f"{path}: file not found (the DHRD folder needs "
                           f"{', '.join(DATASET_FILES)})")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise DatasetError(f"{path}: missing column(s) {', '.join(missing)}")
            return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    except (UnicodeDecodeError, csv.Error) as err:
        raise DatasetError(f"{path}: not a readable CSV file ({err})") from None


def dataset_fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of each dataset file (recorded with an import, for provenance)."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in DATASET_FILES if (folder / name).is_file()}


def read_dataset(folder: Path) -> list[Incident]:
    """The incidents of the DHRD folder with their victim and perpetrator rows."""
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a folder (give the DHRD folder holding "
                           f"{', '.join(DATASET_FILES)})")
    incidents = _read_csv(folder / "incidents.csv", ("incident_id", "csp", "death_date"))
    victims = _read_csv(folder / "victims.csv", ("incident_id",))
    perps = _read_csv(folder / "perpetrators.csv", ("incident_id",))
    out: dict[str, Incident] = {}
    for row in incidents:
        iid = row["incident_id"]
        if not iid or iid in out:
            raise DatasetError(f"incidents.csv: empty or repeated incident_id {iid!r}")
        out[iid] = Incident(iid, row["csp"], row.get("region") or None,
                            death_month(row["death_date"]), row)
    for row in victims:
        if row["incident_id"] in out:
            out[row["incident_id"]].victim = row
    for row in perps:
        if row["incident_id"] in out:
            out[row["incident_id"]].perpetrators.append(row)
    return list(out.values())


def _known(value: str | None) -> str | None:
    v = (value or "").strip()
    return None if v.lower() in _UNKNOWN else v


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _label(column: str, prefix: str) -> str:
    return column[len(prefix):].replace("_", " ").capitalize()


def incident_tags(record: dict[str, object]) -> dict[str, list[str]]:
    """Facet name -> values for one incident's stored record (:meth:`Incident.record`)."""
    incident = record.get("incident") or {}
    victim = record.get("victim") or {}
    perps = record.get("perpetrators") or []
    assert isinstance(incident, dict) and isinstance(victim, dict) and isinstance(perps, list)
    tags: dict[str, list[str]] = {name: [] for name in DHRD_FACETS}

    def add(name: str, value: str | None) -> None:
        if value and value not in tags[name]:
            tags[name].append(value)

    for name, (where, column) in _SINGLE.items():
        rows = [victim] if where == "victim" else perps
        for row in rows:
            add(name, _known(row.get(column)))
    for column, value in victim.items():
        if column.startswith("victim_vuln_") and _true(value):
            add("dhrd_victim_vulnerability", _label(column, "victim_vuln_"))
    for row in perps:
        for column, value in row.items():
            if column.startswith("perpetrator_vuln_") and _true(value):
                add("dhrd_perpetrator_vulnerability", _label(column, "perpetrator_vuln_"))
    for column in CIRCUMSTANCES:
        if _true(incident.get(column)):
            add("dhrd_circumstance", column.replace("_", " ").capitalize())
    return {k: sorted(v) for k, v in tags.items() if v}


def merge_tags(many: Iterable[dict[str, list[str]]]) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for tags in many:
        for k, vs in tags.items():
            out.setdefault(k, set()).update(vs)
    return {k: sorted(v) for k, v in sorted(out.items())}


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
