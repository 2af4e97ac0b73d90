"""``AttrDict``: a dict with recursive attribute access."""

from ._attrdict import AttrDict

__all__ = ["AttrDict"]
