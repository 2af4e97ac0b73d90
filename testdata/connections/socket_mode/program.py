import autokitteh
from autokitteh.slack import slack_client


def on_mention(event):
    ts = event.data.ts
    sub = autokitteh.subscribe(
        "slack_conn", f"event_type == 'message' && data.thread_ts == '{ts}'"
    )
    reply = autokitteh.next_event(sub, timeout=60)
    client = slack_client("slack_conn")
    client.chat_postMessage(
        channel=event.data.channel, thread_ts=ts, text=f"got: {reply.text}"
    )
    print("thread reply:", reply.text)
