"""Canonical facet ids and labels, read from ``data/taxonomy.yaml``.

Facet values in Documents, indices and API responses are these ids; labels are for display.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

AGE_BANDS = ("16-19", "20-24", "25-34", "35-44", "45-54", "55-64", "65+")

# libyaml's safe loader when PyYAML has it (the same safe constructor, several times faster
# at a cold start), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def taxonomy() -> dict[str, dict[str, str]]:
    text = resources.files("dhr").joinpath("data/taxonomy.yaml").read_text(encoding="utf-8")
    return {k: {str(i): str(lbl) for i, lbl in v.items()}
            for k, v in yaml.load(text, Loader=_LOADER).items()}


def ids(kind: str) -> tuple[str, ...]:
    return tuple(taxonomy()[kind])


def label(kind: str, value: str) -> str:
    """Display label for a facet value; unknown values (e.g. area names) label themselves."""
    return taxonomy().get(kind, {}).get(value, value)


def age_band(age: int | None) -> str | None:
    if age is None or age < 16:
        return None
    for band, top in (("16-19", 19), ("20-24", 24), ("25-34", 34), ("35-44", 44),
                      ("45-54", 54), ("55-64", 64)):
        if age <= top:
            return band
    return "65+"
