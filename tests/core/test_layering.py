"""Dependencies point down (design.md, Layout): every import, function-local ones included.

The layers, top to bottom: ``orchestration`` (command line, nightly, pipeline, demo); the web app
``search_api``; ``accountability`` (tracker, notifications, analysis); the pipelines ``crawler``
and ``ingest`` (file formats, extraction, review-level merging); ``understanding`` (what a
document's text says); and the core ``dhr`` (configuration, the Document model, the store, the
search interface). A package may
import only the packages this table allows; ``samples``, ``bench``, ``scripts`` and ``tests``
are tools outside the product and may import anything, but nothing in the product imports them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ["dhr", "understanding", "ingest", "crawler", "accountability", "search_api",
           "orchestration"]
ALLOWED: dict[str, set[str]] = {
    "dhr": set(),
    "understanding": {"dhr"},
    "ingest": {"dhr", "understanding"},
    "crawler": {"dhr"},
    "accountability": {"dhr", "understanding", "ingest"},
    "search_api": {"dhr", "understanding", "accountability"},
    "orchestration": {"dhr", "understanding", "ingest", "crawler", "accountability",
                      "search_api", "samples"},
}
KNOWN = set(PRODUCT) | {"samples", "bench", "scripts", "tests", "mappings"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import statement in a file, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def violations(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, top in imports_of(path):
            if top in KNOWN and top != package and top not in ALLOWED[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    return bad


@pytest.mark.parametrize("package", PRODUCT)
def test_each_package_imports_only_the_layers_below_it(package):
    assert (ROOT / package).is_dir()
    assert violations(package) == []


def test_the_check_sees_function_local_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from search_api.app import create_app\n")
    assert imports_of(module) == [(2, "search_api")]
