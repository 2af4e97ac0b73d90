"""What a running server holds: the database, ID minting, config, secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akcli.config import Config
from akcli.ids import IdGen
from akcli.paths import Paths
from akcli.secrets import Cipher
from akcli.store.db import Database

if TYPE_CHECKING:
    from akcli.engine.engine import Engine


@dataclass
class Server:
    mode: str  # dev | test | default
    config: Config
    paths: Paths
    db: Database
    ids: IdGen
    cipher: Cipher
    service_url: str
    token: str = ""
    engine: Engine | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def test_mode(self) -> bool:
        return self.mode == "test"
