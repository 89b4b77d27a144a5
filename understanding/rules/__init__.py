"""Editable rule files for report understanding (doc type, metadata, agencies, themes,
recommendations).

The YAML/CSV files in this folder are data a domain expert can edit without touching code; the
small modules in ``ingest/`` (``doctype.py``, ``metadata.py``, ``agencies.py``, ``themes.py``,
``recommendations.py``, ``smart.py``) read them through :func:`load` and compile them once.
Every YAML file has a typed schema in :mod:`understanding.rules.schema`; :func:`load` checks the
file against it on first use and raises :class:`RuleFileError` naming the file and the key at fault.
``python -m understanding.rules`` checks them all.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from understanding.rules.schema import SCHEMAS, Rules

# libyaml's safe loader when PyYAML has it (the same safe constructor, several times faster
# at a cold start), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleFileError(ValueError):
    """A rule file that is not valid YAML or does not follow its schema."""


def parse(name: str, text: str) -> tuple[Any, Rules]:
    """The data of rule file ``<name>.yaml`` with this text, and its validated model."""
    file = f"{name}.yaml"
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{file}: not valid YAML: {exc}") from None
    try:
        model = SCHEMAS[name].model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors())
        raise RuleFileError(f"{file}: {problems}") from None
    return data, model


@cache
def _parsed(name: str) -> tuple[Any, Rules]:
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse(name, text)


def load(name: str) -> Any:
    """The data of ``<name>.yaml`` from this folder, checked against its schema (cached: rules
    are read once per process)."""
    return _parsed(name)[0]


def rules(name: str) -> Rules:
    """The typed model of ``<name>.yaml`` (see :mod:`understanding.rules.schema`)."""
    return _parsed(name)[1]


def check_all() -> list[str]:
    """Load and check every rule file; returns their names (raises on the first bad one)."""
    for name in SCHEMAS:
        _parsed(name)
    return list(SCHEMAS)


def compile_any(patterns: Iterable[str], flags: int = re.IGNORECASE, *,
                words: bool = False) -> re.Pattern[str]:
    """One regular expression matching any of ``patterns`` (each in a group of its own);
    ``words``: only as whole words (``\\b`` on both sides). Case-insensitive unless ``flags``
    says otherwise."""
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"\b(?:{body})\b" if words else body, flags)


@cache
def load_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``<name>.csv`` from this folder as dicts (header row gives the keys)."""
    text = resources.files(__name__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))
