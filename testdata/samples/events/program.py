import os
from datetime import timedelta

import autokitteh


def on_meow(event):
    sub = autokitteh.subscribe("woof", "data.url.path.endsWith('/woof')")
    print("waiting for a woof")
    data = autokitteh.next_event(sub, timeout=timedelta(seconds=int(os.getenv("TIMEOUT", "10"))))
    if data is None:
        print("timeout: no woof")
    else:
        print(f"woof! {data.method} {data.url.path} body={data.body.text!r}")
    autokitteh.unsubscribe(sub)
