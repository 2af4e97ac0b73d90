"""The webhook event data builder (cli.md §6.1)."""

from __future__ import annotations

import base64

from akcli.server.webhooks import build_event_data, canonical_header


def _data(
    method: str = "GET",
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    query: str = "",
    suffix: str = "",
) -> dict:
    path = "/webhooks/slug" + (f"/{suffix}" if suffix else "")
    return build_event_data(
        method=method,
        raw_url=path + (f"?{query}" if query else ""),
        path=path,
        path_suffix=suffix,
        query_string=query,
        headers=headers or [],
        body=body,
    )


def test_canonical_header() -> None:
    assert canonical_header("content-type") == "Content-Type"
    assert canonical_header("x-GITHUB-event") == "X-Github-Event"
    assert canonical_header("host") == "Host"


def test_get_without_body() -> None:
    d = _data(
        query="a=1&a=2&b=",
        suffix="x/y",
        headers=[("user-agent", "t"), ("x-a", "1"), ("X-A", "2")],
    )
    assert d == {
        "method": "GET",
        "raw_url": "/webhooks/slug/x/y?a=1&a=2&b=",
        "url": {
            "path": "/webhooks/slug/x/y",
            "query": {"a": "1, 2", "b": ""},
            "path_suffix": "x/y",
        },
        "headers": {"User-Agent": "t", "X-A": "1, 2"},
        "trailers": {},
        "body": {"bytes": None, "text": None, "form": None, "json": None},
    }


def test_json_body() -> None:
    d = _data("POST", b'{"a": [1, null]}', [("content-type", "application/json")])
    assert d["body"] == {
        "bytes": base64.b64encode(b'{"a": [1, null]}').decode(),
        "text": '{"a": [1, null]}',
        "form": None,
        "json": {"a": [1, None]},
    }


def test_form_body() -> None:
    ct = [("content-type", "application/x-www-form-urlencoded; charset=utf-8")]
    d = _data("POST", b"a=1&a=2&b=%20x", ct)
    assert d["body"]["form"] == {"a": "1, 2", "b": " x"}
    assert d["body"]["json"] is None
    # a GET never parses its body as a form
    assert _data("GET", b"a=1", ct)["body"]["form"] is None


def test_binary_body() -> None:
    raw = bytes(range(256))
    d = _data("PUT", raw, [("content-type", "application/octet-stream")])
    assert d["body"] == {
        "bytes": base64.b64encode(raw).decode(),
        "text": None,
        "form": None,
        "json": None,
    }
