"""The table of integrations `ak` supports (facts: spec/integrations.md).

Looked up through akcli/integrations.py.
"""

from __future__ import annotations

from akcli.integration_types import Integration, Key

__all__ = ["INTEGRATIONS"]


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
