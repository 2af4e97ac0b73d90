"""`ak session test --chaos`: kill the runner (or the server) after each activity.

The workflow runs on a private `ak up --mode dev` (its own homes and SQLite
file in a temporary directory, started with ``AK_CHAOS``, see
akcli/engine/chaos.py). A clean run learns its activities; then for each k
a new session runs and is killed right after its k-th activity commits, and
resumes from its journal (a new runner; with ``--kill server`` a restarted
server). Each run must match the clean one (prints, activity calls, return
value, final state and error) and the trace must show no journaled activity
executed twice and no print that the replay produced differently.
``AK_CHAOS_KEEP=1`` keeps the temporary directory (server log, trace, plan).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akcli.client import Client
from akcli.errors import AkError
from akcli.paths import Paths
from akcli.sessiontest import Case, diff, join_prints, normalise

KILLS = ("runner", "server")
_FINAL = ("completed", "error", "stopped")


class PrivateServer:
    """`ak up --mode dev` in its own homes, with fault injection on."""

    def __init__(self, root: Path, worker_python: str) -> None:
        self.root = root
        self.chaos_dir = root / "chaos"
        self.chaos_dir.mkdir(parents=True, exist_ok=True)
        self.worker_python = worker_python
        self.proc: subprocess.Popen[bytes] | None = None
        self.client = Client(url="")

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AK_")}
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env[var] = str(self.root / var.lower())
        env["AK_CHAOS"] = str(self.chaos_dir)
        env["AK_WORKER_PYTHON"] = self.worker_python
        return env

    def start(self, timeout: float = 60) -> None:
        addr = self.root / "addr"
        addr.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "akcli", "-C", "http.addr=127.0.0.1:0"]
        cmd += ["-C", f"http.addr_filename={addr}", "up", "--mode", "dev"]
        with open(self.root / "server.log", "ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=self._env(), stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AkError(f"the chaos server exited: see {self.root}/server.log")
            text = addr.read_text() if addr.exists() else ""
            if text:
                url = f"http://{text}"
                try:
                    with urllib.request.urlopen(url + "/readyz", timeout=1) as r:
                        if r.status == 200:
                            self.client = self._client(url)
                            return
                except OSError:
                    pass
            time.sleep(0.05)
        raise AkError(f"the chaos server did not start in {timeout:g}s")

    @property
    def paths(self) -> Paths:
        """The private server's homes (as platformdirs derives them from XDG)."""
        return Paths(
            config_home=self.root / "xdg_config_home" / "autokitteh",
            data_home=self.root / "xdg_data_home" / "autokitteh",
            cache_home=self.root / "xdg_cache_home" / "autokitteh",
        )

    def _client(self, url: str) -> Client:
        from akcli.config import Config

        config = Config.load(self.paths, {"http.service_url": url})
        config.environ = {}
        return Client.from_config(config)

    def dead(self) -> bool:
        return self.proc is None or self.proc.poll() is not None

    def wait_dead(self, timeout: float) -> bool:
        """Whether the server process exits within ``timeout`` seconds."""
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def plan(self, plan: dict[str, Any]) -> None:
        (self.chaos_dir / "plan.json").write_text(json.dumps(plan))

    def trace(self, sid: str) -> list[dict[str, Any]]:
        path = self.chaos_dir / "trace.jsonl"
        if not path.exists():
            return []
        records = [json.loads(ln) for ln in path.read_text().splitlines() if ln]
        return [r for r in records if r.get("sid") == sid]


@dataclass
class Observed:
    """What one session did."""

    sid: str
    state: str
    value: Any
    error: str
    prints: str
    activities: list[tuple[int, str]]  # (seq, name) in commit order, as received
    print_texts: dict[str, list[str]] = field(default_factory=dict)
    kills: list[int] = field(default_factory=list)  # seqs a kill followed

    @property
    def calls(self) -> list[str]:
        return [name for _, name in sorted(dict(self.activities).items())]


@dataclass
class Point:
    k: int
    seq: int
    name: str
    rerun: list[str]
    problems: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "seq": self.seq,
            "activity": self.name,
            "rerun": self.rerun,
            "outcome": "identical" if not self.problems else "differs",
            "problems": self.problems,
        }


def _observe(srv: PrivateServer, sid: str) -> Observed:
    client = srv.client
    ses = client.call("sessions", "Get", {"session_id": sid}).get("session", {})
    prints = client.call("sessions", "GetPrints", {"session_id": sid})
    trace = srv.trace(sid)
    texts: dict[str, list[str]] = {}
    for r in trace:
        if "key" in r:
            texts.setdefault(str(r["key"]), []).append(str(r["text"]))
    return Observed(
        sid=sid,
        state=str(ses.get("state", "")).removeprefix("SESSION_STATE_TYPE_").lower(),
        value=ses.get("return_value"),
        error=normalise(str(ses.get("error", ""))),
        prints=normalise(join_prints([str(p["v"]) for p in prints.get("prints", [])])),
        activities=[(int(r["seq"]), str(r["name"])) for r in trace if "seq" in r],
        print_texts=texts,
        kills=[int(r["after_seq"]) for r in trace if "killed" in r],
    )


def _run_session(
    srv: PrivateServer, did: str, case: Case, inputs: dict[str, Any], timeout: float
) -> Observed:
    """Start a durable session; restart the server whenever it dies; wait for its end."""
    body = {
        "session": {
            "deployment_id": did,
            "entrypoint": {"path": case.entry_path, "name": case.entry_name},
            "inputs": inputs,
            "is_durable": True,
        }
    }
    sid = str(srv.client.call("sessions", "Start", body)["session_id"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if srv.dead():
            srv.plan({})  # the kill happened: the restarted server resumes it
            srv.start()
        try:
            ses = srv.client.call("sessions", "Get", {"session_id": sid})
        except AkError:
            if srv.wait_dead(5):
                continue  # killed during the call
            raise
        state = str(ses.get("session", {}).get("state", "")).lower()
        if state.removeprefix("session_state_type_") in _FINAL:
            return _observe(srv, sid)
        time.sleep(0.05)
    raise AkError(f"session {sid} did not end within {timeout:g}s")


def _deploy(client: Client, case: Case) -> str:
    """A project `chaos` on the private server with the case's files, deployed."""
    from akcli.deploy import build_project, deploy_build

    client.call("projects", "Create", {"project": {"name": "chaos"}})
    files = {name: text.encode() for name, text in case.sources.items()}
    return deploy_build(client, "chaos", build_project(client, "chaos", files))


def compare(clean: Observed, got: Observed) -> tuple[list[str], list[str]]:
    """(journaled activities that ran again, every difference from the clean run)."""
    seen: dict[int, int] = {}
    for seq, _ in got.activities:
        seen[seq] = seen.get(seq, 0) + 1
    names = dict(got.activities)
    rerun = [f"{names[s]}@{s}" for s, n in sorted(seen.items()) if n > 1]
    problems: list[str] = []
    for key, texts in got.print_texts.items():
        if len(set(texts)) > 1:
            problems.append(
                f"print {key}: the first run printed {texts[0]!r}, the replay {texts[-1]!r}"
            )
    for what, want, have in (
        ("state", clean.state, got.state),
        ("return value", json.dumps(clean.value), json.dumps(got.value)),
        ("error", clean.error, got.error),
        ("prints", clean.prints, got.prints),
        ("calls", "\n".join(clean.calls), "\n".join(got.calls)),
    ):
        if d := diff(what, want, have):
            problems.append(d)
    if rerun:
        problems.append("journaled activities ran again: " + ", ".join(rerun))
    return rerun, problems


def run_chaos(
    case: Case,
    kill: str,
    timeout: float,
    python: str,
    inputs: dict[str, Any] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Observed, list[Point]]:
    """The clean run and one kill point per activity it made; ``python`` runs
    the workflow (the interpreter the user's own server would pick)."""
    root = Path(tempfile.mkdtemp(prefix="ak-chaos-"))
    srv = PrivateServer(root, python)
    try:
        srv.start()
        did = _deploy(srv.client, case)
        srv.plan({})
        clean = _run_session(srv, did, case, inputs or {}, timeout)
        progress(
            f"clean run {clean.sid}: {clean.state}, {len(clean.activities)} activities"
        )
        if not clean.activities:
            raise AkError("the workflow made no activity: there is nothing to kill")
        points: list[Point] = []
        for k, (seq, name) in enumerate(clean.activities, 1):
            srv.plan({"kill": kill, "after_seq": seq})
            got = _run_session(srv, did, case, inputs or {}, timeout)
            rerun, problems = compare(clean, got)
            if got.kills != [seq]:
                problems.append(f"no kill after seq {seq} (kills seen: {got.kills})")
            points.append(Point(k, seq, name, rerun, problems))
        return clean, points
    finally:
        srv.stop()
        # Sockets and code dirs of the private server (and of killed ones).
        shutil.rmtree(srv.paths.runtime_dir, ignore_errors=True)
        if os.environ.get("AK_CHAOS_KEEP"):
            progress(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def table(points: list[Point]) -> list[str]:
    """`k  seq  activity  re-run  outcome` rows."""
    width = max([len("activity"), *(len(p.name) for p in points)])
    rows = [f"{'k':>3}  {'seq':>4}  {'activity':<{width}}  {'re-run':>6}  outcome"]
    for p in points:
        outcome = "identical" if not p.problems else "DIFFERS"
        rows.append(
            f"{p.k:>3}  {p.seq:>4}  {p.name:<{width}}  {len(p.rerun):>6}  {outcome}"
        )
    return rows
