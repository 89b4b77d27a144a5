"""Per-site spiders: small subclasses of the generic site spider for sites where the rules in
``crawler/rules.yaml`` and per-source selectors are not enough. A source picks one with
``spider: <ClassName>`` in config.yaml. Each is tested offline against a saved page."""

from .select_menu import SelectMenuSiteSpider

__all__ = ["SelectMenuSiteSpider"]
