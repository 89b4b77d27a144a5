"""Shared helpers for tests that compare extraction with the sample generator's ground truth."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from ingest.clean import normalize_chars


def load_cases(files: list[Any]) -> list[tuple[Path, dict, dict]]:
    """(file, truth, layout) for each file ``generate_corpus`` wrote."""
    cases = []
    for f in files:
        truth = json.loads(f.truth_path.read_text(encoding="utf-8"))
        layout = json.loads(
            f.path.with_name(f.path.stem + ".layout.json").read_text(encoding="utf-8"))
        cases.append((f.path, truth, layout))
    return cases


def words(text: str) -> list[str]:
    return re.findall(r"\w+", normalize_chars(text).lower())


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, words(a), words(b), autojunk=False).ratio()


def norm_rows(rows: list[list[str]]) -> list[list[str]]:
    """Table cells with characters normalised and whitespace collapsed, for comparison."""
    return [[" ".join(normalize_chars(c).split()) for c in row] for row in rows]
