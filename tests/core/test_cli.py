"""The dhr command line: commands listed, `dhr files` on an empty and a filled store."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dhr.store import CorpusStore
from orchestration.cli import cli

COMMANDS = ["extract", "ingest", "crawl", "index", "serve", "nightly", "demo", "files"]


def test_help_lists_every_contract_command():
    res = CliRunner().invoke(cli, ["--help"])
    assert res.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in res.output


def _config(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text(f"storage:\n  data_dir: {tmp_path / 'data'}\n")
    return str(p)


def test_files_json_on_empty_store(tmp_path):
    res = CliRunner().invoke(cli, ["files", "--json", "--config", _config(tmp_path)])
    assert res.exit_code == 0, res.output
    assert res.output == ""


def test_files_json_on_filled_store(tmp_path):
    cfg = _config(tmp_path)
    store = CorpusStore(tmp_path / "data")
    a = store.put(b"%PDF-1.4 synthetic a", ext="pdf", filename="a.pdf")
    store.record_sighting("https://example.org/dhr/a.pdf", a.sha256, source="example")
    b = store.put(b"broken", ext="pdf", filename="b.pdf")
    store.quarantine(b.sha256, "corrupt: no PDF header")
    store.mark_offline("https://example.org/dhr/a.pdf")
    res = CliRunner().invoke(cli, ["--config", cfg, "files", "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["sha256"]: r for r in map(json.loads, res.output.splitlines())}
    assert set(rows) == {a.sha256, b.sha256}
    ra, rb = rows[a.sha256], rows[b.sha256]
    assert ra["urls"] == ["https://example.org/dhr/a.pdf"] and ra["source"] == "example"
    assert ra["online"] is False and ra["status"] == "pending" and ra["first_seen"]
    assert rb["status"] == "quarantined" and rb["reason"].startswith("corrupt")
    for key in ("sha256", "urls", "source", "first_seen", "last_seen", "online", "status",
                "reason"):
        assert key in ra
    plain = CliRunner().invoke(cli, ["--config", cfg, "files"])
    assert a.sha256[:12] in plain.output and "quarantined" in plain.output


def test_a_core_command_loads_none_of_the_tracker(tmp_path):
    """`dhr files` (like `dhr extract`) starts without SQLAlchemy, numpy or the research
    export, which only the tracker commands need: a quick cold start for a one-off command."""
    import subprocess
    import sys

    code = (
        "import sys; from orchestration.cli import main; sys.argv = ['dhr', 'files', "
        f"'--config', {_config(tmp_path)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'numpy', 'accountability') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "db" in CliRunner().invoke(cli, ["--help"]).output  # the tracker commands still listed
