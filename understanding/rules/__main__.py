"""``python -m understanding.rules``: check every rule file against its schema (for rule
editors)."""

from __future__ import annotations

import sys

from understanding.rules import RuleFileError, check_all

try:
    names = check_all()
except RuleFileError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(1)
print(f"{len(names)} rule files are valid: {', '.join(f'{n}.yaml' for n in names)}")
