"""A quickstart handler: each step survives a crash of the ak server.

Try: ak deploy; curl -X POST --data 'hello' <webhook URL>; ak session prints quickstart
"""

import os
import random
import time


def on_webhook(event):
    greeting = os.getenv("GREETING", "Hello")
    body = event.data.body.text or "(empty body)"
    print(f"{greeting}! got a {event.data.method} with: {body}")
    for i in range(3):
        # random.random() runs as an activity: its result is journaled, so a
        # replay after a crash sees the same number instead of drawing again.
        print(f"step {i}: lucky number {random.random():.3f}")
        time.sleep(1)  # a durable timer in durable sessions
    print("done, purr")
