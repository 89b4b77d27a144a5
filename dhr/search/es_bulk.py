"""Bulk loading for the Elasticsearch backend: a few ``streaming_bulk`` streams at once.

Sending one bulk request at a time leaves most of a cluster idle: a request's documents for one
shard are indexed by one write thread, and the client waits for each answer before building the
next request. So :func:`parallel_bulk` spreads the actions over a few sender threads, each
running the client's own ``streaming_bulk`` (requests capped by action count and by bytes, items
rejected with 429 retried with backoff). Every action for one ``_id`` goes to the same sender,
in order, so two versions of a document (or a document and a later delete) are never applied out
of order. Building the actions (Python: tokenising, serialising) runs in a thread of its own
ahead of the senders (:func:`prefetched`).
https://www.elastic.co/guide/en/elasticsearch/reference/8.15/tune-for-indexing-speed.html
"""

from __future__ import annotations

import queue
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from elasticsearch import Elasticsearch, helpers

# Measured side by side on a warmed one-node 2-CPU machine, 1,000 documents of 30 KB, three loads
# each: 3 requests of 5 MB 154-177 docs/s, 4 of 5 MB 168-193, 2 of 2 MB 184-188, 4 of 2 MB
# 189-200 (and less Elasticsearch CPU per document: 5.9 ms against 6.7).
BULK_WORKERS = 4  # concurrent bulk requests
BULK_ACTIONS = 1000  # at most this many actions in one bulk request...
BULK_BYTES = 2 * 1024 * 1024  # ...and at most this many bytes (Elastic suggests a few MB)
_QUEUE_DEPTH = 200
_DONE = object()


def parallel_bulk(client: Elasticsearch, actions: Iterable[dict[str, Any]], *,
                  on_result: Callable[[bool, dict[str, Any]], bool],
                  workers: int = BULK_WORKERS, chunk_actions: int = BULK_ACTIONS,
                  chunk_bytes: int = BULK_BYTES, **bulk_params: Any) -> bool:
    """Send ``actions`` with ``workers`` concurrent bulk streams.

    ``on_result(ok, item)`` is called once per action (one thread at a time) with the bulk
    response item; returning False stops the load: the requests in flight, and the partly
    filled one each sender holds, are the last sent. ``bulk_params`` go to each ``_bulk`` request
    (e.g. ``timeout``). Returns True
    if every action was sent, False if ``on_result`` stopped the load. An exception in building
    the actions or in a request (after the client's own retries on other nodes) stops every
    sender and is raised here."""
    stop = threading.Event()
    lock = threading.Lock()
    errors: list[BaseException] = []
    queues: list[queue.Queue] = [queue.Queue(maxsize=_QUEUE_DEPTH) for _ in range(workers)]

    def feed(q: queue.Queue) -> Iterator[dict[str, Any]]:
        while not stop.is_set():
            try:
                item = q.get(timeout=0.2)
            except queue.Empty:
                continue
            if item is _DONE:
                return
            yield item

    def send(q: queue.Queue) -> None:
        try:
            for ok, item in helpers.streaming_bulk(
                    client, feed(q), chunk_size=chunk_actions, max_chunk_bytes=chunk_bytes,
                    max_retries=3, initial_backoff=1, raise_on_error=False,
                    raise_on_exception=True, **bulk_params):
                with lock:
                    keep = on_result(ok, item)
                if not keep:
                    stop.set()
        except BaseException as err:  # noqa: BLE001 - raised in the caller's thread
            errors.append(err)
            stop.set()

    senders = [threading.Thread(target=send, args=(q,), name=f"dhr-bulk-{i}", daemon=True)
               for i, q in enumerate(queues)]
    for t in senders:
        t.start()
    try:
        for action in prefetched(actions):
            q = queues[zlib.crc32(str(action.get("_id")).encode()) % workers]
            while not stop.is_set():
                try:
                    q.put(action, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if stop.is_set():
                break
    except BaseException:
        stop.set()
        raise
    finally:
        for q in queues:
            while not stop.is_set():
                try:
                    q.put(_DONE, timeout=0.2)
                    break
                except queue.Full:
                    continue
        for t in senders:
            t.join()
    if errors:
        raise errors[0]
    return not stop.is_set()


def prefetched(items: Iterable[Any], depth: int = 1000) -> Iterator[Any]:
    """Yield ``items`` while a thread computes the next ones, so building bulk actions (Python:
    tokenising, serialising) overlaps with Elasticsearch indexing the previous chunk. An
    exception in the producer is raised here, in the consumer."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False  # the consumer has gone

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(done)
        except BaseException as err:  # noqa: BLE001 - handed to the consumer
            put(err)

    worker = threading.Thread(target=produce, name="dhr-bulk-actions", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
