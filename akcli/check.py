"""`ak check`: what in a project's Python would break a durable replay.

Each file is parsed and put through the runner's own AST rewrite
(``runner.loader.rewrite``), so the check sees exactly what a durable session
runs: a call wrapped in ``_ak_call``/``_ak_acall`` is made at workflow time (an
activity unless it is user code, SDK, allow-listed or inhibited); a plain call
is module-level (load-time) code or a frame-sensitive builtin such as
``breakpoint``. Findings are ruff-like ``file:line:col: CODE message``, each
with its fix. Pure functions; `akcli/commands/check.py` prints them.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from akcli.check_rules import (
    BREAKPOINT,
    FIX_ACTIVITY,
    FIX_BREAKPOINT,
    FIX_MODULE,
    FIX_PICKLE,
    FIX_SORT,
    FIX_THREAD,
    MODULE_SIDE_EFFECT,
    NONDET_EXACT,
    NONDET_MODULES,
    NONDETERMINISTIC,
    SET_ITERATION,
    SIDE_EFFECT_EXACT,
    SIDE_EFFECT_PREFIXES,
    SKIP_DIRS,
    SYNTAX,
    THREAD,
    THREADS,
    UNPICKLABLE,
    UNPICKLABLE_CALLS,
)
from runner.deterministic import DETERMINISTIC_MODULES
from runner.loader import AK_ACALL, AK_CALL, rewrite


@dataclass
class Finding:
    path: str
    line: int
    col: int
    code: str
    message: str
    fix: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}; fix: {self.fix}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _unwrap(node: ast.Call) -> tuple[ast.expr, list[ast.expr], bool]:
    """(callee, args, made at workflow time) of a call in the rewritten tree."""
    f = node.func
    if isinstance(f, ast.Name) and f.id in (AK_CALL, AK_ACALL) and node.args:
        return node.args[0], list(node.args[1:]), True
    return f, list(node.args), False


class _Checker:
    def __init__(self, path: str, project_modules: set[str]) -> None:
        self.path = path
        self.project = project_modules
        self.imports: dict[str, str] = {}
        self.findings: list[Finding] = []
        # Per function: its kind ("workflow" | "activity"), inhibited depth, and
        # the local names bound to sets.
        self.kind: str | None = None
        self.inhibited = 0
        self.set_names: set[str] = set()
        self.no_activity: set[str] = set()  # registered with register_no_activity

    # -- names -----------------------------------------------------------

    def qualname(self, node: ast.expr) -> str | None:
        """`time.time` for `time.time`, `datetime.datetime.now` for `dt.now`..."""
        if isinstance(node, ast.Call):
            callee, _, wrapped = _unwrap(node)
            if wrapped:  # threading.Thread(...).start: the callee's name
                inner = self.qualname(callee)
                return None if inner is None else inner + "()"
            return None
        if isinstance(node, ast.Name):
            if node.id in self.imports:
                return self.imports[node.id]
            return (
                node.id
                if node.id in ("open", "breakpoint", "set", "frozenset")
                else None
            )
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return None if base is None else f"{base}.{node.attr}"
        return None

    def is_external(self, name: str | None) -> bool:
        """Whether a call of `name` runs as an activity (not project, SDK, allow-listed)."""
        if name is None or "." not in name:
            return False
        top = name.split(".", 1)[0]
        if top in self.project or top == "autokitteh":
            return False
        module = name.rsplit(".", 1)[0]
        return module not in DETERMINISTIC_MODULES and top not in DETERMINISTIC_MODULES

    def add(self, node: ast.AST, code: str, message: str, fix: str) -> None:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        self.findings.append(Finding(self.path, line, col, code, message, fix))

    # -- traversal -------------------------------------------------------

    def run(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.imports[a.asname] = a.name
                    else:
                        top = a.name.split(".", 1)[0]
                        self.imports[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    self.imports[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(tree):  # register_no_activity(f): f runs inline
            if isinstance(node, ast.Call):
                callee, args, _ = _unwrap(node)
                name = self.qualname(callee) or ""
                if name.endswith("register_no_activity") and args:
                    self.no_activity.add(self.qualname(args[0]) or "")
        for stmt in tree.body:
            self.visit(stmt)

    def _marker(self, decorators: list[ast.expr]) -> str | None:
        for d in decorators:
            target = d
            if isinstance(d, ast.Call):
                callee, _, wrapped = _unwrap(d)
                target = callee if wrapped else d.func
            name = self.qualname(target) or ""
            if name.endswith("activity") and name.startswith("autokitteh"):
                return "activity"
            if name.endswith("inhibit_activities"):
                return "inhibited"
        return None

    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for d in node.decorator_list:
            self.visit(d)
        saved = (self.kind, self.inhibited, self.set_names)
        mark = self._marker(node.decorator_list)
        if self.kind != "activity":
            self.kind = "activity" if mark == "activity" else "workflow"
        self.inhibited = self.inhibited + (1 if mark == "inhibited" else 0)
        self.set_names = set()
        if self.kind == "activity" and mark == "activity":
            self._check_activity_returns(node)
        for stmt in node.body:
            self.visit(stmt)
        self.kind, self.inhibited, self.set_names = saved

    def _check_activity_returns(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Yield | ast.YieldFrom) and not isinstance(
                node, ast.AsyncFunctionDef
            ):
                self.add(
                    sub,
                    UNPICKLABLE,
                    f"activity {node.name!r} is a generator: its result cannot be pickled",
                    "return a list instead of yielding",
                )
                return
            if isinstance(sub, ast.Return) and sub.value is not None:
                found = self._unpicklable(sub.value)
                if found:
                    what, _ = found
                    self.add(
                        sub,
                        UNPICKLABLE,
                        f"activity {node.name!r} returns {what}, which cannot be pickled",
                        FIX_PICKLE,
                    )

    def _unpicklable(self, node: ast.expr) -> tuple[str, ast.expr] | None:
        """What unpicklable value `node` is (and the node saying so), if any."""
        if isinstance(node, ast.Lambda):
            return "a lambda", node
        if isinstance(node, ast.GeneratorExp):
            return "a generator", node
        if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict):
            items = node.values if isinstance(node, ast.Dict) else node.elts
            for item in items:
                found = self._unpicklable(item)
                if found:
                    return found
        if isinstance(node, ast.Call):
            callee, _, _ = _unwrap(node)
            name = self.qualname(callee)
            if name in UNPICKLABLE_CALLS:
                return ("an open file" if name == "open" else f"a {name}()"), node
        return None

    def _is_set(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Set | ast.SetComp):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.set_names
        if isinstance(node, ast.Call):
            callee, _, _ = _unwrap(node)
            return isinstance(callee, ast.Name) and callee.id in ("set", "frozenset")
        return False

    def _check_iter(self, node: ast.expr) -> None:
        if self.kind == "workflow" and self._is_set(node):
            self.add(
                node,
                SET_ITERATION,
                "iteration over a set: its order can change between runs, so a replay may make calls in another order",
                FIX_SORT,
            )

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self.visit_function(node)
            return
        if isinstance(node, ast.ClassDef):
            saved_kind = self.kind
            self.kind = None  # class bodies run at import time
            for child in ast.iter_child_nodes(node):
                self.visit(child)
            self.kind = saved_kind
            return
        if isinstance(node, ast.With | ast.AsyncWith):
            inhibit = any(
                (self.qualname(_unwrap(i.context_expr)[0]) or "").endswith(
                    "inhibit_activities"
                )
                for i in node.items
                if isinstance(i.context_expr, ast.Call)
            )
            for i in node.items:
                self.visit(i.context_expr)
            self.inhibited += 1 if inhibit else 0
            for stmt in node.body:
                self.visit(stmt)
            self.inhibited -= 1 if inhibit else 0
            return
        if isinstance(node, ast.Assign) and self.kind == "workflow":
            for t in node.targets:
                if isinstance(t, ast.Name):
                    if self._is_set(node.value):
                        self.set_names.add(t.id)
                    else:
                        self.set_names.discard(t.id)
        if isinstance(node, ast.For | ast.AsyncFor):
            self._check_iter(node.iter)
        if isinstance(node, ast.comprehension):
            self._check_iter(node.iter)
        if isinstance(node, ast.Call):
            self.visit_call(node)
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def visit_call(self, node: ast.Call) -> None:
        callee, args, wrapped = _unwrap(node)
        name = self.qualname(callee)
        if name in ("breakpoint", "pdb.set_trace"):
            self.add(node, BREAKPOINT, f"{name}() in session code", FIX_BREAKPOINT)
            return
        if name is None:
            return
        if self.kind is None:
            if not wrapped and self._module_side_effect(name, node):
                self.add(
                    node,
                    MODULE_SIDE_EFFECT,
                    f"module-level call of {name}() has side effects: it runs again every time the session is loaded or replayed",
                    FIX_MODULE,
                )
            return
        if self.kind != "workflow":
            return
        nondet = name in NONDET_EXACT or name.startswith(NONDET_MODULES)
        if nondet and (self.inhibited or name in self.no_activity):
            why = "inhibited workflow code" if self.inhibited else "workflow code"
            how = "" if self.inhibited else " (registered with register_no_activity)"
            self.add(
                node,
                NONDETERMINISTIC,
                f"{name}() in {why} is not journaled{how}: a replay gets another value",
                FIX_ACTIVITY,
            )
        if name in THREADS:
            self.add(
                node,
                THREAD,
                f"{name}() starts a thread in workflow code: its calls are not journaled in order",
                FIX_THREAD,
            )
        if wrapped and not self.inhibited and self.is_external(name):
            for arg in [*args, *(k.value for k in node.keywords)]:
                found = self._unpicklable(arg)
                if found:
                    what, where = found
                    self.add(
                        where,
                        UNPICKLABLE,
                        f"{what} passed to {name}(), which runs as an activity: its arguments must be picklable",
                        FIX_PICKLE,
                    )

    def _module_side_effect(self, name: str, node: ast.Call) -> bool:
        if name in SIDE_EFFECT_EXACT or name.startswith(SIDE_EFFECT_PREFIXES):
            return True
        if name == "open":
            mode: ast.expr | None = node.args[1] if len(node.args) > 1 else None
            for k in node.keywords:
                if k.arg == "mode":
                    mode = k.value
            return (
                isinstance(mode, ast.Constant)
                and isinstance(mode.value, str)
                and any(c in mode.value for c in "wax+")
            )
        return False


def python_files(root: Path) -> Iterator[Path]:
    """The project's .py files (no hidden, cache or virtualenv directories)."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS
        )
        for f in sorted(filenames):
            if f.endswith(".py"):
                yield Path(dirpath) / f


def _project_modules(root: Path) -> set[str]:
    if root.is_file():
        return {root.stem}
    names = set()
    for p in root.iterdir():
        if p.suffix == ".py":
            names.add(p.stem)
        elif p.is_dir() and not p.name.startswith("."):
            names.add(p.name)
    return names


def check_source(source: str, path: str, project_modules: set[str]) -> list[Finding]:
    """The findings of one file's source (through the runner's rewrite)."""
    try:
        tree = rewrite(ast.parse(source, filename=path))
    except SyntaxError as e:
        return [
            Finding(
                path,
                e.lineno or 1,
                e.offset or 1,
                SYNTAX,
                f"syntax error: {e.msg}",
                "fix the syntax",
            )
        ]
    checker = _Checker(path, project_modules)
    checker.run(tree)
    return sorted(checker.findings, key=lambda f: (f.line, f.col, f.code))


def check_dir(root: Path) -> list[Finding]:
    """Every finding in the project at `root` (a directory or one file)."""
    modules = _project_modules(root)
    out: list[Finding] = []
    for file in python_files(root):
        try:
            source = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out += check_source(source, str(file), modules)
    return out
