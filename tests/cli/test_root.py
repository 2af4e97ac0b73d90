from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, run_ak


def test_help_lists_groups(cli: Cli) -> None:
    r = cli("--help")
    assert r.exit_code == 0
    for group in (
        "config",
        "version",
        "completion",
        "project",
        "session",
        "deploy",
        "up",
        "trigger",
        "event",
        "var",
        "manifest",
        "build",
        "deployment",
    ):
        assert group in r.stdout
    assert r.stderr == ""


def test_no_args_prints_help_rc0(cli: Cli) -> None:
    r = cli()
    assert r.exit_code == 0 and "Usage: ak" in r.stdout


def test_version_text_and_json(cli: Cli) -> None:
    from akcli import __version__

    assert cli("version").stdout == f"{__version__}\n"
    assert cli("-j", "version").stdout == f'{{"version":"{__version__}"}}\n'
    assert cli("ver").stdout == cli("v").stdout == f"{__version__}\n"


def test_bad_config_override(cli: Cli) -> None:
    r = cli("-C", "bad", "version")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == 'Error: invalid config argument "bad", expected "key=value"\n'


def test_config_where_follows_xdg(cli: Cli, xdg_home: Path) -> None:
    r = cli("config", "where")
    assert r.exit_code == 0
    assert f"Config home directory: {xdg_home}/xdg_config_home/autokitteh" in r.stdout
    assert f"Data home directory:   {xdg_home}/xdg_data_home/autokitteh" in r.stdout
    assert cli("cfg", "where", "-d").stdout == f"{xdg_home}/xdg_data_home/autokitteh\n"


def test_config_set_then_list(cli: Cli, xdg_home: Path) -> None:
    assert cli("config", "set", "http.addr", "127.0.0.1:1").exit_code == 0
    cfg = (xdg_home / "xdg_config_home/autokitteh/config.yaml").read_text()
    assert "addr: 127.0.0.1:1" in cfg
    r = cli("config", "set", "no.such.key", "x")
    assert r.exit_code == 1 and r.stderr.startswith('Error: key "no.such.key" is not')
    assert "http.addr" in cli("config", "list").stdout.split()
    assert "AK_HTTP__ADDR" in cli("config", "ls", "-e").stdout.split()


def test_unknown_command_rc1(cli: Cli) -> None:
    r = cli("blah")
    assert r.exit_code == 1 and r.stderr == "Error: No such command 'blah'.\n"


def test_real_program_help_and_error() -> None:
    """The installed entry point, as a subprocess."""
    r = run_ak("--help")
    assert r.exit_code == 0 and "autokitteh command-line interface" in r.stdout
    r = run_ak("completion", "blah")
    assert r.exit_code == 1
    assert r.stderr == 'Error: invalid argument "blah" for "ak completion"\n'


def test_cli_start_does_not_import_server() -> None:
    """`ak --help` must stay fast: no server, DB, yaml or rich at CLI start."""
    import subprocess
    import sys

    code = (
        "import sys, akcli.main; bad = [m for m in ('akcli.server', 'akcli.store', "
        "'akcli.engine', 'sqlite3', 'yaml', 'starlette', 'uvicorn', 'celpy', 'rich') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
