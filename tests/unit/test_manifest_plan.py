"""Manifest planning and execution: the exact [plan]/[exec] lines of cli.md §2.2."""

import json

import pytest

from akcli.errors import AkError, BadRequest, NotFound
from akcli.manifest import (
    Action,
    CurrentState,
    ExistingVar,
    TriggerSpec,
    actions_from_json,
    execute,
    export_manifest,
    load_manifest,
    plan,
)

DEPLOY_YAML = """\
version: v1

project:
  name: my_project
  triggers:
    - name: get
      type: webhook
      event_type: get
      call: program.py:on_http_get
"""


class FakeExecutor:
    """Test-mode server: one counter shared by every kind of ID."""

    def __init__(self) -> None:
        self.n = 0
        self.calls: list[tuple[object, ...]] = []

    def _id(self, prefix: str) -> str:
        self.n += 1
        s = ""
        n = self.n
        while n:
            s = "0123456789abcdefghjkmnpqrstvwxyz"[n % 32] + s
            n //= 32
        return (f"{prefix}_" if prefix else "") + s.rjust(26, "0")

    def create_project(self, name: str, display_name: str) -> str:
        self.calls.append(("create_project", name, display_name))
        return self._id("prj")

    def update_project(self, project_id: str, name: str, display_name: str) -> None:
        self.calls.append(("update_project", project_id, name, display_name))

    def set_var(self, scope_id, name, value, is_secret, description) -> None:
        self.calls.append(("set_var", scope_id, name, value, is_secret, description))

    def delete_var(self, scope_id: str, name: str) -> None:
        self.calls.append(("delete_var", scope_id, name))

    def create_trigger(self, project_id: str, spec: TriggerSpec):
        self.calls.append(("create_trigger", project_id, spec))
        tid = self._id("trg")
        slug = self._id("") if spec.source_type == "webhook" else None
        return tid, slug

    def update_trigger(self, trigger_id: str, spec: TriggerSpec) -> None:
        self.calls.append(("update_trigger", trigger_id, spec))

    def delete_trigger(self, trigger_id: str) -> None:
        self.calls.append(("delete_trigger", trigger_id))


PRJ = "prj_00000000000000000000000001"
TRG = "trg_00000000000000000000000002"
EXISTING_GET = {
    "trigger_id": TRG,
    "name": "get",
    "source_type": "SOURCE_TYPE_WEBHOOK",
    "project_id": PRJ,
    "event_type": "get",
    "code_location": {"path": "program.py", "name": "on_http_get"},
    "is_durable": True,
    "webhook_slug": "00000000000000000000000003",
}


def test_first_deploy_lines() -> None:
    m = load_manifest(DEPLOY_YAML, "autokitteh.yaml")
    p = plan(m, None)
    assert p.logs == [
        '[plan] project "my_project": not found, will create',
        '[plan] trigger "my_project:/get": not found, will create',
    ]
    ex = FakeExecutor()
    out: list[str] = []
    res = execute(p.actions, ex, out.append)
    assert out == [
        f'[exec] create_project "my_project": {PRJ} created',
        f'[exec] create_trigger "my_project:/get": {TRG} created',
    ]
    assert res.project_id == PRJ
    assert res.suggestions == [
        '[!!!!] trigger "get" created, webhook path is '
        '"/webhooks/00000000000000000000000003"'
    ]
    _, pid, spec = ex.calls[1]
    assert pid == PRJ
    assert spec.call == ("program.py", "on_http_get")
    assert spec.is_durable and spec.event_type == "get"


def test_redeploy_lines_and_idempotency() -> None:
    m = load_manifest(DEPLOY_YAML, "autokitteh.yaml")
    state = CurrentState(project_id=PRJ, name="my_project", triggers=[EXISTING_GET])
    p = plan(m, state)
    assert p.logs == [
        f'[plan] project "my_project": found, id="{PRJ}"',
        '[plan] project "my_project": no changes needed',
        '[plan] project "my_project": found 0 connections',
        '[plan] project "my_project": found 1 triggers',
        f'[plan] trigger "my_project:/get": found, id="{TRG}"',
        '[plan] trigger "my_project:/get": no changes needed',
    ]
    assert p.actions == []


def test_action_json_shape_and_roundtrip() -> None:
    m = load_manifest(
        DEPLOY_YAML.replace(
            "  triggers:", "  vars:\n    - name: v\n      value: x\n  triggers:"
        ),
        "f",
    )
    p = plan(m, None)
    js = p.to_json()
    assert js[0] == {
        "type": "create_project",
        "action": {"key": "my_project", "project": {"name": "my_project"}},
    }
    assert js[1] == {
        "type": "set_var",
        "action": {
            "key": "my_project/v",
            "project": "my_project",
            "org_id": "",
            "var": {"name": "v", "value": "x"},
        },
    }
    assert js[2] == {
        "type": "create_trigger",
        "action": {
            "key": "my_project:/get",
            "connection": None,
            "project": "my_project",
            "org_id": "",
            "trigger": {
                "name": "get",
                "source_type": "SOURCE_TYPE_WEBHOOK",
                "event_type": "get",
                "code_location": {"path": "program.py", "name": "on_http_get"},
                "is_durable": True,
            },
        },
    }
    again = actions_from_json(json.dumps(js, indent=2))
    assert again == p.actions
    out: list[str] = []
    execute(again, FakeExecutor(), out.append)
    assert out[1] == f'[exec] set_var "my_project/v": {PRJ} updated'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "invalid plan input: Expecting value"),
        ("{}", "invalid plan input: expected a JSON array"),
        ("[1]", "invalid plan input: action 0: expected an object"),
        ('[{"type":"nope","action":{}}]', "unknown type 'nope'"),
        (
            '[{"type":"create_project","action":{"key":"k"}}]',
            "missing or invalid 'project'",
        ),
        ('[{"type":"delete_trigger","action":{"key":"k"}}]', "'trigger_id'"),
        (
            '[{"type":"create_trigger","action":{"key":"k","project":"p",'
            '"trigger":{"name":"t","source_type":"SOURCE_TYPE_BOGUS"}}}]',
            "unknown source type",
        ),
    ],
)
def test_bad_plan_input(text: str, reason: str) -> None:
    with pytest.raises(BadRequest) as ei:
        actions_from_json(text)
    assert str(ei.value).startswith("invalid plan input: ")
    assert reason in str(ei.value)


def state_with(**kw) -> CurrentState:
    base = {"project_id": PRJ, "name": "my_project", "triggers": [EXISTING_GET]}
    base.update(kw)
    return CurrentState(**base)


def test_update_project_display_name() -> None:
    m = load_manifest(
        DEPLOY_YAML.replace(
            "name: my_project", "name: my_project\n  display_name: Mine"
        ),
        "f",
    )
    p = plan(m, state_with())
    assert '[plan] project "my_project": not as desired, will update' in p.logs
    assert p.actions[0].to_json()["action"]["project"] == {
        "project_id": PRJ,
        "name": "my_project",
        "display_name": "Mine",
    }
    out: list[str] = []
    ex = FakeExecutor()
    res = execute(p.actions, ex, out.append)
    assert out == [f'[exec] update_project "my_project": {PRJ} updated']
    assert ex.calls == [("update_project", PRJ, "my_project", "Mine")]
    assert res.project_id is None


VARS_YAML = DEPLOY_YAML.replace(
    "  triggers:",
    """  vars:
    - name: same
      value: "1"
    - name: new
      value: n
    - name: changed
      value: "2"
    - name: secret_flag
      value: s
      secret: true
    - name: described
      value: d
      description: now described
  triggers:""",
)


def test_var_planning() -> None:
    m = load_manifest(VARS_YAML, "f")
    state = state_with(
        vars=[
            ExistingVar("same", "1"),
            ExistingVar("changed", "1"),
            ExistingVar("secret_flag", "s", False),
            ExistingVar("described", "d", False, ""),
            ExistingVar("gone", "x"),
        ]
    )
    p = plan(m, state)
    var_lines = [line for line in p.logs if "var" in line]
    assert var_lines == [
        '[plan] var "my_project/same": no changes needed',
        '[plan] var "my_project/new": not found, will set',
        '[plan] var "my_project/changed": differs, will set',
        '[plan] var "my_project/secret_flag": secret flag or description differs, will set',
        '[plan] var "my_project/described": secret flag or description differs, will set',
        '[plan] project "my_project": env var "gone" is not in the manifest, will delete',
    ]
    assert [a.type for a in p.actions] == ["set_var"] * 4 + ["delete_var"]
    ex = FakeExecutor()
    out: list[str] = []
    execute(p.actions, ex, out.append)
    assert out[-1] == f'[exec] delete_var "my_project/gone": {PRJ} deleted'
    assert ("set_var", PRJ, "secret_flag", "s", True, "") in ex.calls
    assert ("set_var", PRJ, "described", "d", False, "now described") in ex.calls
    assert ("delete_var", PRJ, "gone") in ex.calls


def test_skip_existing_secrets() -> None:
    m = load_manifest(VARS_YAML, "f")
    state = state_with(vars=[ExistingVar("changed", "1", True)])
    p = plan(m, state, skip_existing_secrets=True)
    assert (
        '[plan] var "my_project/changed": value differs but one of them is secret, skipping'
        in p.logs
    )
    assert "my_project/changed" not in [a.key for a in p.actions]


def test_trigger_update_and_delete() -> None:
    yaml_text = DEPLOY_YAML.replace("event_type: get", "event_type: post")
    other = {
        "trigger_id": "trg_x",
        "name": "old",
        "source_type": "SOURCE_TYPE_SCHEDULE",
        "schedule": "@daily",
    }
    p = plan(load_manifest(yaml_text, "f"), state_with(triggers=[EXISTING_GET, other]))
    assert p.logs[-3:] == [
        f'[plan] trigger "my_project:/get": found, id="{TRG}"',
        '[plan] trigger "my_project:/get": not as desired, will update',
        '[plan] project "my_project": trigger "trg_x" is not in the manifest, '
        "will delete",
    ]
    assert [a.type for a in p.actions] == ["update_trigger", "delete_trigger"]
    ex = FakeExecutor()
    out: list[str] = []
    res = execute(p.actions, ex, out.append)
    assert out == [
        f'[exec] update_trigger "my_project:/get": {TRG} updated',
        '[exec] delete_trigger "trg_x": trg_x deleted',
    ]
    assert res.suggestions == []
    _, tid, spec = ex.calls[0]
    assert tid == TRG and spec.event_type == "post"


def test_source_type_cannot_be_updated() -> None:
    yaml_text = DEPLOY_YAML.replace("type: webhook", 'schedule: "@daily"')
    with pytest.raises(AkError) as ei:
        plan(load_manifest(yaml_text, "f"), state_with())
    assert (
        str(ei.value)
        == 'trigger "my_project:schedule:@daily/get": source type cannot be updated'
    )
    assert ei.value.exit_code == 1


def test_project_name_override_and_required() -> None:
    p = plan(load_manifest(DEPLOY_YAML, "f"), None, project_name_override="other")
    assert p.logs[0] == '[plan] project "other": not found, will create'
    assert p.logs[1] == '[plan] trigger "other:/get": not found, will create'
    nameless = load_manifest("version: v2\nproject:\n  vars: []\n", "f")
    with pytest.raises(BadRequest, match="project name is required"):
        plan(nameless, None)


def test_empty_manifest_plans_nothing() -> None:
    p = plan(load_manifest("version: v1\n", "f"), None)
    assert p.logs == [] and p.actions == [] and p.to_json() == []


def test_execute_failure_names_the_action() -> None:
    class Failing(FakeExecutor):
        def create_trigger(self, project_id, spec):
            raise NotFound("project: not_found")

    out: list[str] = []
    p = plan(load_manifest(DEPLOY_YAML, "f"), None)
    with pytest.raises(NotFound) as ei:
        execute(p.actions, Failing(), out.append)
    assert str(ei.value) == "action create_trigger my_project:/get: project: not_found"
    assert out == [f'[exec] create_project "my_project": {PRJ} created']


def test_unresolvable_project_in_execute() -> None:
    action = Action(
        "set_var", "p/v", {"project": "p", "var": {"name": "v", "value": ""}}
    )
    with pytest.raises(AkError, match='action set_var p/v: project "p" not found'):
        execute([action], FakeExecutor(), lambda _: None)


def test_export_roundtrip() -> None:
    schedule = {
        "trigger_id": "trg_s",
        "name": "tick",
        "source_type": "SOURCE_TYPE_SCHEDULE",
        "schedule": "*/1 * * * * * *",
        "code_location": {"path": "p.py", "name": "on_tick"},
        "filter": "event_type == 'tick'",
    }
    state = state_with(
        display_name="Mine",
        vars=[ExistingVar("A", "a", True, "desc"), ExistingVar("B", "b")],
        triggers=[EXISTING_GET, schedule],
    )
    text = export_manifest(state)
    assert "webhook: {}" in text
    assert "is_durable: false" in text and "is_durable: true" in text
    assert "value: ''" in text
    m = load_manifest(text, "exported")
    assert m.version == "v2"
    full = export_manifest(state, include_values=True)
    p = plan(load_manifest(full, "f"), state)
    assert p.actions == []
    # The exported webhook is written as `webhook: {}`, so its key says so.
    assert f'[plan] trigger "my_project:webhook/get": found, id="{TRG}"' in p.logs
