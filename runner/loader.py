"""Loading user code: an import hook over the code directory and the AST rewrite.

Every module whose file lives under the code directory (top-level modules,
packages with ``__init__.py``, modules in namespace subdirectories, and modules
imported lazily later) is loaded by :class:`UserLoader`. In durable sessions its
AST is rewritten so that every call **inside a def, async def or class body**
(including decorators, defaults and annotations) goes through the runner:
``f(x, k=v)`` becomes ``_ak_call(f, x, k=v)`` and ``await f(x)`` becomes
``await _ak_acall(f, x)``. Nested calls ``f(g(x))`` and chains ``a.b().c()`` are
all rewritten. Module-level code is left alone. Compiled code is never cached in
``__pycache__`` (the same source compiles differently per mode); with a code
cache directory (given by the server) it is cached there instead, keyed by the
source, the mode, this rewriter and the interpreter, so a session does not parse
and rewrite the same module again (tens of ms for a few hundred lines).
"""

from __future__ import annotations

import _imp
import ast
import contextlib
import hashlib
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

AK_CALL = "_ak_call"
AK_ACALL = "_ak_acall"

# Calls that depend on the caller's frame: never wrapped.
_FRAME_SENSITIVE = frozenset(
    {"super", "locals", "globals", "vars", "dir", "eval", "exec", "breakpoint"}
)


class CallRewriter(ast.NodeTransformer):
    """Rewrite calls inside def/async def/class bodies into ``_ak_call``."""

    def __init__(self) -> None:
        self._depth = 0

    def _scoped(self, node: ast.AST) -> ast.AST:
        self._depth += 1
        try:
            return self.generic_visit(node)
        finally:
            self._depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self._scoped(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self._scoped(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._scoped(node)

    @staticmethod
    def _skip(node: ast.Call) -> bool:
        return isinstance(node.func, ast.Name) and node.func.id in _FRAME_SENSITIVE

    def _wrap(self, node: ast.Call, name: str) -> ast.Call:
        new = ast.Call(
            func=ast.Name(id=name, ctx=ast.Load()),
            args=[node.func, *node.args],
            keywords=node.keywords,
        )
        return ast.copy_location(new, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)  # inner calls first: f(g(x)), a.b().c()
        if self._depth == 0 or self._skip(node):
            return node
        return self._wrap(node, AK_CALL)

    def visit_Await(self, node: ast.Await) -> ast.AST:
        call = node.value
        if self._depth == 0 or not isinstance(call, ast.Call) or self._skip(call):
            return self.generic_visit(node)
        # Rewrite the call's parts, but not the call itself as a sync _ak_call.
        call.func = self.visit(call.func)
        call.args = [self.visit(a) for a in call.args]
        for kw in call.keywords:
            kw.value = self.visit(kw.value)
        node.value = self._wrap(call, AK_ACALL)
        return node


def rewrite(tree: ast.Module) -> ast.Module:
    """Apply :class:`CallRewriter` to a module AST (in place) and fix locations."""
    new = CallRewriter().visit(tree)
    assert isinstance(new, ast.Module)
    return ast.fix_missing_locations(new)


def rewrite_source(source: str) -> str:
    """The rewritten form of ``source`` as text (for tests and debugging)."""
    return ast.unparse(rewrite(ast.parse(source)))


class _Config:
    durable = False
    ak_call: Callable[..., Any] | None = None
    ak_acall: Callable[..., Any] | None = None
    on_exec: Callable[[bool], None] | None = None
    code_cache: str | None = None


_config = _Config()

# Recompiles when this file, the interpreter or its optimization level changes.
_fix_co_filename: Any = getattr(_imp, "_fix_co_filename", None)
with open(__file__, "rb") as _self:
    _CACHE_SALT = hashlib.sha256(
        _self.read()
        + importlib.util.MAGIC_NUMBER
        + repr((sys.version, sys.flags.optimize)).encode()
    ).digest()


def _cache_path(data: bytes, durable: bool) -> str | None:
    if not _config.code_cache or _fix_co_filename is None:
        return None
    key = hashlib.sha256(_CACHE_SALT + (b"D" if durable else b"N") + data)
    return os.path.join(_config.code_cache, key.hexdigest() + ".code")


def _cache_load(cache: str, path: str) -> types.CodeType | None:
    try:
        with open(cache, "rb") as f:
            code = marshal.loads(f.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(code, types.CodeType):
        return None
    _fix_co_filename(code, path)  # compiled in another session's directory
    return code


def _cache_store(cache: str, code: types.CodeType) -> None:
    tmp = f"{cache}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps(code))
        os.replace(tmp, cache)  # whole or absent: readers never see a part
    except OSError:  # a full or read-only disk only costs the cache
        with contextlib.suppress(OSError):
            os.unlink(tmp)


class UserLoader(importlib.machinery.SourceFileLoader):
    """Loads a user module, rewriting it in durable mode, never caching bytecode."""

    def get_code(self, fullname: str) -> types.CodeType:
        path = self.get_filename(fullname)
        data = self.get_data(path)
        cache = _cache_path(data, _config.durable)
        if cache is not None and (code := _cache_load(cache, path)) is not None:
            return code
        source = importlib.util.decode_source(data)
        # compile(), not ast.parse: a SyntaxError shows no ast.py frame.
        tree = compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        assert isinstance(tree, ast.Module)
        if _config.durable:
            tree = rewrite(tree)
        code = compile(tree, path, "exec", dont_inherit=True)
        if cache is not None:
            _cache_store(cache, code)
        return code

    def exec_module(self, module: types.ModuleType) -> None:
        if _config.durable:
            module.__dict__[AK_CALL] = _config.ak_call
            module.__dict__[AK_ACALL] = _config.ak_acall
        hook = _config.on_exec
        if hook is not None:
            hook(True)
        try:
            super().exec_module(module)
        finally:
            if hook is not None:
                hook(False)


class UserFinder:
    """A meta path finder for modules under the code directory."""

    def __init__(self, code_dir: str) -> None:
        self.code_dir = os.path.realpath(code_dir)

    def is_user_path(self, path: str) -> bool:
        """Whether ``path`` lies inside the code directory."""
        real = os.path.realpath(path)
        return real == self.code_dir or real.startswith(self.code_dir + os.sep)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        last = fullname.rpartition(".")[2]
        if path is None:
            dirs = [self.code_dir]
        else:
            dirs = [d for d in path if self.is_user_path(d)]
        for d in dirs:
            pkg_init = os.path.join(d, last, "__init__.py")
            if os.path.isfile(pkg_init):
                loader = UserLoader(fullname, pkg_init)
                return importlib.util.spec_from_file_location(
                    fullname,
                    pkg_init,
                    loader=loader,
                    submodule_search_locations=[os.path.join(d, last)],
                )
            file = os.path.join(d, last + ".py")
            if os.path.isfile(file):
                return importlib.util.spec_from_file_location(
                    fullname, file, loader=UserLoader(fullname, file)
                )
        # Namespace directories fall through to the regular path finder.
        return None

    def invalidate_caches(self) -> None:
        """Nothing cached."""


def install(
    code_dir: str,
    *,
    durable: bool,
    ak_call: Callable[..., Any],
    ak_acall: Callable[..., Any],
    on_exec: Callable[[bool], None] | None = None,
    code_cache: str | None = None,
) -> UserFinder:
    """Install the finder first on ``sys.meta_path`` (it stays for lazy imports).

    ``code_cache``: an existing private directory for compiled modules, or None.
    """
    _config.durable = durable
    _config.code_cache = code_cache
    _config.ak_call = ak_call
    _config.ak_acall = ak_acall
    _config.on_exec = on_exec
    finder = UserFinder(code_dir)
    sys.meta_path.insert(0, finder)
    return finder
