"""Where `ak` keeps its state: every path is derived here and nowhere else.

Locations come from platformdirs (app name `autokitteh`), which on Linux honours
XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_CACHE_HOME. Directories are created 0700
and state files 0600 when first used.
"""

from __future__ import annotations

import hashlib
import os
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
        """Short path for Unix sockets (their paths are limited to ~104 bytes)."""
        digest = hashlib.sha256(str(self.data_home).encode()).hexdigest()[:10]
        return Path(tempfile.gettempdir()) / f"ak-{os.getuid()}-{digest}"


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
