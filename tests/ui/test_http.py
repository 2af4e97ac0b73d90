"""The web UI over plain HTTP (no browser, no JavaScript): login, cookie, CSRF,
lists rendered server-side, secrets never rendered, `ak ui`, the banner."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from tests.ui.conftest import SECRET, Deployed

pytestmark = pytest.mark.e2e


def request(
    d: Deployed,
    method: str,
    path: str,
    body: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    u = urllib.parse.urlsplit(d.url)
    conn = http.client.HTTPConnection(u.hostname or "", u.port, timeout=30)
    hdrs = dict(headers or {})
    if body:
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body.encode() or None, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read().decode()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def token(d: Deployed) -> str:
    return d.ui_url().split("token=", 1)[1]


def cookie(d: Deployed) -> str:
    status, headers, _ = request(d, "GET", f"/?token={token(d)}")
    assert status == 303
    return headers["set-cookie"].split(";", 1)[0]


def test_ak_ui_prints_the_url_with_the_token(deployed: Deployed) -> None:
    url = deployed.ui_url()
    assert re.fullmatch(re.escape(deployed.url) + r"/\?token=[\w%-]{20,}", url)
    assert json.loads(deployed.ak("-j", "ui", "-n")) == {"url": url}
    log = deployed.server.log.read_text()
    assert f"Web UI:     {deployed.url}/  (ak ui opens it, logged in)" in log


def test_ak_ui_opens_the_browser(deployed: Deployed, tmp_path: Path) -> None:
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(
        f"#!{sys.executable}\nimport sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n"
    )
    browser.chmod(0o755)
    env = {**os.environ, **deployed.server.env, "BROWSER": str(browser)}
    p = subprocess.run(
        [sys.executable, "-m", "akcli", "ui"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert opened.read_text() == deployed.ui_url()
    assert p.stdout == "" and p.stderr == f"Opened the web UI: {deployed.url}/\n"


def test_every_page_needs_the_token(deployed: Deployed) -> None:
    for path in ("/", "/ui/projects", "/ui/events", "/ui/sessions/ses_x"):
        status, _, html = request(deployed, "GET", path)
        assert status == 401, path
        assert 'name="token"' in html and "uidemo" not in html
    for bad in ("not-the-token", "%C3%A9t%C3%A9"):  # non-ASCII too: no 500
        status, _, html = request(deployed, "GET", f"/?token={bad}")
        assert status == 401 and "not this server's" in html
    status, _, _ = request(deployed, "GET", "/", headers={"Cookie": "ak_ui=\u00e9"})
    assert status == 401
    status, _, css = request(deployed, "GET", "/ui/static/ui.css")
    assert status == 200 and "prefers-color-scheme: dark" in css


def test_token_in_the_url_sets_a_strict_httponly_cookie(deployed: Deployed) -> None:
    status, headers, _ = request(
        deployed, "GET", f"/?token={token(deployed)}&state=error"
    )
    assert status == 303
    assert headers["location"] == "/?state=error"  # the token leaves the URL
    set_cookie = headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie
    assert token(deployed) not in set_cookie  # an HMAC of it, not the token
    status, _, html = request(
        deployed, "GET", "/ui/projects", headers={"Cookie": set_cookie.split(";")[0]}
    )
    assert status == 200 and "uidemo" in html


def test_login_form(deployed: Deployed) -> None:
    form = urllib.parse.urlencode({"token": token(deployed), "next": "/ui/events"})
    status, headers, _ = request(deployed, "POST", "/ui/login", form)
    assert status == 303 and headers["location"] == "/ui/events"
    # Only paths on this server are redirected to.
    form = urllib.parse.urlencode({"token": token(deployed), "next": "//evil.example/"})
    status, headers, _ = request(deployed, "POST", "/ui/login", form)
    assert headers["location"] == "/"
    form = urllib.parse.urlencode({"token": "wrong", "next": "/"})
    status, headers, _ = request(deployed, "POST", "/ui/login", form)
    assert status == 401 and "set-cookie" not in headers


def test_posts_need_the_csrf_token_and_this_origin(deployed: Deployed) -> None:
    sid = deployed.session_of(deployed.fire("uidemo", "slow"))
    path = f"/ui/sessions/{sid}/stop"
    c = {"Cookie": cookie(deployed)}
    _, _, page = request(deployed, "GET", f"/ui/sessions/{sid}", headers=c)
    csrf = re.search(r'name="csrf" value="(\w+)"', page)
    assert csrf is not None
    good = urllib.parse.urlencode({"csrf": csrf[1]})
    assert request(deployed, "POST", path, good)[0] == 401  # no cookie
    assert request(deployed, "POST", path, "csrf=bad", c)[0] == 403
    evil = {**c, "Origin": "http://evil.example"}
    assert request(deployed, "POST", path, good, evil)[0] == 403
    assert "STATE_TYPE_RUNNING" in deployed.ak("session", "get", sid, "-j")
    ours = {**c, "Origin": deployed.url}
    status, headers, _ = request(deployed, "POST", path + "", good + "&force=1", ours)
    assert status == 303 and headers["location"] == f"/ui/sessions/{sid}"
    deployed.ak("session", "watch", sid, "--timeout", "30s", "--no-fail", "--quiet")
    assert "STATE_TYPE_STOPPED" in deployed.ak("session", "get", sid, "-j")


def test_lists_without_javascript_and_no_secret(deployed: Deployed) -> None:
    sid = deployed.session_of(deployed.fire("uidemo", "steps"))
    deployed.ak("session", "watch", sid, "--timeout", "60s", "--quiet")
    c = {"Cookie": cookie(deployed)}
    _, _, html = request(deployed, "GET", "/?project=&state=completed", headers=c)
    assert f'data-session="{sid}"' in html  # rendered by the server
    _, _, html = request(deployed, "GET", "/?state=error&since=15m", headers=c)
    assert f'data-session="{sid}"' not in html
    created = json.loads(deployed.ak("session", "get", sid, "-j"))["session"][
        "created_at"
    ]
    minute = created[:16]  # YYYY-MM-DDTHH:MM, as a datetime-local field sends it
    _, _, html = request(deployed, "GET", f"/?after={minute}", headers=c)
    assert f'data-session="{sid}"' in html
    _, _, html = request(deployed, "GET", f"/?before={minute}", headers=c)
    assert f'data-session="{sid}"' not in html
    for name, shown in (("steps", True), ("fail", False)):
        tid = deployed.trigger("uidemo", name)["trigger_id"]
        _, _, html = request(deployed, "GET", f"/?trigger={tid}", headers=c)
        assert (f'data-session="{sid}"' in html) is shown, name
    status, _, html = request(deployed, "GET", "/?after=yesterday", headers=c)
    assert status == 400 and "invalid time" in html
    pid = deployed.ak("project", "get", "uidemo", "-j")
    pid = re.search(r'"project_id": ?"(prj_\w+)"', pid)[1]  # type: ignore[index]
    for path in (
        "/",
        f"/ui/projects/{pid}",
        f"/ui/sessions/{sid}",
        f"/ui/sessions/{sid}/log",
        "/ui/events",
    ):
        status, _, body = request(deployed, "GET", path, headers=c)
        assert status == 200, path
        assert SECRET not in body, path
    _, _, project = request(deployed, "GET", f"/ui/projects/{pid}", headers=c)
    assert "&lt;secret&gt;" in project and "API_KEY" in project
    # The CLI's RPCs still work as before.
    assert "uidemo" in deployed.ak("project", "list")


def test_restart_runs_the_same_build(deployed: Deployed) -> None:
    sid = deployed.session_of(deployed.fire("uidemo", "fail"))
    deployed.ak("session", "watch", sid, "--timeout", "60s", "--no-fail", "--quiet")
    c = {"Cookie": cookie(deployed)}
    _, _, page = request(deployed, "GET", f"/ui/sessions/{sid}", headers=c)
    assert 'id="stop"' not in page  # an ended session has no Stop
    assert "Restart runs a new session with the same inputs" in page
    csrf = re.search(r'name="csrf" value="(\w+)"', page)
    assert csrf is not None
    form = urllib.parse.urlencode({"csrf": csrf[1]})
    status, headers, _ = request(
        deployed, "POST", f"/ui/sessions/{sid}/restart", form, c
    )
    assert status == 303
    new = headers["location"].rsplit("/", 1)[1]
    assert new.startswith("ses_") and new != sid
    old, again = (
        json.loads(deployed.ak("session", "get", x, "-j")) for x in (sid, new)
    )
    assert again["session"]["build_id"] == old["session"]["build_id"]
    assert again["session"]["inputs"] == old["session"]["inputs"]


def test_sessions_paging(deployed: Deployed) -> None:
    events = [deployed.fire("uidemo", "fail") for _ in range(11)]
    for eid in events:
        deployed.session_of(eid)
    c = {"Cookie": cookie(deployed)}
    fail = deployed.trigger("uidemo", "fail")["trigger_id"]
    seen: list[str] = []
    path = f"/?trigger={fail}&size=10"
    while path:
        status, _, html = request(deployed, "GET", path, headers=c)
        assert status == 200
        rows = re.findall(r'<tr class="st-\w+" data-session="(ses_\w+)"', html)
        assert 0 < len(rows) <= 10
        seen += rows
        older = re.search(r'<a href="(/\?[^"]+)">Older', html)
        path = older[1].replace("&amp;", "&") if older else ""
    assert len(seen) == len(set(seen)) >= 11
    assert "Newer" in html  # the last page links back


def test_non_loopback_bind_uses_the_api_token(tmp_path: Path) -> None:
    """On 0.0.0.0 the UI's token is the API token the CLI uses (one token)."""
    import yaml

    from tests.server import AkServer

    server = AkServer(tmp_path, mode="test", extra=["-C", "http.addr=0.0.0.0:0"])
    server.start()
    try:
        d = Deployed(server, tmp_path)
        creds = tmp_path / "xdg_config_home" / "autokitteh" / "credentials"
        api_token = yaml.safe_load(creds.read_text())["default"]
        assert d.ui_url() == f"{server.url}/?token={api_token}"
        status, headers, _ = request(d, "GET", f"/?token={api_token}")
        assert status == 303 and "set-cookie" in headers
        assert request(d, "GET", "/")[0] == 401
    finally:
        server.stop()


def test_every_print_of_a_long_session(deployed: Deployed) -> None:
    """Prints come in pages from the service: the page and the log hold all."""
    sid = deployed.session_of(deployed.fire("uidemo", "chatty"))
    deployed.ak("session", "watch", sid, "--timeout", "60s", "--quiet")
    c = {"Cookie": cookie(deployed)}
    _, _, html = request(deployed, "GET", f"/ui/sessions/{sid}", headers=c)
    assert html.count("<pre>line ") == 1500 and "<pre>line 1499</pre>" in html
    _, _, log = request(deployed, "GET", f"/ui/sessions/{sid}/log", headers=c)
    assert sum('"print": "line ' in line for line in log.splitlines()) == 1500


def test_oversized_form_is_refused(deployed: Deployed) -> None:
    c = {"Cookie": cookie(deployed)}
    body = "csrf=x&body=" + "a" * (2 << 20)
    status, _, html = request(deployed, "POST", "/ui/sessions/ses_x/stop", body, c)
    assert status == 413 and "form too large" in html
