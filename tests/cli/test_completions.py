"""The checked-in completion scripts must match what `ak completion` prints."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from akcli.commands.misc import SHELLS, completion_script
from tests.conftest import REPO

FILES = {"bash": "ak.bash", "zsh": "ak.zsh", "fish": "ak.fish", "powershell": "ak.ps1"}


@pytest.mark.parametrize("shell", SHELLS)
def test_no_drift(shell: str) -> None:
    checked_in = (REPO / "completions" / FILES[shell]).read_text()
    assert checked_in == completion_script(shell), (
        f"completions/{FILES[shell]} is stale: run `ak completion {shell} > completions/{FILES[shell]}`"
    )


def test_bash_script_completes_commands(tmp_path: Path) -> None:
    script = (
        f"source {REPO}/completions/ak.bash; complete -p ak >/dev/null || exit 3; "
        'COMP_WORDS=(ak config w); COMP_CWORD=2; _ak_completion ak; echo "${COMPREPLY[@]}"'
    )
    out = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["where"]


def test_zsh_compdef_on_line_one() -> None:
    # zsh's compinit only reads the `#compdef` tag on a file's first line.
    assert completion_script("zsh").splitlines()[0] == "#compdef ak"
    assert (REPO / "completions" / "ak.zsh").read_text().splitlines()[
        0
    ] == "#compdef ak"
