"""Benchmark: one-off extraction of a one-page text PDF from a cold start (``dhr extract``).

Each run is a new Python process, timed from start to exit (wall clock), as a person or a
script looping over files would see it. Side by side, on the same generated one-page letter:

- ``dhr extract`` as shipped: the worker forked straight from the command's own process when
  that is safe (``WorkerPool(lean=True)``, see ``ingest/worker.py``), time and memory limits on;
- the previous way: the command's imports, then a worker started through a fork server (a new
  interpreter that imports the extraction engine before forking the worker), same limits, and
  no regex cache;
- the floor: the command's imports and ``extract_file`` in process (with the regex cache), with
  no isolation at all.

Wall clock and CPU time (user + system, of the process and of every process it waited for) are
both given: on this shared machine the wall clock depends on the other sessions' load.

Python's bytecode cache is allowed (``PYTHONDONTWRITEBYTECODE`` is cleared for the runs) and one
untimed run of each comes first, as on any installed system where the ``.pyc`` files exist; a
last row runs ``dhr extract`` with no bytecode cache at all, for comparison (every imported
module compiled from source at each start: pydantic alone costs a few tenths of a second).
The extraction worker keeps the rule files' compiled regular expressions on disk between runs
(``dhr/regex_cache.py``, under ``$DHR_CACHE``, filled by the untimed run); a row without that
cache (``DHR_REGEX_CACHE=off``) shows what it saves. Target (issue 12): at most 0.6 s for
``dhr extract``. Run: ``python -m bench.quick_extract``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import print_table

_FORK_SERVER = """
import sys, json
from pathlib import Path
import orchestration.cli  # what the command imports before it extracts
from dhr.document import Document
from ingest.worker import WorkerPool
with WorkerPool(processes=1, timeout=120, memory_mb=2048, lean=False) as pool:
    outcome = pool.run(Path(sys.argv[1]))
assert isinstance(outcome, Document), outcome
print(json.dumps(outcome.to_json_dict()))
from multiprocessing import forkserver
forkserver._forkserver._stop()  # reap the fork server, so that its CPU time is counted
"""

_IN_PROCESS = """
import sys, json
from pathlib import Path
from dhr import regex_cache
regex_cache.install()  # as the worker does
import orchestration.cli
from ingest.extract import extract_file
print(json.dumps(extract_file(Path(sys.argv[1])).to_json_dict()))
"""


def one_page_letter(path: Path) -> Path:
    """A sober one-page synthetic letter with a text layer (says it is synthetic)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Synthetic sample letter (generated for a benchmark, not a real document)")
    lines = ["Synthetic sample letter: generated for a benchmark, not a real document.", "",
             "Dear Chair of the Community Safety Partnership,", "",
             "Thank you for submitting the Domestic Homicide Review overview report and the",
             "action plan. The Quality Assurance Panel has considered both documents.",
             "The panel notes the recommendations for the police and for health services",
             "on risk assessment and on routine enquiry about domestic abuse.", "",
             "Yours sincerely,", "Panel Secretary (synthetic)"]
    y = 780
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_runs(argv: list[str], runs: int, env: dict[str, str], cwd: Path
              ) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (the process and the children it waited for) of each run."""
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)  # warm-up, untimed
    walls, cpus = [], []
    for _ in range(runs):
        c0, t0 = _children_cpu(), time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
        walls.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - c0)
        if done.returncode != 0 or not done.stdout.startswith(b"{"):
            raise SystemExit(f"{argv[:3]}: exit {done.returncode}: {done.stderr[-300:]!r}")
    return walls, cpus


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10, help="timed cold starts per way")
    args = ap.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory(prefix="dhr-quick-extract-") as tmp:
        folder = Path(tmp)
        letter = one_page_letter(folder / "letter.pdf")
        (folder / "config.yaml").write_text(f"storage:\n  data_dir: {folder / 'data'}\n")
        ways = [
            ("dhr extract (lean fork)",
             [sys.executable, "-m", "orchestration.cli", "extract", str(letter)]),
            ("fork server worker (before)", [sys.executable, "-c", _FORK_SERVER, str(letter)]),
            ("in process, no isolation", [sys.executable, "-c", _IN_PROCESS, str(letter)]),
        ]
        # And the command without any bytecode cache: every module compiled from source at
        # each start (what a virtualenv installed without compiling, under
        # PYTHONDONTWRITEBYTECODE=1, does on every run).
        no_cache = dict(env, PYTHONDONTWRITEBYTECODE="1",
                        PYTHONPYCACHEPREFIX=str(folder / "empty-pycache"))
        load_before = os.getloadavg()[0]
        rows = []
        for name, cmd in ways:
            # the previous way had no regex cache either
            way_env = dict(env, DHR_REGEX_CACHE="off") if "before" in name else env
            walls, cpus = time_runs(cmd, args.runs, way_env, folder)
            rows.append([name, len(walls), statistics.median(walls), min(walls), max(walls),
                         statistics.median(cpus)])
        # And without the cache of compiled rule patterns (dhr/regex_cache.py): every rule
        # file's regular expressions compiled again at each start, as before issue 12's work.
        no_regex = dict(env, DHR_REGEX_CACHE="off")
        for name, extra_env, runs in (("dhr extract, no regex cache", no_regex, args.runs),
                                      ("dhr extract, no .pyc cache", no_cache,
                                       max(3, args.runs // 3))):
            walls, cpus = time_runs(ways[0][1], runs, extra_env, folder)
            rows.append([name, len(walls), statistics.median(walls), min(walls), max(walls),
                         statistics.median(cpus)])
    print_table("one-page text PDF, cold process, seconds (target: dhr extract <= 0.6 wall)",
                ["way", "runs", "wall median", "wall min", "wall max", "CPU median"], rows)
    print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on "
          f"{os.cpu_count()} cores (wall clock shares the machine; CPU is user+system time of the "
          "process and every process it waited for: on an idle machine wall is close to it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
