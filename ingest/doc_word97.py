"""Low-level reader for Word 97-2003 binary documents (``.doc``, [MS-DOC]): main-story text with
the properties of each paragraph, straight from the file structure.

Used by ``doc.py``, which turns the paragraphs into pages, blocks and tables. What it reads:
the OLE2 container (``olefile``), the File Information Block (``WordDocument`` stream), the piece
table (which parts of the stream hold which characters, 8-bit or UTF-16), the paragraph property
pages (in a table or not, end of a table row, outline level, page break before) and the style
sheet (style names such as ``heading 2``). Only the main story is read: headers, footers,
footnotes, comments and text boxes are stored after it and never reach the body text. Field
codes are dropped and field results kept; deleted tracked changes and hidden text (character
properties) are dropped. Page breaks (character 12) stay in the text.

Files this reader does not understand (Word 6/95, damaged structures) raise :class:`NotWord97`;
``doc.py`` then falls back to antiword.
"""

from __future__ import annotations

import io
import struct
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.doc_lists import Numbering

FIB_MAGIC = 0xA5EC
MIN_NFIB = 101 + 92  # Word 97 writes nFib 193; Word 6/95 use 101-105 and another FIB layout
MAX_TEXT_CHARS = 50_000_000

# FibRgFcLcb97 pair indices.
FC_STSHF, FC_PLCF_SED, FC_PLCF_BTE_CHPX, FC_PLCF_BTE_PAPX, FC_CLX = 1, 6, 12, 13, 33
FC_PLF_LST, FC_PLF_LFO = 73, 74
SPRM_S_BKC = 0x3009  # section break kind: 0 continuous, 1 new column, 2 new page, 3 even, 4 odd

# Paragraph sprms we read.
SPRM_P_FINTABLE = 0x2416
SPRM_P_FTTP = 0x2417
SPRM_P_PAGE_BREAK_BEFORE = 0x2407
SPRM_P_OUTLVL = 0x2640
SPRM_P_ITAP = 0x6649
SPRM_P_HUGE_PAPX = 0x6646  # the properties live in the Data stream (large table-row marks)
SPRM_P_ILFO = 0x460B  # list override (1-based); with SPRM_P_ILVL the list number Word draws
SPRM_P_ILVL = 0x260A
SPRM_T_DEF_TABLE = 0xD608
SPRM_P_CHG_TABS = 0xC615
# Character sprms that make text disappear: deleted revision, hidden text.
SPRM_C_FRMARK_DEL = 0x0800
SPRM_C_FVANISH = 0x083C
_SPRA_SIZE = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}

# Characters of the text stream with a special meaning.
PARA_END, CELL_END, PAGE_BREAK = "\r", "\x07", "\x0c"
_FIELD_BEGIN, _FIELD_SEP, _FIELD_END = "\x13", "\x14", "\x15"
_REPLACE = {"\x0b": "\n", "\x0e": "\n", "\x1e": "-", "\x1f": "", "\x00": "", "\x01": "", "\x02": "",
            "\x03": "", "\x04": "", "\x05": "", "\x08": ""}


class NotWord97(Exception):
    """The bytes are not a Word 97-2003 document this reader can parse."""


class Encrypted(Exception):
    """The document is password-protected (encrypted or obfuscated)."""


@dataclass
class ParaProps:
    istd: int = 0
    in_table: bool = False
    row_end: bool = False  # the paragraph is a table row's end mark
    outline_level: int | None = None  # 0-based; None for body text
    page_break_before: bool = False
    ilfo: int | None = None  # list override, 0 = explicitly not numbered
    ilvl: int | None = None


@dataclass
class Paragraph:
    """Text of one paragraph of the main story and how it ended (``PARA_END`` or ``CELL_END``).
    ``PAGE_BREAK`` characters inside the text mark page breaks."""

    text: str
    end: str
    props: ParaProps
    style: str = ""  # style name, lower case ("heading 1", "title", "list number", ...)
    label: str = ""  # list number Word draws before the paragraph ("1.", "2.3", "a)", "•")


@dataclass
class Word97:
    paragraphs: list[Paragraph]
    meta: dict[str, Any] = field(default_factory=dict)


def read_word97(content: bytes) -> Word97:
    """Paragraphs of the main story of a Word 97-2003 document, with its summary metadata."""
    try:
        return _read(content)
    except (NotWord97, Encrypted):
        raise
    except Exception as exc:  # untrusted bytes: anything unexpected is "not understood"
        raise NotWord97(f"damaged structure: {type(exc).__name__}") from exc


def _read(content: bytes) -> Word97:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(content))
    except Exception as exc:  # olefile raises several types on damaged containers
        raise NotWord97(f"OLE container: {exc}") from exc
    try:
        if not ole.exists("WordDocument"):
            raise NotWord97("no WordDocument stream")
        word = ole.openstream("WordDocument").read()
        fib = _Fib(word)
        table_name = "1Table" if fib.which_table else "0Table"
        if not ole.exists(table_name):
            raise NotWord97(f"no {table_name} stream")
        table = ole.openstream(table_name).read()
        data = ole.openstream("Data").read() if ole.exists("Data") else b""
        meta = _summary(ole)
    finally:
        ole.close()
    pieces = _pieces(table, *fib.pair(FC_CLX))
    papx = _PapxIndex(word, table, data, *fib.pair(FC_PLCF_BTE_PAPX))
    styles, style_props = _styles(table, *fib.pair(FC_STSHF))
    hidden = _hidden_runs(word, table, *fib.pair(FC_PLCF_BTE_CHPX))
    same_page = _same_page_section_marks(word, table, *fib.pair(FC_PLCF_SED))
    paragraphs = _paragraphs(word, pieces, fib.ccp_text, papx, styles, hidden, same_page)
    _number(paragraphs, Numbering(table, fib.pair(FC_PLF_LST), fib.pair(FC_PLF_LFO)), style_props)
    return Word97(paragraphs, meta)


def _number(paragraphs: list[Paragraph], numbering: Numbering,
            style_props: dict[int, ParaProps]) -> None:
    """Give numbered paragraphs the label Word draws, counting in document order."""
    if not numbering.overrides:
        return
    for para in paragraphs:
        style = style_props.get(para.props.istd)
        ilfo = para.props.ilfo if para.props.ilfo is not None else (style.ilfo if style else None)
        if not ilfo or ilfo < 0:
            continue
        ilvl = (para.props.ilvl if para.props.ilvl is not None
                else (style.ilvl if style and style.ilvl else 0))
        para.label = numbering.label(ilfo, ilvl or 0)
        if para.props.outline_level is None and style is not None:
            para.props.outline_level = style.outline_level


class _Fib:
    def __init__(self, word: bytes) -> None:
        if len(word) < 64:
            raise NotWord97("WordDocument stream too short")
        ident, nfib = struct.unpack_from("<HH", word, 0)
        if ident != FIB_MAGIC:
            raise NotWord97("not a Word document (FIB signature)")
        if nfib < MIN_NFIB:
            raise NotWord97(f"Word 6/95 file format (nFib {nfib})")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:  # fEncrypted (also set with fObfuscated)
            raise Encrypted("the Word document is password-protected")
        self.which_table = bool(flags & 0x0200)
        pos = 32
        csw = struct.unpack_from("<H", word, pos)[0]
        pos += 2 + 2 * csw
        cslw = struct.unpack_from("<H", word, pos)[0]
        lw = struct.unpack_from(f"<{cslw}i", word, pos + 2)
        pos += 2 + 4 * cslw
        if cslw < 4:
            raise NotWord97("FIB without text lengths")
        self.ccp_text = lw[3]
        if not 0 <= self.ccp_text <= MAX_TEXT_CHARS:
            raise NotWord97(f"implausible text length {self.ccp_text}")
        n_pairs = struct.unpack_from("<H", word, pos)[0]
        self.pairs = struct.unpack_from(f"<{2 * n_pairs}I", word, pos + 2)

    def pair(self, index: int) -> tuple[int, int]:
        if 2 * index + 1 >= len(self.pairs):
            return 0, 0
        return self.pairs[2 * index], self.pairs[2 * index + 1]


@dataclass
class _Piece:
    cp_start: int
    cp_end: int
    offset: int  # byte offset in the WordDocument stream
    compressed: bool  # 8-bit (Windows-1252) instead of UTF-16LE


def _pieces(table: bytes, fc: int, lcb: int) -> list[_Piece]:
    clx = table[fc:fc + lcb]
    if not lcb or len(clx) != lcb:
        raise NotWord97("no piece table")
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: property modifiers, skipped
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise NotWord97("piece table not found in the CLX")
    size = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + size]
    n = (len(plc) - 4) // 12
    if n <= 0:
        raise NotWord97("empty piece table")
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out = []
    for i in range(n):
        fc_raw = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        compressed = bool(fc_raw & 0x40000000)
        offset = (fc_raw & 0x3FFFFFFF) // 2 if compressed else fc_raw & 0x3FFFFFFF
        if cps[i + 1] < cps[i]:
            raise NotWord97("piece table out of order")
        out.append(_Piece(cps[i], cps[i + 1], offset, compressed))
    return out


def _fkp_runs(word: bytes, table: bytes, fc: int, lcb: int, *, entry_size: int):
    """Walk a bin table (PlcBte at ``table[fc:fc+lcb]``) and its 512-byte formatted disk pages:
    yield (page, start fc, end fc, the run's property offset byte). ``entry_size`` is 13 for
    paragraph pages (BX entries) and 1 for character pages. Pages past the stream are skipped."""
    plc = table[fc:fc + lcb]
    n = (len(plc) - 4) // 8 if lcb else 0
    for i in range(max(n, 0)):
        pn = struct.unpack_from("<I", plc, 4 * (n + 1) + 4 * i)[0] & 0x3FFFFF
        fkp = word[pn * 512:pn * 512 + 512]
        if len(fkp) != 512:
            continue
        crun = fkp[511]
        rgfc = struct.unpack_from(f"<{crun + 1}I", fkp, 0)
        for j in range(crun):
            yield fkp, rgfc[j], rgfc[j + 1], fkp[4 * (crun + 1) + entry_size * j]


class _PapxIndex:
    """Paragraph properties by the stream offset of a paragraph's end mark."""

    def __init__(self, word: bytes, table: bytes, data: bytes, fc: int, lcb: int) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.props: list[ParaProps] = []
        runs: list[tuple[int, int, ParaProps]] = []
        for fkp, start, end, b_offset in _fkp_runs(word, table, fc, lcb, entry_size=13):
            runs.append((start, end, _papx(fkp, b_offset * 2, data) if b_offset else ParaProps()))
        runs.sort(key=lambda r: r[0])
        for start, end, props in runs:
            self.starts.append(start)
            self.ends.append(end)
            self.props.append(props)

    def at(self, fc: int) -> ParaProps:
        i = bisect_right(self.starts, fc) - 1
        if i >= 0 and fc < self.ends[i]:
            return self.props[i]
        return ParaProps()


def _same_page_section_marks(word: bytes, table: bytes, fc: int, lcb: int) -> set[int]:
    """CPs of section marks (character 12) that do not start a new page: the section after them
    is continuous or starts a new column."""
    plc = table[fc:fc + lcb]
    n = (len(plc) - 4) // 16 if lcb else 0  # n+1 CPs, n 12-byte SEDs
    if n < 2:
        return set()
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out = set()
    for i in range(1, n):
        fc_sepx = struct.unpack_from("<I", plc, 4 * (n + 1) + 12 * i + 2)[0]
        bkc = 2
        if fc_sepx != 0xFFFFFFFF and fc_sepx + 2 <= len(word):
            size = struct.unpack_from("<H", word, fc_sepx)[0]
            for sprm, operand in _sprms(word[fc_sepx + 2:fc_sepx + 2 + size], 0):
                if sprm == SPRM_S_BKC and operand:
                    bkc = operand[0]
        if bkc in (0, 1):
            out.add(cps[i] - 1)  # the mark that ends section i-1 and opens section i
    return out


def _hidden_runs(word: bytes, table: bytes, fc: int, lcb: int) -> list[tuple[int, int]]:
    """Stream ranges [start, end) of characters that are deleted revisions or hidden text."""
    runs: list[tuple[int, int]] = []
    for fkp, start, end, b_offset in _fkp_runs(word, table, fc, lcb, entry_size=1):
        off = b_offset * 2
        if not off:
            continue
        grpprl = fkp[off + 1:off + 1 + fkp[off]]
        for sprm, operand in _sprms(grpprl, 0):
            # Toggle operands: 1 on, 0x81 opposite of the style (taken as on), 0/0x80 off.
            if sprm in (SPRM_C_FRMARK_DEL, SPRM_C_FVANISH) and operand and operand[0] in (1, 0x81):
                runs.append((start, end))
                break
    runs.sort()
    return runs


def _mask_hidden(text: str, piece: _Piece, hidden: list[tuple[int, int]]) -> str:
    """``text`` of ``piece`` with hidden characters replaced by NUL (dropped later); paragraph,
    cell, page and field marks are kept so structure and stream offsets stay aligned."""
    width = 1 if piece.compressed else 2
    fc_end = piece.offset + width * len(text)
    i = max(bisect_right(hidden, (piece.offset, -1)) - 1, 0)
    chars: list[str] | None = None
    while i < len(hidden) and hidden[i][0] < fc_end:
        start, end = hidden[i]
        i += 1
        if end <= piece.offset:
            continue
        a = max(0, (start - piece.offset) // width)
        b = min(len(text), -(-(end - piece.offset) // width))
        if chars is None:
            chars = list(text)
        for k in range(a, b):
            if chars[k] not in _KEEP_WHEN_HIDDEN:
                chars[k] = "\x00"
    return "".join(chars) if chars is not None else text


_KEEP_WHEN_HIDDEN = frozenset((PARA_END, CELL_END, PAGE_BREAK, _FIELD_BEGIN, _FIELD_SEP,
                               _FIELD_END))


def _papx(fkp: bytes, off: int, data_stream: bytes) -> ParaProps:
    cb = fkp[off]
    if cb:
        start, size = off + 1, 2 * cb - 1
    else:
        start, size = off + 2, 2 * fkp[off + 1]
    data = fkp[start:start + size]
    if len(data) < 2:
        return ParaProps()
    props = ParaProps(istd=struct.unpack_from("<H", data, 0)[0])
    _apply(props, _sprms(data, 2), data_stream)
    return props


def _apply(props: ParaProps, sprms, data_stream: bytes) -> None:
    """Set on ``props`` what the paragraph sprms we read say (``_PARA_SPRMS``)."""
    for sprm, operand in sprms:
        handler = _PARA_SPRMS.get(sprm)
        if handler is not None:
            handler(props, operand, data_stream)


# One small setter per paragraph sprm: (props, operand bytes, Data stream).
def _set_in_table(props: ParaProps, operand: bytes, data_stream: bytes) -> None:
    props.in_table = bool(operand[:1] and operand[0])


def _set_row_end(props: ParaProps, operand: bytes, data_stream: bytes) -> None:
    props.row_end = bool(operand[:1] and operand[0])


def _set_table_depth(props: ParaProps, operand: bytes, data_stream: bytes) -> None:
    props.in_table = props.in_table or (len(operand) == 4 and struct.unpack("<i", operand)[0] > 0)


def _set_outline_level(props: ParaProps, operand: bytes, data_stream: bytes) -> None:
    if operand:
        props.outline_level = operand[0] if operand[0] < 9 else None


def _set_page_break_before(props: ParaProps, operand: bytes, data_stream: bytes) -> None:
    if operand:
        props.page_break_before = bool(operand[0])


def _set_list_override(props: ParaProps, operand: bytes, data_stream: bytes) -> None:
    if len(operand) == 2:
        props.ilfo = struct.unpack("<h", operand)[0]


def _set_list_level(props: ParaProps, operand: bytes, data_stream: bytes) -> None:
    if operand:
        props.ilvl = operand[0]


def _apply_huge_papx(props: ParaProps, operand: bytes, data_stream: bytes) -> None:
    """The properties stored in the Data stream (large table-row marks)."""
    if len(operand) == 4:
        off = struct.unpack("<I", operand)[0]
        if off + 2 <= len(data_stream):
            size = struct.unpack_from("<H", data_stream, off)[0]
            _apply(props, _sprms(data_stream[off + 2:off + 2 + size], 0), b"")


_PARA_SPRMS: dict[int, Callable[[ParaProps, bytes, bytes], None]] = {
    SPRM_P_FINTABLE: _set_in_table, SPRM_P_FTTP: _set_row_end, SPRM_P_ITAP: _set_table_depth,
    SPRM_P_OUTLVL: _set_outline_level, SPRM_P_PAGE_BREAK_BEFORE: _set_page_break_before,
    SPRM_P_ILFO: _set_list_override, SPRM_P_ILVL: _set_list_level,
    SPRM_P_HUGE_PAPX: _apply_huge_papx,
}


def _sprms(data: bytes, pos: int):
    """(sprm, operand bytes) pairs of a grpprl; stops at anything it cannot size."""
    while pos + 2 <= len(data):
        sprm = struct.unpack_from("<H", data, pos)[0]
        pos += 2
        spra = sprm >> 13
        if spra == 6:
            if sprm == SPRM_T_DEF_TABLE:
                if pos + 2 > len(data):
                    return
                size = struct.unpack_from("<H", data, pos)[0] + 1  # cb counts itself minus one
            elif sprm == SPRM_P_CHG_TABS and pos < len(data) and data[pos] == 255:
                return
            else:
                if pos >= len(data):
                    return
                size = data[pos] + 1
        else:
            size = _SPRA_SIZE[spra]
        operand = data[pos:pos + size]
        if len(operand) < size:
            return
        yield sprm, (operand[1:] if spra == 6 and sprm != SPRM_T_DEF_TABLE else operand)
        pos += size


# Built-in style identifiers (sti) whose names we use when the stored name is missing.
_STI_NAMES = {**{i: f"heading {i}" for i in range(1, 10)}, 62: "title", 74: "subtitle",
              47: "list", 48: "list bullet", 49: "list number"}


def _styles(table: bytes, fc: int, lcb: int) -> tuple[dict[int, str], dict[int, ParaProps]]:
    """istd -> lower-case style name, and istd -> the paragraph properties a paragraph style sets
    itself (list numbering, outline level), from the style sheet (STSH)."""
    names: dict[int, str] = {}
    props: dict[int, ParaProps] = {}
    stsh = table[fc:fc + lcb]
    if len(stsh) < 6:
        return names, props
    cb_stshi = struct.unpack_from("<H", stsh, 0)[0]
    cstd, cb_base = struct.unpack_from("<HH", stsh, 2)
    pos = 2 + cb_stshi
    for istd in range(cstd):
        if pos + 2 > len(stsh):
            break
        cb_std = struct.unpack_from("<H", stsh, pos)[0]
        std = stsh[pos + 2:pos + 2 + cb_std]
        pos += 2 + cb_std
        if len(std) < max(cb_base, 4):
            continue
        sti = struct.unpack_from("<H", std, 0)[0] & 0x0FFF
        name = ""
        if len(std) >= cb_base + 2:
            length = struct.unpack_from("<H", std, cb_base)[0]
            raw = std[cb_base + 2:cb_base + 2 + 2 * length]
            name = raw.decode("utf-16-le", "replace")
        names[istd] = (name or _STI_NAMES.get(sti, "")).strip().lower()
        if sti in _STI_NAMES and sti <= 9:
            names[istd] = _STI_NAMES[sti]  # built-in headings whatever their localised name
        stk = struct.unpack_from("<H", std, 2)[0] & 0x0F
        if stk == 1 and len(std) >= cb_base + 2:  # paragraph style: its first UPX is a PAPX
            upx = cb_base + 2 + 2 * struct.unpack_from("<H", std, cb_base)[0] + 2  # name + NUL
            upx += upx % 2
            if upx + 2 <= len(std):
                size = struct.unpack_from("<H", std, upx)[0]
                grpprl = std[upx + 4:upx + 2 + size]  # after the UPX's own istd
                if grpprl:
                    style_props = ParaProps(istd=istd)
                    _apply(style_props, _sprms(grpprl, 0), b"")
                    props[istd] = style_props
    return names, props


def _paragraphs(
    word: bytes,
    pieces: list[_Piece],
    ccp_text: int,
    papx: _PapxIndex,
    styles: dict[int, str],
    hidden: list[tuple[int, int]],
    same_page: set[int],
) -> list[Paragraph]:
    splitter = _ParagraphSplitter(papx, styles)
    for piece in pieces:
        if piece.cp_start >= ccp_text:
            break
        splitter.feed(piece, _piece_text(word, piece, ccp_text, hidden, same_page))
    return splitter.finish()


def _piece_text(word: bytes, piece: _Piece, ccp_text: int, hidden: list[tuple[int, int]],
                same_page: set[int]) -> str:
    """A piece's characters of the main story: hidden text masked, and continuous section
    breaks turned into paragraph ends (they end their paragraph but not the page)."""
    count = min(piece.cp_end, ccp_text) - piece.cp_start
    if piece.compressed:
        text = word[piece.offset:piece.offset + count].decode("cp1252", "replace")
    else:
        text = word[piece.offset:piece.offset + 2 * count].decode("utf-16-le", "replace")
    if len(text) < count:
        raise NotWord97("piece runs past the end of the stream")
    if hidden:
        text = _mask_hidden(text, piece, hidden)
    end = piece.cp_start + len(text)
    marks = [cp - piece.cp_start for cp in same_page if piece.cp_start <= cp < end]
    if not marks:
        return text
    chars = list(text)
    for k in marks:
        if chars[k] == PAGE_BREAK:
            chars[k] = PARA_END
    return "".join(chars)


_MARKS = frozenset((PARA_END, CELL_END, _FIELD_BEGIN, _FIELD_SEP, _FIELD_END))


class _ParagraphSplitter:
    """Paragraphs from the main story's text, fed piece by piece: cut at paragraph and cell
    ends (each with the properties of its end mark), field codes dropped and field results kept."""

    def __init__(self, papx: _PapxIndex, styles: dict[int, str]) -> None:
        self.papx = papx
        self.styles = styles
        self.out: list[Paragraph] = []
        self.buf: list[str] = []
        self.fields: list[bool] = []  # per open field: True once its result part started

    def _visible(self) -> bool:
        """Outside field codes (every open field is in its result part)."""
        return not self.fields or all(self.fields)

    def feed(self, piece: _Piece, text: str) -> None:
        start = 0
        for i, ch in enumerate(text):
            if ch not in _MARKS:
                continue
            if self._visible():
                self.buf.append(text[start:i])
            start = i + 1
            if ch in (PARA_END, CELL_END):
                self._end_paragraph(piece.offset + (i if piece.compressed else 2 * i), ch)
            else:
                self._field_mark(ch)
        if self._visible():
            self.buf.append(text[start:])

    def _field_mark(self, ch: str) -> None:
        if ch == _FIELD_BEGIN:
            self.fields.append(False)
        elif ch == _FIELD_SEP:
            if self.fields:
                self.fields[-1] = True
        elif self.fields:  # _FIELD_END
            self.fields.pop()

    def _end_paragraph(self, fc: int, end: str) -> None:
        props = self.papx.at(fc)
        para = "".join(self.buf)
        self.buf = []
        for old, new in _REPLACE.items():
            if old in para:
                para = para.replace(old, new)
        self.out.append(Paragraph(para, end, props, self.styles.get(props.istd, "")))

    def finish(self) -> list[Paragraph]:
        rest = "".join(self.buf)
        if rest.strip():
            self.out.append(Paragraph(rest, PARA_END, ParaProps()))
        return self.out


# SummaryInformation property ids we read (string properties) and the code-page property.
_SUMMARY_PROPS = {2: "title", 3: "subject", 4: "author", 5: "keywords", 6: "comments"}
_PID_CODEPAGE = 1
_VT_I2, _VT_LPSTR, _VT_LPWSTR = 2, 30, 31
MAX_SUMMARY_PROPS = 64


def _summary(ole) -> dict[str, Any]:
    """Title, subject, author, keywords and comments from the SummaryInformation stream.

    Parsed here with bounds on every count (olefile's own property parser loops over counts
    read from the file, which a damaged file can set to billions)."""
    try:
        if not ole.exists("\x05SummaryInformation"):
            return {}
        data = ole.openstream("\x05SummaryInformation").read()
        section = struct.unpack_from("<I", data, 44)[0]  # after the header and the first FMTID
        count = min(struct.unpack_from("<I", data, section + 4)[0], MAX_SUMMARY_PROPS,
                    (len(data) - section - 8) // 8)
        entries = [struct.unpack_from("<II", data, section + 8 + 8 * i) for i in range(count)]
        values: dict[int, tuple[int, int]] = {}
        for pid, off in entries:
            if pid in _SUMMARY_PROPS or pid == _PID_CODEPAGE:
                values[pid] = (struct.unpack_from("<I", data, section + off)[0] & 0xFFFF,
                               section + off + 4)
        encoding = "cp1252"
        if _PID_CODEPAGE in values and values[_PID_CODEPAGE][0] == _VT_I2:
            encoding = _codepage(struct.unpack_from("<h", data, values[_PID_CODEPAGE][1])[0])
        out: dict[str, Any] = {}
        for pid, key in _SUMMARY_PROPS.items():
            if pid not in values:
                continue
            vtype, pos = values[pid]
            size = struct.unpack_from("<I", data, pos)[0]
            if vtype == _VT_LPSTR:
                text = data[pos + 4:pos + 4 + min(size, 65536)].decode(encoding, "replace")
            elif vtype == _VT_LPWSTR:
                text = data[pos + 4:pos + 4 + 2 * min(size, 32768)].decode("utf-16-le", "replace")
            else:
                continue
            text = text.split("\x00", 1)[0].strip()
            if text:
                out[key] = text
        return out
    except (struct.error, OSError, ValueError, IndexError):  # metadata is optional; the text is not
        return {}


def _codepage(codepage: int | None) -> str:
    """Python codec of a property set's code page (stored as a signed 16-bit number)."""
    if codepage is None:
        return "cp1252"
    codepage &= 0xFFFF
    if codepage == 65001:
        return "utf-8"
    if codepage in (1200, 1201):
        return "utf-16-le" if codepage == 1200 else "utf-16-be"
    try:
        import codecs

        return codecs.lookup(f"cp{codepage}").name
    except LookupError:
        return "cp1252"
