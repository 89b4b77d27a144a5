"""The outline of a report: section headings with their numbers, levels and start pages.

Runs on clean blocks (after ``clean.py``). A heading is a short block that is styled as one
(a DOCX/HTML heading, or bold or larger type in a PDF) or, in plain text, looks like one:
numbered (``1``, ``1.1``, ``1.1.1``), a division (``Section 4``, ``Appendix A``), or an
unnumbered capitalised title. Long numbered paragraphs ("3.2 The panel met...") stay paragraphs.
Table-of-contents pages are recognised (a "Contents" heading, dot leaders, trailing page
numbers) and never produce sections. Rules are data: ``sections.yaml``.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from dhr.document import Section
from ingest.extracted import Block

RULES_PATH = Path(__file__).with_name("sections.yaml")
MAX_HEADING_CHARS = 120
MAX_HEADING_WORDS = 16

_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})[.)]?\s+(?P<title>\S.*)$")
_TOC_ENTRY = re.compile(r"^(?P<title>.{2,150}?)\s*(?:\.{2,}|…+|(?:\. ){2,}|_{3,}|\s)"
                        r"\s*(?P<page>\d{1,4})$")
_TERMINAL = (".", ",", ";", "?", "!")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on",
                "or", "the", "to", "with", "within", "its", "their", "his", "her", "between"}


@dataclass(frozen=True)
class OutlineRules:
    toc_titles: frozenset[str]
    division: re.Pattern[str]
    known: frozenset[str]
    not_headings: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def outline_rules() -> OutlineRules:
    data = yaml.load(RULES_PATH.read_text(encoding="utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    words = "|".join(re.escape(w) for w in data["division_words"])
    division = re.compile(
        rf"^(?P<word>{words})\s+(?P<num>\d{{1,2}}|[A-Z]|[IVX]{{1,5}})\b"
        r"\s*[.:\-–—]?\s*(?P<title>.*)$", re.IGNORECASE
    )
    return OutlineRules(
        toc_titles=frozenset(t.lower() for t in data["toc_titles"]),
        division=division,
        known=frozenset(k.lower() for k in data["known_headings"]),
        not_headings=tuple(re.compile(p, re.IGNORECASE) for p in data.get("not_headings", [])),
    )


def toc_blocks(pages: list[list[Block]]) -> tuple[set[int], set[tuple[int, int]]]:
    """(1-based pages that are wholly a table of contents, (page, block index) of contents
    blocks on other pages). A contents page is never mistaken for sections."""
    rules = outline_rules()
    whole: set[int] = set()
    parts: set[tuple[int, int]] = set()
    for number, blocks in enumerate(pages, 1):
        if not blocks:
            continue
        title_at = next((i for i, b in enumerate(blocks)
                         if len(b.text) <= 30 and _simple(b.text) in rules.toc_titles), None)
        if title_at is not None:
            listed = _contents_under_title(blocks, title_at)
            if listed is None:
                whole.add(number)
                continue
            parts.update((number, i) for i in listed)
        else:
            entries = sum(1 for b in blocks if b.kind == "toc" or _is_toc_entry(b.text))
            if entries >= 5 and entries >= 0.5 * len(blocks):
                whole.add(number)
            elif number - 1 in whole and entries >= 3 and entries >= 0.4 * len(blocks):
                whole.add(number)  # the contents continue overleaf
        parts.update((number, i) for i, b in enumerate(blocks) if b.kind == "toc")
    return whole, parts


def _contents_under_title(blocks: list[Block], title_at: int) -> list[int] | None:
    """A page with a "Contents" heading: None when the page is all contents, else the indexes
    of the heading and of the entries right after it."""
    rest = blocks[title_at + 1:]
    short = sum(1 for b in rest if len(b.text) <= 100 and b.kind != "heading")
    numbered = sum(1 for b in rest if b.kind == "toc" or _is_toc_entry(b.text))
    if rest and title_at <= 5 and (short >= 0.7 * len(rest) or
                                   numbered >= max(2, 0.5 * len(rest))):
        return None
    listed = [title_at]
    for i in range(title_at + 1, len(blocks)):  # the entries that follow the heading
        if blocks[i].kind == "toc" or (blocks[i].kind != "heading" and
                                       _is_toc_entry(blocks[i].text)):
            listed.append(i)
        else:
            break
    return listed


def toc_pages(pages: list[list[Block]]) -> set[int]:
    """1-based pages that hold only a table of contents."""
    return toc_blocks(pages)[0]


def _is_toc_entry(text: str) -> bool:
    if len(text) > 160 or not text[-1:].isdigit():
        return False
    m = _TOC_ENTRY.match(text)
    if not m:
        return False
    title = m.group("title")
    dotted = re.search(r"(\.{2,}|…|_{3,}|(\. ){2,})\s*\d{1,4}$", text) is not None
    return dotted or (not title.rstrip().endswith(_TERMINAL) and len(title.split()) <= 12
                      and title[:1].isupper() or title[:1].isdigit())


def _simple(text: str) -> str:
    return re.sub(r"[^a-z ]+", "", text.lower()).strip()


def build_outline(pages: list[list[Block]], *, title: str | None = None) -> list[Section]:
    """Sections in reading order with the 1-based page where each starts."""
    body = _body_size(pages)
    return _OutlineReader(pages, _candidates(pages, title, body), body).sections()


@dataclass(frozen=True)
class _Candidate:
    """A block that reads as a heading; whether it is a section depends on the document."""

    page: int
    index: int                    # of the block in its page
    block: Block
    number: str | None
    heading: str
    explicit_level: int | None    # implied by a division word ("Section 4", "Appendix A")
    styled: bool                  # a heading style, bold or larger type


def _candidates(pages: list[list[Block]], title: str | None,
                body: float | None) -> list[_Candidate]:
    """Blocks that can be headings: not on a contents page, not a table, list or the title."""
    skip, skip_blocks = toc_blocks(pages)
    title_key = _simple(title or "")
    out: list[_Candidate] = []
    for page_no, blocks in enumerate(pages, 1):
        if page_no in skip:
            continue
        for index, block in enumerate(blocks):
            if (page_no, index) in skip_blocks or _not_heading(block.text):
                continue
            if block.kind in ("table", "toc", "list", "title") or \
                    page_no == 1 and _is_title_part(block, title_key):
                continue
            parsed = _parse_heading(block.text)
            if parsed is not None:
                out.append(_Candidate(page_no, index, block, *parsed,
                                      styled=_styled(block, body)))
    return out


class _OutlineReader:
    """Keeps the candidates that are sections, in order; one method per kind of candidate (a
    heading block, a division, a numbered heading, an unnumbered title in a document that
    styles its headings, one in plain text)."""

    def __init__(self, pages: list[list[Block]], candidates: list[_Candidate],
                 body: float | None) -> None:
        self.pages = pages
        self.candidates = candidates
        self.has_style = any(c.styled for c in candidates)
        # The document styles its numbered headings: an unstyled numbered line is a paragraph.
        self.styled_numbered = any(c.number and c.styled and not c.explicit_level
                                   for c in candidates)
        # Where the text of the first page starts (cover, letterhead and address lines before).
        self.first_body = next((i for i, b in enumerate(pages[0] if pages else [])
                                if b.kind == "body" and not _styled(b, body)
                                and len(b.text.split()) >= 8
                                and (not b.size or not body or b.size >= body * 0.95)), 0)
        # Type sizes of unnumbered styled headings, largest first: the level of each.
        self.sizes = sorted({round(c.block.size, 1) for c in candidates
                             if c.block.size and not c.number and c.styled}, reverse=True)
        self.last: tuple[int, ...] | None = None   # number of the last numbered section

    def sections(self) -> list[Section]:
        out: list[Section] = []
        for c in self.candidates:
            dotted = _dotted(c.number)
            if not self._is_section(c, dotted):
                continue
            if dotted is not None:
                self.last = dotted
            out.append(Section(title=c.heading, number=c.number, page=c.page,
                               level=min(self._level(c, dotted), 6)))
        return out

    def _is_section(self, c: _Candidate, dotted: tuple[int, ...] | None) -> bool:
        known = _simple(c.heading) in outline_rules().known
        if c.block.kind == "heading":
            return True
        if c.explicit_level:
            return self.division(c)
        if dotted is not None:
            return self.numbered(c, dotted, known)
        if self.has_style:
            return self.styled_title(c, known)
        return self.plain_title(c, known)

    def division(self, c: _Candidate) -> bool:
        """"Section 4", "Appendix A": a section unless the document styles its headings and
        this one is not."""
        return not (self.has_style and not c.styled)

    def numbered(self, c: _Candidate, dotted: tuple[int, ...], known: bool) -> bool:
        """"2.3 Background": a section when styled (or titled like one) and in sequence."""
        if self.has_style and self.styled_numbered and not c.styled:
            return False  # the document styles its numbered headings; this is a paragraph
        if not c.styled and not (known or _title_like(c.heading)):
            return False
        if not _follows(self.last, dotted) and not (dotted[-1] == 1 and (c.styled or known)):
            return False  # out of sequence: a numbered table row or list item
        # An address line ("2 Marsham Street") on a cover or letterhead is none.
        return c.styled or c.page != 1 or c.index >= self.first_body or known

    def styled_title(self, c: _Candidate, known: bool) -> bool:
        """An unnumbered heading in a document that styles its headings."""
        if not c.styled or not (known or _title_like(c.heading) or _short_line(c.block)):
            return False
        # Cover, letterhead and address lines before the text starts are none.
        return c.page != 1 or c.index >= self.first_body or known

    def plain_title(self, c: _Candidate, known: bool) -> bool:
        """An unnumbered heading in plain text: titled like one, known, or a short line above a
        numbered paragraph."""
        return bool(_title_like(c.heading, strict=True) or known or
                    (_short_line(c.block) and
                     _before_numbered_paragraph(self.pages, c.page, c.index)))

    def _level(self, c: _Candidate, dotted: tuple[int, ...] | None) -> int:
        level = len(dotted) if dotted else (c.explicit_level or c.block.level)
        if level is None:
            size = round(c.block.size, 1) if c.block.size else None
            level = self.sizes.index(size) + 1 if size is not None and size in self.sizes else 1
        return level


def _not_heading(text: str) -> bool:
    return any(p.fullmatch(text.strip()) for p in outline_rules().not_headings)


def _dotted(number: str | None) -> tuple[int, ...] | None:
    if not number or not number[0].isdigit():
        return None
    try:
        return tuple(int(part) for part in number.split("."))
    except ValueError:
        return None


def _follows(prev: tuple[int, ...] | None, cur: tuple[int, ...], max_jump: int = 3) -> bool:
    """Whether heading number ``cur`` can come after ``prev`` (allowing a few missed headings)."""
    if prev is None:
        return True
    if len(cur) > len(prev):  # going deeper: 2 -> 2.1, 2.3 -> 2.3.1
        return cur[: len(prev)] == prev and all(1 <= c <= max_jump for c in cur[len(prev):])
    k = len(cur)  # same depth or back up: 2.3 -> 2.4, 2.3 -> 3
    return cur[: k - 1] == prev[: k - 1] and 0 < cur[k - 1] - prev[k - 1] <= max_jump


def _parse_heading(text: str) -> tuple[str | None, str, int | None] | None:
    """(number, title, level implied by a division word) when the text can be a heading."""
    text = text.strip()
    if not text or len(text) > MAX_HEADING_CHARS or len(text.split()) > MAX_HEADING_WORDS:
        return None
    if text.endswith(_TERMINAL) or _TOC_ENTRY.match(text) and re.search(r"\.{3,}|…", text):
        return None
    m = outline_rules().division.match(text)
    if m and (m.group("title") == "" or m.group("title")[:1].isupper() or
              m.group("title")[:1].isdigit()):
        return _division_heading(text, m)
    m = _NUMBERED.match(text)
    if m:
        return _numbered_heading(m)
    if re.fullmatch(r"(19|20)\d\d", text):
        return None, text, None  # a year as a chronology sub-heading
    if not (text[:1].isupper() or text[:1].isdigit() or text[:1] in "'\""):
        return None
    return None, text, None


def _division_heading(text: str, m: re.Match[str]) -> tuple[str | None, str, int]:
    """"Section 4: Background", "Part B", "Appendix A"."""
    if m.group("word").lower() in ("appendix", "annex", "annexe"):
        return None, text, 1  # appendices are named, not numbered, in the outline
    number = m.group("num").upper() if not m.group("num").isdigit() else m.group("num")
    title = m.group("title").strip() or f"{m.group('word').title()} {number}"
    return number, title, 1


def _numbered_heading(m: re.Match[str]) -> tuple[str, str, None] | None:
    """"2.3 Background"; None for a number too high for a section or a lower-case title."""
    number, title = m.group("num"), m.group("title").strip()
    if int(number.split(".")[0]) > 60 or not (title[:1].isupper() or title[:1] in "'\"("):
        return None
    return number, title, None


def _styled(block: Block, body: float | None) -> bool:
    if block.kind == "heading":
        return True
    if block.bold:
        return True
    return bool(block.size and body and block.size >= body * 1.12)


def _before_numbered_paragraph(pages: list[list[Block]], page_no: int, index: int) -> bool:
    """Whether the next block is a numbered paragraph ("4.2 The panel..."), as under a heading."""
    blocks = pages[page_no - 1]
    nxt = (blocks[index + 1] if index + 1 < len(blocks)
           else (pages[page_no][0] if page_no < len(pages) and pages[page_no] else None))
    return (nxt is not None and re.match(r"^\d{1,2}\.\d{1,2}\.?\s+\S", nxt.text) is not None
            and len(nxt.text) > 60)


def _short_line(block: Block) -> bool:
    return "\n" not in block.text and len(re.findall(r"\w+", block.text)) <= 10


def _title_like(text: str, *, strict: bool = False) -> bool:
    if _simple(text) in outline_rules().known:
        return True
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", text)]
    if not words or len(words) > 12:
        return False
    if text.isupper() and len(words) >= 1 and len(text) >= 4:
        return True
    if strict:
        return False
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    return bool(significant) and sum(w[0].isupper() for w in significant) >= 0.75 * len(significant)


def _is_title_part(block: Block, title_key: str) -> bool:
    if _NUMBERED.match(block.text):
        return False
    key = _simple(block.text)
    return bool(key) and bool(title_key) and key in title_key


def _body_size(pages: list[list[Block]]) -> float | None:
    weights: dict[float, int] = {}
    for blocks in pages:
        for b in blocks:
            if b.size:
                weights[round(b.size, 1)] = weights.get(round(b.size, 1), 0) + len(b.text)
    return max(weights, key=weights.__getitem__) if weights else None


def find_title(pages: list[list[Block]], meta_title: str | None) -> str | None:
    """The document title: file metadata when meaningful, else the largest type on page 1,
    else a title-styled or level-1 heading block on the first page; otherwise unknown."""
    if meta_title:
        return meta_title
    first = next((blocks for blocks in pages[:3] if blocks), [])
    if not first:
        return None
    return _largest_type(pages, first) or next(
        (b.text for kind in ("title", "heading") for b in first
         if b.kind == kind and (b.level or 1) <= 1 and len(b.text) <= 250),
        None)  # unknown rather than guessed from an arbitrary first line


def _largest_type(pages: list[list[Block]], first: list[Block]) -> str | None:
    """The first run of blocks in the largest type on the first page, when that type stands
    out from the body text (and is no numbered heading)."""
    sized = [b.size for b in first if b.size]
    if not sized:
        return None
    top = max(sized)
    body = _body_size(pages[:10]) or statistics.median(sized)
    if top <= body * 1.15:
        return None
    parts = []
    for b in first:
        if b.size and b.size >= top * 0.95 and not _NUMBERED.match(b.text):
            parts.append(b.text)
        elif parts:
            break
    text = " ".join(parts)
    return text if 3 <= len(text) <= 250 else None
