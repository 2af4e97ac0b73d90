"""Web UI fixtures: one real `ak up --mode dev` with a deployed sample, and a
headless Debian Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.server import AkServer

CHROMIUM = os.environ.get("AK_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "s3cr3t-value-7f3a9c"  # a secret var's value: never in a page

MANIFEST = f"""version: v1
project:
  name: uidemo
  vars:
    - name: API_KEY
      value: {SECRET}
      secret: true
    - name: GREETING
      value: hello
  triggers:
    - name: steps
      type: webhook
      call: program.py:steps
    - name: fail
      type: webhook
      call: program.py:fail
    - name: slow
      type: webhook
      call: program.py:slow
    - name: chatty
      type: webhook
      call: program.py:chatty
    - name: nightly
      type: schedule
      schedule: "0 3 * * *"
      call: program.py:steps
"""

PROGRAM = '''"""UI test sample: activities of known lengths, a failing one, a long one."""

import os
import time

from autokitteh import activity


@activity
def work(seconds):
    time.sleep(seconds)
    return seconds


@activity
def charge(amount):
    raise ValueError(f"card declined for {amount}")


def steps(event):
    key = os.getenv("API_KEY")
    print(f"steps: start (key of {len(key)} chars)")
    time.sleep(1.5)  # a durable timer: long enough to watch the session run
    for seconds in (0.8, 0.2, 0.5):
        print(f"working {seconds}s")
        work(seconds)
    print("steps: done")
    return {"ok": True, "steps": 3}


def fail(event):
    print("about to charge")
    charge(42)


def chatty(event):
    for i in range(1500):
        print(f"line {i}")


def slow(event):
    for i in range(600):
        print(f"tick {i}")
        time.sleep(0.5)
'''


class Deployed:
    def __init__(self, server: AkServer, work: Path) -> None:
        self.server = server
        self.work = work
        self.url = server.url

    def ak(self, *args: str, cwd: Path | None = None) -> str:
        p = subprocess.run(
            [sys.executable, "-m", "akcli", *args],
            cwd=cwd or self.work,
            env={**os.environ, **self.server.env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 0, p.stdout + p.stderr
        return p.stdout

    def trigger(self, project: str, name: str) -> dict[str, Any]:
        out = self.ak("trigger", "get", name, "-p", project, "-j")
        trigger: dict[str, Any] = json.loads(out)["trigger"]
        return trigger

    def fire(self, project: str, name: str, body: bytes = b"hi") -> str:
        """POST to a webhook trigger (public); the event ID."""
        url = self.trigger(project, name)["webhook_url"]
        req = urllib.request.Request(url, data=body, method="POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return str(resp.headers["AutoKitteh-Event-ID"])

    def session_of(self, event_id: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.ak("session", "list", "--event-id", event_id, "-j").strip()
            if out:
                return str(json.loads(out.splitlines()[0])["session_id"])
            time.sleep(0.1)
        raise AssertionError(f"no session for event {event_id}")

    def ui_url(self) -> str:
        return self.ak("ui", "--print").strip()


@pytest.fixture(scope="package")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    tmp = tmp_path_factory.mktemp("ui")
    server = AkServer(tmp / "home", mode="dev").start()
    work = tmp / "uidemo"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text(PROGRAM)
    quickstart = tmp / "quickstart"
    shutil.copytree(REPO / "testdata" / "quickstart", quickstart)
    try:
        d = Deployed(server, work)
        d.ak("deploy")
        d.ak("deploy", cwd=quickstart)
        yield d
    finally:
        server.stop()


def chromium_missing() -> str:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    return ""


@pytest.fixture(scope="package")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1100, "height": 760},
        )
        try:
            yield ctx
        finally:
            ctx.close()


@pytest.fixture
def page(browser_context: Any, deployed: Deployed) -> Iterator[Any]:
    """A logged-in tab (through `ak ui --print`'s URL)."""
    pg = browser_context.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(deployed.ui_url())
    try:
        yield pg
    finally:
        pg.close()


def screenshot(pg: Any, name: str) -> None:
    """Save a full-page PNG into $UI_SCREENSHOTS, if set (refresh the
    checked-in ones with UI_SCREENSHOTS=docs/screenshots)."""
    folder = Path(os.environ.get("UI_SCREENSHOTS") or "")
    if not str(folder) or str(folder) == ".":
        return
    folder.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(folder / f"{name}.png"), full_page=True)
