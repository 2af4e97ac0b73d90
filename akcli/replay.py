"""`ak session replay`: fetch a session's build and journal, re-run it here.

The handler runs in a foreground child process of this one (the session's
interpreter, attached to this terminal) under `runner.replay`, which answers
every journaled call from the journal: no server round trip per call, so pdb
and IDE debuggers work. Importable pieces; the command is in
`akcli/commands/sessions/replay.py`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akcli.errors import AkError, FailedPrecondition, NotFound

if TYPE_CHECKING:
    from akcli.client import Client
    from akcli.config import Config


DIVERGED = 3  # runner.replay's exit code when the handler left the journal


@dataclass
class Prepared:
    root: str  # temporary: the code dir, the stage dir and run.json
    code_dir: str
    stage_dir: str
    run_file: str
    python: str
    journal_len: int


def prepare(client: Client, config: Config, sid: str, live: bool) -> Prepared:
    """Write the session's build, a runner stage dir and its run message."""
    from akcli.engine.build_files import read_build, write_session_dir
    from akcli.engine.runner_pool import runner_package_dir
    from akcli.venvs import default_requirements, python_for

    ses = client.call("sessions", "Get", {"session_id": sid}).get("session")
    if not ses:
        raise NotFound(f'session "{sid}" not found')
    durable = bool(ses.get("is_durable"))
    if not durable and not live:
        raise FailedPrecondition(
            f"session {sid} is not durable: it has no journal to replay"
            " (--live runs it locally for real)"
        )
    build_id = str(ses.get("build_id") or "")
    if not build_id:
        raise FailedPrecondition(f"session {sid} has no build")
    data = client.call("builds", "Download", {"build_id": build_id})["data"]
    archive = base64.b64decode(data)
    journal: list[dict[str, Any]] = client.call(
        "sessions", "GetJournal", {"session_id": sid}
    ).get("journal", [])
    files = read_build(archive)
    root = tempfile.mkdtemp(prefix="ak-replay-")
    try:
        code_dir = write_session_dir(files, archive, root)
        stage = os.path.join(root, "stage")
        os.makedirs(stage)
        pkg = runner_package_dir()
        os.symlink(pkg, os.path.join(stage, "runner"))
        os.symlink(os.path.join(pkg, "autokitteh"), os.path.join(stage, "autokitteh"))
        entry = ses.get("entrypoint") or {}
        inputs = ses.get("inputs") or {}
        run = {
            "session_id": sid,
            "entrypoint": f"{entry.get('path', '')}:{entry.get('name', '')}",
            "event": {
                "data": inputs,
                "event_id": ses.get("event_id") or None,
                "event_type": None,
            },
            "durable": durable,
            "journal": journal,
        }
        run_file = os.path.join(root, "run.json")
        Path(run_file).write_text(json.dumps(run))
        # The interpreter the server picks for this build (same venvs).
        defaults = default_requirements(config)
        python = python_for(config.paths, files.requirements, None, defaults)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return Prepared(root, code_dir, stage, run_file, python, len(journal))


def run(p: Prepared, until: int | None, pdb: bool, live: bool) -> int:
    """Run `runner.replay` in the foreground; its exit code."""
    cmd = [
        p.python,
        "-m",
        "runner.replay",
        "--code-dir",
        p.code_dir,
        "--run",
        p.run_file,
    ]
    if until is not None:
        cmd += ["--until", str(until)]
    if pdb:
        cmd.append("--pdb")
    if live:
        cmd.append("--live")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = p.stage_dir
    try:
        return subprocess.run(cmd, cwd=p.stage_dir, env=env, check=False).returncode
    except OSError as e:
        raise AkError(f'cannot run "{p.python}": {e}') from None
    finally:
        shutil.rmtree(p.root, ignore_errors=True)
