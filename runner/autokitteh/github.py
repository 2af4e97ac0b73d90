"""GitHub client initialization, based on an AutoKitteh connection.

Keys: ``pat`` (a personal access token) wins; else a GitHub App's ``app_id``,
``install_id`` and ``private_key`` (PEM). ``enterprise_url`` (or the
environment's ``GITHUB_ENTERPRISE_URL``) is the server's URL; the API is at
``<enterprise_url>/api/v3``, as upstream. Needs ``PyGithub``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from . import _conn
from .connections import check_connection_name
from .errors import ConnectionInitError

if TYPE_CHECKING:
    from github import Github


def github_client(connection: str, **kwargs: Any) -> Github:
    """A PyGithub client for ``connection`` (PAT or GitHub App installation).

    Raises ``ValueError`` for an invalid connection name or non-numeric App
    IDs, and ConnectionInitError when the keys are missing.
    """
    check_connection_name(connection)
    base = _conn.var(connection, "enterprise_url") or os.environ.get(
        "GITHUB_ENTERPRISE_URL", ""
    )
    if base:
        kwargs["base_url"] = urljoin(base, "api/v3")
        print("GitHub Enterprise base URL: " + kwargs["base_url"])

    pat = _conn.var(connection, "pat")
    if pat:
        from github import Auth, Github

        return Github(auth=Auth.Token(pat), **kwargs)
    if not _conn.var(connection, "app_id"):
        raise ConnectionInitError(connection, ["pat"])
    app_id, install_id, private_key = _conn.need(
        connection, "app_id", "install_id", "private_key"
    )

    from github import Auth, GithubIntegration

    app = GithubIntegration(auth=Auth.AppAuth(int(app_id), private_key), **kwargs)
    return app.get_github_for_installation(int(install_id))
