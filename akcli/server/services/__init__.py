"""RPC services; importing this package registers every handler."""

from importlib import import_module

# One module per service; a module missing here is simply not served.
SERVICES = (
    "projects",
    "builds",
    "deployments",
    "vars",
    "triggers",
    "events",
    "sessions",
    "store",
    "connections",
    "durability",
)


def load_all() -> None:
    for name in SERVICES:
        import_module(f"akcli.server.services.{name}")
