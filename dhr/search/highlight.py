"""Safe snippet HTML: engines mark hits with private sentinels; we escape everything else.

The only markup a snippet may carry is ``<mark>``; all document text is HTML-escaped.
"""

from __future__ import annotations

import html
import re

from ..query import Node, Phrase, Prefix, Term, positive_leaves, tokenize

PRE, POST = "\x02", "\x03"
# A snippet is cut for every result of a page (up to 100): its cost must not grow with the
# query, or 400 prefixes OR-ed together are matched again for each result.
MAX_HIGHLIGHT_LEAVES = 10


def highlight_leaves(node: Node | None) -> list[Term | Phrase | Prefix]:
    """What a snippet marks: the query's positive leaves, each once, the first
    :data:`MAX_HIGHLIGHT_LEAVES` of them."""
    return list(dict.fromkeys(positive_leaves(node)))[:MAX_HIGHLIGHT_LEAVES]


def safe_snippet(raw: str) -> str:
    text = re.sub(r"\s+", " ", raw).strip()
    return html.escape(text, quote=True).replace(PRE, "<mark>").replace(POST, "</mark>")


def normalize_for_index(text: str) -> str:
    """The text both engines tokenise for matching: our own tokens, space-separated.

    Feeding Elasticsearch and SQLite the same pre-tokenised text (lower-cased, accents folded,
    possessives dropped, split on anything not a letter or digit) makes their token streams
    identical, so phrases and words match the same documents in both. Snippets are cut from
    the original page text, not from this.
    """
    return " ".join(tokenize(text))
