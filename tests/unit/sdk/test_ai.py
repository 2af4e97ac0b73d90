"""openai, anthropic and Gemini helpers with the real libraries against fakes."""

from __future__ import annotations

import pytest

from .fakeapi import FakeAPI

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "meow"},
            "finish_reason": "stop",
        }
    ],
}


def test_openai_chat_completion(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.openai import openai_client

    api.route("POST", "/v1/chat/completions", (200, COMPLETION))
    monkeypatch.setenv("chatgpt__apiKey", "sk-test")
    monkeypatch.setenv("chatgpt__base_url", api.url + "/v1")

    client = openai_client("chatgpt")
    resp = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    )

    assert resp.choices[0].message.content == "meow"
    req = api.only("POST", "/v1/chat/completions")
    assert req.headers["authorization"] == "Bearer sk-test"
    assert req.json()["messages"] == [{"role": "user", "content": "hi"}]


def test_anthropic_message(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    from autokitteh.anthropic import anthropic_client

    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "text", "text": "purr"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }
    api.route("POST", "/v1/messages", (200, message))
    monkeypatch.setenv("claude__api_key", "sk-ant-test")
    monkeypatch.setenv("claude__base_url", api.url)

    resp = anthropic_client("claude").messages.create(
        model="claude-test", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    )

    assert resp.content[0].text == "purr"
    # anthropic < 2 sends the key as x-api-key, 2.x as a bearer token.
    headers = api.only("POST", "/v1/messages").headers
    sent = headers.get("x-api-key") or headers["authorization"].removeprefix("Bearer ")
    assert sent == "sk-ant-test"


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_gemini_generate_content(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("google.generativeai")
    from autokitteh.google import gemini_client

    reply = {
        "candidates": [
            {"content": {"parts": [{"text": "hiss"}], "role": "model"}, "index": 0}
        ]
    }
    path = "/v1beta/models/gemini-test:generateContent"
    api.route("POST", path, (200, reply))
    monkeypatch.setenv("gemini__api_key", "AIza-test")
    monkeypatch.setenv("gemini__base_url", api.url)

    model = gemini_client("gemini", model_name="gemini-test")
    resp = model.generate_content("hi")

    assert resp.text == "hiss"
    assert api.only("POST", path).headers["x-goog-api-key"] == "AIza-test"
