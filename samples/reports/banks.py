"""Load the generator's editable data files (phrase banks, variants, areas) once.

Sits under ``samples.reports``: every other generator module reads its wording from here, so a
domain expert can change what synthetic reports say by editing YAML in ``data/`` without touching
code. Variants are split: ``variants/train.yaml``, ``variants/heldout.yaml`` and
``variants/dev.yaml`` never share a wording (dev is for finding generalisation failures without
looking at held-out).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"
AREAS_CSV = Path(__file__).parent.parent / "data" / "csp_regions.csv"
SPLITS = ("train", "heldout", "dev")


@cache
def load(name: str) -> Any:
    """A YAML data file from ``samples/reports/data`` (e.g. ``"prose"``, ``"variants/train"``)."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def prose(split: str) -> dict[str, Any]:
    """Section prose for a split: the shared bank with the split's overrides applied."""
    base = load("prose")
    if split == "heldout":
        return {**base, **base["heldout_overrides"]}
    return base


def variants(split: str) -> dict[str, Any]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: expected one of {', '.join(SPLITS)}")
    return load(f"variants/{split}")


@dataclass(frozen=True)
class Area:
    name: str
    region: str
    force: str
    ambulance: str


@cache
def areas() -> tuple[Area, ...]:
    """Real CSP areas with region, police force and ambulance service (see
    samples/data/README.md)."""
    forces = load("forces")
    force_of = {a: f for f, names in forces["area_force"].items() for a in names}
    out = []
    with AREAS_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            name, region = row["csp"], row["region"]
            force = force_of[name]
            amb = forces["ambulance_by_region"][region]
            if force in forces["secamb_forces"]:
                amb = "South East Coast Ambulance Service"
            out.append(Area(name, region, force, amb))
    return tuple(out)


def force_name(force: str, split: str, pick: int) -> str:
    if split == "train":
        return force
    if split == "dev":
        styles = variants("dev")["force_name_forms"]
        return styles[pick % len(styles)].format(force=force)
    names = load("forces")["forces"][force]["heldout"]
    return names[pick % len(names)]
