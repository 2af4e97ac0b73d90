"""Parse and validate `autokitteh.yaml` (cli.md §3.1, §3.2).

Validation is strict where upstream is lax (our decisions): unknown keys are
rejected with their line, `type: schedule` without `schedule` is an error, and
cron expressions and CEL filters are checked up front. Everything is validated
before a plan is made, so nothing is executed from a bad manifest.

Connections are `{name, integration, vars?}`; a trigger with `connection:`
(or `type: connection`) is a connection trigger, its `call` optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import yaml

from akcli.errors import AkError, BadRequest
from akcli.manifest import activity_defaults, webhook_dedup
from akcli.manifest.model import (
    ConnectionSpec,
    Manifest,
    ProjectSpec,
    SourceType,
    TriggerSpec,
    VarSpec,
    trigger_key,
)
from akcli.manifest.yaml_nodes import (
    NULL_TAG,
    NodeErrors,
    boolean,
    is_null,
    mapping,
    raise_unmarshal,
    sequence,
    string,
)
from runner.entrypoint import parse_entrypoint

NAME_RE = re.compile(r"^[a-zA-Z_]\w*$")

_TOP_KEYS = ("version", "project")
_PROJECT_KEYS = ("name", "display_name", "vars", "connections", "triggers", "pythonrt")
_VAR_KEYS = ("name", "value", "description", "secret")
_CONNECTION_KEYS = ("name", "integration", "vars")
_TRIGGER_KEYS = (
    "name",
    "type",
    "webhook",
    "schedule",
    "connection",
    "event_type",
    "filter",
    "call",
    "is_durable",
    "is_sync",
    *activity_defaults.PYTHONRT_KEYS,
    *webhook_dedup.KEYS,
)
_TRIGGER_TYPES = ("schedule", "webhook", "connection")


def load_manifest(text: str, path: str) -> Manifest:
    """Parse and validate a manifest; raise AkError/BadRequest as upstream.

    `path` is only used in messages about the file as a whole.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        raise AkError(f"yaml: {line}{e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise AkError(f"yaml: {path}: {e}") from None

    errs = NodeErrors()
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == NULL_TAG):
        top: dict[str, yaml.Node] = {}
    else:
        got = mapping(root, "", _TOP_KEYS, "manifest.Manifest", errs)
        if got is None:
            raise_unmarshal(errs)
        top = got or {}

    version = ""
    if "version" not in top or is_null(top["version"]):
        errs.semantic.append("- (root): version is required")
    else:
        version = string(top["version"], errs)
    parsed = None
    if "project" in top and not is_null(top["project"]):
        parsed = _project(top["project"], errs, version)
    raise_unmarshal(errs)
    if errs.semantic:
        raise BadRequest("invalid YAML semantics:\n" + "\n".join(errs.semantic))
    if version not in ("v1", "v2"):
        raise BadRequest(
            f"unsupported manifest version: got {version}, expected v1 or v2"
        )
    if parsed is None:
        return Manifest(version=version)
    project, raws = parsed
    triggers = tuple(_settle_trigger(raw, project.name) for raw in raws)
    return Manifest(version=version, project=replace(project, triggers=triggers))


def _name(fields: dict[str, yaml.Node], where: str, errs: NodeErrors) -> str:
    if "name" not in fields or is_null(fields["name"]):
        errs.semantic.append(f"- {where}: name is required")
        return ""
    name = string(fields["name"], errs)
    if not NAME_RE.match(name):
        errs.semantic.append(
            f"- {where}.name: {name!r} is not a valid name "
            r"(must match ^[a-zA-Z_]\w*$)"
        )
    return name


def _project(
    node: yaml.Node, errs: NodeErrors, version: str
) -> tuple[ProjectSpec, list[_RawTrigger]] | None:
    fields = mapping(node, "project", _PROJECT_KEYS, "manifest.Project", errs)
    if fields is None:
        return None
    name = ""
    if "name" in fields and not is_null(fields["name"]):
        name = _name(fields, "project", errs)
    display = string(fields["display_name"], errs) if "display_name" in fields else ""
    vars_ = _vars(fields.get("vars"), "project.vars", errs)
    conns: list[ConnectionSpec] = []
    seen: set[str] = set()
    conn_nodes = fields.get("connections")
    for i, cn in enumerate(
        sequence(conn_nodes, "[]*manifest.Connection", errs)
        if conn_nodes is not None and not is_null(conn_nodes)
        else []
    ):
        where = f"project.connections[{i}]"
        cf = mapping(cn, where, _CONNECTION_KEYS, "manifest.Connection", errs)
        if cf is None:
            continue
        cname = _name(cf, where, errs)
        if cname and cname in seen:
            errs.semantic.append(f"- {where}.name: duplicate connection name {cname!r}")
        seen.add(cname)
        integ = string(cf["integration"], errs) if "integration" in cf else ""
        if not integ:
            errs.semantic.append(f"- {where}.integration: integration is required")
        cvars = _vars(cf.get("vars"), f"{where}.vars", errs)
        conns.append(ConnectionSpec(cname, integ, tuple(cvars)))

    triggers: list[_RawTrigger] = []
    seen = set()
    trg_nodes = fields.get("triggers")
    seq = sequence(trg_nodes, "[]*manifest.Trigger", errs) if trg_nodes else []
    for i, tn in enumerate(seq):
        where = f"project.triggers[{i}]"
        raw = _trigger(tn, where, errs, version)
        if raw is None:
            continue
        tname = raw.spec.name
        if tname and tname in seen:
            errs.semantic.append(f"- {where}.name: duplicate trigger name {tname!r}")
        seen.add(tname)
        triggers.append(raw)
        vars_ += activity_defaults.trigger_vars(tname, tn, where, errs.semantic)
        vars_ += webhook_dedup.trigger_vars(tname, tn, where, errs.semantic)
    vars_ += activity_defaults.project_vars(fields.get("pythonrt"), errs.semantic)
    names = [v.name for v in vars_]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        if dup.startswith(activity_defaults.PREFIX):
            errs.semantic.append(f"- project.vars: {dup!r} is also set by pythonrt")
    project = ProjectSpec(
        name=name, display_name=display, vars=tuple(vars_), connections=tuple(conns)
    )
    return project, triggers


def _vars(node: yaml.Node | None, at: str, errs: NodeErrors) -> list[VarSpec]:
    vars_: list[VarSpec] = []
    seen: set[str] = set()
    if node is None or is_null(node):
        return vars_
    for i, vn in enumerate(sequence(node, "[]*manifest.Var", errs)):
        where = f"{at}[{i}]"
        vf = mapping(vn, where, _VAR_KEYS, "manifest.Var", errs)
        if vf is None:
            continue
        vname = _name(vf, where, errs)
        if vname and vname in seen:
            errs.semantic.append(f"- {where}.name: duplicate var name {vname!r}")
        seen.add(vname)
        secret = boolean(vf["secret"], errs) if "secret" in vf else None
        vars_.append(
            VarSpec(
                name=vname,
                value=string(vf["value"], errs) if "value" in vf else "",
                is_secret=bool(secret),
                description=string(vf["description"], errs)
                if "description" in vf
                else "",
            )
        )
    return vars_


@dataclass(frozen=True)
class _RawTrigger:
    """What a trigger entry says, before its type and call are settled."""

    spec: TriggerSpec
    type: str
    call: str | None


def _trigger(
    node: yaml.Node, where: str, errs: NodeErrors, version: str
) -> _RawTrigger | None:
    tf = mapping(node, where, _TRIGGER_KEYS, "manifest.Trigger", errs)
    if tf is None:
        return None
    name = _name(tf, where, errs)

    def s(key: str) -> str:
        return string(tf[key], errs) if key in tf else ""

    def b(key: str) -> bool | None:
        return boolean(tf[key], errs) if key in tf else None

    ttype = s("type")
    if ttype and ttype not in _TRIGGER_TYPES:
        errs.semantic.append(
            f'- {where}.type: must be one of "schedule", "webhook", "connection"'
        )
    webhook = False
    if "webhook" in tf and not is_null(tf["webhook"]):
        wf = mapping(tf["webhook"], f"{where}.webhook", (), "manifest.Webhook", errs)
        webhook = wf is not None
    connection = s("connection")
    durable = b("is_durable")
    spec = TriggerSpec(
        name=name,
        source_type="webhook",  # settled by _settle_trigger
        event_type=s("event_type"),
        filter=s("filter"),
        is_durable=durable if durable is not None else version == "v1",
        is_sync=bool(b("is_sync")),
        schedule=s("schedule"),
        webhook_marker=webhook,
        connection=connection or None,
    )
    call = s("call") if "call" in tf and not is_null(tf["call"]) else None
    return _RawTrigger(spec, ttype, call)


def _settle_trigger(raw: _RawTrigger, project: str) -> TriggerSpec:
    """Apply the type rules of §3.2 and check call, schedule and filter."""
    spec = raw.spec
    key = trigger_key(project, spec)
    markers: list[SourceType] = []
    if spec.webhook_marker:
        markers.append("webhook")
    if spec.schedule:
        markers.append("schedule")
    if spec.connection:
        markers.append("connection")
    if len(markers) > 1:
        which = (
            "webhook, schedule or connection"
            if spec.connection
            else "webhook or schedule"
        )
        raise BadRequest(f'trigger "{key}": only one of {which} may be specified')
    source_type: SourceType
    if markers:
        source_type = markers[0]
        if raw.type and raw.type != source_type:
            raise BadRequest(
                f'trigger "{key}": type "{raw.type}" is not supported for {source_type}'
            )
    elif raw.type == "webhook":
        source_type = "webhook"
    elif raw.type == "schedule":
        raise BadRequest(
            f'trigger "{key}": schedule is required for a schedule trigger'
        )
    elif raw.type == "connection":
        raise BadRequest(
            f'trigger "{key}": connection is required for a connection trigger'
        )
    else:
        raise BadRequest(f'trigger "{key}": concrete type not specified')

    call = None
    if raw.call is not None:
        try:
            call = parse_entrypoint(raw.call)
        except ValueError as e:
            raise BadRequest(f'trigger "{key}": {e}') from None

    if spec.schedule:
        from akcli import cronexpr

        try:
            cronexpr.parse(spec.schedule)
        except ValueError as e:
            raise BadRequest(f'trigger "{key}": {e}') from None

    if spec.filter:
        from akcli import celfilter

        try:
            celfilter.compile_filter(spec.filter)
        except ValueError as e:
            raise BadRequest(f'trigger "{key}": invalid filter: {e}') from None

    return replace(spec, source_type=source_type, call=call)
