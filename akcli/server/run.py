"""Start the server: bind, open the store, print the banner, serve until stopped."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import signal
import socket
import sys
from pathlib import Path

from akcli import __version__
from akcli.config import Config
from akcli.errors import AkError, BadRequest
from akcli.ids import IdGen
from akcli.paths import Paths, ensure_dir, private_dir
from akcli.secrets import Cipher
from akcli.server.auth import server_token
from akcli.server.state import Server
from akcli.store.db import Database
from akcli.store.open import open_database

MODES = ("dev", "test", "default")

BANNER = r"""
        ᓚᘏᗢ  ak {version}  (pid {pid})

    HTTP:       http://{addr}
    Mode:       {mode}
    Data home:  {data}
    Web UI:     http://{addr}/  (ak ui opens it, logged in)
"""


def parse_addr(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise BadRequest(
            f'invalid http.addr "{addr}", expected host:port with port 0-65535'
        )
    return (host.strip("[]") or "127.0.0.1"), int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP (not 0) so asyncio sets TCP_NODELAY on accepted connections:
    # otherwise a response written in two parts waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        reason = "address already in use" if e.errno == 98 else e.strerror
        raise AkError(f"listen tcp {host}:{port}: {reason}") from None
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


def lock_data_home(paths: Paths) -> int:
    """Hold an exclusive lock on ``<data home>/server.lock`` for this process's life.

    Two servers on one data home would both recover its running sessions (a
    durable session ran in two runners at once): the second one exits 1. The
    kernel drops the lock when the process ends, however it ends.
    """
    import fcntl

    ensure_dir(paths.data_home)
    path = paths.data_home / "server.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise AkError(
            f"another ak server (pid {holder}) is using {paths.data_home}"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def open_db(mode: str, config: Config, paths: Paths) -> Database:
    return open_database(mode, config, paths)


def make_server(
    mode: str, config: Config, paths: Paths, host: str, port: int
) -> Server:
    ensure_dir(paths.config_home)
    ensure_dir(paths.data_home)
    private_dir(paths.runtime_dir)  # refuse a dir another user prepared
    db = open_db(mode, config, paths)
    service_url = config.get("http.service_url")
    if not service_url or (
        "http.service_url" not in config.overrides
        and not os.environ.get("AK_HTTP__SERVICE_URL")
        and "http.service_url" not in config.file_values
    ):
        service_url = (
            f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        )
    srv = Server(
        mode=mode,
        config=config,
        paths=paths,
        db=db,
        ids=IdGen(sequential=mode == "test"),
        cipher=Cipher(paths.secret_key_file),
        service_url=service_url.rstrip("/"),
        token=server_token(config, paths),
    )
    return srv


def _dump_tasks() -> None:
    for task in asyncio.all_tasks():
        task.print_stack(file=sys.stderr)


def serve(mode: str, config: Config, paths: Paths) -> None:
    if mode not in MODES:
        raise BadRequest(f'parse mode: invalid mode "{mode}"')
    import uvicorn

    from akcli.server.app import build_app
    from akcli.server.http_limits import limited_protocol

    host, port = parse_addr(config.get("http.addr"))
    lock_fd = lock_data_home(paths)
    sock = bind(host, port)
    host, port = sock.getsockname()[:2]
    srv = make_server(mode, config, paths, host, port)
    if addr_file := config.get("http.addr_filename"):
        Path(addr_file).write_text(f"{host}:{port}")
    if mode != "default":
        print(f"*** {mode.upper()} MODE *** NEVER USE IN PRODUCTION", file=sys.stderr)
        if config.get_bool("banner.show"):
            print(
                BANNER.format(
                    version=__version__,
                    pid=os.getpid(),
                    addr=f"{host}:{port}",
                    mode=mode,
                    data=paths.data_home if mode != "test" else "(in memory)",
                ),
                file=sys.stderr,
            )
    if not is_loopback(host):
        print(
            f"API token required (stored in {paths.credentials_file}); webhooks are public",
            file=sys.stderr,
        )
    if mode != "test":  # as upstream: built at start unless in test mode
        from akcli.venvs import prebuild_default

        prebuild_default(paths, config)
    level = config.get("logger.level") or "info"
    uv_config = uvicorn.Config(
        build_app(srv),
        log_level="warning" if level == "info" else level,
        access_log=level == "debug",
        lifespan="on",
        timeout_graceful_shutdown=10,
        http=limited_protocol(
            config.get_duration("http.read_header_timeout"),
            config.get_int("http.max_connections"),
        ),
    )

    async def main() -> None:
        # `kill -USR1 <pid>` prints every asyncio task's stack: for diagnosing hangs.
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, _dump_tasks)
        await srv.engine.connect()  # e.g. engine: temporal; an AkError is one line
        await uvicorn.Server(uv_config).serve(sockets=[sock])

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it drained on: a clean stop, rc 0
    finally:
        from akcli.venv_build import stop_all

        stop_all()  # a background venv build: its .complete marker is never written
        srv.store.close()
        os.close(lock_fd)
    print("", file=sys.stderr)
