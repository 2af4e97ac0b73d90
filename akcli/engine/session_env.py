"""A session runner's environment: its project's and its connections' vars
(plaintext), webhook URLs, and a trigger's activity defaults."""

from __future__ import annotations

import os

from akcli.engine.context import EngineContext
from akcli.engine.runner_types import BASE_ENV
from akcli.store.interface.sessions import SessionRow


def plain_vars(ctx: EngineContext, scope_id: str) -> dict[str, str]:
    """A scope's vars with secrets decrypted (server-side use only)."""
    return {
        v.name: ctx.cipher.decrypt(v.value) if v.is_secret else v.value
        for v in ctx.store.vars.in_scope(scope_id)
    }


def connection_env(ctx: EngineContext, project_id: str) -> dict[str, str]:
    """`<conn>__<key>` and `<conn>__connection_id` for a project's sessions."""
    env: dict[str, str] = {}
    for c in ctx.store.connections.list_for_project(project_id):
        env[f"{c.name}__connection_id"] = c.connection_id
        for key, value in plain_vars(ctx, c.connection_id).items():
            env[f"{c.name}__{key}"] = value
    return env


def session_env(ctx: EngineContext, row: SessionRow) -> dict[str, str]:
    """The complete environment of session ``row``'s runner."""
    pid = row.project_id
    env = {k: os.environ[k] for k in BASE_ENV if k in os.environ}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(plain_vars(ctx, pid))
    env.update(connection_env(ctx, pid))
    for trg in ctx.store.triggers.with_webhook(pid):
        env[f"{trg.name}__webhook_url"] = (
            f"{ctx.service_url}/webhooks/{trg.webhook_slug}"
        )
    env["store_public_url"] = f"{ctx.service_url}/store/{pid}"
    _trigger_activity_defaults(ctx, row, env)
    return env


def _trigger_activity_defaults(
    ctx: EngineContext, row: SessionRow, env: dict[str, str]
) -> None:
    """A trigger's activity defaults (manifest ``activity_retry`` on a
    trigger: var ``AK_ACTIVITY_RETRY__<trigger>``) override the project's
    ``AK_ACTIVITY_RETRY`` for its sessions (akcli/manifest/activity_defaults.py)."""
    if not row.trigger_id or not any(
        k.startswith("AK_ACTIVITY_") and "__" in k for k in env
    ):
        return
    trg = ctx.store.triggers.get(row.trigger_id)
    if trg is None:
        return
    for base in ("AK_ACTIVITY_RETRY", "AK_ACTIVITY_TIMEOUT"):
        value = env.get(f"{base}__{trg.name}")
        if value is not None:
            env[base] = value
