"""The manifest's JSON Schema (`ak manifest schema`), draft 2020-12.

It describes what this `ak` accepts: no `connections`, and no connection
triggers (integrations are out of scope).
"""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://go.autokitteh.dev/autokitteh/internal/manifest/manifest"
_NAME = {"type": "string", "pattern": r"^[a-zA-Z_]\w*$"}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


def manifest_schema() -> dict[str, Any]:
    string = {"type": "string"}
    boolean = {"type": "boolean"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "$ref": "#/$defs/Manifest",
        "$defs": {
            "Manifest": _obj(
                {
                    "version": {"type": "string", "enum": ["v1", "v2"]},
                    "project": {"$ref": "#/$defs/Project"},
                },
                ["version"],
            ),
            "Project": _obj(
                {
                    "name": _NAME,
                    "display_name": string,
                    "vars": {"type": "array", "items": {"$ref": "#/$defs/Var"}},
                    "triggers": {"type": "array", "items": {"$ref": "#/$defs/Trigger"}},
                    "pythonrt": _obj(
                        {
                            "activity_retry": {"$ref": "#/$defs/ActivityRetry"},
                            "activity_timeout": {"type": "number"},
                        }
                    ),
                }
            ),
            "ActivityRetry": {
                "oneOf": [
                    {"type": "integer", "minimum": 0},
                    _obj(
                        {
                            "max_attempts": {"type": "integer", "minimum": 1},
                            "retries": {"type": "integer", "minimum": 0},
                            "initial_interval": {"type": "number"},
                            "multiplier": {"type": "number"},
                            "max_interval": {"type": "number"},
                            "retry_on": {"type": "array", "items": string},
                            "non_retryable": {"type": "array", "items": string},
                        }
                    ),
                ]
            },
            "Var": _obj(
                {
                    "name": _NAME,
                    "value": string,
                    "description": string,
                    "secret": boolean,
                },
                ["name"],
            ),
            "Trigger": _obj(
                {
                    "name": _NAME,
                    "type": {"type": "string", "enum": ["schedule", "webhook"]},
                    "webhook": _obj({}),
                    "schedule": string,
                    "event_type": string,
                    "filter": string,
                    "call": string,
                    "is_durable": boolean,
                    "is_sync": boolean,
                    "activity_retry": {"$ref": "#/$defs/ActivityRetry"},
                    "activity_timeout": {"type": "number"},
                    "dedup": string,
                    "dedup_window": {"type": ["number", "string"]},
                },
                ["name"],
            ),
        },
    }
