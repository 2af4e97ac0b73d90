from autokitteh.github import github_client


def on_comment(event):
    gh = github_client("github_conn")
    repo = gh.get_repo(event.data.repository.full_name)
    issue = repo.get_issue(event.data.issue.number)
    for cmd in event.data.slash_commands:
        if cmd["name"] == "echo":
            issue.create_comment(" ".join(cmd["args"]))
            print("echoed", len(cmd["args"]), "words")
