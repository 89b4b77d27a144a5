"""Rich Text Format extraction: many old ".doc" files on council sites are really RTF.

Registered for format ``rtf`` (``detect.py`` recognises ``{\\rtf`` by content, whatever the file
name). A small RTF reader turns the control words into the same paragraphs ``doc_word97.py``
gives for Word binaries (text, end mark, in-table / row-end / outline level / page-break-before,
style name), and ``doc.py`` builds pages, blocks and tables from them, so RTF and ``.doc`` come
out alike. Pages break at ``\\page``, ``\\pagebb`` and section breaks (``\\sect``) unless the next
section is continuous (``\\sbknone``). Headers, footers, footnotes, comments, pictures, shapes,
field codes, deleted and hidden text are left out; field results and the list numbers Word drew
(``\\listtext``) are kept. The Document's ``format`` is ``doc``
(contract §2 has no RTF; a word-processor file either way) and ``meta["container"]`` is ``rtf``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ingest.detect import is_rtf
from ingest.doc_word97 import CELL_END, PAGE_BREAK, PARA_END, Paragraph, ParaProps
from ingest.errors import ExtractionError
from ingest.extracted import RawDocument

MAX_GROUP_DEPTH = 400  # deeper nesting is refused as corrupt (a parser-bomb guard)

_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|[\r\n]+"
                    rb"|([^\\{}\r\n]+)",
                    re.DOTALL)
# Destinations whose text is not body text.
_SKIP_DESTINATIONS = frozenset((
    "fonttbl", "colortbl", "stylesheet", "info", "header", "headerl", "headerr", "headerf",
    "footer",
    "footerl", "footerr", "footerf", "pict", "object", "fldinst", "footnote", "annotation", "atnid",
    "atnauthor", "xe", "tc", "tcn", "listtable", "listoverridetable", "rsidtbl", "generator",
    "pntxta", "pntxtb", "shp", "shpinst", "shppict", "nonshppict", "bkmkstart",
    "bkmkend", "revtbl", "filetbl", "themedata", "colorschememapping", "latentstyles", "datastore",
    "xmlnstbl", "mmathPr", "pgdsctbl", "userprops", "template", "docvar", "field_instr", "ftnsep",
    "ftnsepc", "aftnsep", "aftnsepc", "comment", "private", "blipuid", "sp", "sn", "sv"))
_INFO_FIELDS = {"title": "title", "subject": "subject", "author": "author", "keywords": "keywords",
                "doccomm": "comments"}
_SYMBOLS = {"emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022", "lquote": "\u2018",
            "rquote": "\u2019", "ldblquote": "\u201c", "rdblquote": "\u201d", "emspace": " ",
            "enspace": " ", "qmspace": " ", "tab": "\t", "line": "\n", "page": PAGE_BREAK,
            "nestcell": " ", "nestrow": " "}
# Section break kinds that keep the page (the kind is given after \sect, for the next section).
_SAME_PAGE_BREAKS = frozenset(("sbknone", "sbkcol"))
_NEW_PAGE_BREAKS = frozenset(("sbkpage", "sbkeven", "sbkodd"))
_CONTROL_SYMBOLS = {"~": "\u00a0", "-": "", "_": "-", "\\": "\\", "{": "{", "}": "}", "\t": "\t"}


@dataclass
class _Group:
    skip: bool = False
    dest: str = ""  # destination keyword of this group ("" for plain groups)
    uc: int = 1
    hidden: bool = False  # \v hidden text or \deleted revision
    label: bool = False  # inside \listtext / \pntext: the list number Word drew


def extract_rtf(content: bytes) -> RawDocument:
    from ingest.doc import build_from_paragraphs

    paragraphs, meta = read_rtf(content)
    if not any(p.text.strip() for p in paragraphs):
        raise ExtractionError("empty", "no text in the RTF document")
    raw = build_from_paragraphs(paragraphs, meta, fmt="doc")
    raw.meta["container"] = "rtf"
    return raw


def read_rtf(content: bytes) -> tuple[list[Paragraph], dict[str, str]]:
    """Paragraphs of the body and the ``\\info`` metadata of an RTF document."""
    if not is_rtf(content):
        raise ExtractionError("unsupported", "not an RTF document")
    reader = _Reader()
    reader.run(content)
    return reader.paragraphs, reader.meta


class _Reader:
    def __init__(self) -> None:
        self.stack: list[_Group] = [_Group()]
        self.paragraphs: list[Paragraph] = []
        self.meta: dict[str, str] = {}
        self.text: list[str] = []
        self.props = ParaProps()
        self.style = 0
        self.styles: dict[int, str] = {}
        self.codec = "cp1252"
        self.skip_chars = 0
        self.pending: bytearray = bytearray()  # \'hh bytes waiting to be decoded together
        self.capture: list[str] | None = None  # text of a stylesheet entry or info field
        # after \sect: True = new page (default), False = same page
        self.section_break: bool | None = None

    # -- tokens ------------------------------------------------------------------------------
    def run(self, content: bytes) -> None:
        for m in _TOKEN.finditer(content):
            word, arg, hexbyte, symbol, brace, text = m.groups()
            if hexbyte is not None:
                if self.skip_chars:
                    self.skip_chars -= 1
                else:
                    self.pending.append(int(hexbyte, 16))
                continue
            self._flush_bytes()
            if text is not None:
                self._text(text.decode("latin-1"))
            elif word is not None:
                self._word(word.decode("ascii"), int(arg) if arg is not None else None)
            elif brace == b"{":
                if len(self.stack) >= MAX_GROUP_DEPTH:
                    raise ExtractionError("corrupt",
                                          f"RTF groups nested deeper than {MAX_GROUP_DEPTH}")
                parent = self.stack[-1]
                self.stack.append(replace(parent, dest=""))
                if parent.dest == "stylesheet":  # each group directly inside is one style
                    self.stack[-1].dest, self.capture, self._entry_style = "stylesheet-entry", [], 0
            elif brace == b"}":
                self._close_group()
            elif symbol is not None:
                self._symbol(symbol.decode("latin-1"))
        self._flush_bytes()
        self._end_paragraph(PARA_END, final=True)

    def _flush_bytes(self) -> None:
        if self.pending:
            data, self.pending = bytes(self.pending), bytearray()
            self._emit(data.decode(self.codec, "replace"))

    def _text(self, raw: str) -> None:
        if self.skip_chars:
            cut = min(self.skip_chars, len(raw))
            self.skip_chars -= cut
            raw = raw[cut:]
        # Literal text is 7-bit in well-formed RTF; 8-bit bytes are read in the document's code
        # page.
        if any(ord(c) > 127 for c in raw):
            raw = raw.encode("latin-1").decode(self.codec, "replace")
        self._emit(raw)

    def _emit(self, s: str) -> None:
        group = self.stack[-1]
        if self.capture is not None and group.dest in ("stylesheet-entry", "info-field"):
            self.capture.append(s)
            return
        if group.skip or group.hidden or not s:
            return
        if self.section_break is not None:  # the first body text after a section break
            if self.section_break:
                self.text.append(PAGE_BREAK)
            self.section_break = None
        self.text.append(s)

    def _close_group(self) -> None:
        group = self.stack.pop() if len(self.stack) > 1 else self.stack[0]
        if group.dest == "stylesheet-entry" and self.capture is not None:
            name = "".join(self.capture).split(";")[0].strip().lower()
            if name:
                self.styles[self._entry_style] = name
            self.capture = None
        elif group.dest == "info-field" and self.capture is not None:
            value = "".join(self.capture).strip()
            # the first one counts (LibreOffice writes the last editor as a second author)
            if value:
                self.meta.setdefault(self._info_key, value)
            self.capture = None

    def _symbol(self, ch: str) -> None:
        if ch == "*":
            self.stack[-1].skip = True  # an ignorable destination we may not know
            self.stack[-1].dest = "*"
            return
        if ch in ("\n", "\r"):
            self._word("par", None)
            return
        out = _CONTROL_SYMBOLS.get(ch)
        if out is not None:
            if self.skip_chars:
                self.skip_chars -= 1
            else:
                self._emit(out)

    def _word(self, word: str, arg: int | None) -> None:
        """One control word. Destinations and list labels first; then the words that count
        even inside skipped groups (Unicode characters, the code page, a style's number); then
        the body's paragraph and character words, one handler each (``_BODY_WORDS``)."""
        group = self.stack[-1]
        if group.dest == "*":
            # {\*\keyword ...}: read the few starred destinations we understand, skip the rest.
            group.dest = word
            group.skip = word not in ("fldrslt",)
        if self._starts_destination(word, group):
            return
        if group.label and not group.skip:
            self._label_word(word, arg, group)  # a label's own \pard, \plain, fonts do not count
        elif not self._document_word(word, arg, group) and not group.skip:
            # (paragraph properties inside skipped destinations do not count)
            self._body_word(word, arg)

    def _document_word(self, word: str, arg: int | None, group: _Group) -> bool:
        """True for the words read even inside skipped groups: a Unicode character, the number
        of fallback characters after one, the code page, a style sheet entry's number."""
        if word == "u" and arg is not None:
            self._emit(chr(arg + 65536 if arg < 0 else arg))
            self.skip_chars = group.uc
        elif word == "uc" and arg is not None:
            group.uc = max(arg, 0)
        elif word == "ansicpg" and arg:
            self.codec = _codec(arg)
        elif word == "s" and group.dest == "stylesheet-entry":
            self._entry_style = arg or 0
        else:
            return False
        return True

    def _starts_destination(self, word: str, group: _Group) -> bool:
        """True if ``word`` names what its group holds: an info field, a destination left out,
        or a list label."""
        if word in _INFO_FIELDS and len(self.stack) > 1 and self.stack[-2].dest == "info":
            group.dest, self._info_key, self.capture = "info-field", _INFO_FIELDS[word], []
        elif word in _SKIP_DESTINATIONS:
            group.skip, group.dest = True, word
        elif word in ("listtext", "pntext"):
            group.label, group.dest = True, word
        else:
            return False
        return True

    def _label_word(self, word: str, arg: int | None, group: _Group) -> None:
        """A word inside a list label (``\\listtext``): only its characters count."""
        if word == "tab" or word == "u" or word in _SYMBOLS:
            self._emit(" " if word == "tab" else _label_char(word, arg))
            if word == "u":
                self.skip_chars = group.uc

    def _body_word(self, word: str, arg: int | None) -> None:
        handler = _BODY_WORDS.get(word)
        if handler is not None:
            handler(self, arg)
        elif word in _SYMBOLS:
            if self.skip_chars:
                self.skip_chars -= 1
            else:
                self._emit(_SYMBOLS[word])

    # -- the body's control words (``_BODY_WORDS``) ------------------------------------------
    def _par(self, arg: int | None) -> None:
        self._end_paragraph(PARA_END)

    def _cell(self, arg: int | None) -> None:
        self.props.in_table = True
        self._end_paragraph(CELL_END)

    def _row(self, arg: int | None) -> None:
        self._end_paragraph(CELL_END, row_end=True)

    def _sect(self, arg: int | None) -> None:
        if "".join(self.text).strip():
            self._end_paragraph(PARA_END)
        self.section_break = True

    def _same_page_section(self, arg: int | None) -> None:
        if self.section_break is not None:
            self.section_break = False

    def _new_page_section(self, arg: int | None) -> None:
        if self.section_break is not None:
            self.section_break = True

    def _pard(self, arg: int | None) -> None:
        self.props = ParaProps()
        self.style = 0

    def _style(self, arg: int | None) -> None:
        self.style = arg or 0

    def _intbl(self, arg: int | None) -> None:
        self.props.in_table = True

    def _itap(self, arg: int | None) -> None:
        if arg is not None:
            self.props.in_table = arg > 0

    def _outline_level(self, arg: int | None) -> None:
        if arg is not None:
            self.props.outline_level = arg if 0 <= arg < 9 else None

    def _page_break_before(self, arg: int | None) -> None:
        self.props.page_break_before = arg != 0

    def _hidden(self, arg: int | None) -> None:
        self.stack[-1].hidden = arg != 0

    def _plain(self, arg: int | None) -> None:
        self.stack[-1].hidden = False

    def _end_paragraph(self, end: str, *, row_end: bool = False, final: bool = False) -> None:
        text = "".join(self.text)
        self.text = []
        if final and not text.strip():
            return
        props = replace(self.props, row_end=row_end, in_table=self.props.in_table or row_end)
        self.paragraphs.append(Paragraph(text, end, props, self.styles.get(self.style, "")))
        if row_end:
            self.props.in_table = False  # the next paragraph says \intbl again if the table goes on

    # Stylesheet entries: "{\sN ... Name;}" groups directly inside {\stylesheet}.
    _entry_style = 0
    _info_key = ""


# Control words of the body text: paragraph and table structure, section breaks, paragraph
# properties, hidden text. (Symbol words such as \emdash are ``_SYMBOLS``.)
_BODY_WORDS: dict[str, Callable[[_Reader, int | None], None]] = {
    "par": _Reader._par, "cell": _Reader._cell, "row": _Reader._row, "sect": _Reader._sect,
    **dict.fromkeys(_SAME_PAGE_BREAKS, _Reader._same_page_section),
    **dict.fromkeys(_NEW_PAGE_BREAKS, _Reader._new_page_section),
    "pard": _Reader._pard, "s": _Reader._style, "intbl": _Reader._intbl, "itap": _Reader._itap,
    "outlinelevel": _Reader._outline_level, "pagebb": _Reader._page_break_before,
    "v": _Reader._hidden, "deleted": _Reader._hidden, "plain": _Reader._plain,
}


def _label_char(word: str, arg: int | None) -> str:
    """A list label's character: Symbol/Wingdings private-use bullets become a bullet."""
    if word != "u" or arg is None:
        return _SYMBOLS.get(word, "")
    ch = chr(arg + 65536 if arg < 0 else arg)
    return "\u2022" if 0xF000 <= ord(ch) <= 0xF0FF else ch


def _codec(codepage: int) -> str:
    try:
        return codecs.lookup(f"cp{codepage}").name
    except LookupError:
        return "cp1252"

