"""A real, throwaway PostgreSQL server for tests, without pytest (like
tests/engine/inproc.py): Debian's binaries, `initdb` + `pg_ctl start` in a
temp dir on a free 127.0.0.1 port, trust auth, removed again by `stop()`.

initdb refuses to run as root: as root the server runs as the `postgres`
system user (the Debian package creates it), owning its 0700 data dir.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

_BIN_ROOT = Path("/usr/lib/postgresql")
_RUN_AS = "postgres"
# Durability is not under test here: no fsyncs, so CREATE DATABASE is cheap.
_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<ver>/bin holding initdb and pg_ctl."""
    found = [
        d / "bin"
        for d in _BIN_ROOT.glob("*")
        if (d / "bin" / "initdb").exists() and (d / "bin" / "pg_ctl").exists()
    ]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else None


def missing_reason() -> str | None:
    """Why no test server can start here (None: it can)."""
    if bin_dir() is None:
        return (
            f"PostgreSQL not installed (no {_BIN_ROOT}/<ver>/bin/initdb;"
            " apt-get install postgresql)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(_RUN_AS)
        except KeyError:
            return f"running as root and there is no {_RUN_AS!r} user to run PostgreSQL"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """`start()` returns the DSN of the maintenance database `postgres`."""

    def __init__(self, durable: bool = False) -> None:
        # Tests trade crash safety for speed; the bench measures the real thing.
        self._opts = () if durable else _FAST
        self.dir: Path | None = None
        self.port = 0
        self._bin: Path | None = None
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        assert self._bin is not None and self.dir is not None
        cmd = [str(self._bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", _RUN_AS, "--", *cmd]
        subprocess.run(
            cmd,
            check=True,
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def start(self) -> str:
        reason = missing_reason()
        if reason:
            raise RuntimeError(reason)
        self._bin = bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="ak-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam(_RUN_AS)
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        os.chmod(self.dir, 0o700)
        data = self.dir / "data"
        try:
            self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust")
            for attempt in range(3):
                self.port = _free_port()
                opts = " ".join(
                    [
                        f"-p {self.port}",
                        f"-k {self.dir}",
                        "-c listen_addresses=127.0.0.1",
                        *(f"-c {o}" for o in self._opts),
                    ]
                )
                log = str(self.dir / "server.log")
                try:
                    self._run(
                        "pg_ctl", "start", "-w", "-D", str(data), "-l", log, "-o", opts
                    )
                    break
                except subprocess.CalledProcessError:
                    if attempt == 2:  # the port was taken under us, thrice
                        raise
        except subprocess.CalledProcessError as e:
            log_file = self.dir / "server.log"
            tail = log_file.read_text()[-2000:] if log_file.exists() else ""
            self.stop()
            raise RuntimeError(
                f"PostgreSQL did not start: {e.stderr.decode(errors='replace')}{tail}"
            ) from e
        return self.dsn("postgres")

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        """A new empty database (each test its own); returns its DSN."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.dsn(name)

    def stop(self) -> None:
        if self.dir is None:
            return
        if (self.dir / "data" / "postmaster.pid").exists():
            # On a failure removing its dir is all that is left to do.
            with contextlib.suppress(
                subprocess.CalledProcessError, subprocess.TimeoutExpired
            ):
                self._run(
                    "pg_ctl", "stop", "-D", str(self.dir / "data"), "-m", "immediate"
                )
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
