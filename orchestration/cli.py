"""The ``dhr`` command line (contract.md section 1).

Every command accepts ``--config PATH`` before or after its name (or ``DHR_CONFIG``). Errors are
one line on stderr (a traceback only with ``--debug``). Exit codes: 0 success, 1 partial
failure, 2 usage / configuration / input error.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from dhr.config import Config, ConfigError, load_config

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


class UserError(click.ClickException):
    """An error the user can fix: one line, exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        click.echo(f"dhr: error: {self.format_message()}", err=True)


def _config_option(fn):
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                  help="Configuration file (default ./config.yaml, or $DHR_CONFIG).")
    @click.option("--debug", is_flag=True, default=False, hidden=True)
    @functools.wraps(fn)
    def wrapper(*args, config_path=None, debug=False, **kwargs):
        ctx = click.get_current_context()
        root = ctx.find_root().obj or {}
        debug = debug or root.get("debug", False)
        path = config_path or root.get("config_path")
        try:
            cfg = load_config(path)
        except ConfigError as err:
            raise UserError(str(err)) from None
        try:
            return fn(cfg, *args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
            raise
        except ConfigError as err:
            raise UserError(str(err)) from None
        except Exception as err:  # noqa: BLE001 - the contract: one line unless --debug
            if debug:
                traceback.print_exc()
            from dhr.search.base import BackendUnavailable

            code = EXIT_USAGE if isinstance(err, BackendUnavailable) else EXIT_PARTIAL
            click.echo(f"dhr: error: {err}", err=True)
            sys.exit(code)

    return wrapper


class _Commands(click.Group):
    """The ``dhr`` group; the accountability commands (db, orgs, users, tokens, audit, tracker)
    live with the tracker (``orchestration/tracker_cli.py``) and are added when the command line is
    parsed, so importing this module imports nothing above the core."""

    def _with_accountability(self) -> None:
        if "db" not in self.commands:
            from orchestration.tracker_cli import COMMANDS

            for command in COMMANDS:
                self.add_command(command)
        if "dhrd" not in self.commands:  # `dhr dhrd import` (dhr.enrichment)
            from orchestration.dhrd_cli import dhrd

            self.add_command(dhrd)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # A command defined here (``dhr extract``...) needs none of the tracker's imports
        # (SQLAlchemy, numpy, the research export): they are loaded only for the others.
        if cmd_name not in self.commands:
            self._with_accountability()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._with_accountability()
        return super().list_commands(ctx)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Configuration file (default ./config.yaml, or $DHR_CONFIG).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="dhr-repository")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, debug: bool) -> None:
    """National repository of Domestic Homicide Review reports with full-text search."""
    ctx.obj = {"config_path": config_path, "debug": debug}


def open_checked_backend(cfg: Config):
    """The configured search backend, or a one-line error (exit 2) if it cannot be reached."""
    from dhr.search import open_backend

    backend = open_backend(cfg)
    if not backend.ping():
        where = ", ".join(cfg.search.elasticsearch.urls)
        raise UserError(f"Elasticsearch at {where} is not reachable (set search.elasticsearch.url "
                        "or DHR_ELASTICSEARCH_URL; `make elasticsearch` starts a local node)")
    backend.ensure_indices()
    return backend


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pretty", is_flag=True, help="Indent the JSON.")
@_config_option
def extract(cfg: Config, file: Path, pretty: bool) -> None:
    """Extract one file and print its Document JSON. Writes nothing."""
    from dhr.document import Document
    from ingest.extract import extract_isolated

    if not file.exists():
        raise UserError(f"{file}: no such file")
    # In a worker process with time and memory limits: a hostile file cannot hang or crash us.
    outcome = extract_isolated(file)
    if not isinstance(outcome, Document):
        raise UserError(f"{file}: cannot extract ({outcome.reason}): {outcome.message}")
    doc = outcome.model_copy(update={"filename": file.name})
    click.echo(json.dumps(doc.to_json_dict(), indent=2 if pretty else None, ensure_ascii=False))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_config_option
def ingest(cfg: Config, paths: tuple[Path, ...]) -> None:
    """Store, extract and index files (or every stored file not yet extracted)."""
    from .pipeline import ingest_paths

    backend = open_checked_backend(cfg)
    summary = ingest_paths(cfg, list(paths), backend=backend, progress=sys.stderr.isatty())
    tracker_ok = _sync_tracker(cfg, summary)
    click.echo(json.dumps(summary))
    sys.exit(EXIT_PARTIAL if summary["failed"] or not tracker_ok else EXIT_OK)


def _sync_tracker(cfg: Config, summary: dict[str, Any]) -> bool:
    """Orchestration hook: the tracker's review recommendations follow the stored Documents."""
    from orchestration.tracker_cli import sync_after_ingest

    try:
        summary["tracker"] = sync_after_ingest(cfg)
        return True
    except click.ClickException as err:
        summary["tracker"] = {"error": err.format_message()}
    except Exception as err:  # noqa: BLE001 - the documents are stored and indexed already
        summary["tracker"] = {"error": f"{type(err).__name__}: {err}"}
    click.echo(f"dhr: error: tracker sync failed: {summary['tracker']['error']}", err=True)
    return False


@cli.command()
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path))
@_config_option
def crawl(cfg: Config, sources: tuple[str, ...], report_path: Path | None) -> None:
    """Crawl the enabled sources (or the named ones), storing new and changed files."""
    from crawler.run import run_crawl

    known = {s.name for s in cfg.sources}
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise UserError(f"unknown source(s): {', '.join(unknown)} (configured: "
                        f"{', '.join(sorted(known)) or 'none'})")
    report = run_crawl(cfg, sources=list(sources) or None, report_path=report_path)
    click.echo(json.dumps(report.get("totals", {})))
    sys.exit(report.get("exit_code", EXIT_OK))


@cli.command()
@click.option("--rebuild", is_flag=True, required=True,
              help="Rebuild the index from stored Documents (no re-extraction).")
@_config_option
def index(cfg: Config, rebuild: bool) -> None:
    """Rebuild the search index from the store, with zero downtime."""
    from .pipeline import rebuild_index

    backend = open_checked_backend(cfg)
    summary = rebuild_index(cfg, backend)
    from orchestration.tracker_cli import stamp_after_rebuild

    summary.update(stamp_after_rebuild(cfg))  # the explorer's review-level keys
    click.echo(json.dumps(summary))
    sys.exit(EXIT_PARTIAL if summary["failed"] else EXIT_OK)


@cli.command()
@click.option("--host", default=None, help="Address to bind (default from config: 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default from config: 8000).")
@_config_option
def serve(cfg: Config, host: str | None, port: int | None) -> None:
    """Serve the web UI and the JSON API."""
    from search_api.wsgi import serve as run_server

    open_checked_backend(cfg)
    run_server(cfg, host or cfg.server.host, cfg.server.port if port is None else port)


@cli.command()
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path))
@_config_option
def nightly(cfg: Config, report_path: Path | None) -> None:
    """Crawl, ingest and index: idempotent, locked, for cron or systemd timers."""
    from .nightly import run_nightly

    report = run_nightly(cfg, report_path=report_path)
    sys.exit(report["exit_code"])


@cli.command()
@click.option("--port", type=int, default=8000, help="Port for the web UI and API.")
@click.option("--no-serve", is_flag=True, help="Build, crawl and ingest, then stop.")
@click.option("--dir", "demo_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Working folder (default ./data/demo, or $DHR_DEMO_DIR).")
@click.option("--reviews", type=click.IntRange(1, 200), default=None,
              help="How many synthetic reviews to generate (default 8).")
@_config_option
def demo(cfg: Config, port: int, no_serve: bool, demo_dir: Path | None,
         reviews: int | None) -> None:
    """Zero-setup demonstration on the embedded backend."""
    from .demo import run_demo

    result = run_demo(port=port, serve=False if no_serve else None, data_dir=demo_dir,
                      n_reviews=reviews)
    code = (result.get("nightly") or {}).get("exit_code", EXIT_OK)
    sys.exit(EXIT_USAGE if code == EXIT_USAGE else EXIT_OK if code == EXIT_OK else EXIT_PARTIAL)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_config_option
def files(cfg: Config, as_json: bool) -> None:
    """List the files the store holds."""
    from dhr.store import CorpusStore

    store = CorpusStore(cfg.data_dir)
    for rec in store.list_files():
        if as_json:
            click.echo(json.dumps(rec.to_json_dict()))
        else:
            online = "online" if rec.online else "offline"
            reason = f" ({rec.reason})" if rec.reason else ""
            url = rec.urls[0] if rec.urls else "-"
            click.echo(f"{rec.sha256[:12]}  {rec.status}{reason}  {online}  "
                       f"{rec.source or '-'}  {url}")


def main() -> None:
    cli(prog_name="dhr")


if __name__ == "__main__":
    main()
