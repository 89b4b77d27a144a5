"""HTML extraction: the main content of a report published as a web page.

Registered for format ``html``. Boilerplate goes first (scripts, navigation, headers and footers,
cookie banners, sidebars: by element, ARIA role, and class/id words), then the main content
element (``main``, ``article``, ``[role=main]``, ``#content``...) is walked in order: headings
keep their level, list items get their bullet or number, tables become rows and cells. A web
page is one page.
"""

from __future__ import annotations

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
    r"back-to-top|site-search|search-form)($|[\s_-])",
    re.IGNORECASE,
)
MAIN_XPATHS = ("//main", "//*[@role='main']", "//article", "//*[@id='main-content']",
               "//*[@id='content']", "//*[@id='main']", "//*[contains(@class,'main-content')]")
BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4",
              "h5", "h6", "table", "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption",
              "address", "hr", "body", "details", "summary", "center", "tr", "caption"}
_WS = re.compile(r"[ \t\r\n\f]+")


def extract_html(content: bytes) -> RawDocument:
    try:
        root = lxml.html.document_fromstring(content)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError("corrupt", f"the HTML cannot be parsed ({exc})") from exc
    page_title = _text(root.find(".//title")) if root.find(".//title") is not None else ""
    _drop_boilerplate(root)
    main = next((found[0] for xp in MAIN_XPATHS if (found := root.xpath(xp))), None)
    if main is None:
        main = root.find("body") if root.find("body") is not None else root
    walker = _Walker()
    walker.walk(main)
    walker.flush()
    blocks = walker.blocks
    h1s = [b for b in blocks if b.kind == "heading" and b.level == 1]
    h1 = h1s[0].text if h1s else None
    if len(h1s) == 1 and next(b for b in blocks if b.kind == "heading") is h1s[0]:
        h1s[0].kind = "title"  # the page's one h1 names the report; h2 are its top sections
        for b in blocks:
            if b.kind == "heading" and b.level:
                b.level = max(1, b.level - 1)
    title = h1 or re.split(r"\s+[|–—-]\s+", page_title)[0].strip() or None
    return RawDocument(format="html", pages=[blocks], tables=walker.tables, title=title,
                       meta={"html_title": page_title} if page_title else {})


def _drop_boilerplate(root) -> None:
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            if isinstance(el, (etree._Comment, etree._ProcessingInstruction)):
                doomed.append(el)
            continue
        tag = el.tag.lower()
        if tag in ("html", "body", "main"):
            continue
        role = (el.get("role") or "").lower()
        ident = f"{el.get('id') or ''} {el.get('class') or ''}"
        if (tag in DROP_TAGS or role in DROP_ROLES or el.get("aria-hidden") == "true"
                or "hidden" in el.attrib or (ident.strip() and BOILERPLATE.search(ident))):
            doomed.append(el)
    for el in doomed:
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


def _text(el) -> str:
    return _WS.sub(" ", el.text_content()).strip()


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.tables: list[Table] = []
        self.buffer: list[str] = []
        self.kind = "body"

    def flush(self, kind: str = "body", level: int | None = None, prefix: str = "") -> None:
        text = _WS.sub(" ", "".join(self.buffer)).strip()
        self.buffer = []
        if text:
            self.blocks.append(Block(text=f"{prefix}{text}" if prefix else text, kind=kind, level=level))  # type: ignore[arg-type]

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
                self.buffer.append(child.text_content())
                self.flush("heading", int(tag[1]))
            elif tag in ("ul", "ol"):
                self.flush()
                self._list(child, ordered=tag == "ol")
            elif tag == "table":
                self.flush()
                self._table(child)
            elif tag == "br":
                self.buffer.append("\n")
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
        rows: list[list[str]] = []
        for tr in el.iter("tr"):
            cells = [_text(td) for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]
            if any(cells):
                rows.append(cells)
                self.blocks.append(Block(text=" ".join(c for c in cells if c), kind="table"))
        if rows:
            self.tables.append(Table(page=1, rows=rows))
