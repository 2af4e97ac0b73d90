"""ak: a local-first, durable workflow tool compatible with AutoKitteh projects."""

__version__ = "0.1.0.dev0"
