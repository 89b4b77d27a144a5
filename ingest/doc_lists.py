"""List numbers of Word 97-2003 documents: the "1.", "2.3", "a)" and bullets Word draws in front
of numbered paragraphs but never stores in the text.

Used by ``doc_word97.py``: a paragraph in a list names a list override (``ilfo``) and a level
(``ilvl``), directly or through its style. The list definitions (``PlfLst``: one or nine levels
per list, each with a start number, a number format and a number text such as ``"\\x00.\\x01"``,
where characters 0-8 stand for the level counters) and the overrides (``PlfLfo``: which list,
restarts) live in the table stream. ``Numbering.label(ilfo, ilvl)`` counts like Word: per list,
deeper levels restart when a shallower one advances. The DOCX counterpart is
``docx_numbering.py``. Anything malformed gives no labels rather than an error.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

MAX_LISTS = 2000
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


@dataclass
class _Level:
    start: int = 1
    nfc: int = 0  # number format: 0 decimal, 1/2 roman, 3/4 letter, 22 zero-padded, 23 bullet
    text: str = ""
    legal: bool = False  # all level numbers shown as arabic


@dataclass
class _List:
    lsid: int
    levels: list[_Level] = field(default_factory=list)


@dataclass
class _Override:
    lsid: int
    starts: dict[int, int] = field(default_factory=dict)  # level -> restart value


class Numbering:
    def __init__(self, table: bytes, lst: tuple[int, int], lfo: tuple[int, int]) -> None:
        self.lists: dict[int, _List] = {}
        self.overrides: list[_Override] = []
        self.counters: dict[int, dict[int, int]] = {}  # lsid -> level -> current value
        self.started: set[tuple[int, int]] = set()  # (ilfo, level) restarts already applied
        try:
            self._read_lists(table, *lst)
            self._read_overrides(table, *lfo)
        except (struct.error, IndexError, ValueError):
            self.lists, self.overrides = {}, []

    def _read_lists(self, table: bytes, fc: int, lcb: int) -> None:
        if lcb < 2:
            return
        count = struct.unpack_from("<h", table, fc)[0]
        if not 0 < count <= MAX_LISTS:
            return
        lists = []
        for i in range(count):
            base = fc + 2 + 28 * i
            lsid = struct.unpack_from("<i", table, base)[0]
            simple = bool(table[base + 26] & 0x01)
            lists.append((_List(lsid), 1 if simple else 9))
        pos = fc + lcb  # the levels follow the list table
        for lst, n_levels in lists:
            for _ in range(n_levels):
                level, pos = _read_level(table, pos)
                lst.levels.append(level)
            self.lists[lst.lsid] = lst

    def _read_overrides(self, table: bytes, fc: int, lcb: int) -> None:
        if lcb < 4:
            return
        count = struct.unpack_from("<i", table, fc)[0]
        if not 0 < count <= MAX_LISTS:
            return
        heads = []
        for i in range(count):
            base = fc + 4 + 16 * i
            heads.append((struct.unpack_from("<i", table, base)[0], table[base + 12]))
        pos = fc + 4 + 16 * count
        for lsid, n_lvl in heads:
            override = _Override(lsid)
            pos += 4  # cp
            for _ in range(n_lvl):
                start, flags = struct.unpack_from("<iI", table, pos)
                pos += 8
                if flags & 0x10:  # fStartAt
                    override.starts[flags & 0x0F] = start
                if flags & 0x20:  # fFormatting: a whole level definition follows
                    _, pos = _read_level(table, pos)
            self.overrides.append(override)

    def label(self, ilfo: int, ilvl: int) -> str:
        """The number Word draws for the next paragraph in list override ``ilfo`` (1-based) at
        level ``ilvl``; "" when there is none."""
        if not 1 <= ilfo <= len(self.overrides) or not 0 <= ilvl <= 8:
            return ""
        override = self.overrides[ilfo - 1]
        lst = self.lists.get(override.lsid)
        if lst is None or not lst.levels:
            return ""
        ilvl = min(ilvl, len(lst.levels) - 1)
        level = lst.levels[ilvl]
        counters = self.counters.setdefault(lst.lsid, {})
        if ilvl in override.starts and (ilfo, ilvl) not in self.started:
            self.started.add((ilfo, ilvl))
            counters[ilvl] = override.starts[ilvl] - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.nfc == 23:
            return "•"
        if level.nfc == 255:
            return ""
        out = []
        for ch in level.text:
            k = ord(ch)
            if k < 9:
                if k >= len(lst.levels):
                    continue
                value = counters.get(k, lst.levels[k].start)
                out.append(_format(value, 0 if level.legal else lst.levels[k].nfc))
            elif 0xF000 <= k <= 0xF0FF:  # Symbol/Wingdings bullet glyph
                out.append("•")
            else:
                out.append(ch)
        return "".join(out).strip()


def _read_level(table: bytes, pos: int) -> tuple[_Level, int]:
    start, nfc, flags = struct.unpack_from("<iBB", table, pos)
    cb_chpx, cb_papx = table[pos + 24], table[pos + 25]
    pos += 28 + cb_papx + cb_chpx
    cch = struct.unpack_from("<H", table, pos)[0]
    if cch > 64:
        raise ValueError("implausible list number text")
    text = table[pos + 2:pos + 2 + 2 * cch].decode("utf-16-le", "replace")
    return _Level(start=start, nfc=nfc, text=text, legal=bool(flags & 0x04)), pos + 2 + 2 * cch


def _format(value: int, nfc: int) -> str:
    if nfc in (1, 2) and 0 < value < 4000:
        roman = ""
        for n, s in _ROMAN:
            while value >= n:
                roman, value = roman + s, value - n
        return roman.upper() if nfc == 1 else roman
    if nfc in (3, 4) and value > 0:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if nfc == 3 else letter
    if nfc == 22:
        return f"{value:02d}"
    return str(value)
