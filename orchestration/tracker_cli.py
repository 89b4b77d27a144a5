"""The accountability commands of ``dhr`` (contract.md section 1): ``db``, ``orgs`` (with
``orgs contacts``; ``org`` is the same group), ``users``, ``tokens``, ``audit``, ``tracker`` and
``notify``.

``orchestration.cli`` adds these groups to the ``dhr`` command; they follow its conventions
(``--config``, one-line errors, exit 0 / 1 / 2). Secrets are never echoed: a password is read from
stdin when it is not a terminal (else prompted twice, hidden), a token is printed once on stdout.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Any

import click

from dhr.config import Config
from orchestration.cli import EXIT_PARTIAL, UserError, _config_option


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def open_engine(cfg: Config, *, migrate: bool = False):
    """The configured tracker database, checked to be at the current schema."""
    from accountability.db import TrackerNotReady, create_tracker_engine, ensure_current, upgrade

    engine = create_tracker_engine(cfg.tracker_database_url)
    try:
        if migrate:
            upgrade(engine)
        else:
            ensure_current(engine)
    except TrackerNotReady as err:
        raise UserError(str(err)) from None
    except Exception as err:  # noqa: BLE001 - connection refused, bad URL, ...
        from accountability.db import safe_url

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
    from accountability.db import head_revision, safe_url
    from accountability.organisations import seed_registry

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
    from accountability.db import read_session
    from accountability.organisations import list_organisations, seed_registry

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
    from accountability.organisations import add_organisation, seed_registry
    from understanding.owner_registry import Organisation

    engine = open_engine(cfg)
    seed_registry(engine)
    try:
        add_organisation(engine, Organisation(org_id, name, kind, agency, region, aliases),
                         actor=cli_actor())
    except ValueError as err:
        raise UserError(str(err)) from None
    click.echo(f"added organisation {org_id}")


@orgs.group("contacts")
def orgs_contacts() -> None:
    """The e-mail addresses told of an organisation's new recommendations (`dhr notify`)."""


@orgs_contacts.command("add")
@click.argument("org_id")
@click.argument("email")
@_config_option
def contacts_add(cfg: Config, org_id: str, email: str) -> None:
    """Add a notification contact to an organisation."""
    from accountability.contacts import ContactError, add_contact
    from accountability.organisations import seed_registry

    engine = open_engine(cfg)
    seed_registry(engine)
    try:
        row = add_contact(engine, org_id, email, actor=cli_actor())
    except ContactError as err:
        raise UserError(str(err)) from None
    click.echo(f"added contact {row.email} to {org_id}")


@orgs_contacts.command("remove")
@click.argument("org_id")
@click.argument("email")
@_config_option
def contacts_remove(cfg: Config, org_id: str, email: str) -> None:
    """Remove a notification contact from an organisation."""
    from accountability.contacts import ContactError, remove_contact

    try:
        remove_contact(open_engine(cfg), org_id, email, actor=cli_actor())
    except ContactError as err:
        raise UserError(str(err)) from None
    click.echo(f"removed contact {email.strip().lower()} from {org_id}")


@orgs_contacts.command("list")
@click.argument("org_id")
@_config_option
def contacts_list(cfg: Config, org_id: str) -> None:
    """List an organisation's notification contacts, one a line."""
    from accountability.contacts import contacts_for
    from accountability.db import read_session
    from accountability.models import OrganisationRow

    with read_session(open_engine(cfg)) as s:
        if s.get(OrganisationRow, org_id) is None:
            raise UserError(f"no organisation {org_id!r} (see `dhr orgs list`)")
        for email in contacts_for(s, org_id):
            click.echo(email)


# `dhr org contacts ...` reads as well as `dhr orgs contacts ...`: the same commands.
org_alias = click.Group("org", commands=orgs.commands, hidden=True,
                        help="The organisation registry (same as `dhr orgs`).")


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
    from accountability.accounts import AccountError, add_user, normalise_email
    from accountability.db import read_session
    from accountability.models import User
    from accountability.organisations import seed_registry

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
    from accountability.accounts import AccountError, create_token

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
    from accountability.accounts import AccountError, revoke_token

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
    from accountability.audit import verify

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
    from accountability.sync import sync_store

    engine = open_engine(cfg)
    summary = sync_store(engine, cfg.data_dir, force=force)
    summary.update(stamp_search_index(cfg, engine))
    summary["reviews_changed"] = len(summary.get("reviews_changed", []))
    click.echo(json.dumps(summary))


@tracker.command("flags")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_config_option
def tracker_flags(cfg: Config, as_json: bool) -> None:
    """Recommendations re-extraction could not re-link with confidence (open flags)."""
    from sqlalchemy import select

    from accountability.db import read_session
    from accountability.models import RelinkFlag

    with read_session(open_engine(cfg)) as s:
        for f in s.scalars(select(RelinkFlag).where(RelinkFlag.resolved_at.is_(None))
                           .order_by(RelinkFlag.id)):
            row = {"id": f.id, "review_key": f.review_key, "recommendation": f.recommendation_id,
                   "kind": f.kind, "candidate": f.candidate_id, "score": f.score,
                   "detail": f.detail}
            click.echo(json.dumps(row, ensure_ascii=False) if as_json else
                       f"{f.id}\t{f.kind}\t{f.recommendation_id}\t{f.candidate_id or '-'}\t"
                       f"{f.review_key}")


# -- dhr notify -----------------------------------------------------------------------------------
@click.command("notify")
@_config_option
def notify(cfg: Config) -> None:
    """E-mail each organisation one digest of its new recommendations (retries with backoff)."""
    from accountability.notify import NotifyNotConfigured, run_notify, summary_line

    engine = open_engine(cfg)
    click.echo("dhr notify: sending due notifications")
    try:
        result = run_notify(engine, cfg, echo=click.echo)
    except NotifyNotConfigured as err:
        raise UserError(str(err)) from None
    finally:
        engine.dispose()
    click.echo(summary_line(result))
    if result.failed or result.gave_up or result.refused:
        sys.exit(EXIT_PARTIAL)


def notify_after_sync(cfg: Config) -> dict[str, Any]:
    """The notify step of nightly: what was sent, what failed (the caller reports failures)."""
    from accountability.notify import (
        NotifyNotConfigured,
        problems,
        run_notify,
        summary_line,
        waiting,
    )

    engine = open_engine(cfg)
    try:
        try:
            result = run_notify(engine, cfg)
        except NotifyNotConfigured as err:
            return {"configured": False, "waiting": waiting(engine), "error": str(err),
                    "failed": [], "gave_up": [], "refused": []}
        out = {"configured": not problems(cfg), **result.as_dict(),
               "summary": summary_line(result)}
        return out
    finally:
        engine.dispose()


def _export_command() -> click.Command:
    from orchestration.export_cli import export

    return export


# -- dhr takedown ---------------------------------------------------------------------------------
@click.group("takedown")
def takedown_group() -> None:
    """Suppress, restore or (legal order) delete a document or a review (README: Operations)."""


def _takedown_context(cfg: Config):
    from dhr.store import CorpusStore
    from orchestration.cli import open_checked_backend

    return open_engine(cfg), CorpusStore(cfg.data_dir), open_checked_backend(cfg)


def _takedown_error(err: Exception) -> UserError:
    return UserError(str(err))


@takedown_group.command("suppress")
@click.option("--document", "document", default=None, help="The document id (sha256).")
@click.option("--review", "review_key", default=None, help="A review key: all its documents.")
@click.option("--category", required=True,
              type=click.Choice(["unredacted_personal_data", "legal_request", "family_request",
                                 "published_in_error", "superseded"]))
@click.option("--reason", required=True, help="Why (kept with the suppression and audited).")
@_config_option
def takedown_suppress(cfg: Config, document: str | None, review_key: str | None, category: str,
                      reason: str) -> None:
    """Withdraw a document or a whole review from public view at once (nothing is deleted)."""
    from accountability.takedown import TakedownError, parse_request, suppress

    try:
        req = parse_request({"document": document, "review_key": review_key,
                             "category": category, "reason": reason})
        engine, store, backend = _takedown_context(cfg)
        out = suppress(engine, store, backend, cli_actor(), document=req.get("document"),
                       review_key=req.get("review_key"), category=category,
                       reason=req["reason"])
    except TakedownError as err:
        raise _takedown_error(err) from None
    click.echo(json.dumps(out, ensure_ascii=False))


@takedown_group.command("restore")
@click.argument("suppression")
@click.option("--reason", required=True, help="Why it may be shown again.")
@_config_option
def takedown_restore(cfg: Config, suppression: str, reason: str) -> None:
    """End a suppression: the documents are indexed and shown again."""
    from accountability.takedown import TakedownError, restore

    try:
        engine, store, backend = _takedown_context(cfg)
        out = restore(engine, store, backend, cli_actor(), suppression, reason=reason)
    except TakedownError as err:
        raise _takedown_error(err) from None
    click.echo(json.dumps(out, ensure_ascii=False))


@takedown_group.command("delete")
@click.argument("suppression")
@click.option("--reason", required=True, help="The legal order (reference) that requires it.")
@click.option("--yes", "confirmed", is_flag=True, help="Confirm: this cannot be undone.")
@_config_option
def takedown_delete(cfg: Config, suppression: str, reason: str, confirmed: bool) -> None:
    """Hard deletion (legal order) of a suppressed document or review: the files and every
    version go, a tombstone (sha256, URLs, reason) keeps them from being fetched again."""
    from accountability.takedown import TakedownError, hard_delete

    if not confirmed:
        raise UserError("hard deletion cannot be undone: add --yes to confirm")
    try:
        engine, store, backend = _takedown_context(cfg)
        out = hard_delete(engine, store, backend, cli_actor(), suppression, reason=reason)
    except TakedownError as err:
        raise _takedown_error(err) from None
    click.echo(json.dumps(out, ensure_ascii=False))


@takedown_group.command("list")
@click.option("--state", type=click.Choice(["active", "restored", "deleted"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_config_option
def takedown_list(cfg: Config, state: str | None, as_json: bool) -> None:
    """List suppressions (newest first)."""
    from accountability.db import read_session
    from accountability.takedown import list_suppressions

    with read_session(open_engine(cfg)) as s:
        for row in list_suppressions(s, state):
            click.echo(json.dumps(row, ensure_ascii=False) if as_json else
                       f"{row['id']}\t{row['state']}\t{row['category']}\t{row['target_type']}\t"
                       f"{row['target_id']}\t{row['created_at']}")


@takedown_group.command("sync")
@_config_option
def takedown_sync(cfg: Config) -> None:
    """Re-apply every suppression to the store and the index (after restoring a backup)."""
    from accountability.takedown import sync

    engine, store, backend = _takedown_context(cfg)
    click.echo(json.dumps(sync(engine, store, backend)))


@tracker.command("recurring")
@click.option("--rebuild", is_flag=True,
              help="Forget every group and group all recommendations again from scratch.")
@_config_option
def tracker_recurring(cfg: Config, rebuild: bool) -> None:
    """Group recurring recommendations: those not grouped yet (default), or all (--rebuild)."""
    from accountability.recurring import assign_pending, counts
    from accountability.recurring import rebuild as rebuild_all

    engine = open_engine(cfg)
    result = rebuild_all(engine) if rebuild else assign_pending(engine)
    click.echo(json.dumps({**result, **{f"total_{k}": v for k, v in counts(engine).items()}}))


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

    from accountability.corrections import correction_dict
    from accountability.db import read_session
    from accountability.models import Correction

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
    from accountability.corrections import disagreements
    from dhr.store import CorpusStore

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




COMMANDS = (db, orgs, org_alias, users, tokens, audit_group, tracker, notify, takedown_group,
            corrections_group, _export_command())


def sync_after_ingest(cfg: Config) -> dict:
    """The tracker step of ingest and nightly: never fails the pipeline, reports instead."""
    from accountability.sync import sync_store

    engine = open_engine(cfg)
    try:
        summary = sync_store(engine, cfg.data_dir)
        summary.update(_reconcile_corrections(cfg, engine))
        summary.update(stamp_search_index(cfg, engine))
    finally:
        engine.dispose()
    summary["reviews_changed"] = len(summary.get("reviews_changed", []))
    return summary


def stamp_after_rebuild(cfg: Config) -> dict:
    """After `dhr index --rebuild` (whose new records carry no stamps): stamp them from the
    tracker, when there is one (an embedded tracker file that does not exist is not made)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(cfg.tracker_database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return {}
    try:
        engine = open_engine(cfg)
    except click.ClickException as err:
        return {"index_stamp_error": err.format_message()}
    try:
        return stamp_search_index(cfg, engine)
    finally:
        engine.dispose()


def stamp_search_index(cfg: Config, engine) -> dict:
    """The search index's recommendation records get their review recommendation's id (the
    explorer lists each once): after every sync, as re-indexing clears them. A backend that
    does not answer is reported, not fatal (the next sync stamps)."""
    from accountability.index_keys import stamp_index
    from dhr.search import open_backend
    from dhr.store import CorpusStore

    backend = open_backend(cfg)
    store = CorpusStore(cfg.data_dir)
    try:
        if not backend.ping():
            return {"index_stamp_error": "the search backend is not reachable"}
        return stamp_index(engine, backend, store.documents())
    finally:
        backend.close()
        store.close()


def _reconcile_corrections(cfg: Config, engine) -> dict:
    """Documents that joined a corrected review since get its corrections (and are indexed
    now when the backend answers; else they stay pending for the next run)."""
    from accountability.corrections import has_review_corrections, reconcile
    from dhr.search import open_backend
    from dhr.store import CorpusStore

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
            from accountability.sync import sync_store

            sync_store(engine, cfg.data_dir)
        return result
    finally:
        backend.close()
        store.close()
