"""Cleaning page text: boilerplate out, characters normalised, paragraphs kept.

Runs after a format extractor and before ``sections.py``. Removes running headers and footers
(lines in a page's edge blocks that repeat across pages, compared with digits ignored), page
numbers, and protective markings (``OFFICIAL``, ``OFFICIAL-SENSITIVE``, ``RESTRICTED``...);
joins words hyphenated across line ends; normalises ligatures, quotes and whitespace. Each block
stays one paragraph, so page text keeps its paragraph boundaries (blank lines). The rules are
data: ``cleaning.yaml``.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ingest.extracted import Block, Table

RULES_PATH = Path(__file__).with_name("cleaning.yaml")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_SPACES = re.compile(r"[ \t]+")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w#]+")


@dataclass(frozen=True)
class Rules:
    marking: re.Pattern[str]
    page_number: re.Pattern[str]
    share: float
    min_pages: int
    table: dict[int, str]


@lru_cache(maxsize=1)
def rules() -> Rules:
    data = yaml.load(RULES_PATH.read_text(encoding="utf-8"),  # libyaml: a faster cold start
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    table: dict[int, str] = {ord(k): v for k, v in data["characters"].items()}
    for code in range(32):  # other control characters are noise from PDF text layers
        if chr(code) not in "\n\t" and code not in table:
            table[code] = " "
    table[ord("\r")] = "\n"
    return Rules(
        marking=re.compile("(?:" + "|".join(data["markings"]) + r")\.?"),
        page_number=re.compile("(?:" + "|".join(data["page_numbers"]) + ")", re.IGNORECASE),
        share=float(data["running"]["share"]),
        min_pages=int(data["running"]["min_pages"]),
        table=table,
    )


def normalize_chars(text: str) -> str:
    """Ligatures, curly quotes, odd spaces and control characters -> plain equivalents."""
    return text.translate(rules().table)


def is_marking(line: str) -> bool:
    line = line.strip()
    return len(line) <= 60 and rules().marking.fullmatch(line) is not None


def is_page_number(line: str) -> bool:
    line = line.strip()
    return len(line) <= 30 and rules().page_number.fullmatch(line) is not None


def line_key(line: str) -> str:
    """Comparison key for running headers: case, punctuation and digits ignored."""
    return _NON_WORD.sub(" ", _DIGITS.sub("#", line.lower())).strip()


def running_threshold(n_pages: int) -> int:
    r = rules()
    return max(2, min(r.min_pages, n_pages - 1), math.ceil(r.share * n_pages))


def running_lines(pages: list[list[Block]]) -> set[str]:
    """Keys of lines in edge blocks that repeat on enough pages to be running headers/footers."""
    n = len(pages)
    if n < 2:
        return set()
    counts: dict[str, int] = {}
    for blocks in pages:
        seen = {line_key(ln) for b in blocks if b.edge for ln in b.text.split("\n")}
        for key in seen:
            if key:
                counts[key] = counts.get(key, 0) + 1
    limit = running_threshold(n)
    return {k for k, c in counts.items() if c >= limit}


def join_lines(text: str, vocabulary: set[str] | frozenset[str] = frozenset()) -> str:
    """Unwrap a paragraph's lines; a word hyphenated at a line end loses its hyphen only when
    the document uses the joined word elsewhere."""
    lines = [ln.strip() for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        return ""
    out = lines[0]
    for nxt in lines[1:]:
        if out.endswith("-") and len(out) >= 2 and out[-2].isalpha() and nxt[:1].isalpha():
            left = _trailing_word(out[:-1])
            right = _leading_word(nxt)
            joined = (left + right).lower()
            if (nxt[0].islower() and joined in vocabulary
                and f"{left}-{right}".lower() not in vocabulary):
                out = out[:-1] + nxt
            else:
                out = out + nxt
        else:
            out = out + " " + nxt
    return out


def _trailing_word(s: str) -> str:
    m = re.search(r"[A-Za-z]+$", s)
    return m.group(0) if m else ""


def _leading_word(s: str) -> str:
    m = re.match(r"[A-Za-z]+", s)
    return m.group(0) if m else ""


def clean_text(text: str, vocabulary: set[str] | frozenset[str] = frozenset()) -> str:
    return _SPACES.sub(" ", join_lines(normalize_chars(text), vocabulary)).strip()


def clean_pages(pages: list[list[Block]]) -> list[list[Block]]:
    """Blocks per page with boilerplate removed and text normalised (one paragraph each)."""
    table = rules().table
    normalized = [[_with_text(b, b.text.translate(table)) for b in blocks] for blocks in pages]
    running = running_lines(normalized)
    small_edges = _small_edge_blocks(normalized) if len(normalized) == 1 else set()
    hyphenated = any("-\n" in b.text for blocks in normalized for b in blocks)
    vocabulary = ({w.lower() for blocks in normalized for b in blocks
                   for w in _WORD.findall(b.text)}
                  if hyphenated else set())  # only needed to decide line-end hyphens
    out: list[list[Block]] = []
    for blocks in normalized:
        kept: list[Block] = []
        for b in blocks:
            if id(b) in small_edges:
                continue
            lines = [ln for ln in b.text.split("\n") if ln.strip()
                     and not _is_boilerplate(ln, b, running)]
            text = _SPACES.sub(" ", join_lines("\n".join(lines), vocabulary)).strip()
            if text:
                b.text = text  # ``b`` is this function's own copy
                kept.append(b)
        out.append(kept)
    return out


def _with_text(block: Block, text: str) -> Block:
    new = copy.copy(block)
    new.text = text
    return new


def _small_edge_blocks(pages: list[list[Block]]) -> set[int]:
    """A one-page document has no repetition to go by: its header/footer is the small type in
    the top and bottom margin bands."""
    sizes: dict[float, int] = {}
    for b in pages[0]:
        if b.size:
            sizes[round(b.size, 1)] = sizes.get(round(b.size, 1), 0) + len(b.text)
    if not sizes:
        return set()
    body = max(sizes, key=sizes.__getitem__)
    return {id(b) for b in pages[0] if b.edge and b.edge_rank is not None and b.size
            and b.size < body * 0.95}


def _is_boilerplate(line: str, block: Block, running: set[str]) -> bool:
    if is_marking(line):
        return True
    if block.edge is None:
        return False
    if line_key(line) in running:
        return True
    return (block.edge_rank or 0) <= 1 and is_page_number(line)


def clean_tables(tables: list[Table]) -> list[Table]:
    return [Table(page=t.page, rows=[[clean_text(c) for c in row] for row in t.rows], bbox=t.bbox)
            for t in tables]


def page_text(blocks: list[Block]) -> str:
    return "\n\n".join(b.text for b in blocks)
