"""A throw-away PostgreSQL server for tests and benchmarks, from Debian's ``postgresql`` package.

:class:`PostgresServer` runs ``initdb`` and ``postgres`` from ``/usr/lib/postgresql/<v>/bin`` in a
temporary folder, listening on 127.0.0.1 on a free port (and a Unix socket in that folder), with
``trust`` authentication for the local test user. PostgreSQL refuses to run as root, so under
root (CI) the server runs as the unprivileged ``postgres`` user (else ``nobody``) with
``runuser``. :meth:`PostgresServer.create_database` gives each test its own database.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server did not start."""


def find_bin_dir() -> Path:
    env = os.environ.get("DHR_PG_BIN")
    candidates = [env] if env else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "postgres").exists():
            return Path(c)
    raise PostgresUnavailable("PostgreSQL server binaries not found (install Debian's "
                              "`postgresql` package: `make sysdeps`, or set DHR_PG_BIN)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and no unprivileged user (postgres, nobody)")


class PostgresServer:
    def __init__(self) -> None:
        self.bin = find_bin_dir()
        self.user = _run_as()
        self.dir = Path(tempfile.mkdtemp(prefix="dhr-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.log = self.dir / "server.log"

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *args] if self.user else list(args)

    def start(self, timeout: float = 60.0) -> PostgresServer:
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.dir, info.pw_uid, info.pw_gid)
        os.chmod(self.dir, 0o700)
        init = subprocess.run(self._cmd(str(self.bin / "initdb"), "-D", str(self.data),  # noqa: PLW1510
                                        "-U", "dhr", "--auth=trust", "-E", "UTF8",
                                        "--locale=C.UTF-8", "--no-sync"),
                              capture_output=True, text=True)
        if init.returncode:
            raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
        log = open(self.log, "w")  # noqa: SIM115 - kept open for the server's lifetime
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.log, info.pw_uid, info.pw_gid)
        self.proc = subprocess.Popen(
            self._cmd(str(self.bin / "postgres"), "-D", str(self.data), "-h", "127.0.0.1",
                      "-p", str(self.port), "-k", str(self.dir), "-c", "fsync=off",
                      "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                      "-c", "max_connections=200"),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PostgresUnavailable(f"postgres exited: {self.log.read_text()[-800:]}")
            try:
                import psycopg

                with psycopg.connect(self.admin_dsn(), connect_timeout=2):
                    return self
            except Exception:  # noqa: BLE001 - not accepting connections yet
                time.sleep(0.2)
        self.stop()
        raise PostgresUnavailable("postgres did not accept connections in time")

    def admin_dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=dhr dbname={dbname}"

    def url(self, dbname: str) -> str:
        return f"postgresql://dhr@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """A new database (empty, or a copy of ``template``); returns its SQLAlchemy URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template
                                                         else ""))
        return self.url(name)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: smart shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
