"""CEL trigger filters (cli.md §6.3), on top of cel-python (`celpy`).

The environment declares two variables, `data` (the event data) and
`event_type` (a string), as upstream. Compiling rejects syntax errors and any
other free identifier or unknown function, with upstream-like one-line messages
(`ERROR: <input>:1:1: undeclared reference to 'x'`): celpy itself only finds
those at evaluation time, so the parse tree is checked here.

Besides CEL's built-ins (`size`, `startsWith`, `endsWith`, `contains`,
`matches`, `in`, `has()`, macros `all/exists/exists_one/map/filter`, …) the
common functions of cel-go's strings extension are provided: `lowerAscii`,
`upperAscii`, `trim`, `replace`, `split`, `join`, `indexOf`, `lastIndexOf`,
`substring`, `charAt`. Namespaced extensions (`base64.*`, `math.*`, `sets.*`)
are not.

celpy is slow to import and its first compile builds the parser (~0.4 s), so
celpy is imported lazily and compiled programs are cached by expression text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from akcli.celbudget import (
    BUDGET_ERROR,
    MAX_MACRO_DEPTH,
    Budget,
    budget_runner,
    macro_depth,
)

__all__ = ["CompiledFilter", "compile_filter", "VARIABLES"]

MAX_FILTER_LENGTH = 16 * 1024
VARIABLES = frozenset({"data", "event_type"})

# Type names are values in CEL (`type(x) == string`). A bare `type` is left
# out on purpose: the docs' outdated `type == 'GET'` must be rejected.
_TYPE_IDENTS = frozenset(
    {
        "int",
        "uint",
        "double",
        "bool",
        "string",
        "bytes",
        "list",
        "map",
        "null_type",
        "dyn",
        "duration",
        "timestamp",
    }
)
_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


@dataclass(frozen=True)
class CompiledFilter:
    """A compiled filter expression; evaluate it with `matches` or `evaluate`."""

    expr: str
    _program: Any

    def evaluate(self, data: Any, event_type: str) -> tuple[bool, str | None]:
        """Evaluate; returns (matched, error). A non-bool result is an error."""
        from celpy import celtypes
        from celpy.evaluation import CELEvalError

        activation = {
            "data": to_cel(data),
            "event_type": celtypes.StringType(event_type),
        }
        budget = Budget()
        try:
            result = self._program.evaluate(activation, budget)
        except CELEvalError as e:
            return False, BUDGET_ERROR if budget.spent else _eval_error(e)
        except RecursionError:
            return False, "filter nested too deeply to evaluate"
        except Exception as e:  # celpy can leak Python errors from functions
            return False, BUDGET_ERROR if budget.spent else f"{type(e).__name__}: {e}"
        if budget.spent:
            return False, BUDGET_ERROR
        if isinstance(result, CELEvalError):
            return False, _eval_error(result)
        if not isinstance(result, celtypes.BoolType):
            return False, f"filter result is not a bool: {type(result).__name__}"
        return bool(result), None

    def matches(self, data: Any, event_type: str) -> bool:
        """True when the filter evaluates to true; any error means False."""
        return self.evaluate(data, event_type)[0]


def _eval_error(e: Exception) -> str:
    if e.args and isinstance(e.args[0], str):
        msg = e.args[0]
        if " (in activation" in msg:
            msg = msg.split(" (in activation", 1)[0]
        return msg
    return str(e)


def compile_filter(expr: str) -> CompiledFilter:
    """Compile a filter; raise ValueError(`ERROR: <input>:L:C: …`) if invalid."""
    return _compile_cached(expr)


@functools.lru_cache(maxsize=512)
def _compile_cached(expr: str) -> CompiledFilter:
    from celpy.celparser import CELParseError

    env = _environment()
    if len(expr) > MAX_FILTER_LENGTH:
        raise ValueError(
            f"ERROR: <input>:1:1: filter longer than {MAX_FILTER_LENGTH} characters"
        )
    try:
        ast = env.compile(expr)
    except RecursionError:
        raise ValueError("ERROR: <input>:1:1: expression nested too deeply") from None
    except CELParseError as e:
        line = getattr(e, "line", None) or 1
        col = getattr(e, "column", None) or 1
        raise ValueError(
            f"ERROR: <input>:{line}:{col}: Syntax error: {_syntax_reason(e)}"
        ) from None
    try:
        for name, line, col in _undeclared(ast):
            raise ValueError(
                f"ERROR: <input>:{line}:{col}: undeclared reference to '{name}'"
            )
    except RecursionError:
        raise ValueError("ERROR: <input>:1:1: expression nested too deeply") from None
    if (depth := macro_depth(ast)) > MAX_MACRO_DEPTH:
        raise ValueError(
            f"ERROR: <input>:1:1: filter too costly: macros nested {depth} deep"
            f" (at most {MAX_MACRO_DEPTH})"
        )
    return CompiledFilter(expr, budget_runner(env, ast, _FUNCTIONS))


@functools.cache
def _environment() -> Any:
    import celpy

    return celpy.Environment()


def _syntax_reason(e: Exception) -> str:
    import lark

    cause = e.__context__
    if isinstance(cause, lark.exceptions.UnexpectedToken):
        token = str(cause.token)
        return f"mismatched input '{token}'" if token else "unexpected end of input"
    if isinstance(cause, lark.exceptions.UnexpectedCharacters):
        return f"token recognition error at: '{cause.char}'"
    return "invalid expression"


def _known_functions() -> frozenset[str]:
    from celpy import evaluation

    return frozenset(evaluation.base_functions) | frozenset(_FUNCTIONS) | {"has"}


def _undeclared(ast: Any) -> Iterator[tuple[str, int, int]]:
    """Free identifiers and unknown functions, with their 1-based positions."""
    import lark

    known_functions = _known_functions()

    def pos(tok: Any) -> tuple[int, int]:
        return getattr(tok, "line", 1) or 1, getattr(tok, "column", 1) or 1

    def simple_ident(expr: Any) -> str | None:
        idents = [
            t
            for t in expr.iter_subtrees()
            if t.data in ("ident", "member_dot", "literal")
        ]
        if len(idents) == 1 and idents[0].data == "ident":
            return str(idents[0].children[0])
        return None

    def walk(node: Any, bound: frozenset[str]) -> Iterator[tuple[str, int, int]]:
        if not isinstance(node, lark.Tree):
            return
        kind = node.data
        if kind in ("ident", "dot_ident"):
            tok = node.children[0]
            name = str(tok)
            if name not in bound and name not in VARIABLES and name not in _TYPE_IDENTS:
                yield (name, *pos(tok))
            return
        if kind == "ident_arg":
            tok = node.children[0]
            if str(tok) not in known_functions:
                yield (str(tok), *pos(tok))
            for child in node.children[1:]:
                yield from walk(child, bound)
            return
        if kind == "member_dot_arg":
            target, tok = node.children[0], node.children[1]
            args = node.children[2] if len(node.children) > 2 else None
            method = str(tok)
            yield from walk(target, bound)
            exprs = list(args.children) if isinstance(args, lark.Tree) else []
            if method in _MACROS and len(exprs) >= 2:
                var = simple_ident(exprs[0])
                if var is None:
                    yield (method, *pos(tok))
                    return
                for e in exprs[1:]:
                    yield from walk(e, bound | {var})
                return
            if method not in known_functions:
                yield (method, *pos(tok))
            for e in exprs:
                yield from walk(e, bound)
            return
        for child in node.children:
            yield from walk(child, bound)

    yield from walk(ast, frozenset())


def to_cel(value: Any) -> Any:
    """Convert plain Python data (JSON-like, plus bytes) to celpy values."""
    from celpy import celtypes

    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return celtypes.BytesType(bytes(value))
    if isinstance(value, dict):
        return celtypes.MapType({to_cel(k): to_cel(v) for k, v in value.items()})
    if isinstance(value, list | tuple | set | frozenset):
        return celtypes.ListType([to_cel(v) for v in value])
    if isinstance(value, datetime):
        return celtypes.TimestampType(value)
    return celtypes.StringType(str(value))


# --- strings extension (subset of cel-go's ext.Strings) -------------------


def _s(value: Any) -> Any:
    from celpy import celtypes

    return celtypes.StringType(value)


def _error(message: str) -> Any:
    from celpy.evaluation import CELEvalError

    return CELEvalError(message)


def _lower_ascii(s: str) -> Any:
    return _s("".join(c.lower() if c.isascii() else c for c in s))


def _upper_ascii(s: str) -> Any:
    return _s("".join(c.upper() if c.isascii() else c for c in s))


def _trim(s: str) -> Any:
    return _s(s.strip())


def _replace(s: str, old: str, new: str, n: int = -1) -> Any:
    return _s(s.replace(old, new, int(n)))


def _split(s: str, sep: str, n: int = -1) -> Any:
    from celpy import celtypes

    n = int(n)
    if n == 0:
        return celtypes.ListType([])
    parts = s.split(sep, n - 1) if n > 0 else s.split(sep)
    return celtypes.ListType([_s(p) for p in parts])


def _join(items: list[Any], sep: str = "") -> Any:
    return _s(sep.join(str(i) for i in items))


def _index_of(s: str, sub: str, start: int = 0) -> Any:
    from celpy import celtypes

    return celtypes.IntType(s.find(sub, int(start)))


def _last_index_of(s: str, sub: str) -> Any:
    from celpy import celtypes

    return celtypes.IntType(s.rfind(sub))


def _substring(s: str, start: int, end: int | None = None) -> Any:
    start = int(start)
    stop = len(s) if end is None else int(end)
    if not 0 <= start <= stop <= len(s):
        return _error(f"substring out of range: [{start}:{stop}] of {len(s)}")
    return _s(s[start:stop])


def _char_at(s: str, i: int) -> Any:
    i = int(i)
    if not 0 <= i <= len(s):
        return _error(f"index out of range: {i}")
    return _s(s[i : i + 1])


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lowerAscii": _lower_ascii,
    "upperAscii": _upper_ascii,
    "trim": _trim,
    "replace": _replace,
    "split": _split,
    "join": _join,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "substring": _substring,
    "charAt": _char_at,
}
