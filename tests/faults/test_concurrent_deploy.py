"""`ak deploy` of the same project from 4 processes at once, several rounds.

Each process succeeds or fails with one `Error: ...` line (no traceback); at the
end exactly one deployment is ACTIVE, the triggers are the manifest's (no
duplicates), the webhook slug is the one of the first deploy, and the webhook
still starts sessions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.conftest import ITERATIONS, Env, assert_store_sound

pytestmark = pytest.mark.faults

MANIFEST = """version: v1
project:
  name: racy
  vars:
    - name: GREETING
      value: hi
  triggers:
    - name: hook
      type: webhook
      call: program.py:on_event
    - name: other
      type: webhook
      call: program.py:on_event
    - name: tick
      type: schedule
      schedule: "@every 1h"
      call: program.py:on_event
"""
PROGRAM = "def on_event(event):\n    print('hi')\n"


def _deploy(env: Env, work: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "akcli", "deploy"],
        cwd=work,
        env={**os.environ, **env.server.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_deploys(env: Env) -> None:
    work = env.tmp / "racy"
    work.mkdir()
    (work / "autokitteh.yaml").write_text(MANIFEST)
    (work / "program.py").write_text(PROGRAM)
    slugs: set[str] = set()
    outcomes: list[int] = []
    for _ in range(max(2, ITERATIONS // 2)):
        procs = [_deploy(env, work) for _ in range(4)]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert "Traceback" not in err, err
            outcomes.append(p.returncode)
            if p.returncode != 0:
                assert p.returncode in (1, 40, 41, 42, 43, 44), err
                errors = [x for x in err.splitlines() if x.startswith("Error: ")]
                assert len(errors) == 1, err
        assert env.server.proc is not None
        assert env.server.proc.poll() is None, (
            f"ak up died ({env.server.proc.returncode}): "
            + env.server.log.read_text()[-3000:]
        )
        _check(env)  # right after the race, before anything repairs it
        r = env.ak("deploy", cwd=work)  # a lone deploy always works
        assert r.exit_code == 0, r.stderr
        slugs.add(env.slug("racy", "hook"))
        _check(env)
    assert outcomes.count(0) >= 1, outcomes
    assert len(slugs) == 1, f"the webhook slug changed: {slugs}"
    status, headers, _ = env.request("POST", f"/webhooks/{slugs.pop()}", b"x")
    assert status == 202
    eid = headers["autokitteh-event-id"]
    sid = _session_of(env, eid)
    assert env.wait_final(sid)["state"] == "completed"
    env.server.stop()
    assert_store_sound(env.server.db_file)


def _check(env: Env) -> None:
    with env.db() as db:
        projects = db.execute(
            "SELECT project_id FROM projects WHERE name = 'racy'"
        ).fetchall()
        assert len(projects) == 1
        pid = projects[0][0]
        states = [
            r[0]
            for r in db.execute(
                "SELECT state FROM deployments WHERE project_id = ?", (pid,)
            )
        ]
        triggers = sorted(
            r[0]
            for r in db.execute(
                "SELECT name FROM triggers WHERE project_id = ?", (pid,)
            )
        )
        variables = [
            r[0] for r in db.execute("SELECT name FROM vars WHERE scope_id = ?", (pid,))
        ]
    assert states.count("DEPLOYMENT_STATE_ACTIVE") == 1, states
    assert triggers == ["hook", "other", "tick"], triggers
    assert variables == ["GREETING"], variables
    listed = env.ok("project", "list", "-j")
    names = [json.loads(x)["name"] for x in listed.splitlines() if x.strip()]
    assert names.count("racy") == 1, names


def _session_of(env: Env, eid: str) -> str:
    import time

    for _ in range(300):
        with env.db() as db:
            row = db.execute(
                "SELECT session_id FROM sessions WHERE event_id = ?", (eid,)
            ).fetchone()
        if row:
            return str(row[0])
        time.sleep(0.1)
    raise AssertionError(f"event {eid} has no session")


def test_concurrent_deploys_of_different_manifests(env: Env) -> None:
    """4 processes deploy 4 variants of the project at once: trigger names stay
    unique, one deployment is ACTIVE, `hook` keeps its slug; a lone deploy then
    leaves exactly its own triggers."""
    variants = {
        "a": ["hook"],
        "b": ["hook", "other"],
        "c": ["hook", "tick"],
        "d": ["hook", "other", "tick"],
    }
    head, triggers = MANIFEST.split("  triggers:\n")
    blocks = {b.split("\n", 1)[0]: b for b in triggers.split("    - name: ")[1:]}
    works = {}
    for key, names in variants.items():
        work = env.tmp / f"racy-{key}"
        work.mkdir()
        text = (
            head + "  triggers:\n" + "".join("    - name: " + blocks[n] for n in names)
        )
        (work / "autokitteh.yaml").write_text(text)
        (work / "program.py").write_text(PROGRAM)
        works[key] = work
    slugs: set[str] = set()
    for _ in range(max(2, ITERATIONS // 2)):
        running = [_deploy(env, w) for w in works.values()]
        codes = []
        for p in running:
            _, err = p.communicate(timeout=120)
            codes.append(p.returncode)
            assert "Traceback" not in err, err
            if p.returncode != 0:
                errors = [x for x in err.splitlines() if x.startswith("Error: ")]
                assert len(errors) == 1, err
        with env.db() as db:
            names = [
                r[0]
                for r in db.execute(
                    "SELECT t.name FROM triggers t JOIN projects p USING (project_id)"
                    " WHERE p.name = 'racy'"
                )
            ]
            active = db.execute(
                "SELECT COUNT(*) FROM deployments d JOIN projects p USING (project_id)"
                " WHERE p.name = 'racy' AND d.state = 'DEPLOYMENT_STATE_ACTIVE'"
            ).fetchone()[0]
        assert 0 in codes, codes
        assert len(names) == len(set(names)), f"duplicate triggers: {names}"
        assert "hook" in names
        assert active == 1
        slugs.add(env.slug("racy", "hook"))
        r = env.ak("deploy", cwd=works["b"])
        assert r.exit_code == 0, r.stderr
        with env.db() as db:
            names = sorted(
                r[0]
                for r in db.execute(
                    "SELECT t.name FROM triggers t JOIN projects p USING (project_id)"
                    " WHERE p.name = 'racy'"
                )
            )
        assert names == ["hook", "other"], names
    assert len(slugs) == 1, f"the webhook slug changed: {slugs}"
