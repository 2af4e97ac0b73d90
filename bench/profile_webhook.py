"""Where webhook → session time goes: py-spy on the server while clients POST.

`python -m bench.profile_webhook [CLIENTS] [REQUESTS] [--venv]` starts `ak up`, deploys a
trivial webhook handler and samples the server with py-spy (bench/.venv-dbos)
while CLIENTS threads send REQUESTS webhooks. Not part of `python -m bench`.
"""

from __future__ import annotations

import sys
import threading

from bench.common import ROOT, deploy_webhook_project, running_server, tempdir
from bench.profile_activity import _summary, _top
from bench.throughput import PROGRAM, _level


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    outdir = ROOT / "bench" / "profiles"
    outdir.mkdir(exist_ok=True)
    venv = "--venv" in sys.argv  # managed venv instead of AK_WORKER_PYTHON
    with (
        tempdir("profhook") as tmp,
        running_server(tmp / "home", worker_python=not venv) as server,
    ):
        url = deploy_webhook_project(server, tmp / "proj", "profhook", PROGRAM)
        _level(url, 2, 20)  # warm-up
        assert server.proc is not None
        raw = outdir / "server-webhook.txt"
        spy = _top(server.proc.pid, 8, raw)
        t = threading.Thread(target=_level, args=(url, clients, total))
        t.start()
        spy.wait()
        t.join()
        print(_summary(raw, 45))
        from bench.common import count_states

        print(count_states(server))


if __name__ == "__main__":
    main()
