"""Progress on stderr for long steps (venv builds, waiting), via rich.

Shown only on a terminal; in pipes and CI each step is one plain line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def status(title: str) -> Iterator[Callable[[str], None]]:
    """A spinner with a changing message; yields `update(message)`."""
    if not sys.stderr.isatty():
        print(f"{title}...", file=sys.stderr)
        yield lambda msg: print(f"  {msg}", file=sys.stderr)
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status(title) as st:
        yield lambda msg: st.update(f"{title}: {msg}")
    console.print(f"[green]✓[/green] {title}")


def prepare_venv(uploaded: dict[str, bytes]) -> None:
    """Build (or reuse) the venv for the uploaded project's requirements.txt."""
    import os

    from akcli.paths import Paths
    from akcli.venvs import MARKER, python_for, venv_dir

    raw = uploaded.get("requirements.txt")
    requirements = raw.decode() if raw else None
    paths = Paths.from_env()
    if (
        os.environ.get("AK_WORKER_PYTHON")
        or (venv_dir(paths, requirements) / MARKER).exists()
    ):
        python_for(paths, requirements)  # validates AK_WORKER_PYTHON; no build
        return
    what = "requirements.txt" if requirements else "default"
    with status(f"preparing the Python environment ({what})") as update:
        python_for(paths, requirements, update)
