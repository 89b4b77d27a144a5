"""Text keys for comparing names and texts: :func:`fold` (case and runs of whitespace, for
areas, pseudonyms and titles) and :func:`alnum_key` (letters and digits only, for texts that
differ in punctuation and layout, such as a recommendation in a list and in a table)."""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(value: object) -> str:
    """``value`` as text, lower-cased, with runs of whitespace as one space; None gives ""."""
    return "" if value is None else " ".join(str(value).lower().split())


def alnum_key(text: str | None) -> str:
    """Lower-case letters and digits, anything between them one space; None gives ""."""
    return _NOT_ALNUM.sub(" ", (text or "").lower()).strip()
