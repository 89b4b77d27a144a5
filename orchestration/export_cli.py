"""``dhr export DIR [--format csv|parquet]``: the research dataset
(:mod:`accountability.research_export`). Progress goes to stderr, a JSON summary (rows per
table) to stdout; a folder that is not empty, or an unknown format, is a one-line error (exit 2)
and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import click

from accountability.research_export import FORMATS, ExportError, export_dataset
from dhr.config import Config
from orchestration.cli import UserError, _config_option


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="File format of the tables.")
@_config_option
def export(cfg: Config, directory: Path, fmt: str) -> None:
    """Write the research dataset (reviews, documents, recommendations, actions, themes,
    agencies, organisations, recurring groups, DHRD tags) with a codebook into DIR."""
    from .tracker_cli import open_engine

    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UserError(f"{directory} is not an empty folder: give a new or empty folder")
    engine = open_engine(cfg)
    try:
        counts = export_dataset(cfg.data_dir, engine, directory, fmt=fmt,
                                public_status=cfg.tracker.public_status,
                                progress=lambda m: click.echo(f"dhr export: {m}", err=True))
    except ExportError as err:
        raise UserError(str(err)) from None
    finally:
        engine.dispose()
    click.echo(json.dumps({"directory": str(directory), "format": fmt, "rows": counts}))
