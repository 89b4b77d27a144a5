"""``dhr demo``: build, crawl, ingest, then serve the UI and API until Ctrl-C.

Runs the real command: first without serving (``DHR_DEMO_NO_SERVE=1``), then again serving on a
free port, following the printed example searches and stopping it with SIGINT (Ctrl-C). A small
corpus (``DHR_DEMO_REVIEWS=2``) keeps it quick; ``make demo`` uses the default size.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from .conftest import child_env

DHR = [sys.executable, "-m", "orchestration.cli"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**child_env(), "DHR_DEMO_DIR": str(tmp_path / "demo"), "DHR_DEMO_REVIEWS": "2",
            **extra}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_builds_crawls_ingests_and_serves_until_ctrl_c(tmp_path: Path) -> None:
    first = subprocess.run([*DHR, "demo"], cwd=tmp_path, env=_env(tmp_path, DHR_DEMO_NO_SERVE="1"),
                           capture_output=True, text=True, timeout=600, check=False)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "dhr nightly: finished" in first.stdout and "exit code 0" in first.stdout
    assert re.search(r"extract: [1-9]\d* extracted", first.stdout), first.stdout
    assert (tmp_path / "demo" / "config.yaml").exists()
    assert "/search?q=" in first.stdout
    # the tracker: demo accounts (printed, demo only) and what an organisation owns
    assert re.search(r"editor\s+editor@\S+\.example\.org\s+password: \S+", first.stdout), \
        first.stdout

    port = _free_port()
    proc = subprocess.Popen([*DHR, "demo", "--port", str(port)], cwd=tmp_path, env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        out = "".join(lines)
        assert "Press Ctrl-C" in out, out
        assert "no changes" in out  # the second start reuses what the first one built
        base = f"http://127.0.0.1:{port}"
        assert f"Open {base}/" in out
        examples = re.findall(rf"\): ({re.escape(base)}/\S+)", out)
        assert len(examples) == 3, out
        for url in examples:
            resp = requests.get(url, timeout=30)
            assert resp.status_code == 200, url
        tracker_pages = re.findall(rf"(?:owns|updates): ({re.escape(base)}/\S+)", out)
        assert len(tracker_pages) >= 2, out
        for url in tracker_pages:
            resp = requests.get(url, timeout=30)
            assert resp.status_code == 200 and "govuk-table" in resp.text, url
        api = requests.get(f"{base}/api/v1/search", timeout=30).json()
        assert api["total"] > 0
        sites_port = int((tmp_path / "demo" / "sites-port").read_text())
        t = time.monotonic()
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, rest
        assert time.monotonic() - t < 30
        assert "dhr demo: stopped" in rest
        for p in (port, sites_port):  # both servers are gone
            with socket.socket() as s:
                assert s.connect_ex(("127.0.0.1", p)) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)

