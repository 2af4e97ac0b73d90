"""Typed reads of YAML nodes, with upstream's (Go yaml.v3's) error texts.

A manifest is composed to nodes, not loaded, so every error can name its line.
Type mismatches are collected as `unmarshal` errors (`line N: cannot unmarshal
!!str `x` into bool`), unknown and duplicate keys as `semantic` ones; the loader
raises them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from akcli.errors import AkError

__all__ = [
    "BOOL_TAG",
    "NULL_TAG",
    "NodeErrors",
    "boolean",
    "is_null",
    "line_of",
    "mapping",
    "raise_unmarshal",
    "sequence",
    "string",
]

BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"


@dataclass
class NodeErrors:
    """What is wrong with a manifest, collected while reading it."""

    unmarshal: list[str] = field(default_factory=list)
    semantic: list[str] = field(default_factory=list)

    def bad_type(self, node: yaml.Node, go_type: str) -> None:
        tag = "!!" + node.tag.rsplit(":", 1)[-1]
        if isinstance(node, yaml.ScalarNode):
            v = node.value if len(node.value) <= 10 else node.value[:7] + "..."
            what = f"{tag} `{v}`"
        else:
            what = tag
        line = node.start_mark.line + 1
        self.unmarshal.append(f"line {line}: cannot unmarshal {what} into {go_type}")


def raise_unmarshal(errs: NodeErrors) -> None:
    if errs.unmarshal:
        lines = "\n".join("  " + u for u in errs.unmarshal)
        raise AkError("yaml: unmarshal errors:\n" + lines)


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def mapping(
    node: yaml.Node,
    where: str,
    allowed: tuple[str, ...],
    go_type: str,
    errs: NodeErrors,
) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        errs.bad_type(node, go_type)
        return None
    out: dict[str, yaml.Node] = {}
    for k, v in node.value:
        key = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
        path = f"{where}.{key}" if where else key
        if key not in allowed:
            errs.semantic.append(f"- {path}: unknown key (line {line_of(k)})")
        elif key in out:
            errs.semantic.append(f"- {path}: duplicate key (line {line_of(k)})")
        else:
            out[key] = v
    return out


def sequence(node: yaml.Node, go_type: str, errs: NodeErrors) -> list[yaml.Node]:
    if is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        errs.bad_type(node, go_type)
        return []
    return list(node.value)


def string(node: yaml.Node, errs: NodeErrors) -> str:
    if is_null(node):
        return ""
    if not isinstance(node, yaml.ScalarNode):
        errs.bad_type(node, "string")
        return ""
    return str(node.value)


def boolean(node: yaml.Node, errs: NodeErrors) -> bool | None:
    if is_null(node):
        return None
    if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL_TAG:
        errs.bad_type(node, "bool")
        return None
    return str(node.value).lower() in ("true", "yes", "on", "y")
