"""The integrations `ak` supports: one registry used by the CLI and the server.

Each integration lists its connection keys (upstream's names, as the SDK helpers
read them from `<conn>__<key>`), which of them are secret, the sets of keys
that make a connection usable (`configured` when one set is complete), the
event types it delivers and where they arrive (HTTP receiver paths or an
outbound event source). Facts: spec/integrations.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from akcli.errors import NotFound
from akcli.ids import encode


@dataclass(frozen=True)
class Key:
    name: str
    secret: bool = False
    description: str = ""


@dataclass(frozen=True)
class Integration:
    unique_name: str
    display_name: str
    description: str
    keys: tuple[Key, ...] = ()
    # Alternative sets of keys; a connection is configured when one is complete.
    required: tuple[tuple[str, ...], ...] = ()
    event_types: tuple[str, ...] = ()
    receivers: tuple[str, ...] = ()  # HTTP paths; `{key}`/`{id}` filled per connection
    sources: tuple[str, ...] = ()  # outbound event sources the server runs
    test_call: str = ""  # what `ak connection test` calls
    aliases: tuple[str, ...] = field(default=(), compare=False)

    @property
    def integration_id(self) -> str:
        if self.unique_name == "test":  # upstream's fixed ID (cli.md §2.11)
            return "int_3kth00testaf9d33c5697341f0"
        u = uuid.uuid5(uuid.NAMESPACE_URL, f"ak:integration:{self.unique_name}")
        return "int_" + encode(u.int & ((1 << 125) - 1))

    def key(self, name: str) -> Key | None:
        return next((k for k in self.keys if k.name == name), None)

    def is_secret(self, name: str) -> bool:
        k = self.key(name)
        return k.secret if k is not None else False

    def missing(self, present: set[str]) -> list[str]:
        """[] when configured, else the keys still missing from the closest set."""
        if not self.required:
            return []
        gaps = [[k for k in req if k not in present] for req in self.required]
        return min(gaps, key=len)

    def to_json(self) -> dict[str, object]:
        return {
            "integration_id": self.integration_id,
            "unique_name": self.unique_name,
            "display_name": self.display_name,
            "description": self.description,
            "connection_keys": [
                {"name": k.name, "is_secret": k.secret, "description": k.description}
                for k in self.keys
            ],
            "required_keys": [list(r) for r in self.required],
            "event_types": list(self.event_types),
            "receivers": list(self.receivers),
            "event_sources": list(self.sources),
        }


def _s(name: str, desc: str) -> Key:
    return Key(name, True, desc)


def _k(name: str, desc: str) -> Key:
    return Key(name, False, desc)


_BASE = _k("base_url", "API base URL override (tests, self-hosted services)")
_GOOGLE = (
    _k("auth_type", 'credential kind: "json" (service-account key) or "oauth"'),
    _s("JSON", "service-account key (JSON text)"),
    _BASE,
)
_GOOGLE_REQ = (("JSON",),)

INTEGRATIONS: tuple[Integration, ...] = (
    Integration(
        "slack",
        "Slack",
        "Slack bot: Web API client, Events API, slash commands, Socket Mode",
        (
            _s("oauth_access_token", "bot token (xoxb-...), HTTP events"),
            _s("private_signing_secret", "signing secret of the Slack app"),
            _s("private_bot_token", "bot token (xoxb-...), Socket Mode"),
            _s("private_app_token", "app-level token (xapp-...), Socket Mode"),
            _BASE,
        ),
        (
            ("oauth_access_token", "private_signing_secret"),
            ("private_bot_token", "private_app_token"),
        ),
        (
            "message",
            "app_mention",
            "reaction_added",
            "reaction_removed",
            "slash_command",
            "interaction",
        ),
        ("/slack/event", "/slack/command", "/slack/interaction"),
        ("socket_mode",),
        "auth.test",
    ),
    Integration(
        "github",
        "GitHub",
        "GitHub: personal access token or GitHub App, webhooks",
        (
            _s("pat", "personal access token"),
            _s("pat_secret", "webhook secret (generated; paste it into GitHub)"),
            _k("pat_key", "webhook path key (generated)"),
            _k("app_id", "GitHub App ID"),
            _k("install_id", "GitHub App installation ID"),
            _s("private_key", "GitHub App private key (PEM)"),
            _k("enterprise_url", "API base URL (GitHub Enterprise, tests)"),
        ),
        (("pat",), ("app_id", "install_id", "private_key")),
        (
            "issue_comment",
            "issues",
            "pull_request",
            "pull_request_review",
            "push",
            "slash_command",
        ),
        ("/github/webhook/{pat_key}",),
        (),
        "GET /user",
    ),
    Integration(
        "discord",
        "Discord",
        "Discord bot: API client and gateway events",
        (_s("BotToken", "bot token"), _BASE),
        (("BotToken",),),
        (
            "message_create",
            "message_update",
            "message_delete",
            "message_reaction_add",
            "message_reaction_remove",
            "thread_create",
        ),
        (),
        ("gateway",),
        "GET /users/@me",
    ),
    Integration(
        "jira",
        "Atlassian Jira",
        "Jira: API token, admin webhooks with a secret",
        (
            _k("BaseURL", "site URL, e.g. https://example.atlassian.net"),
            _s("Token", "API token (or PAT for Jira Server)"),
            _k("Email", "account email (cloud basic auth)"),
            _s("webhook_secret", "secret of the Jira admin webhook"),
        ),
        (("BaseURL", "Token"),),
        ("issue_created", "issue_updated", "issue_deleted", "comment_created"),
        ("/jira/webhook",),
        (),
        "GET /rest/api/2/myself",
    ),
    Integration(
        "confluence",
        "Atlassian Confluence",
        "Confluence: API token",
        (
            _k("BaseURL", "site URL"),
            _s("Token", "API token"),
            _k("Email", "account email (cloud basic auth)"),
        ),
        (("BaseURL", "Token"),),
        ("page_created", "page_updated"),
        (),
    ),
    Integration(
        "linear",
        "Linear",
        "Linear: API key, webhooks",
        (
            _s("api_key", "personal API key"),
            _s("oauth_access_token", "OAuth access token (instead of api_key)"),
            _s("webhook_secret", "signing secret of the Linear webhook"),
            _BASE,
        ),
        (("api_key",), ("oauth_access_token",)),
        ("issue", "comment", "project", "reaction"),
        ("/linear/event",),
    ),
    Integration(
        "telegram",
        "Telegram",
        "Telegram bot: API client, webhook updates",
        (
            _s("BotToken", "bot token from BotFather"),
            _s("secret_token", "webhook secret token (generated)"),
            _BASE,
        ),
        (("BotToken",),),
        ("message", "edited_message", "callback_query", "channel_post"),
        ("/telegram/webhook/{connection_id}",),
    ),
    Integration(
        "twilio",
        "Twilio",
        "Twilio: account SID and auth token (or API key), incoming messages",
        (
            _k("AccountSID", "account SID (AC...)"),
            _k("Username", "account SID or API key SID"),
            _s("Password", "auth token or API key secret"),
            _BASE,
        ),
        (("Username", "Password"),),
        ("message",),
        ("/twilio/message",),
    ),
    Integration(
        "chatgpt",
        "OpenAI ChatGPT",
        "OpenAI API key",
        (_s("apiKey", "OpenAI API key"), _BASE),
        (("apiKey",),),
        test_call="GET /models",
        aliases=("openai",),
    ),
    Integration(
        "anthropic",
        "Anthropic",
        "Anthropic API key",
        (_s("api_key", "Anthropic API key"), _BASE),
        (("api_key",),),
    ),
    Integration(
        "googlegemini",
        "Google Gemini",
        "Gemini API key",
        (_s("api_key", "Gemini API key"), _BASE),
        (("api_key",),),
    ),
    *(
        Integration(
            name, display, f"{display}: service-account key", _GOOGLE, _GOOGLE_REQ
        )
        for name, display in (
            ("googlesheets", "Google Sheets"),
            ("googlecalendar", "Google Calendar"),
            ("googledrive", "Google Drive"),
            ("googleforms", "Google Forms"),
            ("gmail", "Gmail"),
            ("youtube", "YouTube"),
            ("google", "Google (all APIs)"),
        )
    ),
    Integration(
        "aws",
        "AWS",
        "AWS access keys",
        (
            _k("AccessKeyID", "access key ID"),
            _s("SecretKey", "secret access key"),
            _s("Token", "session token (optional)"),
            _k("Region", "region, e.g. us-east-1"),
            _k("base_url", "endpoint URL override (boto3 endpoint_url)"),
        ),
        (("AccessKeyID", "SecretKey"),),
        test_call="sts.GetCallerIdentity",
    ),
    Integration(
        "asana",
        "Asana",
        "Asana PAT",
        (_s("pat", "personal access token"), _BASE),
        (("pat",),),
    ),
    Integration(
        "notion",
        "Notion",
        "Notion integration token",
        (
            _s("api_key", "internal integration token"),
            _s("oauth_access_token", "OAuth access token (instead of api_key)"),
            _BASE,
        ),
        (("api_key",), ("oauth_access_token",)),
    ),
    Integration(
        "pipedrive",
        "Pipedrive",
        "Pipedrive API token",
        (_k("company_domain", "company domain"), _s("api_key", "API token"), _BASE),
        (("company_domain", "api_key"),),
    ),
    Integration(
        "reddit",
        "Reddit",
        "Reddit script app",
        (
            _k("client_id", "app client ID"),
            _s("client_secret", "app client secret"),
            _k("user_agent", "user agent"),
            _k("username", "Reddit username"),
            _s("password", "Reddit password"),
            _BASE,
        ),
        (("client_id", "client_secret", "user_agent"),),
    ),
    Integration(
        "airtable",
        "Airtable",
        "Airtable PAT",
        (_s("pat", "personal access token"), _BASE),
        (("pat",),),
    ),
    Integration(
        "hubspot",
        "HubSpot",
        "HubSpot private-app token",
        (_s("private_app_token", "private-app access token"), _BASE),
        (("private_app_token",),),
    ),
    Integration(
        "auth0",
        "Auth0",
        "Auth0 Management API: client credentials or token",
        (
            _k("auth0_domain", "tenant domain, e.g. example.us.auth0.com"),
            _k("client_id", "M2M application client ID"),
            _s("client_secret", "M2M application client secret"),
            _s("oauth_AccessToken", "Management API token"),
            _BASE,
        ),
        (
            ("auth0_domain", "client_id", "client_secret"),
            ("auth0_domain", "oauth_AccessToken"),
        ),
    ),
    Integration("test", "Test", "Test integration (no credentials)"),
)

_BY_NAME = {i.unique_name: i for i in INTEGRATIONS}
_BY_ANY = {
    **{a: i for i in INTEGRATIONS for a in i.aliases},
    **{i.display_name.lower(): i for i in INTEGRATIONS},
    **{i.integration_id: i for i in INTEGRATIONS},
    **_BY_NAME,
}


def find(ref: str) -> Integration:
    """An integration by unique name, display name or `int_` ID."""
    found = _BY_ANY.get(ref) or _BY_ANY.get(ref.lower())
    if found is None:
        raise NotFound(f'integration "{ref}" not found')
    return found


def by_name(name: str) -> Integration:
    return _BY_NAME[name]


def set_ways(integ: Integration) -> str:
    """`KEY KEY2=... or KEY3 ...`: secret keys bare (prompted), others with values."""
    return " or ".join(
        " ".join(k if integ.is_secret(k) else f"{k}=..." for k in req)
        for req in integ.required
    )


def connection_hints(conns: list[dict[str, Any]], project: str) -> list[str]:
    """`[!!!!]` lines for connections that still miss keys, with the command."""
    out = []
    for c in conns:
        st = c.get("status") or {}
        if st.get("code") == "CODE_OK":
            continue
        integ = by_name(str(c.get("integration", "")))
        ways = set_ways(integ)
        out.append(
            f'[!!!!] connection "{c["name"]}" ({integ.unique_name}) is not configured'
            f" ({st.get('message', '')}); set its keys with: ak connection set"
            f" {project}/{c['name']} {ways}  (a bare KEY prompts for a hidden value)"
        )
        for url in c.get("webhook_urls") or []:
            out.append(f'[!!!!] connection "{c["name"]}": webhook URL is {url}')
    return out
