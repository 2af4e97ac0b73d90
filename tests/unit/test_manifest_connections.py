"""Connections in manifest plans: [plan]/[exec] lines, action JSON, export."""

from __future__ import annotations

from akcli.manifest import (
    CurrentState,
    ExistingConnection,
    ExistingVar,
    actions_from_json,
    actions_to_json,
    execute,
    export_manifest,
    load_manifest,
    plan,
)
from akcli.manifest.model import TriggerSpec
from tests.unit.test_manifest_plan import FakeExecutor

YAML = """version: v2
project:
  name: p
  connections:
    - name: slack_conn
      integration: slack
    - name: gh
      integration: GitHub
      vars:
        - name: target_name
          value: octo
  triggers:
    - name: on_msg
      connection: slack_conn
      event_type: message
      call: main.py:on_msg
"""


class ConnExecutor(FakeExecutor):
    def create_connection(self, project_id: str, name: str, integration: str) -> str:
        self.calls.append(("create_connection", project_id, name, integration))
        return self._id("con")

    def update_connection(self, connection_id: str, integration: str) -> None:
        self.calls.append(("update_connection", connection_id, integration))

    def delete_connection(self, connection_id: str) -> None:
        self.calls.append(("delete_connection", connection_id))

    def find_connection(self, key: str) -> str:
        return "con_found"


def test_first_apply_creates_connections_then_vars_then_triggers() -> None:
    p = plan(load_manifest(YAML, "m"), None)
    assert p.logs == [
        '[plan] project "p": not found, will create',
        '[plan] connection "p/slack_conn": not found, will create',
        '[plan] connection "p/gh": not found, will create',
        '[plan] var "p/gh/target_name": not found, will set',
        '[plan] trigger "p:connection:p/slack_conn/on_msg": not found, will create',
    ]
    j = actions_to_json(p.actions)
    assert j[1] == {
        "type": "create_connection",
        "action": {
            "key": "p/slack_conn",
            "connection": {"name": "slack_conn"},
            "project": "p",
            "org_id": "",
            "integration": "slack",
        },
    }
    assert j[3]["action"]["connection"] == "p/gh"
    assert j[4]["action"]["connection"] == "p/slack_conn"
    import json

    again = actions_from_json(json.dumps(j))  # `ak manifest execute` input
    ex = ConnExecutor()
    out: list[str] = []
    execute(again, ex, out.append)
    assert out == [
        '[exec] create_project "p": prj_00000000000000000000000001 created',
        '[exec] create_connection "p/slack_conn": con_00000000000000000000000002 created',
        '[exec] create_connection "p/gh": con_00000000000000000000000003 created',
        '[exec] set_var "p/gh/target_name": con_00000000000000000000000003 updated',
        '[exec] create_trigger "p:connection:p/slack_conn/on_msg":'
        " trg_00000000000000000000000004 created",
    ]
    spec = ex.calls[-1][2]
    assert isinstance(spec, TriggerSpec) and spec.connection == "slack_conn"


def state(**extra: object) -> CurrentState:
    conns = [
        ExistingConnection("con_1", "slack_conn", "slack", []),
        ExistingConnection(
            "con_2", "gh", "github", [ExistingVar("target_name", "octo")]
        ),
    ]
    trg = {
        "trigger_id": "trg_3",
        "name": "on_msg",
        "source_type": "SOURCE_TYPE_CONNECTION",
        "event_type": "message",
        "code_location": {"path": "main.py", "name": "on_msg"},
        "connection_id": "con_1",
        "connection": "slack_conn",
    }
    return CurrentState(
        project_id="prj_1",
        name="p",
        connections=conns,
        triggers=[trg],
        **extra,  # type: ignore[arg-type]
    )


def test_redeploy_finds_everything_and_changes_nothing() -> None:
    p = plan(load_manifest(YAML, "m"), state())
    assert p.actions == []
    assert '[plan] project "p": found 2 connections' in p.logs
    assert '[plan] connection "p/gh": found, id="con_2"' in p.logs
    assert '[plan] connection "p/gh": no changes needed' in p.logs
    assert (
        '[plan] trigger "p:connection:p/slack_conn/on_msg": no changes needed' in p.logs
    )


def test_changes_and_deletes() -> None:
    text = YAML.replace("value: octo", "value: cat").replace(
        "    - name: slack_conn\n      integration: slack\n", ""
    )
    text = text.split("  triggers:")[0]
    p = plan(load_manifest(text, "m"), state())
    assert '[plan] var "p/gh/target_name": changed, will update' in p.logs
    assert (
        '[plan] project "p": connection "slack_conn" is not in the manifest, will delete'
        in p.logs
    )
    kinds = [(a.type, a.key) for a in p.actions]
    assert kinds == [
        ("set_var", "p/gh/target_name"),
        ("delete_connection", "p/slack_conn"),
        ("delete_trigger", "trg_3"),
    ]
    assert p.actions[0].body["var"]["scope_id"] == "con_2"


def test_export_has_connections_and_connection_triggers() -> None:
    text = export_manifest(state())
    assert "  connections:\n  - name: gh\n    integration: github\n" in text
    assert (
        "  - name: on_msg\n    connection: slack_conn\n    event_type: message\n"
        in text
    )
    assert "octo" not in text  # connection vars (credentials) are never exported
    assert load_manifest(text, "exported").project is not None


def test_rm_unused_cvars() -> None:
    text = YAML.replace(
        "      vars:\n        - name: target_name\n          value: octo\n", ""
    )
    assert plan(load_manifest(text, "m"), state()).actions == []  # kept by default
    p = plan(load_manifest(text, "m"), state(), rm_unused_cvars=True)
    assert '[plan] var "p/gh/target_name": not in the manifest, will delete' in p.logs
    assert actions_to_json(p.actions) == [
        {
            "type": "delete_var",
            "action": {
                "key": "p/gh/target_name",
                "scope_id": "con_2",
                "var_name": "target_name",
            },
        }
    ]
