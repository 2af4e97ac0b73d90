"""End-to-end scenarios as txtar files: parser and runner.

A scenario is a script (the archive's comment) plus embedded files:

    # comment
    ak deploy                       run the real `ak` (cwd: a tmp dir holding the files)
    return code == 0                check the last command's exit code
    output equals <text>            stdout+stderr (trimmed) equals text; `file <name>`
                                    compares with an embedded file instead
    output contains <text>          substring
    output regex <re>               re.search
    output lines <n>                number of non-empty output lines
    capture_re NAME <re>            group 1 (or the match) of re.search -> $NAME
    capture_jq NAME .a.b[0]         a path into the JSON output -> $NAME
    http <method> <path> [<body>]   HTTP request to the server; output = status + body,
                                    `$status`, `$header_<name>` set
    wait <dur> for session <sid>    poll until the session is in a final state
    sleep <dur>                     pause
    setenv NAME value               for later `ak` commands
    -- file.py --                   an embedded file

`$NAME` and `${NAME}` are substituted in commands; `$URL` is the server URL.
Output compared is stdout+stderr joined and trimmed, as upstream's harness does.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

_MARKER = re.compile(r"^-- (.+?) --$")


@dataclass
class Archive:
    comment: str
    files: list[tuple[str, str]]


def parse(text: str) -> Archive:
    comment: list[str] = []
    files: list[tuple[str, str]] = []
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        m = _MARKER.match(line.rstrip("\n"))
        if m:
            current = []
            files.append((m.group(1), ""))
            continue
        if current is None:
            comment.append(line)
        else:
            name, body = files[-1]
            files[-1] = (name, body + line)
    return Archive("".join(comment), files)


def parse_duration(text: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", text)
    if not m:
        raise ValueError(f"bad duration {text!r}")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[m.group(2)]


class ScenarioError(AssertionError):
    pass


@dataclass
class Scenario:
    path: Path
    workdir: Path
    env: dict[str, str]
    url: str = ""
    vars: dict[str, str] = field(default_factory=dict)
    output: str = ""
    rc: int | None = None

    def sub(self, text: str) -> str:
        def repl(m: re.Match[str]) -> str:
            name = m.group(1) or m.group(2)
            if name == "URL":
                return self.url
            if name not in self.vars:
                raise ScenarioError(f"undefined variable ${name}")
            return self.vars[name]

        return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, text)

    def run(self) -> None:
        archive = parse(self.path.read_text())
        files = dict(archive.files)
        for name, body in archive.files:
            target = self.workdir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
        self.files = files
        for n, raw in enumerate(archive.comment.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                self.step(line)
            except ScenarioError as e:
                raise ScenarioError(f"{self.path.name}:{n}: {line}\n{e}") from None

    def step(self, line: str) -> None:
        verb, _, rest = line.partition(" ")
        if verb == "ak":
            self.run_ak(shlex.split(self.sub(rest)))
        elif verb == "return":
            m = re.fullmatch(r"code == (\d+)", rest)
            if not m:
                raise ScenarioError("usage: return code == N")
            if self.rc != int(m.group(1)):
                raise ScenarioError(
                    f"return code {self.rc}, want {m.group(1)}\n--- output:\n{self.output}"
                )
        elif verb == "output":
            self.check_output(rest)
        elif verb == "capture_re":
            name, _, pattern = rest.partition(" ")
            m = re.search(self.sub(pattern), self.output)
            if not m:
                raise ScenarioError(f"no match for {pattern!r} in:\n{self.output}")
            self.vars[name] = m.group(1) if m.groups() else m.group(0)
        elif verb == "capture_jq":
            name, _, path = rest.partition(" ")
            self.vars[name] = str(jq(json.loads(self.output), path))
        elif verb == "http":
            self.http(rest)
        elif verb == "wait":
            m = re.fullmatch(r"(\S+) for session (\S+)", rest)
            if not m:
                raise ScenarioError("usage: wait <dur> for session <sid>")
            self.run_ak(
                [
                    "session",
                    "watch",
                    self.sub(m.group(2)),
                    "--no-fail",
                    "-t",
                    m.group(1),
                    "-q",
                ]
            )
            if self.rc != 0:
                raise ScenarioError(f"session did not finish:\n{self.output}")
        elif verb == "sleep":
            time.sleep(parse_duration(rest))
        elif verb == "setenv":
            name, _, value = rest.partition(" ")
            self.env[name] = self.sub(value)
        else:
            raise ScenarioError(f"unknown step {verb!r}")

    def run_ak(self, args: list[str]) -> None:
        env = {**os.environ, **self.env}
        p = subprocess.run(
            [sys.executable, "-m", "akcli", *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.rc = p.returncode
        self.output = (p.stdout + p.stderr).strip()

    def http(self, rest: str) -> None:
        parts = rest.split(" ", 2)
        method, path = parts[0].upper(), self.sub(parts[1])
        body = self.sub(parts[2]).encode() if len(parts) > 2 else None
        req = urllib.request.Request(self.url + path, data=body, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, data, headers = resp.status, resp.read(), resp.headers
        except urllib.error.HTTPError as e:
            status, data, headers = e.code, e.read(), e.headers
        self.rc = 0
        self.vars["status"] = str(status)
        for k, v in headers.items():
            self.vars[f"header_{k.lower().replace('-', '_')}"] = v
        self.output = f"{status}\n{data.decode(errors='replace')}".strip()

    def check_output(self, rest: str) -> None:
        kind, _, arg = rest.partition(" ")
        arg = self.sub(arg)
        if kind == "equals":
            if arg.startswith("file "):
                want = self.sub(self.files[arg[5:].strip()]).strip()
            else:
                want = _unquote(arg)
            if self.output != want:
                raise ScenarioError(_diff(want, self.output))
        elif kind == "contains":
            if _unquote(arg) not in self.output:
                raise ScenarioError(f"output does not contain {arg!r}:\n{self.output}")
        elif kind == "regex":
            if not re.search(_unquote(arg), self.output, re.M):
                raise ScenarioError(f"output does not match {arg!r}:\n{self.output}")
        elif kind == "lines":
            got = len([ln for ln in self.output.splitlines() if ln.strip()])
            if got != int(arg):
                raise ScenarioError(f"{got} lines, want {arg}:\n{self.output}")
        else:
            raise ScenarioError(f"unknown output check {kind!r}")


def _unquote(s: str) -> str:
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


def _diff(want: str, got: str) -> str:
    import difflib

    return "\n".join(
        difflib.unified_diff(
            want.splitlines(), got.splitlines(), "want", "got", lineterm=""
        )
    )


def jq(doc: object, path: str) -> object:
    """A tiny subset of jq paths: .a.b[0].c"""
    for key, index in re.findall(r"\.(\w+)|\[(\d+)\]", path):
        if key:
            assert isinstance(doc, dict), f"{path}: not an object"
            doc = doc[key]
        else:
            assert isinstance(doc, list), f"{path}: not an array"
            doc = doc[int(index)]
    return doc
