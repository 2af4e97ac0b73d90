"""Web UI templates rendered alone: the connections section (shown only when
a connections service exists), secrets masked, escaping."""

from __future__ import annotations

from typing import Any

from akcli.server.ui.web import env

PROJECT = {"project_id": "prj_1", "name": "demo"}


def project_page(**ctx: Any) -> str:
    base: dict[str, Any] = {
        "p": PROJECT,
        "deployments": [],
        "builds": [],
        "more_builds": 0,
        "triggers": [],
        "vars": [],
        "connections": None,
        "csrf": "x",
        "path": "/ui/projects/prj_1",
        "title": "t",
    }
    base.update(ctx)
    return env().get_template("project.html").render(**base)


def test_no_connections_section_without_the_service() -> None:
    html = project_page()
    assert "Connections" not in html
    assert "ak deploy" in html  # empty states say what to run


def test_connections_configured_and_missing_keys() -> None:
    conns = [
        {
            "name": "slack",
            "integration": "slack",
            "status": {"code": "CODE_OK", "message": "configured"},
            "webhook_urls": ["http://h/slack/event"],
        },
        {
            "name": "gh",
            "integration": "github",
            "status": {"code": "CODE_WARNING", "message": "missing: pat"},
        },
    ]
    html = project_page(connections=conns)
    assert "Connections" in html
    assert "configured" in html and "missing: pat" in html
    assert 'data-copy="http://h/slack/event"' in html
    assert "No connections" in project_page(connections=[])


def test_secret_vars_masked_and_values_escaped() -> None:
    vars_ = [
        {"name": "TOKEN", "value": "<secret>", "is_secret": True},
        {"name": "HTML", "value": "<script>x</script>", "is_secret": False},
    ]
    html = project_page(vars=vars_)
    assert "&lt;secret&gt;" in html
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
