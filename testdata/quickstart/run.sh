#!/bin/sh
# The quickstart, end to end: start `ak up --mode dev` (unless one is running),
# deploy this project, send it a webhook, and show the session's prints.
# Usage: testdata/quickstart/run.sh   (with `ak` on PATH, e.g. .venv/bin)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
# The server's log and pid go in a directory of our own (0700) under the user's
# state home, never at a fixed name in a shared /tmp another user could pre-create.
state="${XDG_STATE_HOME:-$HOME/.local/state}/ak-quickstart"
mkdir -p "$state" && chmod 700 "$state"
log="$state/server.log"

if ! ak project list >/dev/null 2>&1; then
    echo "==> starting the server: ak up --mode dev (log: $log)"
    nohup ak up --mode dev >"$log" 2>&1 &
    echo $! >"$state/server.pid"
    i=0
    until ak project list >/dev/null 2>&1; do
        i=$((i + 1))
        if [ "$i" -gt 300 ]; then echo "server did not start; see $log" >&2; exit 1; fi
        sleep 0.1
    done
fi

echo "==> ak deploy"
ak deploy

url=$(ak trigger get meow -p quickstart -j |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["trigger"]["webhook_url"])')
echo "==> curl -X POST --data 'hello from the quickstart' $url"
python3 - "$url" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=b"hello from the quickstart", method="POST")
with urllib.request.urlopen(req) as resp:
    print(resp.status, "AutoKitteh-Event-ID:", resp.headers["AutoKitteh-Event-ID"])
PY

echo "==> ak session watch quickstart"
ak session watch quickstart --wait-created --timeout 120s --quiet
echo "==> ak session prints quickstart"
ak session prints quickstart --no-timestamps
echo
echo "The server keeps running (log: $log). Send more: curl -X POST --data hi $url"
echo "Stop it with: kill \$(cat $state/server.pid)"
