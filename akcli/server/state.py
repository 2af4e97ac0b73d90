"""What a running server holds: the engine's context plus what only the HTTP
server has (its token, its engine)."""

from __future__ import annotations

from dataclasses import dataclass, field

from akcli.engine.context import EngineContext
from akcli.engine.engine import Engine


@dataclass(kw_only=True)
class Server(EngineContext):
    token: str = ""
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        # Always built; its loops start in the app's lifespan (Engine.start).
        self.engine = Engine(self)
