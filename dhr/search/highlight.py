"""Safe snippet HTML: engines mark hits with private sentinels; we escape everything else.

The only markup a snippet may carry is ``<mark>``; all document text is HTML-escaped.
"""

from __future__ import annotations

import html
import re

from ..query import tokenize

PRE, POST = "\x02", "\x03"


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
