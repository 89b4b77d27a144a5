"""Who may do what with a review recommendation (accountability.md, "Accounts and permissions").

- ``admin``: everything.
- ``editor`` of an organisation: adds updates to recommendations that organisation owns, and
  to those of reviews whose CSP it is.
- ``oversight``: reads everything, including non-public notes; writes nothing.
- any role in an owning organisation or the review's CSP: reads that recommendation's
  non-public notes.
Deny by default: anything not granted here is refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from .accounts import Principal


def responsible(owner_ids: Iterable[str | None], csp_id: str | None) -> set[str]:
    return {o for o in owner_ids if o} | ({csp_id} if csp_id else set())


def can_update(who: Principal | None, owner_ids: Iterable[str | None], csp_id: str | None) -> bool:
    if who is None:
        return False
    if who.has_role("admin"):
        return True
    return bool(who.orgs_with("editor") & responsible(owner_ids, csp_id))


def can_read_private(who: Principal | None, owner_ids: Iterable[str | None],
                     csp_id: str | None) -> bool:
    if who is None:
        return False
    if who.has_role("admin") or who.has_role("oversight"):
        return True
    return bool(who.orgs_with("editor", "org_admin") & responsible(owner_ids, csp_id))


def can_read_status(who: Principal | None, public_status: bool) -> bool:
    """Statuses and public notes: everyone when the deployment publishes them, else signed in."""
    return public_status or who is not None
