"""The real `ak up` as a subprocess on a free port with its own XDG homes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


class AkServer:
    def __init__(
        self,
        home: Path,
        mode: str = "test",
        extra: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.home = home
        self.extra_env = env or {}
        self.mode = mode
        self.extra = extra or []
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log = home / "server.log"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AK_")}
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env[var] = str(self.home / var.lower())
        if self.url:
            env["AK_HTTP__SERVICE_URL"] = self.url
        # Sessions run with this interpreter unless a test asks for managed venvs
        # (env={"AK_WORKER_PYTHON": ""}): building venvs is tested on its own.
        env["AK_WORKER_PYTHON"] = sys.executable
        env.update(self.extra_env)
        return {k: v for k, v in env.items() if v != "" or k not in self.extra_env}

    @property
    def token(self) -> str:
        """The API token the server stored in its config home (RPCs need it)."""
        import yaml

        creds = self.home / "xdg_config_home" / "autokitteh" / "credentials"
        return str(yaml.safe_load(creds.read_text())["default"])

    @property
    def auth(self) -> dict[str, str]:
        """Headers that authenticate an RPC to this server."""
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def db_file(self) -> Path:
        return self.home / "xdg_data_home" / "autokitteh" / "autokitteh.sqlite"

    def start(self, timeout: float = 30) -> AkServer:
        self.home.mkdir(parents=True, exist_ok=True)
        addr_file = self.home / "addr"
        addr_file.unlink(missing_ok=True)
        self.url = ""
        cmd = [
            sys.executable,
            "-m",
            "akcli",
            "-C",
            "http.addr=127.0.0.1:0",
            "-C",
            f"http.addr_filename={addr_file}",
            *self.extra,
            "up",
            "--mode",
            self.mode,
        ]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ak up exited {self.proc.returncode}:\n{self.log.read_text()}"
                )
            if addr_file.exists() and addr_file.read_text():
                url = f"http://{addr_file.read_text()}"
                try:
                    with urllib.request.urlopen(url + "/readyz", timeout=1) as r:
                        if r.status == 200:
                            self.url = url
                            return self
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"ak up not ready in {timeout}s:\n{self.log.read_text()}")

    def ak(self, *args: str, cwd: Path | None = None, timeout: float = 300) -> str:
        """Run `ak <args>` against this server; its stdout, or raise with stderr."""
        p = subprocess.run(
            [sys.executable, "-m", "akcli", *args],
            env=self.env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if p.returncode != 0:
            raise RuntimeError(f"ak {' '.join(args)} exited {p.returncode}: {p.stderr}")
        return p.stdout

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
