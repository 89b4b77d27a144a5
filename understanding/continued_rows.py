"""Table rows broken over a page: whether the first row of a new page is the rest of the last row
of the page before, shared by the two readers of action-plan tables (``understanding.action_plans``
for action rows, ``understanding.recommendations.tables`` for recommendations).

A printed row that reaches the page foot carries on at the top of the next page, under a
repeated header row or not, its first filled cell sometimes opening with a "(continued)" marker
(the ``continued_marker`` patterns of ``rules/action_plans.yaml``). Such a row is the rest of the
row above when it is marked so; otherwise when it has no number of its own, fills no cell the row
above left empty, and either has no text in the column every row of its own fills (the action,
or the recommendation where there is no action column) or its first text cell carries on an
unfinished sentence (a lower-case start, or the cell above ends without a full stop while not
every cell is filled again). A cell that repeats the one above word for word (Word repeats a
vertically merged cell on every page) is not its rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from dhr.text import alnum_key
from understanding.rules import compile_any, load

TERMINAL = (".", "!", "?", ";")
# Kinds that a row of its own may leave blank or repeat (they say nothing about carrying on).
_OPTIONAL = ("number", "scope")


@cache
def _marker() -> re.Pattern[str]:
    return compile_any(load("action_plans").get("continued_marker") or ["(?!)"])


def strip_continued_marker(raw: Sequence[str]) -> tuple[list[str], bool]:
    """The row without a "(continued)" marker at the start of its first filled cell, and whether
    it had one."""
    cells = list(raw)
    for i, cell in enumerate(cells):
        if not cell:
            continue
        m = _marker().match(cell)
        if m is None:
            return cells, False
        cells[i] = cell[m.end():].strip(" :-–")
        return cells, True
    return cells, False


def carries_on(before: str, text: str) -> bool:
    """Whether ``text`` goes on with ``before``: it starts in lower case, or ``before`` is an
    unfinished sentence."""
    return bool(before) and (text[:1].islower() or not before.endswith(TERMINAL))


def continues_over_page(row: Mapping[str, str], above: Mapping[str, str], *, anchor: str,
                        texts: Sequence[str], marked: bool = False, numbered: bool = False) -> bool:
    """Whether ``row``, the first row of a new page, is the rest of ``above``, the last row of the
    page before (both by column kind, the marker stripped). ``anchor``: the column kind every
    row of its own fills (the action, or the recommendation); ``texts``: the text column kinds
    in printed order; ``marked``: the row had a "(continued)" marker; ``numbered``: it prints a
    number of its own (in a number cell or at the start of its recommendation)."""
    if marked:
        return True
    filled = {k: v for k, v in row.items() if v}
    if numbered or not filled or any(not above.get(k) for k in filled):
        return False   # a row of its own, or a cell the row above left empty cannot carry on
    if anchor not in filled:
        return True   # no text of its own where every row of its own has some
    kind = next((k for k in texts if k in filled), anchor)
    before, text = above[kind], filled[kind]
    if alnum_key(text) == alnum_key(before):
        return False   # the same cell repeated (a vertically merged cell)
    if text[:1].islower():
        return True
    refilled = all(k in filled for k, v in above.items() if v and k not in _OPTIONAL)
    return not refilled and not before.endswith(TERMINAL)
