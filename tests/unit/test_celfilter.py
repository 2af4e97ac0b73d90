"""CEL trigger filters: compile-time errors and evaluation over event data."""

import time

import pytest

from akcli.celfilter import compile_filter

DATA = {
    "method": "GET",
    "raw_url": "/webhooks/abc/x?a=1",
    "url": {"path": "/webhooks/abc/x", "query": {"a": "1"}, "path_suffix": "x"},
    "headers": {"Content-Type": "application/json"},
    "body": {
        "bytes": b'{"n": 1.5}',
        "text": None,
        "form": None,
        "json": {"n": 1.5, "i": 7, "l": [1, 2, 3], "nested": {"deep": [{"k": "v"}]}},
    },
}


@pytest.mark.parametrize(
    "expr",
    [
        "data.url.path_suffix == 'x'",
        "event_type == 'get'",
        "data.method.startsWith('G')",
        "data.raw_url.endsWith('a=1')",
        "data.raw_url.contains('/x?')",
        "data.method.matches('^G.T$')",
        "size(data.method) == 3",
        "data.method.size() == 3",
        "'a' in data.url.query",
        "3 in data.body.json.l",
        "has(data.body.json.n)",
        "!has(data.body.nope)",
        "data.body.bytes == b'{\"n\": 1.5}'",
        "size(data.body.bytes) == 10",
        "data.body.text == null",
        "data.body.json.n > 1.0",
        "data.body.json.i == 7",
        "data.body.json.nested.deep[0].k == 'v'",
        "data.body.json.l.exists(x, x > 2)",
        "data.body.json.l.all(x, x > 0)",
        "data.body.json.l.exists_one(x, x == 2)",
        "data.body.json.l.filter(x, x > 1) == [2, 3]",
        "data.body.json.l.map(y, y * 2) == [2, 4, 6]",
        "data.headers['Content-Type'] == 'application/json'",
        "type(data.method) == string",
        "data.method.lowerAscii() == 'get'",
        "'get'.upperAscii() == data.method",
        "' a '.trim() == 'a'",
        "'a-b-c'.split('-') == ['a', 'b', 'c']",
        "'a-b-c'.replace('-', '+') == 'a+b+c'",
        "['a', 'b'].join('/') == 'a/b'",
        "data.method.indexOf('E') == 1",
        "data.method.substring(1) == 'ET'",
        "event_type == 'get' ? true : false",
    ],
)
def test_matches(expr: str) -> None:
    f = compile_filter(expr)
    assert f.evaluate(DATA, "get") == (True, None)
    assert f.matches(DATA, "get")


@pytest.mark.parametrize(
    "expr",
    ["event_type == 'post'", "data.method == 'get'", "has(data.nope)", "false"],
)
def test_does_not_match(expr: str) -> None:
    assert compile_filter(expr).evaluate(DATA, "get") == (False, None)


@pytest.mark.parametrize(
    ("expr", "error"),
    [
        ("data.nope == 1", "no such member in mapping: 'nope'"),
        ("1", "filter result is not a bool: IntType"),
        ("'x'", "filter result is not a bool"),
        ("data.body.json.i / 0 == 1", "divide by zero"),
        ("data.method.substring(9) == ''", "out of range"),
    ],
)
def test_evaluation_errors_are_false(expr: str, error: str) -> None:
    f = compile_filter(expr)
    ok, err = f.evaluate(DATA, "get")
    assert not ok
    assert err is not None and error in err
    assert "\n" not in err and "activation" not in err
    assert not f.matches(DATA, "get")


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            "undefined_var",
            "ERROR: <input>:1:1: undeclared reference to 'undefined_var'",
        ),
        ("data.x == 1 && y", "ERROR: <input>:1:16: undeclared reference to 'y'"),
        ("type == 'GET'", "ERROR: <input>:1:1: undeclared reference to 'type'"),
        ("foo(1)", "ERROR: <input>:1:1: undeclared reference to 'foo'"),
        ("data.x.bar()", "ERROR: <input>:1:8: undeclared reference to 'bar'"),
        ("data.l.exists(x, y > 1)", "ERROR: <input>:1:18: undeclared reference to 'y'"),
        (
            "data.l.exists(x, x) || x",
            "ERROR: <input>:1:24: undeclared reference to 'x'",
        ),
        ("data.x ==", "ERROR: <input>:1:8: Syntax error: unexpected end of input"),
        ("1 2", "ERROR: <input>:1:3: Syntax error: mismatched input '2'"),
        ("data.x = 1", "ERROR: <input>:1:8: Syntax error: token recognition error"),
        ("", "ERROR: <input>:1:1: Syntax error"),
    ],
)
def test_compile_errors(expr: str, message: str) -> None:
    with pytest.raises(ValueError) as ei:
        compile_filter(expr)
    assert str(ei.value).startswith(message)
    assert "\n" not in str(ei.value)


def test_multiline_position() -> None:
    with pytest.raises(ValueError, match=r"<input>:2:4: undeclared reference to 'z'"):
        compile_filter("data.x == 1 &&\n   z")


def test_data_shapes() -> None:
    f = compile_filter("data == null")
    assert f.matches(None, "tick")
    assert compile_filter("data[0] == b'x'").matches([b"x"], "e")
    assert compile_filter("data[1] == 2").matches({1: 2}, "e")
    assert compile_filter("data.f == 0.5 && data.b").matches({"f": 0.5, "b": True}, "e")
    assert compile_filter("size(data) == 2").matches((1, 2), "e")


def test_compile_is_cached() -> None:
    compile_filter("event_type == 'warm'")  # the parser is built once
    start = time.perf_counter()
    a = compile_filter("event_type == 'cached' && size(data) > 0")
    b = compile_filter("event_type == 'cached' && size(data) > 0")
    assert a is b
    assert time.perf_counter() - start < 0.5
