"""Dates as action plans print them ("March 2024", "03/2024", "31.03.24", "Q2 2024/25", "End of
financial year 2024/25", "Spring 2024") turned into ISO year-month ("2024-03"), a year alone
("2024") when only the year is named, or None when no date is named ("Ongoing", "End of
financial year", "Within six months").

Rules (UK conventions, day before month):
- a day, month and year (``31/03/2024``, ``31.03.24``, ``31st March 2024``, ``2024-03-31``),
  a month and year (``March 2024``, ``Mar-24``, ``03/2024``, ``03/24``, ``2024-03``) give that
  month;
- a calendar quarter (``Q2 2024``, ``Quarter 2 2024``) gives its last month (2024-06);
- a financial-year quarter (``Q2 2024/25``, ``Q4 2023-24``) gives its last month in the UK
  financial year that starts in April: Q1 June, Q2 September, Q3 December, Q4 March of the second
  year (Q2 2024/25 is 2024-09, Q4 2024/25 is 2025-03);
- a financial year (``2024/25``, ``FY 2024-25``, ``FY24/25``, ``17/18`` when the first number
  cannot be a month, ``end of financial year 2024/25``) gives its
  last month, March of the second year (2025-03); "end of (the) financial year" without a year
  names no date (None), and neither do relative periods ("within 6 months", "ongoing");
- "end of 2024" gives December (2024-12); a season (``Spring 2024``) or a bare year (``2024``)
  names a year but no month and gives ``"2024"``;
- a range (``April 2024 - March 2025``) gives its end.
Two-digit years are 20xx; "QI"/"Ql" (an OCR reading of "Q1") is the first quarter. :func:`find_date`
also returns where the date is, so progress text can
be split into status, date and outcome (``understanding.progress``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = {m[:3]: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_Y4 = r"(?:19|20)\d{2}"
_YY = r"(?:(?:19|20)?\d{2})"
_FY = (rf"(?P<fy1>{_Y4})\s*[/\-–]\s*(?P<fy2>{_YY})(?!\d)"
       r"|(?:FY|F/Y)\s*(?P<fy3>\d{2})(?!\d)\s*[/\-–]?\s*(?P<fy4>\d{2})(?!\d)"
       r"|(?<![\d/.])(?P<fy5>1[3-9]|[2-9]\d)/(?P<fy6>\d{2})(?![\d/.])")
_SEP = r"\s*[/.\-]\s*"

# (kind, pattern); every pattern is searched, the leftmost (then longest) match wins.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(k, re.compile(p, re.IGNORECASE)) for k, p in [
    ("fy_quarter",
     rf"\b(?:Q|quarter\s*)(?P<q>[1-4Il|])\b[.,:]?\s*(?:of\s+)?(?:the\s+)?(?:financial\s+year\s+)?(?:{_FY})"),
    ("quarter",
     rf"\b(?:Q|quarter\s*)(?P<q>[1-4Il|])\b[.,:]?\s*(?:of\s+)?(?P<y>{_Y4})\b(?!\s*[/\-–]\s*\d)"),
    ("fy",
     rf"(?:\b(?:end\s+of\s+)?(?:the\s+)?(?:financial\s+year|fin(?:ancial)?\.?\s+yr|year\s+end)\s*)?\b(?:{_FY})"),
    ("dmy", rf"\b(?P<d>[0-3]?\d){_SEP}(?P<m>[01]?\d){_SEP}(?P<y>{_YY})\b"),
    ("ymd", rf"\b(?P<y>{_Y4})-(?P<m>[01]\d)(?:-(?P<d>[0-3]\d))?\b"),
    ("d_month_y", rf"\b(?:[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?)?{_MONTH}[\s,\-']*(?P<y>{_YY})\b"),
    ("month_y_slash", rf"(?<![\d/.])\b(?P<m>[01]?\d)\s*[/.]\s*(?P<y>{_Y4}|\d{{2}})\b(?![/.]\d)"),
    ("end_of_year", rf"\b(?:end|close)\s+of\s+(?:the\s+)?(?:calendar\s+year\s+)?(?P<y>{_Y4})\b"),
    ("season",
     (r"\b(?:early\s+|late\s+|mid[- ])?(?P<season>spring|summer|autumn|fall|winter)"
      rf"\s+(?:of\s+)?(?P<y>{_Y4})(?:\s*[/\-]\s*\d{{2,4}})?\b")),
    ("year", rf"(?<![\d/.\-])\b(?P<y>{_Y4})\b(?![/.\-]\d)"),
]]
_RANGE = re.compile(r"\s*(?:-|–|—|to|until|through)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class DateHit:
    """A date found in text: its ISO value ("2024-03" or "2024") and where it was printed."""

    value: str
    start: int
    end: int


def _quarter(text: str) -> int:
    return 1 if text in "IilL|" else int(text)  # OCR reads "Q1" as "QI" or "Ql" (any case)


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def _value(kind: str, m: re.Match[str]) -> str | None:
    g = m.groupdict()
    if kind in ("fy_quarter", "fy"):
        if g.get("fy1"):
            start, end = _year(g["fy1"]), _year(g["fy2"])
        elif g.get("fy3"):
            start, end = _year(g["fy3"]), _year(g["fy4"])
        else:  # "17/18": two-digit years one apart, the first no month
            start, end = _year(g["fy5"]), _year(g["fy6"])
        if end % 100 != (start + 1) % 100:
            return None  # "2019-2021" is a span of years, not a financial year
        if kind == "fy":
            return f"{start + 1}-03"
        q = _quarter(g["q"])
        return f"{start + 1}-03" if q == 4 else f"{start}-{q * 3 + 3:02d}"
    if kind == "quarter":
        return f"{g['y']}-{_quarter(g['q']) * 3:02d}"
    if kind in ("dmy", "ymd", "month_y_slash"):
        month = int(g["m"])
        if not 1 <= month <= 12 or (g.get("d") and not 1 <= int(g["d"]) <= 31):
            return None
        return f"{_year(g['y'])}-{month:02d}"
    if kind == "d_month_y":
        return f"{_year(g['y'])}-{_MONTHS[g['mon'][:3].lower()]:02d}"
    if kind == "end_of_year":
        return f"{g['y']}-12"
    return g["y"]  # season, year: a year without a month


_DIGIT = re.compile(r"\d")


def _hits(text: str) -> list[DateHit]:
    if not _DIGIT.search(text):
        return []  # every date form has a digit ("Ongoing", "End of financial year")
    hits = []
    for kind, pat in _PATTERNS:
        for m in pat.finditer(text):
            value = _value(kind, m)
            if value is not None:
                hits.append(DateHit(value, m.start(), m.end()))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[DateHit] = []
    for h in hits:  # leftmost-longest, no overlaps
        if not out or h.start >= out[-1].end:
            out.append(h)
    return out


def find_dates(text: str) -> list[DateHit]:
    """Every date printed in ``text``, left to right; a range ("April 2024 - March 2025") is one
    hit spanning both ends, valued as its end."""
    hits = _hits(text)
    out: list[DateHit] = []
    for h in hits:
        if out and _RANGE.fullmatch(text[out[-1].end:h.start]):
            out[-1] = DateHit(h.value, out[-1].start, h.end)
        else:
            out.append(h)
    return out


def find_date(text: str) -> DateHit | None:
    """The first date printed in ``text`` (see the module rules), or None."""
    hits = find_dates(text or "")
    return hits[0] if hits else None


def year_month(text: str | None) -> str | None:
    """ISO year-month ("2024-03"), year ("2024") or None for a printed date cell."""
    hit = find_date(text or "")
    return hit.value if hit else None
