"""Shutdown must end: a cancellation racing a kick() is not swallowed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.engine.conftest import make_server


def test_cancel_racing_a_kick_still_cancels(tmp_path: Path) -> None:
    async def main() -> None:
        srv = make_server(tmp_path)
        engine = srv.engine

        async def loop_like_the_scheduler() -> None:
            while True:
                await srv.bell.wait(30)

        task = asyncio.create_task(loop_like_the_scheduler())
        for _ in range(50):  # the kick and the cancel land in the same loop step
            await asyncio.sleep(0)
            engine.kick()
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=2)
            assert done, "the cancellation was swallowed: the task kept waiting"
            assert task.cancelled()
            task = asyncio.create_task(loop_like_the_scheduler())
        task.cancel()
        srv.db.close()

    asyncio.run(main())
