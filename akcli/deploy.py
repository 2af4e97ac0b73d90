"""`ak deploy` logic: collect files, apply the manifest, upload, build, deploy.

Everything goes through the RPC client, so the same functions back `ak deploy`,
`ak manifest apply|deploy` and `ak project build|deploy`. Nothing here mints an
ID itself: in test mode the IDs are exactly upstream's (cli.md §2.2).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akcli.client import Client
from akcli.deploy_connections import ConnectionActions, fetch_connections
from akcli.deploy_files import DEFAULT_MANIFEST, check_python, collect_files, summary
from akcli.errors import AkError, BadRequest, NotFound
from akcli.manifest import (
    CurrentState,
    ExecResult,
    ExistingVar,
    Manifest,
    Plan,
    TriggerSpec,
    execute,
    load_manifest,
    plan,
)
from akcli.manifest.model import trigger_to_json

Echo = Callable[[str], None]
__all__ = ["DEFAULT_MANIFEST", "collect_files", "deploy", "export_project"]


def read_manifest(path: str) -> Manifest:
    """Load and validate a manifest file (`-` is stdin)."""
    if path == "-":
        import sys

        return load_manifest(sys.stdin.read(), "<stdin>")
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise NotFound(f"open {path}: no such file or directory") from None
    except IsADirectoryError:
        raise AkError(f"read {path}: is a directory") from None
    return load_manifest(text, path)


def check_entry_points(manifest: Manifest, uploaded: dict[str, bytes]) -> None:
    """Every trigger's `call` file must be among the uploaded files."""
    if manifest.project is None:
        return
    for spec in manifest.project.triggers:
        if spec.call is not None and spec.call[0] not in uploaded:
            raise NotFound(
                f'trigger "{spec.name}": entry point file "{spec.call[0]}" not found'
                " among the uploaded files"
            )


def check_upload(
    client: Client,
    manifest: Manifest | None,
    uploaded: dict[str, bytes],
    manifest_path: str,
    output: Output,
) -> None:
    """Everything that can fail about the upload, before anything is created
    or a venv is built: files, Python syntax, entry points, a live server."""
    if not uploaded:
        raise BadRequest("nothing to upload: no files found")
    if manifest is not None:
        check_entry_points(manifest, uploaded)
    check_python(uploaded, manifest, manifest_path)
    client.request("GET", "/healthz")  # ServerUnavailable before any venv build
    if not output.quiet:
        output.err(summary(uploaded))


# --- planning and executing against the server -----------------------------


def fetch_state(client: Client, name: str) -> CurrentState | None:
    """The project named `name` as the server has it (secret values revealed)."""
    project = client.call("projects", "Get", {"name": name}).get("project")
    if not project:
        return None
    pid = project["project_id"]
    vars_ = client.call("vars", "Get", {"scope_id": pid, "reveal": True})["vars"]
    triggers = client.call("triggers", "List", {"project_id": pid}).get("triggers", [])
    conns = fetch_connections(client, pid)
    names = {c.connection_id: c.name for c in conns}
    for t in triggers:
        if t.get("connection_id") in names:
            t["connection"] = names[t["connection_id"]]
    return CurrentState(
        connections=conns,
        project_id=pid,
        name=project["name"],
        display_name=project.get("display_name", ""),
        vars=[
            ExistingVar(
                v["name"],
                v.get("value", ""),
                bool(v.get("is_secret")),
                v.get("description", ""),
            )
            for v in vars_
        ],
        triggers=list(triggers),
    )


def make_plan(
    client: Client,
    manifest: Manifest,
    *,
    project_name: str = "",
    from_scratch: bool = False,
    skip_existing_secrets: bool = False,
    rm_unused_cvars: bool = False,
) -> Plan:
    state = None
    if manifest.project is not None and not from_scratch:
        name = project_name or manifest.project.name
        if name:
            state = fetch_state(client, name)
    return plan(
        manifest,
        state,
        project_name_override=project_name or None,
        skip_existing_secrets=skip_existing_secrets,
        rm_unused_cvars=rm_unused_cvars,
    )


@dataclass
class RpcExecutor(ConnectionActions):
    """The manifest `Executor` backed by the server's RPCs."""

    client: Client

    def create_project(self, name: str, display_name: str) -> str:
        body = {"project": {"name": name, "display_name": display_name}}
        return str(self.client.call("projects", "Create", body)["project_id"])

    def update_project(self, project_id: str, name: str, display_name: str) -> None:
        body = {
            "project": {
                "project_id": project_id,
                "name": name,
                "display_name": display_name,
            }
        }
        self.client.call("projects", "Update", body)

    def set_var(
        self, scope_id: str, name: str, value: str, is_secret: bool, description: str
    ) -> None:
        var = {
            "scope_id": scope_id,
            "name": name,
            "value": value,
            "is_secret": is_secret,
            "description": description,
        }
        if scope_id.startswith("con_"):  # the integration decides what is secret
            body = {"connection_id": scope_id, "vars": [var]}
            self.client.call("connections", "SetVars", body)
            return
        self.client.call("vars", "Set", {"vars": [var]})

    def delete_var(self, scope_id: str, name: str) -> None:
        self.client.call("vars", "Delete", {"scope_id": scope_id, "names": [name]})

    def create_trigger(
        self, project_id: str, spec: TriggerSpec
    ) -> tuple[str, str | None]:
        trigger = {**trigger_to_json(spec), "project_id": project_id}
        if spec.connection:
            trigger["connection"] = spec.connection
        resp = self.client.call("triggers", "Create", {"trigger": trigger})
        return str(resp["trigger_id"]), resp.get("webhook_slug") or None

    def update_trigger(self, trigger_id: str, spec: TriggerSpec) -> None:
        trigger = {**trigger_to_json(spec), "trigger_id": trigger_id}
        self.client.call("triggers", "Update", {"trigger": trigger})

    def delete_trigger(self, trigger_id: str) -> None:
        self.client.call("triggers", "Delete", {"trigger_id": trigger_id})


@dataclass
class Output:
    """Where `[plan]`/`[exec]` lines (stdout) and `[!!!!]` lines (stderr) go."""

    out: Echo
    err: Echo
    quiet: bool = False

    def log(self, line: str) -> None:
        if not self.quiet:
            self.out(line)


def apply_manifest(
    client: Client,
    manifest: Manifest,
    output: Output,
    *,
    project_name: str = "",
    from_scratch: bool = False,
    skip_existing_secrets: bool = False,
    rm_unused_cvars: bool = False,
) -> ExecResult:
    """Plan and execute a manifest; print the plan and exec lines."""
    p = make_plan(
        client,
        manifest,
        project_name=project_name,
        from_scratch=from_scratch,
        skip_existing_secrets=skip_existing_secrets,
        rm_unused_cvars=rm_unused_cvars,
    )
    for line in p.logs:
        output.log(line)
    return execute_actions(client, p.actions, output)


def execute_actions(client: Client, actions: list[Any], output: Output) -> ExecResult:
    result = execute(actions, RpcExecutor(client), output.log)
    for line in result.suggestions:
        output.err(line)
    return result


# --- upload, build, deploy ---------------------------------------------------


def resolve_project(client: Client, ref: str) -> str:
    """A project's ID by name or ID; `project: not_found` (rc 44) otherwise."""
    project = client.call("projects", "Get", {"project_id": ref}).get("project")
    if not project:
        raise NotFound("project: not_found")
    return str(project["project_id"])


def build_project(client: Client, project_id: str, files: dict[str, bytes]) -> str:
    """Replace the project's resources with `files` and build them."""
    resources = {p: base64.b64encode(d).decode() for p, d in sorted(files.items())}
    client.call(
        "projects", "SetResources", {"project_id": project_id, "resources": resources}
    )
    return str(client.call("builds", "Build", {"project_id": project_id})["build_id"])


def deploy_build(client: Client, project_id: str, build_id: str) -> str:
    """Create a deployment of the build and activate it."""
    body = {"deployment": {"build_id": build_id, "project_id": project_id}}
    did = str(client.call("deployments", "Create", body)["deployment_id"])
    client.call("deployments", "Activate", {"deployment_id": did})
    return did


@dataclass
class DeployRequest:
    manifest: str = ""
    project_name: str = ""
    project: str = ""
    dirs: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skip_existing_secrets: bool = False
    quiet: bool = False
    announce_project: bool = True  # the `[plan] project …: found` line
    # Builds the project's venv (requirements.txt) before anything is changed,
    # so a failing pip install fails the deploy, not every session later.
    prepare: Callable[[dict[str, bytes]], None] | None = None


def deploy(client: Client, req: DeployRequest, output: Output) -> str:
    """The whole of `ak deploy` (cli.md §2.2); returns the deployment ID."""
    if req.project_name and not req.manifest:
        raise AkError("project name provided without manifest")
    if req.manifest and req.project:
        raise AkError(
            "if any flags in the group [manifest project] are set none of the others"
            " can be; [manifest project] were all set"
        )
    if not req.manifest and not req.project:
        if not Path(DEFAULT_MANIFEST).is_file():
            raise AkError(
                "no project or manifest provided, and default 'autokitteh.yaml'"
                " not found in current directory"
            )
        req.manifest = DEFAULT_MANIFEST

    ref = req.project
    uploaded: dict[str, bytes] | None = None
    if req.manifest:
        manifest = read_manifest(req.manifest)
        dirs = req.dirs
        if not dirs and not req.files:
            dirs = [str(Path(req.manifest).parent)]
        # Check the upload before changing anything: a bad path or entry point
        # must not leave a half-applied project behind.
        uploaded = collect_files(dirs, req.files)
        check_upload(client, manifest, uploaded, req.manifest, output)
        if req.prepare is not None:
            req.prepare(uploaded)
        result = apply_manifest(
            client,
            manifest,
            output,
            project_name=req.project_name,
            skip_existing_secrets=req.skip_existing_secrets,
        )
        name = req.project_name or (manifest.project.name if manifest.project else "")
        ref = result.project_id or name
        if not ref:
            raise AkError("manifest has no project to deploy")

    project_id = resolve_project(client, ref)
    if req.announce_project:
        output.log(f'[plan] project "{ref}": found, id="{project_id}"')
    if req.manifest:
        from akcli.integrations import connection_hints

        listed = client.call("connections", "List", {"project_id": project_id})
        shown = (manifest.project.name if manifest.project else "") or ref
        for line in connection_hints(listed.get("connections", []), shown):
            output.err(line)
    if uploaded is None:
        if not req.dirs and not req.files:
            raise AkError("no dir/file paths provided")
        uploaded = collect_files(req.dirs, req.files)
        check_upload(client, None, uploaded, "", output)
        if req.prepare is not None:
            req.prepare(uploaded)
    build_id = build_project(client, project_id, uploaded)
    output.log(f'[exec] create_build: created "{build_id}"')
    body = {"deployment": {"build_id": build_id, "project_id": project_id}}
    did = str(client.call("deployments", "Create", body)["deployment_id"])
    output.log(f'[exec] create_deployment: created "{did}"')
    client.call("deployments", "Activate", {"deployment_id": did})
    output.log("[exec] activate_deployment: activated")
    return did


def export_project(
    client: Client, ref: str, include_values: bool = False
) -> tuple[str, bytes]:
    """`(project name, zip bytes)`: the project's files plus a v2 manifest."""
    import io
    import zipfile

    from akcli.manifest import export_manifest

    project = client.call("projects", "Get", {"project_id": ref}).get("project")
    if not project:
        raise NotFound("project: not_found")
    state = fetch_state(client, project["project_id"])
    assert state is not None
    files = client.call(
        "projects", "DownloadResources", {"project_id": state.project_id}
    ).get("resources", {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(files):
            if path != DEFAULT_MANIFEST:
                zf.writestr(path, base64.b64decode(files[path]))
        zf.writestr(
            DEFAULT_MANIFEST, export_manifest(state, include_values=include_values)
        )
    return state.name, buf.getvalue()
