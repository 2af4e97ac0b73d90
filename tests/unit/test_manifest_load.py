"""Manifest loading and validation: exact messages and exit codes (cli.md §3)."""

import json

import pytest

from akcli.errors import AkError, BadRequest
from akcli.manifest import load_manifest, manifest_schema, parse_entrypoint


def err(text: str) -> AkError:
    with pytest.raises(AkError) as ei:
        load_manifest(text, "autokitteh.yaml")
    return ei.value


def trig(body: str, version: str = "v1") -> str:
    lines = "\n".join("      " + line for line in body.strip().splitlines())
    return f"version: {version}\nproject:\n  name: p\n  triggers:\n    - name: t\n{lines}\n"


FULL = """\
version: v2
project:
  name: my_project
  display_name: My Project
  vars:
    - name: MY_VAR
      value: x
      description: a var
      secret: true
    - name: EMPTY
  triggers:
    - name: on_get
      webhook: {}
      event_type: get
      filter: "data.url.path_suffix == 'x'"
      call: handlers.py:on_get
      is_sync: true
    - name: tick
      schedule: "*/5 * * * *"
      call: handlers.py on_tick
      is_durable: true
    - name: typed
      type: webhook
      call: handlers.py
"""


def test_full_manifest() -> None:
    m = load_manifest(FULL, "f")
    assert m.version == "v2"
    p = m.project
    assert p is not None
    assert (p.name, p.display_name) == ("my_project", "My Project")
    assert [(v.name, v.value, v.is_secret, v.description) for v in p.vars] == [
        ("MY_VAR", "x", True, "a var"),
        ("EMPTY", "", False, ""),
    ]
    get, tick, typed = p.triggers
    assert get.source_type == "webhook" and get.webhook_marker and get.is_sync
    assert get.call == ("handlers.py", "on_get") and not get.is_durable
    assert get.filter == "data.url.path_suffix == 'x'" and get.event_type == "get"
    assert tick.source_type == "schedule" and tick.schedule == "*/5 * * * *"
    assert tick.call == ("handlers.py", "on_tick") and tick.is_durable
    assert typed.source_type == "webhook" and not typed.webhook_marker
    assert typed.call == ("handlers.py", "")
    assert all(t.connection is None for t in p.triggers)


KITTEHUB = """version: v1
project:
  name: shapes
  connections:
    - name: slack_conn
      integration: slack
    - name: gh
      integration: github
      vars:
        - name: target_name
          value: octo
        - name: extra
          value: s
          secret: true
  triggers:
    - name: no_call
      connection: slack_conn
      event_type: message
      filter: data.thread_ts == ''
    - name: typed
      type: connection
      connection: gh
      call: main.py:on_pr
    - name: daily
      schedule: "0 9 * * *"
      call: main.py:on_tick
"""


def test_connections_and_connection_triggers() -> None:
    p = load_manifest(KITTEHUB, "autokitteh.yaml").project
    assert p is not None
    assert [(c.name, c.integration) for c in p.connections] == [
        ("slack_conn", "slack"),
        ("gh", "github"),
    ]
    assert [(v.name, v.value, v.is_secret) for v in p.connections[1].vars] == [
        ("target_name", "octo", False),
        ("extra", "s", True),
    ]
    no_call, typed, daily = p.triggers
    assert (no_call.source_type, no_call.connection, no_call.call) == (
        "connection",
        "slack_conn",
        None,
    )
    assert no_call.filter == "data.thread_ts == ''"
    assert (typed.source_type, typed.connection) == ("connection", "gh")
    assert typed.call == ("main.py", "on_pr")
    assert daily.source_type == "schedule"  # no `type:`: inferred


def test_is_durable_defaults() -> None:
    for version, durable in (("v1", True), ("v2", False)):
        m = load_manifest(trig("webhook: {}", version), "f")
        assert m.project is not None
        assert m.project.triggers[0].is_durable is durable


def test_version_only_and_empty_project() -> None:
    assert load_manifest("version: v1\n", "f").project is None
    assert load_manifest("version: v1\nproject:\n", "f").project is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "This is not a manifest",
            "yaml: unmarshal errors:\n"
            "  line 1: cannot unmarshal !!str `This is...` into manifest.Manifest",
        ),
        (
            "- a\n",
            "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into manifest.Manifest",
        ),
        (
            "version: v1\nproject: 5\n",
            "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!int `5` into manifest.Project",
        ),
        (
            "version: v1\nproject:\n  name: p\n  vars:\n    - name: a\n      secret: maybe\n",
            "yaml: unmarshal errors:\n  line 6: cannot unmarshal !!str `maybe` into bool",
        ),
        (
            "version: v1\nproject:\n  triggers: {}\n",
            "yaml: unmarshal errors:\n"
            "  line 3: cannot unmarshal !!map into []*manifest.Trigger",
        ),
    ],
)
def test_unmarshal_errors(text: str, message: str) -> None:
    e = err(text)
    assert str(e) == message
    assert e.exit_code == 1


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("version: v1\nproject: [\n", "yaml: line 3: "),
        ("a: b: c\n", "yaml: line 1: mapping values are not allowed"),
        ("version: 'v1\n", "yaml: line 2: "),
    ],
)
def test_broken_yaml(text: str, prefix: str) -> None:
    e = err(text)
    assert str(e).startswith(prefix)
    assert "\n" not in str(e)
    assert e.exit_code == 1


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", ["- (root): version is required"]),
        ("project:\n  name: p\n", ["- (root): version is required"]),
        (
            trig("webhook: {}\ncolour: red"),
            ["- project.triggers[0].colour: unknown key (line 7)"],
        ),
        (
            "version: v1\nextra: 1\nproject:\n  nam: p\n",
            ["- extra: unknown key (line 2)", "- project.nam: unknown key (line 4)"],
        ),
        (
            trig("webhook: {a: 1}"),
            ["- project.triggers[0].webhook.a: unknown key (line 6)"],
        ),
        (
            "version: v1\nproject:\n  name: 1p\n",
            [r"- project.name: '1p' is not a valid name (must match ^[a-zA-Z_]\w*$)"],
        ),
        (
            "version: v1\nproject:\n  name: p\n  vars:\n    - value: x\n",
            ["- project.vars[0]: name is required"],
        ),
        (
            "version: v1\nproject:\n  name: p\n  vars:\n    - name: a-b\n",
            [
                r"- project.vars[0].name: 'a-b' is not a valid name (must match ^[a-zA-Z_]\w*$)"
            ],
        ),
        (
            "version: v1\nproject:\n  name: p\n  vars:\n    - name: a\n    - name: a\n",
            ["- project.vars[1].name: duplicate var name 'a'"],
        ),
        (
            trig("webhook: {}") + "    - name: t\n      webhook: {}\n",
            ["- project.triggers[1].name: duplicate trigger name 't'"],
        ),
        (
            trig("type: cron"),
            [
                '- project.triggers[0].type: must be one of "schedule", "webhook", "connection"'
            ],
        ),
        (
            "version: v1\nproject:\n  name: p\n  connections:\n    - name: c\n",
            ["- project.connections[0].integration: integration is required"],
        ),
        (
            "version: v1\nproject:\n  name: p\n  connections:\n"
            "    - {name: c, integration: slack}\n    - {name: c, integration: jira}\n",
            ["- project.connections[1].name: duplicate connection name 'c'"],
        ),
        (
            "version: v1\nversion: v2\n",
            ["- version: duplicate key (line 2)"],
        ),
    ],
)
def test_semantic_errors(text: str, lines: list[str]) -> None:
    e = err(text)
    assert isinstance(e, BadRequest) and e.exit_code == 40
    assert str(e) == "invalid YAML semantics:\n" + "\n".join(lines)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("event_type: get", 'trigger "p:/t": concrete type not specified'),
        (
            "type: schedule",
            'trigger "p:/t": schedule is required for a schedule trigger',
        ),
        (
            "type: schedule\nwebhook: {}",
            'trigger "p:webhook/t": type "schedule" is not supported for webhook',
        ),
        (
            'type: webhook\nschedule: "@daily"',
            'trigger "p:schedule:@daily/t": type "webhook" is not supported for schedule',
        ),
        (
            'webhook: {}\nschedule: "@daily"',
            'trigger "p:schedule:@daily/t": only one of webhook or schedule may be specified',
        ),
        (
            "type: connection",
            'trigger "p:/t": connection is required for a connection trigger',
        ),
        (
            "type: schedule\nconnection: c",
            'trigger "p:connection:p/c/t": type "schedule" is not supported for'
            " connection",
        ),
        (
            "webhook: {}\nconnection: c",
            'trigger "p:webhook/t": only one of webhook, schedule or connection may be'
            " specified",
        ),
        (
            "webhook: {}\ncall: 'a.py:b:c'",
            'trigger "p:webhook/t": invalid entrypoint: "a.py:b:c": '
            "invalid function name 'b:c'",
        ),
        (
            "webhook: {}\ncall: ':f'",
            'trigger "p:webhook/t": invalid entrypoint: ":f": missing file path',
        ),
        (
            "webhook: {}\ncall: ''",
            'trigger "p:webhook/t": invalid entrypoint: empty entrypoint',
        ),
        (
            "schedule: '61 * * * *'",
            'trigger "p:schedule:61 * * * */t": invalid cron expression "61 * * * *": '
            "minute field '61': out of range",
        ),
        (
            "webhook: {}\nfilter: \"type == 'GET'\"",
            'trigger "p:webhook/t": invalid filter: '
            "ERROR: <input>:1:1: undeclared reference to 'type'",
        ),
        (
            "webhook: {}\nfilter: 'data.x =='",
            'trigger "p:webhook/t": invalid filter: '
            "ERROR: <input>:1:8: Syntax error: unexpected end of input",
        ),
    ],
)
def test_trigger_rules(body: str, message: str) -> None:
    e = err(trig(body))
    assert isinstance(e, BadRequest)
    assert str(e) == message


def test_unsupported_version() -> None:
    e = err("version: v3\n")
    assert str(e) == "unsupported manifest version: got v3, expected v1 or v2"
    assert e.exit_code == 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("main.py:handler", ("main.py", "handler")),
        ("main.py handler", ("main.py", "handler")),
        (" dir/main.py:on_get ", ("dir/main.py", "on_get")),
        ("main.py:3.4,handler", ("main.py", "handler")),
        ("main.py", ("main.py", "")),
        ("pkg/mod.py:Class.method", ("pkg/mod.py", "Class.method")),
    ],
)
def test_parse_entrypoint(text: str, expected: tuple[str, str]) -> None:
    assert parse_entrypoint(text) == expected


@pytest.mark.parametrize("text", ["", "main.py:1x", "main.py:x,y", "main.py:f-g", ":f"])
def test_parse_entrypoint_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_entrypoint(text)


def test_schema() -> None:
    s = manifest_schema()
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["$id"] == "https://go.autokitteh.dev/autokitteh/internal/manifest/manifest"
    json.dumps(s)

    def objects(node: object):
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for v in node.values():
                yield from objects(v)

    objs = list(objects(s))
    assert len(objs) >= 5
    assert all(o["additionalProperties"] is False for o in objs)
    assert s["$defs"]["Manifest"]["required"] == ["version"]
    trigger_keys = set(s["$defs"]["Trigger"]["properties"])
    assert {
        "webhook",
        "schedule",
        "call",
        "filter",
        "is_durable",
        "is_sync",
    } <= trigger_keys
