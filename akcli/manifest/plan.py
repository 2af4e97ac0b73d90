"""Plan the actions that bring the server in line with a manifest (cli.md §3.3).

Our decisions over upstream: var planning also detects changes to only the
secret flag or the description, and a trigger whose source type changed is an
error. Connection vars set with `ak connection set` (credentials) are not in
the manifest and are kept: only `--rm-unused-cvars` would delete them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from akcli.errors import AkError, BadRequest
from akcli.manifest.actions import Action, actions_to_json
from akcli.manifest.model import (
    ConnectionSpec,
    CurrentState,
    ExistingVar,
    Manifest,
    TriggerSpec,
    VarSpec,
    source_type_name,
    spec_from_trigger_dict,
    trigger_key,
    trigger_to_json,
)

MAX_VAR_VALUE = 1 << 20  # as the vars service allows


@dataclass
class Plan:
    logs: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return actions_to_json(self.actions)


class _Log:
    def __init__(self, logs: list[str]) -> None:
        self.logs = logs

    def __call__(self, kind: str, key: str, msg: str) -> None:
        self.logs.append(f'[plan] {kind} "{key}": {msg}')


def plan(
    manifest: Manifest,
    state: CurrentState | None,
    *,
    project_name_override: str | None = None,
    skip_existing_secrets: bool = False,
    rm_unused_cvars: bool = False,
) -> Plan:
    """Compare the manifest with the project's current state (None: missing)."""
    result = Plan()
    mproj = manifest.project
    if mproj is None:
        return result
    log = _Log(result.logs)
    name = project_name_override or mproj.name
    if not name:
        raise BadRequest(
            "project name is required (set project.name or --project-name)"
        )
    add = result.actions.append

    project: dict[str, Any] = {"name": name}
    if mproj.display_name:
        project["display_name"] = mproj.display_name
    pid = ""
    if state is None:
        log("project", name, "not found, will create")
        add(Action("create_project", name, {"project": project}))
    else:
        pid = state.project_id
        log("project", name, f'found, id="{pid}"')
        if state.name != name or (state.display_name or "") != mproj.display_name:
            log("project", name, "not as desired, will update")
            add(
                Action(
                    "update_project", name, {"project": {"project_id": pid, **project}}
                )
            )
        else:
            log("project", name, "no changes needed")

    for v in mproj.vars:  # checked before the first action, not half-way
        if len(v.value.encode()) > MAX_VAR_VALUE:
            raise BadRequest(f'var "{v.name}": value is larger than 1 MiB')
    _plan_vars(log, add, name, pid, mproj.vars, state, skip_existing_secrets)
    _plan_connections(log, add, name, mproj.connections, state, rm_unused_cvars)
    _plan_triggers(log, add, name, pid, mproj.triggers, state)
    return result


def _var_json(v: VarSpec, scope_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": v.name, "value": v.value}
    if scope_id:
        out = {"scope_id": scope_id, **out}
    if v.is_secret:
        out["is_secret"] = True
    if v.description:
        out["description"] = v.description
    return out


def _plan_vars(
    log: _Log,
    add: Any,
    project: str,
    pid: str,
    mvars: tuple[VarSpec, ...],
    state: CurrentState | None,
    skip_existing_secrets: bool,
) -> None:
    current: dict[str, ExistingVar] = {}
    if state is not None:
        current = {v.name: ExistingVar(*v) for v in state.vars}
    for v in mvars:
        key = f"{project}/{v.name}"
        curr = current.get(v.name)
        if curr is None:
            log("var", key, "not found, will set")
        elif v.is_secret and not v.value and curr.value:
            # A secret declared without a value: a redeploy never blanks
            # what `ak var set --secret` stored.
            if curr.is_secret:
                log("var", key, "secret is set, keeping the stored value")
                continue
            log("var", key, "will become secret, keeping the stored value")
            v = VarSpec(v.name, curr.value, True, v.description)
        elif curr.value != v.value:
            if skip_existing_secrets and (curr.is_secret or v.is_secret):
                log("var", key, "value differs but one of them is secret, skipping")
                continue
            log("var", key, "differs, will set")
        elif curr.is_secret != v.is_secret or (curr.description or "") != v.description:
            log("var", key, "secret flag or description differs, will set")
        else:
            log("var", key, "no changes needed")
            continue
        body = {"project": project, "org_id": "", "var": _var_json(v, pid)}
        add(Action("set_var", key, body))
    wanted = {v.name for v in mvars}
    for name, curr_var in current.items():
        if name not in wanted and curr_var.is_secret:
            log(
                "project",
                project,
                f'secret var "{name}" is not in the manifest, keeping it'
                " (ak var delete removes it)",
            )
        elif name not in wanted:
            log(
                "project",
                project,
                f'env var "{name}" is not in the manifest, will delete',
            )
            add(
                Action(
                    "delete_var",
                    f"{project}/{name}",
                    {"scope_id": pid, "var_name": name},
                )
            )


def _comparable(spec: TriggerSpec) -> tuple[Any, ...]:
    return (
        spec.name,
        spec.source_type,
        spec.event_type,
        spec.filter,
        spec.call,
        spec.is_durable,
        spec.is_sync,
        spec.schedule,
        spec.connection,
    )


def _plan_triggers(
    log: _Log,
    add: Any,
    project: str,
    pid: str,
    mtriggers: tuple[TriggerSpec, ...],
    state: CurrentState | None,
) -> None:
    current: dict[str, dict[str, Any]] = {}
    if state is not None:
        current = {str(t.get("name", "")): t for t in state.triggers}
        log("project", project, f"found {len(state.triggers)} triggers")
    for spec in mtriggers:
        key = trigger_key(project, spec)
        trg = trigger_to_json(spec)
        curr = current.get(spec.name)
        if curr is None:
            log("trigger", key, "not found, will create")
            if pid:
                trg["project_id"] = pid
            body = {
                "connection": _conn_key(project, spec),
                "project": project,
                "org_id": "",
                "trigger": trg,
            }
            add(Action("create_trigger", key, body))
            continue
        tid = str(curr.get("trigger_id", ""))
        log("trigger", key, f'found, id="{tid}"')
        if source_type_name(str(curr.get("source_type", ""))) != spec.source_type:
            raise AkError(f'trigger "{key}": source type cannot be updated')
        if _comparable(spec_from_trigger_dict(curr)) == _comparable(spec):
            log("trigger", key, "no changes needed")
            continue
        log("trigger", key, "not as desired, will update")
        trg = {"trigger_id": tid, "project_id": pid, **trg}
        body = {
            "connection": _conn_key(project, spec),
            "project": project,
            "org_id": "",
            "trigger": trg,
        }
        add(Action("update_trigger", key, body))
    wanted = {t.name for t in mtriggers}
    for name, t in current.items():
        if name not in wanted:
            tid = str(t.get("trigger_id", ""))
            log(
                "project",
                project,
                f'trigger "{tid}" is not in the manifest, will delete',
            )
            add(Action("delete_trigger", tid, {"trigger_id": tid}))


def _conn_key(project: str, spec: TriggerSpec) -> str | None:
    return f"{project}/{spec.connection}" if spec.connection else None


def _same_integration(want: str, have: str) -> bool:
    from akcli import integrations
    from akcli.errors import NotFound

    try:
        return integrations.find(want).unique_name == have
    except NotFound:
        return want == have


def _plan_connections(
    log: _Log,
    add: Any,
    project: str,
    mconns: tuple[ConnectionSpec, ...],
    state: CurrentState | None,
    rm_unused_cvars: bool = False,
) -> None:
    current = {c.name: c for c in state.connections} if state is not None else {}
    if state is not None:
        log("project", project, f"found {len(state.connections)} connections")
    for c in mconns:
        key = f"{project}/{c.name}"
        curr = current.get(c.name)
        cid = ""
        have: dict[str, ExistingVar] = {}
        if curr is None:
            log("connection", key, "not found, will create")
            body = {
                "connection": {"name": c.name},
                "project": project,
                "org_id": "",
                "integration": c.integration,
            }
            add(Action("create_connection", key, body))
        else:
            cid = curr.connection_id
            have = {v.name: v for v in curr.vars}
            log("connection", key, f'found, id="{cid}"')
            if _same_integration(c.integration, curr.integration):
                log("connection", key, "no changes needed")
            else:
                log("connection", key, "not as desired, will update")
                conn = {
                    "connection_id": cid,
                    "name": c.name,
                    "integration": c.integration,
                }
                add(Action("update_connection", key, {"connection": conn}))
        for v in c.vars:
            vkey = f"{key}/{v.name}"
            got = have.get(v.name)
            if got is None:
                log("var", vkey, "not found, will set")
            elif (got.value, got.is_secret) != (v.value, v.is_secret):
                log("var", vkey, "changed, will update")
            else:
                continue
            body = {"connection": key, "org_id": "", "var": _var_json(v, cid)}
            add(Action("set_var", vkey, body))
        wanted_vars = {v.name for v in c.vars}
        for vname in have:
            if rm_unused_cvars and vname not in wanted_vars:
                log("var", f"{key}/{vname}", "not in the manifest, will delete")
                body = {"scope_id": cid, "var_name": vname}
                add(Action("delete_var", f"{key}/{vname}", body))
    wanted = {c.name for c in mconns}
    for name, curr in current.items():
        if name not in wanted:
            log(
                "project",
                project,
                f'connection "{name}" is not in the manifest, will delete',
            )
            body = {"connection_id": curr.connection_id}
            add(Action("delete_connection", f"{project}/{name}", body))
