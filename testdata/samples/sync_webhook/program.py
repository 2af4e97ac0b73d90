import time

import autokitteh


def on_cat(event):
    autokitteh.http_outcome(299, json={"cat": "meow"}, headers={"X-Cat": "purr"})


def on_slow(event):
    time.sleep(60)
