"""The helpers with no third-party package installed: they import, and a missing
key is reported before any package is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import runner

# helper call -> the `ak connection set` keys its ConnectionInitError names.
CALLS = {
    "slack.slack_client('c')": "oauth_access_token=...",
    "github.github_client('c')": "pat=...",
    "atlassian.jira_client('c')": "BaseURL=... Token=...",
    "atlassian.confluence_client('c')": "BaseURL=... Token=...",
    "google.gmail_client('c')": "JSON=...",
    "google.google_calendar_client('c')": "JSON=...",
    "google.google_drive_client('c')": "JSON=...",
    "google.google_forms_client('c')": "JSON=...",
    "google.google_sheets_client('c')": "JSON=...",
    "google.gspread_client('c')": "JSON=...",
    "google.youtube_client('c')": "JSON=...",
    "google.gemini_client('c')": "api_key=...",
    "openai.openai_client('c')": "apiKey=...",
    "anthropic.anthropic_client('c')": "api_key=...",
    "twilio.twilio_client('c')": "Username=... Password=...",
    "aws.boto3_client('c', 's3')": "AccessKeyID=... SecretKey=...",
    "discord.discord_client('c')": "BotToken=...",
    "discord.bot_token('c')": "BotToken=...",
    "asana.asana_client('c')": "pat=...",
    "linear.linear_client('c')": "api_key=...",
    "notion.notion_client('c')": "api_key=...",
    "pipedrive.pipedrive_client('c')": "company_domain=... api_key=...",
    "reddit.reddit_client('c')": "client_id=... client_secret=... user_agent=...",
    "telegram.telegram_client('c')": "BotToken=...",
    "airtable.airtable_client('c')": "pat=...",
    "hubspot.hubspot_client('c')": "private_app_token=...",
    "auth0.auth0_client('c')": "auth0_domain=...",
}

PROBE = """
import importlib, json, sys
out = {}
for call in json.loads(sys.argv[1]):
    mod = importlib.import_module("autokitteh." + call.split(".")[0])
    try:
        eval("mod." + call.split(".", 1)[1])
    except Exception as e:
        out[call] = type(e).__name__ + ": " + str(e)
print(json.dumps(out))
"""


def test_missing_keys_without_packages(tmp_path: Path) -> None:
    pkg = os.path.dirname(os.path.abspath(runner.__file__))
    (tmp_path / "autokitteh").symlink_to(os.path.join(pkg, "autokitteh"))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)}
    env["AK_PROJECT_NAME"] = "proj"
    out = subprocess.run(
        [sys.executable, "-S", "-c", PROBE, json.dumps(list(CALLS))],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    got = json.loads(out)
    want = {
        call: "ConnectionInitError: AutoKitteh connection 'c' not initialized; "
        f"run: ak connection set proj/c {keys}"
        for call, keys in CALLS.items()
    }
    assert got == want
