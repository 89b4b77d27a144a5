"""The accountability commands of ``dhr`` (contract.md section 1): ``db``, ``orgs``, ``users``,
``tokens``, ``audit`` and ``tracker``.

``dhr.cli`` adds these groups to the ``dhr`` command; they follow its conventions (``--config``,
one-line errors, exit 0 / 1 / 2). Secrets are never echoed: a password is read from stdin when
it is not a terminal (else prompted twice, hidden), a token is printed once on stdout.
"""

from __future__ import annotations

import getpass
import json
import sys

import click

from dhr.cli import EXIT_PARTIAL, UserError, _config_option
from dhr.config import Config


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def open_engine(cfg: Config, *, migrate: bool = False):
    """The configured tracker database, checked to be at the current schema."""
    from .db import TrackerNotReady, create_tracker_engine, ensure_current, upgrade

    engine = create_tracker_engine(cfg.tracker_database_url)
    try:
        if migrate:
            upgrade(engine)
        else:
            ensure_current(engine)
    except TrackerNotReady as err:
        raise UserError(str(err)) from None
    except Exception as err:  # noqa: BLE001 - connection refused, bad URL, ...
        from .db import safe_url

        raise UserError(f"cannot open the tracker database {safe_url(cfg.tracker_database_url)}: "
                        f"{str(err).splitlines()[0]}") from None
    return engine


# -- dhr db ---------------------------------------------------------------------------------------
@click.group()
def db() -> None:
    """The tracker database."""


@db.command("upgrade")
@_config_option
def db_upgrade(cfg: Config) -> None:
    """Create or migrate the tracker database to the current schema (idempotent)."""
    from .db import head_revision, safe_url
    from .organisations import seed_registry

    engine = open_engine(cfg, migrate=True)
    seeded = seed_registry(engine, actor=cli_actor())
    click.echo(f"tracker database {safe_url(cfg.tracker_database_url)} at revision "
               f"{head_revision()}; organisations from the registry: {seeded['added']} added, "
               f"{seeded['updated']} updated")


# -- dhr orgs -------------------------------------------------------------------------------------
@click.group()
def orgs() -> None:
    """The organisation registry."""


@orgs.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_config_option
def orgs_list(cfg: Config, as_json: bool) -> None:
    """List the organisations (shipped registry and those added here)."""
    from .db import read_session
    from .organisations import list_organisations, seed_registry

    engine = open_engine(cfg)
    seed_registry(engine)
    with read_session(engine) as s:
        for o in list_organisations(s):
            if as_json:
                click.echo(json.dumps({"id": o.id, "name": o.name, "kind": o.kind,
                                       "agency": o.agency, "region": o.region,
                                       "aliases": list(o.aliases or []), "origin": o.origin},
                                      ensure_ascii=False))
            else:
                click.echo(f"{o.id}\t{o.kind}\t{o.name}")


@orgs.command("add")
@click.argument("org_id")
@click.option("--name", required=True, help="Display name.")
@click.option("--kind", required=True, help="police_force, csp, nhs_trust, charity, ...")
@click.option("--agency", default=None, help="Taxonomy agency id, e.g. police.")
@click.option("--region", default=None, help="Taxonomy region, e.g. 'North West'.")
@click.option("--alias", "aliases", multiple=True, help="Another name (repeatable).")
@_config_option
def orgs_add(cfg: Config, org_id: str, name: str, kind: str, agency: str | None,
             region: str | None, aliases: tuple[str, ...]) -> None:
    """Add an organisation to this deployment's registry."""
    from .organisations import add_organisation, seed_registry
    from .registry import Organisation

    engine = open_engine(cfg)
    seed_registry(engine)
    try:
        add_organisation(engine, Organisation(org_id, name, kind, agency, region, aliases),
                         actor=cli_actor())
    except ValueError as err:
        raise UserError(str(err)) from None
    click.echo(f"added organisation {org_id}")


# -- dhr users ------------------------------------------------------------------------------------
@click.group()
def users() -> None:
    """Accounts."""


def _read_password() -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise UserError("the passwords differ")
    return first


@users.command("add")
@click.argument("email")
@click.option("--org", "org_id", required=True, help="Organisation id (see `dhr orgs list`).")
@click.option("--role", required=True, type=click.Choice(["editor", "org_admin", "oversight",
                                                          "admin"]))
@click.option("--name", default=None, help="Display name.")
@_config_option
def users_add(cfg: Config, email: str, org_id: str, role: str, name: str | None) -> None:
    """Create a user with a role in an organisation (or grant an existing user that role)."""
    from .accounts import AccountError, add_user, normalise_email
    from .db import read_session
    from .models import User
    from .organisations import seed_registry

    engine = open_engine(cfg)
    seed_registry(engine)
    try:
        email = normalise_email(email)
    except AccountError as err:
        raise UserError(str(err)) from None
    with read_session(engine) as s:
        from sqlalchemy import select

        exists = s.scalar(select(User.id).where(User.email == email)) is not None
    password = "" if exists else _read_password()
    try:
        _user, created = add_user(engine, email, password, org_id, role, name=name,
                                  actor=cli_actor())
    except AccountError as err:
        raise UserError(str(err)) from None
    verb = "created user" if created else "granted existing user"
    click.echo(f"{verb} {email}: {role} of {org_id}")


# -- dhr tokens -----------------------------------------------------------------------------------
@click.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--days", type=int, default=90, show_default=True, help="Days until it expires.")
@_config_option
def tokens_create(cfg: Config, email: str, scope: str, days: int) -> None:
    """Issue an API token: printed alone on stdout, once (its id goes to stderr)."""
    from .accounts import AccountError, create_token

    engine = open_engine(cfg)
    try:
        token, row = create_token(engine, email, scope=scope, days=days, actor=cli_actor())
    except AccountError as err:
        raise UserError(str(err)) from None
    click.echo(f"token id {row.id} ({scope}, expires {row.expires_at:%Y-%m-%d}); it is shown "
               "once", err=True)
    click.echo(token)


@tokens.command("revoke")
@click.argument("token_id")
@_config_option
def tokens_revoke(cfg: Config, token_id: str) -> None:
    """Revoke an API token by its id."""
    from .accounts import AccountError, revoke_token

    engine = open_engine(cfg)
    try:
        row = revoke_token(engine, token_id, actor=cli_actor())
    except AccountError as err:
        raise UserError(str(err)) from None
    click.echo(f"revoked token {row.id}")


# -- dhr audit ------------------------------------------------------------------------------------
@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@_config_option
def audit_verify(cfg: Config) -> None:
    """Check the audit log's hash chain: exit 0 when whole, 1 naming the first broken entry."""
    from .audit import verify

    result = verify(open_engine(cfg))
    if result.ok:
        click.echo(result.message())
        return
    click.echo(f"dhr: error: {result.message()}", err=True)
    sys.exit(EXIT_PARTIAL)


# -- dhr tracker ----------------------------------------------------------------------------------
@click.group()
def tracker() -> None:
    """Review recommendations in the tracker."""


@tracker.command("sync")
@click.option("--force", is_flag=True, help="Sync every review, changed or not.")
@_config_option
def tracker_sync(cfg: Config, force: bool) -> None:
    """Build review recommendations from the stored Documents (ingest and nightly do this)."""
    from .sync import sync_store

    summary = sync_store(open_engine(cfg), cfg.data_dir, force=force)
    summary["reviews_changed"] = len(summary.get("reviews_changed", []))
    click.echo(json.dumps(summary))


@tracker.command("flags")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_config_option
def tracker_flags(cfg: Config, as_json: bool) -> None:
    """Recommendations re-extraction could not re-link with confidence (open flags)."""
    from sqlalchemy import select

    from .db import read_session
    from .models import RelinkFlag

    with read_session(open_engine(cfg)) as s:
        for f in s.scalars(select(RelinkFlag).where(RelinkFlag.resolved_at.is_(None))
                           .order_by(RelinkFlag.id)):
            row = {"id": f.id, "review_key": f.review_key, "recommendation": f.recommendation_id,
                   "kind": f.kind, "candidate": f.candidate_id, "score": f.score,
                   "detail": f.detail}
            click.echo(json.dumps(row, ensure_ascii=False) if as_json else
                       f"{f.id}\t{f.kind}\t{f.recommendation_id}\t{f.candidate_id or '-'}\t"
                       f"{f.review_key}")


# -- dhr corrections ------------------------------------------------------------------------------
@click.group("corrections")
def corrections_group() -> None:
    """Human corrections of reviews and recommendations (they win over re-extraction)."""


def _correction_line(row: dict) -> str:
    where = row.get("recommendation") or row.get("review_key") or "-"
    org = (row.get("organisation") or {}).get("name") or "-"
    return (f"{row['id']}\t{row['field']}\t{json.dumps(row.get('value'), ensure_ascii=False)}"
            f"\t{where}\t{org}\t{row['created_at'][:10]}\t{row['reason']}")


@corrections_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Removed corrections too.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_config_option
def corrections_list(cfg: Config, show_all: bool, as_json: bool) -> None:
    """Corrections in force (with --all, removed ones too)."""
    from sqlalchemy import select

    from .corrections import correction_dict
    from .db import read_session
    from .models import Correction

    with read_session(open_engine(cfg)) as s:
        for row in s.scalars(select(Correction).order_by(Correction.id)):
            if row.removed_at is not None and not show_all:
                continue
            d = correction_dict(s, row, full=True)
            click.echo(json.dumps(d, ensure_ascii=False) if as_json else _correction_line(d))


@corrections_group.command("review")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_config_option
def corrections_review(cfg: Config, as_json: bool) -> None:
    """Corrections a re-extraction disagrees with: extraction now gives another value than the
    one corrected, or the corrected value itself (the correction may no longer be needed)."""
    from dhr.store import CorpusStore

    from .corrections import disagreements

    store = CorpusStore(cfg.data_dir)
    try:
        rows = disagreements(open_engine(cfg), store)
    finally:
        store.close()
    for d in rows:
        if as_json:
            click.echo(json.dumps(d, ensure_ascii=False))
        else:
            what = ("extraction now gives the corrected value" if d["kind"] == "extraction_agrees"
                    else "extraction now gives another value")
            click.echo(f"{d['id']}\t{d['field']}\t{what}: "
                       f"{json.dumps(d['extracted_value'], ensure_ascii=False)} (was "
                       f"{json.dumps(d['value_when_corrected'], ensure_ascii=False)}, corrected "
                       f"to {json.dumps(d['value'], ensure_ascii=False)})\t"
                       f"{d.get('document') or d.get('recommendation') or '-'}")
    if not as_json and not rows:
        click.echo("no correction disagrees with the current extraction", err=True)


COMMANDS = (db, orgs, users, tokens, audit_group, tracker, corrections_group)


def sync_after_ingest(cfg: Config) -> dict:
    """The tracker step of ingest and nightly: never fails the pipeline, reports instead."""
    from .sync import sync_store

    engine = open_engine(cfg)
    try:
        summary = sync_store(engine, cfg.data_dir)
        summary.update(_reconcile_corrections(cfg, engine))
    finally:
        engine.dispose()
    summary["reviews_changed"] = len(summary.get("reviews_changed", []))
    return summary


def _reconcile_corrections(cfg: Config, engine) -> dict:
    """Documents that joined a corrected review since get its corrections (and are indexed
    now when the backend answers; else they stay pending for the next run)."""
    from dhr.search import open_backend
    from dhr.store import CorpusStore

    from .corrections import has_review_corrections, reconcile

    if not has_review_corrections(engine):
        return {}
    store = CorpusStore(cfg.data_dir)
    backend = open_backend(cfg)
    try:
        try:
            result = reconcile(engine, store, backend if backend.ping() else None)
        except Exception:  # noqa: BLE001 - the backend failed mid-way: indexed next run
            result = reconcile(engine, store, None)
        if result.get("corrected_documents"):
            from .sync import sync_store

            sync_store(engine, cfg.data_dir)
        return result
    finally:
        backend.close()
        store.close()
