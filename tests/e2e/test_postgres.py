"""The quickstart on PostgreSQL: `ak up --mode default` with db.type postgres
(a real server, tests/pg.py), deploy, webhook, the session completes and its
print shows; a restarted server finds it again. The DSN's password appears
in no output."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, run_ak
from tests.server import AkServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

PASSWORD = "Pg-Pa55word-never-shown"


def test_quickstart_on_postgres(tmp_path: Path, pg_fresh_dsn: str) -> None:
    # The test server trusts every local login: any password is accepted.
    dsn = pg_fresh_dsn.replace("postgres@", f"postgres:{PASSWORD}@", 1)
    env = {"AK_DB__TYPE": "postgres", "AK_DB__DSN": dsn}
    project = tmp_path / "quickstart"
    shutil.copytree(REPO / "testdata" / "quickstart", project)
    server = AkServer(tmp_path / "home", mode="default", env=env).start()
    outputs: list[str] = []
    try:
        r = run_ak("deploy", cwd=project, env=server.env)
        outputs.append(r.stdout + r.stderr)
        assert r.exit_code == 0, r.stderr
        r = run_ak("trigger", "get", "meow", "-p", "quickstart", "-j", env=server.env)
        url = json.loads(r.stdout)["trigger"]["webhook_url"]
        req = urllib.request.Request(url, data=b"hello from pg", method="POST")
        with urllib.request.urlopen(req) as resp:
            assert resp.status == 202
        r = run_ak(
            "session", "watch", "quickstart", "--wait-created", "--timeout", "60s",
            "--quiet", env=server.env, timeout=90,
        )  # fmt: skip
        outputs.append(r.stdout + r.stderr)
        log = run_ak("session", "log", "quickstart", env=server.env).stdout
        assert r.exit_code == 0, r.stdout + r.stderr + log
        r = run_ak("session", "prints", "quickstart", "--no-timestamps", env=server.env)
        outputs.append(r.stdout + r.stderr)
        assert "Meow! got a POST with: hello from pg" in r.stdout
        assert "done, purr" in r.stdout
    finally:
        server.stop()
    # Another server on the same database: the state is in PostgreSQL.
    again = AkServer(tmp_path / "home2", mode="default", env=env).start()
    try:
        r = run_ak("session", "list", "-j", env=again.env)
        outputs.append(r.stdout + r.stderr)
        assert r.exit_code == 0, r.stderr
        [listed] = [json.loads(line) for line in r.stdout.splitlines()]
        assert listed["state"].endswith("COMPLETED"), listed
    finally:
        again.stop()
    logs = server.log.read_text() + again.log.read_text()
    assert PASSWORD not in logs + "".join(outputs)
