"""An organisation's notification contacts: the e-mail addresses told about new
recommendations made to it.

Managed on the organisation admin page (its org_admin, or an admin); every change is audited.
The notification outbox reads them with :func:`contacts_for`. Addresses are normalised (lower
case, trimmed) as account e-mails are, so one address is never stored twice for one organisation.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import audit
from .accounts import AccountError, normalise_email
from .db import write_session
from .models import OrganisationContact, OrganisationRow

MAX_CONTACTS = 50


def contacts_for(session: Session, org_id: str) -> list[str]:
    """The organisation's contact addresses, in the order they were added."""
    return list(session.scalars(select(OrganisationContact.email)
                                .where(OrganisationContact.organisation_id == org_id)
                                .order_by(OrganisationContact.id)))


def add_contact(engine: Engine, org_id: str, email: str, *, actor: str,
                ip: str | None = None) -> bool:
    """Add an address (AccountError for a bad one); False if it was already a contact."""
    email = normalise_email(email)
    with write_session(engine) as s:
        if s.get(OrganisationRow, org_id) is None:
            raise AccountError(f"unknown organisation {org_id!r}")
        current = contacts_for(s, org_id)
        if email in current:
            return False
        if len(current) >= MAX_CONTACTS:
            raise AccountError(f"an organisation can have at most {MAX_CONTACTS} contacts")
        s.add(OrganisationContact(organisation_id=org_id, email=email))
        audit.append(s, actor, "contact.add", target_type="organisation", target_id=org_id,
                     detail={"email": email}, ip=ip)
        return True


def remove_contact(engine: Engine, org_id: str, email: str, *, actor: str,
                   ip: str | None = None) -> bool:
    """Remove an address; False if it was not a contact (nothing is written then)."""
    email = (email or "").strip().lower()
    with write_session(engine) as s:
        row = s.scalar(select(OrganisationContact).where(
            OrganisationContact.organisation_id == org_id, OrganisationContact.email == email))
        if row is None:
            return False
        s.delete(row)
        audit.append(s, actor, "contact.remove", target_type="organisation", target_id=org_id,
                     detail={"email": email}, ip=ip)
        return True
