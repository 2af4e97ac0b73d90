"""What `ak deploy` uploads, and the checks on it before anything is created.

Only regular files are uploaded. Skipped: names starting with `.` or `_`
(except Python's `__init__.py`-style files), `venv/`, `node_modules/`, the
manifest itself, and whatever `.gitignore` / `.akignore` in an uploaded
directory exclude (gitignore syntax, via `pathspec`). A symlink is followed
only when its target stays inside the directory; one pointing outside is an
error naming it. Python files are byte-compiled and each trigger's `call`
function must exist, so a typo fails the deploy, not every session.
"""

from __future__ import annotations

import ast
import difflib
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akcli.errors import AkError, BadRequest, NotFound
from akcli.resource_paths import check_paths

if TYPE_CHECKING:
    from akcli.manifest import Manifest

DEFAULT_MANIFEST = "autokitteh.yaml"
SKIP_DIRS = frozenset({"venv", "node_modules"})  # `.venv`, `__pycache__`: `.`/`_`
IGNORE_FILES = (".gitignore", ".akignore")


def _skipped(name: str) -> bool:
    # Upstream skips every `.`/`_` name; we keep Python package files such as
    # `__init__.py` (our decision: packages in user code are fully supported).
    if name.startswith("__") and name.endswith("__.py"):
        return False
    return name.startswith((".", "_"))


def _ignore_spec(root: Path) -> Any:
    lines: list[str] = []
    for name in IGNORE_FILES:
        f = root / name
        if f.is_file():
            lines += f.read_text(errors="replace").splitlines()
    if not lines:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _outside(path: Path, root: Path) -> Path | None:
    """The target of a symlink `path` when it resolves outside `root`."""
    target = path.resolve()
    return None if target.is_relative_to(root) else target


def _walk_dir(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    real_root = root.resolve()
    spec = _ignore_spec(root)

    def ignored(rel: str, is_dir: bool) -> bool:
        return spec is not None and bool(spec.match_file(rel + ("/" if is_dir else "")))

    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            path = here / d
            rel = path.relative_to(root).as_posix()
            if _skipped(d) or d in SKIP_DIRS or ignored(rel, True):
                continue
            if path.is_symlink():
                if (target := _outside(path, real_root)) is not None:
                    raise BadRequest(
                        f"{path}: symlink points outside the project ({target})"
                    )
                continue  # its files are uploaded from where they really are
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if _skipped(name) or name == DEFAULT_MANIFEST or ignored(rel, False):
                continue
            if path.is_symlink() and (target := _outside(path, real_root)):
                raise BadRequest(
                    f"{path}: symlink points outside the project ({target})"
                )
            try:
                st = path.stat()
            except OSError:
                continue  # a dangling symlink
            if stat.S_ISREG(st.st_mode):  # sockets, FIFOs, devices: never read
                out[rel] = path.read_bytes()
    return out


def collect_files(dirs: Sequence[str], files: Sequence[str]) -> dict[str, bytes]:
    """The upload set: files under each dir (relative keys), single files by name."""
    out: dict[str, bytes] = {}
    for d in dirs:
        root = Path(d)
        if not root.exists():
            raise NotFound(f"stat {d}: no such file or directory")
        if root.is_dir():
            out.update(_walk_dir(root))
        elif root.is_file():
            out[root.name] = root.read_bytes()
        else:
            raise BadRequest(f"{d}: not a regular file or directory")
    for f in files:
        path = Path(f)
        if not path.exists():
            raise NotFound(f"stat {f}: no such file or directory")
        if path.is_dir():
            raise AkError(f"{f}: is a directory (use --dir)")
        if not path.is_file():
            raise BadRequest(f"{f}: not a regular file")
        out[path.name] = path.read_bytes()
    check_paths(out, "file")
    return out


def summary(files: dict[str, bytes]) -> str:
    """`upload: 3 files, 1.2 KiB` for the stderr summary line."""
    size = float(sum(len(v) for v in files.values()))
    unit = "B"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            break
        size /= 1024
    shown = f"{size:.0f} B" if unit == "B" else f"{size:.1f} {unit}"
    n = len(files)
    return f"upload: {n} file{'' if n == 1 else 's'}, {shown}"


def _module_names(tree: ast.Module) -> set[str]:
    """Top-level names a module defines (functions, classes, assignments, imports)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                names.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:  # `if`/`try` blocks at module level may define names too
            names.update(
                n.name
                for n in ast.walk(node)
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            )
    return names


def _call_line(manifest_text: str, call: str) -> int | None:
    for i, line in enumerate(manifest_text.splitlines(), 1):
        if "call:" in line and call in line:
            return i
    return None


def check_python(
    files: dict[str, bytes], manifest: Manifest | None, manifest_path: str = ""
) -> None:
    """Byte-compile every `.py` file and check each trigger's `call` function."""
    trees: dict[str, ast.Module] = {}
    for path in sorted(files):
        if not path.endswith(".py"):
            continue
        try:
            source = files[path].decode("utf-8")
            trees[path] = ast.parse(source, path)
            compile(trees[path], path, "exec", dont_inherit=True)
        except UnicodeDecodeError as e:
            raise BadRequest(f"{path}: not UTF-8 text (byte {e.start})") from None
        except SyntaxError as e:
            raise BadRequest(f"{path}:{e.lineno or 1}: {e.msg}") from None
        except (ValueError, RecursionError, MemoryError) as e:
            raise BadRequest(f"{path}: cannot compile: {e}") from None
    if manifest is None or manifest.project is None:
        return
    text = ""
    if manifest_path and manifest_path != "-":
        try:
            text = Path(manifest_path).read_text()
        except OSError:
            text = ""
    for spec in manifest.project.triggers:
        if spec.call is None:
            continue
        path, func = spec.call
        line = _call_line(text, path) if text else None
        where = f"{manifest_path}:{line}: " if line else ""
        if not func:
            raise BadRequest(
                f'{where}trigger "{spec.name}": call "{path}" names no function'
                f' (expected "{path}:function")'
            )
        tree = trees.get(path)
        if tree is None:
            continue  # a missing file or non-Python entry: checked elsewhere
        names = _module_names(tree)
        if func not in names:
            close = difflib.get_close_matches(func, sorted(names), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise BadRequest(
                f'{where}trigger "{spec.name}": function "{func}" not found'
                f" in {path}{hint}"
            )
