"""Scrapy settings for the crawler project (``scrapy.cfg`` points here).

Static choices live here; everything a deployment tunes comes from config.yaml's ``crawler``
section through ``crawler/config_settings.py`` (applied below when a config file is found, and by
each source spider, so ``scrapy crawl <source>`` and ``dhr crawl`` behave the same).
"""

from __future__ import annotations

import os

BOT_NAME = "dhr-crawler"
SPIDER_MODULES = ["crawler.spiders"]
SPIDER_LOADER_CLASS = "crawler.spider_loader.SourceSpiderLoader"

ROBOTSTXT_OBEY = True
USER_AGENT = "dhr-repository (+https://example.org/contact)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening control port on a crawler host
LOG_LEVEL = "INFO"
WARN_ON_GENERATOR_RETURN_VALUE = False  # it re-reads callback source code on every call

# Safety: host map + refusal of private addresses on resolution; canonical-URL de-duplication.
TWISTED_DNS_RESOLVER = "crawler.resolver.SafeResolver"
REQUEST_FINGERPRINTER_CLASS = "crawler.urls.CanonicalRequestFingerprinter"
DHR_HOSTS: dict[str, str] = {}
DHR_ALLOW_PRIVATE_HOSTS = False

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SafetyMiddleware": 50,
    "crawler.middlewares.TombstoneMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.PoliteRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DHR_RETRY_BACKOFF = 1.0        # seconds, doubled on each retry
DHR_RETRY_BACKOFF_MAX = 60.0
DHR_RETRY_AFTER_MAX = 300.0    # never wait longer than this for a Retry-After
DHR_MAX_CRAWL_DELAY = 30.0     # seconds: a robots.txt Crawl-delay above this is capped

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
# Before SpiderState (0): the run state it updates at close must be what JOBDIR saves.
EXTENSIONS = {"crawler.extensions.RunHealth": -10,
              "scrapy.extensions.remote_control.RemoteControl": None}
DHR_WRITE_REPORT = True

# `scrapy crawl` / `scrapy list` from the repository root read config.yaml (or $DHR_CONFIG).
if not os.environ.get("DHR_CRAWLER_NO_CONFIG"):
    from dhr.config import ConfigError, load_config

    from .config_settings import settings_from_config

    try:
        globals().update(settings_from_config(load_config()))
    except ConfigError as err:
        raise SystemExit(f"error: {err}") from None
