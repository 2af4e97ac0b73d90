"""Configuration: config.yaml < AK_* environment (incl. the .env file) < -C pairs.

Keys are dotted (`http.service_url`); the env form is `AK_HTTP__SERVICE_URL`.
Only registered keys are accepted by `ak config set`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akcli.errors import AkError
from akcli.paths import Paths, write_private

DEFAULT_SERVICE_URL = "http://localhost:9980"

# Registered keys and their defaults ("" = unset). Durations are Go-style ("30s").
KEYS: dict[str, str] = {
    "http.addr": "127.0.0.1:9980",
    "http.addr_filename": "",
    "http.service_url": DEFAULT_SERVICE_URL,
    "http.token": "",
    "http.read_header_timeout": "10s",
    "http.read_timeout": "30s",
    "http.max_connections": "1000",
    "banner.show": "true",
    "db.type": "sqlite",  # sqlite | postgres
    "db.dsn": "",
    "logger.level": "info",
    "webhooks.max_body_size": "524288",
    "webhooks.webhook_response_timeout": "30s",
    "webhooks.session_outcome_poll_interval": "100ms",
    "deployments.draining_deactivation_interval": "5m",
    "schedules.catch_up": "one",
    "pythonrt.heartbeat_timeout": "10s",
    # Several `ak up` on one PostgreSQL: each beats every interval; one silent
    # for the lease timeout is dead and its sessions are taken over.
    "workers.heartbeat_interval": "2s",
    "workers.lease_timeout": "10s",
    # builtin | temporal (durable sessions as Temporal workflows; extra `temporal`)
    "engine": "builtin",
    "temporal.host_port": "127.0.0.1:7233",
    "temporal.namespace": "default",
    "temporal.task_queue": "ak-sessions",
    "temporal.local_activities": "false",
    # A run_runner activity without a heartbeat for this long is run again.
    "temporal.heartbeat_timeout": "10s",
    # Sessions (run_runner activities) one worker runs at once; more wait in
    # Temporal's queue (their heartbeat clock starts when a worker takes them).
    "temporal.max_sessions": "64",
    "pythonrt.log_runner_code": "false",
    "pythonrt.max_memory_per_workflow_mb": "512",
    "pythonrt.delayed_start_print_timeout": "10s",
    "pythonrt.warm_pool": "true",
    # Runners kept forked and connected per interpreter, each handed the next
    # session (0: fork one when a session starts).
    "pythonrt.prefork": "2",
    "pythonrt.stop_grace": "10s",
    # A durable session waiting longer than this gives up its runner (0: never).
    "pythonrt.evict_after": "5s",
    "connections.reconnect_delay": "1s",
    "pythonrt.isolate": "true",
    # auto | file | ack: how an activity's result is durable before the
    # workflow goes on (akcli/engine/journal_files.py).
    "pythonrt.journal": "auto",
    "sessions.max_prints_size": "10485760",
    # "" = akcli/data/default-requirements.txt; a list replaces it ([] = minimal).
    "pythonrt.default_requirements": "",
}

_ENV_PREFIX = "AK_"
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|us|ns|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def env_name(key: str) -> str:
    return _ENV_PREFIX + key.upper().replace(".", "__")


def parse_duration(text: str) -> float:
    """Parse a Go-style duration (`1m30s`, `100ms`, `2h`) or plain seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    pos, total = 0, 0.0
    for m in _DURATION_RE.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f'invalid duration "{text}"')
    return total


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise AkError(f'invalid config argument "{pair}", expected "key=value"')
        out[key.strip()] = value
    return out


def load_dotenv(path: Path) -> None:
    """Load KEY=VALUE lines into the environment without overriding it."""
    if not path.is_file():
        return
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", key):
            raise AkError(f".env file loading error: line {n}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        os.environ.setdefault(key, value)


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for k, v in tree.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            flat.update(_flatten(v, key + "."))
        elif isinstance(v, list):
            import json

            flat[key] = json.dumps(v)
        elif v is not None:
            flat[key] = str(v).lower() if isinstance(v, bool) else str(v)
    return flat


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    import yaml  # lazy: keeps `ak --help` fast

    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise AkError(f'invalid config file "{path}": {e}') from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AkError(f'invalid config file "{path}": not a mapping')
    return data


@dataclass
class Config:
    """Resolved configuration; `get` applies the precedence rules."""

    paths: Paths
    file_values: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    @classmethod
    def load(cls, paths: Paths, overrides: Mapping[str, str] | None = None) -> Config:
        load_dotenv(paths.env_file)
        return cls(
            paths=paths,
            file_values=_flatten(_read_yaml(paths.config_file)),
            overrides=dict(overrides or {}),
        )

    def get(self, key: str) -> str:
        if key in self.overrides:
            return self.overrides[key]
        env = self.environ.get(env_name(key))
        if env is not None:
            return env
        if key in self.file_values:
            return self.file_values[key]
        return KEYS.get(key, "")

    def get_int(self, key: str) -> int:
        value = self.get(key)
        try:
            return int(value)
        except ValueError:
            raise AkError(f'config "{key}": invalid integer "{value}"') from None

    def get_bool(self, key: str) -> bool:
        return self.get(key).strip().lower() in ("1", "true", "yes", "on")

    def get_duration(self, key: str) -> float:
        try:
            return parse_duration(self.get(key))
        except ValueError as e:
            raise AkError(f'config "{key}": {e}') from None

    @property
    def service_url(self) -> str:
        url = self.get("http.service_url") or DEFAULT_SERVICE_URL
        return url if "://" in url else f"http://{url}"


def set_key(paths: Paths, key: str, value: str) -> None:
    """Persist `key: value` to config.yaml (nested map, value as a string)."""
    if key not in KEYS:
        raise AkError(f'key "{key}" is not a valid configuration (see: ak config list)')
    tree = _read_yaml(paths.config_file)
    node = tree
    *parents, leaf = key.split(".")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[leaf] = value
    import yaml

    write_private(paths.config_file, yaml.safe_dump(tree, sort_keys=True))
