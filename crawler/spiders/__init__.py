"""Spiders: one per configured source, made from the class its ``kind`` (or ``spider:``) names.

``spider_for_source(source, config)`` returns a subclass named after the source, carrying its
configuration; ``scrapy list`` / ``scrapy crawl <source>`` get the same classes through
``crawler/spider_loader.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

from dhr.config import Config, ConfigError, SourceConfig

from .base import SourceSpider
from .homeoffice_library import HomeOfficeLibrarySpider
from .site import SiteSpider
from .sites import SelectMenuSiteSpider

SPIDERS_BY_KIND: dict[str, type[SourceSpider]] = {
    "site": SiteSpider,
    "homeoffice_library": HomeOfficeLibrarySpider,
}
PER_SITE_SPIDERS: Mapping[str, type[SourceSpider]] = {
    cls.__name__: cls for cls in (SelectMenuSiteSpider,)
} | {cls.name: cls for cls in (SelectMenuSiteSpider,)}


def spider_class(source: SourceConfig) -> type[SourceSpider]:
    if source.spider:
        try:
            return PER_SITE_SPIDERS[source.spider]
        except KeyError:
            known = ", ".join(sorted(c.__name__ for c in set(PER_SITE_SPIDERS.values())))
            raise ConfigError(f"source {source.name}: unknown spider {source.spider!r}"
                              f" (known: {known})") from None
    return SPIDERS_BY_KIND[source.kind]


def spider_for_source(source: SourceConfig, config: Config) -> type[SourceSpider]:
    base = spider_class(source)
    return type(f"{base.__name__}_{source.name.replace('-', '_').replace('.', '_')}", (base,),
                {"name": source.name, "source": source, "dhr_config": config,
                 "__module__": base.__module__})
