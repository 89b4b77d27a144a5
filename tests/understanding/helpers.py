"""Build the text model from short page texts for rule tests."""

from __future__ import annotations

from understanding.doctext import DocText


def doc(*pages: str) -> DocText:
    return DocText([p.strip("\n") for p in pages])
