"""HTML extraction: the main content of a report published as a web page.

Registered for format ``html``. Boilerplate goes first (scripts, navigation, headers and footers,
cookie banners, sidebars: by element, ARIA role, and class/id words), then the main content
element (``main``, ``article``, ``[role=main]``, ``#content``...) is walked in order: headings
keep their level, list items get their bullet or number, tables become rows and cells. A web
page is one page. Older sites are handled too: paragraphs separated only by ``<br><br>``, whole
pages laid out in tables (a table whose cells hold headings or other tables is walked as a
container, not read as data), and ``<header>`` elements inside the article (they hold the
report's title and are kept, unlike the site's header).
"""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from ingest.errors import ExtractionError
from ingest.extracted import Block, RawDocument, Table

DROP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
             "svg", "canvas", "template", "button", "select", "input", "object", "embed", "video",
             "audio", "map", "dialog"}
DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert",
              "menu", "menubar"}
BOILERPLATE = re.compile(
    r"(^|[\s_-])(cookie|cookies|consent|gdpr|banner|navbar|nav|navigation|menu|breadcrumbs?|"
    r"footer|header|masthead|sidebar|skip|share|social|newsletter|related|feedback|print|"
    r"back-to-top|site-search|search-form|(?:left|right|top|side|sub|site|main|primary|secondary)"
    r"[-_]?(?:nav|navigation|menu|bar))($|[\s_-])",
    re.IGNORECASE,
)
MAIN_XPATHS = ("//main", "//*[@role='main']", "//article", "//*[@id='main-content']",
               "//*[@id='content']", "//*[@id='main']", "//*[contains(@class,'main-content')]")
BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4",
              "h5", "h6", "table", "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption",
              "address", "hr", "body", "details", "summary", "center", "tr", "caption"}
_WS = re.compile(r"[ \t\r\n\f]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{2,40})""",
                           re.IGNORECASE)
_BR = "\x0b"  # a <br> while text is collected; two or more in a row separate paragraphs
_PARA_BREAK = re.compile(r"\x0b[ \t\r\n\f]*(?:\x0b[ \t\r\n\f]*)+")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_LAYOUT_MARKERS = _HEADINGS + ("table", "ul", "ol", "main", "article", "nav", "form")
_CONTENT_ANCESTORS = ("main", "article")


def extract_html(content: bytes) -> RawDocument:
    try:
        parser = lxml.html.HTMLParser(encoding=html_encoding(content))
        root = lxml.html.document_fromstring(content, parser=parser)
    except (etree.ParserError, ValueError, LookupError) as exc:
        raise ExtractionError("corrupt", f"the HTML cannot be parsed ({exc})") from exc
    page_title = _text(root.find(".//title")) if root.find(".//title") is not None else ""
    _drop_boilerplate(root)
    main = next((found[0] for xp in MAIN_XPATHS if (found := root.xpath(xp))), None)  # type: ignore[index]
    if main is None:
        main = root.find("body") if root.find("body") is not None else root
    walker = _Walker()
    walker.walk(main)
    walker.flush()
    blocks = walker.blocks
    h1 = _title_from_h1(blocks)
    title = h1 or re.split(r"\s+[|–—-]\s+", page_title)[0].strip() or None
    return RawDocument(format="html", pages=[blocks], tables=walker.tables, title=title,
                       meta={"html_title": page_title} if page_title else {})


def _title_from_h1(blocks: list[Block]) -> str | None:
    """The text of the first h1; a page's one h1 heading the page names the report (it becomes
    its title block and the h2 its top sections)."""
    h1s = [b for b in blocks if b.kind == "heading" and b.level == 1]
    if len(h1s) == 1 and next(b for b in blocks if b.kind == "heading") is h1s[0]:
        h1s[0].kind = "title"  # the page's one h1 names the report; h2 are its top sections
        for b in blocks:
            if b.kind == "heading" and b.level:
                b.level = max(1, b.level - 1)
    return h1s[0].text if h1s else None


def html_encoding(content: bytes) -> str:
    """The page's character encoding: byte-order mark, then ``<meta charset>``, then UTF-8 if the
    bytes are valid UTF-8 (pages served as UTF-8 by an HTTP header often do not say so in the
    page; the HTML default, Latin-1, would garble them), else Windows-1252 as browsers do."""
    for bom, name in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                      (b"\xfe\xff", "utf-16-be")):
        if content.startswith(bom):
            return name
    m = _META_CHARSET.search(content[:4096])
    if m:
        try:
            name = codecs.lookup(m.group(1).decode("ascii")).name
        except LookupError:
            name = ""
        if name in ("latin-1", "iso8859-1", "ascii"):
            return "cp1252"
        if name and name != "utf-8" and not name.startswith("utf-16"):  # readable here: not utf-16
            return name
    # Undeclared, or declared UTF-8: UTF-8 when the bytes are valid UTF-8 (a page mislabelled as
    # UTF-8 is nearly always Windows-1252).
    return "utf-8" if _is_utf8(content) else "cp1252"


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(content) - 3  # only a character cut at the very end
    return True


def _drop_boilerplate(root) -> None:
    doomed = [el for el in root.iter() if _is_boilerplate(el)]
    for el in doomed:
        _remove_keeping_tail(el)


def _is_boilerplate(el) -> bool:
    """Comments, processing instructions and site chrome (navigation, banners, hidden parts)."""
    if not isinstance(el.tag, str):
        return isinstance(el, (etree._Comment, etree._ProcessingInstruction))
    tag = el.tag.lower()
    if tag in ("html", "body", "main"):
        return False
    role = (el.get("role") or "").lower()
    ident = f"{el.get('id') or ''} {el.get('class') or ''}"
    if tag == "header" and not role and _inside_content(el):
        return False  # an article's own header: its title and date, not site chrome
    return bool(tag in DROP_TAGS or role in DROP_ROLES or el.get("aria-hidden") == "true"
                or "hidden" in el.attrib or (ident.strip() and BOILERPLATE.search(ident)))


def _remove_keeping_tail(el) -> None:
    """Remove an element, keeping the text that followed it."""
    parent = el.getparent()
    if parent is not None:
        tail = el.tail
        parent.remove(el)
        if tail and tail.strip():  # keep text that followed the removed element
            prev = parent[-1] if len(parent) else None
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail


def _inside_content(el) -> bool:
    return any(isinstance(a.tag, str) and a.tag.lower() in _CONTENT_ANCESTORS
               for a in el.iterancestors())


def _text(el) -> str:
    """Text of an element with a space wherever a block or a line break separates words."""
    parts: list[str] = []

    def walk(node) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                tag = child.tag.lower()
                block = tag in BLOCK_TAGS or tag in ("br", "td", "th")
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return _WS.sub(" ", "".join(parts)).strip()


def _own_rows(table) -> list:
    """Rows of this table, not of tables nested in its cells."""
    rows = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if isinstance(r.tag, str) and r.tag.lower() == "tr")
    return rows


def _cells(tr) -> list:
    return [td for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]


def _span(td, name: str) -> int:
    try:
        return max(1, min(int(td.get(name) or 1), 100))
    except ValueError:
        return 1


def _grid_row(cells: list[tuple[str, int, int]], spans: dict[int, int]) -> list[str]:
    """A row's cell texts on the table grid: a column covered by a cell above (``rowspan``) is an
    empty cell, and a cell spanning columns (``colspan``) is followed by empty cells, so every
    row lines up with the header. ``spans`` carries the rowspans on to the next row."""
    out: list[str] = []
    col = 0
    for text, rowspan, colspan in cells:
        while spans.get(col, 0) > 0:
            spans[col] -= 1
            out.append("")
            col += 1
        out.append(text)
        out.extend("" for _ in range(colspan - 1))
        for c in range(col, col + colspan):
            if rowspan > 1:
                spans[c] = rowspan - 1
        col += colspan
    while any(v > 0 for c, v in spans.items() if c >= col):
        if spans.get(col, 0) > 0:
            spans[col] -= 1
        out.append("")
        col += 1
    return out


def _is_layout_table(table, rows: list) -> bool:
    """A table used to lay out the page (cells hold headings, lists or other tables)."""
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return True
    for tr in rows:
        for td in _cells(tr):
            if next(td.iter(*_LAYOUT_MARKERS), None) is not None:
                return True
    return False


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.tables: list[Table] = []
        self.buffer: list[str] = []
        self.kind = "body"

    def flush(self, kind: str = "body", level: int | None = None, prefix: str = "") -> None:
        raw = "".join(self.buffer)
        self.buffer = []
        parts = _PARA_BREAK.split(raw) if _BR in raw else [raw]
        for i, part in enumerate(parts):
            text = _WS.sub(" ", part.replace(_BR, " ")).strip()
            if text:
                pre = prefix if i == 0 else ""
                self.blocks.append(Block(text=f"{pre}{text}" if pre else text, kind=kind,  # type: ignore[arg-type]
                                         level=level))

    def walk(self, el) -> None:
        if el.text:
            self.buffer.append(el.text)
        for child in el:
            if not isinstance(child.tag, str):
                if child.tail:
                    self.buffer.append(child.tail)
                continue
            tag = child.tag.lower()
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.flush()
                self.buffer.append(_text(child))
                self.flush("heading", int(tag[1]))
            elif tag in ("ul", "ol"):
                self.flush()
                self._list(child, ordered=tag == "ol")
            elif tag == "table":
                self.flush()
                self._table(child)
            elif tag == "br":
                self.buffer.append(_BR)
            elif tag in BLOCK_TAGS:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)
            if child.tail:
                self.buffer.append(child.tail)

    def _list(self, el, *, ordered: bool) -> None:
        try:
            n = int(el.get("start", "1"))
        except ValueError:
            n = 1
        for li in el:
            if not isinstance(li.tag, str) or li.tag.lower() != "li":
                continue
            nested = [c for c in li if isinstance(c.tag, str) and c.tag.lower() in ("ul", "ol")]
            for c in nested:
                li.remove(c)
            self.walk(li)
            self.flush("list", prefix=f"{n}. " if ordered else "• ")
            n += 1
            for c in nested:
                self._list(c, ordered=c.tag.lower() == "ol")

    def _table(self, el) -> None:
        own = _own_rows(el)
        if _is_layout_table(el, own):
            for tr in own:
                for td in _cells(tr):
                    self.flush()
                    self.walk(td)
                    self.flush()
            return
        rows: list[list[str]] = []
        spans: dict[int, int] = {}  # column -> rows still covered by a cell above (rowspan)
        for tr in own:
            cells = _grid_row([(_text(td), _span(td, "rowspan"), _span(td, "colspan"))
                               for td in _cells(tr)], spans)
            if any(cells):
                rows.append(cells)
                self.blocks.append(Block(text=" ".join(c for c in cells if c), kind="table"))
        if rows:
            self.tables.append(Table(page=1, rows=rows))
