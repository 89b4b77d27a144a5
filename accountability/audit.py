"""The audit log's hash chain: append an entry, verify the whole chain.

Each entry's hash is SHA-256 over the previous entry's hash and the canonical JSON of the entry
(sequence number, time, actor, action, target, detail, client address). :func:`append` must run
inside :func:`accountability.db.write_session`, which serialises writers, so sequence numbers
are gap-free and the chain is linear; the ``audit_head`` row keeps the newest sequence number
and hash, so removing the newest entries is detected too. :func:`verify` walks the chain and
names the first entry that was edited, removed or inserted behind the product's back.
Secrets never go into an entry (tokens are named by their id only).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .models import GENESIS, AuditEntry, AuditHead


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_hash(prev_hash: str, seq: int, created_at: str, actor: str, action: str,
               target_type: str | None, target_id: str | None, detail: str,
               ip: str | None) -> str:
    body = canonical({"seq": seq, "created_at": created_at, "actor": actor, "action": action,
                      "target_type": target_type, "target_id": target_id, "detail": detail,
                      "ip": ip})
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


# Column widths of the entry's text fields (models/audit.py): longer client-given text (an
# e-mail typed at sign-in, a request path) is cut, so a refusal is always recorded.
WIDTHS = {"actor": 320, "action": 60, "target_type": 40, "target_id": 200, "ip": 64}


def clean(value: str | None, width: int) -> str | None:
    """Text a database column accepts: no NUL (PostgreSQL refuses it), no lone surrogate (not
    UTF-8), at most ``width`` characters. Client-given text reaches the log through this."""
    if value is None:
        return None
    value = str(value).replace("\x00", "\\x00")
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value[:width]


def _fields(actor: str, action: str, target_type: str | None, target_id: str | None,
            ip: str | None) -> tuple[str, str, str | None, str | None, str | None]:
    return (clean(actor, WIDTHS["actor"]) or "", clean(action, WIDTHS["action"]) or "",
            clean(target_type, WIDTHS["target_type"]), clean(target_id, WIDTHS["target_id"]),
            clean(ip, WIDTHS["ip"]))


def _detail_text(detail: dict[str, Any] | None) -> str:
    text = canonical(detail or {})
    # json escapes NUL; a lone surrogate (from a JSON body) would not encode as UTF-8.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def append(session: Session, actor: str, action: str, *, target_type: str | None = None,
           target_id: str | None = None, detail: dict[str, Any] | None = None,
           ip: str | None = None) -> AuditEntry:
    """Append one entry (inside a write session, whose lock makes the chain linear)."""
    actor, action, target_type, target_id, ip = _fields(actor, action, target_type, target_id,
                                                        ip)
    head = session.get(AuditHead, 1)
    if head is None:
        raise RuntimeError("audit_head row missing: the tracker database is not migrated")
    seq = head.last_seq + 1
    created_at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    detail_text = _detail_text(detail)
    digest = entry_hash(head.last_hash, seq, created_at, actor, action, target_type, target_id,
                        detail_text, ip)
    entry = AuditEntry(seq=seq, created_at=created_at, actor=actor, action=action,
                       target_type=target_type, target_id=target_id, detail=detail_text, ip=ip,
                       prev_hash=head.last_hash, hash=digest)
    session.add(entry)
    head.last_seq, head.last_hash = seq, digest
    session.flush()
    return entry


def append_many(session: Session, entries: list[dict[str, Any]]) -> int:
    """Append many entries in one statement (bulk loads); each dict has the keyword arguments of
    :func:`append` plus ``actor`` and ``action``. Inside a write session, like :func:`append`."""
    from sqlalchemy import insert

    head = session.get(AuditHead, 1)
    if head is None:
        raise RuntimeError("audit_head row missing: the tracker database is not migrated")
    rows, prev, seq = [], head.last_hash, head.last_seq
    for e in entries:
        seq += 1
        created_at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        detail_text = _detail_text(e.get("detail"))
        actor, action, target_type, target_id, ip = _fields(
            e["actor"], e["action"], e.get("target_type"), e.get("target_id"), e.get("ip"))
        digest = entry_hash(prev, seq, created_at, actor, action, target_type, target_id,
                            detail_text, ip)
        rows.append({"seq": seq, "created_at": created_at, "actor": actor, "action": action,
                     "target_type": target_type, "target_id": target_id, "detail": detail_text,
                     "ip": ip, "prev_hash": prev, "hash": digest})
        prev = digest
    if rows:
        session.execute(insert(AuditEntry), rows)
        head.last_seq, head.last_hash = seq, prev
        session.flush()
    return len(rows)


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str | None = None

    def message(self) -> str:
        if self.ok:
            return f"audit log whole: {self.entries} entries, hash chain verified"
        return (f"audit log broken at entry {self.broken_seq} (row id {self.broken_id}): "
                f"{self.reason}")


def verify(engine: Engine, batch: int = 5000) -> Verification:
    """Walk the chain in sequence order; the first inconsistency is reported."""
    prev_hash, expected_seq, count, last_id = GENESIS, 1, 0, None
    with Session(engine) as session:
        if engine.dialect.name != "sqlite":
            # One snapshot for the whole walk (SQLite's read transaction is one already): an
            # entry appended meanwhile by a live server is not mistaken for an inserted one.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        head = session.get(AuditHead, 1)
        last_seq = 0
        while True:
            rows = session.execute(select(AuditEntry).where(AuditEntry.seq > last_seq)
                                   .order_by(AuditEntry.seq).limit(batch)).scalars().all()
            if not rows:
                break
            for e in rows:
                if e.seq != expected_seq:
                    return Verification(False, count, expected_seq, e.id,
                                        f"entry {expected_seq} is missing (next is {e.seq})")
                if e.prev_hash != prev_hash:
                    return Verification(False, count, e.seq, e.id,
                                        "previous-hash link does not match the entry before "
                                        "(an entry before it was edited or removed)")
                digest = entry_hash(e.prev_hash, e.seq, e.created_at, e.actor, e.action,
                                    e.target_type, e.target_id, e.detail, e.ip)
                if digest != e.hash:
                    return Verification(False, count, e.seq, e.id,
                                        "content does not match its hash (the entry was edited)")
                prev_hash, expected_seq, count, last_id = e.hash, e.seq + 1, count + 1, e.id
                last_seq = e.seq
        if head is None:
            return Verification(False, count, None, None, "the chain head row is missing")
        if head.last_seq != count or head.last_hash != prev_hash:
            return Verification(False, count, count + 1 if head.last_seq > count else count,
                                last_id, f"the chain head records {head.last_seq} entries but "
                                f"{count} are present (the newest entries were removed)")
    return Verification(True, count)
