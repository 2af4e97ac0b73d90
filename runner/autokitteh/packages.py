"""``install(*packages)``: install missing packages into the session's Python.

Prefer requirements.txt: this is for experiments. Each package is a pip
requirement specifier (``"requests ~= 2.32"``), or a ``(specifier, import
name)`` pair when they differ (``("pillow", "PIL")``). A package that imports
already is skipped; ``uv`` is used when on PATH, else ``python -m pip``.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys

__all__ = ["install"]


def _package_name(specifier: str) -> str:
    """The import name guessed from a specifier: ``"requests==2"`` -> ``requests``."""
    match = re.match(r"\w+", specifier.strip())
    if not match:
        raise ValueError(f"bad specifier: {specifier}")
    return match.group()


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _install_one(specifier: str, import_name: str) -> None:
    if _importable(import_name):
        return
    uv = shutil.which("uv")
    if uv:
        cmd = [uv, "pip", "install", "--python", sys.executable, specifier]
    else:
        cmd = [sys.executable, "-m", "pip", "install", specifier]
    if subprocess.run(cmd, check=False).returncode != 0:
        raise RuntimeError(f"can't install {specifier!r}")
    importlib.invalidate_caches()
    if not _importable(import_name):
        raise RuntimeError(
            f"can't import {import_name!r} after installing {specifier!r}"
        )


def install(*packages: str | tuple[str, str] | list[str]) -> None:
    """Install each package that cannot be imported yet."""
    for package in packages:
        if isinstance(package, str):
            _install_one(package, _package_name(package))
        elif isinstance(package, tuple | list):
            if len(package) != 2:
                raise ValueError(f"length should be 2: {package}")
            specifier, import_name = package
            _install_one(str(specifier), str(import_name))
        else:
            raise TypeError(f"bad package: {package}")
