from __future__ import annotations

from akcli.output import Renderer, pb_text, prune


def capture(**kw: bool) -> tuple[Renderer, list[str]]:
    lines: list[str] = []
    return Renderer(_echo=lines.append, **kw), lines


def test_pb_text_enums_nested_and_quotes() -> None:
    obj = {
        "session_id": "ses_1",
        "state": "SESSION_STATE_TYPE_COMPLETED",
        "memo": {"k": 'a"b'},
        "n": 3,
        "ok": True,
    }
    assert pb_text(obj) == (
        'session_id:"ses_1" state:SESSION_STATE_TYPE_COMPLETED memo:{k:"a\\"b"} n:3 ok:true'
    )


def test_prune_drops_defaults_keeps_floats() -> None:
    assert prune(
        {
            "a": "",
            "b": 0,
            "c": False,
            "d": {},
            "e": [],
            "f": None,
            "g": 0.0,
            "h": {"x": ""},
        }
    ) == {"g": 0.0}


def test_get_wrapping_text_and_json() -> None:
    r, lines = capture()
    r.obj("project", {"project_id": "prj_1", "name": "p", "display_name": ""})
    assert lines == ['project: project_id:"prj_1" name:"p"']
    r, lines = capture(json=True)
    r.obj("project", {"project_id": "prj_1", "name": "p"})
    assert lines == ['{"project":{"project_id":"prj_1","name":"p"}}']


def test_lists_jsonl_array_and_nice() -> None:
    items = [{"a": 1}, {"a": 2}]
    r, lines = capture(json=True)
    r.items(items)
    assert lines == ['{"a":1}', '{"a":2}']
    r, lines = capture(json=True, array=True)
    r.items(items)
    assert lines == ['[{"a":1},{"a":2}]']
    r, lines = capture(nice=True, array=True)  # --array_json_list only with -j
    r.items(items)
    assert lines == ['{\n  "a": 1\n}', '{\n  "a": 2\n}']


def test_create_value() -> None:
    r, lines = capture()
    r.value("project_id", "prj_1")
    r2, lines2 = capture(json=True)
    r2.value("project_id", "prj_1")
    assert lines == ["project_id: prj_1"]
    assert lines2 == ['{"project_id":"prj_1"}']
