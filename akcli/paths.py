"""Where `ak` keeps its state: every path is derived here and nowhere else.

Locations come from platformdirs (app name `autokitteh`), which on Linux honours
XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_CACHE_HOME. Directories are created 0700
and state files 0600 when first used.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

APP = "autokitteh"


@dataclass(frozen=True)
class Paths:
    config_home: Path
    data_home: Path
    cache_home: Path

    @classmethod
    def from_env(cls) -> Paths:
        import platformdirs  # lazy: keeps `ak --help` fast

        return cls(
            config_home=platformdirs.user_config_path(APP, appauthor=False),
            data_home=platformdirs.user_data_path(APP, appauthor=False),
            cache_home=platformdirs.user_cache_path(APP, appauthor=False),
        )

    @property
    def config_file(self) -> Path:
        return self.config_home / "config.yaml"

    @property
    def env_file(self) -> Path:
        return self.config_home / ".env"

    @property
    def credentials_file(self) -> Path:
        return self.config_home / "credentials"

    @property
    def secret_key_file(self) -> Path:
        return self.config_home / "secret.key"

    @property
    def db_file(self) -> Path:
        return self.data_home / "autokitteh.sqlite"

    @property
    def venvs_dir(self) -> Path:
        return self.data_home / "venvs"

    @property
    def builds_dir(self) -> Path:
        return self.data_home / "builds"

    @property
    def logs_dir(self) -> Path:
        return self.data_home / "logs"

    @property
    def runtime_dir(self) -> Path:
        """Sockets, the runner stage and session code dirs: one per data home.

        ``$XDG_RUNTIME_DIR/ak-<digest>`` when that dir is usable (ours, not
        writable by others, short enough for socket paths), else
        ``<tmp>/ak-<uid>-<digest>``. Only :func:`private_dir` makes it usable:
        the fallback lives in a world-writable place.
        """
        digest = hashlib.sha256(str(self.data_home).encode()).hexdigest()[:10]
        xdg = os.environ.get("XDG_RUNTIME_DIR", "")
        if xdg and os.path.isabs(xdg) and _owned_private(xdg):
            path = Path(xdg) / f"ak-{digest}"
            if len(str(path)) + SOCKET_NAME_ROOM <= UNIX_PATH_MAX:
                return path
        return Path(tempfile.gettempdir()) / f"ak-{os.getuid()}-{digest}"


# AF_UNIX paths are at most 107 bytes; socket names take "/s<pid>-<n>.sock".
UNIX_PATH_MAX = 107
SOCKET_NAME_ROOM = 28


def _owned_private(path: str) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022
    )


def private_dir(path: Path, what: str = "runtime dir") -> Path:
    """Create ``path`` 0700, or check that the existing one is safe to reuse.

    Safe: a real directory (not a symlink), owned by this user, writable by
    no one else (a group/other read bit is dropped). Anything else may hold
    files planted by another user and raises one ``Error:`` line.
    """
    from akcli.errors import AkError

    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as e:
        raise AkError(f'cannot create {what} "{path}": {e.strerror}') from None
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        problem = "is a symlink"
    elif not stat.S_ISDIR(st.st_mode):
        problem = "is not a directory"
    elif st.st_uid != os.getuid():
        problem = f"is owned by uid {st.st_uid}"
    elif st.st_mode & 0o022:
        problem = f"is writable by others (mode {stat.S_IMODE(st.st_mode):04o})"
    else:
        if st.st_mode & 0o077:
            os.chmod(path, 0o700)
        return path
    raise AkError(
        f'{what} "{path}" {problem}: refusing to use it'
        " (remove it, or set XDG_RUNTIME_DIR to a private directory)"
    )


def ensure_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode 0700; return it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: str | bytes) -> None:
    """Write a state file atomically with mode 0600 (never half-written)."""
    ensure_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    raw = data.encode() if isinstance(data, str) else data
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, raw)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
