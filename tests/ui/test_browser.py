"""The web UI in a real headless Chromium against a real `ak up --mode dev`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import SECRET, Deployed, screenshot

pytestmark = pytest.mark.e2e


def bars(pg: Any, kind: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = pg.eval_on_selector_all(
        f".timeline li[data-kind={kind}]",
        """els => els.map(e => ({seq: +e.dataset.seq, dur: +e.dataset.duration,
            label: e.querySelector('.label').textContent,
            failed: e.classList.contains('failed')}))""",
    )
    return result


def test_quickstart_session_live(page: Any, deployed: Deployed) -> None:
    """The acceptance run: quickstart webhook -> prints, timeline, COMPLETED, live."""
    sid = deployed.session_of(deployed.fire("quickstart", "meow", b"from the browser"))
    page.goto(f"{deployed.url}/ui/sessions/{sid}")
    # Each step sleeps 1 s: the page is seen RUNNING, then updates by itself.
    page.wait_for_selector("#state:text('RUNNING')")
    screenshot(page, "session-running")
    page.wait_for_selector("#state:text('COMPLETED')", timeout=60_000)
    text = page.inner_text(".transcript")
    assert "Meow! got a POST with: from the browser" in text
    assert "done, purr" in text
    assert [b["label"] for b in bars(page, "activity")] == [
        "getenv('GREETING', 'Hello')",
        "random()",
        "random()",
        "random()",
    ]
    timers = bars(page, "timer")
    assert len(timers) == 3
    assert all(0.9 < t["dur"] < 5 for t in timers)


def test_sessions_list_updates_live(page: Any, deployed: Deployed) -> None:
    page.goto(deployed.url + "/")
    before = page.locator("#session-rows tr").count()
    sid = deployed.session_of(deployed.fire("uidemo", "steps"))
    row = page.locator(f'#session-rows tr[data-session="{sid}"]')
    row.wait_for()  # appeared without a reload
    assert page.locator("#session-rows tr").count() == before + 1
    assert row.locator("td").nth(2).inner_text() == "uidemo"
    assert row.locator("td").nth(3).inner_text() == "steps"
    row.locator(".badge:text('COMPLETED')").wait_for(timeout=60_000)
    screenshot(page, "sessions")


def test_timeline_bars_in_order_with_durations(page: Any, deployed: Deployed) -> None:
    sid = deployed.session_of(deployed.fire("uidemo", "steps"))
    page.goto(f"{deployed.url}/ui/sessions/{sid}")
    page.wait_for_selector("#state:text('COMPLETED')", timeout=60_000)
    work = [b for b in bars(page, "activity") if b["label"].startswith("work(")]
    assert [b["label"] for b in work] == ["work(0.8)", "work(0.2)", "work(0.5)"]
    assert [b["seq"] for b in work] == sorted(b["seq"] for b in work)
    # Drawn to scale: 0.8 s > 0.5 s > 0.2 s, in both the numbers and the widths.
    d = [b["dur"] for b in work]
    assert d[0] > d[2] > d[1] > 0
    widths = page.eval_on_selector_all(
        ".timeline li[data-kind=activity] .bar",
        "els => els.map(e => e.getBoundingClientRect().width)",
    )[-3:]
    assert widths[0] > widths[2] > widths[1]
    assert len(bars(page, "timer")) == 1
    assert '"steps": 3' in page.inner_text("#return-value")
    screenshot(page, "session")


def test_failed_session_traceback_and_failing_activity(
    page: Any, deployed: Deployed
) -> None:
    sid = deployed.session_of(deployed.fire("uidemo", "fail"))
    page.goto(f"{deployed.url}/ui/sessions/{sid}")
    page.wait_for_selector("#state:text('ERROR')", timeout=60_000)
    tb = page.inner_text("#traceback")
    assert "ValueError" in tb and "card declined for 42" in tb
    assert "Traceback" in tb and "program.py" in tb
    failed = [b for b in bars(page, "activity") if b["failed"]]
    assert [b["label"] for b in failed] == ["charge(42)"]
    red = page.eval_on_selector(
        ".timeline li.failed .bar", "e => getComputedStyle(e).backgroundColor"
    )
    assert red.startswith("rgb(") and int(re.findall(r"\d+", red)[0]) > 150
    assert "charge(42)" in page.inner_text(".failed-name")
    screenshot(page, "session-failed")
    # The list shows the first error line.
    page.goto(f"{deployed.url}/?state=error")
    assert "card declined for 42" in page.inner_text(f'tr[data-session="{sid}"] .err')


def test_stop_a_running_session(page: Any, deployed: Deployed) -> None:
    sid = deployed.session_of(deployed.fire("uidemo", "slow"))
    page.goto(f"{deployed.url}/ui/sessions/{sid}")
    page.wait_for_selector("#state:text('RUNNING')")
    # Live tail: prints arrive without a reload.
    page.wait_for_selector(".transcript :text('tick 2')")
    page.click("#stop")
    page.wait_for_selector("#state:text('STOPPED')", timeout=30_000)
    assert page.locator("#stop").count() == 0  # no Stop on an ended session
    out = deployed.ak("session", "get", sid, "-j")
    assert "SESSION_STATE_TYPE_STOPPED" in out


def test_projects_events_and_secrets(page: Any, deployed: Deployed) -> None:
    page.goto(deployed.url + "/ui/projects")
    screenshot(page, "projects")
    page.click("text=uidemo")
    page.wait_for_selector("#var-h")
    assert SECRET not in page.content()
    assert "<secret>" in page.inner_text("table[aria-label=vars]")
    assert page.locator(".webhook-url").count() == 4
    assert re.match(
        r"\d{4}-\d\d-\d\d 03:00:00 UTC", page.inner_text("#trigger-nightly .next-fire")
    )
    screenshot(page, "project")
    # Copy buttons put the webhook URL on the clipboard.
    card = page.locator("#trigger-steps")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    card.locator("button.copy").click()
    card.locator("button.copy:text('Copied')").wait_for()
    url = card.locator(".webhook-url").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == url
    # "Send a test request" on the steps trigger -> its event page.
    card.locator("summary").click()
    card.locator("textarea").fill('{"from": "the test form"}')
    card.locator("button[type=submit]").click()
    page.wait_for_selector("#event-data")
    assert '"from": "the test form"' in page.inner_text("#event-data")
    event_url = page.url
    page.locator("#ses-h + ul a").first.wait_for()
    screenshot(page, "event")
    page.click("#redispatch")
    page.wait_for_url(lambda u: u != event_url)
    assert '"from": "the test form"' in page.inner_text("#event-data")
    page.goto(deployed.url + "/ui/events")
    assert page.locator("table[aria-label=events] tbody tr").count() >= 2
    screenshot(page, "events")
    # No page nor the downloaded log holds the secret's value.
    for path in ("/", "/ui/projects", "/ui/events"):
        page.goto(deployed.url + path)
        assert SECRET not in page.content()
    sid = deployed.session_of(deployed.fire("uidemo", "steps"))
    page.goto(f"{deployed.url}/ui/sessions/{sid}")
    page.wait_for_selector("#state:text('COMPLETED')", timeout=60_000)
    assert SECRET not in page.content()
    with page.expect_download() as dl:
        page.click("text=Download log")
    log = Path(dl.value.path()).read_text()
    assert "steps: done" in log and SECRET not in log


def test_login_form_dark_mode_narrow_keyboard(
    browser_context: Any, deployed: Deployed
) -> None:
    pg = browser_context.new_page()
    try:
        browser_context.clear_cookies()
        pg.goto(deployed.url + "/ui/projects")
        assert pg.locator("#token").is_visible()  # not logged in: the login form
        pg.fill("#token", "wrong")
        pg.press("#token", "Enter")
        pg.wait_for_selector("text=That token is not this server's")
        token = deployed.ui_url().split("token=", 1)[1]
        pg.fill("#token", token)
        pg.press("#token", "Enter")
        pg.wait_for_selector("h1:text('Projects')")  # back where it was asked
        # Dark mode follows the OS.
        pg.emulate_media(color_scheme="dark")
        pg.goto(deployed.url + "/")
        bg = pg.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor")
        assert sum(int(x) for x in re.findall(r"\d+", bg)[:3]) < 150
        screenshot(pg, "sessions-dark")
        # Narrow window: nothing wider than the viewport.
        pg.set_viewport_size({"width": 380, "height": 700})
        pg.goto(deployed.url + "/")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 381
        screenshot(pg, "sessions-narrow-dark")
        # Keyboard: Tab to the first session link, Enter opens it.
        pg.set_viewport_size({"width": 1100, "height": 760})
        for _ in range(40):
            pg.keyboard.press("Tab")
            href = pg.evaluate("document.activeElement.getAttribute('href') || ''")
            if href.startswith("/ui/sessions/"):
                break
        else:
            raise AssertionError("no session link reachable with Tab")
        pg.keyboard.press("Enter")
        pg.wait_for_url(re.compile(r"/ui/sessions/ses_"))
    finally:
        pg.close()
