"""A regular (non-editable) install carries every data file the code reads at run time.

Builds the wheel from the checkout and compares it with the tracked files of each package:
rules, mappings, templates, static assets and sample data must all be inside, or a deployment
made with ``pip install .`` would fail on its first search or extraction.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("dhr", "understanding", "crawler", "ingest", "accountability", "search_api",
            "orchestration", "samples", "mappings")
# Tracked files that are tooling or notes, not read by the installed code.
NOT_SHIPPED = ("search_api/frontend/",)


def _tracked_data_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    return [f for f in out if not f.endswith(".py") and not f.startswith(NOT_SHIPPED)
            and Path(f).name not in (".gitignore",)]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_every_tracked_data_file_is_in_the_wheel(wheel_names: set[str]) -> None:
    data = _tracked_data_files()
    assert "mappings/documents.json" in data and "understanding/rules/areas.csv" in data
    missing = [f for f in data if f not in wheel_names]
    assert not missing, f"not packaged (add to [tool.setuptools.package-data]): {missing}"


def test_every_package_module_is_in_the_wheel(wheel_names: set[str]) -> None:
    out = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    modules = [f for f in out if f.endswith(".py")]
    missing = [f for f in modules if f not in wheel_names]
    assert modules and not missing, f"modules left out of the wheel: {missing}"
