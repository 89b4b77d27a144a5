"""Scrapy spider loader that lists one spider per source in config.yaml.

With it, ``scrapy list`` prints the configured source names and ``scrapy crawl preston`` crawls the
source named ``preston`` with the spider its ``kind`` (or ``spider:``) selects. The configuration is
read like every ``dhr`` command reads it: ``$DHR_CONFIG`` or ``./config.yaml``.
"""

from __future__ import annotations

import builtins
from typing import Any

from dhr.config import Config, load_config

from .spiders import spider_for_source


class SourceSpiderLoader:
    def __init__(self, config: Config):
        self.config = config
        self._spiders = {s.name: s for s in config.sources}

    @classmethod
    def from_settings(cls, settings: Any) -> SourceSpiderLoader:
        return cls(load_config())

    def list(self) -> list[str]:
        return [s.name for s in self.config.sources if s.enabled]

    def load(self, spider_name: str) -> type:
        try:
            source = self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name} (sources in config: "
                           f"{', '.join(self._spiders) or 'none'})") from None
        return spider_for_source(source, self.config)

    def find_by_request(self, request: Any) -> builtins.list[str]:
        return []
