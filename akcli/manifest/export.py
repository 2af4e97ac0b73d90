"""Regenerate a v2 `autokitteh.yaml` from a project's state (`ak project export`)."""

from __future__ import annotations

from typing import Any

import yaml

from akcli.manifest.model import CurrentState, ExistingVar, spec_from_trigger_dict


def export_manifest(state: CurrentState, *, include_values: bool = False) -> str:
    """v2 manifest text; `is_durable` is explicit, var values blank by default."""
    project: dict[str, Any] = {"name": state.name}
    if state.display_name:
        project["display_name"] = state.display_name
    if state.vars:
        project["vars"] = [_var(ExistingVar(*v), include_values) for v in state.vars]
    if state.connections:
        project["connections"] = [
            {"name": c.name, "integration": c.integration}
            for c in sorted(state.connections, key=lambda c: c.name)
        ]
    triggers = []
    for t in sorted(state.triggers, key=lambda t: str(t.get("name", ""))):
        spec = spec_from_trigger_dict(t)
        out: dict[str, Any] = {"name": spec.name}
        if spec.source_type == "webhook":
            out["webhook"] = {}
        elif spec.source_type == "schedule":
            out["schedule"] = spec.schedule
        elif spec.connection:
            out["connection"] = spec.connection
        if spec.event_type:
            out["event_type"] = spec.event_type
        if spec.filter:
            out["filter"] = spec.filter
        if spec.call is not None:
            path, name = spec.call
            out["call"] = f"{path}:{name}" if name else path
        out["is_durable"] = spec.is_durable
        if spec.is_sync:
            out["is_sync"] = True
        triggers.append(out)
    if triggers:
        project["triggers"] = triggers
    doc = {"version": "v2", "project": project}
    text: str = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return text


def _var(v: ExistingVar, include_values: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": v.name, "value": v.value if include_values else ""}
    if v.description:
        out["description"] = v.description
    if v.is_secret:
        out["secret"] = True
    return out
