"""Plaintext vars for a session's runner: its project's and its connections'."""

from __future__ import annotations

from akcli.engine.context import EngineContext


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
