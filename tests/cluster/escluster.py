"""A real multi-node Elasticsearch cluster on 127.0.0.1 for tests: one JVM process per node.

Each node is the project's own node build (``scripts/esnode.sh run``, which execs the JVM, so
the process started here *is* the node) with its own home, a fixed HTTP port and a fixed
transport port (chosen free at start, kept across restarts, so a client configured with every
node's URL finds a restarted node where it was). Nodes discover each other through their
transport addresses; the cluster is bootstrapped with all of them as initial master nodes.
A node is stopped the hard way (SIGKILL: a crash, nothing flushed) and started again on the
same data. Nothing here touches the single node the rest of the suite uses.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import requests

ROOT = Path(__file__).resolve().parents[2]
ESNODE = ROOT / "scripts" / "esnode.sh"


class ClusterError(RuntimeError):
    """A node did not start or the cluster did not reach the expected state."""


@dataclass
class Node:
    name: str
    home: Path
    http_port: int
    transport_port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for path in [self.home / "console.log", *sorted((self.home / "logs").glob("*.log"))]:
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                out.append(f"--- {path} ---\n" + "\n".join(text[-lines:]))
        return "\n".join(out)


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports free right now on 127.0.0.1 (all held open until all are chosen)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class EsCluster:
    """``with EsCluster(base_dir, 3) as cluster``: nodes started, cluster green, all stopped at
    the end. ``kill(name)`` and ``start(name)`` stop and restart one node."""

    def __init__(self, base_dir: Path, size: int = 3, *, heap: str = "512m",
                 start_timeout: float = 240.0):
        self.name = f"dhr-test-{uuid.uuid4().hex[:8]}"
        self.heap = heap
        self.start_timeout = start_timeout
        ports = free_ports(2 * size)
        self.nodes = {f"node-{i + 1}": Node(f"node-{i + 1}", base_dir / f"node-{i + 1}",
                                            ports[2 * i], ports[2 * i + 1])
                      for i in range(size)}
        self.http = requests.Session()

    # -- life cycle ------------------------------------------------------------------------
    def __enter__(self) -> Self:
        try:
            for name in self.nodes:
                self._launch(name)
            for name in self.nodes:
                self._wait_started(name)
            self.wait_for("green", nodes=len(self.nodes))
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for node in self.nodes.values():
            if node.alive:
                node.process.terminate()
        for node in self.nodes.values():
            if node.process is not None:
                try:
                    node.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait(timeout=30)
        self.http.close()

    def _launch(self, name: str) -> None:
        node = self.nodes[name]
        node.home.mkdir(parents=True, exist_ok=True)
        seeds = ",".join(f"127.0.0.1:{n.transport_port}" for n in self.nodes.values())
        cmd = [str(ESNODE), "run", "--home", str(node.home), "--port", str(node.http_port),
               "--cluster-name", self.name, "--node-name", name,
               "--transport-port", str(node.transport_port), "--seed-hosts", seeds,
               "--initial-master-nodes", ",".join(self.nodes)]
        env = dict(os.environ, ESNODE_HEAP=self.heap)
        with (node.home / "console.log").open("ab") as console:
            node.process = subprocess.Popen(cmd, stdout=console, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env)

    def _wait_started(self, name: str) -> None:
        node = self.nodes[name]
        deadline = time.monotonic() + self.start_timeout
        # EsNodeMain writes http.port once the node has joined a cluster with a master.
        while not (node.home / "http.port").exists():
            if not node.alive:
                raise ClusterError(f"{name} exited while starting\n{node.log_tail()}")
            if time.monotonic() > deadline:
                raise ClusterError(f"{name} did not start within {self.start_timeout:.0f}s\n"
                                   f"{node.log_tail()}")
            time.sleep(0.25)

    def start(self, name: str) -> None:
        """Start a stopped node again, on its own data, and wait until it has joined."""
        node = self.nodes[name]
        assert not node.alive, f"{name} is running"
        self._launch(name)
        self._wait_started(name)

    def kill(self, name: str) -> None:
        """Stop a node the hard way (SIGKILL), like a crash or a machine lost."""
        node = self.nodes[name]
        assert node.process is not None
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(timeout=30)

    # -- state -----------------------------------------------------------------------------
    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes.values()]

    def get(self, path: str, accept: tuple[int, ...] = (200,), **params: Any) -> Any:
        """GET from the first live node that answers."""
        last: Any = None
        for node in self.nodes.values():
            if not node.alive:
                continue
            try:
                resp = self.http.get(node.url + path, params=params, timeout=120)
            except requests.RequestException as err:
                last = err
                continue
            if resp.status_code in accept:
                return resp.json()
            last = f"HTTP {resp.status_code} {resp.text[:300]}"
        raise ClusterError(f"no node answered {path}: {last}")

    def health(self, **params: Any) -> dict[str, Any]:
        # a wait that times out answers 408 with the health it saw
        return self.get("/_cluster/health", accept=(200, 408), **params)

    def wait_for(self, status: str, *, nodes: int, timeout: float = 180.0) -> dict[str, Any]:
        """Wait until the cluster has ``nodes`` nodes and is at least ``status``."""
        deadline = time.monotonic() + timeout
        while True:
            health = self.health(wait_for_status=status, wait_for_nodes=str(nodes),
                                 timeout="10s")
            rank = {"red": 0, "yellow": 1, "green": 2}
            if (not health.get("timed_out") and health["number_of_nodes"] == nodes
                    and rank[health["status"]] >= rank[status]):
                return health
            if time.monotonic() > deadline:
                raise ClusterError(f"cluster not {status} with {nodes} nodes after "
                                   f"{timeout:.0f}s: {health}")

    def master(self) -> str:
        return self.get("/_cat/master", format="json")[0]["node"]

    def primary_holders(self, index: str) -> set[str]:
        """Names of the nodes holding a started primary of ``index``."""
        rows = self.get(f"/_cat/shards/{index}", format="json")
        return {r["node"] for r in rows if r["prirep"] == "p" and r["state"] == "STARTED"}
