"""Signals between sessions."""

from ._signals import Signal, next_signal, signal

__all__ = ["Signal", "next_signal", "signal"]
