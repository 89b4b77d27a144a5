"""Notification contacts: the e-mail addresses an organisation wants told of new recommendations.

An organisation's org_admin manages them (the org admin page, or ``dhr org contacts``); the
tracker sync writes an outbox row for each new review recommendation owned by an organisation
that has at least one (:mod:`accountability.outbox`), and ``dhr notify`` mails them a digest.
Every change is audited. Addresses are stored lower-cased, as accounts' are.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import audit
from .accounts import AccountError, normalise_email
from .db import write_session
from .models import NotificationContact, OrganisationRow, utcnow

MAX_CONTACTS = 50


class ContactError(ValueError):
    """A contact that cannot be added or removed (unknown organisation, bad or duplicate
    address)."""


def contacts_for(session: Session, org_id: str) -> list[str]:
    """The organisation's contact addresses, in the order they were added."""
    return list(session.scalars(select(NotificationContact.email)
                                .where(NotificationContact.organisation_id == org_id)
                                .order_by(NotificationContact.id)))


def orgs_with_contacts(session: Session, org_ids: set[str]) -> set[str]:
    """Those of ``org_ids`` that have at least one contact."""
    if not org_ids:
        return set()
    return set(session.scalars(select(NotificationContact.organisation_id)
                               .where(NotificationContact.organisation_id.in_(sorted(org_ids)))
                               .distinct()))


def _address(email: str) -> str:
    try:
        return normalise_email(email)
    except AccountError as err:
        raise ContactError(str(err)) from None


def add_contact(engine: Engine, org_id: str, email: str, *, actor: str,
                ip: str | None = None) -> NotificationContact:
    email = _address(email)
    with write_session(engine) as s:
        if s.get(OrganisationRow, org_id) is None:
            raise ContactError(f"no organisation {org_id!r} (see `dhr orgs list`)")
        current = contacts_for(s, org_id)
        if email in current:
            raise ContactError(f"{email} is already a contact of {org_id}")
        if len(current) >= MAX_CONTACTS:
            raise ContactError(f"an organisation can have at most {MAX_CONTACTS} contacts")
        row = NotificationContact(organisation_id=org_id, email=email, added_at=utcnow(),
                                  added_by=actor)
        s.add(row)
        s.flush()
        audit.append(s, actor, "contact.add", target_type="organisation", target_id=org_id,
                     ip=ip, detail={"email": email})
        return row


def remove_contact(engine: Engine, org_id: str, email: str, *, actor: str,
                   ip: str | None = None) -> None:
    email = _address(email)
    with write_session(engine) as s:
        row = s.scalar(select(NotificationContact).where(
            NotificationContact.organisation_id == org_id, NotificationContact.email == email))
        if row is None:
            raise ContactError(f"{email} is not a contact of {org_id}")
        s.delete(row)
        audit.append(s, actor, "contact.remove", target_type="organisation", target_id=org_id,
                     ip=ip, detail={"email": email})
