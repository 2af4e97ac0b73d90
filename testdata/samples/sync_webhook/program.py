import time

import autokitteh


def on_cat(event):
    autokitteh.http_outcome(299, json={"cat": "meow"}, headers={"X-Cat": "purr"})


def on_slow(event):
    time.sleep(60)


def on_stream(event):
    autokitteh.http_outcome(200, body="first chunk\n", more=True)
    time.sleep(0.2)
    autokitteh.http_outcome(body="last chunk\n")
