"""Display helpers for the web UI's templates: labels, dates, and the one piece of trusted markup.

The search layer returns highlighted snippets as HTML that is already escaped except for
``<mark>`` tags. :func:`safe_snippet` marks such a string safe for Jinja only after checking
that it contains nothing but escaped text and balanced ``<mark>``/``</mark>`` tags; anything
else is shown as plain text (escaped, with the tags removed), so a backend bug cannot inject
markup. Every other value reaches the page through Jinja's autoescaping.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from dhr.taxonomy import label

# A snippet is a sequence of: escaped text, a well-formed character reference, or a mark tag.
_SNIPPET_TOKEN = re.compile(r"<mark>|</mark>|&(?:[a-z]{2,8}|#\d{1,7}|#x[0-9a-f]{1,6});|[^<>&]+",
                            re.IGNORECASE)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

DOC_TYPE_SHORT = {"home_office_letter": "Home Office letter"}


def safe_snippet(html: str | None) -> Markup:
    """The snippet as markup if it is escaped text with only <mark> tags, else as plain text."""
    text = html or ""
    depth, pos = 0, 0
    for m in _SNIPPET_TOKEN.finditer(text):
        if m.start() != pos:
            break
        token = m.group(0)
        if token.lower() == "<mark>":
            depth += 1
            if depth > 1:
                break
        elif token.lower() == "</mark>":
            depth -= 1
            if depth < 0:
                break
        pos = m.end()
    else:
        if pos == len(text) and depth == 0:
            return Markup(text)
    return escape(re.sub(r"</?mark>", "", text, flags=re.IGNORECASE))


def facet_label(kind: str, value: Any) -> str:
    if value is None or value == "":
        return "Not known"
    return label(kind, str(value))


def date_of_death(value: str | None) -> str:
    """``2019-04`` -> ``April 2019``; ``2019`` -> ``2019``; missing -> ``Not known``."""
    if not value:
        return "Not known"
    if len(value) >= 7 and value[5:7].isdigit() and 1 <= int(value[5:7]) <= 12:
        return f"{_MONTHS[int(value[5:7]) - 1]} {value[:4]}"
    return value[:4]


def year_of(review: dict[str, Any] | None) -> str:
    date = (review or {}).get("date_of_death") or (review or {}).get("year")
    return str(date)[:4] if date else "Not known"


def timestamp(value: str | None) -> str:
    """An ISO timestamp from the store as ``3 March 2024``."""
    if not value:
        return "Not known"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def yes_no(value: bool | None) -> str:
    return "Not known" if value is None else ("Yes" if value else "No")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def register(env: Any) -> None:
    """Install the helpers as Jinja filters and globals."""
    env.filters.update({
        "snippet": safe_snippet, "date_of_death": date_of_death, "year_of": year_of,
        "timestamp": timestamp, "yes_no": yes_no, "plural": plural,
    })
    env.globals.update({"facet_label": facet_label})
