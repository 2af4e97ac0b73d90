"""Run inside bench/.venv-dbos: one DBOS workflow making N no-op @DBOS.step calls.

Usage: python dbos_steps.py N SQLITE_FILE. Prints one JSON line: {"ms_per_step": ...}.
The system database is SQLite (DBOS's dev/test backend), with DBOS's defaults.
"""

import json
import logging
import sys
import time

from dbos import DBOS

n, db_file = int(sys.argv[1]), sys.argv[2]
DBOS(
    config={
        "name": "akbench",
        "system_database_url": f"sqlite:///{db_file}",
        "log_level": "WARNING",
    }
)
logging.getLogger("dbos").setLevel(logging.WARNING)


@DBOS.step()
def noop(i: int) -> int:
    return i


@DBOS.workflow()
def loop(n: int) -> float:
    t = time.perf_counter()
    for i in range(n):
        noop(i)
    return time.perf_counter() - t


DBOS.launch()
loop(10)  # warm-up
dt = loop(n)
DBOS.destroy()
print(json.dumps({"ms_per_step": dt * 1000 / n, "dbos_seconds": dt}))
