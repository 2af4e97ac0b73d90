"""Outcomes: answers to synchronous webhooks."""

from ._outcomes import http_outcome, outcome

__all__ = ["http_outcome", "outcome"]
