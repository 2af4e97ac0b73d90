"""Progress on stderr for long steps (venv builds, waiting), via rich.

On a terminal: one line per phase with a spinner or bar, counts and elapsed
time. In pipes and CI: one plain line per finished phase.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akcli.venv_build import Step

LABELS = {
    "virtualenv": "creating the virtualenv",
    "resolving": "resolving and downloading",
    "installing": "installing",
}


def describe(step: Step) -> str:
    """`resolving and downloading: 85 distributions (24 from pip's cache)`."""
    label = LABELS.get(step.phase, step.phase)
    if step.venv:
        label = f"{'default' if step.venv == 'default' else 'project'} venv: {label}"
    if step.phase == "virtualenv":
        return label
    if step.phase == "resolving":
        words = step.detail.split()
        cached = int(words[0]) if words and words[0].isdigit() else 0
        extra = f" ({cached} from pip's cache)" if cached else ""
        return f"{label}: {_n(step.done)}{extra}"
    return f"{label}: {step.done}/{_n(step.total or 0)}"


def _n(count: int) -> str:
    return f"{count} distribution{'' if count == 1 else 's'}"


class PlainSteps:
    """One line per finished phase (not a terminal)."""

    def __init__(self, title: str) -> None:
        self.last: Step | None = None
        self.t0 = time.monotonic()
        print(f"{title}...", file=sys.stderr)

    def __call__(self, step: Step) -> None:
        last = self.last
        if last is not None and (step.phase, step.venv) != (last.phase, last.venv):
            self._emit(last)
        self.last = step

    def _emit(self, step: Step) -> None:
        took = time.monotonic() - self.t0
        print(f"  {describe(step)} ({took:.1f}s)", file=sys.stderr)

    def close(self) -> None:
        if self.last is not None:
            self._emit(self.last)
            self.last = None


class _Rich:
    """A rich Progress with one task per phase."""

    def __init__(self, title: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(stderr=True)
        self.console.print(f"{title}...")
        self.bar = Progress(
            SpinnerColumn(finished_text="[green]✓[/green]"),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self.tasks: dict[str, Any] = {}
        self.bar.start()

    def __call__(self, step: Step) -> None:
        key = f"{step.venv}/{step.phase}"
        for other in self.tasks:
            if other != key:
                self._finish(other)
        if key not in self.tasks:
            self.tasks[key] = self.bar.add_task(describe(step), total=None)
        self.bar.update(
            self.tasks[key],
            description=describe(step),
            completed=step.done,
            total=step.total,
        )

    def _finish(self, key: str) -> None:
        task = self.tasks[key]
        t = self.bar.tasks[task]
        if not t.finished:
            end = t.total if t.total is not None else max(t.completed, 1)
            self.bar.update(task, total=end, completed=end)
            self.bar.stop_task(task)

    def close(self) -> None:
        for key in self.tasks:
            self._finish(key)
        self.bar.stop()


@contextmanager
def build_display(title: str) -> Iterator[Callable[[Step], None]]:
    """Yields the callback that shows a venv build's steps."""
    shown = _Rich(title) if sys.stderr.isatty() else PlainSteps(title)
    try:
        yield shown
    finally:
        shown.close()
