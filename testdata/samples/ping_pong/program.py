import autokitteh


def parent(event, session_id):
    child = autokitteh.start("program.py:child", {"parent": session_id, "rounds": 3})
    for i in range(3):
        sig = autokitteh.next_signal("ping", timeout=30)
        print(f"parent got {sig.name} {sig.payload}")
        autokitteh.signal(child, "pong", i)
    done = autokitteh.next_signal(child, timeout=30)
    print(f"child finished: {done.payload}")


def child(event):
    for i in range(event.data.rounds):
        autokitteh.signal(event.data.parent, "ping", i)
        sig = autokitteh.next_signal("pong", timeout=30)
        print(f"child got {sig.name} {sig.payload}")
    return "game over"
