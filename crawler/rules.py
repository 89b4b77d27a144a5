"""Link rules: load ``crawler/rules.yaml`` and answer small questions about a link.

Used by the page parsers (``crawler/parsing``) to decide whether a link is a review document, a
page worth following, or a distractor; and by ``crawler/urls.py`` for tracking parameters and host
aliases. The rules are data so that a domain expert can adjust them without touching code.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).with_name("rules.yaml")


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


@dataclass(frozen=True)
class Rules:
    report_signals: list[re.Pattern[str]]
    distractor_signals: list[re.Pattern[str]]
    pagination_text: list[re.Pattern[str]]
    pagination_url: list[re.Pattern[str]]
    document_extensions: frozenset[str]
    skip_extensions: frozenset[str]
    document_url_patterns: list[re.Pattern[str]]
    tracking_params: tuple[str, ...]
    host_aliases: dict[str, str]
    library_card_fields: dict[str, str]
    min_fraction_of_last_run: float
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    # -- questions -----------------------------------------------------------------------
    def report_signal(self, *texts: str) -> str | None:
        """The first report signal found in any of ``texts`` (its matched text), else None."""
        return _first_match(self.report_signals, texts)

    def distractor_signal(self, *texts: str) -> str | None:
        return _first_match(self.distractor_signals, texts)

    def is_pagination(self, text: str, url: str) -> bool:
        return any(p.search(text) for p in self.pagination_text) or any(
            p.search(url) for p in self.pagination_url)

    def extension(self, path: str) -> str | None:
        """The lower-case extension of a URL path ('' path segments ignored), or None."""
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if "." not in last:
            return None
        return last.rsplit(".", 1)[-1].lower() or None

    def looks_like_document(self, url: str, path: str) -> bool:
        ext = self.extension(path)
        if ext in self.document_extensions:
            return True
        return any(p.search(url) for p in self.document_url_patterns)

    def is_skipped_extension(self, path: str) -> bool:
        return self.extension(path) in self.skip_extensions

    def is_tracking_param(self, name: str) -> bool:
        name = name.lower()
        return any(fnmatch.fnmatchcase(name, pat) for pat in self.tracking_params)


def _first_match(patterns: list[re.Pattern[str]], texts: tuple[str, ...]) -> str | None:
    for text in texts:
        if not text:
            continue
        for p in patterns:
            m = p.search(text)
            if m:
                return m.group(0)
    return None


def rules_from_dict(raw: dict) -> Rules:
    health = raw.get("health") or {}
    return Rules(
        report_signals=_compile(raw["report_signals"]),
        distractor_signals=_compile(raw["distractor_signals"]),
        pagination_text=_compile(raw["pagination_text"]),
        pagination_url=_compile(raw["pagination_url"]),
        document_extensions=frozenset(e.lower() for e in raw["document_extensions"]),
        skip_extensions=frozenset(e.lower() for e in raw["skip_extensions"]),
        document_url_patterns=_compile(raw["document_url_patterns"]),
        tracking_params=tuple(p.lower() for p in raw.get("tracking_params", [])),
        host_aliases={k.lower(): v.lower() for k, v in (raw.get("host_aliases") or {}).items()},
        library_card_fields={k.lower(): v for k, v in raw["library_card_fields"].items()},
        min_fraction_of_last_run=float(health.get("min_fraction_of_last_run", 0.5)),
        raw=raw,
    )


@lru_cache(maxsize=4)
def load_rules(path: str | Path = RULES_PATH) -> Rules:
    """Read and compile the rules file (cached: the file is read once per process)."""
    with open(path, encoding="utf-8") as fh:
        return rules_from_dict(yaml.safe_load(fh))
