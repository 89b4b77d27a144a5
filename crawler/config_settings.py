"""Scrapy settings derived from config.yaml (the ``crawler`` section), contract.md section 1a.

One mapping used by both entry points, ``dhr crawl`` (``crawler/run.py``) and ``scrapy crawl``
(``crawler/settings.py``), so they behave the same: politeness (User-Agent with contact URL,
robots.txt, delay, AutoThrottle, at most 2 concurrent requests per domain), limits (file size,
timeout, retries) and safety (static host map, private addresses).
"""

from __future__ import annotations

from typing import Any

from dhr.config import Config

MB = 1024 * 1024


def settings_from_config(config: Config) -> dict[str, Any]:
    c = config.crawler
    max_size = c.max_file_size_mb * MB
    return {
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": c.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if c.download_delay > 0 else 0.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrent_requests_per_domain,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(c.download_delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_MAXSIZE": max_size,
        "DOWNLOAD_WARNSIZE": min(32 * MB, max_size),
        "DOWNLOAD_TIMEOUT": c.timeout,
        "RETRY_TIMES": c.retries,
        "DHR_HOSTS": dict(c.hosts),
        "DHR_ALLOW_PRIVATE_HOSTS": c.allow_private_hosts,
        "DHR_DATA_DIR": str(config.data_dir),
    }
