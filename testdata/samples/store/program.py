import autokitteh


def on_visit(event):
    n = autokitteh.add_values("visits", 1)
    autokitteh.publish_value("visits")
    print(f"visit number {n}")
