"""Triggers: the public URL of a webhook trigger."""

from ._events import get_webhook_url

__all__ = ["get_webhook_url"]
