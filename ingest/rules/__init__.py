"""Editable rule files for report understanding (doc type, metadata, agencies, themes, recommendations).

The YAML/CSV files in this folder are data a domain expert can edit without touching code; the
small modules in ``ingest/`` (``doctype.py``, ``metadata.py``, ``agencies.py``, ``themes.py``,
``recommendations.py``, ``smart.py``) read them through :func:`load` and compile them once.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import Any

import yaml

# libyaml's safe loader when PyYAML has it (the same safe constructor, several times faster
# at a cold start), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(name: str) -> Any:
    """Parse ``<name>.yaml`` from this folder (cached: rules are read once per process)."""
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_LOADER)


@cache
def load_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``<name>.csv`` from this folder as dicts (header row gives the keys)."""
    text = resources.files(__name__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))
