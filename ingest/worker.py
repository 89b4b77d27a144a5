"""Extraction in worker processes with a time limit and a memory limit.

Used by ``extract.extract_isolated`` / ``extract_many`` (and so by ``dhr ingest``, ``dhr extract``
and ``scripts/robustness.py``). Each worker is a long-lived child process (started through a fork
server, so the parent's threads never leak into it) that caps its own address space with
``RLIMIT_AS`` and runs in its own process group. The parent gives each file a deadline; a worker
that overruns is killed with its process group (Tesseract included) and replaced. Each page a
worker OCRs moves its deadline on (up to ``MAX_EXTENSIONS`` timeouts in all), so a long scanned
report is slow but not "hung". Every file ends as a ``Document`` or ``Quarantined(reason,
message)``; nothing a file does stops a batch.

A one-off extraction (``dhr extract``: one file, a fresh process) would spend most of its time
starting the fork server, a new interpreter that imports the whole extraction engine before the
worker forks from it. A pool made with ``lean=True`` instead forks its workers straight from the
calling process when that is safe: the caller runs a single thread (so no lock can be inherited
held) and its address space is small next to the memory limit (the worker's ``RLIMIT_AS`` counts
what it inherits). The worker is then the same: its own process group, the same address-space
cap, the same deadline, killed the same way; only nothing is imported twice. Otherwise (threads,
a large caller) the pool falls back to the fork server. Every worker compiles the rule files'
regular expressions through ``dhr.regex_cache`` (kept on disk between runs, like ``.pyc`` files):
a third of a one-off extraction's time otherwise. Neither changes what the worker may do.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, ForkServerContext
from pathlib import Path
from typing import Self, cast

from dhr.document import Document
from ingest.errors import ExtractionError, Quarantined

_CTX = multiprocessing.get_context("forkserver")
_FORK = multiprocessing.get_context("fork")
MAX_EXTENSIONS = 30  # a file that keeps OCR-ing pages may run up to this many timeouts in total
# Imported once in the fork server, so each worker starts warm (missing modules are skipped).
_PRELOAD = ["ingest.extract", "ingest.pdf", "ingest.clean", "ingest.sections", "ingest.docx",
            "ingest.html", "understanding.understand"]


def _worker_main(conn: Connection, memory_mb: int, parent_fd: int | None = None) -> None:
    """Child process loop: receive (task id, path, filename), send back the outcome.
    ``parent_fd``: when forked straight from the caller, the caller's end of the pipe, which
    the worker closes so that it sees end-of-file if the caller dies."""
    if parent_fd is not None:
        os.close(parent_fd)
    os.setpgrp()  # the parent kills this group on timeout, taking Tesseract children with it
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import logging

    from dhr import regex_cache

    rules_cache = regex_cache.install()  # the rule files' compiled patterns, kept between runs
    from ingest import ocr
    from ingest.extract import extract_file

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # per-glyph warnings on odd fonts
    current: list[int] = [0]
    ocr.progress_hook = lambda: conn.send(("progress", current[0]))

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        task_id, path, filename = task
        current[0] = task_id
        try:
            outcome: Document | Quarantined = extract_file(Path(path), filename=filename)
        except ExtractionError as exc:
            outcome = Quarantined(exc.reason, exc.message)
        except MemoryError:
            outcome = Quarantined("too_large", f"needs more than the {memory_mb} MB memory limit")
        except RecursionError:
            outcome = Quarantined("corrupt", "structure nested too deeply to read")
        except Exception as exc:  # noqa: BLE001 - any library failure on hostile input
            outcome = Quarantined("corrupt",
                                  f"extractor error: {type(exc).__name__}: {str(exc)[:200]}")
        peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # the worker, or
                      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # its Tesseract run
        try:
            conn.send(("done", task_id, outcome, peak_kb))
        except MemoryError:
            conn.send(("done", task_id, Quarantined("too_large", "result too large to return"),
                       peak_kb))
        if rules_cache is not None:  # after the answer, once: the first file loads the rules
            # Written only if new patterns cost noticeable time; patterns built from later
            # files' text never grow it; a cache that cannot be written never stops the worker.
            with contextlib.suppress(Exception):
                rules_cache.save()
            rules_cache = None


def _vm_size_mb() -> float | None:
    """This process's address space (what a forked child starts with), or None if unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def lean_fork_possible(memory_mb: int) -> bool:
    """True if a worker may be forked straight from this process (see the module docstring):
    one thread, and an address space under a quarter of the memory limit (or no limit)."""
    if threading.active_count() != 1 or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if memory_mb <= 0:
        return True
    size = _vm_size_mb()
    return size is not None and size < memory_mb / 4


class _Worker:
    def __init__(self, memory_mb: int, ctx: ForkContext | ForkServerContext = _CTX) -> None:
        self.conn, child = ctx.Pipe()
        args: tuple = (child, memory_mb)
        if ctx is _FORK:
            args += (self.conn.fileno(),)
        self.process = ctx.Process(target=_worker_main, args=args, daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[int, Path] | None = None
        self.deadline = 0.0
        self.started = 0.0

    def send(self, task_id: int, path: Path, filename: str | None, timeout: float) -> None:
        self.task = (task_id, path)
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.conn.send((task_id, str(path), filename))

    def kill(self) -> None:
        pid = self.process.pid
        if pid is not None and self.process.is_alive():
            try:
                os.killpg(pid, signal.SIGKILL)  # the worker's own group (it called setpgrp)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


class WorkerPool:
    """``processes`` workers; each file gets ``timeout`` seconds and ``memory_mb`` of memory.
    ``lean``: fork the workers straight from this process when that is safe (a one-off run)."""

    def __init__(self, processes: int = 1, *, timeout: float = 120, memory_mb: int = 2048,
                 lean: bool = False) -> None:
        self.lean = lean
        self.ctx: ForkContext | ForkServerContext = _CTX
        _CTX.set_forkserver_preload(_PRELOAD)
        self.processes = max(1, processes)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.workers: list[_Worker] = []
        self.peak_rss_kb = 0  # largest resident set any worker reached

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            w.stop()
        self.workers = []

    def run(self, path: Path, *, filename: str | None = None) -> Document | Quarantined:
        for _, outcome in self.map([path], filenames={0: filename}):
            return outcome
        raise AssertionError("unreachable")

    def map(self, paths: Iterable[Path], *, filenames: dict[int, str | None] | None = None
            ) -> Iterator[tuple[Path, Document | Quarantined]]:
        """Outcomes in completion order."""
        queue = deque(enumerate(paths))
        while len(self.workers) < min(self.processes, max(len(queue), 1)):
            self.workers.append(self._start())
        busy: dict[Connection, _Worker] = {}
        while queue or busy:
            yield from self._dispatch(queue, busy, filenames or {})
            if not busy:
                continue
            wait_for = max(0.0, min(w.deadline for w in busy.values()) - time.monotonic())
            for ready in wait(list(busy), timeout=wait_for):
                # wait() returns the connections it was given
                done = self._receive(cast(Connection, ready), busy)
                if done is not None:
                    yield done
            yield from self._expire(busy)

    def _dispatch(self, queue: deque[tuple[int, Path]], busy: dict[Connection, _Worker],
                  filenames: dict[int, str | None]) -> Iterator[tuple[Path, Quarantined]]:
        """Give each idle worker the next file; a worker that cannot take one is replaced and
        its file quarantined."""
        for w in self.workers:
            if w.task is None and queue:
                task_id, path = queue.popleft()
                name = filenames.get(task_id) or Path(path).name
                try:
                    w.send(task_id, Path(path), name, self.timeout)
                except (OSError, BrokenPipeError):
                    yield Path(path), self._replace(w, "corrupt", "worker process unavailable")
                    continue
                busy[w.conn] = w

    def _receive(self, conn: Connection, busy: dict[Connection, _Worker]
                 ) -> tuple[Path, Document | Quarantined] | None:
        """A busy worker's message: its file's outcome, or None when it reported progress (an
        OCR'd page: more time, up to a ceiling). A worker that died is replaced."""
        w = busy.pop(conn)
        assert w.task is not None
        path = w.task[1]
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return path, self._replace(w, "corrupt", f"extractor process died ({_exit_of(w)})")
        if message[0] == "progress":
            w.deadline = min(max(w.deadline, time.monotonic() + self.timeout),
                             w.started + self.timeout * MAX_EXTENSIONS)
            busy[conn] = w
            return None
        _, _, outcome, peak_kb = message
        self.peak_rss_kb = max(self.peak_rss_kb, peak_kb)
        w.task = None
        return path, outcome

    def _expire(self, busy: dict[Connection, _Worker]) -> Iterator[tuple[Path, Quarantined]]:
        """Kill and replace the workers past their deadline; their files are quarantined."""
        now = time.monotonic()
        for conn, w in list(busy.items()):
            if now >= w.deadline:
                busy.pop(conn)
                assert w.task is not None
                path = w.task[1]
                yield path, self._replace(w, "timeout",
                                          f"extraction took longer than {self.timeout:g}s")

    def _replace(self, worker: _Worker, reason: str, message: str) -> Quarantined:
        worker.kill()
        index = self.workers.index(worker)
        self.workers[index] = self._start()
        return Quarantined(reason, message)

    def _start(self) -> _Worker:
        """A new worker: forked from here when the pool is lean and that is safe (decided for
        each worker: the caller may have started threads since), else from the fork server."""
        self.ctx = _FORK if self.lean and lean_fork_possible(self.memory_mb) else _CTX
        return _Worker(self.memory_mb, self.ctx)


def _exit_of(worker: _Worker) -> str:
    """How a worker process that closed its pipe ended: "signal 9", "exit status 1"."""
    code = worker.process.exitcode
    worker.process.join(1)
    code = worker.process.exitcode if code is None else code
    return f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
