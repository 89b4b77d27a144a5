"""``dhr demo`` (and ``make demo``): the whole product on this machine, with nothing to set up.

1. generate synthetic sample reports with ``samples.reports`` (PDF, two-column PDF, DOCX);
2. publish them on fixture websites (``orchestration/demo_sites.py``): a Home-Office-library-like
   search and council pages, served by a real HTTP server on 127.0.0.1 (``samples/sites``);
3. write a demo configuration (embedded SQLite backend, private hosts allowed, no politeness
   delay) and run ``dhr nightly`` against the sites: crawl, extract, merge, index;
4. serve the web UI and the API on 127.0.0.1:<port>, printing the URL and three example
   searches, until Ctrl-C, which stops everything the demo started.

Everything lives under ``./data/demo`` (or ``$DHR_DEMO_DIR``); running the demo again reuses it,
so the second start is a no-change nightly. ``DHR_DEMO_NO_SERVE=1`` runs steps 1-3 and returns
(for tests and scripted checks); ``DHR_DEMO_REVIEWS`` sets how many reviews to generate.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

from dhr.config import Config, config_from_dict

DEFAULT_DIR = Path("data") / "demo"
DEFAULT_REVIEWS = 8
SEED = 2024
FORMATS = ("pdf", "docx", "two_column_pdf")  # scanned PDFs need OCR: too slow for a quick demo
# Agencies a first-time visitor recognises, for the example recommendation search.
PREFERRED_AGENCIES = ("gp_primary_care", "police", "adult_social_care", "mental_health_services",
                      "housing")


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def run_demo(port: int = 8000, *, serve: bool | None = None, data_dir: Path | None = None,
             n_reviews: int | None = None) -> dict[str, Any]:
    """Build, crawl, ingest and (unless ``serve`` is false) serve; returns what it did."""
    root = Path(data_dir or os.environ.get("DHR_DEMO_DIR") or DEFAULT_DIR).resolve()
    if serve is None:
        serve = not _truthy(os.environ.get("DHR_DEMO_NO_SERVE"))
    n = n_reviews or int(os.environ.get("DHR_DEMO_REVIEWS") or DEFAULT_REVIEWS)
    t0 = time.monotonic()
    _say(f"dhr demo: working in {root}")
    files = generate_samples(root / "corpus", n)
    from .demo_sites import build_corpus_sites

    manifest = build_corpus_sites(root / "sites", files)
    _say(f"  {len(manifest['documents'])} documents of {n} synthetic reviews published on "
         f"{len(manifest['sources'])} fixture sites")
    sites = _start_sites(root)
    try:
        cfg = write_demo_config(root, sites)
        _say(f"  fixture sites on http://127.0.0.1:{sites.port}/ ; config {cfg.path}")
        from .nightly import run_nightly

        report = run_nightly(cfg)
        result = {"root": str(root), "config": str(cfg.path), "nightly": report,
                  "sites_port": sites.port, "setup_s": round(time.monotonic() - t0, 1)}
        if report["interrupted"] or report["exit_code"] == 2:
            return result
        examples = example_searches(cfg)
        result["examples"] = examples
        result["tracker"] = tracker_demo(cfg, root)
        if not serve:
            _say(f"dhr demo: ready in {result['setup_s']}s (not serving: DHR_DEMO_NO_SERVE);"
                 f" `dhr --config {cfg.path} serve` serves it")
            for ex in examples:
                _say(f"  {ex['what']} ({ex['count']}): {ex['path']}?{urlencode(ex['params'])}")
            _say_tracker(result["tracker"], "")
            return result
        _serve(cfg, port, examples, result["setup_s"], result["tracker"])
        return result
    finally:
        sites.stop()


def generate_samples(out: Path, n_reviews: int) -> list[Any]:
    """The sample corpus (generated once; a marker file says with which settings)."""
    from samples.reports import SampleFile, generate_corpus

    marker = out / "demo-corpus.json"
    want = {"seed": SEED, "n_reviews": n_reviews, "formats": list(FORMATS)}
    if marker.exists():
        saved = json.loads(marker.read_text("utf-8"))
        if saved.get("settings") == want:
            files = [SampleFile(Path(f["path"]), Path(f["truth_path"]), f["review_id"],
                                f["doc_type"], f["format"], f["layout"]) for f in saved["files"]]
            if all(f.path.exists() and f.truth_path.exists() for f in files):
                _say(f"  reusing {len(files)} generated sample files in {out}")
                return files
    _say(f"  generating {n_reviews} synthetic sample reviews (reports with ground truth) ...")
    out.mkdir(parents=True, exist_ok=True)
    files = generate_corpus(out, seed=SEED, n_reviews=n_reviews, formats=FORMATS)
    marker.write_text(json.dumps({"settings": want, "files": [
        {"path": str(f.path), "truth_path": str(f.truth_path), "review_id": f.review_id,
         "doc_type": f.doc_type, "format": f.format, "layout": f.layout} for f in files]},
        indent=1), encoding="utf-8")
    return files


def _start_sites(root: Path):
    """Serve the sites, on the port used last time when it is free (so the URLs stay the same
    and a second demo run is a no-change nightly)."""
    from samples.sites import FixtureSites

    port_file = root / "sites-port"
    port = int(port_file.read_text()) if port_file.exists() else 0
    try:
        sites = FixtureSites(root / "sites", rebuild=False, port=port).start()
    except OSError:
        sites = FixtureSites(root / "sites", rebuild=False, port=0).start()
    port_file.write_text(str(sites.port))
    return sites


def write_demo_config(root: Path, sites: Any) -> Config:
    raw = {"storage": {"data_dir": str(root / "store")},
           "search": {"backend": "sqlite"},
           "crawler": sites.crawler_config(
               user_agent="dhr-repository-demo (+https://example.org/contact)",
               download_delay=0.05, retries=1),
           "sources": sites.config_sources()}
    path = root / "config.yaml"
    text = ("# Written by `dhr demo`: the demo's fixture sites on 127.0.0.1, embedded backend.\n"
            + yaml.safe_dump(raw, sort_keys=False))
    path.write_text(text, encoding="utf-8")
    return config_from_dict(raw, path, env={})


def example_searches(cfg: Config) -> list[dict[str, Any]]:
    """Three searches that find something in this corpus: a phrase, a theme, recommendations."""
    from dhr.search import open_backend
    from dhr.search.base import DocumentRequest, RecommendationRequest
    from dhr.taxonomy import label

    backend = open_backend(cfg)
    out: list[dict[str, Any]] = []
    try:
        for phrase in ('"risk assessment"', '"coercive control"', "MARAC", "domestic"):
            total = backend.search(DocumentRequest(q=phrase, page_size=1, facets=False)).total
            if total:
                out.append({"what": f"documents mentioning {phrase}", "path": "/search",
                            "params": {"q": phrase}, "count": total})
                break
        facets = backend.search(DocumentRequest(page_size=1)).facets
        themes = sorted(facets.get("theme") or [], key=lambda v: -v["count"])
        if themes:
            t = themes[min(1, len(themes) - 1)]
            out.append({"what": f"documents on the theme '{label('theme', t['value'])}'",
                        "path": "/search", "params": {"theme": t["value"]}, "count": t["count"]})
        recs = backend.search_recommendations(RecommendationRequest(page_size=1))
        counts = {v["value"]: v["count"] for v in recs.facets.get("agency") or []}
        a = next((x for x in PREFERRED_AGENCIES if counts.get(x)), None) or \
            max(counts, key=lambda k: counts[k], default=None)
        if a:
            smart = backend.search_recommendations(
                RecommendationRequest(filters={"agency": [a]}, smart_min=2, page_size=1,
                                      facets=False)).total
            params: dict[str, Any] = {"agency": a}
            if smart:
                params["smart_min"] = 2
            out.append({"what": f"recommendations to {label('agency', a)}"
                                + (" that are at least 2/3 SMART" if smart else ""),
                        "path": "/recommendations", "params": params,
                        "count": smart or counts[a]})
    finally:
        backend.close()
    return out


def tracker_demo(cfg: Config, root: Path) -> dict[str, Any]:
    """Demo accounts, a contact and a few updates in the tracker (accountability/demo.py: the
    orchestration hook, imported here only, as nightly imports the tracker sync)."""
    from accountability.demo import seed_demo
    from orchestration.tracker_cli import open_engine

    engine = open_engine(cfg, migrate=True)
    try:
        return seed_demo(engine, root)
    finally:
        engine.dispose()


def _say_tracker(tracker: dict[str, Any], base: str) -> None:
    """The tracker's pages and the demo accounts (their passwords: demo only)."""
    if not tracker.get("accounts"):
        return
    _say("The accountability tracker:")
    for org in tracker["organisations"]:
        _say(f"  what {org['name']} owns: {base}/organisations/{org['id']}")
    if tracker.get("recommendation"):
        _say(f"  a recommendation with updates: {base}/recommendations/"
             f"{tracker['recommendation']}")
    _say(f"  sign in at {base}/sign-in with a demo account (DEMO ONLY credentials):")
    for a in tracker["accounts"]:
        _say(f"    {a['role']:<10} {a['email']:<52} password: {a['password']}")


def _serve(cfg: Config, port: int, examples: list[dict[str, Any]], setup_s: float,
           tracker: dict[str, Any] | None = None) -> None:
    from search_api import create_app
    from search_api.wsgi import create_server

    app = create_app(cfg)
    try:
        server = create_server(app, "127.0.0.1", port, threads=cfg.server.threads)
    except OSError as err:
        _say(f"dhr: error: cannot serve on 127.0.0.1:{port} ({err.strerror}); "
             "choose another port with `dhr demo --port N`", err=True)
        raise SystemExit(2) from None
    base = f"http://127.0.0.1:{server.effective_port}"
    has_ui = any(r.rule == "/search" for r in app.url_map.iter_rules())
    _say("")
    _say(f"dhr demo: ready in {setup_s:.0f}s. Open {base}/")
    _say("Three example searches:")
    for ex in examples:
        path = ex["path"] if has_ui else "/api/v1" + ex["path"]
        _say(f"  {ex['what']} ({ex['count']}): {base}{path}?{urlencode(ex['params'])}")
    _say(f"The JSON API: {base}/api/v1/search?q=training ; its description: "
         f"{base}/api/v1/openapi.json")
    _say_tracker(tracker or {}, base)
    _say("Press Ctrl-C to stop the demo (web server and fixture sites).")
    # Ctrl-C and SIGTERM stop the demo, even when started with SIGINT ignored (a background job).
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()
        _say("dhr demo: stopped")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _say(text: str, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout, flush=True)
