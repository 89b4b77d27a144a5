"""``dhr nightly``: the unattended run for cron and systemd timers (contract.md section 1).

crawl (every enabled source) -> extract (new and changed files, and every file whose extractor
version is out of date) -> sync sources (re-merge files whose sources changed, e.g. a report taken
down; link each review's documents) -> dhrd (match the last DHRD import's incidents again, so new
reviews gain their tags; skipped when nothing was imported) -> index (whatever the backend does not
hold yet) -> tracker (review recommendations) -> notify (e-mail owners of new recommendations: ``dhr
notify``) -> a JSON run report (``<data_dir>/reports/nightly-<timestamp>.json`` and ``--report
FILE``) and a short summary on stdout.

Each stage keeps its state in the store's catalog, so a run that stops half-way (the search
engine down, SIGTERM, SIGKILL, a reboot) loses nothing: the next run picks up the backlog. The
crawl itself resumes from its Scrapy JOBDIR. A lock (``dhr/lock.py``) keeps two runs from
overlapping; a run that finds the lock held exits at once with code 1.

Exit codes: 0 everything done; 1 partial (a source failed, a file was quarantined, documents
left unindexed, the run was interrupted, or another run holds the lock); 2 configuration error.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from dhr.config import Config, ConfigError
from dhr.files import write_json_atomic
from dhr.lock import LockHeld, RunLock
from dhr.store import CorpusStore, utcnow

EXIT_OK, EXIT_PARTIAL, EXIT_CONFIG = 0, 1, 2
EXIT_LOCKED = EXIT_PARTIAL  # documented in deploy/README.md


def lock_path(cfg: Config) -> Path:
    return Path(cfg.data_dir) / "nightly.lock"


def run_nightly(cfg: Config, *, report_path: Path | None = None, quiet: bool = False) -> dict:
    """Run every stage once; return the run report (``report["exit_code"]`` in {0, 1, 2})."""
    t0 = time.monotonic()
    report: dict[str, Any] = {
        "command": "nightly", "started": utcnow(), "finished": None, "duration_s": None,
        "config": str(cfg.path) if cfg.path else None, "data_dir": str(cfg.data_dir),
        "backend": cfg.search.backend, "lock": {"path": str(lock_path(cfg))},
        "stages": {}, "failures": [], "changes": None, "interrupted": False, "exit_code": EXIT_OK,
    }
    try:
        _check_sources(cfg)
    except ConfigError as err:
        return _end(report, t0, cfg, report_path, quiet, EXIT_CONFIG, error=str(err))
    lock = RunLock(lock_path(cfg))
    try:
        lock.acquire()
    except LockHeld as err:
        report["lock"]["held_by"] = err.holder
        return _end(report, t0, cfg, report_path, quiet, EXIT_LOCKED,
                    error=f"{err}; this run did nothing")
    report["lock"]["stale_taken_over"] = lock.stale
    try:
        with _sigterm_as_interrupt():
            if lock.stale:
                report["lock"]["stopped_orphans"] = stop_orphan_crawlers(cfg)
            _run_stages(cfg, report)
    except KeyboardInterrupt:
        report["interrupted"] = True
        report["failures"].append({"stage": "run", "item": None,
                                   "reason": "interrupted (SIGINT/SIGTERM); the next run resumes"})
    finally:
        lock.release()
    return _end(report, t0, cfg, report_path, quiet, _exit_code(report))


# -- stages -----------------------------------------------------------------------------------
def _check_sources(cfg: Config) -> None:
    if not any(s.enabled for s in cfg.sources):
        raise ConfigError(f"{cfg.path or 'config.yaml'}: no enabled sources to crawl "
                          "(add entries under `sources:`)")


def _run_stages(cfg: Config, report: dict[str, Any]) -> None:
    store = CorpusStore(cfg.data_dir)
    try:
        repaired = store.repair()
        if any(repaired.values()):
            report["repaired"] = repaired
        _stage(report, "crawl", lambda: _crawl(cfg, report))
        touched = _stage(report, "extract", lambda: _extract(cfg, store, report))
        _stage(report, "sources", lambda: _sync(store, touched or [], report))
        _stage(report, "dhrd", lambda: _dhrd(cfg, report))
        _stage(report, "index", lambda: _index(cfg, store, report))
        _stage(report, "tracker", lambda: _tracker(cfg, report))
        _stage(report, "notify", lambda: _notify(cfg, report))
    finally:
        store.close()


def _stage(report: dict[str, Any], name: str, fn) -> Any:
    t = time.monotonic()
    report["stages"][name] = {}
    try:
        return fn()
    except (KeyboardInterrupt, ConfigError):
        raise
    except Exception as err:  # noqa: BLE001 - one stage failing must not lose the others' work
        report["stages"][name]["error"] = f"{type(err).__name__}: {err}"
        report["failures"].append({"stage": name, "item": None,
                                   "reason": f"{type(err).__name__}: {err}"})
        return None
    finally:
        report["stages"][name]["duration_s"] = round(time.monotonic() - t, 3)


def _crawl(cfg: Config, report: dict[str, Any]) -> None:
    from crawler.run import run_crawl

    crawl = run_crawl(cfg)
    stage = report["stages"]["crawl"]
    totals = crawl.get("totals", {})
    stage.update({
        "exit_code": crawl.get("exit_code", EXIT_PARTIAL),
        "sources": {name: {k: r.get(k) for k in ("ok", "new", "changed", "unchanged", "withdrawn",
                                                  "report_links", "pages_visited", "resumed",
                                                  "finish_reason")}
                    | {"failed": len(r.get("failed") or []), "problems": r.get("problems") or []}
                    for name, r in (crawl.get("sources") or {}).items()},
        **{k: totals.get(k, 0) for k in ("new", "changed", "unchanged", "withdrawn", "failed",
                                         "pages_visited", "report_links", "bytes_downloaded",
                                         "broken_links")},
    })
    stage["downloaded"] = stage["new"] + stage["changed"]
    for name, r in (crawl.get("sources") or {}).items():
        for problem in r.get("problems") or []:
            report["failures"].append({"stage": "crawl", "item": name, "reason": problem})
        for f in r.get("failed") or []:
            report["failures"].append({"stage": "crawl", "item": f.get("url"),
                                       "reason": f.get("reason") or "failed"})


def _extract(cfg: Config, store: CorpusStore, report: dict[str, Any]) -> list[str]:
    from ingest.extract import EXTRACTOR_VERSION

    from .pipeline import extract_pending

    pending = store.pending_extraction(EXTRACTOR_VERSION)
    outdated = [s for s in pending if (store.file_info(s) or {}).get("extractor_version")
                not in (None, EXTRACTOR_VERSION)]
    done, quarantined = extract_pending(cfg, store, pending)
    report["stages"]["extract"].update({
        "extractor_version": EXTRACTOR_VERSION, "pending": len(pending),
        "extracted": len(done), "re_extracted": len(set(done) & set(outdated)),
        "quarantined": quarantined,
    })
    for q in quarantined:
        report["failures"].append({"stage": "extract", "item": q["file"], "sha256": q["sha256"],
                                   "reason": q["reason"]})
    return done


def _sync(store: CorpusStore, touched: list[str], report: dict[str, Any]) -> None:
    from .pipeline import sync_sources

    synced = sync_sources(store, touched)
    report["stages"]["sources"].update({
        "remerged": len(synced["remerged"]), "withdrawn": len(synced["withdrawn"]),
        "withdrawn_documents": synced["withdrawn"], "relinked": len(synced["relinked"]),
    })


def _dhrd(cfg: Config, report: dict[str, Any]) -> None:
    # Match the last DHRD import's incidents again: reviews ingested since then can gain their
    # tags. The documents whose tags changed are marked for the index stage that follows.
    from dhr.enrichment.store import EnrichmentStore

    from .dhrd_import import import_dhrd

    stage = report["stages"]["dhrd"]
    enrichment = EnrichmentStore(cfg.data_dir)
    try:
        imported = enrichment.last_import() is not None
    finally:
        enrichment.close()
    if not imported:
        stage["skipped"] = "no DHRD import (dhr dhrd import PATH)"
        return
    result = import_dhrd(cfg, None, None)
    stage.update({**result.report.counts(), "documents_to_reindex": result.reindexed})


def _index(cfg: Config, store: CorpusStore, report: dict[str, Any]) -> None:
    from dhr.search import BackendUnavailable, open_backend

    from .pipeline import index_pending

    stage = report["stages"]["index"]
    backend = open_backend(cfg)
    stage["backend"] = backend.name
    try:
        if not backend.ping():
            raise BackendUnavailable(_unreachable(cfg))
        result = index_pending(store, backend)
        stage.update({"indexed": result["indexed"], "failed": result["failed"],
                      "index_was_reset": result["index_was_reset"]})
        for f in result["failed"]:
            report["failures"].append({"stage": "index", "item": f.get("id"),
                                       "reason": f.get("reason") or "not indexed"})
    except BackendUnavailable as err:
        stage.update({"indexed": stage.get("indexed", 0), "error": str(err)})
        report["failures"].append({"stage": "index", "item": None,
                                   "reason": f"{err}; documents stay pending for the next run"})
    finally:
        backend.close()
    stage["left_pending"] = len(store.pending_index(backend.name))


def _tracker(cfg: Config, report: dict[str, Any]) -> None:
    # Orchestration hook: review recommendations follow the stored Documents (the accountability
    # layer sits above the core; it is imported here, at run time, never by the core modules).
    from orchestration.tracker_cli import sync_after_ingest

    report["stages"]["tracker"].update(sync_after_ingest(cfg))


def _notify(cfg: Config, report: dict[str, Any]) -> None:
    # Orchestration hook, as _tracker: e-mail the owners of new recommendations (dhr notify).
    from orchestration.tracker_cli import notify_after_sync

    stage = report["stages"]["notify"]
    stage.update(notify_after_sync(cfg))
    if stage.get("configured") is False and stage.get("waiting"):
        report["failures"].append({"stage": "notify", "item": None, "reason": stage["error"]})
    for f in stage.get("failed") or []:
        given_up = any(g["organisation"] == f["organisation"] for g in stage.get("gave_up") or [])
        report["failures"].append({
            "stage": "notify", "item": f["organisation"],
            "reason": (f"{f['items']} notification(s) not sent (attempt {f['attempts']}"
                       + (", given up" if given_up else f", next try after {f['next_attempt_at']}")
                       + f"): {f['error']}")})
    for g in stage.get("gave_up") or []:
        if g.get("attempts") == 0:  # dropped without an attempt (no contacts any more)
            report["failures"].append({"stage": "notify", "item": g["organisation"],
                                       "reason": f"{g['items']} notification(s) dropped: "
                                                 f"{g['error']}"})
    for r in stage.get("refused") or []:
        report["failures"].append({"stage": "notify", "item": r["organisation"],
                                   "reason": f"recipient {r['recipient']} refused: {r['reason']}"})


def _unreachable(cfg: Config) -> str:
    if cfg.search.backend == "elasticsearch":
        return f"Elasticsearch at {', '.join(cfg.search.elasticsearch.urls)} is not reachable"
    return "the search backend is not reachable"


# -- ending: exit code, report, summary -------------------------------------------------------
def _exit_code(report: dict[str, Any]) -> int:
    stages = report["stages"]
    partial = (report["interrupted"] or report["failures"]
               or (stages.get("crawl") or {}).get("exit_code", 0) != 0
               or (stages.get("index") or {}).get("left_pending", 0) > 0)
    return EXIT_PARTIAL if partial else EXIT_OK


def _changes(report: dict[str, Any]) -> bool:
    st = report["stages"]
    crawl, ext, src, idx = (st.get(k) or {} for k in ("crawl", "extract", "sources", "index"))
    return any([crawl.get("downloaded", 0), crawl.get("withdrawn", 0), ext.get("extracted", 0),
                ext.get("quarantined"), src.get("remerged", 0), src.get("relinked", 0),
                idx.get("indexed", 0)])


def _end(report: dict[str, Any], t0: float, cfg: Config, report_path: Path | None, quiet: bool,
         code: int, error: str | None = None) -> dict[str, Any]:
    report["exit_code"] = code
    if error:
        report["error"] = error
    report["finished"] = utcnow()
    report["duration_s"] = round(time.monotonic() - t0, 3)
    report["changes"] = _changes(report) if report["stages"] else False
    report["summary"] = summary_lines(report)
    path = None
    try:
        path = write_report(report, Path(cfg.data_dir), report_path)
    except OSError as err:
        error = error or f"cannot write the run report: {err}"
    if error:
        print(f"dhr: error: {error}", file=sys.stderr, flush=True)
    if not quiet:
        for line in report["summary"]:
            print(line, flush=True)
        if path:
            print(f"  report:  {path}", flush=True)
    return report


def summary_lines(report: dict[str, Any]) -> list[str]:
    st = report["stages"]
    head = (f"dhr nightly: {'interrupted' if report['interrupted'] else 'finished'} in "
            f"{report['duration_s']:.1f}s, exit code {report['exit_code']}")
    if not st:
        return [head + (f" ({report['error']})" if report.get("error") else "")]
    lines = [head]
    if not report["changes"] and not report["failures"]:
        lines.append("  no changes: nothing new downloaded, nothing extracted, nothing indexed")
    c = st.get("crawl") or {}
    if c:
        srcs = c.get("sources") or {}
        bad = sum(1 for s in srcs.values() if not s.get("ok"))
        lines.append(f"  crawl:   {len(srcs)} source(s){f' ({bad} failed)' if bad else ''}: "
                     f"{c.get('new', 0)} new, {c.get('changed', 0)} changed, "
                     f"{c.get('unchanged', 0)} unchanged, {c.get('withdrawn', 0)} withdrawn, "
                     f"{c.get('failed', 0)} failed")
    e = st.get("extract") or {}
    if "extracted" in e:
        lines.append(f"  extract: {e['extracted']} extracted ({e['re_extracted']} re-extracted for "
                     f"extractor {e['extractor_version']}), {len(e['quarantined'])} quarantined")
    s = st.get("sources") or {}
    if "remerged" in s:
        lines.append(f"  sources: {s['remerged']} document(s) re-merged ({s['withdrawn']} taken "
                     f"offline), {s['relinked']} relinked")
    m = st.get("dhrd") or {}
    if "matched" in m:
        lines.append(f"  dhrd:    {m['matched']} of {m['incidents']} incident(s) matched, "
                     f"{m['ambiguous']} ambiguous, {m['documents_to_reindex']} document(s) "
                     "to re-index")
    i = st.get("index") or {}
    if i:
        lines.append(f"  index:   {i.get('indexed', 0)} indexed into {i.get('backend', '?')}, "
                     f"{i.get('left_pending', '?')} left pending")
    t = st.get("tracker") or {}
    if "reviews" in t:
        lines.append(f"  tracker: {t['reviews']} review(s), {t.get('reviews_changed', 0)} "
                     f"changed: {t.get('created', 0)} new recommendation(s), "
                     f"{t.get('flagged', 0)} flagged for a person, "
                     f"{t.get('notifications_queued', 0)} notification(s) queued")
    n = st.get("notify") or {}
    if "messages_sent" in n:
        lines.append(f"  {n['summary']}")
    elif n.get("configured") is False:
        lines.append(f"  notify:  not configured, {n.get('waiting', 0)} notification(s) waiting")
    for f in report["failures"][:10]:
        lines.append(f"  failed:  [{f['stage']}] {f.get('item') or ''} {f['reason']}".rstrip())
    if len(report["failures"]) > 10:
        lines.append(f"  ... and {len(report['failures']) - 10} more failure(s) in the report")
    return lines


def report_file_name(started: str) -> str:
    return "nightly-" + started.replace("-", "").replace(":", "").replace("Z", "") + ".json"


def write_report(report: dict[str, Any], data_dir: Path, report_path: Path | None = None) -> Path:
    """Write the report atomically under ``<data_dir>/reports/`` (and to ``report_path``)."""
    name = report_file_name(report["started"])
    path = data_dir / "reports" / name
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{name[:-5]}-{n}.json")
    report["report_file"] = str(path)
    write_json_atomic(path, report)
    if report_path is not None:
        write_json_atomic(Path(report_path), report)
    return path




# -- signals and what a killed run leaves behind ----------------------------------------------
@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (systemd stop, kill) behaves like Ctrl-C: the crawl stops gracefully (its state
    kept for the next run) and the report is still written."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_orphan_crawlers(cfg: Config, timeout: float = 60.0) -> list[int]:
    """Stop crawler processes a killed run left behind on this data directory.

    ``run_crawl`` crawls in a child process; when its parent is SIGKILLed the child runs on as an
    orphan, and a new crawl beside it would share its JOBDIR. Only ``python -m crawler.run``
    processes for this data directory's JOBDIR whose parent is no ``dhr`` process are stopped
    (SIGINT: a graceful stop that keeps the crawl's state, then SIGKILL after ``timeout``).
    """
    from crawler.run import default_jobdir

    proc = Path("/proc")
    if not proc.is_dir():
        return []
    jobdir = str(default_jobdir(cfg))
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        args = _cmdline(entry)
        if "crawler.run" not in args or "--jobdir" not in args:
            continue
        i = args.index("--jobdir")
        if i + 1 >= len(args) or args[i + 1] != jobdir:
            continue
        parent = _ppid(entry)
        if parent and parent > 1 and any("dhr" in a for a in _cmdline(proc / str(parent))):
            continue  # a live `dhr crawl` / `dhr nightly` owns it
        found.append(int(entry.name))
    for pid in found:
        _signal(pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while found and time.monotonic() < deadline and any(_alive(p) for p in found):
        time.sleep(0.2)
    for pid in found:
        if _alive(pid):
            _signal(pid, signal.SIGKILL)
    return found


def _cmdline(entry: Path) -> list[str]:
    try:
        return [a for a in (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
                if a]
    except OSError:
        return []


def _ppid(entry: Path) -> int | None:
    try:
        for line in (entry / "status").read_text().splitlines():
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


def _signal(pid: int, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, sig)
