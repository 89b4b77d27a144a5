"""Word list numbering: the "1.", "1.2", "a)" and bullets that Word draws but does not store.

Used by ``docx.py``. Paragraph numbers in reports ("4.3 The panel noted...") are usually
automatic list numbering, so they exist only as counters in ``numbering.xml``. This replays the
counters in document order and renders each level's ``lvlText`` (``%1.%2``) like Word does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class _List:
    abstract: str
    overrides: dict[int, int] = field(default_factory=dict)  # ilvl -> startOverride


def _val(el, tag: str) -> str | None:
    child = el.find(W + tag)
    return None if child is None else child.get(W + "val")


class Numbering:
    def __init__(self, numbering_element=None) -> None:
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.lists: dict[str, _List] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if numbering_element is None:
            return
        for absn in numbering_element.iter(W + "abstractNum"):
            levels: dict[int, Level] = {}
            for lvl in absn.iter(W + "lvl"):
                try:
                    ilvl = int(lvl.get(W + "ilvl", "0"))
                    start = int(_val(lvl, "start") or 1)
                except ValueError:
                    continue
                levels[ilvl] = Level(start=start, fmt=_val(lvl, "numFmt") or "decimal",
                                     text=_val(lvl, "lvlText") or "")
            self.abstracts[absn.get(W + "abstractNumId", "")] = levels
        for num in numbering_element.iter(W + "num"):
            abstract = _val(num, "abstractNumId")
            if abstract is None:
                continue
            overrides: dict[int, int] = {}
            for ov in num.iter(W + "lvlOverride"):
                start_at = _val(ov, "startOverride")
                if start_at is not None and start_at.isdigit():
                    overrides[int(ov.get(W + "ilvl", "0"))] = int(start_at)
            self.lists[num.get(W + "numId", "")] = _List(abstract, overrides)

    def label(self, num_id: str, ilvl: int) -> str:
        """The rendered number of the next paragraph in list ``num_id`` at level ``ilvl``."""
        lst = self.lists.get(num_id)
        if lst is None or num_id == "0":
            return ""
        levels = self.abstracts.get(lst.abstract, {})
        counters = self.counters.setdefault(lst.abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl, start in lst.overrides.items():
                counters[lvl] = start - 1
        level = levels.get(ilvl, Level())
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.fmt == "bullet":
            return "•"
        if level.fmt == "none":
            return ""
        text = level.text
        for k in range(ilvl, -1, -1):
            lv = levels.get(k, Level())
            value = counters.get(k, lv.start)
            text = text.replace(f"%{k + 1}", _format(
                value, lv.fmt if k == ilvl or lv.fmt != "bullet" else "decimal"))
        return text.strip()


def _format(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        s = ""
        m = max(n, 1)
        while m:
            m, r = divmod(m - 1, 26)
            s = chr(97 + r) + s
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        s = _roman(n)
        return s.lower() if fmt == "lowerRoman" else s
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out
