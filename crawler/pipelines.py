"""Store pipeline: every fetched report goes into the content-addressed store (``dhr/store.py``).

- ``FetchedReport``: the bytes are stored under their sha256 (a no-op if already stored) and the
  sighting recorded; the store decides new / changed / unchanged by the hash alone, never by the
  server's ETag or Last-Modified.
- ``NotModified`` (304): the URL is still online with the same bytes (``touch_url``).
- a file deleted by a legal order (its sha256 or URL is tombstoned, ``dhr/takedown.py``) is
  dropped, never stored; the middleware does not even request a tombstoned URL.
- ``Gone`` (404/410): a report we hold is marked ``online: false`` with the date (never deleted);
  a link that never worked is a broken link in the run report.
Counts go into the spider's run state for the run report.
"""

from __future__ import annotations

from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from dhr.store import CorpusStore, sha256_bytes

from .items import FetchedReport, Gone, NotModified


class StorePipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        # One writer thread: catalog writes stay serial (no SQLite lock contention) while the
        # reactor keeps downloading.
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="dhr-store-writer")

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.pool.start()

    def close_spider(self) -> None:
        self.pool.stop()

    async def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        # Writing a file (fsync) and the catalog runs in the writer thread so that downloads go on
        # meanwhile; the run's bookkeeping stays in the reactor thread.
        outcome = await maybe_deferred_to_future(deferToThreadPool(
            reactor, self.pool, self._write, spider.store, item, item.url in spider.catalog))
        if isinstance(item, FetchedReport) and outcome.get("change") == "deleted":
            spider.count("refused_deleted")  # deleted by a legal order: not stored again
            item.body = b""
        elif isinstance(item, FetchedReport):
            spider.count(outcome["change"])
            spider.catalog[item.url] = outcome["info"]
            item.body = b""  # the bytes are stored; do not keep them in memory or logs
        elif isinstance(item, NotModified):
            spider.count("unchanged")
        elif isinstance(item, Gone):
            if outcome["known"]:
                if outcome["withdrawn"]:
                    spider.count("withdrawn")
                spider.run["report_urls"].discard(item.url)
            else:
                spider.run["broken_links"][item.url] = {
                    "url": item.fetched_url, "status": item.http_status, "found_on": item.found_on}
        return item

    @staticmethod
    def _write(store: CorpusStore, item: Any, known: bool) -> dict[str, Any]:
        if isinstance(item, FetchedReport):
            if store.is_tombstoned_url(item.url) or store.is_tombstoned(sha256_bytes(item.body)):
                return {"change": "deleted"}
            put = store.put(item.body, ext=item.ext, filename=item.filename,
                            content_type=item.content_type)
            sighting = store.record_sighting(
                item.url, put.sha256, source=item.source, etag=item.etag,
                last_modified=item.last_modified, http_status=item.http_status,
                metadata=item.metadata or None)
            return {"change": sighting.change, "info": store.url_info(item.url) or {}}
        if isinstance(item, NotModified):
            store.touch_url(item.url, http_status=item.http_status)
            return {}
        if isinstance(item, Gone) and known:
            return {"known": True,
                    "withdrawn": store.mark_offline(item.url, http_status=item.http_status)}
        return {"known": False}
