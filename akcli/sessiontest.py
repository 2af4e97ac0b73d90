"""`ak session test`: the session test file format, normalisation and diffs.

A test file is a txtar archive (runtime.md §6): the comment holds the expected
prints, the first file's marker carries the entry point (`-- main.py:main --`),
`calls.txt` the expected activity names (durable runs only) and `error.txt`
the expected session error. Names containing `.durable.` / `.nondurable.`
apply only in that mode. Pure functions; the command in
`akcli/commands/sessions/test_cmd.py` does the I/O.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from akcli.errors import AkError
from runner.entrypoint import parse_entrypoint

_MARKER = re.compile(r"^-- (.+?) --$")


@dataclass
class Archive:
    comment: str
    files: list[tuple[str, str]]


def parse_txtar(text: str) -> Archive:
    """Split a txtar archive into its comment and its `-- name --` files."""
    comment: list[str] = []
    files: list[tuple[str, list[str]]] = []
    for line in text.splitlines(keepends=True):
        m = _MARKER.match(line.rstrip("\r\n"))
        if m:
            files.append((m.group(1).strip(), []))
        elif files:
            files[-1][1].append(line)
        else:
            comment.append(line)
    return Archive("".join(comment), [(n, "".join(b)) for n, b in files])


def applies(name: str, durable: bool) -> bool:
    """`.durable.` names apply only to durable runs, `.nondurable.` only to others."""
    if ".nondurable." in name:
        return not durable
    if ".durable." in name:
        return durable
    return True


def _is_expectation(name: str) -> bool:
    return bool(re.fullmatch(r"(calls|error)(\.(non)?durable)?\.txt", name))


@dataclass
class Case:
    entry_path: str
    entry_name: str
    sources: dict[str, str]
    prints: str
    calls: list[str] | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def _pick(files: dict[str, str], base: str, durable: bool) -> str | None:
    mode = "durable" if durable else "nondurable"
    for name in (f"{base}.{mode}.txt", f"{base}.txt"):
        if name in files:
            return files[name]
    return None


def load_case(text: str, durable: bool) -> Case:
    """The test case of an archive for one mode (durable or not)."""
    arc = parse_txtar(text)
    if not arc.files:
        raise AkError("session test file has no files (expected -- main.py:main --)")
    first, first_body = arc.files[0]
    try:
        path, name = parse_entrypoint(first, need_name=True)
    except ValueError as e:
        raise AkError(
            f"{e} (the first file must name the entry point, e.g. -- main.py:main --)"
        ) from None
    files = {path: first_body}
    for fname, body in arc.files[1:]:
        if fname in files:
            raise AkError(f'duplicate file "{fname}" in session test file')
        files[fname] = body
    sources = {
        n: b for n, b in files.items() if not _is_expectation(n) and applies(n, durable)
    }
    calls_text = _pick(files, "calls", durable)
    calls = None
    if calls_text is not None:
        calls = [
            ln.strip()
            for ln in calls_text.splitlines()
            if ln.strip() and not ln.strip().startswith("#")
        ]
    return Case(
        entry_path=path,
        entry_name=name,
        sources=sources,
        prints=arc.comment,
        calls=calls,
        error=_pick(files, "error", durable),
    )


_PY_LIB = re.compile(
    r'^(\s*)File "[^"]*/lib/python3\.\d+/([^"]+\.py)", line \d+, in (.*)$'
)
_RUNNER = re.compile(r".*runner.*/.*\.py.*")
_RUNNER_FRAME = re.compile(r'^\s*File "[^"]*/runner/[^"]*"')
_USER_DIR = re.compile(r"/(?:[^/\s\"]+/)*ak-user-[^/\s\"]*[/ ]")
_CARETS = re.compile(r"^\s*~*\^+[~^]*\s*$")


def normalise(text: str) -> str:
    """Tracebacks made comparable across machines (runtime.md §6.2)."""
    out: list[str] = []
    for line in text.splitlines():
        if _CARETS.match(line):
            continue
        if _RUNNER_FRAME.match(line):  # our runner may live in site-packages
            out.append("   ak-runner")
            continue
        m = _PY_LIB.match(line)
        if m:
            out.append(f"{m.group(1)}py-lib/{m.group(2)}, line XXX, in {m.group(3)}")
            continue
        if _RUNNER.match(line):
            out.append("   ak-runner")
            continue
        out.append(_USER_DIR.sub("", line))
    return "\n".join(out).strip()


def join_prints(prints: list[str]) -> str:
    """Session prints as one text: one trailing newline stripped from each."""
    return "\n".join(p[:-1] if p.endswith("\n") else p for p in prints)


def diff(what: str, want: str, got: str) -> str:
    """A unified diff want/got, headed by what was compared ("" when equal)."""
    if want == got:
        return ""
    lines = difflib.unified_diff(
        want.splitlines(), got.splitlines(), "want", "got", lineterm=""
    )
    return f"{what} mismatch:\n" + "\n".join(lines)


def compare(
    case: Case,
    durable: bool,
    prints: list[str],
    calls: list[str],
    state: str,
    error: str,
) -> list[str]:
    """Every mismatch between the case and what the session did, as diffs."""
    problems: list[str] = []
    want_prints = normalise(case.prints)
    got_prints = normalise(join_prints(prints))
    if d := diff("prints", want_prints, got_prints):
        problems.append(d)
    if (
        durable
        and case.calls is not None
        and (d := diff("calls", "\n".join(case.calls), "\n".join(calls)))
    ):
        problems.append(d)
    if case.error is not None:
        got_error = normalise(error) if state == "error" else ""
        if d := diff("error", normalise(case.error), got_error):
            if state != "error":
                d += f"\n(session ended {state.upper()}, not ERROR)"
            problems.append(d)
    elif state != "completed":
        detail = f":\n{error}" if error else ""
        problems.append(f"session ended {state.upper()}{detail}")
    return problems
