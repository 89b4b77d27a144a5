"""The organisations table and the registry: seeding, additions by admins, listing, resolution.

The shipped registry (:mod:`understanding.owner_registry`) is copied into the ``organisations``
table (:func:`seed_registry`, run by ``dhr db upgrade`` and each sync); organisations an admin
adds (``dhr orgs add``) live only in the table and are passed back to the registry as
``extra`` (:func:`registry_for`), so name resolution knows them too.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from understanding.owner_registry import Organisation, Registry, RegistryError, load_registry

from . import audit
from .db import read_session, write_session
from .models import OrganisationRow


def _row_of(org: Organisation, origin: str) -> OrganisationRow:
    return OrganisationRow(id=org.id, name=org.name, kind=org.kind, agency=org.agency,
                           region=org.region, aliases=list(org.aliases), origin=origin)


def organisation_of(row: OrganisationRow) -> Organisation:
    return Organisation(id=row.id, name=row.name, kind=row.kind, agency=row.agency,
                        region=row.region, aliases=tuple(row.aliases or ()))


def seed_registry(engine: Engine, *, actor: str = "system:registry") -> dict[str, int]:
    """Insert the shipped organisations the table lacks, refresh changed ones (audited)."""
    shipped = list(load_registry())
    with read_session(engine) as s:
        existing = {r.id: r for r in s.scalars(select(OrganisationRow))}
    added = [o for o in shipped if o.id not in existing]
    changed = [o for o in shipped if o.id in existing and existing[o.id].origin == "registry"
               and organisation_of(existing[o.id]) != o]
    if not added and not changed:
        return {"added": 0, "updated": 0}
    with write_session(engine) as s:
        for org in added:
            if s.get(OrganisationRow, org.id) is None:
                s.add(_row_of(org, "registry"))
        for org in changed:
            row = s.get(OrganisationRow, org.id)
            assert row is not None  # a changed organisation is stored
            row.name, row.kind, row.agency = org.name, org.kind, org.agency
            row.region, row.aliases = org.region, list(org.aliases)
        audit.append(s, actor, "organisations.seed", target_type="registry",
                     detail={"added": [o.id for o in added], "updated": [o.id for o in changed]})
    return {"added": len(added), "updated": len(changed)}


def add_organisation(engine: Engine, org: Organisation, *, actor: str = "cli") -> None:
    try:
        load_registry([org])  # validates id, kind, agency, region, and clashes with shipped ids
    except RegistryError as err:
        raise ValueError(str(err)) from None
    with write_session(engine) as s:
        if s.get(OrganisationRow, org.id) is not None:
            raise ValueError(f"organisation {org.id!r} already exists")
        s.add(_row_of(org, "local"))
        audit.append(s, actor, "organisation.add", target_type="organisation", target_id=org.id,
                     detail={"name": org.name, "kind": org.kind, "agency": org.agency,
                             "region": org.region, "aliases": list(org.aliases)})


def list_organisations(session: Session) -> list[OrganisationRow]:
    return list(session.scalars(select(OrganisationRow).order_by(OrganisationRow.kind,
                                                                  OrganisationRow.name)))


def registry_for(session: Session) -> Registry:
    """The shipped registry plus the organisations admins added in this database."""
    local = session.scalars(select(OrganisationRow).where(OrganisationRow.origin == "local"))
    return load_registry([organisation_of(r) for r in local])
