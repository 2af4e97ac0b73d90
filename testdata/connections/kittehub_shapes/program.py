import os

import autokitteh


def on_pr(event):
    print("target:", os.environ["github_conn__target_name"])
    sub = autokitteh.subscribe("slack_messages", "data.text == 'approve'")
    autokitteh.unsubscribe(sub)


def on_tick(event):
    print("tick")
