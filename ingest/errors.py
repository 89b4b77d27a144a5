"""Extraction failures with a quarantine reason (contract: encrypted, corrupt, too_large,
unsupported, timeout, empty). Every format module raises :class:`ExtractionError`; the worker
turns it, and any unexpected crash, into a quarantine outcome so a batch never stops."""

from __future__ import annotations

from typing import Literal, get_args

Reason = Literal["encrypted", "corrupt", "too_large", "unsupported", "timeout", "empty"]
REASONS: tuple[str, ...] = get_args(Reason)


class ExtractionError(Exception):
    """A file that cannot be extracted; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: Reason, message: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown quarantine reason {reason!r}")
        super().__init__(f"{reason}: {message}")
        self.reason: Reason = reason
        self.message = message

    def __reduce__(self):  # picklable across the worker pipe
        return (ExtractionError, (self.reason, self.message))


class Quarantined:
    """The outcome for a file that could not be extracted: why, in one line."""

    __slots__ = ("message", "reason")

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        self.message = message

    def __repr__(self) -> str:
        return f"Quarantined({self.reason!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Quarantined)
                and (self.reason, self.message) == (other.reason, other.message))

    def __reduce__(self):
        return (Quarantined, (self.reason, self.message))
