"""Plumbing shared by every command module: the group class, aliases, context.

`AkGroup` is the single place where errors become `Error: <msg>` lines and exit
codes; commands raise `AkError` and never call `sys.exit`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer._click import exceptions as cx  # typer 0.26+ vendors click
from typer.core import TyperGroup

from akcli.errors import AkError, not_found
from akcli.output import Renderer

if TYPE_CHECKING:
    from akcli.client import Client
    from akcli.config import Config
    from akcli.paths import Paths

# Upstream `ak` aliases, by group name: alias -> command.
ALIASES: dict[str, dict[str, str]] = {
    "ak": {
        "cfg": "config",
        "prj": "project",
        "bld": "build",
        "dep": "deployment",
        "ses": "session",
        "trg": "trigger",
        "evt": "event",
        "man": "manifest",
        "con": "connection",
        "conn": "connection",
        "int": "integration",
        "ver": "version",
        "v": "version",
    },
    "config": {"ls": "list", "s": "set"},
    "connection": {
        "c": "create",
        "ls": "list",
        "l": "list",
        "g": "get",
        "d": "delete",
        "del": "delete",
        "t": "test",
        "s": "set",
    },
    "integration": {"ls": "list", "l": "list", "g": "get"},
    "project": {
        "c": "create",
        "ls": "list",
        "l": "list",
        "g": "get",
        "d": "delete",
        "ex": "export",
    },
    "build": {
        "ls": "list",
        "l": "list",
        "g": "get",
        "down": "download",
        "dl": "download",
        "do": "download",
        "del": "delete",
        "de": "delete",
    },
    "deployment": {
        "c": "create",
        "a": "activate",
        "de": "deactivate",
        "g": "get",
        "ls": "list",
        "l": "list",
        "del": "delete",
    },
    "session": {"g": "get", "ls": "list", "d": "delete"},
    "trigger": {"ls": "list", "rm": "delete"},
    "var": {"s": "set", "g": "get", "rm": "delete"},
    "event": {
        "ls": "list",
        "l": "list",
        "g": "get",
        "dis": "dispatch",
        "dsp": "dispatch",
        "d": "dispatch",
        "red": "redispatch",
        "s": "save",
        "vf": "verify-filter",
    },
    "manifest": {
        "s": "schema",
        "v": "validate",
        "p": "plan",
        "a": "apply",
        "exec": "execute",
        "x": "execute",
    },
}


def _print_traceback() -> None:
    import traceback  # only with --debug: keeps CLI start light

    traceback.print_exc()


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    sys.exit(code)


_GLOBAL_FLAGS = {"-j", "--json", "-J", "--nice_json", "--array_json_list", "--debug"}
_GLOBAL_WITH_VALUE = {"-C", "--config", "--token"}


def hoist_global_flags(args: list[str]) -> list[str]:
    """Move global flags given after a subcommand to the front (cobra's
    persistent flags: `ak project list -j` works as in upstream)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if arg in _GLOBAL_FLAGS or (
            name in _GLOBAL_WITH_VALUE and "=" in arg and arg.startswith("--")
        ):
            front.append(arg)
        elif arg in _GLOBAL_WITH_VALUE and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


# Root command groups loaded on first use: name -> (module, short help). The
# module defines `app` (a Typer), or imports the module that does (`project`:
# projects_build adds commands to projects.app).
LAZY_GROUPS: dict[str, tuple[str, str]] = {}


def _load_group(name: str) -> Any:
    import importlib

    from typer.main import get_command

    module = importlib.import_module(LAZY_GROUPS[name][0])
    sub = getattr(module, "app", None)
    if sub is None:  # projects_build registers onto akcli.commands.projects.app
        sub = importlib.import_module("akcli.commands." + name + "s").app
    group = get_command(sub)
    group.name = name
    return group


class AkGroup(TyperGroup):
    """Typer group with upstream aliases, lazy groups and upstream exit codes."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        root = ctx.parent is None
        group = "ak" if root else (self.name or "")
        name = ALIASES.get(group, {}).get(cmd_name, cmd_name)
        if root and name in LAZY_GROUPS and name not in self.commands:
            self.commands[name] = _load_group(name)
        return super().get_command(ctx, name)

    def list_commands(self, ctx: Any) -> list[str]:
        names = list(super().list_commands(ctx))
        if ctx.parent is None:
            names += [n for n in LAZY_GROUPS if n not in names]
        return names

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        if ctx.parent is not None:
            return super().format_commands(ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            if name in LAZY_GROUPS and name not in self.commands:
                rows.append((name, LAZY_GROUPS[name][1]))
            elif (cmd := self.commands.get(name)) is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        if args:
            kwargs["args"], args = args[0], args[1:]
        given = kwargs.get("args")
        argv = list(given) if given is not None else sys.argv[1:]
        kwargs["args"] = hoist_global_flags(argv)
        debug = os.environ.get("AK_DEBUG", "") not in ("", "0") or "--debug" in argv
        try:
            rv = super().main(*args, **kwargs)
        except cx.NoArgsIsHelpError as e:
            assert e.ctx is not None
            typer.echo(e.ctx.get_help())
            sys.exit(0)
        except cx.UsageError as e:
            # Upstream (cobra) exits 1 on usage errors, not click's 2.
            _fail(e.format_message(), 1)
        except typer.Exit as e:
            sys.exit(e.exit_code)
        except (typer.Abort, KeyboardInterrupt):
            typer.echo("", err=True)
            sys.exit(130)
        except AkError as e:
            if debug:
                _print_traceback()
            _fail(str(e), e.exit_code)
        except cx.ClickException as e:
            _fail(e.format_message(), e.exit_code)
        except BrokenPipeError:
            sys.exit(1)
        except Exception as e:  # noqa: BLE001 - last resort: one line, not a traceback
            if debug:
                _print_traceback()
                sys.exit(1)
            _fail(f"{type(e).__name__}: {e} (run with --debug for details)", 1)
        sys.exit(rv if isinstance(rv, int) else 0)


def new_app(help: str, name: str | None = None) -> typer.Typer:
    """A command-group Typer app configured like every other group."""
    return typer.Typer(
        cls=AkGroup,
        help=help,
        name=name,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
    )


@dataclass
class AppContext:
    """Everything a command needs, built once by the root callback."""

    overrides: dict[str, str] = field(default_factory=dict)
    out: Renderer = field(default_factory=Renderer)
    token: str | None = None
    _paths: Paths | None = None
    _config: Config | None = None
    _client: Client | None = None

    @property
    def paths(self) -> Paths:
        if self._paths is None:
            from akcli.paths import Paths

            self._paths = Paths.from_env()
        return self._paths

    @property
    def config(self) -> Config:
        if self._config is None:
            from akcli.config import Config

            self._config = Config.load(self.paths, self.overrides)
        return self._config

    @property
    def client(self) -> Client:
        if self._client is None:
            from akcli.client import Client

            self._client = Client.from_config(self.config, self.token)
        return self._client


def app_ctx(ctx: typer.Context) -> AppContext:
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):
        root.obj = AppContext()
    return root.obj


def check_found(found: bool, fail: bool, what: str) -> bool:
    """The `-f/--fail` convention: silent rc 0 when absent, rc 44 with --fail."""
    if not found and fail:
        raise not_found(what)
    return found
