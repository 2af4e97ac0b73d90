"""In-process server helpers without pytest: the benchmarks import them too
(`python -m bench` runs after README's install command, with no dev tools)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

from akcli.config import Config
from akcli.engine.sessions_store import create_session
from akcli.ids import IdGen
from akcli.paths import Paths
from akcli.secrets import Cipher
from akcli.server.state import Server
from akcli.states import BuildStatus, DeploymentState
from akcli.store.db import Database, now


def make_server(
    tmp: Path, db_path: Path | None = None, config: dict[str, str] | None = None
) -> Server:
    paths = Paths(tmp / "cfg", tmp / "data", tmp / "cache")
    overrides = {"pythonrt.heartbeat_timeout": "5s", **(config or {})}
    settings = Config(paths=paths, overrides=overrides)
    srv = Server(
        mode="test",
        config=settings,
        paths=paths,
        db=Database(db_path),
        ids=IdGen(sequential=db_path is None),
        cipher=Cipher(tmp / "secret.key"),
        service_url="http://127.0.0.1:9",
    )
    return srv


def tar_of(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def deploy(srv: Server, files: dict[str, str], name: str = "p") -> tuple[str, str, str]:
    """Insert a project, build and ACTIVE deployment directly (the engine's inputs)."""
    pid, bid, did, t = srv.ids.new("prj"), srv.ids.new("bld"), srv.ids.new("dep"), now()
    store = srv.store
    with store.tx():
        store.projects.create(pid, name, t)
        store.builds.create(bid, pid, BuildStatus.SUCCESS, tar_of(files), t)
        store.deployments.create(did, pid, bid, DeploymentState.ACTIVE, t)
    return pid, bid, did


def start(
    srv: Server,
    ids: tuple[str, str, str],
    entry: str,
    *,
    durable: bool = True,
    inputs: dict[str, Any] | None = None,
) -> str:
    path, name = entry.split(":")
    return create_session(
        srv,
        project_id=ids[0],
        build_id=ids[1],
        deployment_id=ids[2],
        entry_path=path,
        entry_name=name,
        inputs=inputs or {},
        is_durable=durable,
    )
