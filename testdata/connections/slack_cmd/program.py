from autokitteh.slack import slack_client


def on_slash(event):
    client = slack_client("slack_conn")
    text = f"{event.data.command} {event.data.text}: hello <@{event.data.user_id}>"
    client.chat_postMessage(channel=event.data.channel_id, text=text)
    print("replied in", event.data.channel_id)
