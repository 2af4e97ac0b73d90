"""`autokitteh.yaml`: load and validate, plan, execute, export, schema.

Connections (`project.connections`, connection triggers) are planned like
vars and triggers; their credentials are set with `ak connection set`.
"""

from akcli.manifest.actions import Action, actions_from_json, actions_to_json
from akcli.manifest.execute import ExecResult, Executor, execute
from akcli.manifest.export import export_manifest
from akcli.manifest.loader import load_manifest
from akcli.manifest.model import (
    ConnectionSpec,
    CurrentState,
    ExistingConnection,
    ExistingVar,
    Manifest,
    ProjectSpec,
    TriggerSpec,
    VarSpec,
    trigger_key,
)
from akcli.manifest.plan import Plan, plan
from akcli.manifest.schema import SCHEMA_ID, manifest_schema
from runner.entrypoint import parse_entrypoint

__all__ = [
    "SCHEMA_ID",
    "Action",
    "ConnectionSpec",
    "CurrentState",
    "ExistingConnection",
    "ExecResult",
    "Executor",
    "ExistingVar",
    "Manifest",
    "Plan",
    "ProjectSpec",
    "TriggerSpec",
    "VarSpec",
    "actions_from_json",
    "actions_to_json",
    "execute",
    "export_manifest",
    "load_manifest",
    "manifest_schema",
    "parse_entrypoint",
    "plan",
    "trigger_key",
]
