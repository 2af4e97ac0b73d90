"""Fuzzing with hypothesis: raw HTTP requests at a live server, and manifests.

HTTP: random methods (valid, odd, invalid), paths (webhook slugs with `..`,
percent escapes, invalid UTF-8, RPC and unknown paths), headers (huge, binary)
and bodies. Every request gets an HTTP answer (never a reset, never a 5xx for
client input); `/healthz` keeps answering; every 202 has a stored event.

Manifests: random YAML trees built from the schema's keys plus junk go through
`load_manifest` (a Manifest or an AkError, nothing else) and a few through
`ak deploy` (rc 0, or one `Error:` line with rc 1/40/44, never a traceback, and
no half-applied project).
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akcli.errors import AkError
from akcli.manifest.loader import load_manifest
from tests.faults.conftest import ITERATIONS, Env, assert_store_sound, make_server

pytestmark = pytest.mark.faults

MANIFEST = """version: v1
project:
  name: fuzz
  triggers:
    - name: hook
      type: webhook
      call: program.py:on_event
"""
PROGRAM = "def on_event(event):\n    pass\n"

FUZZ = settings(
    max_examples=40 * ITERATIONS,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@pytest.fixture(scope="module")
def fenv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Env, str]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    server = make_server(tmp / "srv").start()
    env = Env(server, tmp)
    try:
        env.deploy("fuzz", {"autokitteh.yaml": MANIFEST, "program.py": PROGRAM})
        yield env, env.slug("fuzz", "hook")
    finally:
        server.stop()


# -- HTTP ------------------------------------------------------------------

TOKEN = st.text(
    alphabet=st.characters(
        min_codepoint=33, max_codepoint=126, exclude_characters='()<>@,;:\\"/[]?={} '
    ),
    min_size=1,
    max_size=12,
)
METHODS = st.one_of(
    st.sampled_from(
        ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"]
    ),
    TOKEN,
    st.binary(min_size=1, max_size=10).map(lambda b: b.decode("latin-1")),
)
SEGMENT = st.one_of(
    st.sampled_from(
        ["..", ".", "%2e%2e", "%2F", "%ff", "%", "%zz", "", "a b", "\u00e9", "webhooks"]
    ),
    st.text(max_size=20),
    st.binary(max_size=12).map(lambda b: b.decode("latin-1")),
)
HEADER_VALUE = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=50),
    st.integers(1, 70_000).map(lambda n: "h" * n),
    st.binary(max_size=40).map(
        lambda b: b.replace(b"\r", b"").replace(b"\n", b"").decode("latin-1")
    ),
)
HEADERS = st.lists(
    st.tuples(
        st.one_of(
            TOKEN,
            st.sampled_from(
                ["Content-Type", "Transfer-Encoding", "Expect", "Host", "Cookie"]
            ),
        ),
        HEADER_VALUE,
    ),
    max_size=5,
)
BODIES = st.one_of(
    st.binary(max_size=2000),
    st.just(b'{"a": 1}'),
    st.just(b"\xff\xfe{"),
    st.integers(1, 600_000).map(lambda n: b"b" * n),
)


@st.composite
def paths(draw: st.DrawFn, slug: str) -> str:
    kind = draw(st.sampled_from(["webhook", "webhook", "rpc", "other"]))
    segs = draw(st.lists(SEGMENT, max_size=4))
    tail = "/".join(segs)
    query = draw(st.one_of(st.just(""), st.text(max_size=20).map(lambda q: "?" + q)))
    if kind == "webhook":
        base = f"/webhooks/{draw(st.sampled_from([slug, slug, slug, slug.upper(), 'nope', '..']))}"
        return (base + ("/" + tail if tail else "")) + query
    if kind == "rpc":
        svc = draw(
            st.sampled_from(
                ["projects.v1.ProjectsService", "sessions.v1.SessionsService", "x"]
            )
        )
        return f"/autokitteh.{svc}/{tail or 'List'}"
    return "/" + tail + query


def send_raw(
    url: str, method: str, path: str, headers: list[tuple[str, str]], body: bytes
) -> bytes:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    head = "\r\n".join(lines).encode("utf-8", "surrogateescape")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        # the server may answer early (e.g. 413) and close: read the answer
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(head + body)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def test_fuzz_http(fenv: tuple[Env, str]) -> None:
    env, slug = fenv
    acked: list[str] = []
    auth = [("Authorization", f"Bearer {env.server.token}")]

    @FUZZ
    @given(
        method=METHODS,
        path=paths(slug),
        headers=HEADERS,
        body=BODIES,
    )
    def one(
        method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        if path.startswith("/autokitteh."):  # RPCs need the token to get far
            headers = auth + headers
        raw = send_raw(env.server.url, method, path, headers, body)
        assert raw.startswith(b"HTTP/1.1 "), f"no HTTP answer: {raw[:200]!r}"
        status = int(raw[9:12])
        assert 100 <= status < 500, f"{status} for client input: {raw[:500]!r}"
        if status == 202:
            head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
            ids = [
                x.split(":", 1)[1].strip()
                for x in head.split("\r\n")
                if x.startswith("autokitteh-event-id:")
            ]
            assert len(ids) == 1, head
            acked.append(ids[0])

    one()
    assert env.healthy()
    env.ok("project", "list")
    with env.db() as db:
        stored = {r[0] for r in db.execute("SELECT event_id FROM events")}
    assert set(acked) <= stored, "a 202 without a stored event"
    print(f"{len(acked)} webhooks accepted")


WEBHOOK_METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
SAFE_SEGMENT = st.one_of(
    st.sampled_from(["..", ".", "%2e%2e", "%2F", "%ff", "%c3%28", "%00", "x%20y"]),
    st.text(
        alphabet=st.characters(
            min_codepoint=33, max_codepoint=126, exclude_characters="/?#%"
        ),
        max_size=15,
    ),
)
SAFE_HEADERS = st.lists(
    st.tuples(
        st.one_of(
            st.sampled_from(["Content-Type", "X-Custom", "Cookie", "Authorization"]),
            TOKEN.filter(
                lambda t: (
                    t.lower()
                    not in (
                        "host",
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "expect",
                        "upgrade",
                    )
                )
            ),
        ),
        st.one_of(
            st.sampled_from(
                [
                    "application/json",
                    "application/x-www-form-urlencoded",
                    "text/plain; charset=latin-1",
                    "multipart/form-data; boundary=x",
                ]
            ),
            st.text(
                alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40
            ),
            st.integers(1, 8_000).map(lambda n: "h" * n),
        ),
    ),
    max_size=4,
)


def test_fuzz_webhook_payloads(fenv: tuple[Env, str]) -> None:
    """Well-formed HTTP with fuzzed suffixes, queries, headers and bodies: each
    is a 202 with a stored event (or 413 over the size limit), and each
    event gets exactly one session."""
    env, slug = fenv
    acked: list[str] = []

    @FUZZ
    @given(
        method=WEBHOOK_METHODS,
        segs=st.lists(SAFE_SEGMENT, max_size=3),
        query=st.text(
            alphabet=st.characters(
                min_codepoint=33, max_codepoint=126, exclude_characters="#"
            ),
            max_size=30,
        ),
        headers=SAFE_HEADERS,
        body=st.one_of(
            st.binary(max_size=3000),
            st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.sampled_from(
                [
                    b"{",
                    b'{"a": [1, 2',
                    b"a=1&a=2&b",
                    b"\xff\xfe\x00",
                    b"[]",
                    b"null",
                    b"1e999",
                ]
            ),
            st.integers(500_000, 600_000).map(lambda n: b"b" * n),
        ),
    )
    def one(
        method: str,
        segs: list[str],
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> None:
        path = (
            f"/webhooks/{slug}"
            + "".join("/" + x for x in segs)
            + ("?" + query if query else "")
        )
        raw = send_raw(env.server.url, method, path, headers, body)
        assert raw.startswith(b"HTTP/1.1 "), f"no HTTP answer: {raw[:200]!r}"
        status = int(raw[9:12])
        if status == 413:
            assert len(body) > 512 * 1024
            return
        assert status == 202, f"{method} {path!r} {headers!r}: {raw[:500]!r}"
        head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
        ids = [
            x.split(":", 1)[1].strip()
            for x in head.split("\r\n")
            if x.startswith("autokitteh-event-id:")
        ]
        assert len(ids) == 1, head
        acked.append(ids[0])

    one()
    assert acked
    assert env.healthy()
    deadline = time.monotonic() + 60
    while True:
        with env.db() as db:
            per_event = dict(
                db.execute(
                    "SELECT e.event_id, COUNT(s.session_id) FROM events e"
                    " LEFT JOIN sessions s ON s.event_id = e.event_id GROUP BY e.event_id"
                )
            )
        if all(per_event.get(e) == 1 for e in acked) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert {e: per_event.get(e) for e in acked} == dict.fromkeys(acked, 1)
    print(f"{len(acked)} fuzzed webhooks accepted")


# -- manifests -----------------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=15),
    st.sampled_from(
        [
            "webhook",
            "schedule",
            "connection",
            "v1",
            "v2",
            "p.py:f",
            "@every 1s",
            "* * * *",
            "x" * 300,
        ]
    ),
)
KEYS = st.sampled_from(
    [
        "version",
        "project",
        "name",
        "display_name",
        "vars",
        "connections",
        "triggers",
        "value",
        "description",
        "secret",
        "type",
        "webhook",
        "schedule",
        "connection",
        "event_type",
        "filter",
        "call",
        "is_durable",
        "is_sync",
        "junk",
        "",
    ]
)
TREES = st.recursive(
    JUNK,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=6),
    ),
    max_leaves=30,
)


@st.composite
def manifests(draw: st.DrawFn) -> object:
    """Mostly manifest-shaped trees, sometimes anything."""
    if draw(st.integers(0, 9)) == 0:
        return draw(TREES)
    trigger = st.dictionaries(KEYS, TREES, max_size=3).map(
        lambda d: {"name": "t", "type": "webhook", "call": "program.py:on_event", **d}
    )
    project = st.fixed_dictionaries(
        {"name": st.one_of(st.just("fz"), JUNK)},
        optional={
            "triggers": st.one_of(st.lists(trigger, max_size=3), TREES),
            "vars": st.one_of(
                st.lists(st.dictionaries(KEYS, JUNK, max_size=4), max_size=3), TREES
            ),
            "connections": TREES,
            "junk": TREES,
        },
    )
    return draw(
        st.fixed_dictionaries(
            {"version": st.one_of(st.sampled_from(["v1", "v2"]), JUNK)},
            optional={"project": project, "junk": TREES},
        )
    )


def _dump(tree: object, raw_text: str | None) -> str:
    return (
        raw_text if raw_text is not None else yaml.safe_dump(tree, allow_unicode=True)
    )


@FUZZ
@given(tree=manifests(), raw=st.one_of(st.none(), st.text(max_size=200)))
def test_fuzz_load_manifest(tree: object, raw: str | None) -> None:
    text = _dump(tree, raw)
    try:
        load_manifest(text, "autokitteh.yaml")
    except AkError as e:
        assert str(e).strip(), "an empty error message"


def test_fuzz_deploy(fenv: tuple[Env, str], tmp_path: Path) -> None:
    env, _ = fenv
    n = 0

    @settings(FUZZ, max_examples=2 + ITERATIONS)
    @given(tree=manifests())
    def one(tree: object) -> None:
        nonlocal n
        n += 1
        name = f"fz{n}"
        project = tree.get("project") if isinstance(tree, dict) else None
        if isinstance(project, dict) and project.get("name") == "fz":
            project["name"] = name
        work = tmp_path / f"w{n}"
        work.mkdir()
        (work / "autokitteh.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True))
        (work / "program.py").write_text(PROGRAM)
        before = _projects(env)
        r = env.ak("deploy", cwd=work, timeout=120)
        assert "Traceback" not in r.stderr, r.stderr
        after = _projects(env)
        if r.exit_code == 0:
            return
        assert r.exit_code in (1, 40, 44), (r.exit_code, r.stderr)
        errors = [x for x in r.stderr.splitlines() if x.startswith("Error: ")]
        assert len(errors) == 1, r.stderr
        assert after == before, f"half-applied project after {errors[0]!r}"

    one()
    assert env.healthy()
    env.server.stop()
    assert_store_sound(env.server.db_file)


def _projects(env: Env) -> list[str]:
    out = env.ok("project", "list", "-j")
    return sorted(json.loads(x)["name"] for x in out.splitlines() if x.strip())
