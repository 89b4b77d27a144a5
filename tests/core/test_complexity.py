"""No block of ``ingest/`` is harder to follow than radon's grade C (issue 21's acceptance).

Cyclomatic complexity as radon measures it (``make complexity`` lists the offenders): grade C
is 11-20 paths through a block, D and worse (above 20) is a block to split along its seams (a
dispatch table, small named steps, a class where state is shared) before it grows further.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CEILING = 20  # radon grade C: 11-20


def _blocks_above_ceiling(path: Path) -> list[str]:
    from radon.complexity import cc_visit

    # cc_visit lists functions, classes and methods (as ``make complexity`` shows them)
    return [f"{path.relative_to(ROOT)}:{b.lineno} {b.fullname} ({b.complexity})"
            for b in cc_visit(path.read_text(encoding="utf-8")) if b.complexity > CEILING]


@pytest.mark.parametrize("package", ["ingest"])
def test_no_block_above_grade_c(package: str) -> None:
    pytest.importorskip("radon")
    found = [line for path in sorted((ROOT / package).rglob("*.py"))
             for line in _blocks_above_ceiling(path)]
    assert found == [], "split these blocks (make complexity):\n" + "\n".join(found)
