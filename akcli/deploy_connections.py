"""The connection half of planning against the server (used by akcli.deploy)."""

from __future__ import annotations

from akcli.client import Client
from akcli.errors import NotFound
from akcli.manifest import ExistingConnection, ExistingVar


def fetch_connections(client: Client, pid: str) -> list[ExistingConnection]:
    listed = client.call("connections", "List", {"project_id": pid})
    out = []
    for c in listed.get("connections", []):
        body = {"connection_id": c["connection_id"], "with_vars": True, "reveal": True}
        full = client.call("connections", "Get", body)["connection"]
        cvars = [
            ExistingVar(v["name"], v.get("value", ""), bool(v.get("is_secret")))
            for v in full.get("vars", [])
        ]
        out.append(
            ExistingConnection(c["connection_id"], c["name"], c["integration"], cvars)
        )
    return out


class ConnectionActions:
    """The manifest executor's connection actions, over the connections RPCs."""

    client: Client

    def create_connection(self, project_id: str, name: str, integration: str) -> str:
        c = {"name": name, "project_id": project_id, "integration": integration}
        resp = self.client.call("connections", "Create", {"connection": c})
        return str(resp["connection_id"])

    def update_connection(self, connection_id: str, integration: str) -> None:
        c = {"connection_id": connection_id, "integration": integration}
        self.client.call("connections", "Update", {"connection": c})

    def delete_connection(self, connection_id: str) -> None:
        self.client.call("connections", "Delete", {"connection_id": connection_id})

    def find_connection(self, key: str) -> str:
        found = self.client.call("connections", "Get", {"connection_id": key})
        if not found.get("connection"):
            raise NotFound(f'connection "{key}" not found')
        return str(found["connection"]["connection_id"])
