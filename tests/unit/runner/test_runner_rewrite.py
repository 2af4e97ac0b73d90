"""The AST rewrite of durable user code."""

from __future__ import annotations

import asyncio
import textwrap
from typing import Any

from runner.loader import rewrite_source


def rw(src: str) -> str:
    return rewrite_source(textwrap.dedent(src))


def test_module_level_calls_untouched() -> None:
    assert rw("x = foo(bar(1))\nprint(x)\n") == "x = foo(bar(1))\nprint(x)"


def test_calls_in_functions_rewritten_including_nested() -> None:
    out = rw(
        """
        def f():
            y = f(g(x), k=h(z))
            a.b().c()
            f()()
        """
    )
    assert "y = _ak_call(f, _ak_call(g, x), k=_ak_call(h, z))" in out
    assert "_ak_call(_ak_call(a.b).c)" in out
    assert "_ak_call(_ak_call(f))" in out


def test_await_and_async() -> None:
    out = rw(
        """
        async def af():
            await g(h())
            await x.y(1)
        """
    )
    assert "await _ak_acall(g, _ak_call(h))" in out
    assert "await _ak_acall(x.y, 1)" in out


def test_class_bodies_decorators_defaults_and_frame_sensitive() -> None:
    out = rw(
        """
        @dec(2)
        def f(a=g()):
            super().__init__()
            return [q(i) for i in range(3)]
        class C:
            z = k(1)
        """
    )
    assert "@_ak_call(dec, 2)" in out
    assert "def f(a=_ak_call(g)):" in out
    assert "_ak_call(super().__init__)" in out  # super() itself never wrapped
    assert "[_ak_call(q, i) for i in _ak_call(range, 3)]" in out
    assert "z = _ak_call(k, 1)" in out


def test_rewritten_code_behaves_the_same() -> None:
    import ast

    from runner.loader import rewrite

    calls: list[str] = []

    def _ak_call(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return fn(*args, **kwargs)

    async def _ak_acall(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        calls.append("await " + getattr(fn, "__name__", repr(fn)))
        return await fn(*args, **kwargs)

    src = textwrap.dedent(
        """
        def inc(x, by=1):
            return x + by

        def f(x):
            return inc(inc(x), by=inc(1))

        async def g(x):
            return inc(x)

        async def main():
            return await g(f(1))
        """
    )
    code = compile(rewrite(ast.parse(src)), "<test>", "exec")
    ns: dict[str, Any] = {"_ak_call": _ak_call, "_ak_acall": _ak_acall}
    exec(code, ns)
    assert asyncio.run(ns["main"]()) == 5
    assert calls == ["f", "inc", "inc", "inc", "await g", "inc"]
