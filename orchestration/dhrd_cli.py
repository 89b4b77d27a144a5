"""``dhr dhrd import [PATH]``: the DHRD enrichment from the command line.

Prints the matched / ambiguous / unmatched counts and lists each incident under its outcome
(``--json`` for one JSON object instead). Exit 2 with a one-line reason when the folder is not
a DHRD folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from dhr.config import Config
from dhr.enrichment.dhrd import ATTRIBUTION, DatasetError
from orchestration.cli import UserError, _config_option

DEFAULT_FOLDER = "dhrd"  # under the data directory, when no PATH is given


@click.group()
def dhrd() -> None:
    """The Domestic Homicide Review Dataset (DHRD, CC BY 4.0) as an enrichment source."""


@dhrd.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--no-index", is_flag=True, help="Do not re-index now (the next ingest does).")
@_config_option
def dhrd_import(cfg: Config, path: Path | None, as_json: bool, no_index: bool) -> None:
    """Match the DHRD's incidents (PATH: its folder; default <data_dir>/dhrd, else the last
    import's incidents again) to reviews by CSP and month of death, store the tags apart from
    extracted data, and re-index."""
    from .dhrd_import import import_dhrd

    folder: Path | None = path or cfg.data_dir / DEFAULT_FOLDER
    if path is None and folder is not None and not folder.exists():
        folder = None  # match the last import's incidents again
    backend = None
    if not no_index:
        from dhr.search import open_backend

        backend = open_backend(cfg)
    try:
        result = import_dhrd(cfg, folder, backend)
    except DatasetError as err:
        raise UserError(str(err)) from None
    finally:
        if backend is not None:
            backend.close()
    report = result.report
    counts = {**report.counts(), "reviews": result.reviews, "documents_reindexed":
              result.reindexed, "index_pending": result.index_pending}
    if as_json:
        click.echo(json.dumps({"counts": counts, "matched": report.matched,
                               "ambiguous": report.ambiguous, "unmatched": report.unmatched,
                               "attribution": ATTRIBUTION}, ensure_ascii=False))
        return
    click.echo(f"DHRD incidents: {counts['incidents']}; reviews in the store: {result.reviews}")
    click.echo(f"matched: {counts['matched']}  ambiguous: {counts['ambiguous']}  "
               f"unmatched: {counts['unmatched']}")
    for m in report.matched:
        click.echo(f"matched    {m['incident_id']}  {m['csp']}  {m['death_month']}  "
                   f"-> {m['review_key']}")
    for m in report.ambiguous:
        cands = ", ".join(str(c) for c in m["candidates"])  # type: ignore[union-attr, attr-defined]
        click.echo(f"ambiguous  {m['incident_id']}  {m['csp']}  {m['death_month'] or '-'}  "
                   f"({m['reason']}): {cands}")
    for m in report.unmatched:
        click.echo(f"unmatched  {m['incident_id']}  {m['csp']}  {m['death_month'] or '-'}  "
                   f"({m['reason']})")
    click.echo(f"documents re-indexed: {result.reindexed}"
               + (" (search backend unreachable: indexed on the next ingest)"
                  if result.index_pending else ""))
