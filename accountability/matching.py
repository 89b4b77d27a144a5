"""Text and number comparison for recommendations: the same one printed twice, or re-extracted.

A recommendation's identity is its review, its number as printed and its wording. Numbers are
compared after folding styles ("R3", "Rec 3", "3.", "(3)"); wording by the word-sequence
similarity ratio (difflib) of normalised text. The thresholds decide what counts as the same
recommendation *with confidence*; everything in between is left for a person (relink flags).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

SAME_TEXT = 0.9          # this similar: the same recommendation whatever its number
SAME_NUMBER_TEXT = 0.5   # same number and this similar: the same recommendation
POSSIBLE = 0.35          # below confidence but this similar (or same number): ask a person
AMBIGUITY_MARGIN = 0.05  # two candidates this close: ambiguous, ask a person


def normalise_text(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", (text or "").lower()).split())


def normalise_number(number: str | None) -> str | None:
    if not number:
        return None
    n = number.strip().lower()
    n = re.sub(r"^(?:recommendation|rec\.?|r)\s*", "", n)
    n = n.strip("().:;- ")
    return n or None


def similarity(a: str, b: str) -> float:
    wa, wb = normalise_text(a).split(), normalise_text(b).split()
    if not wa and not wb:
        return 1.0
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def confident(sim: float, same_number: bool) -> bool:
    return sim >= SAME_TEXT or (same_number and sim >= SAME_NUMBER_TEXT)


def possible(sim: float, same_number: bool) -> bool:
    return sim >= POSSIBLE or same_number
