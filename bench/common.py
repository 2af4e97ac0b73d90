"""Shared pieces: result rows, a real `ak up` server, deploys, /proc helpers."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.server import AkServer

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the results table.

    `value` is None when the benchmark could not run; `note` then says why.
    `met` is None when the row has no target.
    """

    bench: str
    figure: str
    value: float | None
    unit: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def failed(bench: str, figure: str, reason: str, target: str = "") -> Row:
    """A row for a benchmark that could not produce a number."""
    return Row(bench, figure, None, "", target=target, note=reason)


def pct(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of samples."""
    s = sorted(samples)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


@contextmanager
def tempdir(prefix: str) -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix=f"ak-bench-{prefix}-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def new_server(
    home: Path, env: dict[str, str] | None = None, worker_python: bool = True
) -> AkServer:
    """`ak up --mode dev` on a free port.

    worker_python: user code runs with this interpreter (AK_WORKER_PYTHON);
    otherwise in the managed venv that `ak deploy` builds (not timed either),
    over a minimal default venv: the full default set costs ~30 s to build in
    each fresh home and does not change what is timed.
    """
    base = (
        {"AK_WORKER_PYTHON": sys.executable}
        if worker_python
        else {"AK_PYTHONRT__DEFAULT_REQUIREMENTS": "[]"}
    )
    return AkServer(home, mode="dev", env={**base, **(env or {})})


@contextmanager
def running_server(
    home: Path, env: dict[str, str] | None = None, worker_python: bool = True
) -> Iterator[AkServer]:
    server = new_server(home, env, worker_python).start(timeout=60)
    try:
        yield server
    finally:
        died = server.proc is not None and server.proc.poll() is not None
        server.stop()
        if died:  # keep the log: the temp home is about to go
            logs = ROOT / "bench" / "logs"
            logs.mkdir(exist_ok=True)
            kept = logs / f"{home.parent.name}.log"
            shutil.copy(server.log, kept)
            rc = server.proc.returncode if server.proc else "?"
            print(
                f"ak up exited {rc} during the benchmark; log: {kept}", file=sys.stderr
            )


def ak(server: AkServer, *args: str, cwd: Path | None = None) -> str:
    """Run `ak <args>` against the server; raise with its output on failure."""
    return server.ak(*args, cwd=cwd)


def deploy_webhook_project(
    server: AkServer,
    workdir: Path,
    name: str,
    program: str,
    *,
    durable: bool = False,
) -> str:
    """`ak deploy` a one-webhook project (trigger `hook`); return the webhook URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    durable_line = f"      is_durable: {'true' if durable else 'false'}\n"
    (workdir / "autokitteh.yaml").write_text(
        "version: v1\n"
        "project:\n"
        f"  name: {name}\n"
        "  triggers:\n"
        "    - name: hook\n"
        "      type: webhook\n"
        "      call: program.py:handler\n" + durable_line
    )
    (workdir / "program.py").write_text(program)
    ak(server, "deploy", cwd=workdir)
    out = json.loads(ak(server, "trigger", "get", "hook", "-p", name, "-j"))
    trigger = out["trigger"]
    if trigger.get("webhook_url"):
        return str(trigger["webhook_url"])
    return f"{server.url}/webhooks/{trigger['webhook_slug']}"


def db(server: AkServer) -> sqlite3.Connection:
    """A read connection to the server's database (WAL: readers do not block it)."""
    conn = sqlite3.connect(server.db_file, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def count_states(server: AkServer, project: str | None = None) -> dict[str, int]:
    with db(server) as conn:
        if project is None:
            rows = conn.execute("SELECT state, count(*) FROM sessions GROUP BY state")
        else:
            rows = conn.execute(
                "SELECT s.state, count(*) FROM sessions s JOIN projects p"
                " USING (project_id) WHERE p.name = ? GROUP BY s.state",
                (project,),
            )
        return {str(k): int(v) for k, v in rows}


def wait_for(pred: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())


# --- /proc -----------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Direct children of pid (from /proc/<pid>/task/*/children)."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_mb(pid: int) -> float | None:
    """VmRSS of pid in MB (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def zygotes_and_runners(server_pid: int) -> tuple[list[int], list[int]]:
    """The server's zygote processes and the runners forked from them."""
    zygotes = [c for c in children(server_pid) if "runner.zygote" in cmdline(c)]
    runners = [r for z in zygotes for r in children(z)]
    return zygotes, runners


# --- HTTP ------------------------------------------------------------------


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection; reconnects once if the server closed it."""

    def __init__(self, url: str) -> None:
        import http.client
        import urllib.parse

        u = urllib.parse.urlsplit(url)
        self._http = http.client
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 80
        self.path = u.path or "/"
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.reconnects = 0

    def post(
        self, body: bytes | None = b"{}", method: str = "POST", path: str = ""
    ) -> tuple[int, str]:
        """POST to the URL; return (status, AutoKitteh-Event-ID header)."""
        headers = {"Content-Type": "application/json"}
        for attempt in (0, 1):
            try:
                self.conn.request(method, path or self.path, body=body, headers=headers)
                r = self.conn.getresponse()
                r.read()
                return r.status, r.getheader("AutoKitteh-Event-ID") or ""
            except (self._http.HTTPException, ConnectionError):
                if attempt:
                    raise
                self.conn.close()
                self.reconnects += 1
                self.conn = self._http.HTTPConnection(self.host, self.port, timeout=60)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def parse_ts(text: str) -> float:
    """A server RFC 3339 timestamp as epoch seconds."""
    import datetime

    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def pss_mb(pid: int) -> float | None:
    """Proportional set size (shared pages split among sharers), in MB."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
